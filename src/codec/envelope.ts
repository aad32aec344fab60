/**
 * The protobuf storage envelope: `k8s\0` followed by a runtime.Unknown message
 * { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2, contentEncoding = 3, contentType = 4 }.
 * kube-apiserver writes all four fields, the last two empty.
 */
import { DecodeError } from '../errors.js';
import { PROTOBUF_MAGIC, startsWith } from './detect.js';
import type { UnknownField } from './protobuf-to-json.js';
import { utf8Decode, utf8Encode } from './text.js';
import { WIRE_BYTES, WireReader, WireWriter } from './wire.js';

/** Pseudo message name under which unknown fields of the envelope itself are listed. */
export const ENVELOPE_MESSAGE = 'k8s.io.apimachinery.pkg.runtime.Unknown';
export const ENVELOPE_PATH = '(envelope)';

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** Where the object's own message bytes are in the value. */
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
  unknownFields: UnknownField[];
}

export function readEnvelope(value: Uint8Array): Envelope {
  if (!startsWith(value, PROTOBUF_MAGIC)) throw new DecodeError('bad-magic', 'not a protobuf storage value: it does not start with "k8s\\0"', { offset: 0 });
  const r = new WireReader(value, PROTOBUF_MAGIC.length);
  const envelope: Envelope = { apiVersion: '', kind: '', rawStart: 0, rawEnd: 0, contentEncoding: '', contentType: '', unknownFields: [] };
  while (!r.done) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (wireType !== WIRE_BYTES || number < 1 || number > 4) {
      r.skip(wireType);
      envelope.unknownFields.push({ path: ENVELOPE_PATH, message: ENVELOPE_MESSAGE, number, wireType, raw: value.slice(tagStart, r.pos), reason: 'unknown' });
      continue;
    }
    const [s, e] = r.lengthDelimited();
    if (number === 1) readTypeMeta(value, s, e, envelope);
    else if (number === 2) [envelope.rawStart, envelope.rawEnd] = [s, e];
    else if (number === 3) envelope.contentEncoding = utf8Decode(value, s, e);
    else envelope.contentType = utf8Decode(value, s, e);
  }
  return envelope;
}

function readTypeMeta(value: Uint8Array, start: number, end: number, envelope: Envelope): void {
  const r = new WireReader(value, start, end);
  while (!r.done) {
    const tag = r.uint32();
    if ((tag & 7) !== WIRE_BYTES) {
      r.fail('typeMeta holds a field that is not a string');
    }
    const [s, e] = r.lengthDelimited();
    if (tag >>> 3 === 1) envelope.apiVersion = utf8Decode(value, s, e);
    else if (tag >>> 3 === 2) envelope.kind = utf8Decode(value, s, e);
  }
}

export function writeEnvelope(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  options: { contentEncoding?: string; contentType?: string; unknownFields?: readonly UnknownField[] } = {},
): Uint8Array {
  const w = new WireWriter(raw.length + 64);
  w.raw(PROTOBUF_MAGIC);
  w.tag(1, WIRE_BYTES);
  const mark = w.beginDelimited();
  w.tag(1, WIRE_BYTES);
  w.bytes(utf8Encode(apiVersion));
  w.tag(2, WIRE_BYTES);
  w.bytes(utf8Encode(kind));
  w.finishDelimited(mark);
  w.tag(2, WIRE_BYTES);
  w.bytes(raw);
  w.tag(3, WIRE_BYTES);
  w.bytes(utf8Encode(options.contentEncoding ?? ''));
  w.tag(4, WIRE_BYTES);
  w.bytes(utf8Encode(options.contentType ?? ''));
  for (const f of options.unknownFields ?? []) w.raw(f.raw);
  return w.finish();
}
