// The JSON text transcoder's hot path compiled to WebAssembly (AssemblyScript): the same walk as
// src/codec/protobuf-to-json-text.ts (scan a message's fields, then write its members in JSON-name
// order), over plan tables that JavaScript lays out in this module's memory (text-walk-wasm.ts).
// What it does not write itself (times, quantities and other values with their own JSON form,
// strings that are not plain ASCII, bytes and doubles) it asks JavaScript for, through imports.
// Anything unusual, damaged or not covered gives -1, and JavaScript writes the object instead:
// this code may refuse more than the JavaScript writer, never less. It has no data of its own and
// allocates nothing: JavaScript lays out the memory and passes where each part is.

@external("env", "special")
declare function jsSpecial(member: i32, at: i32, end: i32, depth: i32, level: i32, omitZero: i32, out: i32, outEnd: i32): i32;
@external("env", "scalar")
declare function jsScalar(member: i32, at: i32, end: i32, omitZero: i32, out: i32, outEnd: i32): i32;
@external("env", "string")
declare function jsString(start: i32, end: i32, out: i32, outEnd: i32): i32;

// Results besides an output position.
export const NOT_COVERED: i32 = -1;
export const OMITTED: i32 = -2;
export const OUT_FULL: i32 = -3;

export const KIND_STRING: i32 = 0;
export const KIND_BYTES: i32 = 1;
export const KIND_INT32: i32 = 2;
export const KIND_INT64: i32 = 3;
export const KIND_BOOL: i32 = 4;
export const KIND_MESSAGE: i32 = 6;

export const MEMBER_API_VERSION: i32 = 1;
export const MEMBER_KIND: i32 = 2;
export const MEMBER_METADATA: i32 = 3;
export const MEMBER_RESOURCE_VERSION: i32 = 4;
export const MEMBER_MANAGED_FIELDS: i32 = 5;
export const MEMBER_SECRET_DATA: i32 = 6;

export const GO_VALUE: i32 = 0;
export const GO_BYTES: i32 = 2;

// Member flags.
export const F_REPEATED: i32 = 1;
export const F_MAP: i32 = 2;
export const F_OMIT_EMPTY: i32 = 4;
export const F_OMIT_EMPTY_TAG: i32 = 8;
export const F_OMIT_ZERO: i32 = 16;
export const F_SPECIAL: i32 = 32;
export const F_ABSENT_OMITTED: i32 = 64;

// A member record's words (text-walk-wasm.ts writes them).
export const M_ROLE: i32 = 0;
export const M_KIND: i32 = 1;
export const M_SHAPE: i32 = 2;
export const M_FLAGS: i32 = 3;
export const M_TAG: i32 = 4;
export const M_WIRE: i32 = 5;
export const M_SLOT: i32 = 6;
export const M_RANGE: i32 = 7;
export const M_TEXT: i32 = 8;
export const M_KEY: i32 = 9;
export const M_KEY_LENGTH: i32 = 10;
export const M_ID: i32 = 11;
export const M_SPECIAL: i32 = 12;
// The YAML walk's (yaml-text.ts): the key as written, with its colon.
export const M_YAML_KEY: i32 = 13;
export const M_YAML_KEY_LENGTH: i32 = 14;
export const MEMBER_WORDS: i32 = 15;

// Values with their own JSON form written here (0, the others, are asked of JavaScript).
export const SPECIAL_TIME: i32 = 1;
export const SPECIAL_QUANTITY: i32 = 2;
export const SPECIAL_INT_OR_STRING: i32 = 3;
/** A FieldsV1, asked of JavaScript like the others unless it is the object's own and hidden. */
export const SPECIAL_FIELDS_V1: i32 = 4;
/**
 * Where the object's own managedFields entries' fieldsV1 sit (the object, its metadata, an entry).
 * With managedFields hidden the object decoder gives those null unparsed, whatever they hold
 * (protobuf-to-json.ts), so the check of the hidden entries need not ask for them.
 */
export const OWN_FIELDS_V1_DEPTH: i32 = 3;

/** Unix seconds of Go's zero time (January 1, year 1, UTC). */
export const GO_ZERO_TIME_SECONDS: i64 = -62135596800;

// A text plan record's words.
export const P_WINDOW: i32 = 0;
export const P_NOT_COVERED: i32 = 1;
export const P_TABLE: i32 = 2;
export const P_INLINES: i32 = 3;
export const P_INLINE_COUNT: i32 = 4;
export const P_HIDDEN: i32 = 5;
export const P_HIDDEN_COUNT: i32 = 6;
export const P_MEMBERS: i32 = 7;
export const P_MEMBER_COUNT: i32 = 8;
export const P_METADATA: i32 = 9;
// The YAML walk's: its members' indexes in go-yaml's key order (-1 until laid out).
export const P_YAML_ORDER: i32 = 10;
export const TEXT_WORDS: i32 = 11;

export const MAX_DEPTH: i32 = 200;

// Where things are (byte addresses), set by init() and write().
export let plans: usize = 0;
export let slots: usize = 0;
export let slotWords: i32 = 0;
export let headers: usize = 0;
export let apiVersionLength: i32 = 0;
export let kindLength: i32 = 0;
export let resourceVersionLength: i32 = 0;
/** A masked Secret data value's text, after the header strings (0: values are shown). */
export let maskedLength: i32 = 0;

// The value being read: positions are relative to `buf`.
export let buf: usize = 0;
export let pos: i32 = 0;
export let rend: i32 = 0;
export let failed = false;

export let out: usize = 0;
export let outLength: i32 = 0;
export let outCapacity: i32 = 0;
export let full = false;

export let indent: i32 = 0;
export let level: i32 = 0;
export let depth: i32 = 0;
export let top: i32 = 0;
export let managedFieldsHidden = false;

/** Where the plans, the slot stack and the header strings are. */
export function init(plansAt: usize, slotsAt: usize, slotCount: i32, headersAt: usize): void {
  plans = plansAt;
  slots = slotsAt;
  slotWords = slotCount;
  headers = headersAt;
}

@inline export function word(index: i32): i32 {
  return load<i32>(plans + (<usize>index << 2));
}

@inline export function slot(index: i32): i32 {
  return load<i32>(slots + (<usize>index << 2));
}

@inline export function setSlot(index: i32, value: i32): void {
  store<i32>(slots + (<usize>index << 2), value);
}

@inline export function byte(at: i32): i32 {
  return <i32>load<u8>(buf + <usize>at);
}

// ---- reading (WireReader's checks: a failure stops the walk)

/** A varint's low 32 bits (uint32 / int32 / tags / lengths), as the JavaScript reader's uint32. */
@inline export function uint32(): u32 {
  return <u32>uint64();
}

/** A varint of at most 10 bytes (bits past 64 dropped); a failure when it runs past the end or longer. */
export function uint64(): u64 {
  // One byte (most tags, lengths and small numbers): no loop.
  if (pos < rend) {
    const first = load<u8>(buf + <usize>pos);
    if (first < 0x80) {
      pos++;
      return <u64>first;
    }
  }
  let result: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; ; i++) {
    if (pos >= rend || i == 10) {
      failed = true;
      return 0;
    }
    const b = <u64>byte(pos);
    pos++;
    result |= (b & 0x7f) << shift;
    if (b < 0x80) return result;
    shift += 7;
  }
  return 0;
}

/** Where a length-delimited value ends; pos is left at its start. */
export function delimitedEnd(): i32 {
  const length = uint32();
  if (failed) return 0;
  if (length > <u32>(rend - pos)) {
    failed = true;
    return 0;
  }
  return pos + <i32>length;
}

export function skip(wireType: i32): void {
  if (wireType == 0) uint64();
  else if (wireType == 1) {
    if (pos + 8 > rend) failed = true;
    else pos += 8;
  } else if (wireType == 2) {
    const e = delimitedEnd();
    if (!failed) pos = e;
  } else if (wireType == 5) {
    if (pos + 4 > rend) failed = true;
    else pos += 4;
  } else failed = true;
}

/** The value of the varint varintAt read last. */
export let varint: u64 = 0;

/**
 * Reads the varint at p, which must end before `end`, as uint64 does: its value in `varint`, and
 * the position after it; -1 (failed) when it runs past the end or past 10 bytes. The hot loops
 * keep their position in a local rather than in `pos`: V8 keeps globals in memory, and a load and
 * a store of `pos` for every byte read were much of the scan's time.
 */
@inline export function varintAt(p: i32, end: i32): i32 {
  // One byte (most tags and lengths): no loop.
  if (p < end) {
    const first = load<u8>(buf + <usize>p);
    if (first < 0x80) {
      varint = <u64>first;
      return p + 1;
    }
  }
  let result: u64 = 0;
  for (let shift: u64 = 0; shift < 70; shift += 7) {
    if (p >= end) break;
    const c = <u64>load<u8>(buf + <usize>p);
    p++;
    result |= (c & 0x7f) << shift;
    if (c < 0x80) {
      varint = result;
      return p;
    }
  }
  failed = true;
  return -1;
}

/** Where the value of this wire type at p ends (before `end`), as skip checks it; -1 (failed) when it does not. */
@inline export function skipAt(p: i32, wireType: i32, end: i32): i32 {
  if (wireType == 2) {
    const at = varintAt(p, end);
    if (at < 0) return -1;
    if (<u32>varint > <u32>(end - at)) {
      failed = true;
      return -1;
    }
    return at + <i32>(<u32>varint);
  }
  if (wireType == 0) return varintAt(p, end);
  const width = wireType == 1 ? 8 : wireType == 5 ? 4 : -1;
  if (width < 0 || p + width > end) {
    failed = true;
    return -1;
  }
  return p + width;
}

export function delimitedEndAt(at: i32, end: i32): i32 {
  rend = end;
  const p = varintAt(at, end);
  if (p < 0) return 0;
  pos = p;
  if (<u32>varint > <u32>(end - p)) {
    failed = true;
    return 0;
  }
  return p + <i32>(<u32>varint);
}

// ---- writing

@inline export function reserve(count: i32): bool {
  if (outLength + count > outCapacity) {
    full = true;
    return false;
  }
  return true;
}

@inline export function putByte(c: i32): void {
  if (outLength >= outCapacity) {
    full = true;
    return;
  }
  store<u8>(out + <usize>outLength, c);
  outLength++;
}

/**
 * Copies count bytes to a place they do not overlap. Short ones (keys, most strings) word by
 * word: V8 makes each memory.copy a call out of the module, which costs more than they do.
 */
@inline export function copyBytes(to: usize, from: usize, count: i32): void {
  if (count > 64) {
    memory.copy(to, from, count);
    return;
  }
  let n = count;
  for (; n >= 8; n -= 8, to += 8, from += 8) store<u64>(to, load<u64>(from));
  for (; n > 0; n--, to++, from++) store<u8>(to, load<u8>(from));
}

export function putBytes(from: usize, count: i32): void {
  if (!reserve(count)) return;
  // Eight bytes at a time, the last word past the end: the output has room after its capacity.
  const to = out + <usize>outLength;
  for (let n = 0; n < count; n += 8) store<u64>(to + <usize>n, load<u64>(from + <usize>n));
  outLength += count;
}

export function putAscii4(a: i32, b: i32, c: i32, d: i32): void {
  putByte(a);
  putByte(b);
  putByte(c);
  putByte(d);
}

export function newline(): void {
  if (indent == 0) return;
  const width = indent * level;
  if (!reserve(width + 1)) return;
  store<u8>(out + <usize>outLength, 0x0a);
  memory.fill(out + <usize>outLength + 1, 0x20, width);
  outLength += width + 1;
}

export function putDecimal(value: u64): void {
  if (!reserve(20)) return;
  if (value == 0) {
    store<u8>(out + <usize>outLength, 0x30);
    outLength++;
    return;
  }
  let digits = 0;
  for (let t = value; t > 0; t /= 10) digits++;
  let p = out + <usize>(outLength + digits - 1);
  for (let v = value; v > 0; v /= 10) {
    store<u8>(p, <u32>(v % 10) + 0x30);
    p--;
  }
  outLength += digits;
}

export function putSigned(value: i64): void {
  if (value < 0) {
    putByte(0x2d);
    putDecimal(<u64>(-value));
  } else putDecimal(<u64>value);
}

/** Applies a JavaScript writer's answer: an output position, or a reason to stop. */
export function jsAnswer(answer: i32): bool {
  if (answer >= 0) {
    outLength = answer;
    return true;
  }
  if (answer == OUT_FULL) full = true;
  else failed = true;
  return false;
}

/** Bytes of a valid UTF-8 sequence starting at i (lead byte c >= 0x80), or 0 when it is not one. */
export function utf8Sequence(c: i32, i: i32, end: i32): i32 {
  if (c >= 0xc2 && c <= 0xdf) return i + 1 < end && (byte(i + 1) & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= end) return 0;
    const b1 = byte(i + 1);
    const low = c == 0xe0 ? 0xa0 : 0x80;
    const high = c == 0xed ? 0x9f : 0xbf;
    return b1 >= low && b1 <= high && (byte(i + 2) & 0xc0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= end) return 0;
    const b1 = byte(i + 1);
    const low = c == 0xf0 ? 0x90 : 0x80;
    const high = c == 0xf4 ? 0x8f : 0xbf;
    return b1 >= low && b1 <= high && (byte(i + 2) & 0xc0) == 0x80 && (byte(i + 3) & 0xc0) == 0x80 ? 4 : 0;
  }
  return 0;
}

@inline export function hexDigit(n: i32): i32 {
  return n < 10 ? 0x30 + n : 0x57 + n;
}

/**
 * A string field's bytes as the JSON text JSON.stringify gives for the string they decode to:
 * ASCII escaped as it escapes it, valid UTF-8 copied; a string that is not valid UTF-8 is written
 * by JavaScript (its decoder's replacement characters).
 */
export function wireString(start: i32, end: i32): void {
  if (!reserve(end - start + 2)) return;
  const mark = outLength;
  // Past the first escape, room for the worst case: every byte left a six-byte escape.
  let roomy = false;
  let o = out + <usize>outLength;
  store<u8>(o++, 0x22);
  let i = start;
  for (;;) {
    // A run of bytes that are their own JSON text, eight at a time, each word stored whole (the
    // output has room past its capacity, and the value's memory goes on past its end): as far as
    // the first byte to escape, or the end.
    while (i < end) {
      const x = load<u64>(buf + <usize>i);
      store<u64>(o, x);
      const flagged = plainFlags(x);
      let n = flagged == 0 ? 8 : <i32>(ctz(flagged) >> 3);
      if (n > end - i) n = end - i;
      o += n;
      i += n;
      if (n < 8) break;
    }
    if (i >= end) break;
    const c = byte(i);
    if (c >= 0x80) {
      const n = utf8Sequence(c, i, end);
      if (n == 0) {
        outLength = mark;
        jsAnswer(jsString(start, end, outLength, outCapacity));
        return;
      }
      copyBytes(o, buf + <usize>i, n);
      o += n;
      i += n;
      continue;
    }
    if (!roomy) {
      outLength = <i32>(o - out);
      if (!reserve(6 * (end - i) + 1)) return;
      roomy = true;
    }
    store<u8>(o++, 0x5c);
    if (c == 0x22 || c == 0x5c) store<u8>(o++, c);
    else if (c == 0x08) store<u8>(o++, 0x62);
    else if (c == 0x09) store<u8>(o++, 0x74);
    else if (c == 0x0a) store<u8>(o++, 0x6e);
    else if (c == 0x0c) store<u8>(o++, 0x66);
    else if (c == 0x0d) store<u8>(o++, 0x72);
    else {
      store<u8>(o++, 0x75);
      store<u8>(o++, 0x30);
      store<u8>(o++, 0x30);
      store<u8>(o++, hexDigit(c >> 4));
      store<u8>(o++, hexDigit(c & 15));
    }
    i++;
  }
  store<u8>(o++, 0x22);
  outLength = <i32>(o - out);
}

/**
 * The high bit of each byte of the word that is not its own JSON text (past ASCII, a control
 * character, a quote or a backslash), by bit tricks on the word. They may flag bytes after such a
 * byte too (a borrow carries), never one before it: the lowest bit set is the first byte to escape.
 */
@inline export function plainFlags(x: u64): u64 {
  const quote = x ^ 0x2222222222222222;
  const backslash = x ^ 0x5c5c5c5c5c5c5c5c;
  const flagged = x | ((x - 0x2020202020202020) & ~x) | ((quote - 0x0101010101010101) & ~quote) | ((backslash - 0x0101010101010101) & ~backslash);
  return flagged & 0x8080808080808080;
}

// ---- values with their own JSON form

/**
 * The fields of a small message whose length is at `at` (-1: absent): calls `field` for each tag
 * with pos at its value, as eachField in the JavaScript writer. Returns false on failure.
 */
export let fieldEnd: i32 = 0;
export function openFields(at: i32, end: i32): bool {
  if (depth + 1 > MAX_DEPTH) {
    failed = true;
    return false;
  }
  if (at < 0) {
    fieldEnd = -1;
    return true;
  }
  fieldEnd = delimitedEndAt(at, end);
  if (failed) return false;
  rend = fieldEnd;
  return true;
}

/** The next tag of an opened small message, or 0 at its end (a field number 0 fails). */
export function nextField(): u32 {
  if (fieldEnd < 0 || pos >= fieldEnd) return 0;
  const tagStart = pos;
  const tag = uint32();
  if (failed) return 0;
  if (tag >>> 3 == 0) {
    failed = true;
    pos = tagStart;
    return 0;
  }
  return tag;
}

export function putTwo(n: i32): void {
  putByte(0x30 + n / 10);
  putByte(0x30 + (n % 10));
}

@inline export function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/** metav1.Time: RFC 3339 in whole seconds, null when absent or Go's zero time; false (nothing written) when omitZero and it is null. */
export function time(at: i32, end: i32, omitZero: bool): bool {
  if (!openFields(at, end)) return false;
  let seconds: i64 = 0;
  let nanos: i32 = 0;
  let any = false;
  for (let tag = nextField(); tag != 0; tag = nextField()) {
    if (tag == 0x08) seconds = <i64>uint64();
    else if (tag == 0x10) nanos = <i32>(<u32>uint64());
    else {
      skip(<i32>(tag & 7));
      if (failed) return false;
      continue;
    }
    any = true;
    if (failed) return false;
  }
  if (failed) return false;
  if (!any || (seconds == GO_ZERO_TIME_SECONDS && nanos == 0)) {
    if (omitZero) return false;
    putAscii4(0x6e, 0x75, 0x6c, 0x6c);
    return true;
  }
  if (seconds > 8640000000000 || seconds < -8640000000000) {
    failed = true;
    return false;
  }
  // An object's times are mostly the same few seconds: the last one's text is kept.
  if (seconds == lastTimeSeconds) {
    if (!reserve(TIME_TEXT_BYTES)) return false;
    const to = out + <usize>outLength;
    store<u64>(to, lastTimeText0);
    store<u64>(to, lastTimeText1, 8);
    store<u64>(to, lastTimeText2, 16);
    outLength += TIME_TEXT_BYTES;
    return true;
  }
  const mark = outLength;
  const days = floorDiv(seconds, 86400);
  const secondOfDay = <i32>(seconds - days * 86400);
  // Howard Hinnant's days-to-civil, as go-time.ts.
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const monthFromMarch = (5 * dayOfYear + 2) / 153;
  const day = <i32>(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
  const month = <i32>(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    failed = true;
    return false;
  }
  const y = <i32>year;
  putByte(0x22);
  putTwo(y / 100);
  putTwo(y % 100);
  putByte(0x2d);
  putTwo(month);
  putByte(0x2d);
  putTwo(day);
  putByte(0x54);
  putTwo(secondOfDay / 3600);
  putByte(0x3a);
  putTwo((secondOfDay % 3600) / 60);
  putByte(0x3a);
  putTwo(secondOfDay % 60);
  putByte(0x5a);
  putByte(0x22);
  if (!full) {
    const from = out + <usize>mark;
    lastTimeText0 = load<u64>(from);
    lastTimeText1 = load<u64>(from, 8);
    lastTimeText2 = load<u64>(from, 16);
    lastTimeSeconds = seconds;
  }
  return true;
}

/** A time's JSON text: "2006-01-02T15:04:05Z" with its quotes. */
export const TIME_TEXT_BYTES: i32 = 22;
/** The seconds time() wrote last, and its text (22 bytes, in three words); no seconds at first. */
export let lastTimeSeconds: i64 = i64.MIN_VALUE;
export let lastTimeText0: u64 = 0;
export let lastTimeText1: u64 = 0;
export let lastTimeText2: u64 = 0;

/** Where the string read by quantityText or intOrStringParts is: [partStart, partEnd). */
export let partStart: i32 = 0;
export let partEnd: i32 = 0;
/** What intOrStringParts found: the string (1) or the number (0), and the number. */
export let partIsString = false;
export let partInt: i32 = 0;

/** resource.Quantity: finds its string (the last one; empty when absent or empty, which is "0"). */
export function quantityText(at: i32, end: i32): bool {
  if (!openFields(at, end)) return false;
  partStart = 0;
  partEnd = 0;
  for (let tag = nextField(); tag != 0; tag = nextField()) {
    if (tag == 0x0a) {
      const e = delimitedEnd();
      if (failed) return false;
      partStart = pos;
      partEnd = e;
      pos = e;
    } else {
      skip(<i32>(tag & 7));
      if (failed) return false;
    }
  }
  return !failed;
}

/** resource.Quantity: its string, "0" when absent or empty. */
export function quantity(at: i32, end: i32): bool {
  if (!quantityText(at, end)) return false;
  if (partEnd == partStart) {
    putByte(0x22);
    putByte(0x30);
    putByte(0x22);
  } else wireString(partStart, partEnd);
  return true;
}

/** intstr.IntOrString: finds the string when type is 1, else the number. */
export function intOrStringParts(at: i32, end: i32): bool {
  if (!openFields(at, end)) return false;
  let type: u64 = 0;
  let hasString = false;
  partInt = 0;
  partStart = 0;
  partEnd = 0;
  for (let tag = nextField(); tag != 0; tag = nextField()) {
    if (tag == 0x08) type = uint64();
    else if (tag == 0x10) partInt = <i32>(<u32>uint64());
    else if (tag == 0x1a) {
      const e = delimitedEnd();
      if (failed) return false;
      partStart = pos;
      partEnd = e;
      hasString = true;
      pos = e;
    } else skip(<i32>(tag & 7));
    if (failed) return false;
  }
  if (failed) return false;
  partIsString = type == 1;
  if (!partIsString && hasString && partEnd != partStart) {
    failed = true;
    return false;
  }
  return true;
}

/** intstr.IntOrString: the string when type is 1, else the number. */
export function intOrString(at: i32, end: i32): bool {
  if (!intOrStringParts(at, end)) return false;
  if (partIsString) {
    if (partEnd == partStart) {
      putByte(0x22);
      putByte(0x22);
    } else wireString(partStart, partEnd);
  } else putSigned(<i64>partInt);
  return true;
}

/** A value with its own JSON form; false when omitZero left it out (or it failed). */
export function special(m: i32, at: i32, end: i32, omitZero: bool): bool {
  const kind = word(m + M_SPECIAL);
  if (kind == SPECIAL_TIME) return time(at, end, omitZero);
  // omitzero is on times alone (creationTimestamp): on a quantity or an IntOrString, JavaScript decides.
  if (omitZero && (kind == SPECIAL_QUANTITY || kind == SPECIAL_INT_OR_STRING)) {
    failed = true;
    return false;
  }
  if (kind == SPECIAL_QUANTITY) return quantity(at, end);
  if (kind == SPECIAL_INT_OR_STRING) return intOrString(at, end);
  if (kind == SPECIAL_FIELDS_V1 && managedFieldsHidden && depth == OWN_FIELDS_V1_DEPTH) {
    if (omitZero) return false;
    putAscii4(0x6e, 0x75, 0x6c, 0x6c);
    return true;
  }
  const answer = jsSpecial(word(m + M_ID), at, end, depth, level, omitZero ? 1 : 0, outLength, outCapacity);
  if (answer == OMITTED) return false;
  return jsAnswer(answer);
}

// ---- the walk

/**
 * Notes where each field of a table is: slots[base] start, [base+1] end, then per field first tag,
 * last value, count. A field's first two are set only when it occurs: they are read only when
 * its count is not 0.
 */
export function scan(table: i32, base: i32, start: i32, end: i32): void {
  const maxNumber = <u32>word(table);
  const fieldCount = word(table + 1);
  setSlot(base, start);
  setSlot(base + 1, end);
  // Each field's three slots, by the field's index: only the counts need setting up front.
  const fields = slots + (<usize>(base + 2) << 2);
  for (let i = 0; i < fieldCount; i++) store<i32>(fields + <usize>(12 * i), 0, 8);
  const entries = plans + (<usize>(table + 2) << 2);
  let p = start;
  while (p < end) {
    const tagStart = p;
    p = varintAt(p, end);
    if (p < 0) return;
    const tag = <u32>varint;
    const number = tag >>> 3;
    const wireType = <i32>(tag & 7);
    const entry = number <= maxNumber ? load<i32>(entries + (<usize>number << 2)) : -1;
    if (entry < 0 || (entry & 7) != wireType) {
      if (number == 0) {
        failed = true;
        return;
      }
    } else {
      const at = fields + <usize>(12 * (entry >> 3));
      const count = load<i32>(at, 8);
      if (count == 0) store<i32>(at, tagStart);
      store<i32>(at, p, 4);
      store<i32>(at, count + 1, 8);
    }
    p = skipAt(p, wireType, end);
    if (p < 0) return;
  }
  pos = p;
  rend = end;
}

/**
 * Enters a message: notes where its fields are (its own and its inlined structs') in a window of
 * slots and checks its hidden fields. Its window's base; when failed, nothing to undo.
 */
export function openMessage(text: i32, start: i32, end: i32): i32 {
  if (word(text + P_NOT_COVERED) != 0 || ++depth > MAX_DEPTH) {
    failed = true;
    return 0;
  }
  const base = top;
  const window = word(text + P_WINDOW);
  if (top + window > slotWords) {
    failed = true;
    return 0;
  }
  top += window;
  scan(word(text + P_TABLE), base, start, end);
  if (failed) return 0;
  const inlines = word(text + P_INLINES);
  const inlineCount = word(text + P_INLINE_COUNT);
  for (let i = 0; i < inlineCount; i++) {
    const record = inlines + 4 * i;
    const s = base + word(record + 1);
    const count = slot(s + 2);
    if (count > 1) {
      failed = true;
      return 0;
    }
    if (count == 0) scan(word(record), base + word(record + 3), 0, 0);
    else {
      const ve = delimitedEndAt(slot(s + 1), slot(base + word(record + 2) + 1));
      if (failed) return 0;
      scan(word(record), base + word(record + 3), pos, ve);
    }
    if (failed) return 0;
  }
  const hidden = word(text + P_HIDDEN);
  const hiddenCount = word(text + P_HIDDEN_COUNT);
  for (let i = 0; i < hiddenCount; i++) {
    checkHidden(base, hidden + MEMBER_WORDS * i);
    if (failed) return 0;
  }
  return base;
}

export function message(text: i32, start: i32, end: i32): void {
  const base = openMessage(text, start, end);
  if (failed) return;
  putByte(0x7b);
  level++;
  let first = true;
  const members = word(text + P_MEMBERS);
  const memberCount = word(text + P_MEMBER_COUNT);
  for (let i = 0; i < memberCount; i++) {
    const m = members + MEMBER_WORDS * i;
    if ((word(m + M_FLAGS) & F_ABSENT_OMITTED) != 0 && slot(base + word(m + M_SLOT) + 2) == 0) continue;
    if (member(text, base, m, first)) first = false;
    if (failed || full) return;
  }
  level--;
  if (!first) newline();
  putByte(0x7d);
  top = base;
  depth--;
}

export function checkHidden(base: i32, m: i32): void {
  const s = base + word(m + M_SLOT);
  const count = slot(s + 2);
  if (count == 0) return;
  const mark = outLength;
  occurrences(m, slot(s), count, slot(base + word(m + M_RANGE) + 1));
  // Dropped; but checked whole (out of room, it was not: the caller gives more and starts again).
  outLength = mark;
}

export function key(m: i32, first: bool): void {
  const at = plans + (<usize>word(m + M_KEY));
  const length = word(m + M_KEY_LENGTH);
  if (indent == 0) {
    if (first) putBytes(at + 1, length - 1);
    else putBytes(at, length);
    return;
  }
  if (!first) putByte(0x2c);
  newline();
  putBytes(at + 1, length - 1);
  putByte(0x20);
}

// What a member comes to (classify), decided alike for the JSON walk and the YAML walk.
export const W_LEFT_OUT: i32 = 0;
/** apiVersion, kind or resourceVersion: the header text its role names. */
export const W_HEADER: i32 = 1;
export const W_NULL: i32 = 2;
/** The object's metadata, by its text plan's metadata plan. */
export const W_OBJECT_META: i32 = 3;
export const W_MAP: i32 = 4;
export const W_LIST: i32 = 5;
/** One value, as `single` writes it. */
export const W_SINGLE: i32 = 6;
/** A plain message, by the member's own plan. */
export const W_MESSAGE: i32 = 7;
/** A value with its own JSON form, which may still turn out left out (omitzero). */
export const W_SPECIAL: i32 = 8;
/** The zero of the member's scalar kind. */
export const W_ZERO: i32 = 9;
/** A scalar left out when it is zero (omitempty). */
export const W_SCALAR_UNLESS_ZERO: i32 = 10;

// Where classify found the member's values (read them before writing anything: the walk reuses them).
/** Its last value's place (-1: absent), and the end of the message holding it. */
export let memberAt: i32 = 0;
export let memberEnd: i32 = 0;
/** Its first tag and how many values it has (repeated and map fields). */
export let memberFirstTag: i32 = 0;
export let memberCount: i32 = 0;

/**
 * What the member comes to, as Go's JSON decides it for the object path: left out, null, or which
 * kind of value (failed, left out, on a damaged or uncovered member). A hidden managedFields is
 * checked here (written and dropped), as the object path reads it.
 */
@inline export function classify(base: i32, m: i32): i32 {
  const role = word(m + M_ROLE);
  if (role == MEMBER_API_VERSION || role == MEMBER_KIND || role == MEMBER_RESOURCE_VERSION) return W_HEADER;
  const flags = word(m + M_FLAGS);
  const s = base + word(m + M_SLOT);
  const end = slot(base + word(m + M_RANGE) + 1);
  const firstTag = slot(s);
  const lastValue = slot(s + 1);
  const count = slot(s + 2);
  memberEnd = end;
  memberFirstTag = firstTag;
  memberCount = count;
  memberAt = count == 0 ? -1 : lastValue;
  const nullUnlessOmitted = (flags & F_OMIT_EMPTY) != 0 ? W_LEFT_OUT : W_NULL;
  if (role == MEMBER_MANAGED_FIELDS && managedFieldsHidden) {
    if (count > 0) {
      const mark = outLength;
      repeated(m, firstTag, count, end);
      outLength = mark;
    }
    return W_LEFT_OUT;
  }
  if (role == MEMBER_METADATA) {
    if (count > 1) failed = true;
    return failed ? W_LEFT_OUT : W_OBJECT_META;
  }
  if ((flags & (F_REPEATED | F_MAP)) != 0) {
    if (count == 0) return nullUnlessOmitted;
    return (flags & F_MAP) != 0 ? W_MAP : W_LIST;
  }
  if (count > 1) {
    failed = true;
    return W_LEFT_OUT;
  }
  const shape = word(m + M_SHAPE);
  if (shape != GO_VALUE) {
    if (count == 0) return nullUnlessOmitted;
    if (shape == GO_BYTES && (flags & F_OMIT_EMPTY_TAG) != 0 && isEmptyBytes(lastValue, end)) return W_LEFT_OUT;
    return failed ? W_LEFT_OUT : W_SINGLE;
  }
  const kind = word(m + M_KIND);
  if (kind == KIND_MESSAGE) return (flags & F_SPECIAL) != 0 ? W_SPECIAL : W_MESSAGE;
  if (count == 0) return (flags & F_OMIT_EMPTY) != 0 ? W_LEFT_OUT : W_ZERO;
  if ((flags & F_OMIT_EMPTY) != 0) {
    if (kind != KIND_STRING && kind != KIND_BYTES) return W_SCALAR_UNLESS_ZERO;
    if (isEmptyBytes(lastValue, end)) return W_LEFT_OUT;
  }
  return failed ? W_LEFT_OUT : W_SINGLE;
}

export function member(text: i32, base: i32, m: i32, first: bool): bool {
  const written = classify(base, m);
  if (written == W_LEFT_OUT || failed) return false;
  const at = memberAt;
  const end = memberEnd;
  const mark = outLength;
  key(m, first);
  if (written == W_HEADER) {
    const role = word(m + M_ROLE);
    if (role == MEMBER_API_VERSION) putBytes(headers, apiVersionLength);
    else if (role == MEMBER_KIND) putBytes(headers + <usize>apiVersionLength, kindLength);
    else putBytes(headers + <usize>(apiVersionLength + kindLength), resourceVersionLength);
  } else if (written == W_NULL) putAscii4(0x6e, 0x75, 0x6c, 0x6c);
  else if (written == W_OBJECT_META) messageAt(word(text + P_METADATA), at, end);
  else if (written == W_MAP) map(m, memberFirstTag, memberCount, end);
  else if (written == W_LIST) repeated(m, memberFirstTag, memberCount, end);
  else if (written == W_SINGLE) single(m, at, end);
  else if (written == W_MESSAGE) messageAt(word(m + M_TEXT), at, end);
  else if (written == W_ZERO) zeroScalar(word(m + M_KIND));
  else {
    if (full) return false;
    const present = written == W_SPECIAL ? special(m, at, end, (word(m + M_FLAGS) & F_OMIT_ZERO) != 0) : scalar(m, word(m + M_KIND), at, end, true);
    if (!present) {
      outLength = mark;
      return false;
    }
  }
  return true;
}

export function isEmptyBytes(at: i32, end: i32): bool {
  const e = delimitedEndAt(at, end);
  return e == pos;
}

export function messageAt(text: i32, at: i32, end: i32): void {
  if (at < 0) message(text, 0, 0);
  else {
    const e = delimitedEndAt(at, end);
    if (failed) return;
    message(text, pos, e);
  }
}

export function single(m: i32, at: i32, end: i32): void {
  const kind = word(m + M_KIND);
  if (kind == KIND_STRING) {
    if (at < 0) {
      putByte(0x22);
      putByte(0x22);
    } else {
      const e = delimitedEndAt(at, end);
      if (failed) return;
      wireString(pos, e);
    }
  } else if (kind == KIND_MESSAGE) {
    if ((word(m + M_FLAGS) & F_SPECIAL) != 0) special(m, at, end, false);
    else messageAt(word(m + M_TEXT), at, end);
  } else if (at < 0) zeroScalar(kind);
  else scalar(m, kind, at, end, false);
}

/** A scalar's value; with omitZero, false (nothing written) when it is zero. */
export function scalar(m: i32, kind: i32, at: i32, end: i32, omitZero: bool): bool {
  if (kind == KIND_INT32 || kind == KIND_INT64 || kind == KIND_BOOL) {
    pos = at;
    rend = end;
    const value = uint64();
    if (failed) return false;
    // Zero as the field's type reads it: an int32 is the varint's low 32 bits.
    if (omitZero && (kind == KIND_INT32 ? <u32>value == 0 : value == 0)) return false;
    if (kind == KIND_BOOL) {
      if (value != 0) putAscii4(0x74, 0x72, 0x75, 0x65);
      else {
        putAscii4(0x66, 0x61, 0x6c, 0x73);
        putByte(0x65);
      }
    } else if (kind == KIND_INT32) putSigned(<i64>(<i32>(<u32>value)));
    else putSigned(<i64>value);
    return true;
  }
  const answer = jsScalar(word(m + M_ID), at, end, omitZero ? 1 : 0, outLength, outCapacity);
  if (answer == OMITTED) return false;
  return jsAnswer(answer);
}

export function zeroScalar(kind: i32): void {
  if (kind == KIND_STRING) {
    putByte(0x22);
    putByte(0x22);
  } else if (kind == KIND_BOOL) {
    putAscii4(0x66, 0x61, 0x6c, 0x73);
    putByte(0x65);
  } else if (kind == KIND_BYTES) putAscii4(0x6e, 0x75, 0x6c, 0x6c);
  else putByte(0x30);
}

/** Where the next value with this tag starts, from `from` (a tag) on; pos is left there. */
export function nextOccurrence(tag: i32, from: i32, end: i32): i32 {
  let p = from;
  for (;;) {
    p = varintAt(p, end);
    if (p < 0) return 0;
    const t = <i32>(<u32>varint);
    if (t == tag) break;
    p = skipAt(p, t & 7, end);
    if (p < 0) return 0;
  }
  pos = p;
  rend = end;
  return p;
}

export function repeated(m: i32, firstTag: i32, count: i32, end: i32): void {
  const tag = word(m + M_TAG);
  putByte(0x5b);
  level++;
  let from = firstTag;
  for (let written = 0; written < count; ) {
    const at = nextOccurrence(tag, from, end);
    if (failed) return;
    from = skipAt(at, tag & 7, end);
    if (from < 0) return;
    if (written++ > 0) putByte(0x2c);
    newline();
    single(m, at, end);
    if (failed || full) return;
  }
  level--;
  newline();
  putByte(0x5d);
}

/** Whether key a is ASCII and sorts strictly before key b, also ASCII. */
export function asciiBefore(aStart: i32, aEnd: i32, bStart: i32, bEnd: i32): bool {
  const n = min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const a = byte(aStart + i);
    const b = byte(bStart + i);
    if (a >= 0x80 || b >= 0x80) return false;
    if (a != b) return a < b;
  }
  for (let i = aStart + n; i < aEnd; i++) if (byte(i) >= 0x80) return false;
  for (let i = bStart + n; i < bEnd; i++) if (byte(i) >= 0x80) return false;
  return aEnd - aStart < bEnd - bStart;
}

/**
 * Reads a map field's entries into slots (per entry: key start, key end, value at, entry end) in
 * wire order; their base, the slot stack grown by 4 per entry. Failed on a damaged entry.
 */
export function mapEntries(m: i32, firstTag: i32, count: i32, end: i32): i32 {
  const tag = word(m + M_TAG);
  const wireType = word(m + M_WIRE);
  const valueTag = 0x10 | wireType;
  const base = top;
  if (top + 4 * count > slotWords) {
    failed = true;
    return 0;
  }
  top += 4 * count;
  let from = firstTag;
  for (let n = 0; n < count; n++) {
    nextOccurrence(tag, from, end);
    if (failed) return 0;
    const entryEnd = delimitedEnd();
    if (failed) return 0;
    from = entryEnd;
    let keyStart = 0;
    let keyEnd = 0;
    let valueAt = -1;
    rend = entryEnd;
    while (pos < entryEnd) {
      const et = <i32>uint32();
      if (failed) return 0;
      if (et == 0x0a) {
        keyEnd = delimitedEnd();
        if (failed) return 0;
        keyStart = pos;
        pos = keyEnd;
      } else if (et == valueTag) {
        valueAt = pos;
        skip(wireType);
        if (failed) return 0;
      } else {
        failed = true;
        return 0;
      }
    }
    const e = base + 4 * n;
    setSlot(e, keyStart);
    setSlot(e + 1, keyEnd);
    setSlot(e + 2, valueAt);
    setSlot(e + 3, entryEnd);
  }
  return base;
}

export function map(m: i32, firstTag: i32, count: i32, end: i32): void {
  const base = mapEntries(m, firstTag, count, end);
  if (failed) return;
  // Out of order (or not ASCII): JavaScript sorts them.
  for (let e = base + 4; e < base + 4 * count; e += 4) {
    if (!asciiBefore(slot(e - 4), slot(e - 3), slot(e), slot(e + 1))) {
      failed = true;
      return;
    }
  }
  putByte(0x7b);
  level++;
  for (let i = 0; i < count; i++) {
    const e = base + 4 * i;
    if (i > 0) putByte(0x2c);
    newline();
    wireString(slot(e), slot(e + 1));
    putByte(0x3a);
    if (indent > 0) putByte(0x20);
    if (masked(m)) putBytes(headers + <usize>(apiVersionLength + kindLength + resourceVersionLength), maskedLength);
    else single(m, slot(e + 2), slot(e + 3));
    if (failed || full) return;
  }
  level--;
  if (count > 0) newline();
  putByte(0x7d);
  top = base;
}

/** Whether the map's values are a Secret's, to be masked. */
export function masked(m: i32): bool {
  return maskedLength > 0 && word(m + M_ROLE) == MEMBER_SECRET_DATA;
}

export function occurrences(m: i32, firstTag: i32, count: i32, end: i32): void {
  const flags = word(m + M_FLAGS);
  if ((flags & F_MAP) != 0) {
    map(m, firstTag, count, end);
    return;
  }
  if ((flags & F_REPEATED) != 0) {
    repeated(m, firstTag, count, end);
    return;
  }
  const tag = word(m + M_TAG);
  let from = firstTag;
  for (let n = 0; n < count; n++) {
    const at = nextOccurrence(tag, from, end);
    if (failed) return;
    skip(tag & 7);
    if (failed) return;
    from = pos;
    single(m, at, end);
    if (failed) return;
  }
}

/**
 * Readies either walk (this one, or yaml-text.ts's) for one object: the value, the output, the
 * header texts' lengths, and nothing failed or nested yet. The JSON layout is one line; `write`
 * sets its own.
 */
export function startWalk(
  value: usize,
  output: usize,
  capacity: i32,
  hideManagedFields: i32,
  apiVersionBytes: i32,
  kindBytes: i32,
  resourceVersionBytes: i32,
  maskedBytes: i32,
): void {
  buf = value;
  out = output;
  outLength = 0;
  outCapacity = capacity;
  failed = false;
  full = false;
  indent = 0;
  level = 0;
  depth = 0;
  top = 0;
  managedFieldsHidden = hideManagedFields != 0;
  apiVersionLength = apiVersionBytes;
  kindLength = kindBytes;
  resourceVersionLength = resourceVersionBytes;
  maskedLength = maskedBytes;
}

/**
 * Writes the object whose message (a top-level text plan) is at [start, end) of the value at
 * `value`, into [output, output + capacity). The header strings (apiVersion, kind and
 * resourceVersion as JSON text, then a masked Secret value's when `maskedBytes` is not 0) are at
 * `headers`. Returns the output's length, -1 when JavaScript
 * must write the object, -3 when the output needs more room.
 */
export function write(
  text: i32,
  value: usize,
  start: i32,
  end: i32,
  output: usize,
  capacity: i32,
  indentWidth: i32,
  startLevel: i32,
  hideManagedFields: i32,
  apiVersionBytes: i32,
  kindBytes: i32,
  resourceVersionBytes: i32,
  maskedBytes: i32,
): i32 {
  startWalk(value, output, capacity, hideManagedFields, apiVersionBytes, kindBytes, resourceVersionBytes, maskedBytes);
  indent = indentWidth;
  level = startLevel;
  message(text, start, end);
  if (full) return OUT_FULL;
  if (failed) return NOT_COVERED;
  return outLength;
}
