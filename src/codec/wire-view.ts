/**
 * A schema-less view of protobuf bytes by field number, for messages kreg has no schema for (a kind
 * from a newer Kubernetes) and for showing unknown fields. Length-delimited values are shown as a
 * nested message when they parse as one, as text when they are printable UTF-8, else as base64.
 */
import type { JsonObject, JsonValue } from './json-value.js';
import { base64Encode, utf8DecodeStrict } from './text.js';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireReader } from './wire.js';

export interface WireFieldView {
  number: number;
  wireType: number;
  value: JsonValue | WireFieldView[];
}

const MAX_VIEW_DEPTH = 32;

export function viewWireFields(bytes: Uint8Array, depth = 0): WireFieldView[] | undefined {
  const fields: WireFieldView[] = [];
  const r = new WireReader(bytes);
  try {
    while (!r.done) {
      const tag = r.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) return undefined;
      switch (wireType) {
        case WIRE_VARINT:
          fields.push({ number, wireType, value: r.int64() });
          break;
        case WIRE_FIXED64:
          fields.push({ number, wireType, value: r.double() });
          break;
        case WIRE_FIXED32: {
          if (r.pos + 4 > r.end) return undefined;
          const view = new DataView(bytes.buffer, bytes.byteOffset + r.pos, 4);
          r.pos += 4;
          fields.push({ number, wireType, value: view.getUint32(0, true) });
          break;
        }
        case WIRE_BYTES: {
          const [s, e] = r.lengthDelimited();
          fields.push({ number, wireType, value: viewBytes(bytes.subarray(s, e), depth) });
          break;
        }
        default:
          return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return fields;
}

function viewBytes(bytes: Uint8Array, depth: number): JsonValue | WireFieldView[] {
  const text = utf8DecodeStrict(bytes);
  // Printable text is far more likely meant as a string than as a message that happens to parse.
  if (text !== undefined && /^[\P{Cc}\n\r\t]*$/u.test(text)) return text;
  if (depth < MAX_VIEW_DEPTH) {
    const nested = viewWireFields(bytes, depth + 1);
    if (nested !== undefined && nested.length > 0) return nested;
  }
  return base64Encode(bytes);
}

/** The view as a plain JSON object keyed by field number ("1", "2", ... with repeats as arrays). */
export function wireViewToJson(fields: WireFieldView[]): JsonObject {
  const out: JsonObject = {};
  for (const f of fields) {
    const value: JsonValue = Array.isArray(f.value) ? wireViewToJson(f.value as WireFieldView[]) : (f.value as JsonValue);
    const key = String(f.number);
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing) && (existing as unknown as { repeated?: true }).repeated === true) existing.push(value);
    else {
      const list: JsonValue[] = [existing, value];
      Object.defineProperty(list, 'repeated', { value: true });
      out[key] = list;
    }
  }
  return out;
}
