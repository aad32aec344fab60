/**
 * kreg audit storage: what should not be stored as it is. Two passes over the registry at one
 * revision (the first indexes namespaces and uids, the second checks every key against it), then
 * the retained revisions (all a snapshot holds; live, those since compaction). Exit 1 when there are findings.
 */
import type { Argv, CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { UsageError } from '../../errors.js';
import { loadSchema } from '../../schema-bundle.js';
import { CHECK_TITLES, STORAGE_CHECKS } from '../../storage-audit/findings.js';
import { DEFAULT_MAX_REQUEST_BYTES, MANAGED_FIELDS_MIN_BYTES, NEAR_LIMIT_SHARE } from '../../storage-audit/sizes.js';
import { StorageAudit, type StorageAuditReport } from '../../storage-audit/storage-audit.js';
import { everyEntry, preparedEntries } from '../../stored-objects.js';
import type { CommandContext } from '../io.js';
import { withStore, type Store } from '../open-store.js';
import { withEncryptionOption, withSourceOptions, type EncryptionArgs, type SourceArgs } from '../options.js';
import { startProgress } from '../progress.js';
import { printAudits, type AuditOutcome } from './audit-outcome.js';

/** Findings of one check the human report lists; -o json lists them all. */
const SHOWN_PER_CHECK = 20;

export interface StorageAuditArgs extends SourceArgs, EncryptionArgs {
  output: 'table' | 'json';
  'max-request-bytes': string;
  top: string;
}

/** The options of the storage audit (also on `kreg audit`, which runs it). */
/** `global: false` where a parent command (kreg audit) declares them: its subcommands must not inherit them. */
export function withStorageAuditOptions<T>(y: Argv<T>, scope: { global?: boolean } = {}): Argv<T & { 'max-request-bytes': string; top: string }> {
  const global = scope.global ?? true;
  return y
    .option('max-request-bytes', {
      global,
      type: 'string',
      requiresArg: true,
      default: String(DEFAULT_MAX_REQUEST_BYTES),
      describe: `etcd's --max-request-bytes: objects at ${100 * NEAR_LIMIT_SHARE}% of it or more are reported`,
    })
    .option('top', { global, type: 'string', requiresArg: true, default: '10', describe: 'how many of the most-revised keys to list (0: none)' });
}

export const storageCommand = (ctx: CommandContext): CommandModule<object, StorageAuditArgs> => ({
  command: 'storage',
  describe: 'Orphans (namespace, CRD, owner or lease gone), objects to migrate, Events without a lease, oversized objects, unmapped keys (exit 1 when any)',
  builder: (y) =>
    withStorageAuditOptions(withSourceOptions(withEncryptionOption(y)))
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .epilog(
        `Objects whose managedFields is more than half of them are reported from ${MANAGED_FIELDS_MIN_BYTES} bytes up. The keys with the most revisions are counted over the retained revisions: every one a snapshot or data dir holds, or those live etcd has not compacted yet.`,
      )
      .example('$0 audit storage --snapshot backup.db', 'what a backup holds that should not be there, and the most-rewritten keys')
      .example('$0 audit storage --max-request-bytes 10485760 -o json', 'against a cluster whose etcd allows 10 MiB requests'),
  handler: async (args) => {
    const options = storageAuditOptions(args);
    await withStore(ctx, args, async (store) => printAudits(ctx, args.output, [await auditStorage(ctx, store, options)], store), { checksAlongside: true });
  },
});

/** --max-request-bytes and --top, checked before anything is opened. */
export function storageAuditOptions(args: { 'max-request-bytes': string; top: string }): { maxRequestBytes: number; top: number } {
  const whole = (name: string, text: string, least: number): number => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < least) throw new UsageError('bad-flags', `--${name} must be a whole number${least > 0 ? ` of at least ${least}` : ''}, not "${text}"`);
    return n;
  };
  return { maxRequestBytes: whole('max-request-bytes', String(args['max-request-bytes']), 1), top: whole('top', String(args.top), 0) };
}

/** Both passes and the retained revisions, with progress on a terminal. */
export async function auditStorage(ctx: CommandContext, store: Store, options: { maxRequestBytes: number; top: number }): Promise<AuditOutcome> {
  const { source, prefix, revision, registry, denied } = store;
  const audit = new StorageAudit({
    // The release the data was written by (--kube-version, or detected when the store was opened).
    schema: loadSchema(store.decodeOptions.kubeVersion),
    prefix,
    registry,
    ...(store.decryptor === undefined ? {} : { decryptor: store.decryptor }),
    maxRequestBytes: options.maxRequestBytes,
    churnTop: options.top,
    unusableDefinitions: new Set(store.learned.skipped.map((skipped) => skipped.name)),
  });
  // Leases exist now: against an older revision's keys they would be compared with the wrong keys.
  const leasesUnchecked =
    source.leases === undefined
      ? `${source.description} cannot list its leases`
      : revision !== (await source.currentRevision())
        ? `read at revision ${revision}, not the current one, and leases are only listed as they are now`
        : undefined;
  const progress = await startProgress(ctx.io, `storage: indexing ${prefix}/`);
  try {
    let n = 0;
    const tick = (what: string): void => {
      if (++n % 1000 === 0) progress.update(() => `storage: ${what} ${prefix}/: ${n.toLocaleString('en-US')} keys`);
    };
    // KMS values: the plugin is asked for their DEK before the (synchronous) checks read them.
    for await (const entry of preparedEntries(everyEntry(source, prefix, revision, registry, []), store.decryptor)) {
      audit.indexEntry(entry);
      tick('indexing');
    }
    n = 0;
    for await (const entry of preparedEntries(everyEntry(source, prefix, revision, registry, denied), store.decryptor)) {
      audit.checkEntry(entry);
      tick('checking');
    }
    if (leasesUnchecked === undefined && source.leases !== undefined) for await (const lease of source.leases()) audit.addLease(lease.id);
    n = 0;
    if (source.revisions !== undefined) {
      for await (const stored of source.revisions({ prefix: `${prefix}/`, revision })) {
        audit.addRevision(stored);
        tick('reading revisions of');
      }
    }
  } finally {
    progress.stop();
  }
  if (leasesUnchecked !== undefined) audit.note(`etcd leases not checked for keys: ${leasesUnchecked}`);
  const report = audit.report(source.revisions === undefined ? `${source.description} cannot list past revisions` : undefined);
  return { name: 'storage', json: report as unknown as JsonObject, text: reportText(report), findings: Object.values(report.counts).reduce((a, b) => a + b, 0) };
}

function reportText(report: StorageAuditReport): string {
  let out = '';
  for (const check of STORAGE_CHECKS) {
    const findings = report.findings.filter((f) => f.check === check);
    const count = report.counts[check];
    if (count === 0) continue;
    out += `${CHECK_TITLES[check]} (${check}): ${count.toLocaleString('en-US')}\n`;
    for (const f of findings.slice(0, SHOWN_PER_CHECK)) out += `  ${f.key}\n    ${f.reason}\n    action: ${f.action}\n`;
    if (count > SHOWN_PER_CHECK) out += `  ... and ${(count - SHOWN_PER_CHECK).toLocaleString('en-US')} more (-o json lists them)\n`;
    out += '\n';
  }
  if (report.churn.available) {
    if (report.churn.keys.length > 0) out += `most revised keys (retained revisions):\n${report.churn.keys.map((k) => `  ${String(k.revisions).padStart(6)}  ${k.key}\n`).join('')}\n`;
  } else out += `most revised keys: not available: ${report.churn.reason}\n`;
  for (const note of report.notes) out += `note: ${note}\n`;
  const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
  out += total === 0 ? `no findings in ${report.keys.toLocaleString('en-US')} keys\n` : `${total.toLocaleString('en-US')} finding(s) in ${report.keys.toLocaleString('en-US')} keys\n`;
  return out;
}
