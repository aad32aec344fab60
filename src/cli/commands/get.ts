import type { CommandModule } from 'yargs';
import type { ValueDecryptor } from '../../codec/decrypt.js';
import type { JsonObject } from '../../codec/json-value.js';
import { KregError, UsageError } from '../../errors.js';
import { keyForEntry, reservedKeyPath, resolveResource, resolveResourceCandidates, type ResourceEntry, type ResourceRegistry } from '../../keys/index.js';
import { everyEntry } from '../../stored-objects.js';
import type { Entry, EntrySource } from '../../sources/source.js';
import { createObjectWriter, GET_FORMATS, itemRenderer, type GetFormat, type ObjectWriter } from '../object-writers.js';
import { entryToPrinted } from '../render-entry.js';
import { RenderPool } from '../render-pool.js';
import type { RenderWorkerSetup } from '../render-worker.js';
import { startProgress } from '../progress.js';
import type { CliIo, CommandContext } from '../io.js';
import { withStore, type Store } from '../open-store.js';
import { ENCRYPTION_CONFIG_OPTION, withNamespaceOptions, withOutputOption, withSourceOptions, type EncryptionArgs, type NamespaceArgs, type SourceArgs } from '../options.js';

interface GetArgs extends SourceArgs, NamespaceArgs, EncryptionArgs {
  resource: string | undefined;
  names: string[];
  output: GetFormat | undefined;
  'show-etcd': boolean;
  'show-secrets': boolean;
  workers: number | undefined;
}

/** What one `get` reads: a resource listing (perhaps in one namespace), named objects, or one raw key. */
type Target =
  | { kind: 'key'; key: string }
  | { kind: 'keys'; prefix: string }
  | { kind: 'names'; resource: ResourceEntry; namespace: string | undefined; names: string[] }
  | { kind: 'list'; resource: ResourceEntry; namespace: string | undefined }
  | { kind: 'everything' };

export const getCommand = (ctx: CommandContext): CommandModule<object, GetArgs> => ({
  command: 'get [resource] [names..]',
  describe: 'Read objects from etcd, decoded as the API would return them',
  builder: (y) =>
    withSourceOptions(
      withOutputOption(
        withNamespaceOptions(
          y
            .positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, deploy, deployments.apps, widgets.example.com, a,b), or an etcd key starting with /' })
            .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'object names' }),
          { allNamespaces: 'every namespace; with no resource, every key under the prefix' },
        ),
        GET_FORMATS,
        { describe: 'output format (default: a table)' },
      )
        .option('show-etcd', { type: 'boolean', default: false, describe: 'add an etcd: section (key, revisions, version, lease and TTL, size, encoding)' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of ***' })
        .option('workers', { type: 'number', describe: 'worker threads decoding listings (default: cores minus 2; 0 decodes on the main thread)' })
        .option('encryption-config', ENCRYPTION_CONFIG_OPTION)
        .example('$0 get pods -n kube-system', 'kubectl get pods -n kube-system, straight from etcd')
        .example('$0 get deploy web -n shop -o yaml --show-etcd', 'one object with its etcd revisions')
        .example('$0 get /registry/services/specs/default/kubernetes', 'etcdctl get KEY | kreg decode, with resourceVersion filled in')
        .example('$0 get -A -o ndjson', 'every object in the registry, one JSON object per line'),
    ),
  handler: (args) =>
    withStore(ctx, args, async (store) => {
      const { source, prefix, revision, learned } = store;
      const format: GetFormat = args.output ?? 'table';
      const targets = resolveTargets(args, learned.registry, prefix);
      const single = targets.length === 1 && (targets[0]?.kind === 'key' || (targets[0]?.kind === 'names' && targets[0].names.length === 1));
      const writer = createObjectWriter(format, {
        single,
        revision,
        showNamespace: args['all-namespaces'],
        showKind: targets.length > 1 || targets[0]?.kind === 'everything' || targets[0]?.kind === 'key' || targets[0]?.kind === 'keys',
        out: (t) => ctx.io.stdout.write(t),
        err: (t) => ctx.io.stderr.write(t),
      });
      // Worker threads pay off for listings in a streaming format; --show-etcd needs the source for lease TTLs.
      const workers = args.workers ?? RenderPool.defaultSize();
      const parallel = workers > 0 && !single && !args['show-etcd'] && itemRenderer(format, single) !== undefined && targets.some((t) => t.kind === 'list' || t.kind === 'everything');
      const workerSetup: RenderWorkerSetup | undefined = parallel ? { format, single, prefix, showSecrets: args['show-secrets'], ...learned.definitions, ...store.workerDecryption } : undefined;
      const printer = new EntryPrinter(ctx.io, writer, learned.registry, prefix, args, source, workerSetup, store.decryptor);
      try {
        for (const target of targets) await readTarget(store, target, printer);
      } finally {
        await printer.close();
      }
      writer.end();
      if (printer.failures > 0) {
        ctx.io.stderr.write(`kreg: ${printer.failures} value(s) could not be shown (see above)\n`);
        ctx.exitCode = 1;
      }
    }),
});

function resolveTargets(args: GetArgs, registry: ResourceRegistry, prefix: string): Target[] {
  const { resource } = args;
  if (resource === undefined) {
    if (!args['all-namespaces']) throw new UsageError('no-resource', 'name a resource (kreg get pods), a key (kreg get /registry/...), or use -A for everything');
    return [{ kind: 'everything' }];
  }
  if (resource.startsWith('/')) return [resource, ...args.names].map((key) => ({ kind: 'key', key }));
  if (args['all-namespaces'] && args.names.length > 0) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
  return resource.split(',').flatMap((r): Target[] => {
    const reserved = reservedTargets(r, args.names, prefix, registry);
    if (reserved !== undefined) return reserved;
    const entry = resolveResource(r, { registry });
    const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
    return [args.names.length > 0 ? { kind: 'names', resource: entry, namespace, names: args.names } : { kind: 'list', resource: entry, namespace }];
  });
}

/** Reserved keys named as `kreg ls` shows them (masterleases, ranges/serviceips), when no resource has the name. */
function reservedTargets(name: string, names: string[], prefix: string, registry: ResourceRegistry): Target[] | undefined {
  if (resolveResourceCandidates(name, { registry }).length > 0) return undefined;
  const reserved = reservedKeyPath(name);
  if (reserved === undefined) return undefined;
  const at = `${prefix}/${reserved.path}`;
  if (!reserved.directory) {
    if (names.length > 0) throw new UsageError('no-names', `${name} is one key (${at}): it takes no names`);
    return [{ kind: 'key', key: at }];
  }
  return names.length > 0 ? names.map((n) => ({ kind: 'key', key: `${at}${n}` })) : [{ kind: 'keys', prefix: at }];
}

async function readTarget(store: Store, target: Target, printer: EntryPrinter): Promise<void> {
  const { source, revision, prefix, registry, denied } = store;
  switch (target.kind) {
    case 'key': {
      const entry = await source.get(target.key, { revision });
      if (entry === undefined) throw new KregError('not-found', 'no such key', { key: target.key });
      await printer.print(entry);
      return;
    }
    case 'names':
      for (const name of target.names) {
        const key = keyForEntry(target.resource, target.namespace === undefined ? { name } : { namespace: target.namespace, name }, prefix);
        const entry = await source.get(key, { revision });
        if (entry === undefined) {
          throw new KregError('not-found', `${target.resource.resource}${target.resource.group === '' ? '' : `.${target.resource.group}`} "${name}" not found`, { key });
        }
        await printer.print(entry);
      }
      return;
    case 'keys':
      await printer.printAll(source.range({ prefix: target.prefix, revision }), target.prefix);
      return;
    case 'list': {
      const listing = keyForEntry(target.resource, target.namespace === undefined ? {} : { namespace: target.namespace }, prefix);
      await printer.printAll(source.range({ prefix: listing, revision }), listing);
      return;
    }
    case 'everything':
      await printer.printAll(everyEntry(source, prefix, revision, registry, denied), `${prefix}/`);
      return;
  }
}

/**
 * Decodes entries and hands them to the writer; a value that cannot be shown becomes a note.
 * Listings in a streaming format are decoded and rendered on worker threads, in order.
 */
class EntryPrinter {
  failures = 0;
  private readonly leaseTtls = new Map<string, Promise<number | undefined>>();
  private pool: RenderPool | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly writer: ObjectWriter,
    private readonly registry: ResourceRegistry,
    private readonly prefix: string,
    private readonly args: GetArgs,
    private readonly source: EntrySource,
    private readonly workerSetup: RenderWorkerSetup | undefined,
    private readonly decryptor?: ValueDecryptor,
  ) {}

  async printAll(entries: AsyncIterable<Entry>, what: string): Promise<void> {
    const progress = await startProgress(this.io, `reading ${what}`);
    if (this.workerSetup !== undefined) {
      this.pool ??= new RenderPool(this.workerSetup, this.args.workers ?? RenderPool.defaultSize(), (result) => {
        if (result.text !== undefined) this.writer.writeRendered(result.text);
        else this.noteFailure(result.note);
      });
    }
    let n = 0;
    try {
      for await (const entry of entries) {
        if (this.pool !== undefined) await this.pool.add(entry);
        else await this.print(entry);
        if (++n % 1000 === 0) progress.update(`reading ${what}: ${n.toLocaleString('en-US')} keys`);
      }
      await this.pool?.finish();
    } finally {
      progress.stop();
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private noteFailure(note: string): void {
    this.failures++;
    this.writer.note(note);
  }

  async print(entry: Entry): Promise<void> {
    const rendered = entryToPrinted(entry, this.registry, this.prefix, this.args['show-secrets'], this.decryptor);
    if (rendered.item === undefined) {
      this.noteFailure(rendered.note);
      return;
    }
    const { item } = rendered;
    if (this.args['show-etcd']) item.object.etcd = await this.etcdFacts(entry, item.wide.encoding);
    this.writer.write(item);
  }

  private async etcdFacts(entry: Entry, encoding: string): Promise<JsonObject> {
    const facts: JsonObject = {
      key: entry.key,
      createRevision: entry.createRevision,
      modRevision: entry.modRevision,
      version: entry.version,
      lease: entry.lease,
      valueSize: entry.valueSize,
      encoding,
    };
    if (entry.lease !== '0' && this.source.leaseTimeToLive !== undefined) {
      let ttl = this.leaseTtls.get(entry.lease);
      if (ttl === undefined) {
        ttl = this.source.leaseTimeToLive(entry.lease);
        this.leaseTtls.set(entry.lease, ttl);
      }
      const seconds = await ttl;
      facts.leaseTTLSeconds = seconds ?? null;
    }
    return facts;
  }
}
