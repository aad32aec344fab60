/**
 * kreg snapshot status FILE: what an etcd snapshot (or member db) holds, read without etcd:
 * revisions, keys, size, the sha256 trailer check, and etcdctl's own numbers (hash, totalKey),
 * with a one-line consistency check. kreg snapshot check FILE: bbolt's Tx.Check in full.
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { KregError } from '../../errors.js';
import { describePages, describeSha256, type SnapshotCheckReport, summarizeCheck } from '../../sources/snapshot/bolt-check.js';
import type { SnapshotStatus } from '../../sources/snapshot/snapshot-source.js';
import type { CommandContext } from '../io.js';
import { formatJson } from '../../format/object-text.js';
import { COMMANDS } from '../command-index.js';

interface StatusArgs {
  file: string;
  output: 'table' | 'json' | undefined;
  'skip-hash-check': boolean;
  'best-effort': boolean;
}

const statusCommand = (ctx: CommandContext): CommandModule<object, StatusArgs> => ({
  command: 'status <file>',
  describe: 'Revision, compaction, keys, size and hash check of a snapshot file (like etcdctl snapshot status)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'etcdctl snapshot save file, or a member db file' })
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, describe: 'output format (default: a table)' })
      .option('skip-hash-check', { type: 'boolean', default: false, describe: "do not verify the snapshot's sha256 trailer" })
      .option('best-effort', { type: 'boolean', default: false, describe: 'count what can be read past damaged pages, naming each one skipped (exit 1)' })
      .example('$0 snapshot status backup.db', 'the facts as a table')
      .example('$0 snapshot status backup.db -o json', 'the same as JSON (hash, revision, totalKey, totalSize as etcdctl -w json)') as never,
  handler: async (args) => {
    const { SnapshotSource } = await import('../../sources/snapshot/snapshot-source.js');
    let mismatch: KregError | undefined;
    // Best effort: each piece of damage on its own line as it is skipped, a count at the end.
    let skipped = 0;
    let unknown = 0;
    const bestEffort = args['best-effort']
      ? {
          bestEffort: true,
          onDamage: (damage: { code: string; message: string }): void => {
            if (damage.code === 'state-unknown') unknown++;
            else skipped++;
            ctx.io.stderr.write(`kreg: ${damage.message}\n`);
          },
        }
      : {};
    const source = await SnapshotSource.open(args.file, { skipHashCheck: args['skip-hash-check'], checkTrailerAlongside: true, leafCrcsAlongside: true, shareReadsAlongside: true, ...bestEffort });
    // A wrong trailer is reported next to the rest (not instead of it): the table is still printed.
    const trailerMismatch = async (): Promise<KregError | undefined> => {
      try {
        await source.settleChecks();
        return undefined;
      } catch (error) {
        if (error instanceof KregError && error.code === 'hash-mismatch') return error;
        throw error;
      }
    };
    // Two passes over one read: a worker thread reads the file for its sha256 trailer into memory
    // it shares with this thread (taking leaves' CRCs on the way when it has time), while this
    // thread walks the tree in key order once, out of those reads, for the consistency check, the
    // counts and etcdctl's hash (strung together from the leaves' CRCs).
    let status: SnapshotStatus;
    let check: SnapshotCheckReport;
    try {
      const walked = await source.statusAndCheck();
      status = walked.status;
      check = { ...walked.check, sha256: 'skipped' };
      // The consistency check below reports freelist damage itself.
      for (const line of source.changedUnderRead) ctx.io.stderr.write(`kreg: ${line}\n`);
      mismatch = await trailerMismatch();
    } catch (error) {
      // Damage that stops the walk: a wrong trailer said first, since it explains the damage.
      const explained = await trailerMismatch().catch(() => undefined);
      if (explained !== undefined) ctx.io.stderr.write(`kreg: ${explained.describe()}\n`);
      throw error;
    } finally {
      await source.close();
    }
    const hashCheck = source.hashCheck;
    const findings = check.findings.length + check.moreFindings;
    if (args.output === 'json') ctx.io.stdout.write(`${formatJson(statusJson(status, hashCheck, check))}\n`);
    else ctx.io.stdout.write(statusTable(status, hashCheck, check));
    if (mismatch !== undefined) {
      ctx.io.stderr.write(`kreg: ${mismatch.describe()}\n`);
      ctx.exitCode = 1;
    }
    if (skipped > 0 || unknown > 0) {
      const keys = unknown === 0 ? '' : `, ${unknown} ${unknown === 1 ? 'key' : 'keys'} of unknown state not counted as live`;
      ctx.io.stderr.write(`kreg: ${status.file}: best effort: ${skipped} ${skipped === 1 ? 'problem' : 'problems'} skipped${keys}; the numbers above leave out what they hid\n`);
      ctx.exitCode = 1;
    }
    if (findings > 0) {
      ctx.io.stderr.write(`kreg: ${status.file}: consistency check: ${summarizeCheck({ ...check, sha256: 'skipped' })}; kreg snapshot check lists them\n`);
      ctx.exitCode = 1;
    }
  },
});

interface CheckArgs {
  file: string;
  'skip-hash-check': boolean;
}

const checkCommand = (ctx: CommandContext): CommandModule<object, CheckArgs> => ({
  command: 'check <file>',
  describe: "Consistency check of a snapshot file's pages (bbolt's Tx.Check, as etcdutl runs it) and its sha256 trailer",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'etcdctl snapshot save file, a member db file, or a data dir' })
      .option('skip-hash-check', { type: 'boolean', default: false, describe: "do not verify the snapshot's sha256 trailer" })
      .example('$0 snapshot check backup.db', 'one line per problem (exit 1), then a summary; exit 0 when clean') as never,
  handler: async (args) => {
    const { checkSnapshotFile } = await import('../../sources/snapshot/bolt-check.js');
    const report = await checkSnapshotFile(args.file, { skipHashCheck: args['skip-hash-check'] });
    ctx.io.stdout.write(checkText(report));
    if (report.findings.length + report.moreFindings > 0) ctx.exitCode = 1;
  },
});

/** One line per finding naming the file, then the summary. */
export function checkText(report: SnapshotCheckReport): string {
  const lines = report.findings.map((finding) => `${report.file}: ${finding.message}`);
  if (report.moreFindings > 0) lines.push(`${report.file}: ... and ${report.moreFindings} more`);
  const total = report.findings.length + report.moreFindings;
  lines.push(`${report.file}: ${total === 0 ? 'ok' : `${total} ${total === 1 ? 'problem' : 'problems'}`}: ${describePages(report)}; ${describeSha256(report)}`);
  return `${lines.join('\n')}\n`;
}

export const snapshotCommand = (ctx: CommandContext): CommandModule<object, object> => ({
  command: COMMANDS.snapshot.usage,
  describe: COMMANDS.snapshot.describe,
  builder: (y) => y.command(statusCommand(ctx)).command(checkCommand(ctx)).demandCommand(1, 'name a snapshot command (kreg snapshot status FILE, kreg snapshot check FILE)'),
  handler: () => undefined,
});

function hashCheckText(hashCheck: string): string {
  return hashCheck === 'no-trailer' ? 'no trailer' : hashCheck;
}

/** etcdctl's four fields first (same names), then kreg's own. */
export function statusJson(status: SnapshotStatus, hashCheck: string, check?: SnapshotCheckReport): JsonObject {
  const json: JsonObject = {
    hash: status.etcdctl.hash ?? null,
    revision: status.etcdctl.revision,
    totalKey: status.etcdctl.totalKey,
    totalSize: status.etcdctl.totalSize,
    file: status.file,
    fileSize: status.fileSize,
    currentRevision: status.revision,
    compactedRevision: status.compactedRevision,
    keys: status.keys,
    revisions: status.revisions,
    leases: status.leases,
    hashCheck,
    consistentIndex: status.consistentIndex ?? null,
    term: status.term ?? null,
    pageSize: status.pageSize,
    txid: status.txid,
  };
  if (check !== undefined) json.check = { problems: check.findings.length + check.moreFindings, first: check.findings[0]?.message ?? null, pages: check.pages, reachable: check.reachable };
  return json;
}

/** A boxed table like `etcdctl snapshot status -w table`, with kreg's extra columns. */
export function statusTable(status: SnapshotStatus, hashCheck: string, check?: SnapshotCheckReport): string {
  const header = ['HASH', 'REVISION', 'COMPACTED', 'KEYS', 'REVISIONS', 'TOTAL KEYS', 'TOTAL SIZE', 'HASH CHECK', 'CONSISTENT INDEX', ...(check === undefined ? [] : ['CHECK'])];
  const row = [
    status.etcdctl.hash === undefined ? '-' : status.etcdctl.hash.toString(16),
    String(status.revision),
    String(status.compactedRevision),
    String(status.keys),
    String(status.revisions),
    String(status.etcdctl.totalKey),
    humanBytes(status.etcdctl.totalSize),
    hashCheckText(hashCheck),
    status.consistentIndex === undefined ? '-' : String(status.consistentIndex),
    ...(check === undefined ? [] : [checkCell(check)]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, (row[i] as string).length));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const cells = (values: string[]): string => `|${values.map((v, i) => ` ${v.padStart(widths[i] as number)} `).join('|')}|\n`;
  return line + cells(header.map((h, i) => h.padEnd(widths[i] as number))) + line + cells(row) + line;
}

function checkCell(check: SnapshotCheckReport): string {
  const problems = check.findings.length + check.moreFindings;
  return problems === 0 ? 'ok' : `${problems} ${problems === 1 ? 'problem' : 'problems'}`;
}

/** Sizes as etcdctl prints them (go-humanize: 25 kB, 1.2 MB). */
function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
