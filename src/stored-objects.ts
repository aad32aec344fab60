/**
 * Entries of a source turned into what a Kubernetes user knows: the resource registry learned
 * from the CRDs and APIServices stored in the same etcd, the top-level directories of the
 * registry, and stored values decoded into objects with metadata.resourceVersion filled in.
 */
import { decodeValue, type DecodedValue } from './codec/decode-value.js';
import { compareUtf8 } from './codec/utf8.js';
import type { ValueDecryptor } from './codec/decrypt.js';
import { ENCRYPTED_PREFIX, startsWith } from './codec/detect.js';
import { isJsonObject, type JsonObject } from './codec/json-value.js';
import { DecodeError, KregError } from './errors.js';
import { apiVersionOf, builtinRegistry, learnFromStoredObjects, tryParseKey, type ParsedKey, type ResourceRegistry, type SkippedDefinition } from './keys/index.js';
import { loadSchema } from './schema-bundle.js';
import { type Entry, entryBatches, type EntrySource, type RangeOptions } from './sources/source.js';

/** The smallest key greater than every key under the prefix: its last byte plus one ("/" → "0"). */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * The first-level directories under the prefix (/registry/pods/, /registry/services/, ...) and any
 * keys directly under it, in key order, found by looking at the first key of a stretch of the
 * keyspace rather than reading every key. etcd 3.4 counts every key to the end of the range it is
 * asked about, so the keyspace is cut into stretches, each ending with a directory kreg knows of
 * (`known`): a look then counts that directory and what lies before it, not every key after it.
 * The stretches are looked at all at once; a stretch holding directories kreg does not know is
 * looked at again past each one found.
 */
export async function* topLevelPrefixes(source: EntrySource, prefix: string, revision: number, known: readonly string[] = []): AsyncGenerator<string> {
  const base = `${prefix}/`;
  if (!source.splitsListingsByPrefix) {
    yield base;
    return;
  }
  const firstKey = async (from: string, before: string | undefined): Promise<string | undefined> => {
    for await (const entry of source.range({ prefix: base, revision, keysOnly: true, from, ...(before === undefined ? {} : { before }) })) return entry.key;
    return undefined;
  };
  // A directory's end cannot fall inside another directory: a first segment holds no "/".
  const ends = [...new Set(known.filter((dir) => dir.startsWith(base) && dir.length > base.length + 1 && dir.endsWith('/')).map(prefixEnd))].sort(compareUtf8);
  const stretches = [...ends, undefined].map((before, i) => ({ from: i === 0 ? base : (ends[i - 1] as string), before }));
  const looks = stretches.map(({ from, before }) => firstKey(from, before));
  // Each is awaited in its turn: those a reader that stops early never awaits may fail unheeded.
  for (const look of looks) look.catch(() => undefined);
  for (const [i, { before }] of stretches.entries()) {
    for (let first = await looks[i]; first !== undefined; ) {
      const slash = first.indexOf('/', base.length);
      const dir = slash < 0 ? first : first.slice(0, slash + 1);
      yield dir;
      const from = slash < 0 ? `${first}\u0000` : prefixEnd(dir);
      first = before === undefined || compareUtf8(from, before) < 0 ? await firstKey(from, before) : undefined;
    }
  }
}

/** The top-level directories the registry's resources are stored under (`<prefix>/pods/`, ...): topLevelPrefixes' known directories. */
export function registryDirectories(registry: ResourceRegistry, prefix: string): string[] {
  return registry.resources.map((entry) => `${prefix}/${entry.storagePath.split('/')[0] as string}/`);
}

/** Whether an error is etcd refusing the user this key or range (a scoped user's normal case). */
export function isPermissionDenied(err: unknown): boolean {
  return err instanceof KregError && err.code === 'etcd-permission-denied';
}

/**
 * Every entry under the prefix, one top-level directory at a time, at one revision. A directory
 * the user may not read is added to `denied` and skipped; when even the list of directories is
 * denied (a user scoped to a few prefixes), the registry's resource prefixes are tried one by one.
 */
export function everyEntry(
  source: EntrySource,
  prefix: string,
  revision: number,
  registry: ResourceRegistry,
  denied: string[],
  read: Pick<RangeOptions, 'sizesOnly' | 'borrowsValues'> = {},
): AsyncGenerator<Entry> {
  // A directory's range is read as the source gives it (no generator of its own around it: a
  // layer per entry costs about as much as a few percent of a listing's decoding).
  const range = (dir: string): AsyncIterable<Entry> => source.range({ ...read, prefix: dir, revision, readsAll: true });
  return everyDirectory(
    source,
    prefix,
    revision,
    registry,
    denied,
    directoryReader(source, revision, range, (entry) => entry),
  );
}

/** everyEntry's entries, a few at a time as the source hands them out (EntrySource.rangeBatches). */
export function everyEntryBatches(
  source: EntrySource,
  prefix: string,
  revision: number,
  registry: ResourceRegistry,
  denied: string[],
  read: Pick<RangeOptions, 'sizesOnly' | 'borrowsValues'> = {},
): AsyncGenerator<readonly Entry[]> {
  const range = (dir: string): AsyncIterable<readonly Entry[]> => entryBatches(source, { ...read, prefix: dir, revision, readsAll: true });
  return everyDirectory(
    source,
    prefix,
    revision,
    registry,
    denied,
    directoryReader(source, revision, range, (entry) => [entry]),
  );
}

/** How a top-level directory is read (its range), or a key directly under the prefix (got, and given as `one` says). */
function directoryReader<T>(source: EntrySource, revision: number, range: (dir: string) => AsyncIterable<T>, one: (entry: Entry) => T): (dir: string) => AsyncIterator<T> {
  return (dir) =>
    dir.endsWith('/')
      ? range(dir)[Symbol.asyncIterator]()
      : (async function* () {
          const entry = await source.get(dir, { revision });
          if (entry !== undefined) yield one(entry);
        })();
}

/** What `readDirectory` gives for each top-level directory (or key directly under the prefix), one directory ahead. */
async function* everyDirectory<T>(
  source: EntrySource,
  prefix: string,
  revision: number,
  registry: ResourceRegistry,
  denied: string[],
  readDirectory: (dir: string) => AsyncIterator<T>,
): AsyncGenerator<T> {
  const directories = readableDirectories(source, prefix, revision, registry)[Symbol.asyncIterator]();
  // One directory ahead: once a directory's first page is here, the next directory is looked for
  // and its first two (small) pages asked for while this one is read. Finding a directory is slow on a large
  // etcd (a range of limit 1 still counts every key after it: 30-70 ms each at 100k keys), and so
  // is a first page. A failure there (a denied directory) is met when its turn comes.
  const openNext = async (): Promise<OpenDirectory<T> | undefined> => {
    const next = await directories.next();
    if (next.done === true) return undefined;
    const entries = readDirectory(next.value);
    const first = entries.next();
    first.catch(() => undefined);
    return { dir: next.value, entries, first };
  };
  let current: OpenDirectory<T> | undefined;
  let upcoming: Promise<OpenDirectory<T> | undefined> | undefined = openNext();
  try {
    while ((current = await upcoming) !== undefined) {
      upcoming = undefined;
      try {
        let result = await current.first;
        upcoming = openNext();
        upcoming.catch(() => undefined);
        for (; result.done !== true; result = await current.entries.next()) yield result.value;
      } catch (err) {
        if (!isPermissionDenied(err)) throw err;
        denied.push(current.dir);
      }
      upcoming ??= openNext();
    }
  } finally {
    // A reader that stopped early (or a failure) leaves this directory and the next one open.
    await current?.entries.return?.(undefined);
    const next = await upcoming?.catch(() => undefined);
    await next?.entries.return?.(undefined);
  }
}

/** A directory whose reading has begun: its first entry (or batch) is asked for. */
interface OpenDirectory<T> {
  dir: string;
  entries: AsyncIterator<T>;
  first: Promise<IteratorResult<T>>;
}

/** Every entry under each of the prefixes, one range after another, at one revision. */
export async function* entriesUnder(source: EntrySource, prefixes: readonly string[], revision: number, read: Pick<RangeOptions, 'sizesOnly' | 'borrowsValues'> = {}): AsyncGenerator<Entry> {
  for (const prefix of prefixes) yield* source.range({ ...read, prefix, revision, readsAll: true });
}

/**
 * The top-level directories, or the registry's resource prefixes where the user may not look for
 * them: from the start (a user scoped to a few prefixes), or past the directories found so far (a
 * user who may read only part of the registry).
 */
async function* readableDirectories(source: EntrySource, prefix: string, revision: number, registry: ResourceRegistry): AsyncGenerator<string> {
  const dirs = topLevelPrefixes(source, prefix, revision, registryDirectories(registry, prefix))[Symbol.asyncIterator]();
  let last: string | undefined;
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await dirs.next();
    } catch (err) {
      if (!isPermissionDenied(err)) throw err;
      const prefixes = [...new Set(registry.resources.map((entry) => `${prefix}/${entry.storagePath}/`))].sort(compareUtf8);
      yield* prefixes.filter((dir) => last === undefined || (compareUtf8(dir, last) > 0 && !dir.startsWith(last)));
      return;
    }
    if (next.done === true) return;
    last = next.value;
    yield next.value;
  }
}

/** What learnRegistry learned, and what it could not. */
export interface LearnedRegistry {
  registry: ResourceRegistry;
  skipped: readonly SkippedDefinition[];
  /** Stored CRDs or APIServices that could not be decoded at all. */
  undecodable: { key: string; reason: string }[];
  /** Definition prefixes the user may not read (a scoped etcd user): their resources are not known. */
  denied: string[];
  /** The decoded definitions it was learned from (for rebuilding it elsewhere, e.g. in a worker). */
  definitions: { customResourceDefinitions: JsonObject[]; apiServices: JsonObject[] };
}

/**
 * Built-in resources plus the custom resources and aggregated groups this etcd defines (none
 * without a source): reads and decodes the stored CRDs and APIServices at the revision. CRDs it
 * cannot use are listed in `skipped` and `undecodable`, not thrown.
 *
 * @throws what the source throws (RevisionCompactedError, an etcd or snapshot error).
 * @example
 *   const { registry } = await learnRegistry(source, '/registry', await source.currentRevision());
 *   parseKey('/registry/example.com/widgets/default/w1', { registry });
 */
export async function learnRegistry(source: EntrySource | undefined, prefix: string, revision: number, options: DecodeEntryOptions = {}): Promise<LearnedRegistry> {
  return learnFromDefinitions(await readStoredDefinitions(source, prefix, revision, options.decryptor), prefix, options);
}

/**
 * learnRegistry's second half: the registry from the definitions as read, decoded as `options`
 * say (the release among them, which a caller may learn while they are read).
 */
export function learnFromDefinitions(read: StoredDefinitions, prefix: string, options: DecodeEntryOptions = {}): LearnedRegistry {
  const decoded = (definitions: DefinitionsRead): { objects: JsonObject[]; undecodable: LearnedRegistry['undecodable'] } => {
    const found: { objects: JsonObject[]; undecodable: LearnedRegistry['undecodable'] } = { objects: [], undecodable: [] };
    for (const entry of definitions.entries) {
      try {
        const object = decodeValue(loadSchema(options.kubeVersion), decryptEntry(entry, undefined, prefix, options.decryptor).value, valueDecodeOptions(options)).object;
        if (object !== undefined) found.objects.push(object);
      } catch (err) {
        found.undecodable.push({ key: entry.key, reason: err instanceof KregError ? err.message : String(err) });
      }
    }
    return found;
  };
  // What each found is told in this order: CRDs first.
  const crds = decoded(read.customResourceDefinitions);
  const services = decoded(read.apiServices);
  const definitions = { customResourceDefinitions: crds.objects, apiServices: services.objects };
  const { registry, skipped } = learnFromStoredObjects(definitions, builtinRegistry());
  return {
    registry,
    skipped,
    undecodable: [...crds.undecodable, ...services.undecodable],
    denied: [...read.customResourceDefinitions.denied, ...read.apiServices.denied],
    definitions,
  };
}

/** The stored CRDs and APIServices as read, not yet decoded (readStoredDefinitions). */
export interface StoredDefinitions {
  customResourceDefinitions: DefinitionsRead;
  apiServices: DefinitionsRead;
}

/** What was read under one definition prefix: its entries, and the prefix when the user may not read it. */
export interface DefinitionsRead {
  entries: Entry[];
  denied: string[];
}

/**
 * Reads the stored CRDs and APIServices at the revision, for learnRegistry to decode: both
 * prefixes at once where the source may interleave reads (one round trip to etcd less before any
 * command's first answer), one after the other where not, and with a KMS plugin (asked one value
 * at a time). A prefix the user may not read is `denied`, not thrown.
 *
 * @throws what the source throws (RevisionCompactedError, an etcd or snapshot error).
 */
export async function readStoredDefinitions(source: EntrySource | undefined, prefix: string, revision: number, decryptor?: ValueDecryptor): Promise<StoredDefinitions> {
  const read = async (path: string): Promise<DefinitionsRead> => {
    const found: DefinitionsRead = { entries: [], denied: [] };
    if (source === undefined) return found;
    try {
      for await (const entry of preparedEntries(source.range({ prefix: `${prefix}/${path}/`, revision, readsAll: true }), decryptor)) found.entries.push(entry);
    } catch (err) {
      if (!isPermissionDenied(err)) throw err;
      found.denied.push(`${prefix}/${path}/`);
    }
    return found;
  };
  const crdPath = 'apiextensions.k8s.io/customresourcedefinitions';
  const apiServicePath = 'apiregistration.k8s.io/apiservices';
  const [customResourceDefinitions, apiServices] = interleavesReadsWith(source, decryptor)
    ? await Promise.all([read(crdPath), read(apiServicePath)])
    : [await read(crdPath), await read(apiServicePath)];
  return { customResourceDefinitions, apiServices };
}

/** Whether reads of the source may run at once: it says so, and no KMS plugin must be asked (one value at a time) for what they read. */
export function interleavesReadsWith(source: EntrySource | undefined, decryptor: ValueDecryptor | undefined): boolean {
  return source?.interleavesReads === true && decryptor?.usesKms !== true;
}

/** An entry decoded by decodeEntry. */
export interface StoredObject {
  entry: Entry;
  /** What the key is, when it maps to something the registry knows. */
  parsed?: ParsedKey;
  /** The value as stored (no resourceVersion filled in): encode(decoded) gives the stored bytes back. */
  decoded: DecodedValue;
  /** The object as the API shows it, resourceVersion included; absent for encrypted or opaque values. */
  object?: JsonObject;
  /** The transformer that decrypted the value, when it was encrypted at rest and a decryptor read it. */
  decryptedWith?: { provider: string; keyName: string };
}

/** Options of decodeEntry. */
export interface DecodeEntryOptions {
  /**
   * Decrypts values encrypted at rest (from an EncryptionConfiguration); without it they stay
   * encrypted. KMS values need `await decryptor.prepare(entry.value)` before decodeEntry (a
   * stream of entries: preparedEntries does it).
   */
  decryptor?: ValueDecryptor;
  /** The Kubernetes release that wrote the values ("1.19"); default: the newest kreg knows. */
  kubeVersion?: string;
  /** The caller drops metadata.managedFields: their fieldsV1 are not parsed (see DecodeOptions). */
  managedFieldsHidden?: boolean;
}

/**
 * The stored bytes of an entry: its value, or what is inside it when it is encrypted at rest and a
 * decryptor is given. The key's resource picks the configuration rule (CRDs and APIServices,
 * read before the registry is known, are picked by their storage path).
 */
function decryptEntry(entry: Entry, parsed: ParsedKey | undefined, prefix: string, decryptor: ValueDecryptor | undefined): { value: Uint8Array; decryptedWith?: StoredObject['decryptedWith'] } {
  if (decryptor === undefined || !startsWith(entry.value, ENCRYPTED_PREFIX)) return { value: entry.value };
  const key = parsed ?? tryParseKey(entry.key, { prefix, registry: builtinRegistry() });
  const resource = key?.type === 'object' ? { group: key.group, resource: key.resource } : undefined;
  const decrypted = decryptor.decrypt(entry.value, entry.key, resource);
  return { value: decrypted.plaintext, decryptedWith: { provider: decrypted.provider, keyName: decrypted.keyName } };
}

function valueDecodeOptions(options: DecodeEntryOptions): { kubeVersion?: string; managedFieldsHidden?: boolean } {
  const hidden = options.managedFieldsHidden === true ? { managedFieldsHidden: true } : {};
  return options.kubeVersion === undefined ? hidden : { kubeVersion: options.kubeVersion, ...hidden };
}

/**
 * What kube-apiserver does on every read: resourceVersion is the key's mod revision. A copy (of
 * the top level and metadata), so the decoded object stays what was stored.
 */
export function withResourceVersion(object: JsonObject, modRevision: number): JsonObject {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  return { ...object, metadata: { ...metadata, resourceVersion: String(modRevision) } };
}

/**
 * The entries, each handed on once decodeEntry can decrypt it: a KMS value's DEK is asked of its
 * plugin first, one entry at a time in order. Without a KMS decryptor the entries themselves, so
 * a listing is not awaited per entry for nothing.
 */
export function preparedEntries<E extends Entry>(entries: AsyncIterable<E>, decryptor: ValueDecryptor | undefined): AsyncIterable<E> {
  if (decryptor?.usesKms !== true) return entries;
  return (async function* () {
    for await (const entry of entries) {
      await decryptor.prepare(entry.value);
      yield entry;
    }
  })();
}

/**
 * Decodes one entry as kube-apiserver reads it: the key tells the type of values stored without
 * one, and the object gets metadata.resourceVersion from the entry's mod revision.
 *
 * @throws DecodeError naming the key when the value is damaged; DecryptError when a decryptor is
 *   given and cannot decrypt the value (naming the provider and key name).
 */
export function decodeEntry(entry: Entry, registry: ResourceRegistry, prefix: string, options: DecodeEntryOptions = {}): StoredObject {
  const parsed = tryParseKey(entry.key, { prefix, registry });
  const type = parsed?.type === 'object' ? { apiVersion: apiVersionOf(parsed.group, parsed.version), kind: parsed.kind } : undefined;
  const { value, decryptedWith } = decryptEntry(entry, parsed, prefix, options.decryptor);
  // AES-CBC has no tag: a wrong key gives valid padding about once in 256 tries, and garbage,
  // which may even start like a stored value (a "{", the k8s envelope) and then fail to decode.
  const noStoredObject = (cause?: unknown): KregError =>
    new KregError(
      'decrypt-failed',
      `cannot decrypt with ${decryptedWith?.provider} key "${decryptedWith?.keyName}": the key is wrong or the value is damaged (what it gives is no stored object)`,
      { key: entry.key },
      cause === undefined ? undefined : { cause },
    );
  let decoded: DecodedValue;
  try {
    decoded = decodeValue(loadSchema(options.kubeVersion), value, type === undefined ? valueDecodeOptions(options) : { type, ...valueDecodeOptions(options) });
  } catch (err) {
    if (decryptedWith?.provider === 'aescbc' && err instanceof DecodeError) throw noStoredObject(err);
    throw err instanceof KregError ? err.withSubject({ key: entry.key }) : err;
  }
  if (decryptedWith !== undefined && (decoded.format === 'opaque' || decoded.format === 'encrypted')) throw noStoredObject();
  const stored: StoredObject = { entry, decoded };
  if (parsed !== undefined) stored.parsed = parsed;
  if (decryptedWith !== undefined) stored.decryptedWith = decryptedWith;
  if (decoded.object !== undefined) stored.object = withResourceVersion(decoded.object, entry.modRevision);
  return stored;
}
