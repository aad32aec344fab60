/**
 * kreg ls: what the registry holds, as a tree of resources with object counts and stored bytes
 * (like `du` for /registry). Every value is read for its size, none is decoded: etcd 3.4 gives no
 * value size with keys-only ranges. Only counters are kept, so memory does not grow with the data.
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { UsageError } from '../../errors.js';
import { resolveResource, type ResourceRegistry } from '../../keys/index.js';
import { LS_SORTS, RegistryTally, type LsNode, type LsSort } from '../../registry-tally.js';
import { entriesUnder, everyEntry } from '../../stored-objects.js';
import type { CommandContext } from '../io.js';
import { settleStoreChecks, withStore, type Store } from '../open-store.js';
import { withSourceOptions, type SourceArgs } from '../options.js';
import { formatJson } from '../../format/object-text.js';
import { startProgress, type Progress } from '../progress.js';
import { humanBytes } from '../../format/sizes.js';
import { formatTable } from '../../format/table.js';
import { COMMANDS } from '../command-index.js';

interface LsArgs extends SourceArgs {
  prefix: string | undefined;
  depth: number;
  sort: LsSort;
  output: 'table' | 'json';
}

function kindColumn(node: LsNode): string {
  switch (node.type) {
    case 'resource':
      return node.kind;
    case 'aggregated':
      return '(aggregated API)';
    case 'special':
      return `(special${node.kind === '' ? '' : `: ${node.kind}`})`;
    case 'unknown':
      return '(unknown)';
  }
}

/** An aligned table; namespaces are indented under their resource. */
export function formatLsTable(nodes: readonly LsNode[], total: { count: number; bytes: number }): string {
  const header = ['RESOURCE', 'GROUP', 'KIND', 'COUNT', 'BYTES'];
  const rows = nodes.map((n) =>
    n.namespace === undefined
      ? [n.resource, n.type === 'special' || n.type === 'unknown' ? '' : n.group === '' ? 'core' : n.group, kindColumn(n), n.count.toLocaleString('en-US'), humanBytes(n.bytes)]
      : [`  ${n.namespace}`, '', '', n.count.toLocaleString('en-US'), humanBytes(n.bytes)],
  );
  const totalRow = ['TOTAL', '', '', total.count.toLocaleString('en-US'), humanBytes(total.bytes)];
  return formatTable(header, [...rows, totalRow], { align: ['left', 'left', 'left', 'right', 'right'] });
}

function toJson(node: LsNode): JsonObject {
  const out: JsonObject = { type: node.type, resource: node.resource, group: node.group, kind: node.kind };
  if (node.namespace !== undefined) out.namespace = node.namespace;
  if (node.special !== undefined) out.special = node.special;
  out.prefix = node.prefix;
  out.count = node.count;
  out.bytes = node.bytes;
  out.keyBytes = node.keyBytes;
  return out;
}

/** The key prefixes to read: the whole registry, a key prefix under it, or resources' listings. */
function resolveScope(argument: string | undefined, prefix: string, registry: ResourceRegistry): { keyPrefixes: string[] | undefined } {
  if (argument === undefined) return { keyPrefixes: undefined };
  const base = `${prefix}/`;
  if (argument.startsWith('/')) {
    if (base.startsWith(argument)) return { keyPrefixes: undefined }; // "/" or "/registry": everything
    if (!argument.startsWith(base)) throw new UsageError('outside-prefix', `${argument} is not under the etcd prefix ${base} (see --etcd-prefix)`);
    return { keyPrefixes: [argument] };
  }
  const keyPrefixes = argument.split(',').map((r) => `${base}${resolveResource(r, { registry }).storagePath}/`);
  return { keyPrefixes: [...new Set(keyPrefixes)] };
}

/**
 * Feeds every key under the chosen prefixes to the tally (or, with none chosen, the whole
 * registry directory by directory, going on past those the user may not read), all at the one revision.
 */
async function scan(store: Store, keyPrefixes: string[] | undefined, tally: RegistryTally, progress: Progress): Promise<void> {
  const { source, prefix, revision } = store;
  // Only keys and sizes are tallied: a snapshot then skips reading the values a second time.
  const read = { sizesOnly: true };
  const entries = keyPrefixes === undefined ? everyEntry(source, prefix, revision, store.registry, store.denied, read) : entriesUnder(source, keyPrefixes, revision, read);
  for await (const entry of entries) {
    tally.add(entry.key, entry.valueSize);
    if (tally.keys % 1000 === 0) progress.update(() => `scanning ${prefix}/: ${tally.keys.toLocaleString('en-US')} keys`);
  }
}

export const lsCommand = (ctx: CommandContext): CommandModule<object, LsArgs> => ({
  command: COMMANDS.ls.usage,
  describe: COMMANDS.ls.describe,
  builder: (y) =>
    withSourceOptions(
      y
        .positional('prefix', { type: 'string', describe: 'an etcd key prefix (/registry/pods/kube-system/) or resources (pods, deploy,secrets)' })
        .option('depth', { type: 'number', default: 1, describe: '1: resources; 2: resources and their namespaces' })
        .option('sort', { choices: LS_SORTS, default: 'size' as LsSort, describe: 'size and count sort largest first, name alphabetically' })
        .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format (json: an array, one object per row)' })
        .example('$0 ls', 'what takes room in etcd: etcdctl get --prefix /registry/ summed per resource')
        .example('$0 ls events --depth 2', 'events per namespace')
        .example('$0 ls /registry/secrets/kube-system/ -o json', 'one prefix, as JSON'),
    ),
  handler: async (args) => {
    if (!Number.isInteger(args.depth) || args.depth < 1 || args.depth > 2) throw new UsageError('bad-flags', `--depth must be 1 or 2, not ${args.depth}`);
    await withStore(
      ctx,
      args,
      async (store) => {
        const { prefix, learned } = store;
        const { keyPrefixes } = resolveScope(args.prefix, prefix, learned.registry);
        const tally = new RegistryTally(learned.registry, prefix, args.depth);
        const progress = await startProgress(ctx.io, `scanning ${prefix}/`);
        try {
          await scan(store, keyPrefixes, tally, progress);
          // The sha256 trailer was hashed alongside the scan: its verdict comes before any output.
          progress.update(() => 'checking the sha256 trailer');
          await settleStoreChecks(ctx, store);
        } finally {
          progress.stop();
        }
        const nodes = tally.nodes(args.sort);
        if (args.output === 'json') ctx.io.stdout.write(`${formatJson(nodes.map(toJson))}\n`);
        else ctx.io.stdout.write(formatLsTable(nodes, tally.total()));
      },
      { detectRelease: false, checksAlongside: true },
    );
  },
});
