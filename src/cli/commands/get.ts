import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { KregError, UsageError } from '../../errors.js';
import { keyForEntry, reservedKeyPath, resolveResource, resolveResourceCandidates, type ResourceEntry, type ResourceRegistry } from '../../keys/index.js';
import { everyEntry } from '../../stored-objects.js';
import type { Entry, EntrySource } from '../../sources/source.js';
import {
  type FieldRequirement,
  type LabelRequirement,
  labelsOf,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  selectableFields,
} from '../../format/selectors.js';
import { createObjectWriter, GET_FORMATS, itemRenderer, type GetFormat, type ObjectWriter } from '../object-writers.js';
import { entryToPrinted } from '../render-entry.js';
import { RenderPool } from '../render-pool.js';
import type { RenderWorkerSetup } from '../render-worker.js';
import { startProgress } from '../progress.js';
import type { CliIo, CommandContext } from '../io.js';
import { withStore, type Store } from '../open-store.js';
import { withNamespaceOptions, withOutputOption, withSourceOptions, type NamespaceArgs, type SourceArgs } from '../options.js';
import { COMMANDS } from '../command-index.js';

interface GetArgs extends SourceArgs, NamespaceArgs {
  resource: string | undefined;
  names: string[];
  output: GetFormat | undefined;
  'show-etcd': boolean;
  'show-secrets': boolean;
  workers: number | undefined;
  selector: string | undefined;
  'field-selector': string | undefined;
  'show-labels': boolean;
  /** -L, repeated or comma-separated: kept joined by commas (repeated flags keep their last value otherwise). */
  'label-columns': string | undefined;
  'show-kind': boolean;
  /** False with --no-headers. */
  headers: boolean;
}

/** What -l and --field-selector ask for, parsed before anything is read. */
interface Selection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** What one `get` reads: a resource listing (perhaps in one namespace), named objects, or one raw key. */
type Target =
  | { kind: 'key'; key: string }
  | { kind: 'keys'; prefix: string }
  | { kind: 'names'; resource: ResourceEntry; namespace: string | undefined; names: string[] }
  | { kind: 'list'; resource: ResourceEntry; namespace: string | undefined }
  | { kind: 'everything' };

export const getCommand = (ctx: CommandContext): CommandModule<object, GetArgs> => ({
  command: COMMANDS.get.usage,
  describe: COMMANDS.get.describe,
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
        .option('show-etcd', {
          type: 'boolean',
          default: false,
          describe: 'tables: add SIZE, ENCODING, REVISION and KEY columns; other formats: an etcd: section (key, revisions, version, lease and TTL, size, encoding)',
        })
        .option('selector', { alias: 'l', type: 'string', requiresArg: true, describe: "label selector, as kubectl's: app=web, tier!=db, env in (a,b), env notin (c), key, !key (comma: and)" })
        .option('field-selector', { type: 'string', requiresArg: true, describe: 'field selector: metadata.name=x, status.phase!=Running, spec.nodeName=n1 (=, ==, !=; comma: and)' })
        .option('show-labels', { type: 'boolean', default: false, describe: 'tables: a LABELS column last' })
        .option('label-columns', {
          alias: 'L',
          type: 'string',
          // A list taking one value per -L, so `-L app pods` leaves pods a positional.
          array: true,
          nargs: 1,
          coerce: (v: unknown) => [v].flat().map(String).join(','),
          describe: 'tables: a column for each of these label keys (comma-separated, or repeat -L)',
        })
        .option('show-kind', { type: 'boolean', default: false, describe: 'tables: names as kind/name, even for one kind' })
        // yargs reads --no-headers as "headers: false": declared both ways, --no-headers shows in the help.
        .option('headers', { type: 'boolean', default: true, hidden: true })
        .option('no-headers', { type: 'boolean', describe: 'tables: no header line' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of ***' })
        .option('workers', { type: 'number', describe: 'worker threads decoding listings (default: cores minus 2; 0 decodes on the main thread)' })
        .example('$0 get pods -n kube-system', 'kubectl get pods -n kube-system, straight from etcd')
        .example('$0 get deploy web -n shop -o yaml --show-etcd', 'one object with its etcd revisions')
        .example('$0 get pods -A -l app=web --field-selector status.phase!=Running', "kubectl's selectors")
        .example('$0 get deploy/web pod/web-1 -n shop', 'TYPE/NAME, as -o name prints them')
        .example('$0 get /registry/services/specs/default/kubernetes', 'etcdctl get KEY | kreg decode, with resourceVersion filled in')
        .example('$0 get -A -o ndjson', 'every object in the registry, one JSON object per line'),
    ),
  handler: (args) => {
    const selection = parseSelection(args);
    return withStore(ctx, args, async (store) => {
      const { source, prefix, revision, learned } = store;
      const format: GetFormat = args.output ?? 'table';
      const targets = resolveTargets(args, learned.registry, prefix);
      checkFieldSelector(selection.fields, targets, learned.definitions.customResourceDefinitions);
      if (selection.labels.length > 0 && targets.some((t) => t.kind === 'names' || t.kind === 'key')) {
        throw new UsageError('name-with-selector', 'a name cannot be given with a label selector (-l): list the resource and select, or name the objects');
      }
      const single = targets.length === 1 && (targets[0]?.kind === 'key' || (targets[0]?.kind === 'names' && targets[0].names.length === 1));
      const table = format === 'table' || format === 'wide';
      const labelColumns = (args['label-columns'] ?? '').split(',').filter((l) => l !== '');
      const writer = createObjectWriter(format, {
        single,
        revision,
        showNamespace: args['all-namespaces'],
        showKind: args['show-kind'] || new Set(targets.map(targetType)).size > 1 || targets.some((t) => t.kind === 'everything' || t.kind === 'key' || t.kind === 'keys'),
        showEtcd: args['show-etcd'],
        noHeaders: !args.headers,
        showLabels: args['show-labels'],
        labelColumns,
        customResourceDefinitions: learned.definitions.customResourceDefinitions,
        emptyMessage: emptyMessage(targets),
        out: (t) => ctx.io.stdout.write(t),
        err: (t) => ctx.io.stderr.write(t),
      });
      // Worker threads pay off for listings in a streaming format; --show-etcd needs the source for
      // lease TTLs, and selectors look at each decoded object here.
      const workers = args.workers ?? RenderPool.defaultSize();
      const selecting = selection.labels.length > 0 || selection.fields.length > 0;
      const parallel = workers > 0 && !single && !args['show-etcd'] && !selecting && itemRenderer(format, single) !== undefined && targets.some((t) => t.kind === 'list' || t.kind === 'everything');
      const workerSetup: RenderWorkerSetup | undefined = parallel ? { format, single, prefix, showSecrets: args['show-secrets'], ...learned.definitions } : undefined;
      const printer = new EntryPrinter(ctx.io, writer, learned.registry, prefix, args, source, workerSetup, selection, !table);
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
    });
  },
});

/** -l and --field-selector parsed, or one line saying what is wrong with them. */
function parseSelection(args: GetArgs): Selection {
  const parse = <T>(what: string, text: string | undefined, parser: (text: string) => T[]): T[] => {
    try {
      return parser(text ?? '');
    } catch (err) {
      if (err instanceof SelectorError) throw new UsageError('bad-selector', `bad ${what} "${text ?? ''}": ${err.message}`);
      throw err;
    }
  };
  return { labels: parse('label selector', args.selector, parseLabelSelector), fields: parse('field selector', args['field-selector'], parseFieldSelector) };
}

/** "group/Kind" of a target's resource, for the fields it can be selected by. */
function groupKind(entry: ResourceEntry): string {
  return `${entry.group}/${entry.kind}`;
}

/** The CRD's selectableFields for its storage version (custom resources). */
function crdSelectableFields(entry: ResourceEntry, crds: readonly JsonObject[]): string[] {
  const crd = crds.find((c) => {
    const spec = c.spec as JsonObject | undefined;
    return spec?.group === entry.group && (spec.names as JsonObject | undefined)?.plural === entry.resource;
  });
  const versions = ((crd?.spec as JsonObject | undefined)?.versions ?? []) as JsonObject[];
  const version = versions.find((v) => v.storage === true) ?? versions[0];
  const fields = (version?.selectableFields ?? []) as JsonObject[];
  return fields.map((f) => String(f.jsonPath ?? '').replace(/^\./, ''));
}

/** A field a kind cannot be selected by is an error before anything is read, as the API makes it. */
function checkFieldSelector(fields: readonly FieldRequirement[], targets: readonly Target[], crds: readonly JsonObject[]): void {
  for (const { field } of fields) {
    for (const target of targets) {
      const allowed = target.kind === 'list' || target.kind === 'names' ? selectableFields(groupKind(target.resource), crdSelectableFields(target.resource, crds)) : selectableFields('');
      if (!allowed.includes(field)) {
        const what = target.kind === 'list' || target.kind === 'names' ? `"${target.resource.resource}"` : 'every kind';
        throw new UsageError('bad-selector', `field label not supported for ${what}: ${field} (supported: ${allowed.join(', ')})`);
      }
    }
  }
}

function targetType(target: Target): string {
  return target.kind === 'list' || target.kind === 'names' ? `${target.resource.resource}.${target.resource.group}` : target.kind;
}

/** kubectl's words for an empty table: the namespace when every target is listed in one. */
function emptyMessage(targets: readonly Target[]): string {
  const namespaces = new Set(targets.map((t) => (t.kind === 'list' || t.kind === 'names' ? t.namespace : undefined)));
  const [only] = namespaces;
  return namespaces.size === 1 && only !== undefined ? `No resources found in ${only} namespace.` : 'No resources found';
}

function resolveTargets(args: GetArgs, registry: ResourceRegistry, prefix: string): Target[] {
  const { resource } = args;
  if (resource === undefined) {
    if (!args['all-namespaces']) throw new UsageError('no-resource', 'name a resource (kreg get pods), a key (kreg get /registry/...), or use -A for everything');
    return [{ kind: 'everything' }];
  }
  if (resource.startsWith('/')) return [resource, ...args.names].map((key) => ({ kind: 'key', key }));
  const typed = [resource, ...args.names].filter((a) => a.includes('/') && reservedTargets(a, [], prefix, registry) === undefined);
  if (typed.length > 0) return typeNameTargets(args, registry, prefix);
  if (args['all-namespaces'] && args.names.length > 0) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
  return resource.split(',').flatMap((r): Target[] => {
    const reserved = reservedTargets(r, args.names, prefix, registry);
    if (reserved !== undefined) return reserved;
    const entry = resolveResource(r, { registry });
    const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
    return [args.names.length > 0 ? { kind: 'names', resource: entry, namespace, names: args.names } : { kind: 'list', resource: entry, namespace }];
  });
}

/**
 * TYPE/NAME arguments (deploy/web pod/x, or -o name's deployment.apps/web): each one object.
 * As in kubectl, every argument then has that form.
 */
function typeNameTargets(args: GetArgs, registry: ResourceRegistry, prefix: string): Target[] {
  const all = [args.resource as string, ...args.names];
  if (args['all-namespaces']) throw new UsageError('names-with-all-namespaces', 'TYPE/NAME cannot be given with -A: name the namespace with -n');
  return all.flatMap((arg): Target[] => {
    const reserved = reservedTargets(arg, [], prefix, registry);
    if (reserved !== undefined) return reserved;
    const slash = arg.indexOf('/');
    if (slash < 0) {
      throw new UsageError('mixed-type-name', `"${arg}" has no TYPE/: when one argument is TYPE/NAME, all must be (kreg get deploy/web pod/x, not kreg get deploy web pod/x)`);
    }
    const type = arg.slice(0, slash);
    const name = arg.slice(slash + 1);
    if (type === '' || name === '' || name.includes('/')) throw new UsageError('bad-type-name', `"${arg}" is not TYPE/NAME`);
    const entry = resolveResource(type, { registry });
    const namespace = entry.namespaced ? (args.namespace ?? 'default') : undefined;
    return [{ kind: 'names', resource: entry, namespace, names: [name] }];
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
    private readonly selection: Selection,
    /** The yaml: etcd section of --show-etcd; tables show the facts as columns instead. */
    private readonly etcdSection: boolean,
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
    const rendered = entryToPrinted(entry, this.registry, this.prefix, this.args['show-secrets']);
    if (rendered.item === undefined) {
      this.noteFailure(rendered.note);
      return;
    }
    const { item } = rendered;
    if (!matchesLabels(this.selection.labels, labelsOf(item.object)) || !matchesFields(this.selection.fields, item.object)) return;
    if (this.args['show-etcd'] && this.etcdSection) item.object.etcd = await this.etcdFacts(entry, item.wide.encoding);
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
