/**
 * A stored protobuf object straight to the text `kreg get -o json/ndjson/yaml` prints for it (keys
 * sorted at every level, Go's JSON rules, metadata.resourceVersion from the entry), without
 * building the object first: listings spend most of their time decoding objects only to turn them
 * into text. The text is the very text formatJson gives for the decoded object; the test holds it
 * to that on every upstream fixture.
 *
 * Each message is read twice: a scan notes where each field is, then its members are written in
 * JSON-name order straight from the wire. Small values with their own JSON form (times,
 * quantities, embedded JSON) are decoded by the object decoder and written as text.
 *
 * The same walk, compiled to WebAssembly (assembly/json-text.ts, driven by text-walk-wasm.ts),
 * writes each object first: about twice as fast, it refuses whatever it does not cover, and the
 * walk here writes that object. It asks this one for the values it does not write itself.
 *
 * Anything it does not cover (an unknown kind, a value to mask, a damaged value) gives `false`,
 * and the caller decodes the value the usual way, which also says what is wrong.
 *
 * YAML (writeStoredObjectYaml) has only the WebAssembly walk (assembly/yaml-text.ts): it writes
 * what formatYaml gives for the decoded object, asking this module to decode the values it does
 * not write itself, and refuses the rest, which the object path writes. Pure.
 */
import { decodeMessageAt, GO_ZERO_TIME_SECONDS, intOrStringJson, isGoZero, isScalarZero, newDecodeContext, quantityJson, readScalar, timeJson, type DecodeContext } from './protobuf-to-json.js';
import { JSON_OBJECT_START, PROTOBUF_MAGIC, startsWith } from './detect.js';
import { writeStoredJsonText } from './stored-json-to-json-text.js';
import { readEnvelope, type Envelope } from './envelope.js';
import type { JsonValue } from './json-value.js';
import { KIND_BOOL, KIND_BYTES, KIND_MESSAGE, KIND_STRING, planOf, type MessagePlan } from './message-plan.js';
import { GO_BYTES, GO_VALUE, type Member, MEMBER_API_VERSION, MEMBER_KIND, MEMBER_MANAGED_FIELDS, MEMBER_METADATA, MEMBER_RESOURCE_VERSION, type TextPlan, textPlanOf } from './json-text-plan.js';
import type { Schema } from './schema.js';
import { base64Decode, utf8Decode, utf8Encode } from './text.js';
import { isPlainAsciiByte, JsonTextBuffer, PLAIN_ASCII } from './json-text-buffer.js';
import { WireReader } from './wire.js';
import { type ObjectHeader, TextWalkWasm, type TextWalkHost, OMITTED, type YamlEmitter } from './text-walk-wasm.js';
import { TEXT_WALK_WASM } from './text-walk-wasm-module.js';

/** How one stored object is written. */
export interface JsonTextOptions {
  /** metadata.resourceVersion, as kube-apiserver sets it on reads: the key's mod revision. */
  resourceVersion: string;
  /** Leave metadata.managedFields out (kubectl's default). */
  managedFieldsHidden: boolean;
  /** Spaces per level (0: one line, as -o ndjson). */
  indent: number;
  /** Levels the object sits at (its lines are indented as those of a List's item). */
  depth: number;
  /**
   * A v1 Secret's data must be masked: with maskedSecretValue, the WebAssembly walks write each of
   * its data values as that (one whose last-applied annotation holds a copy is the object path's);
   * without, every such Secret gives `false`.
   */
  secretsMasked: boolean;
  /** What a masked Secret's data values read (printable ASCII, no blanks or quotes). */
  maskedSecretValue?: string;
  /** JSON text of a decoded value, keys sorted (formatJson): for the small parts decoded as objects. */
  jsonText: (value: JsonValue, indent: number) => string;
}

/** How one stored object is written as YAML: JSON's options at indent 0, and where the object sits. */
export interface YamlTextOptions extends JsonTextOptions {
  /** A List's item, written just after its `-`; else a document of its own. */
  listItem: boolean;
  /** go-yaml's emitter, for the values the WebAssembly walk leaves to JavaScript. */
  emitter: YamlEmitter;
}

/**
 * Which walk writes: the WebAssembly one, then this module's where it refuses (`any`, what every
 * caller wants), or only one of them (tests hold them to each other).
 */
export type JsonTextEngine = 'any' | 'javascript' | 'webassembly';

/** Thrown inside the transcoder for anything it leaves to the object decoder. */
const NOT_COVERED = Symbol('not covered by the JSON text transcoder');

/** kubectl apply's annotation, as it is stored (its key's bytes). */
const LAST_APPLIED = utf8Encode('kubectl.kubernetes.io/last-applied-configuration');

/** Whether `needle` (not empty) occurs in `haystack`. */
function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0] as number;
  for (let at = haystack.indexOf(first); at >= 0 && at + needle.length <= haystack.length; at = haystack.indexOf(first, at + 1)) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return true;
  }
  return false;
}

const TIME = 'time';
const QUANTITY = 'quantity';
const INT_OR_STRING = 'int-or-string';

/** From this length on, strings are checked four bytes at a time and copied whole. */
const LONG_STRING_BYTES = 64;

/** The object decoder's nesting guard, kept alike so both refuse the same values. */
const MAX_DEPTH = 200;

/** What the writer holds between values (not the last value: it may be lent). */
const NO_VALUE = new Uint8Array(0);

/** The walk in WebAssembly, made on first use; null where WebAssembly cannot run. */
let wasm: TextWalkWasm | null | undefined;

function textWalkWasm(): TextWalkWasm | null {
  if (wasm !== undefined) return wasm;
  try {
    wasm = new TextWalkWasm(base64Decode(TEXT_WALK_WASM) as Uint8Array);
  } catch {
    wasm = null;
  }
  return wasm;
}

/** The writer's state over one value. */
class Transcoder implements TextWalkHost {
  /** Where answers to the WebAssembly walk are written. */
  private readonly scratch = new JsonTextBuffer(4096);
  /** Per message being written: where each of its fields is on the wire (see TextPlan.window). */
  private slots = new Int32Array(4096);
  private top = 0;
  private buf: Uint8Array = NO_VALUE;
  /** The value's bytes as 32-bit words (from the word its first byte is in), made when a long string needs them. */
  private words: Uint32Array | undefined;
  /** A reader over the value, made when the JavaScript walk or an answer to the WebAssembly one first needs it. */
  private valueReader: WireReader | undefined;
  /** The object decoder's state over the value, made when a part needs it (embedded JSON and the like). */
  private ctx: DecodeContext | undefined;
  private out: JsonTextBuffer = new JsonTextBuffer(16);
  private indent = 0;
  /** JSON nesting of what is being written, for indentation. */
  private level = 0;
  /** Message nesting, as the object decoder counts it. */
  private depth = 0;
  private options!: JsonTextOptions;
  /** The value's envelope: its apiVersion and kind are the object's (none when its kind is empty). */
  private envelope: Envelope | undefined;
  private spaces = '';
  /** The last time written: an object's timestamps are mostly the same few seconds. */
  private lastSeconds = Number.NaN;
  private lastTime = '';

  /**
   * Reads the value's envelope and readies the walk over it: the object's plan, or undefined when
   * the object decoder must do it.
   */
  private begin(schema: Schema, value: Uint8Array, options: JsonTextOptions, out: JsonTextBuffer): { text: TextPlan; envelope: Envelope; header: ObjectHeader } | undefined {
    if (!startsWith(value, PROTOBUF_MAGIC)) return undefined;
    const envelope = readEnvelope(value);
    if (envelope.contentEncoding !== '') return undefined;
    // A value stored without its type (an empty kind) is read as its key says: the object path does that.
    if (envelope.kind === '') return undefined;
    let maskedValue: string | undefined;
    if (options.secretsMasked && envelope.kind === 'Secret' && envelope.apiVersion === 'v1') {
      // kubectl apply's copy of the Secret (an annotation) is masked inside its JSON: the object path does that.
      if (options.maskedSecretValue === undefined || containsBytes(value, LAST_APPLIED)) return undefined;
      maskedValue = options.maskedSecretValue;
    }
    const message = schema.kindMessage(envelope.apiVersion, envelope.kind);
    if (message === undefined) return undefined;
    const text = textPlanOf(planOf(message), true);
    if (text.notCovered !== undefined) return undefined;
    this.buf = value;
    this.words = undefined;
    this.valueReader = undefined;
    this.ctx = undefined;
    this.envelope = envelope;
    this.out = out;
    this.options = options;
    this.indent = options.indent;
    this.level = options.depth;
    this.depth = 0;
    this.top = 0;
    const header: ObjectHeader = { apiVersion: envelope.apiVersion, kind: envelope.kind, resourceVersion: options.resourceVersion };
    if (maskedValue !== undefined) header.maskedValue = maskedValue;
    return { text, envelope, header };
  }

  private get reader(): WireReader {
    this.valueReader ??= new WireReader(this.buf);
    return this.valueReader;
  }

  private end(): void {
    this.buf = NO_VALUE;
    this.valueReader = undefined;
    this.words = undefined;
    this.ctx = undefined;
    this.envelope = undefined;
  }

  /** Writes the object as YAML, by the WebAssembly walk; false (nothing written) when the object path must. */
  writeYaml(schema: Schema, value: Uint8Array, options: YamlTextOptions, out: JsonTextBuffer): boolean {
    try {
      const walk = textWalkWasm();
      if (walk === null) return false;
      const begun = this.begin(schema, value, options, out);
      if (begun === undefined) return false;
      const { text, envelope, header } = begun;
      const written = walk.writeYaml(this, options.emitter, text, value, envelope.rawStart, envelope.rawEnd, header, { listItem: options.listItem, managedFieldsHidden: options.managedFieldsHidden });
      if (written === undefined) return false;
      out.append(written);
      return true;
    } catch {
      // Damaged: the object decoder does it again and names the damage.
      return false;
    } finally {
      this.end();
    }
  }

  /** Writes the object; false (nothing written) when the object decoder must do it. */
  write(schema: Schema, value: Uint8Array, options: JsonTextOptions, out: JsonTextBuffer, engine: JsonTextEngine): boolean {
    const mark = out.length;
    try {
      const begun = this.begin(schema, value, options, out);
      if (begun === undefined) return false;
      const { text, envelope, header } = begun;
      const walk = engine === 'javascript' ? null : textWalkWasm();
      // Only the WebAssembly walk masks a Secret's data.
      if (walk === null && (engine === 'webassembly' || header.maskedValue !== undefined)) return false;
      if (walk !== null) {
        const written = walk.write(this, text, value, envelope.rawStart, envelope.rawEnd, header, { indent: options.indent, level: options.depth, managedFieldsHidden: options.managedFieldsHidden });
        if (written !== undefined) {
          out.append(written);
          return true;
        }
        // Refused: the walk here decides (and says what is wrong, if anything is). The answers
        // given meanwhile left its state as they found it.
        if (engine === 'webassembly' || header.maskedValue !== undefined) return false;
      }
      this.message(text, envelope.rawStart, envelope.rawEnd);
      return true;
    } catch {
      // Not covered, or damaged: the object decoder does it again and names the damage.
      out.length = mark;
      return false;
    } finally {
      this.end();
    }
  }

  decodedSpecial(member: Member, at: number, end: number, depth: number, omitZero: boolean): JsonValue | typeof OMITTED | undefined {
    const saved = this.depth;
    this.depth = depth;
    try {
      const value = this.specialValue(member.plan as MessagePlan, at, end);
      return omitZero && isGoZero(value) ? OMITTED : value;
    } catch {
      return undefined;
    } finally {
      this.depth = saved;
    }
  }

  decodedScalar(member: Member, at: number, end: number, omitZero: boolean): JsonValue | typeof OMITTED | undefined {
    try {
      const value = this.scalarValue(member.kind, at, end);
      return omitZero && isScalarZero(value) ? OMITTED : value;
    } catch {
      return undefined;
    }
  }

  decodedString(start: number, end: number): string {
    return utf8Decode(this.buf, start, end);
  }

  special(member: Member, at: number, end: number, depth: number, level: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined {
    return this.answer(depth, level, () => {
      const value = this.specialValue(member.plan as MessagePlan, at, end);
      if (omitZero && isGoZero(value)) return false;
      this.jsonValue(value);
      return true;
    });
  }

  scalar(member: Member, at: number, end: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined {
    return this.answer(this.depth, this.level, () => {
      const value = this.scalarValue(member.kind, at, end);
      if (omitZero && isScalarZero(value)) return false;
      this.jsonValue(value);
      return true;
    });
  }

  string(start: number, end: number): Uint8Array | undefined {
    this.scratch.length = 0;
    this.scratch.text(JSON.stringify(utf8Decode(this.buf, start, end)));
    return this.scratch.bytes.subarray(0, this.scratch.length);
  }

  /**
   * Runs `write` at the WebAssembly walk's depth and level, with the output going to the scratch
   * buffer: its text, OMITTED when it wrote none, undefined when it failed. The walk's state here
   * is left as it was, for this walk to write the object if the WebAssembly one refuses it.
   */
  private answer(depth: number, level: number, write: () => boolean): Uint8Array | typeof OMITTED | undefined {
    const out = this.out;
    const savedDepth = this.depth;
    const savedLevel = this.level;
    this.out = this.scratch;
    this.scratch.length = 0;
    this.depth = depth;
    this.level = level;
    try {
      return write() ? this.scratch.bytes.subarray(0, this.scratch.length) : OMITTED;
    } catch {
      return undefined;
    } finally {
      this.out = out;
      this.depth = savedDepth;
      this.level = savedLevel;
    }
  }

  private ensureSlots(count: number): void {
    if (this.top + count <= this.slots.length) return;
    const slots = new Int32Array(Math.max(this.slots.length * 2, this.top + count));
    slots.set(this.slots.subarray(0, this.top));
    this.slots = slots;
  }

  /** Notes where each field of the table's message is (first tag, last value, count). */
  private scan(table: MessagePlan, base: number, start: number, end: number): void {
    const slots = this.slots;
    slots[base] = start;
    slots[base + 1] = end;
    const n = table.fields.length;
    for (let i = 0, s = base + 2; i < n; i++, s += 3) {
      slots[s] = -1;
      slots[s + 1] = -1;
      slots[s + 2] = 0;
    }
    const r = this.reader;
    r.pos = start;
    r.end = end;
    const byNumber = table.byNumber;
    while (r.pos < end) {
      const tagStart = r.pos;
      const tag = r.uint32();
      const field = byNumber[tag >>> 3];
      if (field === undefined || field.wireType !== (tag & 7)) {
        if (tag >>> 3 === 0) r.fail('invalid field number 0', tagStart);
        r.skip(tag & 7);
        continue;
      }
      const s = base + 2 + 3 * field.index;
      if ((slots[s] as number) < 0) slots[s] = tagStart;
      slots[s + 1] = r.pos;
      slots[s + 2] = (slots[s + 2] as number) + 1;
      r.skip(tag & 7);
    }
  }

  /** A plain message (not one with its own JSON form) as a JSON object. */
  private message(text: TextPlan, start: number, end: number): void {
    if (text.notCovered !== undefined || ++this.depth > MAX_DEPTH) throw NOT_COVERED;
    const base = this.top;
    this.ensureSlots(text.window);
    this.top += text.window;
    this.scan(text.plan, base, start, end);
    for (const inline of text.inlines) {
      const s = base + inline.parentSlot;
      const count = this.slots[s + 2] as number;
      if (count > 1) throw NOT_COVERED;
      if (count === 0) this.scan(inline.plan, base + inline.tableOffset, 0, 0);
      else {
        const ve = this.delimitedEnd(this.slots[s + 1] as number, this.slots[base + inline.parentRange + 1] as number);
        this.scan(inline.plan, base + inline.tableOffset, this.reader.pos, ve);
      }
    }
    for (const hidden of text.hiddenMessageFields) this.checkHidden(base, hidden);
    const out = this.out;
    out.byte(0x7b);
    this.level++;
    let first = true;
    const members = text.members;
    for (let i = 0; i < members.length; i++) {
      const member = members[i] as Member;
      // The common case, without a call: a field not on the wire that Go's JSON leaves out.
      if (member.absentOmitted && this.slots[base + member.slot + 2] === 0) continue;
      if (this.member(text, base, member, first)) first = false;
    }
    this.level--;
    if (!first) this.newline();
    out.byte(0x7d);
    this.top = base;
    this.depth--;
  }

  /** A field json:"-" hides: the object decoder still reads it, so it is checked alike, and dropped. */
  private checkHidden(base: number, member: Member): void {
    const s = base + member.slot;
    const count = this.slots[s + 2] as number;
    if (count === 0) return;
    const mark = this.out.length;
    this.occurrences(member, this.slots[s] as number, count, this.slots[base + member.range + 1] as number);
    this.out.length = mark;
  }

  private newline(): void {
    if (this.indent === 0) return;
    const width = this.indent * this.level;
    if (this.spaces.length < width) this.spaces = ' '.repeat(width * 2);
    this.out.byte(0x0a);
    this.out.ascii(this.spaces.slice(0, width));
  }

  /** The member's key, after a comma unless it is the first. */
  private key(member: Member, first: boolean): void {
    const out = this.out;
    const key = member.key;
    if (this.indent === 0) {
      out.reserve(key.length);
      const bytes = out.bytes;
      let o = out.length;
      for (let i = first ? 1 : 0; i < key.length; i++) bytes[o++] = key[i] as number;
      out.length = o;
      return;
    }
    if (!first) out.byte(0x2c);
    this.newline();
    out.reserve(key.length + 1);
    const bytes = out.bytes;
    let o = out.length;
    for (let i = 1; i < key.length; i++) bytes[o++] = key[i] as number;
    bytes[o++] = 0x20;
    out.length = o;
  }

  /** Writes the member, key and value; false when Go's JSON leaves it out. */
  private member(text: TextPlan, base: number, member: Member, first: boolean): boolean {
    const role = member.role;
    if (role === MEMBER_API_VERSION || role === MEMBER_KIND || role === MEMBER_RESOURCE_VERSION) {
      const envelope = this.envelope as Envelope;
      const value = role === MEMBER_RESOURCE_VERSION ? this.options.resourceVersion : role === MEMBER_KIND ? envelope.kind : envelope.apiVersion;
      this.key(member, first);
      this.jsString(value);
      return true;
    }
    const slots = this.slots;
    const s = base + member.slot;
    const end = slots[base + member.range + 1] as number;
    const firstTag = slots[s] as number;
    const lastValue = slots[s + 1] as number;
    const count = slots[s + 2] as number;
    if (role === MEMBER_MANAGED_FIELDS && this.options.managedFieldsHidden) {
      // Read as the object decoder reads them (so a damaged entry fails alike), then left out.
      // (Their fieldsV1 are not parsed: the decode context skips the object's own, see specialValue.)
      if (count > 0) {
        const mark = this.out.length;
        this.repeated(member, firstTag, count, end);
        this.out.length = mark;
      }
      return false;
    }
    if (role === MEMBER_METADATA) {
      if (count > 1) throw NOT_COVERED;
      this.key(member, first);
      this.messageAt(text.metadataPlan as TextPlan, count === 0 ? -1 : lastValue, end);
      return true;
    }
    if (member.repeated || member.isMap) {
      if (count === 0) return this.nullUnlessOmitted(member, first);
      this.key(member, first);
      if (member.isMap) this.map(member, firstTag, count, end);
      else this.repeated(member, firstTag, count, end);
      return true;
    }
    if (count > 1) throw NOT_COVERED;
    const shape = member.shape;
    if (shape !== GO_VALUE) {
      if (count === 0) return this.nullUnlessOmitted(member, first);
      if (shape === GO_BYTES && member.omitEmptyTag && this.isEmptyBytes(lastValue, end)) return false;
      this.key(member, first);
      this.single(member, lastValue, end);
      return true;
    }
    // A plain Go value: written even when absent from the wire (its zero value), unless omitted.
    const kind = member.kind;
    if (kind === KIND_MESSAGE) {
      if (member.special) {
        const value = this.specialValue(member.plan as MessagePlan, count === 0 ? -1 : lastValue, end);
        if (member.omitZero && isGoZero(value)) return false;
        this.key(member, first);
        this.jsonValue(value);
        return true;
      }
      this.key(member, first);
      this.messageAt(member.text(), count === 0 ? -1 : lastValue, end);
      return true;
    }
    if (count === 0) {
      if (member.omitEmpty) return false;
      this.key(member, first);
      this.zeroScalar(kind);
      return true;
    }
    if (member.omitEmpty) {
      if (kind === KIND_STRING || kind === KIND_BYTES) {
        if (this.isEmptyBytes(lastValue, end)) return false;
      } else {
        const value = this.scalarValue(kind, lastValue, end);
        if (isScalarZero(value)) return false;
        this.key(member, first);
        this.jsonValue(value);
        return true;
      }
    }
    this.key(member, first);
    this.single(member, lastValue, end);
    return true;
  }

  private nullUnlessOmitted(member: Member, first: boolean): boolean {
    if (member.omitEmpty) return false;
    this.key(member, first);
    this.out.ascii('null');
    return true;
  }

  private isEmptyBytes(valueStart: number, end: number): boolean {
    return this.delimitedEnd(valueStart, end) === this.reader.pos;
  }

  /** End of a length-delimited value whose length is at `at`, within `end`; its start is left in reader.pos. */
  private delimitedEnd(at: number, end: number): number {
    const r = this.reader;
    r.pos = at;
    r.end = end;
    return r.delimitedEnd();
  }

  /** A plain message whose length is at `at` (-1: absent, its zero value). */
  private messageAt(text: TextPlan, at: number, end: number): void {
    if (at < 0) this.message(text, 0, 0);
    else {
      const e = this.delimitedEnd(at, end);
      this.message(text, this.reader.pos, e);
    }
  }

  /** One value of the member's field, whose bytes start at `at` (after the tag); -1: absent (a map entry's value). */
  private single(member: Member, at: number, end: number): void {
    const kind = member.kind;
    if (kind === KIND_STRING) {
      if (at < 0) this.out.ascii('""');
      else {
        const e = this.delimitedEnd(at, end);
        this.wireString(this.reader.pos, e);
      }
    } else if (kind === KIND_MESSAGE) {
      if (member.special) this.jsonValue(this.specialValue(member.plan as MessagePlan, at, end));
      else this.messageAt(member.text(), at, end);
    } else if (at < 0) this.zeroScalar(kind);
    else this.jsonValue(this.scalarValue(kind, at, end));
  }

  /** A scalar field's value as the object decoder reads it. */
  private scalarValue(kind: number, at: number, end: number): JsonValue {
    const r = this.reader;
    r.pos = at;
    r.end = end;
    return readScalar(r, kind, false);
  }

  private zeroScalar(kind: number): void {
    switch (kind) {
      case KIND_STRING:
        this.out.ascii('""');
        return;
      case KIND_BOOL:
        this.out.ascii('false');
        return;
      case KIND_BYTES:
        this.out.ascii('null');
        return;
      default:
        this.out.byte(0x30);
    }
  }

  /**
   * A message with its own JSON form: the common ones (times, quantities, IntOrStrings) read here,
   * the others (embedded JSON, string lists, ...) by the object decoder; `at` is where its length
   * is, or -1 when it is absent (its zero value).
   */
  private specialValue(plan: MessagePlan, at: number, end: number): JsonValue {
    switch (plan.special) {
      case TIME:
        return this.time(at, end);
      case QUANTITY:
        return this.quantity(at, end);
      case INT_OR_STRING:
        return this.intOrString(at, end);
    }
    const ctx = (this.ctx ??= newDecodeContext(this.buf, 0, this.buf.length, 0, this.options.managedFieldsHidden));
    // The object decoder's depth, which also tells it which fieldsV1 are the object's own.
    ctx.depth = this.depth;
    if (at < 0) {
      ctx.buildingZero++;
      const zero = decodeMessageAt(ctx, plan, 0, 0);
      ctx.buildingZero--;
      return zero;
    }
    const e = this.delimitedEnd(at, end);
    return decodeMessageAt(ctx, plan, this.reader.pos, e);
  }

  /**
   * The fields of a small message whose length is at `at` (-1: absent), each handed to `field` with
   * its tag and the reader at its value; the others skipped, as the object decoder does.
   */
  private eachField(at: number, end: number, field: (tag: number) => boolean): void {
    if (this.depth + 1 > MAX_DEPTH) throw NOT_COVERED;
    if (at < 0) return;
    const r = this.reader;
    const e = this.delimitedEnd(at, end);
    r.end = e;
    while (r.pos < e) {
      const tagStart = r.pos;
      const tag = r.uint32();
      if (field(tag)) continue;
      if (tag >>> 3 === 0) r.fail('invalid field number 0', tagStart);
      r.skip(tag & 7);
    }
  }

  /** resource.Quantity { string = 1 }: its string; empty or absent is "0". */
  private quantity(at: number, end: number): JsonValue {
    let text: string | undefined;
    const r = this.reader;
    this.eachField(at, end, (tag) => {
      if (tag !== 0x0a) return false;
      const e = r.delimitedEnd();
      text = utf8Decode(this.buf, r.pos, e);
      r.pos = e;
      return true;
    });
    return quantityJson(text);
  }

  /** intstr.IntOrString { type = 1 (int64), intVal = 2 (int32), strVal = 3 }: the string when type is 1, else the number. */
  private intOrString(at: number, end: number): JsonValue {
    let type: number | bigint | undefined;
    let intVal: number | undefined;
    let strVal: string | undefined;
    const r = this.reader;
    this.eachField(at, end, (tag) => {
      if (tag === 0x08) type = r.int64();
      else if (tag === 0x10) intVal = r.int32();
      else if (tag === 0x1a) {
        const e = r.delimitedEnd();
        strVal = utf8Decode(this.buf, r.pos, e);
        r.pos = e;
      } else return false;
      return true;
    });
    const value = intOrStringJson(type, intVal, strVal);
    // Both an int and a string: the object decoder names the damage.
    if (value === undefined) throw NOT_COVERED;
    return value;
  }

  /** metav1.Time { seconds = 1 (int64), nanos = 2 (int32) }: RFC 3339 in whole seconds; zero is null. */
  private time(at: number, end: number): JsonValue {
    let seconds: number | bigint | undefined;
    let nanos: number | undefined;
    const r = this.reader;
    this.eachField(at, end, (tag) => {
      if (tag === 0x08) seconds = r.int64();
      else if (tag === 0x10) nanos = r.int32();
      else return false;
      return true;
    });
    // A time's text depends on its seconds alone but for Go's zero time, which is never kept.
    if (typeof seconds === 'number' && seconds === this.lastSeconds) return this.lastTime;
    const text = timeJson(seconds, nanos, false);
    if (text === undefined) throw NOT_COVERED;
    if (text !== null && typeof seconds === 'number' && seconds !== GO_ZERO_TIME_SECONDS) {
      this.lastSeconds = seconds;
      this.lastTime = text;
    }
    return text;
  }

  /**
   * Where the next value with this tag starts, looking from `pos` (a tag) on and skipping other
   * fields; the reader is left there. The caller knows how many there are, so one always is.
   */
  private nextOccurrence(tag: number, pos: number, end: number): number {
    const r = this.reader;
    r.pos = pos;
    r.end = end;
    for (;;) {
      const t = r.uint32();
      if (t === tag) return r.pos;
      r.skip(t & 7);
    }
  }

  /** Every value of a repeated field, from its first tag on, as a JSON array. */
  private repeated(member: Member, firstTag: number, count: number, end: number): void {
    const out = this.out;
    const r = this.reader;
    const tag = member.tag;
    out.byte(0x5b);
    this.level++;
    let pos = firstTag;
    for (let written = 0; written < count; ) {
      const at = this.nextOccurrence(tag, pos, end);
      r.skip(tag & 7);
      pos = r.pos;
      if (written++ > 0) out.byte(0x2c);
      this.newline();
      this.single(member, at, end);
    }
    this.level--;
    this.newline();
    out.byte(0x5d);
  }

  /** A map field's entries as a JSON object, keys sorted (last entry wins for a repeated key). */
  private map(member: Member, firstTag: number, count: number, end: number): void {
    const r = this.reader;
    const tag = member.tag;
    const valueTag = 0x10 | member.wireType;
    // Per entry: key start, key end, value position (-1: absent), entry end.
    const base = this.top;
    this.ensureSlots(4 * count);
    this.top += 4 * count;
    const slots = this.slots;
    const buf = this.buf;
    let sorted = true;
    let pos = firstTag;
    for (let n = 0; n < count; ) {
      this.nextOccurrence(tag, pos, end);
      const entryEnd = r.delimitedEnd();
      pos = entryEnd;
      let keyStart = 0;
      let keyEnd = 0;
      let valueAt = -1;
      r.end = entryEnd;
      while (r.pos < entryEnd) {
        const tagStart = r.pos;
        const et = r.uint32();
        if (et === 0x0a) {
          keyEnd = r.delimitedEnd();
          keyStart = r.pos;
          r.pos = keyEnd;
        } else if (et === valueTag) {
          valueAt = r.pos;
          // Skipping checks what reading would (the length fits, the varint ends); the last value is read below.
          r.skip(member.wireType);
        } else {
          r.fail(`map ${member.name}: unexpected field ${et >>> 3} (wire type ${et & 7}) in an entry`, tagStart);
        }
      }
      const e = base + 4 * n;
      slots[e] = keyStart;
      slots[e + 1] = keyEnd;
      slots[e + 2] = valueAt;
      slots[e + 3] = entryEnd;
      if (n > 0 && sorted && !asciiBefore(buf, slots[e - 4] as number, slots[e - 3] as number, keyStart, keyEnd)) sorted = false;
      n++;
    }
    const order = sorted ? undefined : sortedEntries(buf, slots, base, count);
    const out = this.out;
    out.byte(0x7b);
    this.level++;
    const shown = order === undefined ? count : order.length;
    for (let i = 0; i < shown; i++) {
      const e = base + 4 * (order === undefined ? i : (order[i] as number));
      if (i > 0) out.byte(0x2c);
      this.newline();
      this.wireString(slots[e] as number, slots[e + 1] as number);
      out.byte(0x3a);
      if (this.indent > 0) out.byte(0x20);
      // A missing value is its type's zero (a []byte's is null).
      this.single(member, slots[e + 2] as number, slots[e + 3] as number);
    }
    this.level--;
    if (shown > 0) this.newline();
    out.byte(0x7d);
    this.top = base;
  }

  /** A string field's bytes as a JSON string: copied when plain ASCII, else as JSON.stringify writes it. */
  private wireString(start: number, end: number): void {
    if (end - start >= LONG_STRING_BYTES) {
      this.longWireString(start, end);
      return;
    }
    const out = this.out;
    out.reserve(end - start + 2);
    const bytes = out.bytes;
    const buf = this.buf;
    let o = out.length;
    bytes[o++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      if (PLAIN_ASCII[c] === 0) {
        out.text(JSON.stringify(utf8Decode(buf, start, end)));
        return;
      }
      bytes[o++] = c;
    }
    bytes[o++] = 0x22;
    out.length = o;
  }

  /** wireString for long strings: checked a word at a time, then the bytes copied whole. */
  private longWireString(start: number, end: number): void {
    const out = this.out;
    if (!this.plainAscii(start, end)) {
      out.text(JSON.stringify(utf8Decode(this.buf, start, end)));
      return;
    }
    out.reserve(end - start + 2);
    out.bytes[out.length] = 0x22;
    out.bytes.set(this.buf.subarray(start, end), out.length + 1);
    out.length += end - start + 1;
    out.bytes[out.length++] = 0x22;
  }

  /**
   * Whether the bytes are their own JSON string text: ASCII, no control character, no quote or
   * backslash. Checked four bytes at a time through a word view of the value.
   */
  private plainAscii(start: number, end: number): boolean {
    const buf = this.buf;
    const shift = buf.byteOffset & 3;
    let i = start;
    for (; i < end && ((shift + i) & 3) !== 0; i++) if (!isPlainAsciiByte(buf[i] as number)) return false;
    const words = (this.words ??= new Uint32Array(buf.buffer, buf.byteOffset - shift, (shift + buf.length) >>> 2));
    const lastWord = (shift + end) >>> 2;
    for (let w = (shift + i) >>> 2; w < lastWord; w++) {
      const x = words[w] as number;
      // Bit tricks on the four bytes at once: any byte >= 0x80, < 0x20, = 0x22 or = 0x5c.
      const quote = x ^ 0x22222222;
      const backslash = x ^ 0x5c5c5c5c;
      if (((x | ((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0) return false;
    }
    for (i = Math.max(i, (lastWord << 2) - shift); i < end; i++) if (!isPlainAsciiByte(buf[i] as number)) return false;
    return true;
  }

  /** A string as JSON.stringify writes it: plain ASCII copied, anything else through JSON.stringify. */
  private jsString(text: string): void {
    const out = this.out;
    out.reserve(text.length + 2);
    const bytes = out.bytes;
    let o = out.length;
    bytes[o++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!isPlainAsciiByte(c)) {
        out.text(JSON.stringify(text));
        return;
      }
      bytes[o++] = c;
    }
    bytes[o++] = 0x22;
    out.length = o;
  }

  /** A decoded value as formatJson writes it, at the current nesting. */
  private jsonValue(value: JsonValue): void {
    switch (typeof value) {
      case 'string':
        this.jsString(value);
        return;
      case 'number':
        this.out.ascii(JSON.stringify(value));
        return;
      case 'bigint':
      case 'boolean':
        this.out.ascii(String(value));
        return;
    }
    if (value === null) {
      this.out.ascii('null');
      return;
    }
    const text = this.options.jsonText(value, this.indent);
    this.out.text(this.indent === 0 ? text : text.replaceAll('\n', `\n${' '.repeat(this.indent * this.level)}`));
  }

  /** Every occurrence of the field written, one after another (for a hidden field, checked then dropped). */
  private occurrences(member: Member, firstTag: number, count: number, end: number): void {
    if (member.repeated || member.isMap) {
      if (member.isMap) this.map(member, firstTag, count, end);
      else this.repeated(member, firstTag, count, end);
      return;
    }
    const r = this.reader;
    let pos = firstTag;
    for (let n = 0; n < count; n++) {
      const at = this.nextOccurrence(member.tag, pos, end);
      r.skip(member.tag & 7);
      pos = r.pos;
      this.single(member, at, end);
    }
  }
}

/** Whether key a is ASCII and sorts strictly before key b, also ASCII (then bytes compare as JavaScript strings do). */
function asciiBefore(buf: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const a = buf[aStart + i] as number;
    const b = buf[bStart + i] as number;
    if (a >= 0x80 || b >= 0x80) return false;
    if (a !== b) return a < b;
  }
  for (let i = aStart + n; i < aEnd; i++) if ((buf[i] as number) >= 0x80) return false;
  for (let i = bStart + n; i < bEnd; i++) if ((buf[i] as number) >= 0x80) return false;
  return aEnd - aStart < bEnd - bStart;
}

/** Entry indexes in key order as a JavaScript object would hold them: sorted, a repeated key's last value. */
function sortedEntries(buf: Uint8Array, slots: Int32Array, base: number, count: number): number[] {
  const byKey = new Map<string, number>();
  for (let i = 0; i < count; i++) byKey.set(utf8Decode(buf, slots[base + 4 * i] as number, slots[base + 4 * i + 1] as number), i);
  const keys = [...byKey.keys()].sort();
  return keys.map((k) => byKey.get(k) as number);
}

const transcoder = new Transcoder();

/**
 * Writes the stored value's object as JSON text into `out`, as formatJson prints the object
 * decodeEntry gives (resourceVersion set, managedFields hidden when asked). A value stored as JSON
 * is written by stored-json-to-json-text.ts (whatever the engine). Gives false, writing nothing,
 * for a value it leaves to the object decoder: neither protobuf nor JSON, an unknown kind, a
 * Secret to mask, a type or text it does not cover, or damaged bytes.
 */
export function writeStoredObjectJson(schema: Schema, value: Uint8Array, options: JsonTextOptions, out: JsonTextBuffer, engine: JsonTextEngine = 'any'): boolean {
  if (value[0] === JSON_OBJECT_START) return writeStoredJsonText(value, options, out);
  return transcoder.write(schema, value, options, out, engine);
}

/**
 * Writes the stored value's object as YAML into `out`, as kubectl's `-o yaml` prints the object
 * decodeEntry gives (alone, or as a List's item after its `-`). Gives false, writing nothing, for
 * a value it leaves to the object path (see writeStoredObjectJson), and wherever WebAssembly cannot run.
 */
export function writeStoredObjectYaml(schema: Schema, value: Uint8Array, options: YamlTextOptions, out: JsonTextBuffer): boolean {
  return transcoder.writeYaml(schema, value, options, out);
}
