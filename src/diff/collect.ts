/**
 * Collection: which objects a diff compares (from the resource, name, -n and -A arguments), read
 * from both sides through the ObjectSource interface and paired up. Opens and prints nothing: the
 * sources are given, and notes go to a callback. Errors name the side they come from.
 */
import type { JsonObject } from '../codec/json-value.js';
import { KregError, UsageError } from '../errors.js';
import { resolveResource, type ResourceEntry, type ResourceRegistry } from '../keys/index.js';
import { canonicalEntry, type FoundObject, type ObjectSource } from '../sources/object-source.js';
import { DiffError } from './errors.js';
import { pairUp, resourceName, type ObjectPair } from './pairs.js';

export type SideLabel = 'from' | 'to';

/** One side of a diff: its source and how the user named it (etcd, api, snapshot:FILE, dir:PATH). */
export interface DiffSide {
  readonly label: SideLabel;
  readonly spec: string;
  readonly source: ObjectSource;
}

/** Runs `fn` for one side; errors are re-thrown as DiffErrors naming the side. */
export async function onSide<T>(side: { label: SideLabel; spec: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const subject = err instanceof KregError ? err.subject : {};
    throw new DiffError(err instanceof KregError ? err.code : 'diff-failed', `${side.label} side (${side.spec}): ${message}`, subject, { cause: err });
  }
}

/** The arguments that say what to compare. */
export interface DiffQuery {
  resource: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  allNamespaces: boolean;
}

/** What to compare: everything (in one namespace, or all), some resources, or one object. */
export type Selection =
  | { kind: 'everything'; namespace: string | undefined }
  | { kind: 'resources'; entries: ResourceEntry[]; namespace: string | undefined }
  | { kind: 'object'; entry: ResourceEntry; namespace: string | undefined; name: string };

/** The selection the arguments make; a UsageError for combinations that make none. */
export function select(query: DiffQuery, registry: ResourceRegistry): Selection {
  if (query.resource === undefined) {
    if (query.name !== undefined) throw new UsageError('no-resource', 'a name needs a resource');
    if (!query.allNamespaces && query.namespace === undefined) throw new UsageError('no-resource', 'name a resource (kreg diff pods), or use -A (everything) or -n NS (everything in a namespace)');
    return { kind: 'everything', namespace: query.allNamespaces ? undefined : query.namespace };
  }
  const entries = query.resource.split(',').map((r) => canonicalEntry(resolveResource(r, { registry }), registry));
  if (query.name === undefined) return { kind: 'resources', entries, namespace: query.allNamespaces ? undefined : (query.namespace ?? 'default') };
  if (entries.length !== 1) throw new UsageError('one-resource', 'a name needs exactly one resource');
  if (query.allNamespaces) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
  const entry = entries[0] as ResourceEntry;
  return { kind: 'object', entry, namespace: entry.namespaced ? (query.namespace ?? 'default') : undefined, name: query.name };
}

/** Every object of one side the selection covers. */
async function collectSide(side: DiffSide, selection: Exclude<Selection, { kind: 'object' }>, registry: ResourceRegistry, note: (line: string) => void): Promise<FoundObject[]> {
  const { source } = side;
  const enumerate = source.everything?.bind(source);
  if (selection.kind === 'everything' && enumerate !== undefined) {
    const all = await onSide(side, enumerate);
    return selection.namespace === undefined ? all : all.filter((f) => f.namespace === selection.namespace);
  }
  // Resource by resource: what was asked for, or (a source that cannot enumerate, the API) every resource it may serve.
  const everything = selection.kind === 'everything';
  const entries = everything ? registry.resources.filter((e) => e.origin !== 'retired' && e.storedAs === undefined && (selection.namespace === undefined || e.namespaced)) : selection.entries;
  const found: FoundObject[] = [];
  for (const entry of entries) {
    const listed = await onSide(side, () => source.list(entry, entry.namespaced ? selection.namespace : undefined));
    if (listed === undefined && !everything) note(`${side.label} side (${source.description}): ${resourceName(entry)} is not served; treated as empty`);
    found.push(...(listed ?? []));
  }
  return found;
}

/** The pairs to compare, sorted; for one object, a DiffError when neither side has it. */
export async function collectPairs(selection: Selection, from: DiffSide, to: DiffSide, registry: ResourceRegistry, note: (line: string) => void): Promise<ObjectPair[]> {
  if (selection.kind === 'object') {
    const { entry, namespace, name } = selection;
    const read = (side: DiffSide): Promise<JsonObject | undefined> => onSide(side, () => side.source.get(entry, namespace, name));
    const a = await read(from);
    const b = await read(to);
    if (a === undefined && b === undefined) {
      const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
      throw new DiffError('not-found', `${resourceName(entry)} "${name}"${where} not found in from (${from.source.description}) nor in to (${to.source.description})`);
    }
    return [{ entry, namespace, name, from: a, to: b }];
  }
  const fromFound = await collectSide(from, selection, registry, note);
  const toFound = await collectSide(to, selection, registry, note);
  return pairUp(fromFound, toFound);
}
