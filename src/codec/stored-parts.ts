/**
 * How many of a stored value's bytes are `metadata.managedFields` and `status`, measured on the
 * stored bytes themselves (protobuf fields with their tags and lengths, or the JSON text of the
 * members), not on a re-serialisation: what `kreg du` reports. Nothing is decoded beyond the
 * fields' boundaries.
 */
import type { JsonSpanError } from './json-spans.js';
import { jsonMemberSpan } from './json-spans.js';
import { readEnvelope } from './envelope.js';
import { detectFormat } from './detect.js';
import type { Schema } from './schema.js';
import { WIRE_BYTES, WireReader } from './wire.js';

export interface StoredParts {
  /** Bytes of metadata.managedFields. */
  managedFields: number;
  /** Bytes of the top-level status. */
  status: number;
}

/**
 * The parts of a protobuf or JSON value; undefined for other formats (CBOR, encrypted, opaque)
 * and for values too damaged to walk, whose bytes then all count as "the rest".
 */
export function measureStoredParts(schema: Schema, value: Uint8Array): StoredParts | undefined {
  try {
    switch (detectFormat(value)) {
      case 'protobuf':
        return protobufParts(schema, value);
      case 'json':
        return jsonParts(value);
      default:
        return undefined;
    }
  } catch (err) {
    if (isMeasureError(err)) return undefined;
    throw err;
  }
}

function isMeasureError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'DecodeError' || (err as JsonSpanError).jsonSpan === true);
}

function protobufParts(schema: Schema, value: Uint8Array): StoredParts | undefined {
  const envelope = readEnvelope(value);
  const message = schema.kindMessage(envelope.apiVersion, envelope.kind);
  // A kind the schema does not know: its fields cannot be told apart, so nothing is measured.
  if (message === undefined) return undefined;
  const metadataField = message.byJsonName.get('metadata');
  const statusNumber = message.byJsonName.get('status')?.number;
  const managedFieldsNumber = metadataField?.message?.byJsonName.get('managedFields')?.number;
  const parts = { managedFields: 0, status: 0 };
  const r = new WireReader(value, envelope.rawStart, envelope.rawEnd);
  while (!r.done) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const number = tag >>> 3;
    if ((tag & 7) !== WIRE_BYTES) {
      r.skip(tag & 7);
      continue;
    }
    const [start, end] = r.lengthDelimited();
    if (number === statusNumber) parts.status += end - tagStart;
    else if (number === metadataField?.number && managedFieldsNumber !== undefined) parts.managedFields += fieldBytes(value, start, end, managedFieldsNumber);
  }
  return parts;
}

/** Bytes of every occurrence of a field (tag, length and payload) within a message's bytes. */
function fieldBytes(value: Uint8Array, start: number, end: number, wanted: number): number {
  const r = new WireReader(value, start, end);
  let total = 0;
  while (!r.done) {
    const tagStart = r.pos;
    const tag = r.uint32();
    r.skip(tag & 7);
    if (tag >>> 3 === wanted) total += r.pos - tagStart;
  }
  return total;
}

function jsonParts(value: Uint8Array): StoredParts {
  const status = jsonMemberSpan(value, ['status']);
  const managedFields = jsonMemberSpan(value, ['metadata', 'managedFields']);
  return { status: status === undefined ? 0 : status[1] - status[0], managedFields: managedFields === undefined ? 0 : managedFields[1] - managedFields[0] };
}
