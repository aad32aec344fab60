/**
 * The REST path that serves the same object as an etcd key, and back:
 *   /registry/services/specs/default/kubernetes ⇄ /api/v1/namespaces/default/services/kubernetes
 * Input may be an API path, a full URL (https://host:6443/api/v1/...), or what one passes to
 * `kubectl get --raw`. Pure module: no I/O (and no URL class, which the pure core does not have).
 */
import { UsageError } from '../errors.js';
import {
  KeyLayoutError,
  UnknownResourceError,
  builtinRegistry,
  groupResourceId,
  keyForEntry,
  normalizePrefix,
  parseKey,
  scopeOf,
  type AggregatedAPIService,
  type KeyOptions,
  type ResourceEntry,
  type ResourceRegistry,
  type ResourceScope,
} from './key-mapping.js';

/** Options of restPathForKey: the key layout (KeyOptions) plus how to write the path. */
export interface RestPathOptions extends KeyOptions {
  /** API version to put in the path; the resource's preferred served version by default. */
  readonly version?: string;
}

/** Where in a resource a REST path points. */
export interface RestLocation {
  readonly namespace?: string;
  readonly name?: string;
  /** e.g. status, scale, log; it is served from the same stored object. */
  readonly subresource?: string;
}

/** RFC 3986 allows ":" and "@" in a path segment; names such as example.com:signer:abc keep them. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%3A/gi, ':').replace(/%40/g, '@');
}

function groupVersionRoot(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function restPathUnder(root: string, resource: string, location: RestLocation): string {
  let path = root;
  if (location.namespace !== undefined) path += `/namespaces/${encodeSegment(location.namespace)}`;
  path += `/${resource}`;
  if (location.name !== undefined) {
    path += `/${encodeSegment(location.name)}`;
    if (location.subresource !== undefined) path += `/${location.subresource}`;
  }
  return path;
}

/** The REST path of an entry's object (or listing, without a name). */
export function restPathForEntry(entry: ResourceEntry, location: RestLocation = {}, version?: string): string {
  const servedVersion = version ?? entry.versions[0] ?? entry.storageVersion;
  return restPathUnder(groupVersionRoot(entry.group, servedVersion), entry.resource, location);
}

/** The REST path that serves what an etcd key holds. */
export function restPathForKey(key: string, options: RestPathOptions = {}): string {
  const parsed = parseKey(key, options);
  switch (parsed.type) {
    case 'object':
    case 'listing': {
      const location: RestLocation = {
        ...(parsed.namespace === undefined ? {} : { namespace: parsed.namespace }),
        ...(parsed.type === 'object' ? { name: parsed.name } : {}),
      };
      return restPathForEntry(parsed.entry, location, options.version);
    }
    case 'aggregated': {
      const version = options.version ?? parsed.versions[0];
      if (parsed.resource === undefined || version === undefined) {
        throw new UsageError('no-rest-path', `names API group ${parsed.group}, not a resource`, { key });
      }
      const location: RestLocation = {
        ...(parsed.namespace === undefined ? {} : { namespace: parsed.namespace }),
        ...(parsed.name === undefined ? {} : { name: parsed.name }),
      };
      return restPathUnder(groupVersionRoot(parsed.group, version), parsed.resource, location);
    }
    case 'special':
      throw new UsageError('no-rest-path', `not an API object, so no REST path serves it: ${parsed.special.description}`, { key });
  }
}

/** A REST path of a resource kube-apiserver stores, with the etcd key that holds it. */
export interface RestResourcePath extends RestLocation {
  readonly type: 'resource';
  /** The canonical REST path (query and scheme://host removed). */
  readonly restPath: string;
  readonly group: string;
  readonly version: string;
  /** Whether the registry lists the version as served for this resource. */
  readonly versionServed: boolean;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly scope: ResourceScope;
  readonly entry: ResourceEntry;
  /** The object's key, or the listing prefix (ending in "/") when no name is given. */
  readonly etcdKey: string;
  /** The path used the legacy /watch/ form. */
  readonly watch: boolean;
}

/** A REST path under a group served by an aggregated API server: nothing in kube-apiserver's etcd. */
export interface RestAggregatedPath extends RestLocation {
  readonly type: 'aggregated';
  readonly restPath: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly apiServices: readonly AggregatedAPIService[];
}

/** What parseRestPath found an API path to be; tell the cases apart by `type`. */
export type ParsedRestPath = RestResourcePath | RestAggregatedPath;

function badPath(input: string, why: string): UsageError {
  return new UsageError('bad-rest-path', `"${input}" ${why}`);
}

/** The path part of a REST path, URL or `kubectl get --raw` argument, without query or fragment. */
export function apiPathOf(input: string): string {
  let text = input.trim();
  const kubectl = /^kubectl\s+get\s+--raw(?:=|\s+)(\S+)/.exec(text);
  if (kubectl?.[1] !== undefined) text = kubectl[1];
  text = text.replace(/^(['"])(.*)\1$/, '$2');
  const url = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(text);
  if (url !== null) text = url[1] ?? '';
  text = text.replace(/[?#].*$/, '');
  return text.startsWith('/') ? text : `/${text}`;
}

function decodeSegments(path: string, input: string): string[] {
  try {
    return path
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw badPath(input, 'has a malformed %-escape');
  }
}

function locationFrom(namespace: string | undefined, tail: readonly string[]): RestLocation {
  const [name, ...sub] = tail;
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    ...(name === undefined || sub.length === 0 ? {} : { subresource: sub.join('/') }),
  };
}

function lookup(registry: ResourceRegistry, group: string, resource: string | undefined): ResourceEntry | undefined {
  return resource === undefined ? undefined : registry.byGroupResource.get(groupResourceId(group, resource.toLowerCase()));
}

/**
 * The resource identity and etcd key behind a REST path, full URL or `kubectl get --raw` path.
 * Subresources (status, scale, log, ...) map to their parent object's key.
 */
export function parseRestPath(input: string, options: KeyOptions = {}): ParsedRestPath {
  const prefix = normalizePrefix(options.prefix);
  const registry = options.registry ?? builtinRegistry();
  const segments = decodeSegments(apiPathOf(input), input);

  const root = segments.findIndex((segment) => segment === 'api' || segment === 'apis');
  if (root < 0) throw badPath(input, 'is not under /api or /apis');
  const isCore = segments[root] === 'api';
  const group = isCore ? '' : segments[root + 1];
  const version = isCore ? segments[root + 1] : segments[root + 2];
  if (group === undefined || version === undefined) throw badPath(input, 'names an API group or version, not a resource');
  let rest = segments.slice(root + (isCore ? 2 : 3));
  const watch = rest[0] === 'watch';
  if (watch) rest = rest.slice(1);
  if (rest.length === 0) throw badPath(input, 'names an API group or version, not a resource');

  const services = isCore ? [] : registry.aggregated.filter((service) => service.group === group);
  if (services.length > 0) {
    const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
    const resource = (namespaced ? rest[2] : rest[0]) ?? '';
    const location = locationFrom(namespaced ? rest[1] : undefined, rest.slice(namespaced ? 3 : 1));
    return {
      type: 'aggregated',
      restPath: restPathUnder(groupVersionRoot(group, version), resource, location),
      group,
      version,
      resource,
      apiServices: services,
      ...location,
    };
  }

  let entry: ResourceEntry | undefined;
  let namespace: string | undefined;
  let tail: readonly string[] = [];
  // /namespaces/<ns>/<resource>/... unless <resource> is not a namespaced resource, in which case
  // the path is about the Namespace object itself (/api/v1/namespaces/<ns>/status).
  const namespacedCandidate = rest[0] === 'namespaces' ? lookup(registry, group, rest[2]) : undefined;
  if (namespacedCandidate?.namespaced === true) {
    entry = namespacedCandidate;
    namespace = rest[1];
    tail = rest.slice(3);
  } else {
    entry = lookup(registry, group, rest[0]);
    tail = rest.slice(1);
    if (entry?.namespaced === true && tail.length > 0) {
      throw badPath(input, `names a ${entry.kind} without its namespace (use /namespaces/<namespace>/${entry.resource}/<name>)`);
    }
  }
  if (entry === undefined) {
    const named = rest[0] === 'namespaces' && rest[2] !== undefined ? rest[2] : rest[0];
    throw new UnknownResourceError('unknown-resource', `"${input}": no resource "${named}" is known in ${group === '' ? 'the core group' : `group ${group}`}`);
  }

  const location = locationFrom(namespace, tail);
  let etcdKey: string;
  try {
    etcdKey = keyForEntry(entry, { ...(namespace === undefined ? {} : { namespace }), ...(location.name === undefined ? {} : { name: location.name }) }, prefix);
  } catch (error) {
    if (error instanceof KeyLayoutError) throw badPath(input, error.message);
    throw error;
  }
  return {
    type: 'resource',
    restPath: restPathForEntry(entry, location, version),
    group,
    version,
    versionServed: entry.versions.includes(version),
    resource: entry.resource,
    kind: entry.kind,
    namespaced: entry.namespaced,
    scope: scopeOf(entry),
    entry,
    etcdKey,
    watch,
    ...location,
  };
}
