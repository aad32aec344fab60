/**
 * etcd keys ⇄ Kubernetes resource identities, with no API server.
 *
 * A ResourceRegistry (the built-in table, plus custom resources learned from CRDs and aggregated
 * groups learned from APIServices) is plain data with lookup indices; every function here takes
 * it as an argument and has no other state. Pure module: no I/O.
 */
import { UsageError } from '../errors.js';
import { BUILTIN_GROUP_PRIORITIES, BUILTIN_RESOURCES, RETIRED_RESOURCES, UNSTORED_KINDS, type BuiltinResource, type GroupResource, type UnstoredKind } from './builtin-resources.js';
import { matchPrefixedKey, matchRootKey, type SpecialKeyMatch } from './special-keys.js';

/** kube-apiserver's default --etcd-prefix. */
export const DEFAULT_PREFIX = '/registry';

/** Discovery priority of CRD-backed groups (their auto-registered APIServices use 1000). */
export const CUSTOM_RESOURCE_GROUP_PRIORITY = 1000;

/** Where a registry entry came from. */
export type ResourceOrigin = 'builtin' | 'custom' | 'retired';

/** Spelled as CustomResourceDefinition spec.scope spells it. */
export type ResourceScope = 'Namespaced' | 'Cluster';

/** One resource the registry knows, built-in or custom, with everything needed to map its keys. */
export interface ResourceEntry extends GroupResource {
  readonly singular: string;
  readonly kind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** Versions served, most preferred first. */
  readonly versions: readonly string[];
  /** Version the objects are written in today (of storedAs.group when storedAs is set). */
  readonly storageVersion: string;
  /** Path under the prefix, e.g. services/specs or cr.example.com/widgets. */
  readonly storagePath: string;
  /** Set when the objects are those of another resource, stored under its path and encoding. */
  readonly storedAs?: GroupResource;
  readonly origin: ResourceOrigin;
  /** Discovery priority of the group: the higher one wins when a name is ambiguous. */
  readonly groupPriority: number;
  /** Release that stopped serving a retired resource. */
  readonly removedIn?: string;
  /**
   * Versions objects may still be encoded in (a CRD's status.storedVersions): the storage version
   * changes, old objects keep theirs until rewritten.
   */
  readonly storedVersions?: readonly string[];
  readonly note?: string;
}

/** An API group/version that kube-apiserver proxies to another server (an APIService with a service). */
export interface AggregatedAPIService {
  /** The APIService name, <version>.<group>. */
  readonly name: string;
  readonly group: string;
  readonly version: string;
  readonly service: { readonly namespace: string; readonly name: string; readonly port?: number };
  readonly groupPriorityMinimum: number;
  readonly versionPriority: number;
}

/**
 * Every resource keys can belong to: built-in, retired and (once learned) custom resources, and
 * aggregated API groups. Immutable; build one with createResourceRegistry, builtinRegistry or
 * learnFromStoredObjects.
 */
export interface ResourceRegistry {
  readonly resources: readonly ResourceEntry[];
  readonly aggregated: readonly AggregatedAPIService[];
  readonly unstored: readonly UnstoredKind[];
  /** Index: storage path → the entry whose objects live there (storedAs aliases excluded). */
  readonly byStoragePath: ReadonlyMap<string, ResourceEntry>;
  /** Index: "<group>/<resource>" → entry. */
  readonly byGroupResource: ReadonlyMap<string, ResourceEntry>;
  /** Most path segments any storage path has (services/specs has 2). */
  readonly maxStoragePathDepth: number;
}

/** The resource named is not one the registry knows. */
export class UnknownResourceError extends UsageError {
  override name = 'UnknownResourceError';
}

/** The resource exists in the API but is never written to etcd (TokenReview, Scale, Binding, ...). */
export class NotStoredResourceError extends UsageError {
  override name = 'NotStoredResourceError';
}

/** A key (or key target) that does not fit the storage layout: outside the prefix, too many segments, ... */
export class KeyLayoutError extends UsageError {
  override name = 'KeyLayoutError';
}

/** The registry's index key of a group and resource, "<group>/<resource>". */
export function groupResourceId(group: string, resource: string): string {
  return `${group}/${resource}`;
}

/** "apps/v1", or "v1" for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** "Namespaced" or "Cluster", as CRDs and discovery spell it. */
export function scopeOf(entry: ResourceEntry): ResourceScope {
  return entry.namespaced ? 'Namespaced' : 'Cluster';
}

function entryFromTable(row: BuiltinResource, origin: ResourceOrigin): ResourceEntry {
  const { categories, ...rest } = row;
  return {
    ...rest,
    categories: categories ?? [],
    origin,
    groupPriority: BUILTIN_GROUP_PRIORITIES[row.group] ?? CUSTOM_RESOURCE_GROUP_PRIORITY,
  };
}

/** What createResourceRegistry adds to the built-in resources. */
export interface RegistryContents {
  /** Custom resources, e.g. from customResourcesFromDefinitions(). */
  readonly custom?: readonly ResourceEntry[];
  /** Aggregated API group/versions, e.g. from aggregatedAPIServicesFrom(). */
  readonly aggregated?: readonly AggregatedAPIService[];
  /** Whether keys of resources removed in earlier releases are explained (default true). */
  readonly includeRetired?: boolean;
}

function buildRegistry(resources: readonly ResourceEntry[], aggregated: readonly AggregatedAPIService[]): ResourceRegistry {
  const byStoragePath = new Map<string, ResourceEntry>();
  const byGroupResource = new Map<string, ResourceEntry>();
  const kept: ResourceEntry[] = [];
  let maxStoragePathDepth = 1;
  for (const entry of resources) {
    const id = groupResourceId(entry.group, entry.resource);
    // First one wins: built-ins come first, and a CRD cannot take over a built-in resource.
    if (byGroupResource.has(id)) continue;
    if (entry.storedAs === undefined && byStoragePath.has(entry.storagePath)) continue;
    byGroupResource.set(id, entry);
    if (entry.storedAs === undefined) byStoragePath.set(entry.storagePath, entry);
    maxStoragePathDepth = Math.max(maxStoragePathDepth, entry.storagePath.split('/').length);
    kept.push(entry);
  }
  return { resources: kept, aggregated, unstored: UNSTORED_KINDS, byStoragePath, byGroupResource, maxStoragePathDepth };
}

/** A registry of the built-in resources plus whatever custom and aggregated APIs are given. */
export function createResourceRegistry(contents: RegistryContents = {}): ResourceRegistry {
  const builtins = BUILTIN_RESOURCES.map((row) => entryFromTable(row, 'builtin'));
  const retired = contents.includeRetired === false ? [] : RETIRED_RESOURCES.map((row) => entryFromTable(row, 'retired'));
  // Retired rows go last so that a live resource (or a CRD) reusing a retired name wins.
  return buildRegistry([...builtins, ...(contents.custom ?? []), ...retired], contents.aggregated ?? []);
}

/**
 * A new registry with more custom resources and aggregated APIs. A custom resource given here
 * replaces one of the same group/resource already learned (a newer CRD revision).
 */
export function extendRegistry(registry: ResourceRegistry, additions: { readonly custom?: readonly ResourceEntry[]; readonly aggregated?: readonly AggregatedAPIService[] }): ResourceRegistry {
  const added = additions.custom ?? [];
  const addedIds = new Set(added.map((entry) => groupResourceId(entry.group, entry.resource)));
  const existing = registry.resources.filter((entry) => entry.origin !== 'custom' || !addedIds.has(groupResourceId(entry.group, entry.resource)));
  const live = existing.filter((entry) => entry.origin !== 'retired');
  const retired = existing.filter((entry) => entry.origin === 'retired');
  const addedServices = additions.aggregated ?? [];
  const addedNames = new Set(addedServices.map((service) => service.name));
  const aggregated = [...registry.aggregated.filter((service) => !addedNames.has(service.name)), ...addedServices];
  return buildRegistry([...live, ...added, ...retired], aggregated);
}

let builtinRegistryCache: ResourceRegistry | undefined;

/** The registry of built-in (and retired) resources alone, built once. */
export function builtinRegistry(): ResourceRegistry {
  builtinRegistryCache ??= createResourceRegistry();
  return builtinRegistryCache;
}

// ---------------------------------------------------------------------------------------------
// Resolving kubectl-style resource arguments

/** Options of resolveResource, resolveResourceCandidates and resolveKind. */
export interface ResolveOptions {
  readonly registry?: ResourceRegistry;
  /** Restrict to this API group (exact, or a prefix of it as kubectl allows; "core" means ""). */
  readonly group?: string;
}

interface ResourceQuery {
  readonly name: string;
  readonly group?: string;
  readonly version?: string;
}

function canonicalGroup(group: string): string {
  return group === 'core' ? '' : group;
}

/**
 * The readings kubectl gives an argument, most specific first: "deployments.v1.apps" may be
 * resource.version.group, and is also tried as resource.group ("foos.cr.example.com").
 */
function queriesFor(argument: string, explicitGroup: string | undefined): ResourceQuery[] {
  const text = argument.trim().toLowerCase();
  if (text === '') throw new UsageError('empty-resource', 'no resource given');
  if (explicitGroup !== undefined) return [{ name: text, group: canonicalGroup(explicitGroup.trim().toLowerCase()) }];
  const dot = text.indexOf('.');
  if (dot < 0) return [{ name: text }];
  const name = text.slice(0, dot);
  const rest = text.slice(dot + 1);
  const queries: ResourceQuery[] = [];
  const secondDot = rest.indexOf('.');
  if (secondDot > 0) {
    queries.push({ name, version: rest.slice(0, secondDot), group: canonicalGroup(rest.slice(secondDot + 1)) });
  }
  queries.push(rest === '' ? { name } : { name, group: canonicalGroup(rest) });
  return queries;
}

/** How well a name matches an entry: 0 plural, 1 singular, 2 short name, 3 kind; undefined when not. */
function nameRank(entry: ResourceEntry, name: string): number | undefined {
  if (entry.resource === name) return 0;
  if (entry.singular === name) return 1;
  if (entry.shortNames.includes(name)) return 2;
  if (entry.kind.toLowerCase() === name) return 3;
  return undefined;
}

function groupMatches(entries: readonly ResourceEntry[], group: string | undefined): readonly ResourceEntry[] {
  if (group === undefined) return entries;
  const exact = entries.filter((entry) => entry.group === group);
  if (exact.length > 0 || group === '') return exact;
  // kubectl: "storageclasses.storage" finds storageclasses.storage.k8s.io.
  return entries.filter((entry) => entry.group.startsWith(group));
}

function compareCandidates(a: { entry: ResourceEntry; rank: number }, b: { entry: ResourceEntry; rank: number }): number {
  return (
    Number(a.entry.origin === 'retired') - Number(b.entry.origin === 'retired') ||
    a.rank - b.rank ||
    b.entry.groupPriority - a.entry.groupPriority ||
    a.entry.group.localeCompare(b.entry.group) ||
    a.entry.resource.localeCompare(b.entry.resource)
  );
}

function candidatesFor(query: ResourceQuery, registry: ResourceRegistry): ResourceEntry[] {
  const named: { entry: ResourceEntry; rank: number }[] = [];
  for (const entry of registry.resources) {
    const rank = nameRank(entry, query.name);
    if (rank !== undefined) named.push({ entry, rank });
  }
  const inGroup = new Set(
    groupMatches(
      named.map((candidate) => candidate.entry),
      query.group,
    ),
  );
  return named
    .filter((candidate) => inGroup.has(candidate.entry))
    .filter((candidate) => query.version === undefined || candidate.entry.versions.includes(query.version))
    .sort(compareCandidates)
    .map((candidate) => candidate.entry);
}

/**
 * Every resource the argument could mean, best first, like kubectl: plural, singular, short
 * name or kind, case-insensitive, optionally qualified as name.group or name.version.group.
 * Ties go to the group with the higher discovery priority (the core group first).
 */
export function resolveResourceCandidates(argument: string, options: ResolveOptions = {}): readonly ResourceEntry[] {
  const registry = options.registry ?? builtinRegistry();
  for (const query of queriesFor(argument, options.group)) {
    const found = candidatesFor(query, registry);
    if (found.length > 0) return found;
  }
  return [];
}

function unstoredMatch(argument: string, registry: ResourceRegistry): UnstoredKind | undefined {
  const name = argument.trim().toLowerCase().split('.')[0] ?? '';
  return registry.unstored.find((kind) => kind.resource === name || kind.kind.toLowerCase() === name || (kind.shortNames ?? []).includes(name));
}

/**
 * The resource a kubectl-style argument names (plural, singular, short name or kind, optionally
 * .group or .version.group), the way kubectl picks it.
 *
 * @throws UnknownResourceError when the registry knows no such resource; NotStoredResourceError
 *   for a kind that exists but is never stored (TokenReview, Scale, ...).
 * @example
 *   resolveResource('deploy').storagePath;  // 'deployments'
 *   resolveResource('svc').storagePath;     // 'services/specs'
 */
export function resolveResource(argument: string, options: ResolveOptions = {}): ResourceEntry {
  const registry = options.registry ?? builtinRegistry();
  const best = resolveResourceCandidates(argument, { ...options, registry })[0];
  if (best !== undefined) return best;
  const unstored = unstoredMatch(argument, registry);
  if (unstored !== undefined) {
    const group = unstored.group === '' ? 'core' : unstored.group;
    throw new NotStoredResourceError('not-stored', `${unstored.kind} (${group}) is never stored in etcd. ${unstored.reason}`);
  }
  const where = options.group === undefined ? '' : ` in group "${options.group}"`;
  throw new UnknownResourceError('unknown-resource', `unknown resource "${argument}"${where}; a custom resource is known only once its CustomResourceDefinition has been loaded`);
}

/**
 * The resource of a kind ("Deployment", optionally restricted by `options.group`).
 *
 * @throws UnknownResourceError or NotStoredResourceError, as resolveResource.
 */
export function resolveKind(kind: string, options: ResolveOptions = {}): ResourceEntry {
  const registry = options.registry ?? builtinRegistry();
  const wanted = kind.trim().toLowerCase();
  const matches = groupMatches(
    registry.resources.filter((entry) => entry.kind.toLowerCase() === wanted),
    options.group === undefined ? undefined : canonicalGroup(options.group.trim().toLowerCase()),
  );
  const best = matches.map((entry) => ({ entry, rank: 0 })).sort(compareCandidates)[0];
  if (best !== undefined) return best.entry;
  return resolveResource(kind, options);
}

/** Resources in a discovery category, e.g. "all" for `kubectl get all`. */
export function resourcesInCategory(category: string, registry: ResourceRegistry = builtinRegistry()): readonly ResourceEntry[] {
  const wanted = category.trim().toLowerCase();
  return registry.resources.filter((entry) => entry.origin !== 'retired' && entry.categories.includes(wanted));
}

// ---------------------------------------------------------------------------------------------
// Keys

/** Where keys live: kube-apiserver's --etcd-prefix and the registry to map them with. */
export interface KeyOptions {
  /** kube-apiserver's --etcd-prefix (default /registry). */
  readonly prefix?: string;
  readonly registry?: ResourceRegistry;
}

interface KeyContext {
  readonly prefix: string;
  readonly registry: ResourceRegistry;
}

/** "/registry/" and "registry" both become "/registry"; "/" and "" become "" (keys start at "/"). */
export function normalizePrefix(prefix: string = DEFAULT_PREFIX): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

// Options are merged with their defaults here and nowhere else.
function keyContext(options: KeyOptions): KeyContext {
  return { prefix: normalizePrefix(options.prefix), registry: options.registry ?? builtinRegistry() };
}

/** What a resource is, as parseKey reports it. */
export interface ResourceIdentity {
  readonly group: string;
  /** The storage version: what kube-apiserver writes today (an old object may hold another). */
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly scope: ResourceScope;
  readonly storagePath: string;
  readonly origin: ResourceOrigin;
  readonly entry: ResourceEntry;
}

/** The key of one stored object. */
export interface ObjectKey extends ResourceIdentity {
  readonly type: 'object';
  readonly key: string;
  readonly namespace?: string;
  readonly name: string;
  /** Set when the object has a well-known role (an event with a TTL, an apiserver identity lease, ...). */
  readonly special?: SpecialKeyMatch;
}

/** A prefix that lists objects: all of a resource, or those of one namespace. */
export interface ListingKey extends ResourceIdentity {
  readonly type: 'listing';
  readonly key: string;
  readonly namespace?: string;
}

/** A key under a group that an aggregated API server serves (its kinds cannot be known offline). */
export interface AggregatedKey {
  readonly type: 'aggregated';
  readonly key: string;
  readonly group: string;
  readonly versions: readonly string[];
  readonly apiServices: readonly AggregatedAPIService[];
  /** The path segment after the group, usually the plural resource name. */
  readonly resource?: string;
  /** The segments after the resource. */
  readonly remainder: readonly string[];
  /** Guessed from the remainder the way kube-apiserver lays keys out: [namespace, name] or [name]. */
  readonly namespace?: string;
  readonly name?: string;
}

/** A key that is no API object: compact_rev_key, master leases, allocator bitmaps, ... */
export interface SpecialKey {
  readonly type: 'special';
  readonly key: string;
  readonly special: SpecialKeyMatch;
}

/** What parseKey found a key to be; tell the cases apart by `type`. */
export type ParsedKey = ObjectKey | ListingKey | AggregatedKey | SpecialKey;

/** The identity parseKey reports for keys of a registry entry (its storage version, scope, ...). */
export function identityOf(entry: ResourceEntry): ResourceIdentity {
  return {
    group: entry.group,
    version: entry.storageVersion,
    resource: entry.resource,
    kind: entry.kind,
    namespaced: entry.namespaced,
    scope: scopeOf(entry),
    storagePath: entry.storagePath,
    origin: entry.origin,
    entry,
  };
}

/** The key's path below the prefix, without a leading slash (a trailing one is kept). */
function pathUnderPrefix(key: string, prefix: string): string {
  const start = `${prefix}/`;
  if (!key.startsWith(start)) {
    throw new KeyLayoutError('outside-prefix', `not under the etcd prefix "${prefix || '/'}"`, { key });
  }
  return key.slice(start.length);
}

function objectOrListing(entry: ResourceEntry, rest: readonly string[], isPrefix: boolean, key: string): ObjectKey | ListingKey {
  const [first, second] = rest;
  if (first === undefined) return { ...identityOf(entry), type: 'listing', key };
  if (entry.namespaced) {
    if (second === undefined) return { ...identityOf(entry), type: 'listing', key, namespace: first };
    if (rest.length > 2) badObjectKey(entry, key, 'too many path segments');
    if (isPrefix) badObjectKey(entry, key, 'an object key has nothing below it');
    return objectKey(entry, key, first, second);
  }
  if (rest.length > 1) badObjectKey(entry, key, 'too many path segments for a cluster-scoped resource');
  if (isPrefix) badObjectKey(entry, key, 'an object key has nothing below it');
  return objectKey(entry, key, undefined, first);
}

/**
 * An object's key, written out field by field: parsed once per key read, and a spread of the
 * identity measured about ten times slower (the spread object leaves V8's fast layout).
 */
function objectKey(entry: ResourceEntry, key: string, namespace: string | undefined, name: string): ObjectKey {
  const { group, storageVersion: version, resource, kind, namespaced, storagePath, origin } = entry;
  const scope = scopeOf(entry);
  // The same fields in the same order as the identity spread would give (printed as JSON by keys explain).
  return namespace === undefined
    ? { group, version, resource, kind, namespaced, scope, storagePath, origin, entry, type: 'object', key, name }
    : { group, version, resource, kind, namespaced, scope, storagePath, origin, entry, type: 'object', key, namespace, name };
}

function badObjectKey(entry: ResourceEntry, key: string, why: string): never {
  throw new KeyLayoutError('bad-key', `${why} (${entry.kind} keys are <prefix>/${entry.storagePath}/${entry.namespaced ? '<namespace>/' : ''}<name>)`, { key });
}

function aggregatedKey(key: string, group: string, services: readonly AggregatedAPIService[], rest: readonly string[]): AggregatedKey {
  const [resource, ...remainder] = rest;
  const guess: { namespace?: string; name?: string } =
    remainder.length === 2 ? { namespace: remainder[0] ?? '', name: remainder[1] ?? '' } : remainder.length === 1 ? { name: remainder[0] ?? '' } : {};
  const sorted = [...services].sort((a, b) => b.versionPriority - a.versionPriority);
  return {
    type: 'aggregated',
    key,
    group,
    versions: sorted.map((service) => service.version),
    apiServices: sorted,
    ...(resource === undefined ? {} : { resource }),
    remainder,
    ...guess,
  };
}

/** parseKey, or undefined for a key that maps to nothing (listings go on past such keys). */
export function tryParseKey(key: string, options: KeyOptions = {}): ParsedKey | undefined {
  try {
    return parseKey(key, options);
  } catch {
    return undefined;
  }
}

/**
 * What an etcd key holds: an object of a resource (identity, namespace, name), a listing prefix
 * (ending in "/", or stopping at a namespace), a key of an aggregated API group, or a special key.
 * Custom resources are known only to a registry that learned their CRDs (learnFromStoredObjects).
 *
 * @throws KeyLayoutError for keys outside the prefix or off the layout; UnknownResourceError for a
 *   resource the registry does not know.
 * @example
 *   const parsed = parseKey('/registry/services/specs/default/kubernetes');
 *   if (parsed.type === 'object') console.log(parsed.kind, parsed.namespace, parsed.name); // Service default kubernetes
 */
export function parseKey(key: string, options: KeyOptions = {}): ParsedKey {
  const { prefix, registry } = keyContext(options);
  const root = matchRootKey(key);
  if (root !== undefined) return { type: 'special', key, special: root };

  const relative = pathUnderPrefix(key, prefix);
  const isPrefix = relative === '' || relative.endsWith('/');
  const path = relative.replace(/\/$/, '');
  const segments = path === '' ? [] : path.split('/');
  if (segments.some((segment) => segment === '')) {
    throw new KeyLayoutError('bad-key', 'empty path segment ("//")', { key });
  }
  const first = segments[0];
  if (first === undefined) {
    throw new KeyLayoutError('bad-key', 'the whole prefix names no single resource', { key });
  }

  const reserved = isPrefix ? undefined : matchPrefixedKey(path, 'reserved');
  if (reserved !== undefined) return { type: 'special', key, special: reserved };

  for (let depth = Math.min(registry.maxStoragePathDepth, segments.length); depth >= 1; depth--) {
    const entry = registry.byStoragePath.get(segments.slice(0, depth).join('/'));
    if (entry === undefined) continue;
    const parsed = objectOrListing(entry, segments.slice(depth), isPrefix, key);
    if (parsed.type !== 'object') return parsed;
    const special = matchPrefixedKey(path, 'well-known-object');
    return special === undefined ? parsed : { ...parsed, special };
  }

  const services = registry.aggregated.filter((service) => service.group === first);
  if (services.length > 0) return aggregatedKey(key, first, services, segments.slice(1));

  const hint = first.includes('.') ? `no resource is known under group "${first}": load its CustomResourceDefinition (or APIService) first` : `no resource is stored under "${first}"`;
  throw new UnknownResourceError('unknown-resource', hint, { key });
}

/** What to build a key for: a resource (kubectl-style) or a kind, and optionally namespace and name. */
export interface KeyTarget {
  /** kubectl-style resource argument: pods, po, deployments.apps, deployments.v1.apps, ... */
  readonly resource?: string;
  /** A kind, used when resource is absent: Deployment. */
  readonly kind?: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly name?: string;
}

function checkSegment(value: string, what: string): string {
  if (value === '' || value.includes('/')) {
    throw new KeyLayoutError('bad-name', `${what} "${value}" cannot be part of a key (empty, or contains "/")`);
  }
  return value;
}

/**
 * The key of an entry's object, or a listing prefix (ending in "/") when the name is absent.
 * The prefix must already be normalized (see normalizePrefix).
 */
export function keyForEntry(entry: ResourceEntry, where: { readonly namespace?: string; readonly name?: string }, prefix: string): string {
  const base = `${prefix}/${entry.storagePath}/`;
  const { namespace, name } = where;
  if (!entry.namespaced) {
    if (namespace !== undefined) {
      throw new KeyLayoutError('not-namespaced', `${entry.kind} is cluster-scoped: no namespace belongs in its key`);
    }
    return name === undefined ? base : base + checkSegment(name, 'name');
  }
  if (namespace === undefined) {
    if (name !== undefined) {
      throw new KeyLayoutError('namespace-required', `${entry.kind} is namespaced: its key needs a namespace`);
    }
    return base;
  }
  const inNamespace = `${base}${checkSegment(namespace, 'namespace')}/`;
  return name === undefined ? inNamespace : inNamespace + checkSegment(name, 'name');
}

/**
 * The etcd key of an object, or the prefix that lists a resource (all namespaces, or one) when
 * the name is absent.
 *
 * @throws UnknownResourceError / NotStoredResourceError as resolveResource; KeyLayoutError when a
 *   namespace is given for a cluster-scoped resource (or missing with a name for a namespaced
 *   one) or a segment is empty or holds "/".
 * @example
 *   keyFor({ resource: 'deployments.apps', namespace: 'shop', name: 'web' });  // '/registry/deployments/shop/web'
 *   keyFor({ kind: 'Node' }, { prefix: '/kubernetes.io' });                   // '/kubernetes.io/minions/'
 */
export function keyFor(target: KeyTarget, options: KeyOptions = {}): string {
  const { prefix, registry } = keyContext(options);
  const resolveOptions: ResolveOptions = target.group === undefined ? { registry } : { registry, group: target.group };
  let entry: ResourceEntry;
  if (target.resource !== undefined) entry = resolveResource(target.resource, resolveOptions);
  else if (target.kind !== undefined) entry = resolveKind(target.kind, resolveOptions);
  else throw new UsageError('empty-resource', 'a key needs a resource or a kind');
  const where = {
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    ...(target.name === undefined ? {} : { name: target.name }),
  };
  return keyForEntry(entry, where, prefix);
}

/** One line for humans: what the key is. */
export function describeKey(parsed: ParsedKey): string {
  switch (parsed.type) {
    case 'special':
      return parsed.special.description;
    case 'aggregated': {
      const served = parsed.apiServices.map((s) => `${s.service.namespace}/${s.service.name}`).join(', ');
      return `Under API group ${parsed.group} (${parsed.versions.join(', ')}), served by the aggregated API server behind service ${served}; kreg cannot know its kinds offline.`;
    }
    case 'listing': {
      const where = parsed.namespace === undefined ? (parsed.namespaced ? 'in all namespaces' : '') : `in namespace ${parsed.namespace}`;
      return `Listing prefix of ${parsed.resource}${parsed.group === '' ? '' : `.${parsed.group}`} ${where}`.trimEnd() + '.';
    }
    case 'object': {
      const at = parsed.namespace === undefined ? parsed.name : `${parsed.namespace}/${parsed.name}`;
      const origin = parsed.origin === 'retired' ? ` (no longer served since ${parsed.entry.removedIn ?? 'an earlier release'})` : '';
      const base = `${parsed.kind} ${at}, stored as ${apiVersionOf(parsed.group, parsed.version)}${origin}.`;
      return parsed.special === undefined ? base : `${base} ${parsed.special.description}`;
    }
  }
}
