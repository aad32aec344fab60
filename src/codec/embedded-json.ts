/**
 * JSON embedded in protobuf bytes fields (runtime.RawExtension, metav1.FieldsV1, apiextensions
 * JSON). The API shows it as a nested value; storage keeps the bytes as written, which are usually
 * compact Go JSON in the writer's key order. When re-serializing would not give the stored bytes
 * back (whitespace, big numbers, other escaping), the caller keeps them verbatim.
 */
import { parseGoJson, stringifyGoJson } from './go-json.js';
import type { JsonValue } from './json-value.js';
import { utf8Decode, utf8Encode } from './text.js';

export type EmbeddedJson = { kind: 'exact'; value: JsonValue } | { kind: 'verbatim'; value: JsonValue; raw: Uint8Array } | { kind: 'invalid'; reason: string };

export function parseEmbeddedJson(text: string): EmbeddedJson {
  let value: JsonValue;
  try {
    // The native parser is several times faster; it is exact whenever its output re-serializes
    // to the same text, which is the common case (compact JSON, no big or integral-float numbers).
    value = JSON.parse(text) as JsonValue;
    if (JSON.stringify(value) === text) return { kind: 'exact', value };
    value = parseGoJson(text);
  } catch (err) {
    return { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
  if (serializeEmbeddedJsonText(value) === text) return { kind: 'exact', value };
  return { kind: 'verbatim', value, raw: utf8Encode(text) };
}

function serializeEmbeddedJsonText(value: JsonValue): string {
  return stringifyGoJson(value, { trailingNewline: false, keyOrder: 'insertion' });
}

/** Compact Go JSON in the value's own key order, as json.Marshal writes a RawExtension's object. */
export function serializeEmbeddedJson(value: JsonValue): Uint8Array {
  return utf8Encode(serializeEmbeddedJsonText(value));
}

/** True when the stored bytes parse to this value, so they can be written back unchanged. */
export function sameJson(raw: Uint8Array, value: JsonValue): boolean {
  try {
    const text = utf8Decode(raw);
    return serializeEmbeddedJsonText(parseGoJson(text)) === serializeEmbeddedJsonText(value);
  } catch {
    return false;
  }
}
