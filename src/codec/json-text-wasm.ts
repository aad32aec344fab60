/**
 * The JSON text transcoder's walk in WebAssembly (assembly/json-text.ts): this side lays out the
 * writer plans (json-text-plan.ts) as tables in the module's memory, copies each value in, and
 * answers the module's questions about the values it does not write itself. The module writes
 * the same text as the JavaScript writer or refuses (then the JavaScript writer does it), so
 * output never depends on which one wrote it. Pure: the module's bytes come from a generated file.
 */
import type { MessagePlan } from './message-plan.js';
import { KIND_MESSAGE } from './message-plan.js';
import type { Member, TextPlan } from './json-text-plan.js';
import { utf8Encode } from './text.js';

/**
 * What the module asks of the JavaScript writer. Each answer is the value's JSON text (a view,
 * copied at once), OMITTED when Go's JSON leaves the member out, or undefined when the JavaScript
 * writer must write the whole object (the value is damaged or not covered).
 */
export interface JsonTextWasmHost {
  /** A value with its own JSON form (a time, a quantity, embedded JSON, ...); `at` -1 when absent. */
  special(member: Member, at: number, end: number, depth: number, level: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined;
  /** A bytes or double field's value. */
  scalar(member: Member, at: number, end: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined;
  /** A string that is not plain ASCII, as JSON text. */
  string(start: number, end: number): Uint8Array | undefined;
}

export const OMITTED = Symbol('omitted');
const NOT_COVERED = -1;
const OMITTED_CODE = -2;
const OUT_FULL = -3;

/**
 * The records the module reads, word by word, as assembly/json-text.ts names them (M_ and P_);
 * the module exports its record sizes, and one that differs is not used.
 */
const M_ROLE = 0;
const M_KIND = 1;
const M_SHAPE = 2;
const M_FLAGS = 3;
const M_TAG = 4;
const M_WIRE = 5;
const M_SLOT = 6;
const M_RANGE = 7;
const M_TEXT = 8;
const M_KEY = 9;
const M_KEY_LENGTH = 10;
const M_ID = 11;
const M_SPECIAL = 12;
const MEMBER_WORDS = 13;
const P_WINDOW = 0;
const P_NOT_COVERED = 1;
const P_TABLE = 2;
const P_INLINES = 3;
const P_INLINE_COUNT = 4;
const P_HIDDEN = 5;
const P_HIDDEN_COUNT = 6;
const P_MEMBERS = 7;
const P_MEMBER_COUNT = 8;
const P_METADATA = 9;
const TEXT_WORDS = 10;
/** Values with their own JSON form that the module writes itself (the others it asks the host for). */
const SPECIAL_CODES: Record<string, number> = { time: 1, quantity: 2, 'int-or-string': 3 };
const PAGE = 65536;
/**
 * The module's memory is laid out here (it has no data of its own and allocates nothing), in
 * bytes: the plain-ASCII table, the header strings, the plans, the slot stack, then the value and
 * the output, whose room grows as values need.
 */
const PLAIN_AT = 1024;
const HEADERS_AT = 2048;
const HEADERS_BYTES = PAGE - HEADERS_AT;
const PLANS_AT = PAGE;
const PLANS_BYTES = 8 * 1024 * 1024;
const SLOTS_AT = PLANS_AT + PLANS_BYTES;
const SLOT_WORDS = 256 * 1024;
const VALUES_AT = SLOTS_AT + SLOT_WORDS * 4;

const FLAG_REPEATED = 1;
const FLAG_MAP = 2;
const FLAG_OMIT_EMPTY = 4;
const FLAG_OMIT_EMPTY_TAG = 8;
const FLAG_OMIT_ZERO = 16;
const FLAG_SPECIAL = 32;
const FLAG_ABSENT_OMITTED = 64;

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface JsonTextExports {
  memory: WasmMemory;
  MEMBER_WORDS: { value: number };
  TEXT_WORDS: { value: number };
  init(plans: number, slots: number, slotWords: number, plain: number, headers: number): void;
  write(
    text: number,
    value: number,
    start: number,
    end: number,
    output: number,
    capacity: number,
    indent: number,
    level: number,
    hideManagedFields: number,
    apiVersion: number,
    kind: number,
    resourceVersion: number,
  ): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

export class JsonTextWasm {
  private readonly exports: JsonTextExports;
  /** Views of the module's memory, made again whenever it grows. */
  private bytes = new Uint8Array(0);
  private words = new Int32Array(0);
  /** Next free word of the plan area (index into `words` from PLANS_AT). */
  private nextWord = 0;
  private readonly texts = new Map<TextPlan, number>();
  private readonly tables = new Map<MessagePlan, number>();
  private readonly members: Member[] = [];
  private valueCapacity = 4 * 1024 * 1024;
  private outCapacity = 16 * 1024 * 1024;
  /** The plan area is full: every object is left to the JavaScript writer from then on. */
  private exhausted = false;
  private host: JsonTextWasmHost | undefined;
  private lastApiVersion: string | undefined;
  private lastKind: string | undefined;
  private typeLengths: [number, number] = [0, 0];
  private outAt = 0;

  constructor(module: Uint8Array, plainAscii: Uint8Array) {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const imports = {
      env: {
        abort: () => {
          throw new Error('json-text module aborted');
        },
        special: (id: number, at: number, end: number, depth: number, level: number, omitZero: number, out: number, outEnd: number) =>
          this.answer(this.currentHost().special(this.members[id] as Member, at, end, depth, level, omitZero !== 0), out, outEnd),
        scalar: (id: number, at: number, end: number, omitZero: number, out: number, outEnd: number) =>
          this.answer(this.currentHost().scalar(this.members[id] as Member, at, end, omitZero !== 0), out, outEnd),
        string: (start: number, end: number, out: number, outEnd: number) => this.answer(this.currentHost().string(start, end), out, outEnd),
      },
    };
    const instance = new api.Instance(new api.Module(module), imports);
    this.exports = instance.exports as JsonTextExports;
    if (this.exports.MEMBER_WORDS.value !== MEMBER_WORDS || this.exports.TEXT_WORDS.value !== TEXT_WORDS) throw new Error('json-text module lays out its records otherwise');
    this.makeRoom(this.valueCapacity, this.outCapacity);
    this.bytes.set(plainAscii, PLAIN_AT);
    this.exports.init(PLANS_AT, SLOTS_AT, SLOT_WORDS, PLAIN_AT, HEADERS_AT);
  }

  /**
   * Writes the object (its top-level plan `text`, its message at [start, end) of `value`) and
   * returns the text's bytes (a view, valid until the next call), or undefined when the
   * JavaScript writer must write it.
   */
  write(
    host: JsonTextWasmHost,
    text: TextPlan,
    value: Uint8Array,
    start: number,
    end: number,
    header: { apiVersion: string; kind: string; resourceVersion: string },
    layout: { indent: number; level: number; managedFieldsHidden: boolean },
  ): Uint8Array | undefined {
    if (this.exhausted) return undefined;
    const plan = this.textOffset(text);
    if (plan < 0) return undefined;
    if (value.length > this.valueCapacity || this.outCapacity < 2 * value.length + 4096) this.makeRoom(value.length, 2 * value.length + 4096);
    const lengths = this.writeHeaders(header);
    if (lengths === undefined) return undefined;
    this.bytes.set(value, VALUES_AT);
    this.host = host;
    try {
      for (;;) {
        this.outAt = VALUES_AT + this.valueCapacity;
        const written = this.exports.write(
          plan,
          VALUES_AT,
          start,
          end,
          this.outAt,
          this.outCapacity,
          layout.indent,
          layout.level,
          layout.managedFieldsHidden ? 1 : 0,
          lengths[0],
          lengths[1],
          lengths[2],
        );
        if (written === OUT_FULL) {
          // Growing the memory keeps its bytes: the value and headers are still in place.
          this.makeRoom(value.length, this.outCapacity * 2);
          continue;
        }
        if (written < 0) return undefined;
        return this.bytes.subarray(this.outAt, this.outAt + written);
      }
    } finally {
      this.host = undefined;
    }
  }

  /** The apiVersion, kind and resourceVersion as JSON strings, one after another at HEADERS_AT: their lengths. */
  private writeHeaders(header: { apiVersion: string; kind: string; resourceVersion: string }): [number, number, number] | undefined {
    // Listings read long runs of one kind: its two strings are encoded once per run.
    if (header.apiVersion !== this.lastApiVersion || header.kind !== this.lastKind) {
      const apiVersion = utf8Encode(JSON.stringify(header.apiVersion));
      const kind = utf8Encode(JSON.stringify(header.kind));
      if (apiVersion.length + kind.length + 64 > HEADERS_BYTES) return undefined;
      this.bytes.set(apiVersion, HEADERS_AT);
      this.bytes.set(kind, HEADERS_AT + apiVersion.length);
      this.lastApiVersion = header.apiVersion;
      this.lastKind = header.kind;
      this.typeLengths = [apiVersion.length, kind.length];
    }
    const [apiVersionLength, kindLength] = this.typeLengths;
    let at = HEADERS_AT + apiVersionLength + kindLength;
    const rv = header.resourceVersion;
    // A resourceVersion is a revision's digits; anything else is written by the JavaScript writer.
    if (rv.length > 60 || !/^[0-9]*$/.test(rv)) return undefined;
    const bytes = this.bytes;
    bytes[at++] = 0x22;
    for (let i = 0; i < rv.length; i++) bytes[at++] = rv.charCodeAt(i);
    bytes[at] = 0x22;
    return [apiVersionLength, kindLength, rv.length + 2];
  }

  private currentHost(): JsonTextWasmHost {
    return this.host as JsonTextWasmHost;
  }

  /** Puts a host's text at output position `out` (of `outEnd`, both from the output's start): its new length, or why not. */
  private answer(encoded: Uint8Array | typeof OMITTED | undefined, out: number, outEnd: number): number {
    if (encoded === undefined) return NOT_COVERED;
    if (encoded === OMITTED) return OMITTED_CODE;
    if (out + encoded.length > outEnd) return OUT_FULL;
    this.bytes.set(encoded, this.outAt + out);
    return out + encoded.length;
  }

  /** Grows the memory (which keeps its bytes) until the value and output areas have this much room. */
  private makeRoom(valueBytes: number, outBytes: number): void {
    while (this.valueCapacity < valueBytes) this.valueCapacity *= 2;
    while (this.outCapacity < outBytes) this.outCapacity *= 2;
    const memory = this.exports.memory;
    const need = VALUES_AT + this.valueCapacity + this.outCapacity;
    const pages = Math.ceil((need - memory.buffer.byteLength) / PAGE);
    if (pages > 0) memory.grow(pages);
    this.bytes = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer, PLANS_AT, PLANS_BYTES / 4);
  }

  private allocate(words: number): number {
    if (this.nextWord + words > this.words.length) {
      this.exhausted = true;
      return -1;
    }
    const at = this.nextWord;
    this.nextWord += words;
    return at;
  }

  /** The plan's record in the module's memory (laid out on first use, with every plan it reaches); -1 when out of room. */
  private textOffset(text: TextPlan): number {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    const at = this.allocate(TEXT_WORDS);
    if (at < 0) return -1;
    // Noted before its members are laid out: types may be recursive.
    this.texts.set(text, at);
    const w = this.words;
    w[at + P_WINDOW] = text.window;
    w[at + P_NOT_COVERED] = text.notCovered === undefined ? 0 : 1;
    const table = this.tableOffset(text.plan);
    const inlines = this.allocate(4 * text.inlines.length);
    const hidden = this.memberRecords(text.hiddenMessageFields);
    const members = this.memberRecords(text.members);
    if (table < 0 || inlines < 0 || hidden < 0 || members < 0) return -1;
    w[at + P_TABLE] = table;
    w[at + P_INLINES] = inlines;
    w[at + P_INLINE_COUNT] = text.inlines.length;
    // Per inlined struct: its table, the parent's slot and range, its table's place in the window.
    text.inlines.forEach((inline, i) => {
      const t = this.tableOffset(inline.plan);
      w[inlines + 4 * i] = t;
      w[inlines + 4 * i + 1] = inline.parentSlot;
      w[inlines + 4 * i + 2] = inline.parentRange;
      w[inlines + 4 * i + 3] = inline.tableOffset;
    });
    w[at + P_HIDDEN] = hidden;
    w[at + P_HIDDEN_COUNT] = text.hiddenMessageFields.length;
    w[at + P_MEMBERS] = members;
    w[at + P_MEMBER_COUNT] = text.members.length;
    w[at + P_METADATA] = text.metadataPlan === undefined ? -1 : this.textOffset(text.metadataPlan);
    const childPlans = (base: number, list: readonly Member[]): void =>
      list.forEach((m, i) => {
        if (m.kind === KIND_MESSAGE && !m.special && m.plan !== undefined) w[base + MEMBER_WORDS * i + M_TEXT] = this.textOffset(m.text());
      });
    childPlans(hidden, text.hiddenMessageFields);
    childPlans(members, text.members);
    return this.exhausted ? -1 : at;
  }

  private tableOffset(plan: MessagePlan): number {
    const known = this.tables.get(plan);
    if (known !== undefined) return known;
    const maxNumber = plan.byNumber.length - 1;
    const at = this.allocate(2 + maxNumber + 1);
    if (at < 0) return -1;
    const w = this.words;
    w[at] = maxNumber;
    w[at + 1] = plan.fields.length;
    for (let n = 0; n <= maxNumber; n++) {
      const f = plan.byNumber[n];
      w[at + 2 + n] = f === undefined ? -1 : (f.index << 3) | f.wireType;
    }
    this.tables.set(plan, at);
    return at;
  }

  /** Member records (their child plans filled in by the caller), with their keys' bytes. */
  private memberRecords(members: readonly Member[]): number {
    const at = this.allocate(MEMBER_WORDS * members.length);
    if (at < 0) return -1;
    const w = this.words;
    members.forEach((m, i) => {
      const r = at + MEMBER_WORDS * i;
      const keyWords = this.allocate(Math.ceil(m.key.length / 4));
      if (keyWords < 0) return;
      this.bytes.set(m.key, PLANS_AT + keyWords * 4);
      let flags = 0;
      if (m.repeated) flags |= FLAG_REPEATED;
      if (m.isMap) flags |= FLAG_MAP;
      if (m.omitEmpty) flags |= FLAG_OMIT_EMPTY;
      if (m.omitEmptyTag) flags |= FLAG_OMIT_EMPTY_TAG;
      if (m.omitZero) flags |= FLAG_OMIT_ZERO;
      if (m.special) flags |= FLAG_SPECIAL;
      if (m.absentOmitted) flags |= FLAG_ABSENT_OMITTED;
      w[r + M_ROLE] = m.role;
      w[r + M_KIND] = m.kind;
      w[r + M_SHAPE] = m.shape;
      w[r + M_FLAGS] = flags;
      w[r + M_TAG] = m.tag;
      w[r + M_WIRE] = m.wireType;
      w[r + M_SLOT] = m.slot;
      w[r + M_RANGE] = m.range;
      w[r + M_TEXT] = -1;
      w[r + M_KEY] = keyWords * 4;
      w[r + M_KEY_LENGTH] = m.key.length;
      w[r + M_ID] = this.members.push(m) - 1;
      w[r + M_SPECIAL] = SPECIAL_CODES[m.plan?.special ?? ''] ?? 0;
    });
    return at;
  }
}
