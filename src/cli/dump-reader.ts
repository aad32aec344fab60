/**
 * What `kreg dump` reads: the entries of the asked resources (or of everything), one at a time at
 * the store's revision, each decoded into an object or named as skipped and why. Nothing is
 * gathered: the caller writes each item before the next is read.
 */
import type { JsonObject } from '../codec/json-value.js';
import type { SkipReason } from '../dump/dump-manifest.js';
import { KregError } from '../errors.js';
import { keyForEntry, parseKey, type ParsedKey, type ResourceEntry } from '../keys/index.js';
import { canonicalEntry } from '../sources/object-source.js';
import type { Entry } from '../sources/source.js';
import { decodeEntry, everyEntry, preparedEntries } from '../stored-objects.js';
import type { Store } from './open-store.js';

export type DumpItem =
  | { kind: 'object'; key: string; entry: ResourceEntry; namespace: string | undefined; name: string; object: JsonObject }
  | { kind: 'skipped'; key: string; reason: SkipReason; detail: string };

/** What to read: some resources (in one namespace, or all), or every key (in one namespace, or all). */
export type DumpScope = { resources: readonly ResourceEntry[] | 'everything'; namespace: string | undefined };

export async function* dumpItems(store: Store, scope: DumpScope): AsyncGenerator<DumpItem> {
  // KMS values: the plugin is asked for their DEK before the (synchronous) decode.
  for await (const entry of preparedEntries(entriesOf(store, scope), store.decodeOptions.decryptor)) {
    const item = decode(store, entry);
    // Everything in one namespace: cluster-scoped objects and other namespaces are not asked for
    // (a resource listing is read in the namespace already).
    if (item.kind === 'object' && scope.resources === 'everything' && scope.namespace !== undefined && item.namespace !== scope.namespace) continue;
    yield item;
  }
}

function entriesOf(store: Store, scope: DumpScope): AsyncIterable<Entry> {
  const { source, prefix, revision } = store;
  if (scope.resources === 'everything') return everyEntry(source, prefix, revision, store.registry, store.denied);
  const resources = scope.resources;
  return (async function* () {
    for (const entry of resources) {
      const namespace = entry.namespaced ? scope.namespace : undefined;
      yield* source.range({ prefix: keyForEntry(entry, namespace === undefined ? {} : { namespace }, prefix), revision, readsAll: true });
    }
  })();
}

function decode(store: Store, entry: Entry): DumpItem {
  const skipped = (reason: SkipReason, detail: string): DumpItem => ({ kind: 'skipped', key: entry.key, reason, detail });
  // The key first: a key that holds no API object (a range allocator, a lease of old releases) is not decoded.
  let parsed: ParsedKey;
  try {
    parsed = parseKey(entry.key, { prefix: store.prefix, registry: store.registry });
  } catch (err) {
    return skipped('not an API object', err instanceof KregError ? err.message : 'no known resource stores its objects at this key');
  }
  if (parsed.type !== 'object') return skipped('not an API object', `a ${parsed.type} key`);
  try {
    const stored = decodeEntry(entry, store.registry, store.prefix, store.decodeOptions);
    if (stored.object === undefined && stored.decoded.format === 'encrypted') return skipped('encrypted', 'encrypted at rest; give --encryption-config to decrypt it');
    if (stored.object === undefined) return skipped('undecodable', `the value is ${stored.decoded.format ?? 'not decodable'}`);
    return { kind: 'object', key: entry.key, entry: canonicalEntry(parsed.entry, store.registry), namespace: parsed.namespace, name: parsed.name, object: stored.object };
  } catch (err) {
    return skipped('undecodable', err instanceof KregError ? err.message : String(err));
  }
}
