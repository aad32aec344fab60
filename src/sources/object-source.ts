/**
 * Where objects come from, one level above EntrySource: whole Kubernetes objects, found by resource,
 * namespace and name, whatever holds them. `kreg diff` reads both of its sides through this one
 * interface and never knows which kind of source it reads. Implemented by:
 *
 * - StoredObjectSource (here): any EntrySource (live etcd, a snapshot file) with its values decoded
 *   as the API would return them, at one pinned revision, with the CRDs it stores learned;
 * - ApiSource: a live Kubernetes API (it cannot list everything at once: list each resource);
 * - ManifestSource: a directory of YAML/JSON manifests.
 */
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { groupResourceId, keyForEntry, resolveResource, type ResourceEntry, type ResourceRegistry } from '../keys/index.js';
import { type DecodeEntryOptions, decodeEntry, everyEntry, preparedEntries } from '../stored-objects.js';
import type { Entry, EntrySource } from './source.js';

/** One object and where it belongs. `entry` is canonical: the resource the object is stored as. */
export interface FoundObject {
  entry: ResourceEntry;
  /** undefined for cluster-scoped resources. */
  namespace: string | undefined;
  name: string;
  object: JsonObject;
}

export interface ObjectSource {
  /** For messages and the header of a diff, e.g. "etcd https://127.0.0.1:2379 (revision 42)". */
  readonly description: string;
  /** The resources this source defines (built-ins plus its CRDs), when it learned them itself (etcd, snapshot). */
  readonly registry?: ResourceRegistry;
  /**
   * Tells the source which registry the caller resolves resources with, before any read; a source
   * that places objects by kind (manifests) places them with it. Returns the registry extended with
   * what the source defines itself (a directory's CRDs), for the caller to resolve with.
   */
  useRegistry?(registry: ResourceRegistry): ResourceRegistry;
  /** One object, or undefined when the source has none by that name. */
  get(resource: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined>;
  /** Every object of a resource (in one namespace, or all); undefined when the source does not serve the resource. */
  list(resource: ResourceEntry, namespace: string | undefined): Promise<FoundObject[] | undefined>;
  /** Every object the source holds; absent when it cannot enumerate them (the API: list each resource). */
  everything?(): Promise<FoundObject[]>;
  /** Values that could not be read and were left out, one line each (the caller says which source). */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Stand-ins for values encrypted at rest that could not be decrypted, with their stored bytes. */
const ENCRYPTED = new WeakMap<JsonObject, Uint8Array>();

/**
 * The stored bytes behind an object that stands for a value encrypted at rest (no keys were given,
 * so it could not be decrypted); undefined for real objects. Two such values compare by ciphertext.
 */
export function encryptedValueOf(object: JsonObject | undefined): Uint8Array | undefined {
  return object === undefined ? undefined : ENCRYPTED.get(object);
}

function encryptedStandIn(value: Uint8Array): JsonObject {
  const standIn: JsonObject = {};
  ENCRYPTED.set(standIn, value);
  return standIn;
}

/** The resource an entry is stored as (events.events.k8s.io is stored as core events), so both sides pair up. */
export function canonicalEntry(entry: ResourceEntry, registry: ResourceRegistry): ResourceEntry {
  if (entry.storedAs === undefined) return entry;
  return registry.byGroupResource.get(groupResourceId(entry.storedAs.group, entry.storedAs.resource)) ?? entry;
}

/**
 * The resources a comma-separated list names (`cm,deploy`, `events.events.k8s.io`), each as it is
 * stored and each once, in the order first named.
 * @throws UsageError naming a resource the registry does not know.
 */
export function storedResources(list: string, registry: ResourceRegistry): ResourceEntry[] {
  const entries = list
    .split(',')
    .filter((name) => name !== '')
    .map((name) => canonicalEntry(resolveResource(name, { registry }), registry));
  return [...new Map(entries.map((entry) => [`${entry.resource}.${entry.group}`, entry])).values()];
}

/** An EntrySource (live etcd or a snapshot file) read at one revision, its values decoded into objects. */
export class StoredObjectSource implements ObjectSource {
  readonly problems: string[] = [];
  private readonly source: EntrySource;
  private readonly prefix: string;
  readonly revision: number;
  readonly registry: ResourceRegistry;
  private readonly decodeOptions: DecodeEntryOptions;

  /**
   * Over a source already pinned at a revision, with the registry learned from it (see the CLI's
   * openStore); decodeOptions (decryptor, release) say how its values are decoded.
   */
  constructor(store: { source: EntrySource; prefix: string; revision: number; registry: ResourceRegistry; decodeOptions?: DecodeEntryOptions }) {
    this.decodeOptions = store.decodeOptions ?? {};
    this.source = store.source;
    this.prefix = store.prefix;
    this.revision = store.revision;
    this.registry = store.registry;
  }

  get description(): string {
    return `${this.source.description} (revision ${this.revision})`;
  }

  /** The object of an entry, or undefined (said in problems) when it cannot be decoded; keys that are not objects are skipped. */
  private decode(entry: Entry): FoundObject | undefined {
    try {
      const stored = decodeEntry(entry, this.registry, this.prefix, this.decodeOptions);
      if (stored.parsed?.type !== 'object') return undefined;
      const parsed = stored.parsed;
      if (stored.object === undefined && stored.decoded.format === 'encrypted') {
        return { entry: canonicalEntry(parsed.entry, this.registry), namespace: parsed.namespace, name: parsed.name, object: encryptedStandIn(entry.value) };
      }
      if (stored.object === undefined) {
        this.problems.push(`${entry.key}: value is ${stored.decoded.format ?? 'not decodable'} (encrypted or opaque); not compared`);
        return undefined;
      }
      return { entry: canonicalEntry(parsed.entry, this.registry), namespace: parsed.namespace, name: parsed.name, object: stored.object };
    } catch (err) {
      this.problems.push(err instanceof KregError ? err.describe() : String(err));
      return undefined;
    }
  }

  private async decodeAll(prefix: string, out: FoundObject[]): Promise<void> {
    for await (const e of preparedEntries(this.source.range({ prefix, revision: this.revision, readsAll: true }), this.decodeOptions.decryptor)) {
      const found = this.decode(e);
      if (found !== undefined) out.push(found);
    }
  }

  async get(resource: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const key = keyForEntry(resource, namespace === undefined ? { name } : { namespace, name }, this.prefix);
    const found = await this.source.get(key, { revision: this.revision });
    if (found === undefined) return undefined;
    await this.decodeOptions.decryptor?.prepare(found.value);
    const stored = decodeEntry(found, this.registry, this.prefix, this.decodeOptions);
    if (stored.object === undefined && stored.decoded.format === 'encrypted') return encryptedStandIn(found.value);
    if (stored.object === undefined) throw new KregError('undecodable', 'the value is opaque', { key });
    return stored.object;
  }

  async list(resource: ResourceEntry, namespace: string | undefined): Promise<FoundObject[]> {
    const out: FoundObject[] = [];
    await this.decodeAll(keyForEntry(resource, namespace === undefined ? {} : { namespace }, this.prefix), out);
    return out;
  }

  async everything(): Promise<FoundObject[]> {
    const out: FoundObject[] = [];
    const denied: string[] = [];
    for await (const entry of preparedEntries(everyEntry(this.source, this.prefix, this.revision, this.registry, denied), this.decodeOptions.decryptor)) {
      const found = this.decode(entry);
      if (found !== undefined) out.push(found);
    }
    if (denied.length > 0) this.problems.push(`permission denied, not read: ${denied.join(', ')}`);
    return out;
  }

  close(): Promise<void> {
    // A KMS plugin's connection would keep the process alive.
    this.decodeOptions.decryptor?.close();
    return this.source.close();
  }
}
