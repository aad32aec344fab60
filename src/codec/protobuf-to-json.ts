/**
 * Protobuf wire bytes of a Kubernetes message → the JSON object the API serves for it, following
 * the Go types' JSON rules (field names, omitempty/omitzero, inline structs, custom marshallers).
 * Fields the schema does not know are not dropped: they are listed with their raw bytes so that
 * re-encoding writes them back unchanged.
 */
import { DecodeError, KregError } from '../errors.js';
import { childPath, pathText, type FieldPath } from './field-path.js';
import { formatGoDuration, formatRfc3339 } from './go-time.js';
import { setOwnProperty, type JsonObject, type JsonValue } from './json-value.js';
import type { SchemaMessage } from './schema.js';
import { base64Encode, utf8Decode } from './text.js';
import { WIRE_BYTES, WIRE_VARINT, WireReader, WireWriter } from './wire.js';
import { compileAssembler, type AssemblerHelpers } from './compiled-assembler.js';
import {
  childPlan,
  FIELDS_V1,
  KIND_BOOL,
  KIND_BYTES,
  KIND_INT32,
  KIND_INT64,
  KIND_MESSAGE,
  KIND_STRING,
  OWN_FIELDS_V1_DEPTH,
  planOf,
  type FieldPlan,
  type MessagePlan,
  type Slots,
} from './message-plan.js';
import { parseEmbeddedJson } from './embedded-json.js';

/** A wire field kreg cannot show in the JSON object, kept so that re-encoding can write it back. */
export interface UnknownField {
  /** JSON path of the object the field belongs to; '' is the top-level object. */
  path: string;
  /** The protobuf message it was found in (an inlined struct shares its parent's JSON path). */
  message: string;
  number: number;
  wireType: number;
  /** The whole field as it was on the wire: tag and value. */
  raw: Uint8Array;
  /**
   * unknown: the field number is not in the schema (written by a newer Kubernetes);
   * not-in-json: a known field whose value the API's JSON cannot show (e.g. nanoseconds of a
   * metav1.Time), kept so the stored bytes can be reproduced.
   */
  reason: 'unknown' | 'not-in-json';
  /**
   * For an unknown field that another known Kubernetes release defines: what kreg knows of it,
   * e.g. "removed in 1.25 (clusterName)" or "added in 1.33 (name)".
   */
  known?: string;
}

/** Embedded JSON (RawExtension, FieldsV1, ...) whose stored bytes differ from a compact re-serialization. */
export interface VerbatimJson {
  path: string;
  message: string;
  /** The stored bytes of the embedded JSON. */
  raw: Uint8Array;
}

/**
 * Where one stored message's field presence differs from what the chosen release's Go marshaller
 * would write for the decoded object; recorded only for messages that differ, so re-encoding
 * gives the stored bytes back whichever release wrote them.
 */
export interface WirePresence {
  /** JSON path of the message's object, as in UnknownField. */
  path: string;
  message: string;
  /**
   * Plain-value fields the chosen release always writes but the stored bytes lack (the writer's
   * release did not know them, or held them as pointers); field numbers in no particular order.
   */
  absent?: number[];
  /** Fields stored empty (an empty non-nil []byte or list) that the API's JSON leaves out. */
  empty?: number[];
}

export interface ProtobufDecodeResult {
  object: JsonValue;
  unknownFields: UnknownField[];
  verbatim: VerbatimJson[];
  presence: WirePresence[];
}

/** State of one decode. Exported for the generated assemblers' helper types only. */
export interface DecodeContext {
  buf: Uint8Array;
  baseOffset: number;
  /** The one wire reader of the value; each message narrows its end while it is read. */
  reader: WireReader;
  unknownFields: UnknownField[];
  verbatim: VerbatimJson[];
  presence: WirePresence[];
  /** The slots of the message the last WirePresence record is for, so one message gets one record. */
  presenceSlots: Slots | undefined;
  /** Above 0 while zero values of absent fields are built: their own fields are not on the wire either. */
  buildingZero: number;
  depth: number;
  /** Path of the message being read, for error messages. */
  path: FieldPath | undefined;
  /** The object's own managedFields' fieldsV1 are left as null, not parsed (the caller hides them). */
  skipFieldsV1: boolean;
}

/** How decodeProtobufMessage reads a value. */
export interface ProtobufDecodeOptions {
  /**
   * The caller drops the object's metadata.managedFields: their fieldsV1, embedded JSON and the
   * costliest part of most objects to decode, are left as null instead of parsed (those of a
   * template inside the object are decoded as ever: kubectl shows them).
   */
  skipFieldsV1?: boolean;
}

/** Nesting guard against hostile input; real objects are a few dozen levels deep. */
const MAX_DEPTH = 200;

/** A decode's state over one value, for decodeProtobufMessage and for decoding parts of a value (decodeMessageAt). */
export function newDecodeContext(buf: Uint8Array, start: number, end: number, baseOffset: number, skipFieldsV1: boolean): DecodeContext {
  return {
    buf,
    baseOffset,
    reader: new WireReader(buf, start, end, baseOffset),
    unknownFields: [],
    verbatim: [],
    presence: [],
    presenceSlots: undefined,
    buildingZero: 0,
    depth: 0,
    path: undefined,
    skipFieldsV1,
  };
}

export function decodeProtobufMessage(
  message: SchemaMessage,
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  baseOffset = 0,
  /** Object to fill (e.g. one already holding kind and apiVersion), saving a copy. */
  into?: JsonObject,
  options: ProtobufDecodeOptions = {},
): ProtobufDecodeResult {
  const ctx = newDecodeContext(buf, start, end, baseOffset, options.skipFieldsV1 === true);
  try {
    const object = decodeMessage(ctx, planOf(message), start, end, undefined, into);
    return { object, unknownFields: ctx.unknownFields, verbatim: ctx.verbatim, presence: ctx.presence };
  } catch (err) {
    // ctx.path still points where decoding stopped: the innermost message being read.
    if (err instanceof KregError && err.subject.path === undefined) err.withSubject({ path: pathText(ctx.path) });
    throw err;
  }
}

/**
 * One message of the value, at ctx.depth levels below the top, as a JSON value: what the JSON text
 * transcoder uses for the parts it does not write itself (times, quantities, embedded JSON).
 */
export function decodeMessageAt(ctx: DecodeContext, plan: MessagePlan, start: number, end: number): JsonValue {
  return decodeMessage(ctx, plan, start, end, undefined, undefined);
}

function decodeMessage(ctx: DecodeContext, plan: MessagePlan, start: number, end: number, path: FieldPath | undefined, out: JsonObject | undefined): JsonValue {
  // The object's own metadata.managedFields[i].fieldsV1, not those a template holds: kubectl shows them.
  if (ctx.skipFieldsV1 && ctx.depth === OWN_FIELDS_V1_DEPTH && plan.name === FIELDS_V1) return null;
  if (++ctx.depth > MAX_DEPTH) tooDeep(ctx, start, path);
  const outerPath = ctx.path;
  ctx.path = path;
  const slots = readFields(ctx, plan, start, end, path);
  let value: JsonValue;
  if (plan.special === undefined) {
    const assemble = (plan.assemble ??= compileAssembler(plan, assemblerHelpers));
    value = assemble(ctx, slots, path, out ?? {});
  } else {
    value = assembleSpecial(ctx, plan, slots, path);
  }
  ctx.path = outerPath;
  ctx.depth--;
  return value;
}

/** The message's wire fields into slots by field index. */
function readFields(ctx: DecodeContext, plan: MessagePlan, start: number, end: number, path: FieldPath | undefined): Slots {
  // One reader serves the whole value: a nested message narrows its end and puts it back after.
  const r = ctx.reader;
  const outerPos = r.pos;
  const outerEnd = r.end;
  r.pos = start;
  r.end = end;
  const slots: Slots = new Array<JsonValue | undefined>(plan.fields.length);
  const rawJson = plan.special === 'raw-json';
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const field = plan.byNumber[tag >>> 3];
    if (field === undefined || field.wireType !== (tag & 7)) {
      unknownField(ctx, plan, tag, tagStart, path);
      continue;
    }
    if (field.isMap) {
      const entries = (slots[field.index] ??= {}) as JsonObject;
      const e = r.delimitedEnd();
      readMapEntry(ctx, field, entries, r.pos, e, path);
      r.pos = e;
    } else if (field.repeated) {
      const items = (slots[field.index] ??= []) as JsonValue[];
      const itemPath = field.kind === KIND_MESSAGE ? childPath(childPath(path, field.pathName), items.length) : path;
      items.push(readValue(ctx, r, field, itemPath, false));
    } else {
      const fieldPath = field.kind === KIND_MESSAGE && !field.inline ? childPath(path, field.pathName) : path;
      // Embedded JSON is read as text straight away rather than through base64.
      slots[field.index] = readValue(ctx, r, field, fieldPath, rawJson);
    }
  }
  r.pos = outerPos;
  r.end = outerEnd;
  return slots;
}

function readValue(ctx: DecodeContext, r: WireReader, field: FieldPlan, path: FieldPath | undefined, bytesAsText: boolean): JsonValue {
  if (field.kind !== KIND_MESSAGE) return readScalar(r, field.kind, bytesAsText);
  const e = r.delimitedEnd();
  const value = decodeMessage(ctx, field.plan ?? childPlan(field), r.pos, e, path, undefined);
  r.pos = e;
  return value;
}

/** A scalar value (a KIND_ other than KIND_MESSAGE) at the reader's position, which moves past it. */
export function readScalar(r: WireReader, kind: number, bytesAsText: boolean): JsonValue {
  switch (kind) {
    case KIND_STRING: {
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      return utf8Decode(r.buf, s, e);
    }
    case KIND_BYTES: {
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      return bytesAsText ? utf8Decode(r.buf, s, e) : base64Encode(r.buf, s, e);
    }
    case KIND_INT32:
      return r.int32();
    case KIND_INT64:
      return r.int64();
    case KIND_BOOL:
      return r.bool();
    default:
      return r.double();
  }
}

function tooDeep(ctx: DecodeContext, start: number, path: FieldPath | undefined): never {
  throw new DecodeError('too-deep', `messages nested deeper than ${MAX_DEPTH} levels`, { offset: ctx.baseOffset + start, path: pathText(path) });
}

/** A field the schema does not know, or knows with another wire type: skipped and kept with its raw bytes. */
function unknownField(ctx: DecodeContext, plan: MessagePlan, tag: number, tagStart: number, path: FieldPath | undefined): void {
  const r = ctx.reader;
  const number = tag >>> 3;
  const wireType = tag & 7;
  if (number === 0) r.fail('invalid field number 0', tagStart);
  r.skip(wireType);
  ctx.unknownFields.push({
    path: pathText(path),
    message: plan.name,
    number,
    wireType,
    raw: ctx.buf.slice(tagStart, r.pos),
    reason: 'unknown',
  });
}

/** A map entry is a message with key = 1 and value = 2; either may be absent (zero value). */
function readMapEntry(ctx: DecodeContext, field: FieldPlan, entries: JsonObject, start: number, end: number, path: FieldPath | undefined): void {
  const r = ctx.reader;
  const outerPos = r.pos;
  const outerEnd = r.end;
  r.pos = start;
  r.end = end;
  let key = '';
  let value: JsonValue | undefined;
  let valueStart = -1;
  let valueEnd = -1;
  const isMessage = field.kind === KIND_MESSAGE;
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 1 && wireType === WIRE_BYTES) {
      const e = r.delimitedEnd();
      key = utf8Decode(ctx.buf, r.pos, e);
      r.pos = e;
    } else if (number === 2 && wireType === field.wireType) {
      if (isMessage) {
        valueEnd = r.delimitedEnd();
        valueStart = r.pos;
        r.pos = valueEnd;
      } else {
        value = readValue(ctx, r, field, path, false);
      }
    } else {
      r.fail(`map ${field.pathName}: unexpected field ${number} (wire type ${wireType}) in an entry`, tagStart);
    }
  }
  r.pos = outerPos;
  r.end = outerEnd;
  if (isMessage) {
    // The entry's path is built only here: scalar maps (labels, annotations) never need it.
    const entryPath = childPath(childPath(path, field.pathName), { mapKey: key });
    const plan = field.plan ?? childPlan(field);
    value = valueStart < 0 ? zeroOfMessage(ctx, plan, entryPath) : decodeMessage(ctx, plan, valueStart, valueEnd, entryPath, undefined);
  } else if (value === undefined) {
    // A nil []byte map value is null in Go's JSON; a missing string value is "".
    value = field.kind === KIND_BYTES ? null : zeroOfScalar(field.kind);
  }
  setOwnProperty(entries, key, value);
}

function zeroOfScalar(kind: number): JsonValue {
  switch (kind) {
    case KIND_STRING:
      return '';
    case KIND_BOOL:
      return false;
    case KIND_BYTES:
      return null;
    default:
      return 0;
  }
}

function zeroOfMessage(ctx: DecodeContext, plan: MessagePlan, path: FieldPath | undefined): JsonValue {
  ctx.buildingZero++;
  const value = decodeMessage(ctx, plan, 0, 0, path, undefined);
  ctx.buildingZero--;
  return value;
}

/** The presence record of the message being assembled, made on its first deviation. */
function presenceRecord(ctx: DecodeContext, plan: MessagePlan, slots: Slots, path: FieldPath | undefined): WirePresence {
  if (ctx.presenceSlots !== slots) {
    ctx.presenceSlots = slots;
    ctx.presence.push({ path: pathText(path), message: plan.name });
  }
  return ctx.presence[ctx.presence.length - 1] as WirePresence;
}

/** Note a plain-value field missing from the wire; called only on that (rare) path. */
function noteAbsent(ctx: DecodeContext, plan: MessagePlan, number: number, slots: Slots, path: FieldPath | undefined): void {
  if (ctx.buildingZero > 0) return;
  const record = presenceRecord(ctx, plan, slots, path);
  (record.absent ??= []).push(number);
}

/** Note an empty field the JSON leaves out although it was on the wire. */
function noteEmpty(ctx: DecodeContext, plan: MessagePlan, number: number, slots: Slots, path: FieldPath | undefined): void {
  const record = presenceRecord(ctx, plan, slots, path);
  (record.empty ??= []).push(number);
}

/** The zero value of a scalar (what omitempty leaves out). */
export function isScalarZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false || value === 0n || value === null;
}

/** Go's omitzero: the value is its type's zero value (metav1.Time's IsZero for times). */
export function isGoZero(value: JsonValue): boolean {
  if (isScalarZero(value)) return true;
  if (Array.isArray(value)) return false;
  if (typeof value === 'object' && value !== null) return Object.values(value).every((v) => isGoZero(v));
  return false;
}

/** What generated assemblers call for the less common cases. */
const assemblerHelpers: AssemblerHelpers = {
  childPlan,
  zeroOfMessage,
  childPath,
  isGoZero,
  isEmptyContainer,
  setOwnProperty,
  noteAbsent,
  noteEmpty,
  inline(ctx, plan, field, slots, path, out) {
    let inlined = slots[field.index];
    if (inlined === undefined) {
      noteAbsent(ctx, plan, field.number, slots, path);
      inlined = zeroOfMessage(ctx, childPlan(field), path);
    }
    if (typeof inlined !== 'object' || inlined === null || Array.isArray(inlined)) return;
    // Go gives the outer struct's own fields precedence over inlined ones of the same name.
    // (Keys rather than entries: no [key, value] array per property.)
    for (const k of Object.keys(inlined)) if (!Object.hasOwn(out, k)) setOwnProperty(out, k, (inlined as JsonObject)[k] as JsonValue);
  },
};

function isEmptyContainer(value: JsonValue): boolean {
  if (value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0;
  return false;
}

/** Keep a field's canonical encoding aside when the JSON form loses it, so re-encoding restores it. */
function keepNotInJson(ctx: DecodeContext, message: MessagePlan, path: FieldPath | undefined, number: number, value: number): void {
  const w = new WireWriter(16);
  w.tag(number, WIRE_VARINT);
  w.int64(value);
  ctx.unknownFields.push({ path: pathText(path), message: message.name, number, wireType: WIRE_VARINT, raw: w.finish(), reason: 'not-in-json' });
}

/** Unix seconds of Go's zero time.Time (January 1, year 1, UTC): metav1.Time.IsZero. */
export const GO_ZERO_TIME_SECONDS = -62135596800;

/**
 * metav1.Time (or MicroTime) from its two fields as the API writes it: RFC 3339 in whole seconds
 * (microseconds); null when neither field is there or it is Go's zero time; undefined for a time
 * outside the years 0-9999, which has no JSON.
 */
export function timeJson(seconds: number | bigint | undefined, nanos: number | undefined, micro: boolean): string | null | undefined {
  if (seconds === undefined && nanos === undefined) return null;
  if (Number(seconds ?? 0) === GO_ZERO_TIME_SECONDS && (nanos ?? 0) === 0) return null;
  return formatRfc3339(seconds ?? 0, micro ? Math.floor((nanos ?? 0) / 1000) : undefined);
}

/** resource.Quantity from its one field: its canonical string, "0" when empty. */
export function quantityJson(text: string | undefined): string {
  return text === undefined || text === '' ? '0' : text;
}

/**
 * intstr.IntOrString from its three fields: the string when type is 1, else the number; undefined
 * when it holds both a number and a string, which no API server writes.
 */
export function intOrStringJson(type: number | bigint | undefined, intVal: number | undefined, strVal: string | undefined): string | number | undefined {
  if (type === 1) return strVal ?? '';
  if (strVal !== undefined && strVal !== '') return undefined;
  return intVal ?? 0;
}

function assembleSpecial(ctx: DecodeContext, message: MessagePlan, slots: Slots, path: FieldPath | undefined): JsonValue {
  const [first, second, third] = slots;
  switch (message.special) {
    case 'time':
    case 'micro-time': {
      const micro = message.special === 'micro-time';
      const text = timeJson(first as number | bigint | undefined, second as number | undefined, micro);
      if (text === null) return null;
      const nanos = (second ?? 0) as number;
      // metav1.Time keeps whole seconds and MicroTime whole microseconds; the rest is kept aside.
      if (micro ? nanos % 1000 !== 0 : nanos !== 0) keepNotInJson(ctx, message, path, 2, nanos);
      if (text === undefined) throw new DecodeError('bad-time', `time ${String(first ?? 0)}s is outside the years 0-9999`, { path: pathText(path) });
      return text;
    }
    case 'duration':
      return formatGoDuration((first ?? 0) as number | bigint);
    case 'quantity':
      return quantityJson(first as string | undefined);
    case 'int-or-string': {
      const value = intOrStringJson(first as number | bigint | undefined, second as number | undefined, third as string | undefined);
      if (value === undefined) {
        throw new DecodeError('bad-int-or-string', `IntOrString holds both the int ${String(second)} and the string "${String(third)}"`, {
          path: pathText(path),
        });
      }
      if (typeof value === 'string' && second !== undefined && second !== 0) keepNotInJson(ctx, message, path, 2, second as number);
      return value;
    }
    case 'raw-json':
      return first === undefined || first === null ? null : embeddedJson(ctx, message, first as string, path);
    case 'string-list':
      return (first ?? []) as JsonValue[];
    case 'schema-or-array':
      if (second !== undefined && (second as JsonValue[]).length > 0) return second;
      return first ?? null;
    case 'schema-or-bool':
      if (second !== undefined) return second;
      return first === true;
    case 'schema-or-string-array':
      if (second !== undefined && (second as JsonValue[]).length > 0) return second;
      return first ?? null;
    default:
      throw new Error(`unhandled special JSON type ${String(message.special)}`);
  }
}

/** Embedded JSON is parsed into a value; its bytes are kept verbatim when re-serializing would not reproduce them. */
function embeddedJson(ctx: DecodeContext, message: MessagePlan, text: string, path: FieldPath | undefined): JsonValue {
  const parsed = parseEmbeddedJson(text);
  if (parsed.kind === 'invalid') {
    throw new DecodeError('bad-embedded-json', `embedded JSON is not valid: ${parsed.reason}`, { path: pathText(path) });
  }
  if (parsed.kind === 'verbatim') ctx.verbatim.push({ path: pathText(path), message: message.name, raw: parsed.raw });
  return parsed.value;
}
