/**
 * Where a member of a JSON object lies in the text, found without parsing values: byte offsets
 * from the member's key to the end of its value. Used to measure stored JSON by its own bytes.
 */
import type { JsonValue } from './json-value.js';
import { utf8Decode } from './text.js';

/** A malformed value met while scanning; the caller treats the value as not measurable. */
export interface JsonSpanError extends Error {
  jsonSpan: true;
}

function fail(message: string, at: number): never {
  const error = new Error(`${message} at byte ${at}`) as JsonSpanError;
  error.jsonSpan = true;
  throw error;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

function skipSpace(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return i;
}

/** The offset just past the string starting at `at` (its opening quote). */
function skipString(bytes: Uint8Array, at: number): number {
  let i = at + 1;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === BACKSLASH) i += 2;
    else if (b === QUOTE) return i + 1;
    else i++;
  }
  return fail('unterminated string', at);
}

/** The offset just past the value starting at `at`; nesting is counted, not recursed into. */
function skipValue(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return skipString(bytes, at);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let i = at;
    while (i < bytes.length) {
      const b = bytes[i];
      if (b === QUOTE) {
        i = skipString(bytes, i);
        continue;
      }
      if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return fail('unterminated object or array', at);
  }
  let i = at;
  while (i < bytes.length && bytes[i] !== COMMA && bytes[i] !== 0x7d && bytes[i] !== 0x5d && skipSpace(bytes, i) === i) i++;
  if (i === at) fail('expected a value', at);
  return i;
}

/** The key of the member starting at `at` (its opening quote), compared as raw bytes. */
function keyEquals(bytes: Uint8Array, start: number, end: number, key: string): boolean {
  if (end - start - 2 !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[start + 1 + i] !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * [start, end) of the member at `path` (object keys from the top), from its key's opening quote
 * to the end of its value; undefined when absent. Keys with escapes never match (Kubernetes field
 * names have none).
 */
export function jsonMemberSpan(bytes: Uint8Array, path: readonly string[]): [number, number] | undefined {
  let at = skipSpace(bytes, 0);
  for (let level = 0; level < path.length; level++) {
    if (bytes[at] !== 0x7b) return undefined;
    at = skipSpace(bytes, at + 1);
    let found: [number, number] | undefined;
    while (at < bytes.length && bytes[at] !== 0x7d) {
      if (bytes[at] !== QUOTE) fail('expected a key', at);
      const keyStart = at;
      const keyEnd = skipString(bytes, at);
      at = skipSpace(bytes, keyEnd);
      if (bytes[at] !== COLON) fail('expected ":"', at);
      const valueStart = skipSpace(bytes, at + 1);
      const valueEnd = skipValue(bytes, valueStart);
      if (keyEquals(bytes, keyStart, keyEnd, path[level] as string)) {
        found = [keyStart, valueEnd];
        break;
      }
      at = skipSpace(bytes, valueEnd);
      if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
    }
    if (found === undefined) return undefined;
    if (level === path.length - 1) return found;
    at = valueStartOf(bytes, found[0]);
  }
  return undefined;
}

/**
 * The value of the member at `path`, parsed from its own text only; undefined when absent.
 *
 * @throws a JsonSpanError when the text around it is malformed.
 */
export function jsonMemberValue(bytes: Uint8Array, path: readonly string[]): JsonValue | undefined {
  const span = jsonMemberSpan(bytes, path);
  if (span === undefined) return undefined;
  const text = utf8Decode(bytes, valueStartOf(bytes, span[0]), span[1]);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return fail('malformed value', span[0]);
  }
}

/** Where the value of the member whose key starts at `keyStart` begins. */
function valueStartOf(bytes: Uint8Array, keyStart: number): number {
  const colon = skipSpace(bytes, skipString(bytes, keyStart));
  return skipSpace(bytes, colon + 1);
}
