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
import type { SchemaField, SchemaMessage } from './schema.js';
import { base64Encode, utf8Decode } from './text.js';
import { WIRE_BYTES, WIRE_VARINT, WireReader, WireWriter } from './wire.js';
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

interface DecodeContext {
  buf: Uint8Array;
  baseOffset: number;
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
}

/** Nesting guard against hostile input; real objects are a few dozen levels deep. */
const MAX_DEPTH = 200;

export function decodeProtobufMessage(
  message: SchemaMessage,
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  baseOffset = 0,
  /** Object to fill (e.g. one already holding kind and apiVersion), saving a copy. */
  into?: JsonObject,
): ProtobufDecodeResult {
  const ctx: DecodeContext = {
    buf,
    baseOffset,
    unknownFields: [],
    verbatim: [],
    presence: [],
    presenceSlots: undefined,
    buildingZero: 0,
    depth: 0,
    path: undefined,
  };
  try {
    const object = decodeMessage(ctx, message, start, end, undefined, into);
    return { object, unknownFields: ctx.unknownFields, verbatim: ctx.verbatim, presence: ctx.presence };
  } catch (err) {
    // ctx.path still points where decoding stopped: the innermost message being read.
    if (err instanceof KregError && err.subject.path === undefined) err.withSubject({ path: pathText(ctx.path) });
    throw err;
  }
}

function decodeMessage(ctx: DecodeContext, message: SchemaMessage, start: number, end: number, path: FieldPath | undefined, into?: JsonObject): JsonValue {
  if (++ctx.depth > MAX_DEPTH) {
    throw new DecodeError('too-deep', `messages nested deeper than ${MAX_DEPTH} levels`, { offset: ctx.baseOffset + start, path: pathText(path) });
  }
  const outer = ctx.path;
  ctx.path = path;
  const slots = readFields(ctx, message, start, end, path);
  const value = message.special === undefined ? assembleObject(ctx, message, slots, path, into ?? {}) : assembleSpecial(ctx, message, slots, path);
  ctx.path = outer;
  ctx.depth--;
  return value;
}

/** Values by field index; repeated fields collect arrays, maps collect objects. */
type Slots = (JsonValue | undefined)[];

function readFields(ctx: DecodeContext, message: SchemaMessage, start: number, end: number, path: FieldPath | undefined): Slots {
  const r = new WireReader(ctx.buf, start, end, ctx.baseOffset);
  const slots: Slots = new Array<JsonValue | undefined>(message.fields.length);
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) r.fail('invalid field number 0', tagStart);
    const field = message.byNumber[number];
    if (field === undefined || field.wireType !== wireType) {
      r.skip(wireType);
      ctx.unknownFields.push({
        path: pathText(path),
        message: message.name,
        number,
        wireType,
        raw: ctx.buf.slice(tagStart, r.pos),
        reason: 'unknown',
      });
      continue;
    }
    if (field.mapKey !== undefined) {
      const entries = (slots[field.index] ??= {}) as JsonObject;
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      readMapEntry(ctx, field, entries, s, e, path);
    } else if (field.repeated === true) {
      const items = (slots[field.index] ??= []) as JsonValue[];
      const itemPath = field.message === undefined ? path : childPath(childPath(path, field.json ?? field.name), items.length);
      items.push(readValue(ctx, r, field, itemPath));
    } else {
      const fieldPath = field.message === undefined ? path : field.inline === true ? path : childPath(path, field.json ?? field.name);
      // Embedded JSON is read as text straight away rather than through base64.
      slots[field.index] = readValue(ctx, r, field, fieldPath, message.special === 'raw-json');
    }
  }
  return slots;
}

function readValue(ctx: DecodeContext, r: WireReader, field: SchemaField, path: FieldPath | undefined, bytesAsText = false): JsonValue {
  switch (field.type) {
    case 'string': {
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      return utf8Decode(ctx.buf, s, e);
    }
    case 'bytes': {
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      return bytesAsText ? utf8Decode(ctx.buf, s, e) : base64Encode(ctx.buf, s, e);
    }
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
    default: {
      const e = r.delimitedEnd();
      const s = r.pos;
      r.pos = e;
      return decodeMessage(ctx, field.message as SchemaMessage, s, e, path);
    }
  }
}

/** A map entry is a message with key = 1 and value = 2; either may be absent (zero value). */
function readMapEntry(ctx: DecodeContext, field: SchemaField, entries: JsonObject, start: number, end: number, path: FieldPath | undefined): void {
  const r = new WireReader(ctx.buf, start, end, ctx.baseOffset);
  let key = '';
  let value: JsonValue | undefined;
  let valueStart = -1;
  let valueEnd = -1;
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
      if (field.message !== undefined) {
        valueEnd = r.delimitedEnd();
        valueStart = r.pos;
        r.pos = valueEnd;
      } else {
        value = readValue(ctx, r, field, path);
      }
    } else {
      r.fail(`map ${field.json ?? field.name}: unexpected field ${number} (wire type ${wireType}) in an entry`, tagStart);
    }
  }
  const entryPath = childPath(childPath(path, field.json ?? field.name), { mapKey: key });
  if (field.message !== undefined) {
    value = valueStart < 0 ? zeroOfMessage(ctx, field.message, entryPath) : decodeMessage(ctx, field.message, valueStart, valueEnd, entryPath);
  } else if (value === undefined) {
    // A nil []byte map value is null in Go's JSON; a missing string value is "".
    value = field.type === 'bytes' ? null : zeroOfScalar(field.type);
  }
  setOwnProperty(entries, key, value);
}

function zeroOfScalar(type: string): JsonValue {
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return null;
    default:
      return 0;
  }
}

function zeroOfMessage(ctx: DecodeContext, message: SchemaMessage, path: FieldPath | undefined): JsonValue {
  ctx.buildingZero++;
  const value = decodeMessage(ctx, message, 0, 0, path);
  ctx.buildingZero--;
  return value;
}

/** The presence record of the message being assembled, made on its first deviation. */
function presenceRecord(ctx: DecodeContext, message: SchemaMessage, slots: Slots, path: FieldPath | undefined): WirePresence {
  if (ctx.presenceSlots !== slots) {
    ctx.presenceSlots = slots;
    ctx.presence.push({ path: pathText(path), message: message.name });
  }
  return ctx.presence[ctx.presence.length - 1] as WirePresence;
}

/** Note a plain-value field missing from the wire; called only on that (rare) path. */
function noteAbsent(ctx: DecodeContext, message: SchemaMessage, number: number, slots: Slots, path: FieldPath | undefined): void {
  if (ctx.buildingZero > 0) return;
  const record = presenceRecord(ctx, message, slots, path);
  (record.absent ??= []).push(number);
}

/** Note an empty field the JSON leaves out although it was on the wire. */
function noteEmpty(ctx: DecodeContext, message: SchemaMessage, number: number, slots: Slots, path: FieldPath | undefined): void {
  const record = presenceRecord(ctx, message, slots, path);
  (record.empty ??= []).push(number);
}

function isScalarZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false || value === 0n || value === null;
}

/** Go's omitzero: the value is its type's zero value (metav1.Time's IsZero for times). */
function isGoZero(value: JsonValue): boolean {
  if (isScalarZero(value)) return true;
  if (Array.isArray(value)) return false;
  if (typeof value === 'object' && value !== null) return Object.values(value).every((v) => isGoZero(v));
  return false;
}

type Assembler = (ctx: DecodeContext, slots: Slots, path: FieldPath | undefined, out: JsonObject) => JsonObject;

/** Assemblers by message, compiled on first use. */
const assemblers = new WeakMap<SchemaMessage, Assembler>();

function assembleObject(ctx: DecodeContext, message: SchemaMessage, slots: Slots, path: FieldPath | undefined, out: JsonObject): JsonObject {
  let assemble = assemblers.get(message);
  if (assemble === undefined) {
    assemble = compileAssembler(message);
    assemblers.set(message, assemble);
  }
  return assemble(ctx, slots, path, out);
}

/** What generated assemblers call for the less common cases. */
const assemblerHelpers = {
  zeroOfMessage,
  childPath,
  isGoZero,
  isEmptyContainer,
  setOwnProperty,
  noteAbsent,
  noteEmpty,
  inline(ctx: DecodeContext, message: SchemaMessage, field: SchemaField, slots: Slots, path: FieldPath | undefined, out: JsonObject): void {
    let inlined = slots[field.index];
    if (inlined === undefined) {
      noteAbsent(ctx, message, field.number, slots, path);
      inlined = zeroOfMessage(ctx, field.message as SchemaMessage, path);
    }
    if (typeof inlined !== 'object' || inlined === null || Array.isArray(inlined)) return;
    // Go gives the outer struct's own fields precedence over inlined ones of the same name.
    for (const [k, v] of Object.entries(inlined)) if (!Object.hasOwn(out, k)) setOwnProperty(out, k, v);
  },
};

/**
 * Go's JSON rules for one message, compiled into straight-line code: with the property names
 * written out, V8 stores them as fast named properties instead of generic keyed stores, which
 * roughly halves decoding time. Names come from the schema bundle and are quoted with
 * JSON.stringify, so nothing from the decoded value ever becomes code.
 */
function compileAssembler(message: SchemaMessage): Assembler {
  const lines: string[] = [];
  // Fields go in JSON-name order, the order kubectl prints them in, so printing need not reorder
  // them. A message with inlined structs keeps Go's order: their fields land where the struct is.
  const hasInline = message.fields.some((f) => f.inline === true);
  const order = hasInline ? message.fields : [...message.fields].sort((a, b) => ((a.json ?? '') < (b.json ?? '') ? -1 : (a.json ?? '') > (b.json ?? '') ? 1 : 0));
  order.forEach((field) => {
    const i = field.index;
    // A plain value missing from the wire is recorded on the branch that fills in its zero value,
    // so values that are present cost nothing extra.
    const absent = `h.noteAbsent(ctx, m, ${field.number}, slots, path);`;
    if (field.skip === true) {
      if (field.go === 'value') lines.push(`if (slots[${i}] === undefined) ${absent}`);
      return;
    }
    if (field.inline === true) {
      lines.push(`h.inline(ctx, m, m.fields[${i}], slots, path, out);`);
      return;
    }
    const name = field.json as string;
    const key = JSON.stringify(name);
    const set = name === '__proto__' ? `h.setOwnProperty(out, ${key}, v);` : `out[${key}] = v;`;
    const omit = field.omitempty === true || field.omitzero === true;
    lines.push(`v = slots[${i}];`);
    switch (field.go) {
      case 'value': {
        if (field.message !== undefined) lines.push(`if (v === undefined) { ${absent} v = h.zeroOfMessage(ctx, m.fields[${i}].message, h.childPath(path, ${key})); }`);
        else lines.push(`if (v === undefined) { ${absent} v = ${JSON.stringify(zeroOfScalar(field.type))}; }`);
        const conditions: string[] = [];
        // encoding/json's omitempty never omits a struct; only scalars.
        if (field.omitempty === true && field.message === undefined) conditions.push(`!(v === '' || v === 0 || v === false || v === 0n || v === null)`);
        if (field.omitzero === true) conditions.push('!h.isGoZero(v)');
        lines.push(conditions.length > 0 ? `if (${conditions.join(' && ')}) ${set}` : set);
        break;
      }
      case 'pointer':
        lines.push(omit ? `if (v !== undefined) ${set}` : `if (v === undefined) v = null; ${set}`);
        break;
      case 'slice':
      case 'map':
      case 'bytes':
        lines.push(`if (v === undefined || v === null) { ${omit ? '' : `v = null; ${set}`} }`);
        lines.push(field.omitempty === true ? `else if (!h.isEmptyContainer(v)) ${set} else h.noteEmpty(ctx, m, ${field.number}, slots, path);` : `else ${set}`);
        break;
    }
  });
  const body = `return function assemble(ctx, slots, path, out) {\n  let v;\n  ${lines.join('\n  ')}\n  return out;\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from schema facts only, see above
  const factory = new Function('h', 'm', body) as (helpers: typeof assemblerHelpers, message: SchemaMessage) => Assembler;
  return factory(assemblerHelpers, message);
}

function isEmptyContainer(value: JsonValue): boolean {
  if (value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0;
  return false;
}

/** Keep a field's canonical encoding aside when the JSON form loses it, so re-encoding restores it. */
function keepNotInJson(ctx: DecodeContext, message: SchemaMessage, path: FieldPath | undefined, number: number, value: number): void {
  const w = new WireWriter(16);
  w.tag(number, WIRE_VARINT);
  w.int64(value);
  ctx.unknownFields.push({ path: pathText(path), message: message.name, number, wireType: WIRE_VARINT, raw: w.finish(), reason: 'not-in-json' });
}

/** Unix seconds of Go's zero time.Time (January 1, year 1, UTC): metav1.Time.IsZero. */
const GO_ZERO_TIME_SECONDS = -62135596800;

function assembleSpecial(ctx: DecodeContext, message: SchemaMessage, slots: Slots, path: FieldPath | undefined): JsonValue {
  const [first, second, third] = slots;
  switch (message.special) {
    case 'time':
    case 'micro-time': {
      if (first === undefined && second === undefined) return null;
      const seconds = (first ?? 0) as number | bigint;
      const nanos = (second ?? 0) as number;
      if (Number(seconds) === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
      const micro = message.special === 'micro-time';
      // metav1.Time keeps whole seconds and MicroTime whole microseconds; the rest is kept aside.
      if (micro ? nanos % 1000 !== 0 : nanos !== 0) keepNotInJson(ctx, message, path, 2, nanos);
      const text = formatRfc3339(seconds, micro ? Math.floor(nanos / 1000) : undefined);
      if (text === undefined) throw new DecodeError('bad-time', `time ${String(seconds)}s is outside the years 0-9999`, { path: pathText(path) });
      return text;
    }
    case 'duration':
      return formatGoDuration((first ?? 0) as number | bigint);
    case 'quantity':
      return first === undefined || first === '' ? '0' : first;
    case 'int-or-string': {
      const type = (first ?? 0) as number;
      if (type === 1) {
        if (second !== undefined && second !== 0) keepNotInJson(ctx, message, path, 2, second as number);
        return (third ?? '') as string;
      }
      if (third !== undefined && third !== '') {
        throw new DecodeError('bad-int-or-string', `IntOrString holds both the int ${String(second)} and the string "${String(third)}"`, {
          path: pathText(path),
        });
      }
      return (second ?? 0) as number;
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
function embeddedJson(ctx: DecodeContext, message: SchemaMessage, text: string, path: FieldPath | undefined): JsonValue {
  const parsed = parseEmbeddedJson(text);
  if (parsed.kind === 'invalid') {
    throw new DecodeError('bad-embedded-json', `embedded JSON is not valid: ${parsed.reason}`, { path: pathText(path) });
  }
  if (parsed.kind === 'verbatim') ctx.verbatim.push({ path: pathText(path), message: message.name, raw: parsed.raw });
  return parsed.value;
}
