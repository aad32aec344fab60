/**
 * Pairing: the objects of both sides matched by (group, resource, namespace, name), and the names
 * kubectl diff gives the files of a pair. No I/O.
 */
import type { JsonObject } from '../codec/json-value.js';
import type { ResourceEntry } from '../keys/index.js';
import type { FoundObject } from '../sources/object-source.js';

/** One object as found on either side; `from` or `to` is undefined where that side lacks it. */
export interface ObjectPair {
  entry: ResourceEntry;
  namespace: string | undefined;
  name: string;
  from: JsonObject | undefined;
  to: JsonObject | undefined;
}

/** kubectl's name of a resource: pods, deployments.apps. */
export function resourceName(entry: ResourceEntry): string {
  return entry.group === '' ? entry.resource : `${entry.resource}.${entry.group}`;
}

function identity(entry: ResourceEntry, namespace: string | undefined, name: string): string {
  return `${entry.group}\u0000${entry.resource}\u0000${namespace ?? ''}\u0000${name}`;
}

function sortKey(pair: ObjectPair): string {
  return `${resourceName(pair.entry)}\u0000${pair.namespace ?? ''}\u0000${pair.name}`;
}

/** The objects of both sides paired by group, resource, namespace and name; sorted by resource name, namespace, name. */
export function pairUp(fromFound: readonly FoundObject[], toFound: readonly FoundObject[]): ObjectPair[] {
  const pairs = new Map<string, ObjectPair>();
  for (const [which, found] of [
    ['from', fromFound],
    ['to', toFound],
  ] as const) {
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
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** kubectl diff's file name for a pair: <group.>version.Kind.namespace.name (slashes made underscores). */
export function diffFileName(pair: ObjectPair): string {
  const object = pair.from ?? pair.to ?? {};
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : pair.entry.storageVersion;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const kind = typeof object.kind === 'string' ? object.kind : pair.entry.kind;
  const group = pair.entry.group === '' ? '' : `${pair.entry.group}.`;
  return `${group}${version}.${kind}.${pair.namespace ?? ''}.${pair.name}`.replace(/\//g, '_');
}
