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
  return wellFormedEnvelope(value) ?? readAnyEnvelope(value);
}

/** The usual envelope (its four fields, strings in typeMeta, nothing unknown), read with no reader or array; undefined for anything else. */
function wellFormedEnvelope(value: Uint8Array): Envelope | undefined {
  if (!startsWith(value, PROTOBUF_MAGIC)) return undefined;
  const envelope: Envelope = { apiVersion: '', kind: '', rawStart: 0, rawEnd: 0, contentEncoding: '', contentType: '', unknownFields: [] };
  const end = value.length;
  let pos = PROTOBUF_MAGIC.length;
  while (pos < end) {
    // Fields 1 to 4, length-delimited: one-byte tags 0x0a, 0x12, 0x1a, 0x22.
    const tag = value[pos] as number;
    if ((tag & 7) !== WIRE_BYTES || tag < 0x0a || tag > 0x22) return undefined;
    const start = delimitedStart(value, pos + 1, end);
    if (start < 0) return undefined;
    const fieldEnd = start + varintRead;
    if (tag === 0x0a) {
      if (!typeMetaInto(value, start, fieldEnd, envelope)) return undefined;
    } else if (tag === 0x12) {
      envelope.rawStart = start;
      envelope.rawEnd = fieldEnd;
    } else if (tag === 0x1a) envelope.contentEncoding = utf8Decode(value, start, fieldEnd);
    else envelope.contentType = utf8Decode(value, start, fieldEnd);
    pos = fieldEnd;
  }
  return envelope;
}

/** typeMeta's apiVersion (1) and kind (2) into the envelope; false for anything else in it. */
function typeMetaInto(value: Uint8Array, start: number, end: number, envelope: Envelope): boolean {
  let pos = start;
  while (pos < end) {
    const tag = value[pos] as number;
    if (tag !== 0x0a && tag !== 0x12) return false;
    const s = delimitedStart(value, pos + 1, end);
    if (s < 0) return false;
    const e = s + varintRead;
    if (tag === 0x0a) envelope.apiVersion = utf8Decode(value, s, e);
    else envelope.kind = utf8Decode(value, s, e);
    pos = e;
  }
  return true;
}

/** The length delimitedStart read last. */
let varintRead = 0;

/** Where a length-delimited value whose length (at most 4 varint bytes) is at `at` starts, its length in varintRead; -1 when it does not fit within `end`. */
function delimitedStart(value: Uint8Array, at: number, end: number): number {
  let length = 0;
  let pos = at;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) return -1;
    const b = value[pos++] as number;
    length |= (b & 0x7f) << shift;
    if (b < 0x80) {
      if (length > end - pos) return -1;
      varintRead = length;
      return pos;
    }
  }
  return -1;
}

/** Any envelope, with its unknown fields, or a DecodeError naming the damage (readEnvelope's way past the usual one; exported for the test that holds them to each other). */
export function readAnyEnvelope(value: Uint8Array): Envelope {
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
