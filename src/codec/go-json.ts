/**
 * JSON exactly as the Kubernetes API server writes it, and a parser that keeps what JSON.parse loses.
 *
 * The API server serializes with Go's encoding/json: json.NewEncoder(w).Encode(obj). For an
 * unstructured object (map[string]interface{}) that means: compact; map keys sorted by their
 * UTF-8 bytes; HTML-safe escaping; int64 as digits; float64 in ES6 number-to-string style; a
 * trailing newline. stringifyGoJson reproduces that byte for byte (as a JS string; UTF-8 encode it
 * for bytes), following encoding/json/encode.go as of Go 1.22+ (which writes \b and \f; older Go
 * wrote \u0008 and \u000c: see `legacyControlEscapes`).
 *
 * parseGoJson reads JSON into the JsonValue model the way Kubernetes reads it into unstructured:
 * an integer literal that fits in int64 is an int64 (a bigint when beyond 2^53, never rounded),
 * anything else is a float64 (a GoFloat when integral, so `1.0` stays a float).
 *
 * Both are iterative (explicit stacks): Go allows 10000 nesting levels, more than the JS call
 * stack would.
 *
 * Pure module: no Node APIs.
 */
import { DecodeError, EncodeError } from '../errors.js';
import { GoFloat, INT64_MAX, INT64_MIN, float64, formatPath, int64, isInt64Number, isPlainObject, setOwnProperty } from './json-value.js';
import type { JsonArray, JsonObject, JsonValue, PathSegment } from './json-value.js';
import { compareUtf8, decodeUtf8, utf8ByteLength } from './utf8.js';

export const GO_JSON_MAX_DEPTH = 10000;

export interface GoJsonOptions {
  /**
   * 'sorted' (default): keys by UTF-8 bytes, as encoding/json writes a Go map.
   * 'insertion': keys as Object.keys lists them, for objects the caller has already put in Go
   * struct field order. (JS lists integer-like keys such as "1" first whatever the insertion
   * order; Go field names never look like that.)
   */
  keyOrder?: 'sorted' | 'insertion';
  /** End with "\n" as json.Encoder.Encode does. Default true. */
  trailingNewline?: boolean;
  /** Escape <, > and & as \u003c, \u003e, \u0026 (json.Encoder's default). Default true. */
  escapeHtml?: boolean;
  /** Write backspace and form feed as \u0008 and \u000c, as Go before 1.22 did. Default false. */
  legacyControlEscapes?: boolean;
  /** Most arrays and objects nested inside one another; deeper (or cyclic) values fail. Default 10000. */
  maxDepth?: number;
}

/** JSON text of the value exactly as Go's json.NewEncoder(w).Encode(v) writes it. */
export function stringifyGoJson(value: JsonValue, options: GoJsonOptions = {}): string {
  const writer = new GoJsonWriter(options);
  const text = writer.write(value);
  return (options.trailingNewline ?? true) ? `${text}\n` : text;
}

interface ArrayWriteFrame {
  kind: 'array';
  items: readonly unknown[];
  next: number;
}

interface ObjectWriteFrame {
  kind: 'object';
  object: Readonly<Record<string, unknown>>;
  keys: readonly string[];
  next: number;
}

/** Characters that may need escaping; strings without any are written as they are. */
const NEEDS_ESCAPE_HTML = /["\\<>&\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const NEEDS_ESCAPE_PLAIN = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** Escape for each ASCII character (undefined: written as is), built per option set. */
function asciiEscapes(escapeHtml: boolean, legacyControlEscapes: boolean): (string | undefined)[] {
  const table: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined);
  for (let code = 0; code < 0x20; code++) table[code] = `\\u00${code.toString(16).padStart(2, '0')}`;
  table[0x22] = '\\"';
  table[0x5c] = '\\\\';
  table[0x0a] = '\\n';
  table[0x0d] = '\\r';
  table[0x09] = '\\t';
  if (!legacyControlEscapes) {
    table[0x08] = '\\b';
    table[0x0c] = '\\f';
  }
  if (escapeHtml) {
    table[0x3c] = '\\u003c';
    table[0x3e] = '\\u003e';
    table[0x26] = '\\u0026';
  }
  return table;
}

class GoJsonWriter {
  private readonly sortKeys: boolean;
  private readonly maxDepth: number;
  private readonly escapes: (string | undefined)[];
  private readonly needsEscape: RegExp;
  private readonly stack: (ArrayWriteFrame | ObjectWriteFrame)[] = [];
  /** Pieces of the output, joined once at the end (cheaper than growing one string). */
  private readonly out: string[] = [];

  constructor(options: GoJsonOptions) {
    this.sortKeys = (options.keyOrder ?? 'sorted') === 'sorted';
    this.maxDepth = options.maxDepth ?? GO_JSON_MAX_DEPTH;
    const escapeHtml = options.escapeHtml ?? true;
    this.escapes = asciiEscapes(escapeHtml, options.legacyControlEscapes ?? false);
    this.needsEscape = escapeHtml ? NEEDS_ESCAPE_HTML : NEEDS_ESCAPE_PLAIN;
  }

  write(root: JsonValue): string {
    const stack = this.stack;
    let current: unknown = root;
    for (;;) {
      this.writeItem(current);
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) return this.out.join('');
        if (frame.kind === 'array') {
          if (frame.next < frame.items.length) {
            if (frame.next > 0) this.out.push(',');
            current = frame.items[frame.next++];
            break;
          }
          this.out.push(']');
        } else {
          if (frame.next < frame.keys.length) {
            if (frame.next > 0) this.out.push(',');
            const key = frame.keys[frame.next++]!;
            this.writeString(key);
            this.out.push(':');
            current = frame.object[key];
            break;
          }
          this.out.push('}');
        }
        stack.pop();
      }
    }
  }

  private writeItem(item: unknown): void {
    switch (typeof item) {
      case 'string':
        this.writeString(item);
        return;
      case 'number':
        // Integral and within int64: an int64 (see json-value.ts). Otherwise a float64.
        if (isInt64Number(item)) {
          this.out.push(Number.isSafeInteger(item) ? String(item === 0 ? 0 : item) : BigInt(item).toString());
        } else {
          this.out.push(this.formatFloat(item));
        }
        return;
      case 'bigint':
        this.out.push(item.toString());
        return;
      case 'boolean':
        this.out.push(item ? 'true' : 'false');
        return;
      case 'object':
        if (item === null) {
          this.out.push('null');
          return;
        }
        if (item instanceof GoFloat) {
          this.out.push(this.formatFloat(item.value));
          return;
        }
        if (Array.isArray(item)) {
          if (item.length === 0) this.out.push('[]');
          else {
            this.out.push('[');
            this.push({ kind: 'array', items: item, next: 0 });
          }
          return;
        }
        if (isPlainObject(item)) {
          const object = item as Readonly<Record<string, unknown>>;
          const keys = Object.keys(object);
          if (keys.length === 0) {
            this.out.push('{}');
            return;
          }
          if (this.sortKeys) keys.sort(compareUtf8);
          this.out.push('{');
          this.push({ kind: 'object', object, keys, next: 0 });
          return;
        }
        throw this.error('not-json-value', 'an object that is not a plain object, array or GoFloat is not a JSON value');
      default:
        throw this.error('not-json-value', `${typeof item} is not a JSON value`);
    }
  }

  /**
   * Go's float encoder: strconv 'f' format for 1e-6 <= |f| < 1e21, else 'e' with "e-07" cleaned
   * to "e-7". That is precisely ES6 Number::toString (same shortest round-trip digits, same
   * cut-offs, exponent without leading zeros, "e+21" with a sign), except that Go keeps the sign
   * of negative zero.
   */
  private formatFloat(value: number): string {
    if (!Number.isFinite(value)) {
      throw this.error('non-finite-float', `json: unsupported value: ${value}`);
    }
    return Object.is(value, -0) ? '-0' : String(value);
  }

  /** Go's encodeState.string with the configured escapes. */
  private writeString(text: string): void {
    if (!this.needsEscape.test(text)) {
      this.out.push(`"${text}"`);
      return;
    }
    const escapes = this.escapes;
    let out = '"';
    let runStart = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      let escaped: string | undefined;
      if (unit < 0x80) {
        escaped = escapes[unit];
        if (escaped === undefined) continue;
      } else if (unit === 0x2028 || unit === 0x2029) {
        escaped = unit === 0x2028 ? '\\u2028' : '\\u2029';
      } else if (unit >= 0xd800 && unit <= 0xdfff) {
        if (unit <= 0xdbff && i + 1 < text.length) {
          const next = text.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            i++; // a valid pair: one character above U+FFFF, written as is
            continue;
          }
        }
        // A lone surrogate stands for an invalid byte (see utf8.ts); Go writes each as \ufffd.
        escaped = '\\ufffd';
      } else continue;
      out += text.slice(runStart, i) + escaped;
      runStart = i + 1;
    }
    this.out.push(`${out}${text.slice(runStart)}"`);
  }

  private push(frame: ArrayWriteFrame | ObjectWriteFrame): void {
    if (this.stack.length >= this.maxDepth) {
      throw this.error('too-deep', `nesting deeper than ${this.maxDepth} levels (is the value cyclic?)`);
    }
    this.stack.push(frame);
  }

  private error(code: string, message: string): EncodeError {
    const segments: PathSegment[] = [];
    for (const frame of this.stack) {
      if (frame.kind === 'array') segments.push(frame.next - 1);
      else segments.push(frame.keys[frame.next - 1] ?? '');
    }
    return new EncodeError(code, message, { path: formatPath(segments) });
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface GoJsonParseOptions {
  /** Most arrays and objects nested inside one another (Go's limit is 10000). Default 10000. */
  maxDepth?: number;
}

/**
 * Parses JSON text into a JsonValue as Kubernetes reads JSON into an unstructured object:
 * - integer literals (no fraction, no exponent) that fit in int64: a number, or a bigint beyond
 *   2^53; integer literals beyond int64 become float64 (Kubernetes falls back to float64 too);
 * - other numbers: float64, a GoFloat when integral (`1.0`, `1e3`), a number otherwise;
 * - a \u escape of a lone surrogate, and invalid UTF-8 in byte input, become U+FFFD;
 * - a repeated key keeps its last value, as Go does.
 * Bytes are decoded as UTF-8 first. DecodeError offsets count characters for string input and
 * bytes for byte input.
 */
export function parseGoJson(input: string | Uint8Array, options: GoJsonParseOptions = {}): JsonValue {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  const parser = new GoJsonParser(text, options.maxDepth ?? GO_JSON_MAX_DEPTH);
  try {
    return parser.parse();
  } catch (error) {
    if (typeof input !== 'string' && error instanceof DecodeError && error.subject.offset !== undefined) {
      // Report a byte offset for byte input.
      const byteOffset = utf8ByteLength(text.slice(0, error.subject.offset));
      throw new DecodeError(error.code, error.message, { ...error.subject, offset: byteOffset });
    }
    throw error;
  }
}

interface ArrayParseFrame {
  kind: 'array';
  target: JsonArray;
}

interface ObjectParseFrame {
  kind: 'object';
  target: JsonObject;
  key: string;
}

const MAX_EXACT_DIGITS = 15; // integers with at most 15 digits are below 2^53: Number() is exact

class GoJsonParser {
  private readonly text: string;
  private readonly maxDepth: number;
  private readonly stack: (ArrayParseFrame | ObjectParseFrame)[] = [];
  private pos = 0;

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  parse(): JsonValue {
    const value = this.parseTree();
    this.skipWhitespace();
    if (this.pos < this.text.length) throw this.error('invalid character after top-level value');
    return value;
  }

  private parseTree(): JsonValue {
    const text = this.text;
    const stack = this.stack;
    for (;;) {
      this.skipWhitespace();
      let value: JsonValue;
      const char = text.charCodeAt(this.pos);
      if (char === 0x7b /* { */) {
        this.pos++;
        this.checkDepth();
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === 0x7d /* } */) {
          this.pos++;
          value = {};
        } else {
          stack.push({ kind: 'object', target: {}, key: this.parseKey() });
          continue;
        }
      } else if (char === 0x5b /* [ */) {
        this.pos++;
        this.checkDepth();
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === 0x5d /* ] */) {
          this.pos++;
          value = [];
        } else {
          stack.push({ kind: 'array', target: [] });
          continue;
        }
      } else {
        value = this.parseScalar(char);
      }

      // Hand the value to the enclosing array or object; closing it hands that on, and so on.
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) return value;
        if (frame.kind === 'array') frame.target.push(value);
        else setOwnProperty(frame.target, frame.key, value);
        this.skipWhitespace();
        const separator = text.charCodeAt(this.pos);
        if (separator === 0x2c /* , */) {
          this.pos++;
          if (frame.kind === 'object') {
            this.skipWhitespace();
            frame.key = this.parseKey();
          }
          break;
        }
        const closer = frame.kind === 'array' ? 0x5d : 0x7d;
        if (separator !== closer) {
          throw this.error(frame.kind === 'array' ? "invalid character after array element (expected ',' or ']')" : "invalid character after object key:value pair (expected ',' or '}')");
        }
        this.pos++;
        stack.pop();
        value = frame.target;
      }
    }
  }

  /** A key string and its colon. */
  private parseKey(): string {
    if (this.text.charCodeAt(this.pos) !== 0x22) throw this.error('invalid character looking for beginning of object key string');
    const key = this.parseString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== 0x3a /* : */) throw this.error("invalid character after object key (expected ':')");
    this.pos++;
    return key;
  }

  private parseScalar(char: number): JsonValue {
    const text = this.text;
    if (char === 0x22) return this.parseString();
    if (char === 0x2d || (char >= 0x30 && char <= 0x39)) return this.parseNumber();
    for (const [literal, value] of LITERALS) {
      if (text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return value;
      }
    }
    if (this.pos >= text.length) throw this.error('unexpected end of JSON input');
    throw this.error('invalid character looking for beginning of value');
  }

  private parseNumber(): JsonValue {
    const text = this.text;
    const start = this.pos;
    let at = start;
    if (text.charCodeAt(at) === 0x2d) at++;
    const firstDigit = text.charCodeAt(at);
    if (firstDigit === 0x30) at++;
    else if (firstDigit >= 0x31 && firstDigit <= 0x39) at = this.skipDigits(at);
    else throw this.errorAt('invalid character in numeric literal', at);
    let integral = true;
    if (text.charCodeAt(at) === 0x2e /* . */) {
      integral = false;
      const afterPoint = this.skipDigits(at + 1);
      if (afterPoint === at + 1) throw this.errorAt('invalid character after decimal point in numeric literal', at + 1);
      at = afterPoint;
    }
    const exponentMark = text.charCodeAt(at);
    if (exponentMark === 0x65 || exponentMark === 0x45) {
      integral = false;
      at++;
      const sign = text.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      const afterExponent = this.skipDigits(at);
      if (afterExponent === at) throw this.errorAt('invalid character in exponent of numeric literal', at);
      at = afterExponent;
    }
    this.pos = at;
    const literal = text.slice(start, at);
    if (integral) {
      const digits = literal.length - (literal.charCodeAt(0) === 0x2d ? 1 : 0);
      if (digits <= MAX_EXACT_DIGITS) return Number(literal) + 0; // + 0 turns -0 into 0: int64 has no -0
      const exact = BigInt(literal);
      if (exact >= INT64_MIN && exact <= INT64_MAX) return int64(exact);
      // Beyond int64: Kubernetes parses it as float64, and so do we (below).
    }
    const value = Number(literal);
    if (!Number.isFinite(value)) throw this.errorAt(`number ${literal} is out of the float64 range`, start);
    return float64(value);
  }

  private skipDigits(from: number): number {
    let at = from;
    for (;;) {
      const char = this.text.charCodeAt(at);
      if (char < 0x30 || char > 0x39 || Number.isNaN(char)) return at;
      at++;
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = this.pos + 1; // after the opening quote
    let at = start;
    let plain = true;
    for (;;) {
      if (at >= text.length) throw this.errorAt('unexpected end of JSON input in string literal', at);
      const unit = text.charCodeAt(at);
      if (unit === 0x22) break;
      if (unit === 0x5c) {
        plain = false;
        at += 2; // the escaped character cannot end the string
        continue;
      }
      if (unit < 0x20) throw this.errorAt('invalid control character in string literal', at);
      if (unit >= 0xd800 && unit <= 0xdfff) plain = false;
      at++;
    }
    this.pos = at + 1;
    return plain ? text.slice(start, at) : this.unquote(start, at);
  }

  /** Go's unquote: escapes resolved; lone surrogates (escaped or raw) become U+FFFD. */
  private unquote(start: number, end: number): string {
    const text = this.text;
    let out = '';
    let runStart = start;
    for (let at = start; at < end; ) {
      const unit = text.charCodeAt(at);
      if (unit >= 0xd800 && unit <= 0xdfff) {
        if (unit <= 0xdbff && at + 1 < end) {
          const next = text.charCodeAt(at + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            at += 2;
            continue;
          }
        }
        out += `${text.slice(runStart, at)}\ufffd`;
        runStart = ++at;
        continue;
      }
      if (unit !== 0x5c) {
        at++;
        continue;
      }
      out += text.slice(runStart, at);
      const escaped = text.charCodeAt(at + 1);
      let next = at + 2;
      switch (escaped) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const code = this.hex4(at + 2);
          next = at + 6;
          if (code >= 0xd800 && code <= 0xdfff) {
            // A high surrogate followed by an escaped low one is a pair; anything else is U+FFFD.
            if (code <= 0xdbff && text.charCodeAt(next) === 0x5c && text.charCodeAt(next + 1) === 0x75) {
              const low = this.hex4Optional(next + 2);
              if (low >= 0xdc00 && low <= 0xdfff) {
                out += String.fromCharCode(code, low);
                next += 6;
                break;
              }
            }
            out += '\ufffd';
          } else out += String.fromCharCode(code);
          break;
        }
        default:
          throw this.errorAt('invalid character in string escape code', at + 1);
      }
      at = next;
      runStart = next;
    }
    return out + text.slice(runStart, end);
  }

  private hex4(at: number): number {
    const code = this.hex4Optional(at);
    if (code < 0) throw this.errorAt('invalid character in \\u hexadecimal character escape', at);
    return code;
  }

  /** The four hex digits at `at` as a number, or -1. */
  private hex4Optional(at: number): number {
    const digits = this.text.slice(at, at + 4);
    return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : -1;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let at = this.pos;
    for (;;) {
      const char = text.charCodeAt(at);
      if (char !== 0x20 && char !== 0x0a && char !== 0x0d && char !== 0x09) break;
      at++;
    }
    this.pos = at;
  }

  private checkDepth(): void {
    if (this.stack.length >= this.maxDepth) {
      throw this.errorAt(`exceeded max depth ${this.maxDepth}`, this.pos - 1, 'too-deep');
    }
  }

  private error(message: string): DecodeError {
    return this.errorAt(this.pos >= this.text.length ? 'unexpected end of JSON input' : message, this.pos);
  }

  private errorAt(message: string, offset: number, code = 'invalid-json'): DecodeError {
    const segments: PathSegment[] = [];
    for (const frame of this.stack) segments.push(frame.kind === 'array' ? frame.target.length : frame.key);
    return new DecodeError(code, `JSON: ${message}`, { offset, path: formatPath(segments) });
  }
}

const LITERALS: readonly (readonly [string, JsonValue])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
