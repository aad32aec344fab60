/**
 * kreg snapshot status FILE: what an etcd snapshot (or member db) holds, read without etcd:
 * revisions, keys, size, the sha256 trailer check, and etcdctl's own numbers (hash, totalKey).
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { KregError } from '../../errors.js';
import type { SnapshotSource, SnapshotStatus } from '../../sources/snapshot/snapshot-source.js';
import type { CommandContext } from '../io.js';
import { formatJson } from '../../format/object-text.js';
import { COMMANDS } from '../command-index.js';

interface StatusArgs {
  file: string;
  output: 'table' | 'json' | undefined;
  'skip-hash-check': boolean;
}

const statusCommand = (ctx: CommandContext): CommandModule<object, StatusArgs> => ({
  command: 'status <file>',
  describe: 'Revision, compaction, keys, size and hash check of a snapshot file (like etcdctl snapshot status)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'etcdctl snapshot save file, or a member db file' })
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, describe: 'output format (default: a table)' })
      .option('skip-hash-check', { type: 'boolean', default: false, describe: "do not verify the snapshot's sha256 trailer" })
      .example('$0 snapshot status backup.db', 'the facts as a table')
      .example('$0 snapshot status backup.db -o json', 'the same as JSON (hash, revision, totalKey, totalSize as etcdctl -w json)') as never,
  handler: async (args) => {
    const { SnapshotSource } = await import('../../sources/snapshot/snapshot-source.js');
    let mismatch: KregError | undefined;
    let source: SnapshotSource;
    try {
      source = await SnapshotSource.open(args.file, { skipHashCheck: args['skip-hash-check'] });
    } catch (err) {
      // A wrong trailer is worth reporting next to the rest; anything else is damage that stops here.
      if (!(err instanceof KregError) || err.code !== 'hash-mismatch') throw err;
      mismatch = err;
      source = await SnapshotSource.open(args.file, { skipHashCheck: true });
    }
    try {
      const status = await source.status();
      const hashCheck = mismatch !== undefined ? 'mismatch' : status.hashCheck;
      if (args.output === 'json') ctx.io.stdout.write(`${formatJson(statusJson(status, hashCheck))}\n`);
      else ctx.io.stdout.write(statusTable(status, hashCheck));
      if (mismatch !== undefined) {
        ctx.io.stderr.write(`kreg: ${mismatch.describe()}\n`);
        ctx.exitCode = 1;
      }
    } finally {
      await source.close();
    }
  },
});

export const snapshotCommand = (ctx: CommandContext): CommandModule<object, object> => ({
  command: COMMANDS.snapshot.usage,
  describe: COMMANDS.snapshot.describe,
  builder: (y) => y.command(statusCommand(ctx)).demandCommand(1, 'name a snapshot command (kreg snapshot status FILE)'),
  handler: () => undefined,
});

function hashCheckText(hashCheck: string): string {
  return hashCheck === 'no-trailer' ? 'no trailer' : hashCheck;
}

/** etcdctl's four fields first (same names), then kreg's own. */
export function statusJson(status: SnapshotStatus, hashCheck: string): JsonObject {
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
  return json;
}

/** A boxed table like `etcdctl snapshot status -w table`, with kreg's extra columns. */
export function statusTable(status: SnapshotStatus, hashCheck: string): string {
  const header = ['HASH', 'REVISION', 'COMPACTED', 'KEYS', 'REVISIONS', 'TOTAL KEYS', 'TOTAL SIZE', 'HASH CHECK', 'CONSISTENT INDEX'];
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
  ];
  const widths = header.map((h, i) => Math.max(h.length, (row[i] as string).length));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const cells = (values: string[]): string => `|${values.map((v, i) => ` ${v.padStart(widths[i] as number)} `).join('|')}|\n`;
  return line + cells(header.map((h, i) => h.padEnd(widths[i] as number))) + line + cells(row) + line;
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
