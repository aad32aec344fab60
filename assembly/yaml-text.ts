// The YAML walk: a stored object written as kubectl's `-o yaml` writes it (go-yaml v2's emitter,
// as src/format/go-yaml-writer.ts re-implements it), over the same plan tables and the same scan
// as the JSON walk (json-text.ts). Members are written in go-yaml's key order (a per-plan order
// JavaScript lays out), with the emitter's column and its two flags kept here exactly as the
// JavaScript emitter keeps them. ASCII strings are styled, quoted and folded here; anything else
// (strings with other characters, keys that are not simple, values with their own JSON form but
// times, quantities and IntOrStrings, bytes and doubles) is asked of JavaScript, which writes it
// with its emitter from the position handed over in memory. Anything unusual gives -1, and the
// object path writes the object instead: this walk may refuse more, never write otherwise.

import {
  apiVersionLength,
  buf,
  byte,
  classify,
  copyBytes,
  delimitedEndAt,
  depth,
  F_ABSENT_OMITTED,
  F_OMIT_ZERO,
  F_SPECIAL,
  failed,
  full,
  headers,
  intOrStringParts,
  KIND_BOOL,
  KIND_BYTES,
  KIND_INT32,
  KIND_INT64,
  KIND_MESSAGE,
  KIND_STRING,
  kindLength,
  M_FLAGS,
  M_ID,
  M_KIND,
  M_ROLE,
  M_SLOT,
  M_SPECIAL,
  M_TAG,
  M_TEXT,
  M_YAML_KEY,
  M_YAML_KEY_LENGTH,
  mapEntries,
  masked,
  maskedLength,
  MEMBER_API_VERSION,
  MEMBER_KIND,
  MEMBER_WORDS,
  memberAt,
  memberCount,
  memberEnd,
  memberFirstTag,
  nextOccurrence,
  skipAt,
  NOT_COVERED,
  OMITTED,
  openMessage,
  out,
  OUT_FULL,
  outCapacity,
  outLength,
  P_MEMBERS,
  P_METADATA,
  P_YAML_ORDER,
  partEnd,
  partInt,
  partIsString,
  partStart,
  plans,
  pos,
  putByte,
  putSigned,
  quantityText,
  rend,
  reserve,
  resourceVersionLength,
  skip,
  slot,
  SPECIAL_INT_OR_STRING,
  SPECIAL_QUANTITY,
  SPECIAL_TIME,
  startWalk,
  time,
  top,
  uint64,
  W_HEADER,
  W_LEFT_OUT,
  W_LIST,
  W_MAP,
  W_MESSAGE,
  W_NULL,
  W_OBJECT_META,
  W_SCALAR_UNLESS_ZERO,
  W_SINGLE,
  W_SPECIAL,
  W_ZERO,
  word,
} from './json-text';

@external("env", "yamlSpecial")
declare function jsYamlSpecial(member: i32, at: i32, end: i32, indent: i32, inMapping: i32, nodeDepth: i32, messageDepth: i32, omitZero: i32, out: i32, outEnd: i32): i32;
@external("env", "yamlScalar")
declare function jsYamlScalar(member: i32, at: i32, end: i32, indent: i32, inMapping: i32, nodeDepth: i32, omitZero: i32, out: i32, outEnd: i32): i32;
@external("env", "yamlString")
declare function jsYamlString(start: i32, end: i32, asKey: i32, indent: i32, nodeDepth: i32, out: i32, outEnd: i32): i32;

/** go-yaml's best_width: a space past this column becomes a line break. */
const WIDTH: i32 = 80;
const INDENT_STEP: i32 = 2;
/** A key longer than this (in bytes) is a complex key (`? key`): JavaScript writes those. */
const SIMPLE_KEY_LIMIT: i32 = 128;
/** Nodes nested deeper are left to JavaScript (whose emitter gives up at 400 and shows JSON). */
const YAML_DEPTH_LIMIT: i32 = 300;

// The emitter's position: the column, and go-yaml's two flags (see the Emitter in go-yaml-writer.ts).
let column: i32 = 0;
/** The last thing written was a space, a line start or an indicator followed by one. */
let whitespace = true;
/** Only indentation (and `-` indicators) written on this line so far. */
let indention = true;
/** The nesting of the node being written, as the JavaScript emitter counts it (and is told it). */
let yamlDepth: i32 = 0;

// Where the tables JavaScript lays out are (initYaml).
/** Per byte, 1 when it may start a string go-yaml writes plain as it is (go-yaml-writer.ts's PLAIN_ASCII). */
let plainFirst: usize = 0;
/** Per byte, 1 when it may continue one. */
let plainRest: usize = 0;
/** The position handed to and taken back from JavaScript: column, whitespace, indention (i32 each). */
let position: usize = 0;
/** YAML 1.1's names for bools, nulls and the like: a length byte and the name, ending with a 0. */
let names: usize = 0;

export function initYaml(plainFirstAt: usize, plainRestAt: usize, positionAt: usize, namesAt: usize): void {
  plainFirst = plainFirstAt;
  plainRest = plainRestAt;
  position = positionAt;
  names = namesAt;
}

// ---- the emitter's moves (go-yaml-writer.ts's Emitter, move for move)

@inline function put(c: i32): void {
  putByte(c);
  column++;
}

function putSpaces(count: i32): void {
  if (!reserve(count)) return;
  memory.fill(out + <usize>outLength, 0x20, count);
  outLength += count;
  column += count;
}

function newline(): void {
  putByte(0x0a);
  column = 0;
}

function writeIndent(target: i32): void {
  if (target < 0) target = 0;
  if (!indention || column > target || (column == target && !whitespace)) {
    newline();
    putSpaces(target);
  } else if (column < target) putSpaces(target - column);
  whitespace = true;
  indention = true;
}

function indicator(c: i32, needWhitespace: bool, isWhitespace: bool, isIndention: bool): void {
  if (needWhitespace && !whitespace) put(0x20);
  put(c);
  whitespace = isWhitespace;
  indention = indention && isIndention;
}

/** `{}` or `[]`: an empty mapping or sequence. */
function emptyCollection(open: i32, close: i32): void {
  if (!whitespace) put(0x20);
  put(open);
  put(close);
  whitespace = false;
  indention = false;
}

/** Bytes of the value written as they are (ASCII: one column each). */
function putRun(from: i32, to: i32): void {
  const count = to - from;
  if (!reserve(count)) return;
  copyBytes(out + <usize>outLength, buf + <usize>from, count);
  outLength += count;
  column += count;
}

/** A word written whole after a space (go-yaml-writer.ts's `whole`): null, a bool, a number. */
function beforeWord(): void {
  if (!whitespace) put(0x20);
}

function afterWord(): void {
  whitespace = false;
  indention = false;
}

function putWord4(a: i32, b: i32, c: i32, d: i32): void {
  beforeWord();
  put(a);
  put(b);
  put(c);
  put(d);
  afterWord();
}

function putNull(): void {
  putWord4(0x6e, 0x75, 0x6c, 0x6c);
}

function putBool(value: bool): void {
  if (value) putWord4(0x74, 0x72, 0x75, 0x65);
  else {
    beforeWord();
    put(0x66);
    put(0x61);
    put(0x6c);
    put(0x73);
    put(0x65);
    afterWord();
  }
}

function putNumber(value: i64): void {
  beforeWord();
  const mark = outLength;
  putSigned(value);
  column += outLength - mark;
  afterWord();
}

/** Text laid out in memory by JavaScript (a key with its colon, a header value), written whole. */
function putLaidOut(at: usize, length: i32, afterSpace: bool): void {
  if (afterSpace) beforeWord();
  if (!reserve(length)) return;
  copyBytes(out + <usize>outLength, at, length);
  outLength += length;
  column += length;
  afterWord();
}

// ---- asking JavaScript

function handOver(): void {
  store<i32>(position, column);
  store<i32>(position + 4, whitespace ? 1 : 0);
  store<i32>(position + 8, indention ? 1 : 0);
}

/** Takes JavaScript's answer: the output's new length and the position it left, or why not. */
function takeBack(answer: i32): bool {
  if (answer >= 0) {
    outLength = answer;
    column = load<i32>(position);
    whitespace = load<i32>(position + 4) != 0;
    indention = load<i32>(position + 8) != 0;
    return true;
  }
  if (answer == OUT_FULL) full = true;
  else failed = true;
  return false;
}

/** A string JavaScript writes (not ASCII, or a key that is not simple). */
function jsString(start: i32, end: i32, asKey: bool, parentIndent: i32): void {
  handOver();
  takeBack(jsYamlString(start, end, asKey ? 1 : 0, parentIndent, yamlDepth, outLength, outCapacity));
}

// ---- what go-yaml reads as something other than a string (go-yaml-quotes.ts's readsAsNonString)

// A cursor over [mp, me) that may step over underscores, as go-yaml drops them before reading numbers.
let mp: i32 = 0;
let me: i32 = 0;
let dropUnderscores = false;

function peek(): i32 {
  if (dropUnderscores) while (mp < me && byte(mp) == 0x5f) mp++;
  return mp < me ? byte(mp) : -1;
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** Steps over digits of the given base (2, 8, 10 or 16): how many. */
function digits(base: i32): i32 {
  let n = 0;
  for (;;) {
    const c = peek();
    let ok = false;
    if (base == 16) ok = isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
    else ok = c >= 0x30 && c < 0x30 + base;
    if (!ok) return n;
    mp++;
    n++;
  }
  return n;
}

function optionalSign(): void {
  const c = peek();
  if (c == 0x2d || c == 0x2b) mp++;
}

@inline function atEnd(): bool {
  return peek() < 0;
}

/** strconv.ParseInt(s, 0, 64)'s syntax: sign, then 0x / 0b / 0o / leading-0 octal / decimal. */
function goInt(start: i32, end: i32): bool {
  mp = start;
  me = end;
  dropUnderscores = true;
  optionalSign();
  let c = peek();
  if (c == 0x30) {
    mp++;
    c = peek();
    if (c == 0x78 || c == 0x58) {
      mp++;
      return digits(16) > 0 && atEnd();
    }
    if (c == 0x62 || c == 0x42) {
      mp++;
      return digits(2) > 0 && atEnd();
    }
    if (c == 0x6f || c == 0x4f) {
      mp++;
      return digits(8) > 0 && atEnd();
    }
    digits(8);
    return atEnd();
  }
  if (c >= 0x31 && c <= 0x39) {
    digits(10);
    return atEnd();
  }
  return false;
}

/** go-yaml's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
function yamlFloat(start: i32, end: i32, underscores: bool): bool {
  mp = start;
  me = end;
  dropUnderscores = underscores;
  optionalSign();
  if (peek() == 0x2e) {
    mp++;
    if (digits(10) == 0) return false;
  } else {
    if (digits(10) == 0) return false;
    if (peek() == 0x2e) {
      mp++;
      digits(10);
    }
  }
  const c = peek();
  if (c == 0x65 || c == 0x45) {
    mp++;
    optionalSign();
    if (digits(10) == 0) return false;
  }
  return atEnd();
}

/** Sexagesimal: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)? */
function base60(start: i32, end: i32): bool {
  mp = start;
  me = end;
  dropUnderscores = false;
  optionalSign();
  if (!isDigit(peek())) return false;
  mp++;
  for (let c = peek(); isDigit(c) || c == 0x5f; c = peek()) mp++;
  let groups = 0;
  while (peek() == 0x3a) {
    mp++;
    const first = peek();
    if (!isDigit(first)) return false;
    mp++;
    if (first <= 0x35 && isDigit(peek())) mp++;
    groups++;
  }
  if (groups == 0) return false;
  if (peek() == 0x2e) {
    mp++;
    for (let c = peek(); isDigit(c) || c == 0x5f; c = peek()) mp++;
  }
  return atEnd();
}

/** One or two digits (or exactly `count` when count is 2 or 4). */
function digitRun(least: i32, most: i32): bool {
  let n = 0;
  while (n < most && isDigit(peek())) {
    mp++;
    n++;
  }
  return n >= least;
}

function expect(c: i32): bool {
  if (peek() != c) return false;
  mp++;
  return true;
}

/** A clock: \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)? */
function clock(): bool {
  if (!digitRun(1, 2) || !expect(0x3a) || !digitRun(1, 2) || !expect(0x3a) || !digitRun(1, 2)) return false;
  if (peek() == 0x2e) {
    mp++;
    if (!digitRun(1, 0x7fffffff)) return false;
  }
  return true;
}

/** go-yaml's timestamp layouts: a date; with T (or t), a clock and a zone; with a space, a clock. */
function timestamp(start: i32, end: i32): bool {
  mp = start;
  me = end;
  dropUnderscores = false;
  if (!digitRun(4, 4) || !expect(0x2d) || !digitRun(1, 2) || !expect(0x2d) || !digitRun(1, 2)) return false;
  if (atEnd()) return true;
  const c = peek();
  mp++;
  if (c == 0x54 || c == 0x74) {
    if (!clock()) return false;
    if (expect(0x5a)) return atEnd();
    const sign = peek();
    if (sign != 0x2d && sign != 0x2b) return false;
    mp++;
    return digitRun(2, 2) && expect(0x3a) && digitRun(2, 2) && atEnd();
  }
  if (c == 0x20) return clock() && atEnd();
  return false;
}

/** Whether the string is one of YAML 1.1's names for a bool, a null, an infinity or NaN, or `<<`. */
function isName(start: i32, end: i32): bool {
  const length = end - start;
  for (let at = names; ; ) {
    const n = <i32>load<u8>(at);
    if (n == 0) return false;
    if (n == length) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (<i32>load<u8>(at + 1 + <usize>i) != byte(start + i)) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    at += 1 + <usize>n;
  }
  return false;
}

/** Whether go-yaml would read the (ASCII) string, unquoted, as something other than a string. */
function readsAsNonString(start: i32, end: i32): bool {
  if (end == start || (end - start <= 5 && isName(start, end))) return true;
  const first = byte(start);
  if (first == 0x2e) return yamlFloat(start, end, false);
  if (first != 0x2d && first != 0x2b && !isDigit(first)) return false;
  if (base60(start, end) || timestamp(start, end)) return true;
  return goInt(start, end) || yamlFloat(start, end, true);
}

// ---- strings

/**
 * A string: a value (`parentIndent` the indent of the node holding it) or a simple key. Plain
 * ASCII of the common kind is written whole; other ASCII strings are styled as go-yaml styles
 * them; anything else JavaScript writes. True when written here; false when JavaScript wrote it
 * (a key with its colon) or it failed.
 */
function yamlString(start: i32, end: i32, parentIndent: i32, simpleKey: bool): bool {
  const n = end - start;
  if (simpleKey && n > SIMPLE_KEY_LIMIT) {
    jsString(start, end, true, parentIndent);
    return false;
  }
  // The common kind: go-yaml-writer.ts's isPlainAscii (it has no space, so it is never folded).
  let plainAscii = n > 0 && load<u8>(plainFirst + <usize>byte(start)) != 0 && byte(end - 1) != 0x3a;
  if (plainAscii) {
    for (let i = start + 1; i < end; i++) {
      if (load<u8>(plainRest + <usize>byte(i)) == 0) {
        plainAscii = false;
        break;
      }
    }
  }
  if (plainAscii) {
    beforeWord();
    if (readsAsNonString(start, end)) {
      put(0x22);
      putRun(start, end);
      put(0x22);
    } else putRun(start, end);
    afterWord();
    return true;
  }
  // go-yaml's analyzeScalar, for ASCII.
  let special = false;
  let lineBreaks = false;
  let carriageReturn = false;
  let breakSpace = false;
  let spaceBreak = false;
  let indicators = false;
  let quotes = false;
  let blanks = false;
  for (let i = start; i < end; i++) {
    // Eight bytes at a time past those that count for nothing here.
    while (i + 8 <= end && unremarkableWord(load<u64>(buf + <usize>i))) i += 8;
    if (i >= end) break;
    const c = byte(i);
    if (c == 0x20) {
      blanks = true;
      continue;
    }
    if (c >= 0x80) {
      jsString(start, end, simpleKey, parentIndent);
      return false;
    }
    if (c == 0x0a) {
      lineBreaks = true;
      if (i > start && byte(i - 1) == 0x20) spaceBreak = true;
      if (i + 1 < end && byte(i + 1) == 0x20) breakSpace = true;
    } else if (c < 0x20 || c == 0x7f) {
      special = true;
      if (c == 0x0d) carriageReturn = true;
    } else if (c == 0x3a) {
      if (i > start && (i + 1 == end || byte(i + 1) == 0x20 || byte(i + 1) == 0x09)) indicators = true;
    } else if (c == 0x23) {
      if (i > start && (byte(i - 1) == 0x20 || byte(i - 1) == 0x09)) indicators = true;
    } else if (c == 0x27) quotes = true;
  }
  // A key with a line break is not simple.
  if (simpleKey && (lineBreaks || carriageReturn)) {
    jsString(start, end, true, parentIndent);
    return false;
  }
  const first = n > 0 ? byte(start) : 0;
  const last = n > 0 ? byte(end - 1) : 0;
  if (n > 0) {
    if (isLeadingIndicator(first)) indicators = true;
    else if ((first == 0x3f || first == 0x3a || first == 0x2d) && (n == 1 || byte(start + 1) == 0x20 || byte(start + 1) == 0x09)) indicators = true;
    if (n >= 3 && ((first == 0x2d && byte(start + 1) == 0x2d && byte(start + 2) == 0x2d) || (first == 0x2e && byte(start + 1) == 0x2e && byte(start + 2) == 0x2e))) indicators = true;
  }
  const leadingBlank = first == 0x20 || first == 0x0a;
  const trailingSpace = last == 0x20;
  const trailingBreak = last == 0x0a;
  const plainAllowed = n > 0 && !(leadingBlank || trailingSpace || trailingBreak || breakSpace || spaceBreak || special || lineBreaks || indicators);
  const singleAllowed = !(breakSpace || spaceBreak || special);
  const literalAllowed = n > 0 && !(trailingSpace || spaceBreak || special);
  // The style go-yaml's encoder asks for, then what its emitter allows (go-yaml-writer.ts's `string`).
  const STYLE_PLAIN = 0;
  const STYLE_SINGLE = 1;
  const STYLE_DOUBLE = 2;
  const STYLE_LITERAL = 3;
  let style = lineBreaks ? STYLE_LITERAL : readsAsNonString(start, end) ? STYLE_DOUBLE : STYLE_PLAIN;
  if (style == STYLE_PLAIN && (!plainAllowed || (n == 0 && simpleKey))) style = STYLE_SINGLE;
  if (style == STYLE_SINGLE && !singleAllowed) style = STYLE_DOUBLE;
  if (style == STYLE_LITERAL && (!literalAllowed || simpleKey)) style = STYLE_DOUBLE;
  const scalarIndent = parentIndent < 0 ? INDENT_STEP : parentIndent + INDENT_STEP;
  const allowBreaks = !simpleKey;
  if (style == STYLE_LITERAL) {
    literal(start, end, scalarIndent);
    return true;
  }
  if (style == STYLE_PLAIN) {
    beforeWord();
    folded(start, end, scalarIndent, allowBreaks, false, quotes, blanks);
  } else if (style == STYLE_SINGLE) {
    indicator(0x27, true, false, false);
    folded(start, end, scalarIndent, allowBreaks, true, quotes, blanks);
    indicator(0x27, false, false, false);
  } else {
    indicator(0x22, true, false, false);
    doubleQuoted(start, end, scalarIndent, allowBreaks);
    indicator(0x22, false, false, false);
  }
  whitespace = false;
  indention = false;
  return true;
}

/**
 * Whether all eight bytes count for nothing in go-yaml's analysis: printable ASCII but a space, a
 * colon, a hash or a quote. Bit tricks on the word: they may flag such a word (then its bytes are
 * looked at one by one), never pass one that is not.
 */
@inline function unremarkableWord(x: u64): bool {
  const colon = x ^ 0x3a3a3a3a3a3a3a3a;
  const hash = x ^ 0x2323232323232323;
  const quote = x ^ 0x2727272727272727;
  const flagged =
    ((x - 0x2121212121212121) & ~x) |
    ((x + 0x0101010101010101) | x) |
    ((colon - 0x0101010101010101) & ~colon) |
    ((hash - 0x0101010101010101) & ~hash) |
    ((quote - 0x0101010101010101) & ~quote);
  return (flagged & 0x8080808080808080) == 0;
}

/** The indicators that may not start a plain scalar: # , [ ] { } & * ! | > ' " % @ ` */
function isLeadingIndicator(c: i32): bool {
  return (
    c == 0x23 || c == 0x2c || c == 0x5b || c == 0x5d || c == 0x7b || c == 0x7d || c == 0x26 || c == 0x2a || c == 0x21 || c == 0x7c || c == 0x3e || c == 0x27 || c == 0x22 || c == 0x25 || c == 0x40 || c == 0x60
  );
}

/** Plain and single-quoted ASCII without line breaks: a single space past the width becomes a line break. */
function folded(start: i32, end: i32, scalarIndent: i32, allowBreaks: bool, single: bool, quotes: bool, blanks: bool): void {
  // Without quotes to double, text that ends before the width, or has no space to fold at, is written whole.
  if ((!single || !quotes) && (column + (end - start) <= WIDTH || !blanks)) {
    putRun(start, end);
    indention = false;
    return;
  }
  let spaces = false;
  for (let i = start; i < end; ) {
    const c = byte(i);
    if (c == 0x20) {
      const inner = !single || (i > start && i < end - 1);
      if (allowBreaks && !spaces && column > WIDTH && inner && (i + 1 >= end || byte(i + 1) != 0x20)) writeIndent(scalarIndent);
      else put(0x20);
      spaces = true;
      i++;
      continue;
    }
    if (c == 0x27 && single) {
      put(0x27);
      put(0x27);
      i++;
    } else {
      let runEnd = i + 1;
      while (runEnd < end && byte(runEnd) != 0x20 && !(single && byte(runEnd) == 0x27)) runEnd++;
      putRun(i, runEnd);
      i = runEnd;
    }
    indention = false;
    spaces = false;
  }
}

/** What follows the backslash for an ASCII character go-yaml escapes. */
function putEscape(c: i32): void {
  put(0x5c);
  let named = 0;
  if (c == 0x00) named = 0x30;
  else if (c == 0x07) named = 0x61;
  else if (c == 0x08) named = 0x62;
  else if (c == 0x09) named = 0x74;
  else if (c == 0x0a) named = 0x6e;
  else if (c == 0x0b) named = 0x76;
  else if (c == 0x0c) named = 0x66;
  else if (c == 0x0d) named = 0x72;
  else if (c == 0x1b) named = 0x65;
  else if (c == 0x22 || c == 0x5c) named = c;
  if (named != 0) {
    put(named);
    return;
  }
  put(0x78);
  put(upperHex(c >> 4));
  put(upperHex(c & 15));
}

@inline function upperHex(n: i32): i32 {
  return n < 10 ? 0x30 + n : 0x37 + n;
}

function doubleQuoted(start: i32, end: i32, scalarIndent: i32, allowBreaks: bool): void {
  let spaces = false;
  for (let i = start; i < end; ) {
    const c = byte(i);
    if (c < 0x20 || c == 0x7f || c == 0x22 || c == 0x5c) {
      putEscape(c);
      spaces = false;
      i++;
    } else if (c == 0x20) {
      if (allowBreaks && !spaces && column > WIDTH && i > start && i < end - 1) {
        writeIndent(scalarIndent);
        if (byte(i + 1) == 0x20) put(0x5c);
      } else put(0x20);
      spaces = true;
      i++;
    } else {
      let runEnd = i + 1;
      while (runEnd < end) {
        const d = byte(runEnd);
        if (d <= 0x20 || d == 0x7f || d == 0x22 || d == 0x5c) break;
        runEnd++;
      }
      putRun(i, runEnd);
      spaces = false;
      i = runEnd;
    }
  }
}

/** ASCII with line breaks (and no other control character) as a literal block. */
function literal(start: i32, end: i32, scalarIndent: i32): void {
  indicator(0x7c, true, false, false);
  const first = byte(start);
  if (first == 0x20 || first == 0x0a) indicator(0x32, false, false, false);
  const last = byte(end - 1);
  if (last != 0x0a) indicator(0x2d, false, false, false);
  else if (end - start == 1 || byte(end - 2) == 0x0a) indicator(0x2b, false, false, false);
  newline();
  indention = true;
  whitespace = true;
  let breaks = true;
  for (let i = start; i < end; ) {
    if (byte(i) == 0x0a) {
      newline();
      indention = true;
      breaks = true;
      i++;
      continue;
    }
    if (breaks) writeIndent(scalarIndent);
    let lineEnd = i + 1;
    while (lineEnd < end && byte(lineEnd) != 0x0a) lineEnd++;
    putRun(i, lineEnd);
    indention = false;
    breaks = false;
    i = lineEnd;
  }
}

// ---- the walk

/** Refuses nodes nested deep enough that JavaScript's emitter might give up on them. */
function tooDeep(): bool {
  if (yamlDepth <= YAML_DEPTH_LIMIT) return false;
  failed = true;
  return true;
}

/** A member's key with its colon, laid out by JavaScript, after its indentation. */
function memberKey(m: i32, keyIndent: i32): void {
  writeIndent(keyIndent);
  const length = word(m + M_YAML_KEY_LENGTH);
  if (length < 0) {
    failed = true;
    return;
  }
  putLaidOut(plans + <usize>word(m + M_YAML_KEY), length, false);
}

/** A message as a block mapping; `parentIndent` is the indent of the node holding it (-1 at the top). */
function mapping(text: i32, start: i32, end: i32, parentIndent: i32): void {
  if (tooDeep()) return;
  const order = word(text + P_YAML_ORDER);
  if (order < 0) {
    failed = true;
    return;
  }
  const base = openMessage(text, start, end);
  if (failed) return;
  const keyIndent = parentIndent < 0 ? 0 : parentIndent + INDENT_STEP;
  const members = word(text + P_MEMBERS);
  const memberCount = word(order);
  let any = false;
  for (let i = 0; i < memberCount; i++) {
    const m = members + MEMBER_WORDS * word(order + 1 + i);
    if ((word(m + M_FLAGS) & F_ABSENT_OMITTED) != 0 && slot(base + word(m + M_SLOT) + 2) == 0) continue;
    yamlDepth++;
    if (member(text, base, m, keyIndent)) any = true;
    yamlDepth--;
    if (failed || full) return;
  }
  if (!any) emptyCollection(0x7b, 0x7d);
  top = base;
  depth--;
}

function mappingAt(text: i32, at: i32, end: i32, parentIndent: i32): void {
  if (at < 0) mapping(text, 0, 0, parentIndent);
  else {
    const e = delimitedEndAt(at, end);
    if (failed) return;
    mapping(text, pos, e, parentIndent);
  }
}

// The emitter's state before a member that may turn out to be left out.
let markLength: i32 = 0;
let markColumn: i32 = 0;
let markWhitespace = false;
let markIndention = false;

function mark(): void {
  markLength = outLength;
  markColumn = column;
  markWhitespace = whitespace;
  markIndention = indention;
}

function backToMark(): void {
  outLength = markLength;
  column = markColumn;
  whitespace = markWhitespace;
  indention = markIndention;
}

/** One member, key and value; false when it is left out (nothing written). As json-text.ts's `member`. */
function member(text: i32, base: i32, m: i32, keyIndent: i32): bool {
  const written = classify(base, m);
  if (written == W_LEFT_OUT || failed) return false;
  const at = memberAt;
  const end = memberEnd;
  if (written == W_SPECIAL || written == W_SCALAR_UNLESS_ZERO) mark();
  memberKey(m, keyIndent);
  if (written == W_HEADER) {
    const role = word(m + M_ROLE);
    if (role == MEMBER_API_VERSION) putLaidOut(headers, apiVersionLength, true);
    else if (role == MEMBER_KIND) putLaidOut(headers + <usize>apiVersionLength, kindLength, true);
    else putLaidOut(headers + <usize>(apiVersionLength + kindLength), resourceVersionLength, true);
  } else if (written == W_NULL) putNull();
  else if (written == W_OBJECT_META) mappingAt(word(text + P_METADATA), at, end, keyIndent);
  else if (written == W_MAP) map(m, memberFirstTag, memberCount, end, keyIndent);
  else if (written == W_LIST) sequence(m, memberFirstTag, memberCount, end, keyIndent, true);
  else if (written == W_SINGLE) single(m, at, end, keyIndent, true);
  else if (written == W_MESSAGE) mappingAt(word(m + M_TEXT), at, end, keyIndent);
  else if (written == W_ZERO) zeroScalar(word(m + M_KIND));
  else {
    if (full || failed) return false;
    const present =
      written == W_SPECIAL ? special(m, at, end, (word(m + M_FLAGS) & F_OMIT_ZERO) != 0, keyIndent, true) : scalar(m, word(m + M_KIND), at, end, true, keyIndent, true);
    if (!present) {
      if (!failed) backToMark();
      return false;
    }
  }
  return true;
}

/** One value of a field (`at` -1: absent, its zero value), as a node held at `parentIndent`. */
function single(m: i32, at: i32, end: i32, parentIndent: i32, inMapping: bool): void {
  const kind = word(m + M_KIND);
  if (kind == KIND_STRING) {
    if (at < 0) emptyString();
    else {
      const e = delimitedEndAt(at, end);
      if (failed) return;
      yamlString(pos, e, parentIndent, false);
    }
  } else if (kind == KIND_MESSAGE) {
    if ((word(m + M_FLAGS) & F_SPECIAL) != 0) special(m, at, end, false, parentIndent, inMapping);
    else mappingAt(word(m + M_TEXT), at, end, parentIndent);
  } else if (at < 0) zeroScalar(kind);
  else scalar(m, kind, at, end, false, parentIndent, inMapping);
}

function emptyString(): void {
  beforeWord();
  put(0x22);
  put(0x22);
  afterWord();
}

function zeroScalar(kind: i32): void {
  if (kind == KIND_STRING) emptyString();
  else if (kind == KIND_BOOL) putBool(false);
  else if (kind == KIND_BYTES) putNull();
  else putNumber(0);
}

/** A scalar's value; with omitZero, false (nothing written) when it is zero. */
function scalar(m: i32, kind: i32, at: i32, end: i32, omitZero: bool, parentIndent: i32, inMapping: bool): bool {
  if (kind == KIND_INT32 || kind == KIND_INT64 || kind == KIND_BOOL) {
    pos = at;
    rend = end;
    const value = uint64();
    if (failed) return false;
    if (omitZero && (kind == KIND_INT32 ? <u32>value == 0 : value == 0)) return false;
    if (kind == KIND_BOOL) putBool(value != 0);
    else if (kind == KIND_INT32) putNumber(<i64>(<i32>(<u32>value)));
    else putNumber(<i64>value);
    return true;
  }
  handOver();
  const answer = jsYamlScalar(word(m + M_ID), at, end, parentIndent, inMapping ? 1 : 0, yamlDepth, omitZero ? 1 : 0, outLength, outCapacity);
  if (answer == OMITTED) return false;
  return takeBack(answer);
}

/** A value with its own JSON form; false when omitZero left it out (or it failed). */
function special(m: i32, at: i32, end: i32, omitZero: bool, parentIndent: i32, inMapping: bool): bool {
  const kind = word(m + M_SPECIAL);
  if (kind == SPECIAL_TIME) {
    // RFC 3339 in double quotes (go-yaml would read it as a timestamp), or null.
    if (!whitespace) put(0x20);
    const before = outLength;
    if (!time(at, end, omitZero)) return false;
    column += outLength - before;
    afterWord();
    return true;
  }
  if (omitZero && (kind == SPECIAL_QUANTITY || kind == SPECIAL_INT_OR_STRING)) {
    failed = true;
    return false;
  }
  if (kind == SPECIAL_QUANTITY) {
    if (!quantityText(at, end)) return false;
    if (partEnd == partStart) {
      // "0", which go-yaml reads as a number: quoted.
      beforeWord();
      put(0x22);
      put(0x30);
      put(0x22);
      afterWord();
    } else yamlString(partStart, partEnd, parentIndent, false);
    return !failed;
  }
  if (kind == SPECIAL_INT_OR_STRING) {
    if (!intOrStringParts(at, end)) return false;
    if (!partIsString) putNumber(<i64>partInt);
    else if (partEnd == partStart) emptyString();
    else yamlString(partStart, partEnd, parentIndent, false);
    return !failed;
  }
  handOver();
  const answer = jsYamlSpecial(word(m + M_ID), at, end, parentIndent, inMapping ? 1 : 0, yamlDepth, depth, omitZero ? 1 : 0, outLength, outCapacity);
  if (answer == OMITTED) return false;
  return takeBack(answer);
}

/** A repeated field's values as a block sequence. */
function sequence(m: i32, firstTag: i32, count: i32, end: i32, parentIndent: i32, inMapping: bool): void {
  if (tooDeep()) return;
  const tag = word(m + M_TAG);
  const itemIndent = parentIndent < 0 ? 0 : inMapping && !indention ? parentIndent : parentIndent + INDENT_STEP;
  let from = firstTag;
  for (let written = 0; written < count; written++) {
    const at = nextOccurrence(tag, from, end);
    if (failed) return;
    from = skipAt(at, tag & 7, end);
    if (from < 0) return;
    writeIndent(itemIndent);
    indicator(0x2d, true, false, true);
    yamlDepth++;
    single(m, at, end, itemIndent, false);
    yamlDepth--;
    if (failed || full) return;
  }
}

/** Whether ASCII key a goes strictly before ASCII key b in go-yaml's order (go-yaml-key-order.ts); false for anything not ASCII. */
function yamlKeyBefore(aStart: i32, aEnd: i32, bStart: i32, bEnd: i32): bool {
  for (let i = aStart; i < aEnd; i++) if (byte(i) >= 0x80) return false;
  for (let i = bStart; i < bEnd; i++) if (byte(i) >= 0x80) return false;
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const shorter = min(aLength, bLength);
  let i = 0;
  while (i < shorter && byte(aStart + i) == byte(bStart + i)) i++;
  if (i == shorter) return aLength < bLength;
  const ca = byte(aStart + i);
  const cb = byte(bStart + i);
  const aLetter = isLetter(ca);
  const bLetter = isLetter(cb);
  if (aLetter && bLetter) return ca < cb;
  if (aLetter || bLetter) return bLetter;
  if (!isDigit(ca) && !isDigit(cb)) return ca < cb;
  // Digit runs compare as numbers (int64, wrapping as Go's does); a zero continuing a number counts from 1.
  let startValue: i64 = 0;
  if (ca == 0x30 || cb == 0x30) {
    for (let j = i - 1; j >= 0 && isDigit(byte(aStart + j)); j--) {
      if (byte(aStart + j) != 0x30) {
        startValue = 1;
        break;
      }
    }
  }
  let aValue = startValue;
  let aRun = 0;
  while (i + aRun < aLength && isDigit(byte(aStart + i + aRun))) {
    aValue = aValue * 10 + <i64>(byte(aStart + i + aRun) - 0x30);
    aRun++;
  }
  let bValue = startValue;
  let bRun = 0;
  while (i + bRun < bLength && isDigit(byte(bStart + i + bRun))) {
    bValue = bValue * 10 + <i64>(byte(bStart + i + bRun) - 0x30);
    bRun++;
  }
  if (aValue != bValue) return aValue < bValue;
  if (aRun != bRun) return aRun < bRun;
  return ca < cb;
}

@inline function isLetter(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A map field as a block mapping, its entries (sorted on the wire) in go-yaml's order, or refused. */
function map(m: i32, firstTag: i32, count: i32, end: i32, parentIndent: i32): void {
  if (tooDeep()) return;
  const base = mapEntries(m, firstTag, count, end);
  if (failed) return;
  // Not in go-yaml's order (or not ASCII, or a repeated key): the object path sorts them.
  for (let e = base + 4; e < base + 4 * count; e += 4) {
    if (!yamlKeyBefore(slot(e - 4), slot(e - 3), slot(e), slot(e + 1))) {
      failed = true;
      return;
    }
  }
  const keyIndent = parentIndent < 0 ? 0 : parentIndent + INDENT_STEP;
  for (let i = 0; i < count; i++) {
    const e = base + 4 * i;
    writeIndent(keyIndent);
    yamlDepth++;
    yamlKey(slot(e), slot(e + 1), keyIndent);
    if (failed || full) return;
    if (masked(m)) putLaidOut(headers + <usize>(apiVersionLength + kindLength + resourceVersionLength), maskedLength, true);
    else single(m, slot(e + 2), slot(e + 3), keyIndent, true);
    yamlDepth--;
    if (failed || full) return;
  }
  top = base;
}

/** A map's key and its colon: a simple key, or (JavaScript writes it) a complex one. */
function yamlKey(start: i32, end: i32, keyIndent: i32): void {
  if (yamlString(start, end, keyIndent, true)) indicator(0x3a, false, false, false);
}

/**
 * Writes the object (a top-level text plan) at [start, end) of the value at `value` as YAML, into
 * [output, output + capacity): at the top of a document, or as a List's item after its `-`
 * (`listItem`, which the caller writes). The header values (apiVersion, kind, resourceVersion as
 * YAML scalars, then a masked Secret value's when `maskedBytes` is not 0) are at `headers`.
 * Returns the output's length, -1 when the object path must write the object, -3 when the output
 * needs more room.
 */
export function writeYaml(
  text: i32,
  value: usize,
  start: i32,
  end: i32,
  output: usize,
  capacity: i32,
  listItem: i32,
  hideManagedFields: i32,
  apiVersionBytes: i32,
  kindBytes: i32,
  resourceVersionBytes: i32,
  maskedBytes: i32,
): i32 {
  // The JSON walk's layout stays one line, for the hidden fields it checks.
  startWalk(value, output, capacity, hideManagedFields, apiVersionBytes, kindBytes, resourceVersionBytes, maskedBytes);
  yamlDepth = 0;
  if (listItem != 0) {
    // Just after the item's `-`, in a List's `items:` (the item is a node two levels in).
    column = 1;
    whitespace = false;
    indention = true;
    yamlDepth = 2;
    mapping(text, start, end, 0);
  } else {
    column = 0;
    whitespace = true;
    indention = true;
    mapping(text, start, end, -1);
  }
  // The document's last line ends.
  writeIndent(-1);
  if (full) return OUT_FULL;
  if (failed) return NOT_COVERED;
  return outLength;
}

/** readsAsNonString over [start, end) of the bytes at `value` (for the test that holds it to JavaScript's). */
export function stringReadsAsNonString(value: usize, start: i32, end: i32): bool {
  buf = value;
  return readsAsNonString(start, end);
}
