/**
 * A value stored as JSON (custom resources, as kube-apiserver writes them) straight to the text
 * `kreg get -o json/ndjson` prints for it, without building the object. The object path parses
 * the value, sets metadata.resourceVersion, hides managedFields and writes the object again with
 * its keys sorted: about 40 µs for a 400-byte custom resource, a tenth of a listing's time for a
 * few thousand of them.
 *
 * Go's encoder writes what this covers: keys in order at every level, strings of printable ASCII
 * without escapes, integers of up to 15 digits, true, false and null. Such text is already what
 * the object path prints, laid out again; only the metadata changes. Anything else (an escape,
 * a byte past ASCII, a fraction or an exponent, keys out of order or repeated, a Secret to mask,
 * no metadata object, text that is no JSON) is refused, writing nothing, and the object path
 * writes it (and names what is wrong). Pure.
 */
import { JSON_OBJECT_START, startsWith } from './detect.js';
import { type JsonTextBuffer, PLAIN_ASCII } from './json-text-buffer.js';
import { utf8Encode } from './text.js';
import { compareByteRanges } from './utf8.js';

/** What a stored JSON object is written with: the protobuf writer's options (JsonTextOptions) it needs. */
export interface StoredJsonTextOptions {
  /** metadata.resourceVersion, as kube-apiserver sets it on reads: the key's mod revision (digits). */
  resourceVersion: string;
  /** Leave metadata.managedFields out (kubectl's default). */
  managedFieldsHidden: boolean;
  /** Spaces per level (0: one line, as -o ndjson). */
  indent: number;
  /** Levels the object sits at (its lines are indented as those of a List's item). */
  depth: number;
  /** A Secret's data must be masked: such a value is the object path's. */
  secretsMasked: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

/** Integers of at most this many digits are below 2^53: the object path prints them as read. */
const MAX_DIGITS = 15;
/** Nesting beyond this is left to the object path (which writes it iteratively). */
const MAX_DEPTH = 200;

const SECRET = utf8Encode('"Secret"');
const TRUE = utf8Encode('true');
const FALSE = utf8Encode('false');
const NULL = utf8Encode('null');
const NO_BYTES = new Uint8Array(0);

/**
 * What a value must be, as the object path checks the fields it types (kubernetes-object.ts): a
 * value of another type there is a note, not an object, so it is declined here.
 */
const ANY = 0;
const STRING = 1;
const STRING_OR_NULL = 2;
const BOOLEAN = 3;
/** An object of strings (labels, annotations). */
const STRING_MAP = 4;
const STRING_LIST = 5;
/** A list of owner references. */
const OWNER_LIST = 6;
/** An owner reference: its apiVersion, kind, name and uid strings, controller and blockOwnerDeletion booleans. */
const OWNER = 7;
/** The stored object itself. */
const TOP = 8;
const METADATA = 9;
type Expected = number;

/** A member the object path types (or this writer treats apart), by its key's bytes. */
interface TypedMember {
  key: Uint8Array;
  expected: Expected;
  /** An owner reference's required member: its bit. */
  required: number;
}

const typed = (key: string, expected: Expected, required = 0): TypedMember => ({ key: utf8Encode(key), expected, required });
const KIND_MEMBER = typed('kind', STRING);
const RESOURCE_VERSION_MEMBER = typed('resourceVersion', STRING);
const MANAGED_FIELDS_MEMBER = typed('managedFields', ANY);
const TOP_MEMBERS = [typed('apiVersion', STRING), KIND_MEMBER, typed('metadata', METADATA)];
const METADATA_MEMBERS = [
  ...['name', 'generateName', 'namespace', 'uid', 'selfLink'].map((key) => typed(key, STRING)),
  RESOURCE_VERSION_MEMBER,
  typed('creationTimestamp', STRING_OR_NULL),
  typed('deletionTimestamp', STRING_OR_NULL),
  typed('labels', STRING_MAP),
  typed('annotations', STRING_MAP),
  typed('finalizers', STRING_LIST),
  typed('ownerReferences', OWNER_LIST),
  MANAGED_FIELDS_MEMBER,
];
const OWNER_MEMBERS = [typed('apiVersion', STRING, 1), typed('kind', STRING, 2), typed('name', STRING, 4), typed('uid', STRING, 8), typed('controller', BOOLEAN), typed('blockOwnerDeletion', BOOLEAN)];
/** An owner reference's required members' bits, all set. */
const OWNER_COMPLETE = 15;

/** The member of `members` whose key is the bytes at [start, end), if any. */
function typedMember(members: readonly TypedMember[], value: Uint8Array, start: number, end: number): TypedMember | undefined {
  for (const member of members) if (member.key.length === end - start && compareByteRanges(value, start, end, member.key, 0, member.key.length) === 0) return member;
  return undefined;
}

/** What follows a member or an item (afterMember). */
const MORE = 0;
const CLOSED = 1;
const BAD = 2;

/** The writer's state over one value. */
class StoredJsonWriter {
  private value: Uint8Array = NO_BYTES;
  private at = 0;
  private out!: JsonTextBuffer;
  private options!: StoredJsonTextOptions;
  private level = 0;
  private sawMetadata = false;
  private isSecret = false;

  write(value: Uint8Array, options: StoredJsonTextOptions, out: JsonTextBuffer): boolean {
    if (value[0] !== JSON_OBJECT_START || !isDigits(options.resourceVersion)) return false;
    this.value = value;
    this.at = 0;
    this.out = out;
    this.options = options;
    this.level = options.depth;
    this.sawMetadata = false;
    this.isSecret = false;
    try {
      if (!this.object(1, TOP) || !this.sawMetadata || (this.isSecret && options.secretsMasked)) return false;
      this.skipBlanks();
      return this.at === value.length;
    } finally {
      this.value = NO_BYTES;
    }
  }

  /** The object at `at` (its brace), `depth` levels down, as `role` (TOP, METADATA, OWNER, STRING_MAP or ANY) says: written, or false. */
  private object(depth: number, role: Expected): boolean {
    if (depth > MAX_DEPTH) return false;
    const value = this.value;
    const out = this.out;
    this.at++;
    this.skipBlanks();
    out.byte(OPEN_BRACE);
    this.level++;
    let written = 0;
    let previousStart = -1;
    let previousEnd = -1;
    // The metadata's resourceVersion, once written (in its place among the keys).
    let versioned = role !== METADATA;
    let owner = 0;
    if (value[this.at] === CLOSE_BRACE) this.at++;
    else {
      for (;;) {
        if (value[this.at] !== QUOTE) return false;
        const keyStart = this.at + 1;
        const keyEnd = plainStringEnd(value, keyStart);
        if (keyEnd < 0) return false;
        // In order and not repeated, as the object path would sort them.
        if (previousStart >= 0 && compareByteRanges(value, previousStart, previousEnd, value, keyStart, keyEnd) >= 0) return false;
        previousStart = keyStart;
        previousEnd = keyEnd;
        this.at = keyEnd + 1;
        this.skipBlanks();
        if (value[this.at] !== COLON) return false;
        this.at++;
        this.skipBlanks();
        // What the member must be: only the typed parts' keys are looked up.
        let expected: Expected = role === STRING_MAP ? STRING : ANY;
        const member =
          role === TOP
            ? typedMember(TOP_MEMBERS, value, keyStart, keyEnd)
            : role === METADATA
              ? typedMember(METADATA_MEMBERS, value, keyStart, keyEnd)
              : role === OWNER
                ? typedMember(OWNER_MEMBERS, value, keyStart, keyEnd)
                : undefined;
        if (member !== undefined) {
          expected = member.expected;
          owner |= member.required;
        }
        let replaced = false;
        if (!versioned && compareByteRanges(value, keyStart, keyEnd, RESOURCE_VERSION_MEMBER.key, 0, RESOURCE_VERSION_MEMBER.key.length) >= 0) {
          this.resourceVersionMember(written++);
          versioned = true;
          // The stored resourceVersion (a string, checked) gives way to the entry's.
          if (member === RESOURCE_VERSION_MEMBER) {
            if (!this.dropped(depth, expected)) return false;
            replaced = true;
          }
        }
        if (replaced) {
          // The entry's resourceVersion is written in its place.
        } else if (member === MANAGED_FIELDS_MEMBER && this.options.managedFieldsHidden) {
          if (!this.dropped(depth, ANY)) return false;
        } else {
          this.key(written++, keyStart, keyEnd);
          if (role === TOP && member === KIND_MEMBER) this.isSecret = startsWith(value, SECRET, this.at);
          if (expected === METADATA) this.sawMetadata = true;
          if (!this.anyValue(depth, expected)) return false;
        }
        const next = this.afterMember(CLOSE_BRACE);
        if (next === CLOSED) break;
        if (next === BAD) return false;
      }
    }
    if (role === OWNER && owner !== OWNER_COMPLETE) return false;
    if (!versioned) this.resourceVersionMember(written++);
    this.level--;
    // JSON.stringify writes an empty object as {} whatever the indent.
    if (written > 0) this.newline();
    out.byte(CLOSE_BRACE);
    return true;
  }

  /** Reads what follows a member or an item: a comma (another comes, blanks after it skipped), the closer, or anything else. */
  private afterMember(closer: number): typeof MORE | typeof CLOSED | typeof BAD {
    this.skipBlanks();
    const separator = this.value[this.at++];
    if (separator === closer) return CLOSED;
    if (separator !== COMMA) return BAD;
    this.skipBlanks();
    return MORE;
  }

  /** Reads the value at `at` (checked as `expected` says) and writes nothing of it. */
  private dropped(depth: number, expected: Expected): boolean {
    const mark = this.out.length;
    const read = this.anyValue(depth, expected);
    this.out.length = mark;
    return read;
  }

  private resourceVersionMember(index: number): void {
    this.separate(index);
    const out = this.out;
    out.byte(QUOTE);
    out.append(RESOURCE_VERSION_MEMBER.key);
    out.byte(QUOTE);
    out.byte(COLON);
    if (this.options.indent > 0) out.byte(0x20);
    out.byte(QUOTE);
    out.ascii(this.options.resourceVersion);
    out.byte(QUOTE);
  }

  private key(index: number, start: number, end: number): void {
    this.separate(index);
    this.copy(start - 1, end + 1);
    this.out.byte(COLON);
    if (this.options.indent > 0) this.out.byte(0x20);
  }

  /** What goes before a member or an item: a comma after the first, then its line. */
  private separate(index: number): void {
    if (index > 0) this.out.byte(COMMA);
    this.newline();
  }

  private newline(): void {
    if (this.options.indent === 0) return;
    const width = this.options.indent * this.level;
    const out = this.out;
    out.reserve(width + 1);
    const bytes = out.bytes;
    let o = out.length;
    bytes[o++] = 0x0a;
    bytes.fill(0x20, o, o + width);
    out.length = o + width;
  }

  /** The JSON value at `at` (blanks before it skipped), inside `depth` levels, of the type expected: written, or false. */
  private anyValue(depth: number, expected: Expected): boolean {
    const value = this.value;
    const c = value[this.at] as number;
    if (c === QUOTE) {
      if (expected !== ANY && expected !== STRING && expected !== STRING_OR_NULL) return false;
      const end = plainStringEnd(value, this.at + 1);
      if (end < 0) return false;
      this.copy(this.at, end + 1);
      this.at = end + 1;
      return true;
    }
    if (c === OPEN_BRACE) return (expected === ANY || expected === STRING_MAP || expected === OWNER || expected === METADATA) && this.object(depth + 1, expected);
    if (c === OPEN_BRACKET) return (expected === ANY || expected === STRING_LIST || expected === OWNER_LIST) && this.array(depth + 1, expected);
    if (expected === BOOLEAN) return c === 0x74 ? this.literal(TRUE) : c === 0x66 && this.literal(FALSE);
    if (expected === STRING_OR_NULL) return this.literal(NULL);
    if (expected !== ANY) return false;
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.integer();
    return this.literal(c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL);
  }

  /** The array at `at`, of items as `expected` says (STRING_LIST, OWNER_LIST or ANY). */
  private array(depth: number, expected: Expected): boolean {
    if (depth > MAX_DEPTH) return false;
    const item = expected === STRING_LIST ? STRING : expected === OWNER_LIST ? OWNER : ANY;
    const value = this.value;
    const out = this.out;
    this.at++;
    this.skipBlanks();
    out.byte(OPEN_BRACKET);
    if (value[this.at] === CLOSE_BRACKET) {
      this.at++;
      out.byte(CLOSE_BRACKET);
      return true;
    }
    this.level++;
    for (let index = 0; ; index++) {
      this.separate(index);
      if (!this.anyValue(depth, item)) return false;
      const next = this.afterMember(CLOSE_BRACKET);
      if (next === CLOSED) break;
      if (next === BAD) return false;
    }
    this.level--;
    this.newline();
    out.byte(CLOSE_BRACKET);
    return true;
  }

  /** An integer the object path prints as it is stored: not -0, no leading zero, at most 15 digits. */
  private integer(): boolean {
    const value = this.value;
    const start = this.at;
    let at = value[start] === MINUS ? start + 1 : start;
    const first = at;
    if (value[at] === ZERO) {
      if (first !== start) return false;
      at++;
    } else {
      while ((value[at] as number) >= ZERO && (value[at] as number) <= NINE) at++;
    }
    if (at === first || at - first > MAX_DIGITS) return false;
    // A fraction or an exponent is a float64 the object path writes its own way; a digit after 0 is no JSON.
    const next = value[at];
    if (next === 0x2e || next === 0x65 || next === 0x45 || (next !== undefined && next >= ZERO && next <= NINE)) return false;
    this.copy(start, at);
    this.at = at;
    return true;
  }

  private literal(word: Uint8Array): boolean {
    if (!startsWith(this.value, word, this.at)) return false;
    this.out.append(word);
    this.at += word.length;
    return true;
  }

  private copy(start: number, end: number): void {
    const out = this.out;
    const count = end - start;
    out.reserve(count);
    const bytes = out.bytes;
    const value = this.value;
    let o = out.length;
    // Short ones (keys, most strings) byte by byte: a subarray per string costs more.
    if (count > 32) bytes.set(value.subarray(start, end), o);
    else for (let i = start; i < end; i++) bytes[o++] = value[i] as number;
    out.length = out.length + count;
  }

  private skipBlanks(): void {
    const value = this.value;
    let at = this.at;
    for (;;) {
      const c = value[at];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }
}

/** Where the string whose text starts at `start` ends (its closing quote), or -1 unless it is plain ASCII. */
function plainStringEnd(value: Uint8Array, start: number): number {
  let i = start;
  while (PLAIN_ASCII[value[i] as number] === 1) i++;
  return value[i] === QUOTE ? i : -1;
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

const writer = new StoredJsonWriter();

/**
 * Writes the stored JSON object into `out` as formatJson prints the object decodeEntry gives
 * (resourceVersion set, managedFields hidden when asked), at the indent and depth given. Gives
 * false, writing nothing, for a value it leaves to the object path.
 */
export function writeStoredJsonText(value: Uint8Array, options: StoredJsonTextOptions, out: JsonTextBuffer): boolean {
  const mark = out.length;
  if (writer.write(value, options, out)) return true;
  out.length = mark;
  return false;
}
