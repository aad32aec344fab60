/**
 * A Kubernetes JSON object → the protobuf bytes kube-apiserver writes for it: fields in number
 * order, map entries sorted by key, Go's wire presence rules (plain values always, pointers and
 * slices only when set), and any unknown fields written back where they were found.
 */
import { EncodeError, KregError } from '../errors.js';
import { childPath, pathText, type FieldPath } from './field-path.js';
import { parseGoDuration, parseRfc3339 } from './go-time.js';
import { GoFloat, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import type { UnknownField, VerbatimJson, WirePresence } from './protobuf-to-json.js';
import type { SchemaField, SchemaMessage } from './schema.js';
import { base64Decode, utf8Encode } from './text.js';
import { WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireWriter } from './wire.js';
import { serializeEmbeddedJson, sameJson } from './embedded-json.js';
import { canonicalQuantity } from './quantity.js';
import { compareBytes } from './utf8.js';

export interface ProtobufEncodeOptions {
  unknownFields?: readonly UnknownField[];
  verbatim?: readonly VerbatimJson[];
  /** Where the stored bytes' field presence differed from Go's rules (see StorageDetails.presence). */
  presence?: readonly WirePresence[];
  /** Top-level keys that belong to the envelope rather than the message (apiVersion, kind). */
  ignoreTopLevelKeys?: readonly string[];
}

interface EncodeContext {
  w: WireWriter;
  /** Unknown fields by "path\0message", in field-number order; undefined when there are none. */
  unknownByLocation: Map<string, UnknownField[]> | undefined;
  verbatimByLocation: Map<string, VerbatimJson> | undefined;
  /** Presence records by "path\0message"; undefined when there are none. */
  presenceByLocation: Map<string, WirePresence> | undefined;
  ignoreTopLevelKeys: ReadonlySet<string>;
}

export function encodeProtobufMessage(message: SchemaMessage, value: JsonValue, options: ProtobufEncodeOptions = {}): Uint8Array {
  const ctx: EncodeContext = {
    w: new WireWriter(4096),
    unknownByLocation: groupUnknown(options.unknownFields ?? []),
    verbatimByLocation: groupVerbatim(options.verbatim ?? []),
    presenceByLocation: groupPresence(options.presence ?? []),
    ignoreTopLevelKeys: new Set(options.ignoreTopLevelKeys ?? []),
  };
  encodeMessage(ctx, message, value, undefined, true);
  return ctx.w.finish();
}

function location(path: string, message: string): string {
  return `${path}\u0000${message}`;
}

function groupUnknown(fields: readonly UnknownField[]): Map<string, UnknownField[]> | undefined {
  if (fields.length === 0) return undefined;
  const map = new Map<string, UnknownField[]>();
  for (const f of fields) {
    const key = location(f.path, f.message);
    const list = map.get(key) ?? [];
    list.push(f);
    map.set(key, list);
  }
  // A stable sort keeps repeated occurrences of one unknown field in their original order.
  for (const list of map.values()) list.sort((a, b) => a.number - b.number);
  return map;
}

function groupVerbatim(values: readonly VerbatimJson[]): Map<string, VerbatimJson> | undefined {
  if (values.length === 0) return undefined;
  return new Map(values.map((v) => [location(v.path, v.message), v]));
}

function groupPresence(records: readonly WirePresence[]): Map<string, WirePresence> | undefined {
  if (records.length === 0) return undefined;
  return new Map(records.map((r) => [location(r.path, r.message), r]));
}

function fail(message: string, path: FieldPath | undefined): never {
  throw new EncodeError('bad-field', message, { path: pathText(path) });
}

function describe(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof GoFloat) return 'a number';
  return `a ${typeof value === 'bigint' ? 'number' : typeof value}`;
}

function encodeMessage(ctx: EncodeContext, message: SchemaMessage, value: JsonValue | undefined, path: FieldPath | undefined, validate: boolean): void {
  try {
    const at = ctx.unknownByLocation === undefined && ctx.presenceByLocation === undefined ? undefined : location(pathText(path), message.name);
    const extras = at === undefined ? undefined : ctx.unknownByLocation?.get(at);
    const presence = at === undefined ? undefined : ctx.presenceByLocation?.get(at);
    if (message.special !== undefined) {
      encodeSpecial(ctx, message, value, path, extras);
      return;
    }
    let object: JsonObject;
    if (value === undefined || value === null) object = {};
    else if (isJsonObject(value)) object = value;
    else fail(`expected an object for ${shortName(message.name)}, got ${describe(value)}`, path);
    if (validate) checkKnownKeys(ctx, message, object, path);
    const write = presence === undefined ? (field: SchemaField) => writeField(ctx, field, object, path) : (field: SchemaField) => writeAsStored(ctx, field, object, path, presence);
    writeFieldsInOrder(ctx, message, extras, write);
  } catch (err) {
    if (err instanceof KregError && err.subject.path === undefined) err.withSubject({ path: pathText(path) });
    throw err;
  }
}

/** Known fields in number order, with unknown fields merged in by their numbers. */
function writeFieldsInOrder(ctx: EncodeContext, message: SchemaMessage, extras: UnknownField[] | undefined, write: (field: SchemaField) => void): void {
  if (extras === undefined) {
    for (const field of message.wireOrder) write(field);
    return;
  }
  let next = 0;
  for (const field of message.wireOrder) {
    while (next < extras.length && (extras[next] as UnknownField).number < field.number) ctx.w.raw((extras[next++] as UnknownField).raw);
    // A value the JSON could not hold replaces the field's JSON-derived encoding.
    const replacement = extras.filter((e) => e.number === field.number && e.reason === 'not-in-json');
    if (replacement.length > 0) {
      for (const r of replacement) ctx.w.raw(r.raw);
    } else {
      write(field);
    }
    while (next < extras.length && (extras[next] as UnknownField).number === field.number) {
      const extra = extras[next++] as UnknownField;
      if (extra.reason === 'unknown') ctx.w.raw(extra.raw);
    }
  }
  while (next < extras.length) ctx.w.raw((extras[next++] as UnknownField).raw);
}

function shortName(messageName: string): string {
  return messageName.slice(messageName.lastIndexOf('.') + 1);
}

function checkKnownKeys(ctx: EncodeContext, message: SchemaMessage, object: JsonObject, path: FieldPath | undefined): void {
  for (const key of Object.keys(object)) {
    if (message.byJsonName.has(key)) continue;
    if (path === undefined && ctx.ignoreTopLevelKeys.has(key)) continue;
    throw new EncodeError('unknown-field', `unknown field "${key}" in ${shortName(message.name)}`, { path: pathText(childPath(path, key)) });
  }
}

/**
 * A field the stored bytes lacked stays out while its value is still the zero value (what the
 * decoder filled in), and one stored empty is written empty while the JSON still leaves it out;
 * once edited, either is written like any other field.
 */
function writeAsStored(ctx: EncodeContext, field: SchemaField, object: JsonObject, path: FieldPath | undefined, presence: WirePresence): void {
  const w = ctx.w;
  const start = w.pos;
  writeField(ctx, field, object, path);
  if (presence.absent?.includes(field.number) === true && compareBytes(w.writtenSince(start), zeroFieldBytes(field)) === 0) w.pos = start;
  else if (w.pos === start && presence.empty?.includes(field.number) === true) {
    // An empty []byte or list wrapper: the tag and a zero length.
    w.tag(field.number, WIRE_BYTES);
    w.uint32(0);
  }
}

/** A field's bytes when its JSON value is unset (a plain field's zero value), by field. */
const zeroBytesByField = new WeakMap<SchemaField, Uint8Array>();

function zeroFieldBytes(field: SchemaField): Uint8Array {
  let bytes = zeroBytesByField.get(field);
  if (bytes === undefined) {
    const ctx: EncodeContext = { w: new WireWriter(64), unknownByLocation: undefined, verbatimByLocation: undefined, presenceByLocation: undefined, ignoreTopLevelKeys: new Set() };
    writeField(ctx, field, {}, undefined);
    bytes = ctx.w.finish();
    zeroBytesByField.set(field, bytes);
  }
  return bytes;
}

function writeField(ctx: EncodeContext, field: SchemaField, object: JsonObject, path: FieldPath | undefined): void {
  const w = ctx.w;
  if (field.inline === true) {
    // An inlined struct reads its fields from the parent's JSON object; it is always on the wire.
    w.tag(field.number, WIRE_BYTES);
    const mark = w.beginDelimited();
    encodeMessage(ctx, field.message as SchemaMessage, object, path, false);
    w.finishDelimited(mark);
    return;
  }
  const name = field.json ?? field.name;
  const value = field.skip === true ? undefined : object[name];
  const fieldPath = childPath(path, name);
  switch (field.go) {
    case 'value':
      writeSingle(ctx, field, value, fieldPath);
      return;
    case 'pointer':
      if (value !== undefined && value !== null) writeSingle(ctx, field, value, fieldPath);
      return;
    case 'bytes':
      if (value !== undefined && value !== null) writeSingle(ctx, field, value, fieldPath);
      return;
    case 'slice':
      if (value === undefined || value === null) return;
      if (field.repeated === true) {
        if (!Array.isArray(value)) fail(`expected an array, got ${describe(value)}`, fieldPath);
        value.forEach((item, i) => writeSingle(ctx, field, item, childPath(fieldPath, i)));
      } else {
        // A named slice carried as a wrapper message (string-list): present whenever non-nil.
        writeSingle(ctx, field, value, fieldPath);
      }
      return;
    case 'map':
      if (value === undefined || value === null) return;
      if (!isJsonObject(value)) fail(`expected an object, got ${describe(value)}`, fieldPath);
      writeMap(ctx, field, value, fieldPath);
      return;
  }
}

/** Go sorts map keys by their UTF-8 bytes; UTF-16 order differs only when surrogates are involved. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

function writeMap(ctx: EncodeContext, field: SchemaField, entries: JsonObject, path: FieldPath): void {
  const w = ctx.w;
  const keys = Object.keys(entries).sort(compareGoStrings);
  for (const key of keys) {
    const value = entries[key] as JsonValue;
    const valuePath = childPath(path, { mapKey: key });
    w.tag(field.number, WIRE_BYTES);
    const mark = w.beginDelimited();
    w.tag(1, WIRE_BYTES);
    w.bytes(utf8Encode(key));
    // A nil []byte value is left out of the entry; every other value is always written.
    if (!(field.type === 'bytes' && value === null)) writeValue(ctx, field, 2, value, valuePath);
    w.finishDelimited(mark);
  }
}

function writeSingle(ctx: EncodeContext, field: SchemaField, value: JsonValue | undefined, path: FieldPath): void {
  writeValue(ctx, field, field.number, value, path);
}

/** One value of the field's type under the given field number (the field's own, or 2 in a map entry). */
function writeValue(ctx: EncodeContext, field: SchemaField, number: number, value: JsonValue | undefined, path: FieldPath): void {
  const w = ctx.w;
  switch (field.type) {
    case 'string':
      if (value !== undefined && value !== null && typeof value !== 'string') fail(`expected a string, got ${describe(value)}`, path);
      w.tag(number, WIRE_BYTES);
      w.bytes(utf8Encode(value ?? ''));
      return;
    case 'bytes': {
      if (value !== undefined && value !== null && typeof value !== 'string') fail(`expected base64 text, got ${describe(value)}`, path);
      const bytes = base64Decode(value ?? '');
      if (bytes === undefined) fail('expected base64 text (standard alphabet, padded)', path);
      w.tag(number, WIRE_BYTES);
      w.bytes(bytes);
      return;
    }
    case 'bool':
      if (value !== undefined && value !== null && typeof value !== 'boolean') fail(`expected true or false, got ${describe(value)}`, path);
      w.tag(number, WIRE_VARINT);
      w.bool(value === true);
      return;
    case 'int32':
    case 'int64': {
      const n = integerOf(value, field.type, path);
      w.tag(number, WIRE_VARINT);
      w.int64(n);
      return;
    }
    case 'double': {
      let n: number;
      if (value === undefined || value === null) n = 0;
      else if (typeof value === 'number') n = value;
      else if (value instanceof GoFloat) n = value.value;
      else if (typeof value === 'bigint') n = Number(value);
      else fail(`expected a number, got ${describe(value)}`, path);
      w.tag(number, WIRE_FIXED64);
      w.double(n);
      return;
    }
    default: {
      w.tag(number, WIRE_BYTES);
      const mark = w.beginDelimited();
      encodeMessage(ctx, field.message as SchemaMessage, value, path, true);
      w.finishDelimited(mark);
    }
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function integerOf(value: JsonValue | undefined, type: 'int32' | 'int64', path: FieldPath): number | bigint {
  if (value === undefined || value === null) return 0;
  let n: number | bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (value instanceof GoFloat && Number.isSafeInteger(value.value)) n = value.value;
  else fail(`expected an integer, got ${describe(value)}${typeof value === 'number' ? ` ${value}` : ''}`, path);
  if (type === 'int32' && (n < INT32_MIN || n > INT32_MAX)) fail(`${String(n)} does not fit in int32`, path);
  if (typeof n === 'bigint' && (n < -(2n ** 63n) || n >= 2n ** 63n)) fail(`${String(n)} does not fit in int64`, path);
  return n;
}

function encodeSpecial(ctx: EncodeContext, message: SchemaMessage, value: JsonValue | undefined, path: FieldPath | undefined, extras: UnknownField[] | undefined): void {
  const w = ctx.w;
  // Special types write their fields through the same merge as plain messages, so unknown and
  // not-in-JSON fields come back in place.
  const fieldWriters = new Map<number, () => void>();
  const byName = (name: string): SchemaField => message.fields.find((f) => f.name === name) as SchemaField;
  const at = (p: FieldPath | undefined): FieldPath => p ?? { parent: undefined, segment: '' };
  switch (message.special) {
    case 'time':
    case 'micro-time': {
      if (value === undefined || value === null) break; // the zero time marshals to no bytes
      if (typeof value !== 'string') fail(`expected an RFC 3339 time, got ${describe(value)}`, path);
      const parsed = parseRfc3339(value);
      if (parsed === undefined) fail(`"${value}" is not an RFC 3339 time`, path);
      if (parsed.seconds === -62135596800 && parsed.nanos === 0) break; // Go's zero time
      const nanos = message.special === 'micro-time' ? parsed.nanos - (parsed.nanos % 1000) : 0;
      fieldWriters.set(1, () => {
        w.tag(1, WIRE_VARINT);
        w.int64(parsed.seconds);
      });
      fieldWriters.set(2, () => {
        w.tag(2, WIRE_VARINT);
        w.int64(nanos);
      });
      break;
    }
    case 'duration': {
      let nanos: bigint | undefined;
      if (value === undefined || value === null) nanos = 0n;
      else if (typeof value === 'string') nanos = parseGoDuration(value);
      if (nanos === undefined) fail(`expected a Go duration such as "1h30m" or "15s", got ${typeof value === 'string' ? `"${value}"` : describe(value)}`, path);
      const n = nanos >= BigInt(Number.MIN_SAFE_INTEGER) && nanos <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(nanos) : nanos;
      fieldWriters.set(1, () => {
        w.tag(1, WIRE_VARINT);
        w.int64(n);
      });
      break;
    }
    case 'quantity': {
      let text: string;
      if (value === undefined || value === null) text = '0';
      else if (typeof value === 'string') text = value;
      else if (typeof value === 'number' || typeof value === 'bigint' || value instanceof GoFloat) text = String(value);
      else fail(`expected a quantity such as "500m" or "1Gi", got ${describe(value)}`, path);
      const canonical = canonicalQuantity(text);
      if (canonical === undefined) fail(`"${text}" is not a valid quantity`, path);
      fieldWriters.set(1, () => {
        w.tag(1, WIRE_BYTES);
        w.bytes(utf8Encode(canonical));
      });
      break;
    }
    case 'int-or-string': {
      const isString = typeof value === 'string';
      if (value !== undefined && value !== null && !isString && typeof value !== 'number') fail(`expected a number or a string, got ${describe(value)}`, path);
      const intVal = isString ? 0 : integerOf(value, 'int32', at(path));
      fieldWriters.set(1, () => {
        w.tag(1, WIRE_VARINT);
        w.int64(isString ? 1 : 0);
      });
      fieldWriters.set(2, () => {
        w.tag(2, WIRE_VARINT);
        w.int64(intVal);
      });
      fieldWriters.set(3, () => {
        w.tag(3, WIRE_BYTES);
        w.bytes(utf8Encode(isString ? value : ''));
      });
      break;
    }
    case 'raw-json': {
      if (value === undefined || value === null) break; // nil Raw is not written
      const kept = ctx.verbatimByLocation?.get(location(pathText(path), message.name));
      const bytes = kept !== undefined && sameJson(kept.raw, value) ? kept.raw : serializeEmbeddedJson(value);
      fieldWriters.set(1, () => {
        w.tag(1, WIRE_BYTES);
        w.bytes(bytes);
      });
      break;
    }
    case 'string-list': {
      if (value === undefined || value === null) break;
      if (!Array.isArray(value)) fail(`expected an array of strings, got ${describe(value)}`, path);
      const items = byName('items');
      fieldWriters.set(1, () => value.forEach((item, i) => writeValue(ctx, items, 1, item, childPath(at(path), i))));
      break;
    }
    case 'schema-or-array': {
      if (value === undefined || value === null) break;
      if (Array.isArray(value)) {
        const list = message.fields.find((f) => f.repeated === true) as SchemaField;
        fieldWriters.set(list.number, () => value.forEach((item, i) => writeValue(ctx, list, list.number, item, childPath(at(path), i))));
      } else {
        const schema = byName('schema');
        fieldWriters.set(schema.number, () => writeValue(ctx, schema, schema.number, value, at(path)));
      }
      break;
    }
    case 'schema-or-bool': {
      const allows = byName('allows');
      const schema = byName('schema');
      if (typeof value === 'boolean' || value === undefined || value === null) {
        fieldWriters.set(allows.number, () => writeValue(ctx, allows, allows.number, value === true, at(path)));
      } else {
        fieldWriters.set(allows.number, () => writeValue(ctx, allows, allows.number, true, at(path)));
        fieldWriters.set(schema.number, () => writeValue(ctx, schema, schema.number, value, at(path)));
      }
      break;
    }
    case 'schema-or-string-array': {
      if (value === undefined || value === null) break;
      if (Array.isArray(value)) {
        const property = byName('property');
        fieldWriters.set(property.number, () => value.forEach((item, i) => writeValue(ctx, property, property.number, item, childPath(at(path), i))));
      } else {
        const schema = byName('schema');
        fieldWriters.set(schema.number, () => writeValue(ctx, schema, schema.number, value, at(path)));
      }
      break;
    }
  }
  writeFieldsInOrder(ctx, message, extras, (field) => fieldWriters.get(field.number)?.());
}
