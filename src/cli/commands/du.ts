/**
 * kreg du: what fills etcd. Bytes and counts per resource (or namespace, kind, owner), split into
 * metadata.managedFields, status and the rest as measured on the stored bytes, and the largest
 * objects with their keys. Values are read for their sizes and field boundaries; only --by owner
 * decodes (it needs ownerReferences).
 */
import type { CommandModule } from 'yargs';
import { isJsonObject, type JsonObject } from '../../codec/json-value.js';
import { UsageError } from '../../errors.js';
import { measureStoredParts } from '../../codec/stored-parts.js';
import { keyForEntry, tryParseKey, resolveResource, type ParsedKey } from '../../keys/index.js';
import { loadSchema } from '../../schema-bundle.js';
import type { Entry, EntrySource, StoredRevision } from '../../sources/source.js';
import { USAGE_GROUPINGS, UsageTally, type UsageGrouping } from '../../storage-usage.js';
import { decodeEntry, entriesUnder, everyEntry } from '../../stored-objects.js';
import { formatJson } from '../../format/object-text.js';
import type { CommandContext } from '../io.js';
import { settleStoreChecks, withStore, type Store } from '../open-store.js';
import { withKubeVersionOption, withNamespaceOptions, withOutputOption, withSourceOptions, type KubeVersionArgs, type NamespaceArgs, type SourceArgs } from '../options.js';
import { startProgress } from '../progress.js';
import { COMMANDS } from '../command-index.js';
import { usageTable, type HistoryAvailability } from '../du-table.js';

interface DuArgs extends SourceArgs, NamespaceArgs, KubeVersionArgs {
  resource: string | undefined;
  by: UsageGrouping;
  top: string;
  history: boolean;
  output: 'table' | 'json';
}

export const duCommand = (ctx: CommandContext): CommandModule<object, DuArgs> => ({
  command: COMMANDS.du.usage,
  describe: COMMANDS.du.describe,
  builder: (y) =>
    withSourceOptions(
      withOutputOption(
        withNamespaceOptions(withKubeVersionOption(y).positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, secrets, widgets.example.com, a,b); all by default' }), {
          namespace: 'only this namespace',
          allNamespaces: 'every namespace (what du reads without -n)',
        }),
        ['table', 'json'] as const,
        { default: 'table', describe: 'output format' },
      )
        .option('by', {
          type: 'string',
          requiresArg: true,
          choices: USAGE_GROUPINGS,
          default: 'resource' as UsageGrouping,
          describe: 'group by resource, namespace, kind, or owner (the controller in ownerReferences)',
        })
        .option('top', { type: 'string', default: '10', requiresArg: true, describe: 'how many of the largest objects to list (0: none)' })
        .option('history', {
          type: 'boolean',
          default: true,
          describe: 'count every retained revision too (live etcd sends each one again: as slow as a second listing); --no-history skips it',
        })
        .example('$0 du', 'etcdctl get --prefix /registry/ summed per resource, with managedFields and status apart')
        .example('$0 du -A --by namespace', 'which namespaces fill etcd')
        .example('$0 du pods --by owner --top 20 --snapshot backup.db', 'which controllers own the bytes, and the 20 largest pods'),
    ),
  handler: async (args) => {
    const top = /^\d+$/.test(String(args.top).trim()) ? Number(args.top) : undefined;
    if (top === undefined) throw new UsageError('bad-flags', `--top must be a whole number, not "${String(args.top)}"`);
    await withStore(
      ctx,
      args,
      async (store) => {
        const tally = new UsageTally(top);
        const schema = loadSchema(store.decodeOptions.kubeVersion);
        // Named resources are read from their namespace's prefix already (cluster-scoped ones ignore -n, as kubectl does).
        const groups = grouper(store, args.by, args['all-namespaces'] || args.resource !== undefined ? undefined : args.namespace);
        const history: HistoryAvailability = !args.history
          ? { available: false, reason: 'not read (--no-history)' }
          : store.source.revisions === undefined
            ? { available: false, reason: `${store.source.description} cannot list past revisions` }
            : { available: true };
        // --by owner needs the value to group by: a key's group is remembered from its live value.
        const ownerOfKey = history.available && args.by === 'owner' ? new Map<string, string>() : undefined;
        const progress = await startProgress(ctx.io, `reading ${store.prefix}/`);
        let keys = 0;
        let revisions = 0;
        const showProgress = (): void =>
          progress.update(() => `reading ${store.prefix}/: ${keys.toLocaleString('en-US')} keys${revisions === 0 ? '' : `, ${revisions.toLocaleString('en-US')} past revisions`}`);
        const listing = async (stopped: () => boolean): Promise<void> => {
          for await (const entry of entriesInScope(store, args)) {
            if (stopped()) return;
            const group = groups.ofEntry(entry);
            if (group === undefined) continue;
            ownerOfKey?.set(entry.key, group);
            tally.add(group, entry.key, entry.valueSize, measureStoredParts(schema, entry.value));
            if (++keys % 1000 === 0) showProgress();
          }
        };
        const replay = async (stopped: () => boolean): Promise<void> => {
          for await (const revision of history.available ? revisionsInScope(store, args) : []) {
            if (stopped()) return;
            const group = ownerOfKey === undefined ? groups.ofKey(revision.key) : (ownerOfKey.get(revision.key) ?? '(deleted)');
            if (group === undefined) continue;
            tally.addRevision(group, revision.key, revision.valueSize);
            if (++revisions % 10000 === 0) showProgress();
          }
        };
        try {
          if (ownerOfKey !== undefined || store.source.interleavesReads !== true) {
            // A past revision's owner is its key's live value's: the listing must come first.
            // And some sources read one thing at a time (see EntrySource.interleavesReads).
            await listing(() => false);
            await replay(() => false);
          } else {
            // The replay mostly waits on etcd sending every revision again: done during the
            // listing, that wait overlaps it. The tally does not depend on the order.
            await bothOrFirstFailure(listing, replay);
          }
          // The sha256 trailer was hashed alongside the reads: its verdict comes before any output.
          progress.update(() => 'checking the sha256 trailer');
          await settleStoreChecks(ctx, store);
        } finally {
          progress.stop();
        }
        const report = { by: args.by, history, groups: tally.groups(), total: tally.total(), largest: tally.largest(), largestHistory: tally.largestHistory() };
        if (args.output === 'json') ctx.io.stdout.write(`${formatJson(report as unknown as JsonObject)}\n`);
        else ctx.io.stdout.write(usageTable(report));
      },
      { checksAlongside: true },
    );
  },
});

/** A task that returns at its next step once `stopped()` says so (closing what it reads). */
type StoppableTask = (stopped: () => boolean) => Promise<void>;

/** Runs two tasks at once and waits for both; when one fails the other is stopped, and the first failure is thrown. */
async function bothOrFirstFailure(first: StoppableTask, second: StoppableTask): Promise<void> {
  let failure: { error: unknown } | undefined;
  const stopped = (): boolean => failure !== undefined;
  const run = (task: StoppableTask): Promise<void> =>
    task(stopped).catch((error: unknown) => {
      failure ??= { error };
    });
  await Promise.all([run(first), run(second)]);
  if (failure !== undefined) throw failure.error;
}

/** The entries the arguments name: one or more resources (in a namespace), else the whole registry. */
function entriesInScope(store: Store, args: DuArgs): AsyncIterable<Entry> {
  const { source, prefix, revision, registry } = store;
  const prefixes = namedPrefixes(store, args);
  // Each value is measured at once and not kept: the source may lend its read buffers.
  const read = { borrowsValues: true };
  return prefixes === undefined ? everyEntry(source, prefix, revision, registry, store.denied, read) : entriesUnder(source, prefixes, revision, read);
}

/** Every retained revision in the same scope, when the source lists them; none otherwise. */
async function* revisionsInScope(store: Store, args: DuArgs): AsyncGenerator<StoredRevision> {
  const source: EntrySource = store.source;
  if (source.revisions === undefined) return;
  for (const prefix of namedPrefixes(store, args) ?? [`${store.prefix}/`]) yield* source.revisions({ prefix, revision: store.revision });
}

/** The prefixes of the resources the arguments name (in a namespace); undefined for the whole registry. */
function namedPrefixes(store: Store, args: DuArgs): string[] | undefined {
  if (args.resource === undefined) return undefined;
  const namespace = args['all-namespaces'] ? undefined : args.namespace;
  return [
    ...new Set(
      args.resource.split(',').map((name) => {
        const entry = resolveResource(name, { registry: store.registry });
        return keyForEntry(entry, entry.namespaced && namespace !== undefined ? { namespace } : {}, store.prefix);
      }),
    ),
  ];
}

/**
 * The group of an entry, or undefined to leave it out (another namespace under -n); `ofKey` for a
 * key alone (a past revision), which is undefined for --by owner (the value tells the owner). Keys
 * are parsed once per directory: every key in /registry/pods/shop/ has the same resource and namespace.
 */
function grouper(store: Store, by: UsageGrouping, onlyNamespace: string | undefined): { ofEntry: (entry: Entry) => string | undefined; ofKey: (key: string) => string | undefined } {
  const parsedByParent = new Map<string, ParsedKey | undefined>();
  const parse = (key: string): ParsedKey | undefined => {
    const parent = key.slice(0, key.lastIndexOf('/') + 1);
    if (parsedByParent.has(parent)) return parsedByParent.get(parent);
    const parsed = tryParseKey(key, { prefix: store.prefix, registry: store.registry });
    // Only object keys stand for their whole directory; special keys are parsed each time.
    if (parsed?.type === 'object') parsedByParent.set(parent, parsed);
    return parsed;
  };
  const groupOf = (key: string, entry: Entry | undefined): string | undefined => {
    const parsed = parse(key);
    const namespace = parsed?.type === 'object' ? parsed.namespace : undefined;
    if (onlyNamespace !== undefined && namespace !== onlyNamespace) return undefined;
    switch (by) {
      case 'resource':
        return parsed?.type === 'object' ? (parsed.group === '' ? parsed.resource : `${parsed.resource}.${parsed.group}`) : `(other) ${firstSegment(key, store.prefix)}`;
      case 'namespace':
        return namespace ?? '(cluster-scoped)';
      case 'kind':
        return parsed?.type === 'object' ? parsed.kind : '(not an object)';
      case 'owner':
        return entry === undefined ? undefined : ownerOf(entry, store);
    }
  };
  return { ofEntry: (entry) => groupOf(entry.key, entry), ofKey: (key) => groupOf(key, undefined) };
}

function firstSegment(key: string, prefix: string): string {
  const relative = key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : key;
  return relative.split('/')[0] ?? relative;
}

/** The controller (else first) owner as Kind/name, "(no owner)", or why it cannot be told. */
function ownerOf(entry: Entry, store: Store): string {
  let object: JsonObject | undefined;
  try {
    // Only ownerReferences are read: managedFields need no full decode.
    object = decodeEntry(entry, store.registry, store.prefix, { ...store.decodeOptions, managedFieldsHidden: true }).object;
  } catch {
    return '(undecodable)';
  }
  if (object === undefined) return '(encrypted or opaque)';
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences.filter(isJsonObject) : [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  return owner === undefined ? '(no owner)' : `${String(owner.kind)}/${String(owner.name)}`;
}
