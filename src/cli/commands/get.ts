import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { KregError, UsageError } from '../../errors.js';
import { keyForEntry, resolveResource, type ResourceEntry, type ResourceRegistry } from '../../keys/index.js';
import { decodeEntry, learnRegistry, maskSecret, topLevelPrefixes, type StoredObject } from '../../stored-objects.js';
import type { Entry, EntrySource } from '../../sources/source.js';
import { createObjectWriter, GET_FORMATS, type GetFormat, type ObjectWriter } from '../object-writers.js';
import { startProgress } from '../progress.js';
import { etcdPrefix, openSource, withSourceOptions, type SourceArgs } from '../source-options.js';

interface GetArgs extends SourceArgs {
  resource: string | undefined;
  names: string[];
  namespace: string | undefined;
  'all-namespaces': boolean;
  output: GetFormat | undefined;
  'show-etcd': boolean;
  'show-secrets': boolean;
}

/** What one `get` reads: a resource listing (perhaps in one namespace), named objects, or one raw key. */
type Target = { kind: 'key'; key: string } | { kind: 'names'; resource: ResourceEntry; namespace: string | undefined; names: string[] } | { kind: 'list'; resource: ResourceEntry; namespace: string | undefined } | { kind: 'everything' };

export const getCommand: CommandModule<object, GetArgs> = {
  command: 'get [resource] [names..]',
  describe: 'Read objects from etcd, decoded as the API would return them',
  builder: (y) =>
    withSourceOptions(
      y
        .positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, deploy, deployments.apps, widgets.example.com, a,b), or an etcd key starting with /' })
        .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'object names' })
        .option('namespace', { alias: 'n', type: 'string', describe: 'namespace (default: default)' })
        .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'every namespace; with no resource, every key under the prefix' })
        .option('output', { alias: 'o', choices: GET_FORMATS, describe: 'output format (default: a table)' })
        .option('show-etcd', { type: 'boolean', default: false, describe: 'add an etcd: section (key, revisions, version, lease and TTL, size, encoding)' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of ***' })
        .example('$0 get pods -n kube-system', 'kubectl get pods -n kube-system, straight from etcd')
        .example('$0 get deploy web -n shop -o yaml --show-etcd', 'one object with its etcd revisions')
        .example('$0 get /registry/services/specs/default/kubernetes', 'etcdctl get KEY | kreg decode, with resourceVersion filled in')
        .example('$0 get -A -o ndjson', 'every object in the registry, one JSON object per line'),
    ),
  handler: async (args) => {
    const prefix = etcdPrefix(args);
    const format: GetFormat = args.output ?? 'table';
    const source = await openSource(args);
    try {
      const revision = args.revision ?? (await source.currentRevision());
      const learned = await learnRegistry(source, prefix, revision);
      for (const bad of learned.undecodable) process.stderr.write(`kreg: ${bad.key}: cannot learn from this definition: ${bad.reason}\n`);
      const targets = resolveTargets(args, learned.registry);
      const single = targets.length === 1 && (targets[0]?.kind === 'key' || (targets[0]?.kind === 'names' && targets[0].names.length === 1));
      const writer = createObjectWriter(format, {
        single,
        revision,
        showNamespace: args['all-namespaces'],
        showKind: targets.length > 1 || targets[0]?.kind === 'everything' || targets[0]?.kind === 'key',
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
      const printer = new EntryPrinter(writer, learned.registry, prefix, args, source);
      for (const target of targets) await readTarget(source, target, revision, prefix, printer);
      writer.end();
      if (printer.failures > 0) {
        process.stderr.write(`kreg: ${printer.failures} value(s) could not be shown (see above)\n`);
        process.exitCode = 1;
      }
    } finally {
      await source.close();
    }
  },
};

function resolveTargets(args: GetArgs, registry: ResourceRegistry): Target[] {
  const { resource } = args;
  if (resource === undefined) {
    if (!args['all-namespaces']) throw new UsageError('no-resource', 'name a resource (kreg get pods), a key (kreg get /registry/...), or use -A for everything');
    return [{ kind: 'everything' }];
  }
  if (resource.startsWith('/')) return [resource, ...args.names].map((key) => ({ kind: 'key', key }));
  if (args['all-namespaces'] && args.names.length > 0) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
  return resource.split(',').map((r): Target => {
    const entry = resolveResource(r, { registry });
    const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
    return args.names.length > 0 ? { kind: 'names', resource: entry, namespace, names: args.names } : { kind: 'list', resource: entry, namespace };
  });
}

async function readTarget(source: EntrySource, target: Target, revision: number, prefix: string, printer: EntryPrinter): Promise<void> {
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
    case 'list': {
      const listing = keyForEntry(target.resource, target.namespace === undefined ? {} : { namespace: target.namespace }, prefix);
      await printer.printAll(source.range({ prefix: listing, revision }), listing);
      return;
    }
    case 'everything':
      for await (const dir of topLevelPrefixes(source, prefix, revision)) {
        if (dir.endsWith('/')) await printer.printAll(source.range({ prefix: dir, revision }), dir);
        else {
          const entry = await source.get(dir, { revision });
          if (entry !== undefined) await printer.print(entry);
        }
      }
      return;
  }
}

/** Decodes entries and hands them to the writer; a value that cannot be shown becomes a note. */
class EntryPrinter {
  failures = 0;
  private readonly leaseTtls = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly writer: ObjectWriter,
    private readonly registry: ResourceRegistry,
    private readonly prefix: string,
    private readonly args: GetArgs,
    private readonly source: EntrySource,
  ) {}

  async printAll(entries: AsyncIterable<Entry>, what: string): Promise<void> {
    const progress = await startProgress(`reading ${what}`);
    let n = 0;
    try {
      for await (const entry of entries) {
        await this.print(entry);
        if (++n % 1000 === 0) progress.update(`reading ${what}: ${n.toLocaleString('en-US')} keys`);
      }
    } finally {
      progress.stop();
    }
  }

  async print(entry: Entry): Promise<void> {
    let stored: StoredObject;
    try {
      stored = decodeEntry(entry, this.registry, this.prefix);
    } catch (err) {
      this.failures++;
      this.writer.note(err instanceof KregError ? err.describe() : `${entry.key}: ${String(err)}`);
      return;
    }
    const { decoded } = stored;
    if (stored.object === undefined) {
      this.failures++;
      const why =
        decoded.format === 'encrypted'
          ? `encrypted at rest (${decoded.encryption?.provider ?? 'unknown provider'}, key "${decoded.encryption?.keyName ?? '?'}"); kreg cannot decrypt it`
          : `not a Kubernetes object (${decoded.size} bytes, starts ${decoded.hexPreview ?? ''})`;
      this.writer.note(`${entry.key}: ${why}`);
      return;
    }
    let object = stored.object;
    if (!this.args['show-secrets']) object = maskSecret(object);
    if (this.args['show-etcd']) object.etcd = await this.etcdFacts(entry, decoded.format);
    const parsed = stored.parsed;
    const resourceName = parsed?.type === 'object' ? `${parsed.entry.singular}${parsed.group === '' ? '' : `.${parsed.group}`}` : String(object.kind ?? 'object').toLowerCase();
    const name = (object.metadata as JsonObject | undefined)?.name;
    this.writer.write({
      object,
      qualifiedName: `${resourceName}/${typeof name === 'string' ? name : entry.key}`,
      kind: String(object.kind ?? ''),
      wide: { size: entry.valueSize, encoding: decoded.format, revision: entry.modRevision, key: entry.key },
    });
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
