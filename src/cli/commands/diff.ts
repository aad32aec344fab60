/**
 * kreg diff: what etcd stores against the live API, a backup, or a directory of manifests.
 *
 * Both sides are read into objects keyed by (group, resource, namespace, name), normalised
 * (resourceVersion only where both sides have one, no managedFields, Secret data masked the way
 * kubectl diff masks it, --ignore paths dropped), and compared as kubectl-style YAML. Differences
 * are shown the way kubectl diff shows them: the two versions written into two temp dirs, files
 * named <group.>version.Kind.namespace.name, and `diff -u -N FROM TO` (or $KUBECTL_EXTERNAL_DIFF)
 * run over the dirs. Exit codes are kubectl diff's: 0 no differences, 1 differences, 2 an error.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { GoFloat, type JsonObject, type JsonValue } from '../../codec/json-value.js';
import { KregError, UsageError } from '../../errors.js';
import { builtinRegistry, groupResourceId, keyForEntry, resolveResource, type ResourceEntry, type ResourceRegistry } from '../../keys/index.js';
import { decodeEntry, learnRegistry, topLevelPrefixes } from '../../stored-objects.js';
import type { ApiSource, ApiSourceOptions } from '../../sources/api-source.js';
import type { ManifestObject, ManifestSource } from '../../sources/manifest-source.js';
import type { Entry, EntrySource } from '../../sources/source.js';
import type { CliIo, CommandContext } from '../io.js';
import { openSource, withSourceOptions, type SourceArgs } from '../options.js';
import { formatYaml } from '../output.js';

interface DiffArgs extends SourceArgs {
  resource: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  'all-namespaces': boolean;
  from: string;
  to: string;
  kubeconfig: string | undefined;
  context: string | undefined;
  'show-managed-fields': boolean;
  'show-secrets': boolean;
  ignore: string[];
  summary: boolean;
}

/** An error of kreg diff: exit code 2, as kubectl diff uses for errors. */
export class DiffError extends KregError {
  override name = 'DiffError';
  readonly exitCode = 2;
}

type SideLabel = 'from' | 'to';

interface Found {
  entry: ResourceEntry;
  namespace: string | undefined;
  name: string;
  object: JsonObject;
}

/** One side of a diff: a source that can read one object, one resource, and (except the API) everything. */
interface Side {
  readonly label: SideLabel;
  readonly spec: string;
  readonly description: string;
  /** For resolving resource arguments: learned from etcd or a snapshot (with their CRDs). */
  readonly registry?: ResourceRegistry;
  get(entry: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined>;
  /** Every object of a resource; undefined when the side cannot serve the resource (the API does not). */
  list(entry: ResourceEntry, namespace: string | undefined): Promise<Found[] | undefined>;
  /** Every object the side holds, or undefined when it cannot enumerate (the API: list each resource). */
  everything(): Promise<Found[] | undefined>;
  /** Values that could not be read, as lines naming the key and side. */
  readonly problems: string[];
  close(): Promise<void>;
}

export const diffCommand = (ctx: CommandContext): CommandModule<object, DiffArgs> => ({
  command: 'diff [resource] [name]',
  describe: 'Compare what etcd stores with the live API, a snapshot, or a directory of manifests (exit 0 same, 1 differences, 2 error)',
  builder: (y) =>
    withSourceOptions(
      y
        .positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, deploy, widgets.example.com, a,b); all resources with -A or -n' })
        .positional('name', { type: 'string', describe: 'one object: print its unified diff' })
        .option('namespace', { alias: 'n', type: 'string', describe: 'namespace (default: default)' })
        .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'every namespace' })
        .option('from', { type: 'string', default: 'etcd', describe: 'etcd (the etcd flags, or --snapshot/--data-dir), api, snapshot:FILE or dir:PATH' })
        .option('to', { type: 'string', default: 'api', describe: 'etcd, api, snapshot:FILE or dir:PATH' })
        .option('kubeconfig', { type: 'string', describe: 'kubeconfig for the api side [env KUBECONFIG] (default ~/.kube/config)' })
        .option('context', { type: 'string', describe: 'kubeconfig context for the api side' })
        .option('show-managed-fields', { type: 'boolean', default: false, describe: 'compare metadata.managedFields too' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of *** (as kubectl diff masks it)' })
        .option('ignore', { type: 'string', array: true, default: [] as string[], describe: 'a dotted path to leave out, e.g. status or metadata.generation (repeatable)' })
        .option('summary', { type: 'boolean', default: false, describe: 'print only the per-resource summary' })
        .example('$0 diff -A', 'everything in etcd against what the API serves')
        .example('$0 diff deploy web -n shop --from etcd --to dir:manifests/', 'the stored Deployment against the manifest in git')
        .example('$0 diff -A --from snapshot:backup.db --to etcd --summary', 'what a restore would bring back, change or lose'),
    ),
  handler: async (args) => {
    const sides: Side[] = [];
    try {
      sides.push(await openSide(ctx.io, 'from', args.from, args));
      sides.push(await openSide(ctx.io, 'to', args.to, args));
      const [from, to] = sides as [Side, Side];
      ctx.exitCode = await runDiff(ctx.io, args, from, to);
    } catch (err) {
      if (err instanceof DiffError) throw err;
      if (err instanceof KregError) throw new DiffError(err.code, err.message, err.subject, { cause: err });
      throw new DiffError('diff-failed', err instanceof Error ? err.message : String(err), {}, { cause: err });
    } finally {
      for (const side of sides) await side.close().catch(() => undefined);
    }
  },
});

/** Runs `fn` for one side; errors are re-thrown naming the side. */
async function onSide<T>(side: { label: SideLabel; spec: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const subject = err instanceof KregError ? err.subject : {};
    throw new DiffError(err instanceof KregError ? err.code : 'diff-failed', `${side.label} side (${side.spec}): ${message}`, subject, { cause: err });
  }
}

async function openSide(io: CliIo, label: SideLabel, spec: string, args: DiffArgs): Promise<Side> {
  return onSide({ label, spec }, async () => {
    if (spec === 'etcd') return EtcdSide.open(label, spec, await openSource(args, io), args);
    if (spec.startsWith('snapshot:')) {
      const { SnapshotSource } = await import('../../sources/snapshot/snapshot-source.js');
      const source = await SnapshotSource.open(spec.slice('snapshot:'.length), { skipHashCheck: args['skip-hash-check'], bestEffort: args['best-effort'] });
      return EtcdSide.open(label, spec, source, { ...args, revision: undefined });
    }
    if (spec === 'api') {
      const { ApiSource } = await import('../../sources/api-source.js');
      const options: ApiSourceOptions = { env: io.env, warn: (line) => io.stderr.write(`${line}\n`) };
      if (args.kubeconfig !== undefined) options.kubeconfig = args.kubeconfig;
      if (args.context !== undefined) options.context = args.context;
      return new ApiSide(label, spec, ApiSource.open(options));
    }
    if (spec.startsWith('dir:')) {
      const { ManifestSource } = await import('../../sources/manifest-source.js');
      return new DirSide(label, spec, ManifestSource.open(spec.slice('dir:'.length)));
    }
    throw new UsageError('bad-side', `unknown source "${spec}": use etcd, api, snapshot:FILE or dir:PATH`);
  });
}

function canonicalEntry(entry: ResourceEntry, registry: ResourceRegistry): ResourceEntry {
  if (entry.storedAs === undefined) return entry;
  return registry.byGroupResource.get(groupResourceId(entry.storedAs.group, entry.storedAs.resource)) ?? entry;
}

function resourceName(entry: ResourceEntry): string {
  return entry.group === '' ? entry.resource : `${entry.resource}.${entry.group}`;
}

function identity(entry: ResourceEntry, namespace: string | undefined, name: string): string {
  return `${entry.group}\u0000${entry.resource}\u0000${namespace ?? ''}\u0000${name}`;
}

class EtcdSide implements Side {
  readonly problems: string[] = [];
  private constructor(
    readonly label: SideLabel,
    readonly spec: string,
    private readonly source: EntrySource,
    private readonly prefix: string,
    private readonly revision: number,
    readonly registry: ResourceRegistry,
  ) {}

  get description(): string {
    return `${this.source.description} (revision ${this.revision})`;
  }

  static async open(label: SideLabel, spec: string, source: EntrySource, args: DiffArgs): Promise<EtcdSide> {
    try {
      const prefix = args['etcd-prefix'];
      const revision = args.revision ?? (await source.currentRevision());
      const learned = await learnRegistry(source, prefix, revision);
      return new EtcdSide(label, spec, source, prefix, revision, learned.registry);
    } catch (err) {
      await source.close().catch(() => undefined);
      throw err;
    }
  }

  private decode(entry: Entry): Found | undefined {
    try {
      const stored = decodeEntry(entry, this.registry, this.prefix);
      if (stored.parsed?.type !== 'object') return undefined;
      if (stored.object === undefined) {
        this.problems.push(`${this.label} side (${this.spec}): ${entry.key}: value is ${stored.decoded.format ?? 'not decodable'} (encrypted or opaque); not compared`);
        return undefined;
      }
      const parsed = stored.parsed;
      return { entry: canonicalEntry(parsed.entry, this.registry), namespace: parsed.namespace, name: parsed.name, object: stored.object };
    } catch (err) {
      this.problems.push(`${this.label} side (${this.spec}): ${err instanceof KregError ? err.describe() : String(err)}`);
      return undefined;
    }
  }

  async get(entry: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const key = keyForEntry(entry, namespace === undefined ? { name } : { namespace, name }, this.prefix);
    const found = await this.source.get(key, { revision: this.revision });
    if (found === undefined) return undefined;
    const stored = decodeEntry(found, this.registry, this.prefix);
    if (stored.object === undefined) throw new KregError('undecodable', 'the value is encrypted or opaque', { key });
    return stored.object;
  }

  async list(entry: ResourceEntry, namespace: string | undefined): Promise<Found[]> {
    const listing = keyForEntry(entry, namespace === undefined ? {} : { namespace }, this.prefix);
    const out: Found[] = [];
    for await (const e of this.source.range({ prefix: listing, revision: this.revision })) {
      const found = this.decode(e);
      if (found !== undefined) out.push(found);
    }
    return out;
  }

  async everything(): Promise<Found[]> {
    const out: Found[] = [];
    for await (const dir of topLevelPrefixes(this.source, this.prefix, this.revision)) {
      if (!dir.endsWith('/')) continue;
      for await (const e of this.source.range({ prefix: dir, revision: this.revision })) {
        const found = this.decode(e);
        if (found !== undefined) out.push(found);
      }
    }
    return out;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

class ApiSide implements Side {
  readonly problems: string[] = [];
  constructor(
    readonly label: SideLabel,
    readonly spec: string,
    private readonly api: ApiSource,
  ) {}

  get description(): string {
    return this.api.description;
  }

  get(entry: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    return this.api.get(entry, namespace, name);
  }

  async list(entry: ResourceEntry, namespace: string | undefined): Promise<Found[] | undefined> {
    const objects = await this.api.list(entry, namespace);
    return objects?.map((object) => {
      const metadata = (object.metadata ?? {}) as JsonObject;
      return { entry, namespace: entry.namespaced ? String(metadata.namespace ?? '') : undefined, name: String(metadata.name ?? ''), object };
    });
  }

  everything(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class DirSide implements Side {
  readonly problems: string[] = [];
  private objects: ManifestObject[] | undefined;
  private registryUsed: ResourceRegistry | undefined;
  constructor(
    readonly label: SideLabel,
    readonly spec: string,
    private readonly source: ManifestSource,
  ) {}

  get description(): string {
    return this.source.description;
  }

  /** Places the manifests with the registry the diff uses (extended with the directory's CRDs). */
  bind(registry: ResourceRegistry): void {
    this.registryUsed = this.source.extendRegistry(registry);
    this.objects = this.source.objects(this.registryUsed);
  }

  private all(): Found[] {
    if (this.objects === undefined || this.registryUsed === undefined) this.bind(builtinRegistry());
    const registry = this.registryUsed as ResourceRegistry;
    return (this.objects as ManifestObject[]).map((o) => ({ entry: canonicalEntry(o.entry, registry), namespace: o.namespace, name: o.name, object: o.object }));
  }

  get(entry: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const id = identity(entry, namespace, name);
    return Promise.resolve(this.all().find((f) => identity(f.entry, f.namespace, f.name) === id)?.object);
  }

  list(entry: ResourceEntry, namespace: string | undefined): Promise<Found[]> {
    return Promise.resolve(this.all().filter((f) => f.entry.group === entry.group && f.entry.resource === entry.resource && (namespace === undefined || f.namespace === namespace)));
  }

  everything(): Promise<Found[]> {
    return Promise.resolve(this.all());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

function clone(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null || value instanceof GoFloat) return value;
  if (Array.isArray(value)) return value.map(clone);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = clone(v);
  return out;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoFloat);
}

function deletePath(object: JsonObject, path: string): void {
  const parts = path.split('.').filter((p) => p !== '');
  let at: JsonValue | undefined = object;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isObject(at)) return;
    at = at[parts[i] as string];
  }
  if (isObject(at)) delete at[parts[parts.length - 1] as string];
}

const MASK = '***';

/** kubectl diff's masker: equal values become ***, differing ones *** (before) and *** (after). */
function maskSecrets(from: JsonObject | undefined, to: JsonObject | undefined): void {
  const isSecret = (o: JsonObject | undefined): boolean => o !== undefined && o.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);
  if (!isSecret(from) && !isSecret(to)) return;
  for (const field of ['data', 'stringData']) {
    const a = from !== undefined && isObject(from[field]) ? (from[field] as JsonObject) : undefined;
    const b = to !== undefined && isObject(to[field]) ? (to[field] as JsonObject) : undefined;
    const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
    for (const key of keys) {
      const inA = a !== undefined && key in a;
      const inB = b !== undefined && key in b;
      if (inA && inB && a[key] !== b[key]) {
        a[key] = `${MASK} (before)`;
        b[key] = `${MASK} (after)`;
      } else {
        if (inA) a[key] = MASK;
        if (inB) b[key] = MASK;
      }
    }
  }
}

interface Normalised {
  from: JsonObject | undefined;
  to: JsonObject | undefined;
}

export function normalisePair(fromObject: JsonObject | undefined, toObject: JsonObject | undefined, options: { showManagedFields: boolean; showSecrets: boolean; ignore: string[] }): Normalised {
  const from = fromObject === undefined ? undefined : (clone(fromObject) as JsonObject);
  const to = toObject === undefined ? undefined : (clone(toObject) as JsonObject);
  const both = [from, to].filter((o): o is JsonObject => o !== undefined);
  for (const o of both) {
    if (!options.showManagedFields) deletePath(o, 'metadata.managedFields');
    for (const path of options.ignore) deletePath(o, path);
  }
  // resourceVersion is compared only when both sides have one (a manifest has none).
  const rv = (o: JsonObject | undefined): JsonValue | undefined => (o !== undefined && isObject(o.metadata) ? o.metadata.resourceVersion : undefined);
  if (from !== undefined && to !== undefined && (rv(from) === undefined || rv(to) === undefined)) {
    for (const o of both) if (isObject(o.metadata)) delete o.metadata.resourceVersion;
  }
  if (!options.showSecrets) maskSecrets(from, to);
  return { from, to };
}

// ---------------------------------------------------------------------------------------------
// Comparing and printing

interface Pair {
  entry: ResourceEntry;
  namespace: string | undefined;
  name: string;
  from: JsonObject | undefined;
  to: JsonObject | undefined;
}

type Verdict = 'only-from' | 'only-to' | 'changed' | 'identical';

function verdict(pair: Pair): { verdict: Verdict; from?: string; to?: string } {
  const from = pair.from === undefined ? undefined : formatYaml(pair.from);
  const to = pair.to === undefined ? undefined : formatYaml(pair.to);
  const v: Verdict = from === undefined ? 'only-to' : to === undefined ? 'only-from' : from === to ? 'identical' : 'changed';
  const out: { verdict: Verdict; from?: string; to?: string } = { verdict: v };
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  return out;
}

/** kubectl diff's file name: <group.>version.Kind.namespace.name. */
export function diffFileName(pair: Pair): string {
  const object = pair.from ?? pair.to ?? {};
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : pair.entry.storageVersion;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const kind = typeof object.kind === 'string' ? object.kind : pair.entry.kind;
  const group = pair.entry.group === '' ? '' : `${pair.entry.group}.`;
  return `${group}${version}.${kind}.${pair.namespace ?? ''}.${pair.name}`.replace(/\//g, '_');
}

async function runDiff(io: CliIo, args: DiffArgs, from: Side, to: Side): Promise<number> {
  const registry = from.registry ?? to.registry ?? builtinRegistry();
  for (const side of [from, to]) if (side instanceof DirSide) await onSide(side, () => Promise.resolve(side.bind(registry)));
  const options = { showManagedFields: args['show-managed-fields'], showSecrets: args['show-secrets'], ignore: args.ignore };
  const pairs: Pair[] = [];

  if (args.resource === undefined) {
    if (args.name !== undefined) throw new UsageError('no-resource', 'a name needs a resource');
    if (!args['all-namespaces'] && args.namespace === undefined) throw new UsageError('no-resource', 'name a resource (kreg diff pods), or use -A (everything) or -n NS (everything in a namespace)');
    const namespace = args['all-namespaces'] ? undefined : args.namespace;
    const collected: { side: Side; found: Found[] }[] = [];
    for (const side of [from, to]) {
      let found = await onSide(side, () => side.everything());
      if (found === undefined) {
        // The API cannot enumerate everything: list every resource it serves.
        found = [];
        for (const entry of registry.resources) {
          if (entry.origin === 'retired' || entry.storedAs !== undefined) continue;
          if (namespace !== undefined && !entry.namespaced) continue;
          const listed = await onSide(side, () => side.list(entry, entry.namespaced ? namespace : undefined));
          if (listed !== undefined) found.push(...listed);
        }
      }
      if (namespace !== undefined) found = found.filter((f) => f.namespace === namespace);
      collected.push({ side, found });
    }
    pairs.push(...pairUp(collected[0]?.found ?? [], collected[1]?.found ?? []));
  } else {
    const entries = args.resource.split(',').map((r) => resolveResource(r, { registry }));
    if (args.name !== undefined) {
      if (entries.length !== 1) throw new UsageError('one-resource', 'a name needs exactly one resource');
      if (args['all-namespaces']) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
      const entry = canonicalEntry(entries[0] as ResourceEntry, registry);
      const namespace = entry.namespaced ? (args.namespace ?? 'default') : undefined;
      const name = args.name;
      const a = await onSide(from, () => from.get(entry, namespace, name));
      const b = await onSide(to, () => to.get(entry, namespace, name));
      if (a === undefined && b === undefined) {
        throw new DiffError('not-found', `${resourceName(entry)} "${name}"${namespace === undefined ? '' : ` in namespace ${namespace}`} not found in from (${from.description}) nor in to (${to.description})`);
      }
      const normal = normalisePair(a, b, options);
      const pair: Pair = { entry, namespace, name, from: normal.from, to: normal.to };
      const v = verdict(pair);
      reportProblems(io, from, to);
      if (v.verdict === 'identical') return problemsExit(from, to, 0);
      const code = await showDiffs(io, [{ pair, ...v }]);
      return problemsExit(from, to, code);
    }
    const collected: Found[][] = [[], []];
    for (const entry0 of entries) {
      const entry = canonicalEntry(entry0, registry);
      const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
      for (const [i, side] of [from, to].entries()) {
        const listed = await onSide(side, () => side.list(entry, namespace));
        if (listed === undefined) io.stderr.write(`kreg: ${side.label} side (${side.description}): ${resourceName(entry)} is not served; treated as empty\n`);
        (collected[i] as Found[]).push(...(listed ?? []));
      }
    }
    pairs.push(...pairUp(collected[0] as Found[], collected[1] as Found[]));
  }

  // Compare every pair, then print the summary and the diffs of the changed ones.
  const judged = pairs.map((p) => {
    const normal = normalisePair(p.from, p.to, options);
    const pair: Pair = { ...p, from: normal.from, to: normal.to };
    return { pair, ...verdict(pair) };
  });
  const rows = new Map<string, Record<Verdict, number>>();
  for (const j of judged) {
    const name = resourceName(j.pair.entry);
    const row = rows.get(name) ?? { 'only-from': 0, 'only-to': 0, changed: 0, identical: 0 };
    row[j.verdict]++;
    rows.set(name, row);
  }
  const out: string[] = [`from: ${from.description}`, `to:   ${to.description}`];
  const header = ['RESOURCE', 'ONLY-IN-FROM', 'ONLY-IN-TO', 'CHANGED', 'IDENTICAL'];
  const table: string[][] = [header];
  const total = { 'only-from': 0, 'only-to': 0, changed: 0, identical: 0 };
  for (const name of [...rows.keys()].sort()) {
    const r = rows.get(name) as Record<Verdict, number>;
    table.push([name, String(r['only-from']), String(r['only-to']), String(r.changed), String(r.identical)]);
    for (const k of Object.keys(total) as Verdict[]) total[k] += r[k];
  }
  table.push(['TOTAL', String(total['only-from']), String(total['only-to']), String(total.changed), String(total.identical)]);
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
  for (const row of table) out.push(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd((widths[i] as number) + 3))).join(''));
  const label = { 'only-from': 'only in from', 'only-to': 'only in to', changed: 'changed', identical: 'identical' };
  for (const j of judged) {
    if (j.verdict === 'identical') continue;
    out.push(`${label[j.verdict]}: ${resourceName(j.pair.entry)} ${j.pair.namespace === undefined ? '' : `${j.pair.namespace}/`}${j.pair.name}`);
  }
  io.stdout.write(`${out.join('\n')}\n`);
  reportProblems(io, from, to);
  const differences = total['only-from'] + total['only-to'] + total.changed > 0;
  let code = differences ? 1 : 0;
  const changed = judged.filter((j) => j.verdict === 'changed');
  if (!args.summary && changed.length > 0) {
    io.stdout.write('\n');
    code = Math.max(code, await showDiffs(io, changed));
  }
  return problemsExit(from, to, code);
}

function reportProblems(io: CliIo, from: Side, to: Side): void {
  for (const line of [...from.problems, ...to.problems]) io.stderr.write(`kreg: ${line}\n`);
}

function problemsExit(from: Side, to: Side, code: number): number {
  return from.problems.length + to.problems.length > 0 ? 2 : code;
}

function pairUp(fromFound: Found[], toFound: Found[]): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const [which, found] of [['from', fromFound], ['to', toFound]] as const) {
    for (const f of found) {
      const id = identity(f.entry, f.namespace, f.name);
      let pair = pairs.get(id);
      if (pair === undefined) {
        pair = { entry: f.entry, namespace: f.namespace, name: f.name, from: undefined, to: undefined };
        pairs.set(id, pair);
      }
      pair[which] = f.object;
    }
  }
  return [...pairs.values()].sort((a, b) => {
    const ka = `${resourceName(a.entry)}\u0000${a.namespace ?? ''}\u0000${a.name}`;
    const kb = `${resourceName(b.entry)}\u0000${b.namespace ?? ''}\u0000${b.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** kubectl's check on the words of KUBECTL_EXTERNAL_DIFF after the command. */
const SAFE_ARG = /^[a-zA-Z0-9-=]+$/;

/**
 * Writes the objects into FROM and TO temp dirs and runs the diff program over them, as kubectl
 * diff does; resolves to 0 (no differences), 1 (differences); a failing program is an error.
 */
async function showDiffs(io: CliIo, items: { pair: Pair; from?: string; to?: string }[]): Promise<number> {
  const base = await mkdtemp(join(tmpdir(), 'kreg-diff-'));
  try {
    const fromDir = join(base, 'from');
    const toDir = join(base, 'to');
    await mkdir(fromDir);
    await mkdir(toDir);
    for (const item of items) {
      const file = diffFileName(item.pair);
      if (item.from !== undefined) await writeFile(join(fromDir, file), item.from);
      if (item.to !== undefined) await writeFile(join(toDir, file), item.to);
    }
    const external = io.env['KUBECTL_EXTERNAL_DIFF'];
    let command = 'diff';
    let commandArgs = ['-u', '-N'];
    if (external !== undefined && external.trim() !== '') {
      const words = external.trim().split(/\s+/);
      command = words[0] as string;
      commandArgs = words.slice(1).filter((w) => SAFE_ARG.test(w));
    }
    // On a terminal, diff's own output is coloured here (as kubectl diff with a colouring pager).
    const colour = io.stdout.isTTY && external === undefined && io.env['NO_COLOR'] === undefined;
    const code = await new Promise<number>((resolve, reject) => {
      // Both streams pass through the run's own, so the output lands where kreg's does.
      const child = spawn(command, [...commandArgs, fromDir, toDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...io.env } });
      child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (!colour) {
          io.stdout.write(chunk);
          return;
        }
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        io.stdout.write(lines.map((l) => `${colourLine(l)}\n`).join(''));
      });
      child.stdout.on('end', () => {
        if (pending !== '') io.stdout.write(colourLine(pending));
      });
      child.on('error', (err) => reject(new DiffError('diff-program', `cannot run ${command}: ${err.message}`)));
      child.on('close', (c, signal) => resolve(c ?? (signal === null ? 2 : 128)));
    });
    if (code > 1) throw new DiffError('diff-program', `${command} exited with status ${code}`);
    return code;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

function colourLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ')) return `\u001b[1m${line}\u001b[0m`;
  if (line.startsWith('+')) return `\u001b[32m${line}\u001b[0m`;
  if (line.startsWith('-')) return `\u001b[31m${line}\u001b[0m`;
  if (line.startsWith('@@')) return `\u001b[36m${line}\u001b[0m`;
  return line;
}
