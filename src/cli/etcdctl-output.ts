/**
 * etcdctl's two ways of printing keys with their values, split back into pairs:
 *
 * - `etcdctl get -w json`: one JSON object whose kvs hold base64 keys and values. Exact: use it
 *   when a listing must be read without guessing.
 * - `etcdctl get [--prefix]`: "KEY\nVALUE\n" per pair. Values are binary and may hold newlines, so
 *   where a value ends is inferred: protobuf values are walked field by field and JSON values
 *   brace by brace, and the value ends at the first field (or brace) boundary followed by "\n" and
 *   a key line. Other values (CBOR, encrypted, opaque) end at the first "\n" followed by a key line
 *   and a value that starts like a stored value (k8s\0, k8s:enc:, CBOR tag, "{"); failing that, at
 *   the first "\n" followed by a key line under the same top-level prefix as the first key. A value
 *   that itself contains such a line would be cut there: that is the ambiguity -w json avoids.
 *
 * Pure: bytes in, pairs out.
 */
import { CBOR_SELF_DESCRIBED, ENCRYPTED_PREFIX, PROTOBUF_MAGIC, startsWith } from '../codec/detect.js';
import { base64Decode, utf8Decode, utf8DecodeStrict } from '../codec/text.js';
import { DecodeError } from '../errors.js';

export interface EtcdctlPair {
  key: string;
  value: Uint8Array;
}

export interface EtcdctlOutput {
  /** `json`: etcdctl get -w json; `lines`: etcdctl get's KEY\nVALUE\n pairs. */
  form: 'json' | 'lines';
  pairs: EtcdctlPair[];
}

const NEWLINE = 0x0a;
const SLASH = 0x2f;
/** Longer lines are not taken for keys (etcd's default request limit is far above any real key). */
const MAX_KEY_LENGTH = 4096;

/**
 * The pairs in etcdctl output, or undefined when the input is neither form (a bare value, as
 * `--print-value-only` prints it). Throws DecodeError for `-w json` output with a malformed kv.
 */
export function parseEtcdctlOutput(input: Uint8Array): EtcdctlOutput | undefined {
  const json = parseJsonForm(input);
  if (json !== undefined) return { form: 'json', pairs: json };
  if (input[0] !== SLASH) return undefined;
  const pairs = parseLinesForm(input);
  return pairs === undefined ? undefined : { form: 'lines', pairs };
}

function parseJsonForm(input: Uint8Array): EtcdctlPair[] | undefined {
  let start = 0;
  while (start < input.length && isSpace(input[start] as number)) start++;
  if (input[start] !== 0x7b /* { */) return undefined;
  const text = utf8DecodeStrict(input);
  // A stored JSON value is an object too: only etcdctl's response has a header and no kind.
  if (text === undefined || !text.includes('"header"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const response = parsed as Record<string, unknown>;
  if (typeof response.header !== 'object' || 'kind' in response || 'apiVersion' in response) return undefined;
  // etcd leaves kvs out of an empty response.
  const kvs = response.kvs ?? [];
  if (!Array.isArray(kvs)) throw new DecodeError('bad-etcdctl-json', 'etcdctl -w json output: "kvs" is not a list');
  return kvs.map((kv: unknown, i) => {
    const { key, value } = (typeof kv === 'object' && kv !== null ? kv : {}) as { key?: unknown; value?: unknown };
    const keyBytes = typeof key === 'string' ? base64Decode(key) : undefined;
    if (keyBytes === undefined) throw new DecodeError('bad-etcdctl-json', `etcdctl -w json output: kvs[${i}] has no base64 key`);
    // --keys-only leaves the value out: an empty value, reported as such when decoded.
    const valueBytes = value === undefined ? new Uint8Array(0) : typeof value === 'string' ? base64Decode(value) : undefined;
    if (valueBytes === undefined) throw new DecodeError('bad-etcdctl-json', `etcdctl -w json output: kvs[${i}].value is not base64`, { key: utf8Decode(keyBytes) });
    return { key: utf8Decode(keyBytes), value: valueBytes };
  });
}

function parseLinesForm(input: Uint8Array): EtcdctlPair[] | undefined {
  const firstKeyEnd = keyLineEnd(input, 0);
  if (firstKeyEnd === undefined) return undefined;
  // "/registry/": keys of one listing share their first segment.
  const firstKey = utf8Decode(input, 0, firstKeyEnd);
  const anchor = firstKey.slice(0, firstKey.indexOf('/', 1) + 1 || firstKey.length);
  const pairs: EtcdctlPair[] = [];
  let pos = 0;
  while (pos < input.length) {
    const keyEnd = keyLineEnd(input, pos);
    if (keyEnd === undefined) return pairs.length === 0 ? undefined : pairs;
    const valueStart = keyEnd + 1;
    const end = valueEnd(input, valueStart, anchor);
    pairs.push({ key: utf8Decode(input, pos, keyEnd), value: input.subarray(valueStart, end) });
    pos = end + 1;
  }
  return pairs;
}

/** The index of the newline ending a key line at pos, or undefined when there is no key line. */
function keyLineEnd(input: Uint8Array, pos: number): number | undefined {
  if (input[pos] !== SLASH) return undefined;
  const limit = Math.min(input.length, pos + MAX_KEY_LENGTH + 1);
  for (let i = pos + 1; i < limit; i++) {
    const c = input[i] as number;
    if (c === NEWLINE) return i;
    // Kubernetes keys are printable ASCII without spaces; anything else is inside a value.
    if (c < 0x21 || c > 0x7e) return undefined;
  }
  return undefined;
}

/** Whether a key line starts at pos: under the anchor prefix, and (strict) followed by a stored value's first bytes. */
function keyLineAt(input: Uint8Array, pos: number, anchor: string, strict: boolean): boolean {
  const end = keyLineEnd(input, pos);
  if (end === undefined) return false;
  if (!strict) return utf8Decode(input, pos, Math.min(end, pos + anchor.length)) === anchor;
  const value = input.subarray(end + 1);
  return startsWith(value, PROTOBUF_MAGIC) || startsWith(value, ENCRYPTED_PREFIX) || startsWith(value, CBOR_SELF_DESCRIBED) || value[0] === 0x7b;
}

/** Whether a value may end at i: the end of input, a final newline, or a newline and the next key line. */
function isPairEnd(input: Uint8Array, i: number, anchor: string, strict: boolean): boolean {
  if (i === input.length) return true;
  if (input[i] !== NEWLINE) return false;
  return i + 1 === input.length || keyLineAt(input, i + 1, anchor, strict);
}

/** Where the value starting at start ends: the index of etcdctl's newline after it (or the end of input). */
function valueEnd(input: Uint8Array, start: number, anchor: string): number {
  const value = input.subarray(start);
  const structural = startsWith(value, PROTOBUF_MAGIC) ? protobufEnd(input, start + 4, anchor) : value[0] === 0x7b ? jsonEnd(input, start, anchor) : undefined;
  if (structural !== undefined) return structural;
  for (const strict of [true, false]) {
    for (let i = input.indexOf(NEWLINE, start); i >= 0; i = input.indexOf(NEWLINE, i + 1)) {
      if (keyLineAt(input, i + 1, anchor, strict)) return i;
    }
  }
  // The last value: up to etcdctl's final newline.
  return input[input.length - 1] === NEWLINE && input.length > start ? input.length - 1 : input.length;
}

/** The first boundary between top-level protobuf fields that can end the value; undefined if the fields do not parse. */
function protobufEnd(input: Uint8Array, pos: number, anchor: string): number | undefined {
  while (pos <= input.length) {
    if (isPairEnd(input, pos, anchor, false)) return pos;
    const tag = readVarint(input, pos);
    if (tag === undefined) return undefined;
    pos = tag.next;
    switch (tag.value % 8) {
      case 0: {
        const v = readVarint(input, pos);
        if (v === undefined) return undefined;
        pos = v.next;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = readVarint(input, pos);
        if (length === undefined) return undefined;
        pos = length.next + length.value;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

function readVarint(input: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < input.length && i < pos + 8; i++) {
    const b = input[i] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}

/** After the object's closing brace (and json.Encoder's own newline), where the value ends. */
function jsonEnd(input: Uint8Array, start: number, anchor: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < input.length; i++) {
    const c = input[i] as number;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) {
        if (isPairEnd(input, i + 1, anchor, false)) return i + 1;
        if (input[i + 1] === NEWLINE && isPairEnd(input, i + 2, anchor, false)) return i + 2;
        return undefined;
      }
    }
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
