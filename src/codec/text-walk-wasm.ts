/**
 * The text walks in WebAssembly: the JSON text transcoder's walk (assembly/json-text.ts) and the
 * YAML walk (assembly/yaml-text.ts). This side lays out the writer plans (json-text-plan.ts) as
 * tables in the module's memory, copies each value in, and answers the module's questions about
 * the values it does not write itself (decoded by the host, written as YAML by go-yaml's emitter
 * for the YAML walk). The module writes the same text as the JavaScript writer or the object path,
 * or refuses (then they do it), so output never depends on which one wrote it. Pure: the module's
 * bytes come from a generated file.
 */
import type { JsonValue } from './json-value.js';
import type { MessagePlan } from './message-plan.js';
import { FIELDS_V1, KIND_MESSAGE, OWN_FIELDS_V1_DEPTH } from './message-plan.js';
import type { Member, TextPlan } from './json-text-plan.js';
import { utf8Encode, utf8EncodeInto } from './text.js';

/**
 * What the module asks of the JavaScript writer. Each answer is the value's JSON text (a view,
 * copied at once), OMITTED when Go's JSON leaves the member out, or undefined when the JavaScript
 * writer must write the whole object (the value is damaged or not covered).
 */
export interface TextWalkHost {
  /** A value with its own JSON form (a time, a quantity, embedded JSON, ...); `at` -1 when absent. */
  special(member: Member, at: number, end: number, depth: number, level: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined;
  /** A bytes or double field's value. */
  scalar(member: Member, at: number, end: number, omitZero: boolean): Uint8Array | typeof OMITTED | undefined;
  /** A string that is not plain ASCII, as JSON text. */
  string(start: number, end: number): Uint8Array | undefined;
  /** For the YAML walk: a value with its own JSON form, decoded (at message nesting `depth`). */
  decodedSpecial(member: Member, at: number, end: number, depth: number, omitZero: boolean): JsonValue | typeof OMITTED | undefined;
  /** For the YAML walk: a bytes or double field's value, decoded. */
  decodedScalar(member: Member, at: number, end: number, omitZero: boolean): JsonValue | typeof OMITTED | undefined;
  /** For the YAML walk: a string's bytes, decoded. */
  decodedString(start: number, end: number): string;
}

/** Where go-yaml's emitter is: its column and its two flags (go-yaml-writer.ts's Emitter). */
export interface YamlPosition {
  column: number;
  whitespace: boolean;
  indention: boolean;
}

/**
 * go-yaml's emitter as the YAML walk needs it from JavaScript: src/format/go-yaml-writer.ts gives
 * it (the codec does not depend on the formatters).
 */
export interface YamlEmitter {
  /** A mapping key with its colon, as written after its indentation; undefined when it is not a simple key. */
  keyText(key: string): string | undefined;
  /** go-yaml's order of mapping keys: negative when a goes first. */
  compareKeys(a: string, b: string): number;
  /** A string written whole wherever it stands (plain, or double-quoted), or undefined when it is not of that kind. */
  wholeText(text: string): string | undefined;
  /** Whether a string of this one character, or continuing with it, can be written whole. */
  startsWhole(c: number): boolean;
  continuesWhole(c: number): boolean;
  /** YAML 1.1's names go-yaml reads as something other than a string (`yes`, `null`, `.inf`, ...). */
  readonly names: readonly string[];
  /** The value as a node held at `indent`, written from `position` (which it moves on); throws when nested too deep. */
  node(value: JsonValue, position: YamlPosition, indent: number, inMapping: boolean, depth: number): string;
  /** A mapping key and its colon, after its indentation, from `position` (which it moves on). */
  key(key: string, position: YamlPosition, keyIndent: number): string;
}

export const OMITTED = Symbol('omitted');

/** What the walks write of the object besides its message: its type, its resourceVersion, and (a masked Secret) what its data values read. */
export interface ObjectHeader {
  apiVersion: string;
  kind: string;
  resourceVersion: string;
  maskedValue?: string;
}

/** Bytes of each header text laid out at HEADERS_AT: apiVersion, kind, resourceVersion, masked value (0: values shown). */
type HeaderLengths = [number, number, number, number];

/** What the header texts at HEADERS_AT were made for (no emitter: JSON), and the texts that stay for the run. */
interface HeaderTexts {
  emitter: YamlEmitter | undefined;
  apiVersion: string;
  kind: string;
  maskedValue: string | undefined;
  maskedText: string;
  typeLengths: [number, number];
}
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
const M_YAML_KEY = 13;
const M_YAML_KEY_LENGTH = 14;
const MEMBER_WORDS = 15;
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
const P_YAML_ORDER = 10;
const TEXT_WORDS = 11;
/** Values with their own JSON form that the module writes itself (the others it asks the host for). */
const SPECIAL_CODES: Record<string, number> = { time: 1, quantity: 2, 'int-or-string': 3 };
/** A FieldsV1: the module skips the object's own when managedFields are hidden, and asks for the others. */
const SPECIAL_FIELDS_V1 = 4;
const PAGE = 65536;
// The module's memory is laid out here (it has no data of its own and allocates nothing), in
// bytes: the YAML walk's tables, the header strings, the plans, the slot stack, then the value and
// the output, whose room grows as values need.

/** The YAML walk's: its two plain-ASCII tables, the position handed over, YAML 1.1's names. */
const YAML_PLAIN_FIRST_AT = 1280;
const YAML_PLAIN_REST_AT = 1536;
const YAML_POSITION_AT = 1792;
const YAML_NAMES_AT = 1808;
const YAML_NAMES_BYTES = 2048 - YAML_NAMES_AT;
const HEADERS_AT = 2048;
const HEADERS_BYTES = PAGE - HEADERS_AT;
const PLANS_AT = PAGE;
const PLANS_BYTES = 8 * 1024 * 1024;
const SLOTS_AT = PLANS_AT + PLANS_BYTES;
const SLOT_WORDS = 256 * 1024;
const VALUES_AT = SLOTS_AT + SLOT_WORDS * 4;
/**
 * Room past the output's capacity as the walks are told it: they copy eight bytes at a time and
 * store a word's last bytes past what they count as written.
 */
const OUTPUT_SLACK = 16;

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
interface TextWalkExports {
  memory: WasmMemory;
  MEMBER_WORDS: { value: number };
  TEXT_WORDS: { value: number };
  OWN_FIELDS_V1_DEPTH: { value: number };
  init(plans: number, slots: number, slotWords: number, headers: number): void;
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
    masked: number,
  ): number;
  initYaml(plainFirst: number, plainRest: number, position: number, names: number): void;
  writeYaml(
    text: number,
    value: number,
    start: number,
    end: number,
    output: number,
    capacity: number,
    listItem: number,
    hideManagedFields: number,
    apiVersion: number,
    kind: number,
    resourceVersion: number,
    masked: number,
  ): number;
  stringReadsAsNonString(value: number, start: number, end: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

export class TextWalkWasm {
  private readonly exports: TextWalkExports;
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
  private host: TextWalkHost | undefined;
  /** The header texts laid out at HEADERS_AT last, kept while objects of one type follow. */
  private headerTexts: HeaderTexts | undefined;
  private outAt = 0;
  /** The emitter the YAML walk was set up with (its tables laid out); one per module. */
  private yamlEmitter: YamlEmitter | undefined;
  /** The position handed over with the YAML walk's questions (column, whitespace, indention). */
  private position = new Int32Array(0);

  constructor(module: Uint8Array) {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const imports = {
      env: {
        abort: () => {
          throw new Error('text walk module aborted');
        },
        special: (id: number, at: number, end: number, depth: number, level: number, omitZero: number, out: number, outEnd: number) =>
          this.answer(this.currentHost().special(this.members[id] as Member, at, end, depth, level, omitZero !== 0), out, outEnd),
        scalar: (id: number, at: number, end: number, omitZero: number, out: number, outEnd: number) =>
          this.answer(this.currentHost().scalar(this.members[id] as Member, at, end, omitZero !== 0), out, outEnd),
        string: (start: number, end: number, out: number, outEnd: number) => this.answer(this.currentHost().string(start, end), out, outEnd),
        yamlSpecial: (id: number, at: number, end: number, indent: number, inMapping: number, nodeDepth: number, messageDepth: number, omitZero: number, out: number, outEnd: number) =>
          this.yamlNode(this.currentHost().decodedSpecial(this.members[id] as Member, at, end, messageDepth, omitZero !== 0), indent, inMapping !== 0, nodeDepth, out, outEnd),
        yamlScalar: (id: number, at: number, end: number, indent: number, inMapping: number, nodeDepth: number, omitZero: number, out: number, outEnd: number) =>
          this.yamlNode(this.currentHost().decodedScalar(this.members[id] as Member, at, end, omitZero !== 0), indent, inMapping !== 0, nodeDepth, out, outEnd),
        yamlString: (start: number, end: number, asKey: number, indent: number, nodeDepth: number, out: number, outEnd: number) => {
          const text = this.currentHost().decodedString(start, end);
          return asKey !== 0 ? this.yamlText((emitter, position) => emitter.key(text, position, indent), out, outEnd) : this.yamlNode(text, indent, false, nodeDepth, out, outEnd);
        },
      },
    };
    const instance = new api.Instance(new api.Module(module), imports);
    this.exports = instance.exports as TextWalkExports;
    if (this.exports.MEMBER_WORDS.value !== MEMBER_WORDS || this.exports.TEXT_WORDS.value !== TEXT_WORDS) throw new Error('text walk module lays out its records otherwise');
    if (this.exports.OWN_FIELDS_V1_DEPTH.value !== OWN_FIELDS_V1_DEPTH) throw new Error('text walk module places the hidden fieldsV1 otherwise');
    this.makeRoom(this.valueCapacity, this.outCapacity);
    this.exports.init(PLANS_AT, SLOTS_AT, SLOT_WORDS, HEADERS_AT);
  }

  /**
   * Writes the object (its top-level plan `text`, its message at [start, end) of `value`) and
   * returns the text's bytes (a view, valid until the next call), or undefined when the
   * JavaScript writer must write it.
   */
  write(
    host: TextWalkHost,
    text: TextPlan,
    value: Uint8Array,
    start: number,
    end: number,
    header: ObjectHeader,
    layout: { indent: number; level: number; managedFieldsHidden: boolean },
  ): Uint8Array | undefined {
    if (this.exhausted) return undefined;
    const plan = this.textOffset(text);
    if (plan < 0) return undefined;
    const lengths = this.layHeaders(header, undefined);
    if (lengths === undefined) return undefined;
    return this.run(host, value, 2, (out, capacity) => this.exports.write(plan, VALUES_AT, start, end, out, capacity, layout.indent, layout.level, layout.managedFieldsHidden ? 1 : 0, ...lengths));
  }

  /**
   * Copies the value in and runs a walk over it (`walk` writes into [out, out + capacity) and
   * gives the length, or why not), with more room while it asks for it: the text's bytes (a view,
   * valid until the next call), or undefined when the walk refused. The output's first room is
   * `expansion` times the value's length.
   */
  private run(host: TextWalkHost, value: Uint8Array, expansion: number, walk: (out: number, capacity: number) => number): Uint8Array | undefined {
    const room = expansion * value.length + 4096;
    if (value.length > this.valueCapacity || this.outCapacity < room) this.makeRoom(value.length, room);
    this.bytes.set(value, VALUES_AT);
    this.host = host;
    try {
      for (;;) {
        this.outAt = VALUES_AT + this.valueCapacity;
        const written = walk(this.outAt, this.outCapacity - OUTPUT_SLACK);
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

  /**
   * Writes the object as kubectl's `-o yaml` writes it (alone, or as a List's item just after its
   * `-`), and returns the text's bytes (a view, valid until the next call), or undefined when the
   * object path must write it. Values the module does not write itself are decoded by `host` and
   * written by `emitter`.
   */
  writeYaml(
    host: TextWalkHost,
    emitter: YamlEmitter,
    text: TextPlan,
    value: Uint8Array,
    start: number,
    end: number,
    header: ObjectHeader,
    layout: { listItem: boolean; managedFieldsHidden: boolean },
  ): Uint8Array | undefined {
    if (this.exhausted || !this.setUpYaml(emitter)) return undefined;
    const plan = this.textOffset(text);
    if (plan < 0 || !this.yamlLaidOut(text, plan, emitter)) return undefined;
    const lengths = this.layHeaders(header, emitter);
    if (lengths === undefined) return undefined;
    // YAML's indentation makes its text longer than JSON's: more room at first.
    return this.run(host, value, 3, (out, capacity) => this.exports.writeYaml(plan, VALUES_AT, start, end, out, capacity, layout.listItem ? 1 : 0, layout.managedFieldsHidden ? 1 : 0, ...lengths));
  }

  /** Whether the module's YAML reading of the (ASCII) string as another type agrees: for the test that holds it to go-yaml-quotes.ts. */
  yamlReadsAsNonString(emitter: YamlEmitter, text: string): boolean | undefined {
    if (!this.setUpYaml(emitter)) return undefined;
    const bytes = utf8Encode(text);
    if (bytes.length > this.valueCapacity) return undefined;
    this.bytes.set(bytes, VALUES_AT);
    return this.exports.stringReadsAsNonString(VALUES_AT, 0, bytes.length) !== 0;
  }

  /** Lays out the emitter's tables for the YAML walk, once; false when another emitter already has (or the names do not fit). */
  private setUpYaml(emitter: YamlEmitter): boolean {
    if (this.yamlEmitter !== undefined) return this.yamlEmitter === emitter;
    const bytes = this.bytes;
    for (let c = 0; c < 256; c++) {
      bytes[YAML_PLAIN_FIRST_AT + c] = emitter.startsWhole(c) ? 1 : 0;
      bytes[YAML_PLAIN_REST_AT + c] = emitter.continuesWhole(c) ? 1 : 0;
    }
    // The module looks names up only for strings of at most 5 bytes.
    let at = YAML_NAMES_AT;
    for (const name of emitter.names) {
      if (name.length > 5 || !/^[\x20-\x7e]+$/.test(name) || at + 2 + name.length > YAML_NAMES_AT + YAML_NAMES_BYTES) return false;
      bytes[at++] = name.length;
      for (let i = 0; i < name.length; i++) bytes[at++] = name.charCodeAt(i);
    }
    bytes[at] = 0;
    this.exports.initYaml(YAML_PLAIN_FIRST_AT, YAML_PLAIN_REST_AT, YAML_POSITION_AT, YAML_NAMES_AT);
    this.yamlEmitter = emitter;
    return true;
  }

  /**
   * Lays out what the YAML walk needs of the plan and every plan it reaches, on first use: its
   * members' order by go-yaml's key order and each member's key text. False when out of room.
   */
  private yamlLaidOut(text: TextPlan, at: number, emitter: YamlEmitter): boolean {
    // The plan itself may not have found room (at -1).
    if (at < 0) return false;
    const w = this.words;
    if (w[at + P_YAML_ORDER] !== -1) return true;
    const members = text.members;
    const order = this.allocate(1 + members.length);
    if (order < 0) return false;
    // Noted before the plans it reaches are laid out: types may be recursive.
    w[at + P_YAML_ORDER] = order;
    w[order] = members.length;
    const sorted = members.map((m, i) => ({ name: m.name, i })).sort((a, b) => emitter.compareKeys(a.name, b.name));
    sorted.forEach(({ i }, n) => {
      w[order + 1 + n] = i;
    });
    const records = w[at + P_MEMBERS] as number;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as Member;
      const r = records + MEMBER_WORDS * i;
      const key = emitter.keyText(m.name);
      if (key !== undefined && /^[\x20-\x7e]*$/.test(key)) {
        const keyWords = this.allocate(Math.ceil(key.length / 4));
        if (keyWords < 0) return false;
        for (let k = 0; k < key.length; k++) this.bytes[PLANS_AT + keyWords * 4 + k] = key.charCodeAt(k);
        w[r + M_YAML_KEY] = keyWords * 4;
        w[r + M_YAML_KEY_LENGTH] = key.length;
      }
      if (m.kind === KIND_MESSAGE && !m.special && m.plan !== undefined) {
        const child = m.text();
        if (!this.yamlLaidOut(child, this.textOffset(child), emitter)) return false;
      }
    }
    const metadata = text.metadataPlan;
    return metadata === undefined || this.yamlLaidOut(metadata, this.textOffset(metadata), emitter);
  }

  /** A value the host decoded, written by the emitter from the module's position: the output's new length, or why not. */
  private yamlNode(value: JsonValue | typeof OMITTED | undefined, indent: number, inMapping: boolean, depth: number, out: number, outEnd: number): number {
    if (value === undefined) return NOT_COVERED;
    if (value === OMITTED) return OMITTED_CODE;
    return this.yamlText((emitter, position) => emitter.node(value, position, indent, inMapping, depth), out, outEnd);
  }

  /** Text the emitter writes from the module's position (handed over in memory, and back): the output's new length, or why not. */
  private yamlText(write: (emitter: YamlEmitter, position: YamlPosition) => string, out: number, outEnd: number): number {
    const words = this.position;
    const position: YamlPosition = { column: words[0] as number, whitespace: words[1] !== 0, indention: words[2] !== 0 };
    let text: string;
    try {
      text = write(this.yamlEmitter as YamlEmitter, position);
    } catch {
      // Nested too deep for the emitter: the object path shows the object as it does such values.
      return NOT_COVERED;
    }
    // Room for the worst case (3 bytes per UTF-16 unit), or the module gives more and starts again.
    if (out + 3 * text.length > outEnd) return OUT_FULL;
    const written = utf8EncodeInto(text, this.bytes.subarray(this.outAt + out, this.outAt + outEnd));
    words[0] = position.column;
    words[1] = position.whitespace ? 1 : 0;
    words[2] = position.indention ? 1 : 0;
    return out + written;
  }

  /**
   * Lays out the header texts at HEADERS_AT, as JSON (no emitter) or as YAML scalars: apiVersion,
   * kind, the resourceVersion (a revision's digits in quotes, alike in both; anything else is left
   * to the JavaScript writer or the object path), and a masked Secret value's text. Their lengths.
   */
  private layHeaders(header: ObjectHeader, emitter: YamlEmitter | undefined): HeaderLengths | undefined {
    let laid = this.headerTexts;
    // Listings read long runs of one kind: its texts are made and laid out once per run.
    if (laid === undefined || laid.emitter !== emitter || laid.apiVersion !== header.apiVersion || laid.kind !== header.kind || laid.maskedValue !== header.maskedValue) {
      this.headerTexts = undefined;
      const scalar = (text: string): string | undefined => (emitter === undefined ? JSON.stringify(text) : emitter.wholeText(text));
      const apiVersion = scalar(header.apiVersion);
      const kind = scalar(header.kind);
      if (apiVersion === undefined || kind === undefined) return undefined;
      const apiVersionBytes = utf8Encode(apiVersion);
      const kindBytes = utf8Encode(kind);
      if (apiVersionBytes.length + kindBytes.length + 96 > HEADERS_BYTES) return undefined;
      this.bytes.set(apiVersionBytes, HEADERS_AT);
      this.bytes.set(kindBytes, HEADERS_AT + apiVersionBytes.length);
      // A masked value without blanks or quotes is written alike wherever it stands (checked below).
      const masked = header.maskedValue;
      const maskedText = masked === undefined ? '' : emitter === undefined ? JSON.stringify(masked) : emitter.node(masked, { column: 0, whitespace: true, indention: false }, 0, true, 0);
      laid = { emitter, apiVersion: header.apiVersion, kind: header.kind, maskedValue: masked, maskedText, typeLengths: [apiVersionBytes.length, kindBytes.length] };
      this.headerTexts = laid;
    }
    const revision = header.resourceVersion;
    const masked = laid.maskedText;
    if (revision.length > 60 || masked.length > 32 || (masked !== '' && !/^[\x21-\x7e]*$/.test(masked))) return undefined;
    const bytes = this.bytes;
    const [apiVersionLength, kindLength] = laid.typeLengths;
    let at = HEADERS_AT + apiVersionLength + kindLength;
    bytes[at++] = 0x22;
    for (let i = 0; i < revision.length; i++) {
      const c = revision.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return undefined;
      bytes[at++] = c;
    }
    bytes[at++] = 0x22;
    for (let i = 0; i < masked.length; i++) bytes[at++] = masked.charCodeAt(i);
    return [apiVersionLength, kindLength, revision.length + 2, masked.length];
  }

  private currentHost(): TextWalkHost {
    return this.host as TextWalkHost;
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
    this.position = new Int32Array(memory.buffer, YAML_POSITION_AT, 3);
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
    w[at + P_YAML_ORDER] = -1;
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
      w[r + M_SPECIAL] = m.plan?.name === FIELDS_V1 ? SPECIAL_FIELDS_V1 : (SPECIAL_CODES[m.plan?.special ?? ''] ?? 0);
      w[r + M_YAML_KEY] = 0;
      w[r + M_YAML_KEY_LENGTH] = -1;
    });
    return at;
  }
}
