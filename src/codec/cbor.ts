/**
 * CBOR as Kubernetes writes it to storage, decoded to and encoded from kreg's JsonValue.
 *
 * Kubernetes (k8s.io/apimachinery runtime/serializer/cbor/internal/modes, on fxamacker/cbor) writes:
 * the self-describe tag 55799 (d9 d9 f7) before the top-level value; map keys sorted bytewise by
 * their encoded bytes (RFC 8949 §4.2.1); integers and lengths in their shortest form; floats in the
 * shortest of float16/32/64 that keeps the value; no NaN or infinities; no indefinite lengths; Go
 * strings and field names as byte strings (major type 2), not text strings; nil slices and maps
 * as null; []byte as a byte string in tag 22 (never in custom resources: unstructured has no []byte).
 *
 * Its decoder (modes/decode.go) also accepts text strings (rejecting invalid UTF-8 in them),
 * rejects duplicate map keys, integers outside int64, bignum tags 2/3, NaN/Inf and simple values
 * other than false/true/null, returns the content of unrecognized tags, turns time tags 0 and 1
 * into RFC 3339 strings and a byte string inside tags 21/22/23 into base64url/base64/hex text.
 * decodeCbor does the same, so the decoded value is what the API server would serve.
 *
 * Two deliberate differences. Indefinite lengths, which the API server accepts but never writes,
 * are rejected unless `allowIndefiniteLength` is set (kreg wants a byte-exact round trip). And the
 * nesting limit is `maxDepth`, 10000 by default like Go's encoding/json, where the API server
 * allows 65535 (since kubernetes#135340; before it, 64 levels and 1024 array elements or map
 * pairs, limits kreg does not apply so that it can still show values such a server rejects).
 *
 * Round trip: for anything Kubernetes's encoder writes, encodeCbor(decodeCbor(x).value) equals x.
 * That holds because the JsonValue model keeps int64 and float64 apart (see json-value.ts) and
 * because byte strings that are not valid UTF-8 survive as surrogate escapes (see utf8.ts).
 * The one exception is a []byte in tag 22: it decodes to its base64 text, as the API serves it,
 * and re-encodes as a plain string (custom resources, kept as unstructured, never contain one).
 * For every input, decodeCbor reports `canonical: false` when re-encoding would differ, and where.
 *
 * Decoding and encoding are iterative (explicit stacks), so deep nesting cannot overflow the JS
 * call stack (which gives out around 5000 recursive levels).
 *
 * Pure module: no Node APIs.
 */
import { DecodeError, EncodeError } from '../errors.js';
import { civilFromDays } from './go-time.js';
import { GoFloat, INT64_MAX, INT64_MIN, float64, formatPath, isInt64Number, isPlainObject, setOwnProperty } from './json-value.js';
import type { JsonArray, JsonObject, JsonValue, PathSegment } from './json-value.js';
import { compareByteRanges, compareBytes, decodeUtf8, firstInvalidUtf8, utf8ByteLength, writeUtf8 } from './utf8.js';

/** Tag 55799, "self-described CBOR", which Kubernetes puts before every stored CBOR value. */
export const SELF_DESCRIBED_CBOR_TAG = 55799;
/** The encoded form of tag 55799: how a stored CBOR value starts. */
export const SELF_DESCRIBED_CBOR_PREFIX: Uint8Array = Uint8Array.of(0xd9, 0xd9, 0xf7);

export const DEFAULT_MAX_DEPTH = 10000;

export interface CborDecodeOptions {
  /** Most arrays, maps and tags nested inside one another; deeper input fails. Default 10000. */
  maxDepth?: number;
  /**
   * Accept indefinite-length strings, arrays and maps as the API server does (they never
   * re-encode to the same bytes). Default false: they are a DecodeError.
   */
  allowIndefiniteLength?: boolean;
}

/** Where and why a decoded value would not re-encode to the bytes it came from. */
export interface NonCanonicalNote {
  offset: number;
  reason: string;
}

export interface CborDecoded {
  value: JsonValue;
  /** The value started with the self-describe tag 55799, as Kubernetes writes it. */
  selfDescribed: boolean;
  /**
   * encodeCbor(value, { selfDescribe: selfDescribed }) reproduces the input byte for byte: the
   * bytes are exactly what Kubernetes's encoder writes for this value.
   */
  canonical: boolean;
  /** The first thing that makes the input non-canonical, when it is. */
  nonCanonical?: NonCanonicalNote;
}

/** Decodes one CBOR data item (the whole input) into a JsonValue, as kube-apiserver would. */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): CborDecoded {
  const decoder = new CborDecoder(bytes, options.maxDepth ?? DEFAULT_MAX_DEPTH, options.allowIndefiniteLength ?? false);
  return decoder.decode();
}

/** True when the bytes start with the self-describe tag, i.e. look like a CBOR-stored object. */
export function hasSelfDescribedCborPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const MAJOR_TYPE_NAMES = ['an unsigned integer', 'a negative integer', 'a byte string', 'a text string', 'an array', 'a map', 'a tag', 'a simple value or float'];

/** Tags 21, 22, 23: "expected later encoding" base64url, base64, base16 of enclosed byte strings. */
type LaterEncoding = 21 | 22 | 23;

interface ArrayFrame {
  kind: 'array';
  target: JsonArray;
  /** Elements still to read; -1 for an indefinite-length array (ends at a break code). */
  remaining: number;
}

interface MapFrame {
  kind: 'map';
  target: JsonObject;
  /** Pairs still to read; -1 for an indefinite-length map. */
  remaining: number;
  /** Key read, value not yet; undefined while a key is expected. */
  key: string | undefined;
  /** Byte range of the current and the previous key, to check key order without re-encoding. */
  keyStart: number;
  previousKeyStart: number;
  previousKeyEnd: number;
}

interface TagFrame {
  kind: 'tag';
  /** The later-encoding tag in force outside this tag, restored when its content is done. */
  outerLaterEncoding: LaterEncoding | undefined;
}

type DecodeFrame = ArrayFrame | MapFrame | TagFrame;

const MAX_CACHED_STRING_BYTES = 32;
const MAX_CACHED_STRINGS = 4096;

class CborDecoder {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly maxDepth: number;
  private readonly allowIndefiniteLength: boolean;
  private readonly stack: DecodeFrame[] = [];
  private pos = 0;
  private laterEncoding: LaterEncoding | undefined = undefined;
  private note: NonCanonicalNote | undefined = undefined;
  private readonly stringCache = new Map<number, { from: number; to: number; text: string }>();

  constructor(bytes: Uint8Array, maxDepth: number, allowIndefiniteLength: boolean) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxDepth = maxDepth;
    this.allowIndefiniteLength = allowIndefiniteLength;
  }

  decode(): CborDecoded {
    if (this.bytes.length === 0) throw this.error('truncated', 'empty value: no CBOR data item', 0);
    const selfDescribed = hasSelfDescribedCborPrefix(this.bytes);
    if (selfDescribed) this.pos = 3;
    const value = this.readTree();
    if (this.pos !== this.bytes.length) {
      throw this.error('trailing-bytes', `${this.bytes.length - this.pos} bytes after the end of the CBOR data item`, this.pos);
    }
    const decoded: CborDecoded = { value, selfDescribed, canonical: this.note === undefined };
    if (this.note !== undefined) decoded.nonCanonical = this.note;
    return decoded;
  }

  private readTree(): JsonValue {
    const bytes = this.bytes;
    const end = bytes.length;
    const stack = this.stack;
    for (;;) {
      const parent = stack[stack.length - 1];
      const start = this.pos;
      const expectingKey = parent?.kind === 'map' && parent.key === undefined;
      if (expectingKey) parent.keyStart = start;
      if (start >= end) throw this.error('truncated', 'value ends where another data item was expected', end);

      const initial = bytes[start]!;
      let value: JsonValue;
      if (initial === 0xff) {
        if (parent === undefined || parent.kind === 'tag' || parent.remaining !== -1) {
          throw this.error('unexpected-break', 'break code outside an indefinite-length array or map', start);
        }
        if (parent.kind === 'map' && parent.key !== undefined) {
          throw this.error('unexpected-break', 'indefinite-length map ends between a key and its value', start);
        }
        this.pos = start + 1;
        stack.pop();
        value = parent.target;
      } else {
        const major = initial >> 5;
        const info = initial & 0x1f;
        // Unstructured maps are map[string]interface{}: a key that cannot be a string is an error.
        if (expectingKey && major !== 2 && major !== 3 && major !== 6) {
          throw this.error('map-key-not-string', `map key is ${MAJOR_TYPE_NAMES[major]}, not a string`, start);
        }
        switch (major) {
          case 0:
            value = this.readUnsigned(info, start);
            break;
          case 1:
            value = this.readNegative(info, start);
            break;
          case 2:
            value = this.readByteString(info, start);
            break;
          case 3:
            value = this.readTextString(info, start);
            break;
          case 4:
          case 5: {
            const empty = this.openContainer(major, info, start);
            if (empty === undefined) continue; // read its elements next
            value = empty;
            break;
          }
          case 6: {
            const scalar = this.openTag(info, start);
            if (scalar === undefined) continue; // read the tag content next
            value = scalar;
            break;
          }
          default:
            value = this.readSimpleOrFloat(info, start);
        }
      }

      // Hand the finished value to its parent; that may finish the parent, and so on upwards.
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) return value;
        if (frame.kind === 'array') {
          frame.target.push(value);
          if (frame.remaining === -1 || --frame.remaining > 0) break;
          stack.pop();
          value = frame.target;
        } else if (frame.kind === 'map') {
          if (frame.key === undefined) {
            this.acceptKey(frame, value);
            break;
          }
          setOwnProperty(frame.target, frame.key, value);
          frame.key = undefined;
          if (frame.remaining === -1 || --frame.remaining > 0) break;
          stack.pop();
          value = frame.target;
        } else {
          stack.pop();
          this.laterEncoding = frame.outerLaterEncoding;
        }
      }
    }
  }

  private acceptKey(frame: MapFrame, key: JsonValue): void {
    if (typeof key !== 'string') {
      throw this.error('map-key-not-string', 'map key is not a string', frame.keyStart);
    }
    if (Object.hasOwn(frame.target, key)) {
      throw this.error('duplicate-key', `duplicate map key ${JSON.stringify(key)}`, frame.keyStart);
    }
    const keyEnd = this.pos;
    if (this.note === undefined && frame.previousKeyEnd >= 0 && compareByteRanges(this.bytes, frame.previousKeyStart, frame.previousKeyEnd, this.bytes, frame.keyStart, keyEnd) > 0) {
      this.noteNonCanonical(frame.keyStart, 'map keys are not sorted bytewise by their encoding');
    }
    frame.previousKeyStart = frame.keyStart;
    frame.previousKeyEnd = keyEnd;
    frame.key = key;
  }

  /** Reads an array or map head; returns the value if it is empty, else pushes a frame. */
  private openContainer(major: 4 | 5, info: number, start: number): JsonValue | undefined {
    const kind = major === 4 ? 'array' : 'map';
    let length: number;
    if (info === 31) {
      this.requireIndefiniteAllowed(start, kind);
      this.pos = start + 1;
      length = -1;
    } else {
      const argument = this.readArgument(info, start);
      // Each element takes at least one byte: reject impossible lengths before allocating.
      const minimumBytes = major === 4 ? 1 : 2;
      if (typeof argument === 'bigint' || argument * minimumBytes > this.bytes.length - this.pos) {
        throw this.error('truncated', `${kind} of ${argument} elements runs past the end of the value`, start);
      }
      length = argument;
    }
    if (this.stack.length >= this.maxDepth) {
      throw this.error('too-deep', `nesting deeper than ${this.maxDepth} levels`, start);
    }
    if (major === 4) {
      const target: JsonArray = [];
      if (length === 0) return target;
      this.stack.push({ kind: 'array', target, remaining: length });
    } else {
      const target: JsonObject = {};
      if (length === 0) return target;
      this.stack.push({
        kind: 'map',
        target,
        remaining: length,
        key: undefined,
        keyStart: start,
        previousKeyStart: -1,
        previousKeyEnd: -1,
      });
    }
    return undefined;
  }

  /**
   * Reads a tag head. Time tags (whose content is a scalar) are decoded at once and their string
   * returned; other tags push a frame and their content is read next.
   */
  private openTag(info: number, start: number): JsonValue | undefined {
    if (info === 31) throw this.error('ill-formed', 'a tag cannot have indefinite length', start);
    const tagNumber = this.readArgument(info, start);
    this.noteNonCanonical(
      start,
      tagNumber === SELF_DESCRIBED_CBOR_TAG ? 'self-describe tag 55799 other than once at the very start' : `tag ${tagNumber}, which Kubernetes's encoder does not write in custom resources`,
    );
    switch (tagNumber) {
      case 0:
        return this.readRfc3339Tag(start);
      case 1:
        return this.readEpochTag(start);
      case 2:
      case 3:
        throw this.error('bignum', `bignum tag ${tagNumber} is not accepted: integers must fit in int64`, start);
    }
    if (this.stack.length >= this.maxDepth) {
      throw this.error('too-deep', `nesting deeper than ${this.maxDepth} levels`, start);
    }
    this.stack.push({ kind: 'tag', outerLaterEncoding: this.laterEncoding });
    if (tagNumber === 21 || tagNumber === 22 || tagNumber === 23) this.laterEncoding = tagNumber;
    return undefined;
  }

  /** Tag 0: an RFC 3339 text string, which the API server re-formats as RFC3339Nano. */
  private readRfc3339Tag(tagStart: number): string {
    const start = this.pos;
    const head = this.bytes[start];
    if (head === undefined) throw this.error('truncated', 'tag 0 without content', tagStart);
    if (head >> 5 !== 3) {
      throw this.error('invalid-tag-content', `tag 0 must enclose a text string, not ${MAJOR_TYPE_NAMES[head >> 5]}`, start);
    }
    const text = this.readTextString(head & 0x1f, start);
    const formatted = reformatRfc3339(text);
    if (formatted === undefined) {
      throw this.error('invalid-time', `tag 0 content ${JSON.stringify(text)} is not an RFC 3339 time`, start);
    }
    return formatted;
  }

  /** Tag 1: seconds since the epoch, integer or float, which the API server formats as UTC RFC3339Nano. */
  private readEpochTag(tagStart: number): string {
    const start = this.pos;
    const head = this.bytes[start];
    if (head === undefined) throw this.error('truncated', 'tag 1 without content', tagStart);
    const major = head >> 5;
    let formatted: string | undefined;
    if (major === 0 || major === 1) {
      const seconds = major === 0 ? this.readUnsigned(head & 0x1f, start) : this.readNegative(head & 0x1f, start);
      formatted = formatEpoch(typeof seconds === 'bigint' ? seconds : BigInt(seconds as number), 0);
    } else if (head >= 0xf9 && head <= 0xfb) {
      const float = this.readSimpleOrFloat(head & 0x1f, start);
      const value = float instanceof GoFloat ? float.value : (float as number);
      // Go: seconds, fractional := math.Modf(f); time.Unix(int64(seconds), int64(fractional*1e9))
      const seconds = Math.trunc(value);
      const nanoseconds = Math.trunc((value - seconds) * 1e9);
      formatted = Number.isSafeInteger(seconds) ? formatEpoch(BigInt(seconds), nanoseconds) : undefined;
    } else {
      throw this.error('invalid-tag-content', `tag 1 must enclose an integer or float, not ${MAJOR_TYPE_NAMES[major]}`, start);
    }
    if (formatted === undefined) {
      throw this.error('invalid-time', 'tag 1 time cannot be represented in RFC 3339 (year outside 0..9999)', start);
    }
    return formatted;
  }

  private readUnsigned(info: number, start: number): number | bigint {
    if (info === 31) throw this.error('ill-formed', 'an integer cannot have indefinite length', start);
    const argument = this.readArgument(info, start);
    if (typeof argument === 'number') return argument; // below 2^53: safe
    if (argument > INT64_MAX) throw this.error('integer-overflow', `integer ${argument} overflows int64`, start);
    return argument;
  }

  private readNegative(info: number, start: number): number | bigint {
    if (info === 31) throw this.error('ill-formed', 'an integer cannot have indefinite length', start);
    const argument = this.readArgument(info, start);
    if (typeof argument === 'number') {
      // -1 - argument is safe unless argument is 2^53 - 1 exactly.
      return argument < Number.MAX_SAFE_INTEGER ? -1 - argument : -1n - BigInt(argument);
    }
    const value = -1n - argument;
    if (value < INT64_MIN) throw this.error('integer-overflow', `integer ${value} overflows int64`, start);
    return value;
  }

  private readByteString(info: number, start: number): string {
    if (info === 31) {
      const chunks = this.readChunks(2, start);
      let total = 0;
      for (const [from, to] of chunks) total += to - from;
      const joined = new Uint8Array(total);
      let at = 0;
      for (const [from, to] of chunks) {
        joined.set(this.bytes.subarray(from, to), at);
        at += to - from;
      }
      return this.byteStringText(joined, 0, total);
    }
    const length = this.readArgument(info, start);
    if (typeof length === 'bigint' || length > this.bytes.length - this.pos) {
      throw this.error('truncated', `byte string of ${length} bytes runs past the end of the value`, start);
    }
    const from = this.pos;
    this.pos += length;
    if (length <= MAX_CACHED_STRING_BYTES && this.laterEncoding === undefined) return this.cachedString(from, this.pos);
    return this.byteStringText(this.bytes, from, this.pos);
  }

  /**
   * Short strings repeat (field names, label values): decode each once. Besides the decoding,
   * this saves V8 from hashing a fresh copy of every key string when it becomes a property name.
   */
  private cachedString(from: number, to: number): string {
    const bytes = this.bytes;
    let hash = 0x811c9dc5; // FNV-1a
    for (let at = from; at < to; at++) hash = Math.imul(hash ^ bytes[at]!, 0x01000193);
    hash ^= to - from;
    const entry = this.stringCache.get(hash);
    if (entry !== undefined && compareByteRanges(bytes, entry.from, entry.to, bytes, from, to) === 0) return entry.text;
    const text = decodeUtf8(bytes, from, to);
    if (entry === undefined && this.stringCache.size < MAX_CACHED_STRINGS) this.stringCache.set(hash, { from, to, text });
    return text;
  }

  /** A Go string from a byte string, or its base64/base64url/hex text inside tags 21-23. */
  private byteStringText(source: Uint8Array, from: number, to: number): string {
    switch (this.laterEncoding) {
      case undefined:
        return decodeUtf8(source, from, to);
      case 21:
        return base64(source, from, to, BASE64URL_ALPHABET, false);
      case 22:
        return base64(source, from, to, BASE64_ALPHABET, true);
      case 23:
        return hex(source, from, to);
    }
  }

  private readTextString(info: number, start: number): string {
    this.noteNonCanonical(start, "text string (Kubernetes's encoder writes strings as byte strings)");
    const ranges = info === 31 ? this.readChunks(3, start) : [this.readDefiniteRange(info, start, 'text string')];
    let text = '';
    for (const [from, to] of ranges) {
      const invalidAt = firstInvalidUtf8(this.bytes, from, to);
      if (invalidAt !== -1) throw this.error('invalid-utf8', 'text string is not valid UTF-8', invalidAt);
      text += decodeUtf8(this.bytes, from, to);
    }
    return text;
  }

  private readDefiniteRange(info: number, start: number, what: string): [number, number] {
    const length = this.readArgument(info, start);
    if (typeof length === 'bigint' || length > this.bytes.length - this.pos) {
      throw this.error('truncated', `${what} of ${length} bytes runs past the end of the value`, start);
    }
    const from = this.pos;
    this.pos += length;
    return [from, this.pos];
  }

  /** The chunks of an indefinite-length string: definite strings of the same major type up to a break. */
  private readChunks(major: 2 | 3, start: number): [number, number][] {
    this.requireIndefiniteAllowed(start, major === 2 ? 'byte string' : 'text string');
    this.pos = start + 1;
    const chunks: [number, number][] = [];
    for (;;) {
      const chunkStart = this.pos;
      const head = this.bytes[chunkStart];
      if (head === undefined) throw this.error('truncated', 'indefinite-length string without its break code', start);
      if (head === 0xff) {
        this.pos = chunkStart + 1;
        return chunks;
      }
      if (head >> 5 !== major || (head & 0x1f) === 31) {
        throw this.error('ill-formed', 'indefinite-length string chunk is not a definite string of the same type', chunkStart);
      }
      chunks.push(this.readDefiniteRange(head & 0x1f, chunkStart, 'string chunk'));
    }
  }

  private readSimpleOrFloat(info: number, start: number): JsonValue {
    const bytes = this.bytes;
    switch (info) {
      case 20:
        this.pos = start + 1;
        return false;
      case 21:
        this.pos = start + 1;
        return true;
      case 22:
        this.pos = start + 1;
        return null;
      case 23:
        throw this.error('unsupported-simple-value', 'undefined is not accepted (only false, true and null)', start);
      case 24: {
        this.need(start, 1);
        const simple = bytes[start + 1]!;
        if (simple < 32) throw this.error('ill-formed', `simple value ${simple} in two-byte form`, start);
        throw this.error('unsupported-simple-value', `simple value ${simple} is not accepted (only false, true and null)`, start);
      }
      case 25:
        this.need(start, 2);
        this.pos = start + 3;
        return this.acceptFloat(float16ToNumber(this.view.getUint16(start + 1)), 16, start);
      case 26:
        this.need(start, 4);
        this.pos = start + 5;
        return this.acceptFloat(this.view.getFloat32(start + 1), 32, start);
      case 27:
        this.need(start, 8);
        this.pos = start + 9;
        return this.acceptFloat(this.view.getFloat64(start + 1), 64, start);
      case 28:
      case 29:
      case 30:
        throw this.error('reserved-additional-info', `reserved additional information ${info}`, start);
      case 31:
        throw this.error('unexpected-break', 'break code outside an indefinite-length item', start);
      default:
        throw this.error('unsupported-simple-value', `simple value ${info} is not accepted (only false, true and null)`, start);
    }
  }

  private acceptFloat(value: number, width: 16 | 32 | 64, start: number): JsonValue {
    if (Number.isNaN(value)) throw this.error('non-finite-float', 'NaN has no JSON representation', start);
    if (!Number.isFinite(value)) throw this.error('non-finite-float', 'infinity has no JSON representation', start);
    if (shortestFloatWidth(value) < width) {
      this.noteNonCanonical(start, `float${width} whose value fits in float${shortestFloatWidth(value)}`);
    }
    return float64(value);
  }

  /**
   * The argument of a head (value, length or tag number); moves past the head. Below 2^53 it is
   * a number, else a bigint.
   */
  private readArgument(info: number, start: number): number | bigint {
    if (info < 24) {
      this.pos = start + 1;
      return info;
    }
    let value: number | bigint;
    let shortest: boolean;
    switch (info) {
      case 24:
        this.need(start, 1);
        value = this.bytes[start + 1]!;
        shortest = value >= 24;
        this.pos = start + 2;
        break;
      case 25:
        this.need(start, 2);
        value = this.view.getUint16(start + 1);
        shortest = value > 0xff;
        this.pos = start + 3;
        break;
      case 26:
        this.need(start, 4);
        value = this.view.getUint32(start + 1);
        shortest = value > 0xffff;
        this.pos = start + 5;
        break;
      case 27: {
        this.need(start, 8);
        const high = this.view.getUint32(start + 1);
        const low = this.view.getUint32(start + 5);
        value = high < 0x200000 ? high * 0x100000000 + low : (BigInt(high) << 32n) | BigInt(low);
        shortest = high !== 0;
        this.pos = start + 9;
        break;
      }
      case 31:
        throw this.error('ill-formed', 'unexpected indefinite length', start);
      default:
        throw this.error('reserved-additional-info', `reserved additional information ${info}`, start);
    }
    if (!shortest) this.noteNonCanonical(start, 'integer, length or tag number not in its shortest form');
    return value;
  }

  private need(start: number, argumentBytes: number): void {
    if (start + 1 + argumentBytes > this.bytes.length) {
      throw this.error('truncated', 'data item runs past the end of the value', start);
    }
  }

  private requireIndefiniteAllowed(start: number, what: string): void {
    if (!this.allowIndefiniteLength) {
      throw this.error('indefinite-length', `indefinite-length ${what} (Kubernetes never writes them)`, start);
    }
    this.noteNonCanonical(start, `indefinite-length ${what}`);
  }

  private noteNonCanonical(offset: number, reason: string): void {
    if (this.note === undefined) this.note = { offset, reason };
  }

  private error(code: string, message: string, offset: number): DecodeError {
    return new DecodeError(code, `CBOR: ${message}`, { offset, path: this.currentPath() });
  }

  /** Path of the item being read, from the open arrays and maps. */
  private currentPath(): string {
    const segments: PathSegment[] = [];
    for (const frame of this.stack) {
      if (frame.kind === 'array') segments.push(frame.target.length);
      else if (frame.kind === 'map' && frame.key !== undefined) segments.push(frame.key);
    }
    return formatPath(segments);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

export interface CborEncodeOptions {
  /** Start with the self-describe tag 55799 (d9 d9 f7), as Kubernetes does in storage. Default true. */
  selfDescribe?: boolean;
  /** Most arrays and maps nested inside one another; deeper (or cyclic) values fail. Default 10000. */
  maxDepth?: number;
}

/**
 * Encodes a JsonValue as Kubernetes's CBOR encoder would encode the equivalent unstructured
 * object. Integral plain numbers (and bigints) are int64 and must fit in it; a plain integral
 * number of 2^63 or more is a float64, as Kubernetes would read it from JSON; GoFloat and
 * fractional numbers are float64.
 */
export function encodeCbor(value: JsonValue, options: CborEncodeOptions = {}): Uint8Array {
  const encoder = new CborEncoder(options.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (options.selfDescribe ?? true) encoder.writeBytes(SELF_DESCRIBED_CBOR_PREFIX);
  encoder.encode(value);
  return encoder.result();
}

interface ArrayEncodeFrame {
  kind: 'array';
  items: readonly unknown[];
  /** Index of the next element to write. */
  next: number;
}

interface MapEncodeFrame {
  kind: 'map';
  object: Readonly<Record<string, unknown>>;
  /** Keys in output order, each with its encoded bytes (head and content). */
  keys: readonly SortedKey[];
  next: number;
}

interface SortedKey {
  key: string;
  encoded: Uint8Array;
}

const TWO_POW_32 = 0x100000000;

class CborEncoder {
  private buffer = new Uint8Array(4096);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private readonly maxDepth: number;
  private readonly stack: (ArrayEncodeFrame | MapEncodeFrame)[] = [];
  /** Encoded keys by key: objects in one value mostly share their field names. */
  private readonly keyCache = new Map<string, Uint8Array>();

  constructor(maxDepth: number) {
    this.maxDepth = maxDepth;
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  encode(root: JsonValue): void {
    const stack = this.stack;
    let current: unknown = root;
    for (;;) {
      this.writeItem(current);
      // Find the next item to write: the next element of the innermost unfinished container.
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) return;
        if (frame.kind === 'array') {
          if (frame.next < frame.items.length) {
            current = frame.items[frame.next++];
            break;
          }
        } else if (frame.next < frame.keys.length) {
          const { key, encoded } = frame.keys[frame.next++]!;
          this.writeBytes(encoded);
          current = frame.object[key];
          break;
        }
        stack.pop();
      }
    }
  }

  /** Writes a scalar, or the head of a container (pushing a frame for its elements). */
  private writeItem(item: unknown): void {
    switch (typeof item) {
      case 'string':
        this.writeString(item);
        return;
      case 'number':
        if (isInt64Number(item)) this.writeInteger(item);
        else this.writeFloat(item);
        return;
      case 'bigint':
        this.writeBigInteger(item);
        return;
      case 'boolean':
        this.writeByte(item ? 0xf5 : 0xf4);
        return;
      case 'object':
        if (item === null) {
          this.writeByte(0xf6);
          return;
        }
        if (item instanceof GoFloat) {
          this.writeFloat(item.value);
          return;
        }
        if (Array.isArray(item)) {
          this.writeHead(4, item.length);
          if (item.length > 0) this.push({ kind: 'array', items: item, next: 0 });
          return;
        }
        if (isPlainObject(item)) {
          const object = item as Readonly<Record<string, unknown>>;
          const keys = this.sortedKeys(object);
          this.writeHead(5, keys.length);
          if (keys.length > 0) this.push({ kind: 'map', object, keys, next: 0 });
          return;
        }
        throw this.error('not-json-value', `${describeObject(item)} is not a JSON value`);
      default:
        throw this.error('not-json-value', `${typeof item} is not a JSON value`);
    }
  }

  private push(frame: ArrayEncodeFrame | MapEncodeFrame): void {
    if (this.stack.length >= this.maxDepth) {
      throw this.error('too-deep', `nesting deeper than ${this.maxDepth} levels (is the value cyclic?)`);
    }
    this.stack.push(frame);
  }

  /** Keys in RFC 8949 §4.2.1 order: bytewise by encoded key, i.e. shorter first, then by bytes. */
  private sortedKeys(object: Readonly<Record<string, unknown>>): SortedKey[] {
    const keys = Object.keys(object).map((key) => ({ key, encoded: this.encodedKey(key) }));
    if (keys.length > 1) keys.sort((a, b) => compareBytes(a.encoded, b.encoded));
    return keys;
  }

  private encodedKey(key: string): Uint8Array {
    let encoded = this.keyCache.get(key);
    if (encoded === undefined) {
      const byteLength = utf8ByteLength(key);
      const headLength = headSize(byteLength);
      encoded = new Uint8Array(headLength + byteLength);
      writeHeadInto(encoded, new DataView(encoded.buffer), 0, 2, byteLength);
      writeUtf8(key, encoded, headLength);
      this.keyCache.set(key, encoded);
    }
    return encoded;
  }

  private writeString(text: string): void {
    const byteLength = utf8ByteLength(text);
    this.writeHead(2, byteLength);
    this.reserve(byteLength);
    this.length = writeUtf8(text, this.buffer, this.length);
  }

  private writeInteger(value: number): void {
    if (value >= 0) this.writeHead(0, value);
    else if (value >= -Number.MAX_SAFE_INTEGER) this.writeHead(1, -1 - value);
    else this.writeBigInteger(BigInt(value));
  }

  private writeBigInteger(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw this.error('integer-overflow', `integer ${value} does not fit in int64`);
    }
    if (value >= 0n) this.writeHead(0, value);
    else this.writeHead(1, -1n - value);
  }

  private writeFloat(value: number): void {
    if (!Number.isFinite(value)) {
      throw this.error('non-finite-float', `${value} has no JSON representation and Kubernetes rejects it`);
    }
    const half = float16Bits(value);
    if (half !== -1) {
      this.reserve(3);
      this.buffer[this.length] = 0xf9;
      this.view.setUint16(this.length + 1, half);
      this.length += 3;
    } else if (Math.fround(value) === value) {
      this.reserve(5);
      this.buffer[this.length] = 0xfa;
      this.view.setFloat32(this.length + 1, value);
      this.length += 5;
    } else {
      this.reserve(9);
      this.buffer[this.length] = 0xfb;
      this.view.setFloat64(this.length + 1, value);
      this.length += 9;
    }
  }

  private writeHead(major: number, argument: number | bigint): void {
    this.reserve(9);
    this.length = writeHeadInto(this.buffer, this.view, this.length, major, argument);
  }

  private writeByte(byte: number): void {
    this.reserve(1);
    this.buffer[this.length++] = byte;
  }

  writeBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  private error(code: string, message: string): EncodeError {
    const segments: PathSegment[] = [];
    for (const frame of this.stack) {
      if (frame.kind === 'array') segments.push(frame.next - 1);
      else segments.push(frame.keys[frame.next - 1]?.key ?? '');
    }
    return new EncodeError(code, `CBOR: ${message}`, { path: formatPath(segments) });
  }
}

function describeObject(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

/** Bytes taken by a head with this argument. */
function headSize(argument: number): number {
  if (argument < 24) return 1;
  if (argument <= 0xff) return 2;
  if (argument <= 0xffff) return 3;
  if (argument < TWO_POW_32) return 5;
  return 9;
}

/** Writes a head in its shortest form at offset; returns the offset after it. */
function writeHeadInto(target: Uint8Array, view: DataView, offset: number, major: number, argument: number | bigint): number {
  const type = major << 5;
  if (typeof argument === 'bigint') {
    if (argument < BigInt(Number.MAX_SAFE_INTEGER)) return writeHeadInto(target, view, offset, major, Number(argument));
    target[offset] = type | 27;
    view.setUint32(offset + 1, Number(argument >> 32n));
    view.setUint32(offset + 5, Number(argument & 0xffffffffn));
    return offset + 9;
  }
  if (argument < 24) {
    target[offset] = type | argument;
    return offset + 1;
  }
  if (argument <= 0xff) {
    target[offset] = type | 24;
    target[offset + 1] = argument;
    return offset + 2;
  }
  if (argument <= 0xffff) {
    target[offset] = type | 25;
    view.setUint16(offset + 1, argument);
    return offset + 3;
  }
  if (argument < TWO_POW_32) {
    target[offset] = type | 26;
    view.setUint32(offset + 1, argument);
    return offset + 5;
  }
  target[offset] = type | 27;
  view.setUint32(offset + 1, Math.floor(argument / TWO_POW_32));
  view.setUint32(offset + 5, argument % TWO_POW_32);
  return offset + 9;
}

// ---------------------------------------------------------------------------------------------
// Floats

/** Value of an IEEE 754 binary16. */
function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The binary16 bits of a finite value that binary16 holds exactly (subnormals included, as
 * fxamacker/cbor's ShortestFloat16 uses them), or -1.
 */
function float16Bits(value: number): number {
  if (value === 0) return Object.is(value, -0) ? 0x8000 : 0;
  const sign = value < 0 ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude > 65504) return -1;
  if (magnitude < 2 ** -14) {
    // Subnormal: a multiple of 2^-24 below 2^-14. Scaling by a power of two is exact.
    const units = magnitude * 2 ** 24;
    return Number.isInteger(units) ? sign | units : -1;
  }
  let exponent = Math.floor(Math.log2(magnitude));
  // log2 can be off by one next to powers of two; settle it exactly.
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  // magnitude / 2^exponent is in [1, 2); subtracting 1 and scaling are exact.
  const fraction = (magnitude / 2 ** exponent - 1) * 1024;
  return Number.isInteger(fraction) ? sign | ((exponent + 15) << 10) | fraction : -1;
}

/** Bits of the narrowest IEEE float that holds the finite value exactly: 16, 32 or 64. */
function shortestFloatWidth(value: number): 16 | 32 | 64 {
  if (Math.fround(value) !== value) return 64;
  return float16Bits(value) === -1 ? 32 : 16;
}

// ---------------------------------------------------------------------------------------------
// Text encodings for tags 21-23 and times for tags 0-1

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64 (Go's base64.StdEncoding with padding, or RawURLEncoding without). */
function base64(bytes: Uint8Array, from: number, to: number, alphabet: string, pad: boolean): string {
  let text = '';
  let at = from;
  for (; at + 3 <= to; at += 3) {
    const triple = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    text += alphabet[triple >> 18]! + alphabet[(triple >> 12) & 63]! + alphabet[(triple >> 6) & 63]! + alphabet[triple & 63]!;
  }
  const rest = to - at;
  if (rest === 1) {
    const single = bytes[at]! << 16;
    text += alphabet[single >> 18]! + alphabet[(single >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const pair = (bytes[at]! << 16) | (bytes[at + 1]! << 8);
    text += alphabet[pair >> 18]! + alphabet[(pair >> 12) & 63]! + alphabet[(pair >> 6) & 63]! + (pad ? '=' : '');
  }
  return text;
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  let text = '';
  for (let at = from; at < to; at++) text += bytes[at]!.toString(16).padStart(2, '0');
  return text;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * What Go's time.Parse(time.RFC3339, s) then MarshalText (RFC3339Nano) makes of s, or undefined
 * when it does not parse. Follows Go's fast RFC 3339 path; its lenient fallback (e.g. a one-digit
 * hour) is not reproduced and such input fails here.
 */
function reformatRfc3339(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zoneSign, zoneHour, zoneMinute] = match;
  const y = Number(year);
  const m = Number(month);
  if (m < 1 || m > 12 || Number(day) < 1 || Number(day) > daysInMonth(y, m)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  let zone = 'Z';
  if (zoneSign !== undefined) {
    if (Number(zoneHour) > 23 || Number(zoneMinute) > 59) return undefined;
    // A zero offset formats as Z.
    if (Number(zoneHour) !== 0 || Number(zoneMinute) !== 0) zone = `${zoneSign}${zoneHour}:${zoneMinute}`;
  }
  // Go keeps nanoseconds: digits past the ninth are dropped.
  const nanoseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'));
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${formatFraction(nanoseconds)}${zone}`;
}

/** RFC3339Nano text of a UTC instant, or undefined outside years 0..9999 (Go's MarshalText fails). */
function formatEpoch(seconds: bigint, nanoseconds: number): string | undefined {
  let wholeSeconds = seconds;
  let nanos = nanoseconds;
  if (nanos < 0) {
    // time.Unix normalizes a negative nanosecond count into the previous second.
    wholeSeconds -= 1n;
    nanos += 1e9;
  }
  if (wholeSeconds < FIRST_SECOND_OF_YEAR_0 || wholeSeconds > LAST_SECOND_OF_YEAR_9999) return undefined;
  const total = Number(wholeSeconds);
  const days = Math.floor(total / 86400);
  const secondOfDay = total - days * 86400;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = secondOfDay % 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}` + `${formatFraction(nanos)}Z`;
}

const FIRST_SECOND_OF_YEAR_0 = -62167219200n;
const LAST_SECOND_OF_YEAR_9999 = 253402300799n;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Go's ".999999999" layout: the fraction without trailing zeros, nothing when zero. */
function formatFraction(nanoseconds: number): string {
  if (nanoseconds === 0) return '';
  return `.${pad(nanoseconds, 9).replace(/0+$/, '')}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
