/**
 * What a printed object needs to be encoded back to its stored bytes, carried next to it as text:
 * the decoded value without its object (storage details, unknown fields and whatever later
 * releases of kreg record there) and the stored metadata the printed object shows otherwise
 * (managedFields kreg hid, a resourceVersion kreg replaced by the key's revision).
 *
 * The record is serialized generically: any plain object, array, string, number or boolean as
 * itself, and Uint8Array, bigint and GoFloat as tagged objects, so fields added to the decoded
 * value travel through unchanged without being listed here.
 *
 * Pure module: no Node APIs.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { DecodedValue } from './decode-value.js';
import { GoFloat, isJsonObject, isPlainObject, type JsonObject, type JsonValue } from './json-value.js';
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from './text.js';

/** Metadata members kube-apiserver clears before it stores an object (its versioner's PrepareObjectForStorage). */
export const NEVER_STORED_METADATA = ['resourceVersion', 'selfLink'] as const;

/** The record carried next to a printed object. Treat as opaque. */
export interface CarriedStorage {
  /** The decoded value without its object. */
  value: Omit<DecodedValue, 'object'>;
  /** Stored metadata members the printed object lacks or shows with another value, as stored. */
  metadata?: JsonObject;
  /**
   * JSON values: the stored object's shape, its keys in stored order (which printing sorts) with
   * every leaf 0. (Floats need nothing: Go writes float64 1 as `1`, as printing does.)
   */
  shape?: JsonValue;
}

/**
 * The record for `shown`, the object as printed (perhaps without managedFields, with a
 * resourceVersion), of `decoded`; undefined when the printed object alone encodes back to the
 * stored bytes (no unknown fields, nothing recorded about the bytes, nothing hidden).
 */
export function carriedStorageOf(decoded: DecodedValue, shown: JsonObject): CarriedStorage | undefined {
  const { object: stored, ...value } = decoded;
  if (stored === undefined) return undefined;
  const metadata: JsonObject = {};
  const storedMetadata = isJsonObject(stored.metadata) ? stored.metadata : {};
  const shownMetadata = isJsonObject(shown.metadata) ? shown.metadata : {};
  for (const [key, member] of Object.entries(storedMetadata)) {
    const neverStored = (NEVER_STORED_METADATA as readonly string[]).includes(key);
    if (neverStored || !(key in shownMetadata)) metadata[key] = member;
  }
  const record: CarriedStorage = { value };
  if (Object.keys(metadata).length > 0) record.metadata = metadata;
  // Protobuf and CBOR are written in their own field order; JSON text keeps the object's.
  if (decoded.format === 'json') record.shape = shapeOf(stored);
  else if (record.metadata === undefined && isPlainDefault(value)) return undefined;
  return record;
}

function shapeOf(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (!isJsonObject(value)) return 0;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(value)) defineMember(out, key, shapeOf(member));
  return out;
}

/** The value with its keys in the shape's order, keys the shape does not have after them. */
function withShape(value: JsonValue, shape: JsonValue | undefined): JsonValue {
  if (Array.isArray(value)) return Array.isArray(shape) ? value.map((item, i) => withShape(item, shape[i])) : value;
  if (!isJsonObject(value) || !isJsonObject(shape)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(shape)) if (Object.hasOwn(value, key)) defineMember(out, key, withShape(value[key] as JsonValue, shape[key]));
  for (const [key, member] of Object.entries(value)) if (!Object.hasOwn(out, key)) defineMember(out, key, member);
  return out;
}

/** Nothing the object does not show: no unknown fields and only an empty verbatim list in storage. */
function isPlainDefault(value: Omit<DecodedValue, 'object'>): boolean {
  if (value.format !== 'protobuf' || !value.knownKind || value.unknownFields.length > 0) return false;
  const storageKeys = Object.entries(value.storage).filter(([, v]) => v !== undefined);
  return storageKeys.length === 1 && storageKeys[0]?.[0] === 'verbatim' && value.storage.verbatim.length === 0;
}

/** The record as one line of base64 (of its JSON), to put in a YAML comment or a JSON string. */
export function serializeCarriedStorage(record: CarriedStorage): string {
  return base64Encode(utf8Encode(JSON.stringify(toTagged(record))));
}

/** The record serializeCarriedStorage wrote; DecodeError when the text is not one. */
export function parseCarriedStorage(text: string): CarriedStorage {
  const bytes = base64Decode(text.trim());
  let parsed: unknown;
  try {
    parsed = bytes === undefined ? undefined : JSON.parse(utf8Decode(bytes));
  } catch {
    parsed = undefined;
  }
  const record = fromTagged(parsed) as CarriedStorage | undefined;
  if (typeof record !== 'object' || record === null || typeof record.value !== 'object' || record.value === null || typeof record.value.format !== 'string') {
    throw new DecodeError('bad-carried-storage', 'the kreg storage record next to the object is damaged (it is what kreg decode/get print to re-encode the stored bytes)');
  }
  return record;
}

/**
 * The decoded value encode() takes for `object` read back with `record`: the stored metadata put
 * back where the object lacks it, and what kube-apiserver never stores left out unless the stored
 * bytes had it. An object edited since keeps its edits; the record applies where it still fits.
 */
export function restoreDecodedValue(object: JsonObject, record: CarriedStorage | undefined): DecodedValue | JsonObject {
  // A record of another kind (a line copied from elsewhere, a kind edited) does not fit at all.
  const fits = record !== undefined && sameType(object, record.value);
  const metadata = withStoredMetadata(object.metadata, fits ? (record.metadata ?? {}) : {});
  const restored: JsonObject = metadata === undefined ? object : { ...object, metadata };
  if (!fits) return restored;
  const shaped = record.shape === undefined ? restored : (withShape(restored, record.shape) as JsonObject);
  return { ...record.value, object: shaped } as DecodedValue;
}

/** The object names the type the record was decoded as (objects stored without TypeMeta name none). */
function sameType(object: JsonObject, value: Omit<DecodedValue, 'object'>): boolean {
  const named = (field: JsonValue | undefined, recorded: string | undefined): boolean => field === undefined || field === '' || recorded === undefined || field === recorded;
  return named(object.apiVersion, value.apiVersion) && named(object.kind, value.kind);
}

function withStoredMetadata(metadata: JsonObject[string] | undefined, stored: JsonObject): JsonObject | undefined {
  if (!isJsonObject(metadata)) return undefined;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(metadata)) {
    if (!(NEVER_STORED_METADATA as readonly string[]).includes(key)) out[key] = member;
  }
  for (const [key, member] of Object.entries(stored)) {
    if ((NEVER_STORED_METADATA as readonly string[]).includes(key) || !(key in out)) out[key] = member;
  }
  return out;
}

// Tagged JSON: {"$bytes": base64}, {"$bigint": digits}, {"$float": number}; an object's own keys
// starting with "$" get one more "$", so no stored value is ever read as a tag.

function toTagged(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: base64Encode(value) };
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value instanceof GoFloat) return { $float: value.value };
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toTagged(item)));
  if (typeof value === 'object' && value !== null) {
    // A Map, Set or class instance would come out as {}: better to fail than to lose it silently.
    if (!isPlainObject(value)) throw new EncodeError('uncarriable', `the storage record holds a ${value.constructor?.name ?? 'non-plain object'}, which it cannot carry as text`);
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) defineMember(out, key.startsWith('$') ? `$${key}` : key, toTagged(member));
    }
    return out;
  }
  return value;
}

function fromTagged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromTagged);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, member] = entries[0] as [string, unknown];
    if (key === '$bytes' && typeof member === 'string') return base64Decode(member) ?? new Uint8Array();
    if (key === '$bigint' && typeof member === 'string') return BigInt(member);
    if (key === '$float' && typeof member === 'number') return new GoFloat(member);
  }
  const out: Record<string, unknown> = {};
  for (const [key, member] of entries) defineMember(out, key.startsWith('$$') ? key.slice(1) : key, fromTagged(member));
  return out;
}

/** Sets an own member, also one named __proto__ (which plain assignment would take as the prototype). */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
