/**
 * The one value model kreg uses for decoded objects, whatever they were stored as.
 *
 * Kubernetes's unstructured objects hold exactly these Go types: string, int64, float64, bool,
 * nil, []interface{} and map[string]interface{}. JSON and CBOR both keep int64 and float64 apart
 * (CBOR by major type, JSON by the spelling "1" vs "1.0"), and kreg must too, or re-encoding a
 * decoded value would not reproduce the stored bytes. JS has a single number type, so:
 *
 * - a plain `number` that is an integer is an int64 (only safe integers are produced by decoders;
 *   see isInt64Number for the rest);
 * - a `bigint` is an int64 outside the safe range (|n| > 2^53 - 1), kept exact;
 * - a plain `number` with a fraction is a float64 (it cannot be an int64, so no marker is needed);
 * - a `GoFloat` is a float64 whose value happens to be integral (1.0, -0.0, 1e300). Decoders only
 *   wrap integral floats, so every float64 has exactly one representation and deep equality works.
 *
 * Only the ambiguous case carries a marker, because it is rare in real objects (most float fields
 * hold fractions) and a plain number stays the easy thing to read everywhere else. The marker is
 * an object, so `typeof` says 'object' and `if (x)` holds even for GoFloat(0): read numbers
 * through numericValue (or valueOf) where a float may occur.
 *
 * Pure module: no Node APIs.
 */

/** A float64 whose value is integral, e.g. CBOR f9 3c00 or JSON `1.0`, which must not become int64 1. */
export class GoFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
    Object.freeze(this);
  }

  /** Arithmetic and comparisons (`x < 3`, `x + 1`) see the number. */
  valueOf(): number {
    return this.value;
  }

  /** JSON.stringify sees the number (it drops the sign of -0, as it does for plain -0). */
  toJSON(): number {
    return this.value;
  }

  toString(): string {
    return Object.is(this.value, -0) ? '-0' : String(this.value);
  }
}

/** A JSON object as decoded values hold it (see JsonValue). */
export type JsonObject = { [key: string]: JsonValue };
/** A JSON array as decoded values hold it (see JsonValue). */
export type JsonArray = JsonValue[];
/**
 * Any value of a decoded object: int64 as a safe-integer number or (beyond 2^53) a bigint, float64
 * as a number with a fraction or a GoFloat when integral, and strings, booleans, null, arrays, objects.
 */
export type JsonValue = string | number | bigint | boolean | null | GoFloat | JsonArray | JsonObject;

/**
 * The JsonValue for a Go float64: a plain number when it has a fraction, a GoFloat when it is
 * integral (so encoders write a float, not an integer).
 */
export function float64(value: number): number | GoFloat {
  return Number.isInteger(value) ? new GoFloat(value) : value;
}

/**
 * The JsonValue for a Go int64 given as a bigint: a plain number when it is safe, the bigint
 * otherwise. Decoders use this so that an integer has exactly one representation.
 */
export function int64(value: bigint): number | bigint {
  return value >= -MAX_SAFE_BIGINT && value <= MAX_SAFE_BIGINT ? Number(value) : value;
}

/**
 * Whether a plain number stands for an int64 (integral and in int64 range) rather than a float64.
 * Decoders only produce safe integers; the wider range covers numbers computed by callers, read
 * the way Kubernetes reads a JSON integer literal (beyond int64 it falls back to float64).
 */
export function isInt64Number(value: number): boolean {
  return Number.isInteger(value) && value >= -TWO_POW_63 && value < TWO_POW_63;
}

const TWO_POW_63 = 2 ** 63;

/** The numeric value of a number-like JsonValue (bigints may lose precision), else undefined. */
export function numericValue(value: JsonValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof GoFloat) return value.value;
  return undefined;
}

/** True for a JSON object (not an array, null, or a GoFloat). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoFloat);
}

/** A deep copy; GoFloat values (numbers that must print as Go prints them) are kept as they are. */
export function cloneJsonValue(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null || value instanceof GoFloat) return value;
  if (Array.isArray(value)) return value.map(cloneJsonValue);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = cloneJsonValue(v);
  return out;
}

/** True for objects that are JSON maps: plain objects, including null-prototype ones. */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets a property even when the key is "__proto__", which plain assignment would turn into a
 * prototype change instead of an own property.
 */
export function setOwnProperty(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** One step of a path into a value: an object key or an array index. */
export type PathSegment = string | number;

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Human-readable and unambiguous path, as used in error subjects: `spec.containers[0].name`,
 * with keys that are not identifier-like quoted: `metadata.annotations["example.com/x"]`.
 * The root is the empty string.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (SIMPLE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
