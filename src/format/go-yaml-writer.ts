/**
 * YAML written byte for byte as kubectl writes it. kubectl (sigs.k8s.io/yaml) turns an object into
 * JSON, reads that back with go-yaml v2 and writes it out again, so what it prints is go-yaml v2's
 * emitter at its defaults: indent 2, lines folded at spaces once past column 80, keys in go-yaml's
 * order, strings with newlines as literal blocks (`|`), empty maps and lists as `{}` and `[]`,
 * and floats in Go's shortest `%g` spelling. This module re-implements that emitter's choices for
 * the values kreg decodes (JSON values); it is checked against kubectl in test/go-yaml-writer.test.ts.
 * Pure.
 */
import type { YamlEmitter, YamlPosition } from '../codec/text-walk-wasm.js';
import { GoFloat, type JsonObject, type JsonValue } from '../codec/json-value.js';
import { formatFiniteFloatG } from './go-float.js';
import { compareGoYamlKeys } from './go-yaml-key-order.js';
import { readsAsNonString, YAML_NAMES } from './go-yaml-quotes.js';

/** go-yaml's best_width: a space past this column becomes a line break. */
export const GO_YAML_WIDTH = 80;
const INDENT_STEP = 2;
/** A key longer than this (in UTF-8 bytes) is written as a complex key (`? key` then `: value`). */
const SIMPLE_KEY_LIMIT = 128;

/** Thrown when a value nests deeper than the caller allows. */
export class TooDeepForYaml extends Error {
  constructor(limit: number) {
    super(`nested deeper than ${limit} levels`);
  }
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** What go-yaml's scalar analysis finds out about a string, reduced to what block context needs. */
export interface ScalarFacts {
  multiline: boolean;
  plainAllowed: boolean;
  singleAllowed: boolean;
  literalAllowed: boolean;
  /** In UTF-8 bytes, for the simple-key limit. */
  byteLength: number;
}

const isBreak = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
/** go-yaml's is_printable, by code point: tabs, DEL, C1 controls and everything beyond U+FFFF are not. */
const isPrintable = (c: number): boolean => c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
const utf8Length = (c: number): number => (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
/** Indicators that may not start a plain scalar (`-`, `?`, `:` only when a blank follows). */
const LEADING_INDICATORS = new Set([...'#,[]{}&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

/**
 * Most strings in an object (names, labels, images, timestamps) are printable ASCII with no blank,
 * no quote and no indicator where it would count: for them the scan below finds nothing, so they
 * skip it. The first character may not be an indicator or a dot ("..." starts a document end);
 * a colon counts only before a blank or at the end, so it may not come last.
 */
const PLAIN_ASCII = /^[A-Za-z0-9_/()=+~;<$^\\][A-Za-z0-9_./()=+~;<>$^\\:-]*$/;

/**
 * Whether the string is of the kind described above: go-yaml writes it whole wherever it stands
 * (it has no space to fold at), plain or, when it reads as another type, in double quotes.
 */
function isPlainAscii(text: string): boolean {
  return PLAIN_ASCII.test(text) && text.charCodeAt(text.length - 1) !== 0x3a;
}

/** Printable ASCII, spaces and newlines included: what a few searches tell all about. */
const PRINTABLE_ASCII = /^[\x20-\x7e\n]+$/;

/** What go-yaml's analyzeScalar finds in a string (exported for the test that holds the fast paths to the scan). */
export function analyze(text: string): ScalarFacts {
  if (isPlainAscii(text)) {
    return { multiline: false, plainAllowed: true, singleAllowed: true, literalAllowed: true, byteLength: text.length };
  }
  if (PRINTABLE_ASCII.test(text)) return printableAsciiFacts(text);
  return scanScalar(text);
}

/** scanScalar's facts for printable ASCII and newlines: nothing special; blanks, breaks and indicators are all that count. */
function printableAsciiFacts(text: string): ScalarFacts {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // A first `?`, `:` or `-` is an indicator before a space or at the end.
  const second = text.length > 1 ? text.charCodeAt(1) : 0x20;
  const indicators =
    LEADING_INDICATORS.has(first) ||
    ((first === 0x3f || first === 0x3a || first === 0x2d) && second === 0x20) ||
    text.startsWith('---') ||
    text.startsWith('...') ||
    // Past the first character: a colon before a space or at the end, a hash after a space (after
    // a break too, but a break rules plain out anyway, and indicators count for nothing else).
    text.includes(': ') ||
    last === 0x3a ||
    text.includes(' #');
  const lineBreaks = text.includes('\n');
  const leadingBlank = first === 0x20 || first === 0x0a;
  const trailingSpace = last === 0x20;
  const trailingBreak = last === 0x0a;
  const breakSpace = lineBreaks && text.includes('\n ');
  const spaceBreak = lineBreaks && text.includes(' \n');
  return {
    multiline: lineBreaks,
    plainAllowed: !(leadingBlank || trailingSpace || trailingBreak || breakSpace || spaceBreak || lineBreaks || indicators),
    singleAllowed: !(breakSpace || spaceBreak),
    literalAllowed: !(trailingSpace || spaceBreak),
    byteLength: text.length,
  };
}

/** go-yaml's analyzeScalar, character by character. */
export function scanScalar(text: string): ScalarFacts {
  if (text === '') return { multiline: false, plainAllowed: true, singleAllowed: true, literalAllowed: false, byteLength: 0 };
  let indicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingBlank = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  let byteLength = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i) as number;
    const width = c > 0xffff ? 2 : 1;
    const last = i + width >= text.length;
    const next = last ? -1 : (text.codePointAt(i + width) as number);
    const followedByWhitespace = last || isBlank(next);
    byteLength += utf8Length(c);
    if (i === 0) {
      if (LEADING_INDICATORS.has(c)) indicators = true;
      else if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) indicators = true;
    } else if ((c === 0x3a && followedByWhitespace) || (c === 0x23 && precededByWhitespace)) {
      indicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingBlank = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBlank = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === 0;
    i += width;
  }
  return {
    multiline: lineBreaks,
    plainAllowed: !(leadingBlank || trailingSpace || trailingBreak || breakSpace || spaceBreak || special || lineBreaks || indicators),
    singleAllowed: !(breakSpace || spaceBreak || special),
    literalAllowed: !(trailingSpace || spaceBreak || special),
    byteLength,
  };
}

/** A run of spaces holding at least one NEL (U+0085). */
const NEL_RUN = /[ \u0085]*\u0085[ \u0085]*/g;

/**
 * The string kubectl ends up printing. Go's JSON escapes every line break but NEL, which go-yaml
 * then reads, inside the JSON string's double quotes, as a line break and folds as YAML folds
 * them: one break (with the spaces around it) becomes a space, n breaks become n-1 newlines.
 * (A key holding NEL is an error to kubectl; kreg shows such keys as they are.)
 */
export function asKubectlReadsBack(text: string): string {
  if (!text.includes('\u0085')) return text;
  return text.replace(NEL_RUN, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64), with go-yaml's names for the non-finite values. */
export function goFloatText(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Number.POSITIVE_INFINITY) return '.inf';
  if (value === Number.NEGATIVE_INFINITY) return '-.inf';
  return formatFiniteFloatG(value);
}

const INT64_MIN = -(2 ** 63);
const UINT64_END = 2 ** 64;

/**
 * A number as kubectl prints it: Go's JSON writes an integral float64 without a fraction, which
 * go-yaml then reads as an integer when int64 or uint64 holds it, and as a float otherwise.
 */
export function goNumberText(value: number): string {
  if (Number.isInteger(value) && value >= INT64_MIN && value < UINT64_END) return String(value);
  return goFloatText(value);
}

/** A line break and `n` spaces, kept once made: every line starts with one. */
const lineStarts: string[] = [];
const lineStart = (n: number): string => (lineStarts[n] ??= `\n${' '.repeat(n)}`);

/**
 * Simple keys as written after their indentation, with their colon. go-yaml writes a simple key
 * alike wherever it stands (it is never folded), and objects repeat the same keys over and over,
 * so each is worked out once. Bounded, for listings whose keys never repeat (ConfigMap data).
 */
const simpleKeyTexts = new Map<string, string>();
const SIMPLE_KEY_TEXTS_LIMIT = 20_000;

/**
 * How a mapping with a given list of keys is written: the keys in go-yaml's order, each with its
 * text when it is a simple key. Objects of one type list the same keys in the same order, which
 * is often not go-yaml's (decoders write fields in field-number order): the order and the texts
 * are worked out once per list, not sorted and looked up again for every object.
 */
interface MappingPlan {
  /** In the order the object lists them. */
  keys: readonly string[];
  /** In go-yaml's order. */
  ordered: readonly string[];
  /** Of each ordered key; undefined for a key written as a complex key. */
  texts: readonly (string | undefined)[];
}

/** Plans by their first key: a few key lists share one. Bounded like simpleKeyTexts. */
const plansByFirstKey = new Map<string, MappingPlan[]>();
const PLANS_LIMIT = 5_000;
const PLANS_PER_FIRST_KEY = 8;
/** Larger mappings (ConfigMap data, say) rarely repeat their keys, and would make the plans kept large. */
const PLAN_KEYS_LIMIT = 64;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function inGoYamlOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareGoYamlKeys(keys[i - 1] as string, keys[i] as string) > 0) return false;
  return true;
}

/** The emitter's position and the two flags go-yaml decides line breaks and spaces by. */
class Emitter {
  out = '';
  column = 0;
  /** The last thing written was a space, a line start or an indicator followed by one. */
  whitespace = true;
  /** Only indentation (and `-`/`?` indicators) written on this line so far. */
  indention = true;

  constructor(
    private readonly depthLimit: number,
    private readonly width: number,
    /** Take the shortcuts for common strings and repeated keys; without them every scalar goes through go-yaml's full analysis. */
    private readonly shortcuts: boolean,
  ) {}

  private newline(): void {
    this.out += '\n';
    this.column = 0;
  }

  private writeIndent(indent: number): void {
    const target = Math.max(indent, 0);
    if (!this.indention || this.column > target || (this.column === target && !this.whitespace)) {
      this.out += lineStart(target);
      this.column = target;
    } else if (this.column < target) {
      this.out += ' '.repeat(target - this.column);
      this.column = target;
    }
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) {
      this.out += ' ';
      this.column++;
    }
    this.out += text;
    this.column += text.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /**
   * A node. `indent` is the enclosing collection's indentation (-1 at the root); `inMapping` says
   * the node is a mapping's key or value, which lets a sequence value sit at its key's column.
   */
  node(value: JsonValue, indent: number, inMapping: boolean, depth: number): void {
    if (depth > this.depthLimit) throw new TooDeepForYaml(this.depthLimit);
    if (typeof value === 'string') {
      if (this.shortcuts && isPlainAscii(value)) this.whole(readsAsNonString(value) ? `"${value}"` : value);
      else this.string(asKubectlReadsBack(value), indent, false);
    } else if (value === null) this.word('null', indent);
    else if (typeof value === 'number') this.word(goNumberText(value), indent);
    else if (typeof value === 'boolean') this.word(value ? 'true' : 'false', indent);
    else if (typeof value === 'bigint') this.word(String(value), indent);
    else if (value instanceof GoFloat) this.word(goNumberText(value.value), indent);
    else if (Array.isArray(value)) {
      if (value.length === 0) return this.indicator('[]', true, false, false);
      const itemIndent = indent < 0 ? 0 : inMapping && !this.indention ? indent : indent + INDENT_STEP;
      for (const item of value) {
        this.writeIndent(itemIndent);
        this.indicator('-', true, false, true);
        this.node(item, itemIndent, false, depth + 1);
      }
    } else this.mapping(value, indent, depth);
  }

  private mapping(value: JsonObject, indent: number, depth: number): void {
    const keys = Object.keys(value);
    if (keys.length === 0) return this.indicator('{}', true, false, false);
    const keyIndent = indent < 0 ? 0 : indent + INDENT_STEP;
    if (this.shortcuts) {
      const { ordered, texts } = this.plan(keys);
      for (let i = 0; i < ordered.length; i++) {
        const key = ordered[i] as string;
        const text = texts[i];
        this.writeIndent(keyIndent);
        if (text !== undefined) this.whole(text);
        else this.key(key, keyIndent);
        this.node(value[key] as JsonValue, keyIndent, true, depth + 1);
      }
      return;
    }
    if (!inGoYamlOrder(keys)) keys.sort(compareGoYamlKeys);
    for (const key of keys) {
      this.writeIndent(keyIndent);
      this.key(key, keyIndent);
      this.node(value[key] as JsonValue, keyIndent, true, depth + 1);
    }
  }

  /** A mapping's key and its colon, after its indentation, as `mapping` writes it. */
  mappingKey(key: string, keyIndent: number): void {
    const text = this.simpleKeyText(key);
    if (text !== undefined) this.whole(text);
    else this.key(key, keyIndent);
  }

  /** The plan for a mapping listing `keys` (not empty), made when it is new. */
  private plan(keys: string[]): MappingPlan {
    const first = keys[0] as string;
    const plans = plansByFirstKey.get(first);
    if (plans !== undefined) for (const plan of plans) if (sameKeys(plan.keys, keys)) return plan;
    const ordered = inGoYamlOrder(keys) ? keys : [...keys].sort(compareGoYamlKeys);
    const plan: MappingPlan = { keys, ordered, texts: ordered.map((key) => this.simpleKeyText(key)) };
    if (keys.length > PLAN_KEYS_LIMIT) return plan;
    if (plans === undefined) {
      if (plansByFirstKey.size >= PLANS_LIMIT) plansByFirstKey.clear();
      plansByFirstKey.set(first, [plan]);
    } else {
      if (plans.length >= PLANS_PER_FIRST_KEY) plans.shift();
      plans.push(plan);
    }
    return plan;
  }

  /**
   * A simple key as written after its indentation, with its colon: written once on its own, as
   * it would be in place (the column does not matter: a simple key is not folded). Undefined for
   * a key written as a complex key.
   */
  simpleKeyText(key: string): string | undefined {
    const known = simpleKeyTexts.get(key);
    if (known !== undefined) return known;
    const facts = analyze(key);
    if (facts.multiline || facts.byteLength > SIMPLE_KEY_LIMIT) return undefined;
    const alone = new Emitter(this.depthLimit, this.width, false);
    alone.string(key, 0, true, facts);
    alone.indicator(':', false, false, false);
    if (simpleKeyTexts.size >= SIMPLE_KEY_TEXTS_LIMIT) simpleKeyTexts.clear();
    simpleKeyTexts.set(key, alone.out);
    return alone.out;
  }

  /** A key and its colon, after its indentation, through go-yaml's full analysis. */
  private key(key: string, keyIndent: number): void {
    const facts = analyze(key);
    if (!facts.multiline && facts.byteLength <= SIMPLE_KEY_LIMIT) {
      this.string(key, keyIndent, true, facts);
      this.indicator(':', false, false, false);
    } else {
      this.indicator('?', true, false, true);
      this.string(key, keyIndent, false, facts);
      this.writeIndent(keyIndent);
      this.indicator(':', true, false, true);
    }
  }

  /**
   * Text that is written as it is wherever it stands: a simple key with its colon after its
   * indentation, or a scalar after a space (added here when the line has none at its end yet).
   */
  private whole(text: string): void {
    if (!this.whitespace) {
      this.out += ' ';
      this.column++;
    }
    this.out += text;
    this.column += text.length;
    this.whitespace = false;
    this.indention = false;
  }

  /** A null, bool or number: plain, with nothing to fold or quote. */
  private word(text: string, indent: number): void {
    if (this.shortcuts) this.whole(text);
    else this.scalar(text, 'plain', indent, false);
  }

  /** A string in the style go-yaml's encoder asks for, downgraded as its emitter allows. */
  private string(text: string, indent: number, simpleKey: boolean, facts = analyze(text)): void {
    let style: Style = text.includes('\n') ? 'literal' : readsAsNonString(text) ? 'double' : 'plain';
    if (simpleKey && facts.multiline) style = 'double';
    if (style === 'plain' && (!facts.plainAllowed || (text === '' && simpleKey))) style = 'single';
    if (style === 'single' && !facts.singleAllowed) style = 'double';
    if (style === 'literal' && (!facts.literalAllowed || simpleKey)) style = 'double';
    this.scalar(text, style, indent, simpleKey);
  }

  private scalar(text: string, style: Style, parentIndent: number, simpleKey: boolean): void {
    const indent = parentIndent < 0 ? INDENT_STEP : parentIndent + INDENT_STEP;
    switch (style) {
      case 'plain':
        if (!this.whitespace) {
          this.out += ' ';
          this.column++;
        }
        this.folded(text, indent, !simpleKey, 'plain');
        break;
      case 'single':
        this.indicator("'", true, false, false);
        this.folded(text, indent, !simpleKey, 'single');
        this.indicator("'", false, false, false);
        break;
      case 'double':
        this.indicator('"', true, false, false);
        this.doubleQuoted(text, indent, !simpleKey);
        this.indicator('"', false, false, false);
        break;
      case 'literal':
        this.literal(text, indent);
        return;
    }
    this.whitespace = false;
    this.indention = false;
  }

  /** Plain and single-quoted text: a single space past the width becomes a line break. */
  private folded(text: string, indent: number, allowBreaks: boolean, style: 'plain' | 'single'): void {
    // Most scalars end before the width and hold no line breaks: write them whole.
    // Without quotes to double or breaks, a run of the text ends at the next space.
    const spacesOnly = (style === 'plain' || !text.includes("'")) && !/[\r\x85\u2028\u2029]/.test(text);
    if (spacesOnly && this.column + text.length <= this.width) {
      // Characters beyond U+FFFF never reach plain or single-quoted text (go-yaml escapes them), so
      // UTF-16 length is the column count here.
      this.out += text;
      this.column += text.length;
      this.indention = false;
      return;
    }
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < text.length; ) {
      const c = text.codePointAt(i) as number;
      const width = c > 0xffff ? 2 : 1;
      if (c === 0x20) {
        const inner = style === 'plain' || (i > 0 && i < text.length - 1);
        if (allowBreaks && !spaces && this.column > this.width && inner && text.charCodeAt(i + 1) !== 0x20) this.writeIndent(indent);
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.newline();
        this.lineBreak(c);
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        // The characters up to the next space, break or (single-quoted) quote are written as they are.
        const single = style === 'single';
        let end = i + width;
        if (c === 0x27 && single) this.put("'");
        else if (spacesOnly) end = nextSpace(text, end);
        else end = endOfRun(text, end, single);
        this.put(text.slice(i, end));
        this.indention = false;
        spaces = false;
        breaks = false;
        i = end;
        continue;
      }
      i += width;
    }
  }

  private doubleQuoted(text: string, indent: number, allowBreaks: boolean): void {
    // go-yaml tests the whole value's first character for a byte order mark at every position.
    const startsWithBom = text.charCodeAt(0) === 0xfeff;
    let spaces = false;
    for (let i = 0; i < text.length; ) {
      const c = text.codePointAt(i) as number;
      const width = c > 0xffff ? 2 : 1;
      if (startsWithBom || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put(`\\${escapeFor(c)}`);
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > this.width && i > 0 && i < text.length - 1) {
          this.writeIndent(indent);
          if (text.charCodeAt(i + 1) === 0x20) this.put('\\');
        } else this.put(' ');
        spaces = true;
      } else {
        // Up to the next character that is escaped or may fold, the text is written as it is.
        let end = i + 1;
        while (end < text.length && writtenAsIsInDoubleQuotes(text.charCodeAt(end))) end++;
        this.put(text.slice(i, end));
        spaces = false;
        i = end;
        continue;
      }
      i += width;
    }
  }

  private literal(text: string, indent: number): void {
    this.indicator('|', true, false, false);
    const first = text.codePointAt(0) as number;
    if (first === 0x20 || isBreak(first)) this.indicator(String(INDENT_STEP), false, false, false);
    const chomp = blockChomping(text);
    if (chomp !== '') this.indicator(chomp, false, false, false);
    this.newline();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    const newlinesOnly = !/[\r\x85\u2028\u2029]/.test(text);
    for (let i = 0; i < text.length; ) {
      const c = text.codePointAt(i) as number;
      const width = c > 0xffff ? 2 : 1;
      if (isBreak(c)) {
        this.lineBreak(c);
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        // A line of the block, written as it is.
        let end = i + width;
        if (newlinesOnly) {
          end = text.indexOf('\n', end);
          if (end < 0) end = text.length;
        } else while (end < text.length && !isBreak(text.charCodeAt(end))) end++;
        this.put(text.slice(i, end));
        this.indention = false;
        breaks = false;
        i = end;
        continue;
      }
      i += width;
    }
  }

  /** A line break from the text: `\n` as a new line, the others written as they are (the column restarts). */
  private lineBreak(c: number): void {
    if (c === 0x0a) this.newline();
    else {
      this.out += String.fromCodePoint(c);
      this.column = 0;
    }
    this.indention = true;
  }

  /** One character, or an escape sequence (each of its characters takes a column). */
  private put(text: string): void {
    this.out += text;
    this.column += text.length;
  }

  /** Closes the document: the last line ends with a newline. */
  finish(): string {
    this.writeIndent(-1);
    return this.out;
  }
}

/**
 * Where a run of plain or single-quoted text that the folding loop writes as it is ends: at a
 * space, a line break or (single-quoted) a quote, which it handles one by one. Surrogates are
 * neither, so a run never splits a pair.
 */
function endOfRun(text: string, from: number, single: boolean): number {
  let end = from;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x20 || isBreak(c) || (c === 0x27 && single)) break;
  }
  return end;
}

/** The index of the next space from `from`, or the length. */
function nextSpace(text: string, from: number): number {
  const space = text.indexOf(' ', from);
  return space < 0 ? text.length : space;
}

/** Not escaped and no place to fold: a printable character but a break, a space, `"` or `\\` (surrogates are not printable). */
function writtenAsIsInDoubleQuotes(c: number): boolean {
  return c !== 0x20 && c !== 0x22 && c !== 0x5c && isPrintable(c) && !isBreak(c);
}

/** `-` when the text ends without a line break, `+` when it ends with two (or is one), else nothing. */
function blockChomping(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  if (!isBreak(last)) return '-';
  if (text.length === 1) return '+';
  return isBreak(text.charCodeAt(text.length - 2)) ? '+' : '';
}

const NAMED_ESCAPES = new Map<number, string>([
  [0x00, '0'],
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

/** What follows the backslash for a character go-yaml escapes: a name, or hex digits in upper case. */
function escapeFor(c: number): string {
  const named = NAMED_ESCAPES.get(c);
  if (named !== undefined) return named;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (c <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}

export interface GoYamlOptions {
  /** Throw TooDeepForYaml past this many levels of nesting. */
  depthLimit: number;
  /**
   * The folding column: GO_YAML_WIDTH, or Infinity as go-yaml v2.3.0 wrote (no folding), the
   * release some kubectl builds of 2020 carry.
   */
  width?: number;
  /**
   * false: every scalar through go-yaml's full analysis, without the shortcuts for common
   * strings and repeated keys (for the test that holds the shortcuts to it).
   */
  shortcuts?: boolean;
}

/** The value as kubectl's `-o yaml` writes it. */
export function writeGoYaml(value: JsonValue, options: GoYamlOptions): string {
  const emitter = new Emitter(options.depthLimit, options.width ?? GO_YAML_WIDTH, options.shortcuts ?? true);
  emitter.node(value, -1, false, 0);
  return emitter.finish();
}

/**
 * The emitter as the YAML walk in WebAssembly needs it (codec/text-walk-wasm.ts): it writes the
 * values the walk leaves to JavaScript from the position the walk reached, with the same choices
 * as writeGoYaml at the default width. The walk lays out its tables from one emitter, so make one
 * and keep it.
 */
export function goYamlEmitter(depthLimit: number): YamlEmitter {
  const emitterAt = (position: YamlPosition): Emitter => {
    const emitter = new Emitter(depthLimit, GO_YAML_WIDTH, true);
    emitter.column = position.column;
    emitter.whitespace = position.whitespace;
    emitter.indention = position.indention;
    return emitter;
  };
  const movedOn = (emitter: Emitter, position: YamlPosition): string => {
    position.column = emitter.column;
    position.whitespace = emitter.whitespace;
    position.indention = emitter.indention;
    return emitter.out;
  };
  const keys = new Emitter(depthLimit, GO_YAML_WIDTH, true);
  return {
    keyText: (key) => keys.simpleKeyText(key),
    compareKeys: compareGoYamlKeys,
    wholeText: (text) => (isPlainAscii(text) ? (readsAsNonString(text) ? `"${text}"` : text) : undefined),
    startsWhole: (c) => isPlainAscii(String.fromCharCode(c)),
    continuesWhole: (c) => isPlainAscii(`a${String.fromCharCode(c)}a`),
    names: YAML_NAMES,
    node: (value, position, indent, inMapping, depth) => {
      const emitter = emitterAt(position);
      emitter.node(value, indent, inMapping, depth);
      return movedOn(emitter, position);
    },
    key: (key, position, keyIndent) => {
      const emitter = emitterAt(position);
      emitter.mappingKey(key, keyIndent);
      return movedOn(emitter, position);
    },
  };
}
