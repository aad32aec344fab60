/**
 * kubectl's JSONPath template dialect, parsed into a tree: text between `{...}` actions; inside an
 * action `.field` (with `\.` escapes), `[n]`, `[start:end:step]`, `[*]`, `['key']`, unions `[a,b]`,
 * `..` recursive descent, `[?(@.x=="y")]` filters (== != < > <= >= =~, or existence), quoted
 * text with Go escapes, numbers, true/false, `@` and `$` (the current object), and
 * `{range ...}`...`{end}` blocks. Everything kubectl would reject, at parse or at run time
 * (an unknown identifier, an `{end}` with no range), is rejected here, before any object is read.
 * Pure.
 */

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

export type FilterOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | '=~';

/** One step of a path, applied to every value the steps before it reached. */
export type PathNode =
  | { type: 'text'; text: string }
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  /** `[n]` is start n, end n+1 "derived": an end of 0 that was derived from -1 means the list's end. */
  | { type: 'slice'; start: number | undefined; end: number | undefined; endDerived: boolean; step: number | undefined }
  | { type: 'filter'; left: PathNode[]; operator: FilterOperator | 'exists'; right: PathNode[] }
  | { type: 'recursive' }
  | { type: 'union'; branches: PathNode[][] }
  | { type: 'literal'; value: number | boolean };

export type TemplatePart = { type: 'text'; text: string } | { type: 'action'; path: PathNode[] } | { type: 'range'; path: PathNode[]; body: TemplatePart[] };

export interface JsonPathTemplate {
  /** The template as written, for error messages. */
  source: string;
  parts: TemplatePart[];
}

/** A node while parsing: range and end become template structure once their action is complete. */
type ParsedNode = PathNode | { type: 'identifier'; name: string };

const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}']);
const isTerminator = (c: string | undefined): boolean => c === undefined || TERMINATORS.has(c);
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Go's %#U: U+0025 '%'. */
function describeCharacter(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

/** Parses the nodes of one action, from `pos` to its closing `}` (or to the end, for sub-expressions). */
class ActionParser {
  pos: number;
  readonly nodes: ParsedNode[] = [];

  constructor(
    private readonly input: string,
    start: number,
    /** Sub-expressions (filter sides, union branches) run to the end of their text. */
    private readonly toEnd: boolean,
  ) {
    this.pos = start;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  parse(): this {
    for (;;) {
      if (this.toEnd && this.pos >= this.input.length) return this;
      if (!this.toEnd && this.input[this.pos] === '}') {
        this.pos++;
        return this;
      }
      if (this.rest().startsWith('[?(')) this.parseFilter();
      else if (this.rest().startsWith('..')) this.parseRecursive();
      else this.parseStep();
    }
  }

  private parseStep(): void {
    const c = this.input[this.pos];
    if (c === undefined || c === '\r' || c === '\n') throw new JsonPathError('unclosed action');
    this.pos++;
    if (c === ' ' || c === '@' || c === '$') return;
    if (c === '[') this.parseArray();
    else if (c === '"' || c === "'") this.parseQuote(c);
    else if (c === '.') this.parseField();
    else if (c === '+' || c === '-' || isDigit(c)) {
      this.pos--;
      this.parseNumber();
    } else if (isAlphaNumeric(c)) {
      this.pos--;
      this.parseIdentifier();
    } else throw new JsonPathError(`unrecognized character in action: ${describeCharacter(c)}`);
  }

  private parseIdentifier(): void {
    const start = this.pos;
    while (!isTerminator(this.input[this.pos])) this.pos++;
    const name = this.input.slice(start, this.pos);
    if (name === 'true' || name === 'false') this.nodes.push({ type: 'literal', value: name === 'true' });
    else this.nodes.push({ type: 'identifier', name });
  }

  private parseRecursive(): void {
    if (this.nodes.at(-1)?.type === 'recursive') throw new JsonPathError('invalid multiple recursive descent');
    this.pos += 2;
    this.nodes.push({ type: 'recursive' });
    if (isAlphaNumeric(this.input[this.pos])) this.parseField();
  }

  private parseNumber(): void {
    const start = this.pos;
    if (this.input[this.pos] === '+' || this.input[this.pos] === '-') this.pos++;
    while (this.input[this.pos] === '.' || isDigit(this.input[this.pos])) this.pos++;
    const text = this.input.slice(start, this.pos);
    if (/^[+-]?\d+$/.test(text)) this.nodes.push({ type: 'literal', value: Number.parseInt(text, 10) });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) this.nodes.push({ type: 'literal', value: Number.parseFloat(text) });
    else throw new JsonPathError(`cannot parse number ${text}`);
  }

  /** A field name runs to the next terminator that is not escaped with a backslash. */
  private parseField(): void {
    let name = '';
    for (;;) {
      const c = this.input[this.pos];
      if (c === '\\') {
        const escaped = this.input[this.pos + 1];
        if (escaped !== undefined) name += escaped;
        this.pos += 2;
      } else if (isTerminator(c)) break;
      else {
        name += c;
        this.pos++;
      }
    }
    this.nodes.push(name === '*' ? { type: 'wildcard' } : { type: 'field', name });
  }

  private parseQuote(quote: string): void {
    const start = this.pos - 1;
    for (;;) {
      const c = this.input[this.pos++];
      if (c === undefined || c === '\n') throw new JsonPathError('unterminated quoted string');
      if (c === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const quoted = this.input.slice(start, this.pos);
    this.nodes.push({ type: 'text', text: unquote(quoted) });
  }

  /** `[...]` up to the first `]`: a union, a quoted key, or a slice. */
  private parseArray(): void {
    const close = this.input.indexOf(']', this.pos);
    const newline = this.input.indexOf('\n', this.pos);
    if (close < 0 || (newline >= 0 && newline < close)) throw new JsonPathError('unterminated array');
    let text = this.input.slice(this.pos, close);
    this.pos = close + 1;
    if (text === '*') text = ':';
    const members = text.split(',');
    if (members.length > 1) {
      this.nodes.push({ type: 'union', branches: members.map((m) => parsePath(`[${m.trim()}]`)) });
      return;
    }
    const key = /^'([^']*)'$/.exec(text);
    if (key !== null) {
      // kubectl reads ['a.b'] as .a.b: the key is parsed as a path (write ['a\.b'] for a dotted key).
      this.nodes.push(...parsePath(`.${key[1] ?? ''}`));
      return;
    }
    const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (slice === null) throw new JsonPathError(`invalid array index ${text}`);
    const number = (part: string): number => {
      if (!/^-?\d+$/.test(part)) throw new JsonPathError(`array index ${part} is not a number`);
      return Number.parseInt(part, 10);
    };
    const [, first = '', second, third] = slice;
    const start = first === '' ? undefined : number(first);
    const step = third === undefined || third === ':' ? undefined : number(third.slice(1));
    if (second === undefined) this.nodes.push({ type: 'slice', start, end: (start ?? 0) + 1, endDerived: true, step });
    else this.nodes.push({ type: 'slice', start, end: second === ':' ? undefined : number(second.slice(1)), endDerived: false, step });
  }

  /** `[?(left op right)]`, or `[?(path)]` for "has this". Quotes may hold `)`. */
  private parseFilter(): void {
    this.pos += 3;
    const start = this.pos;
    let quote: string | undefined;
    let closed = false;
    for (;;) {
      const c = this.input[this.pos++];
      if (c === undefined || c === '\n') throw new JsonPathError('unterminated filter');
      if (c === '"' || c === "'") {
        if (quote === undefined) quote = c;
        else if (c === quote && this.input[this.pos - 2] !== '\\') closed = true;
      } else if (c === ')' && (quote === undefined) === !closed) break;
    }
    if (this.input[this.pos++] !== ']') throw new JsonPathError('unclosed array expect ]');
    const text = this.input.slice(start, this.pos - 2);
    const comparison = /^([^!<>=]+)([!<>=~]+)(.+?)$/.exec(text);
    if (comparison === null) {
      this.nodes.push({ type: 'filter', left: parsePath(text), operator: 'exists', right: [] });
      return;
    }
    const [, left = '', operator = '', right = ''] = comparison;
    if (!['==', '!=', '<', '>', '<=', '>=', '=~'].includes(operator)) throw new JsonPathError(`unrecognized filter operator ${operator}`);
    this.nodes.push({ type: 'filter', left: parsePath(left), operator: operator as FilterOperator, right: parsePath(right) });
  }
}

/** A quoted string with Go's escapes (\n, \t, \", \\, \u00e9...); single quotes work as double ones. */
function unquote(quoted: string): string {
  const quote = quoted[0] as string;
  const body = quoted.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      if (c === quote) throw new JsonPathError(`unquote string ${quoted} error invalid syntax`);
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = body.slice(i + 1, i + 1 + hexLength);
    if (hexLength > 0 && hex.length === hexLength && /^[0-9a-fA-F]+$/.test(hex)) {
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += hexLength;
      continue;
    }
    throw new JsonPathError(`unquote string ${quoted} error invalid syntax`);
  }
  return out;
}

/** The nodes of a sub-expression (a filter side, a union branch), with no range or end in it. */
function parsePath(text: string): PathNode[] {
  return pathOnly(new ActionParser(text, 0, true).parse().nodes);
}

function pathOnly(nodes: ParsedNode[]): PathNode[] {
  for (const node of nodes) if (node.type === 'identifier') throw new JsonPathError(`unrecognized identifier ${node.name}`);
  return nodes as PathNode[];
}

/** Parses a whole template: `{.items[*].metadata.name}`, `{range .items[*]}{.metadata.name}{"\n"}{end}`. */
export function parseJsonPathTemplate(source: string): JsonPathTemplate {
  const root: TemplatePart[] = [];
  const open: TemplatePart[][] = [root];
  let pos = 0;
  while (pos < source.length) {
    const brace = source.indexOf('{', pos);
    const current = open[open.length - 1] as TemplatePart[];
    if (brace < 0) {
      current.push({ type: 'text', text: source.slice(pos) });
      break;
    }
    if (brace > pos) current.push({ type: 'text', text: source.slice(pos, brace) });
    const action = new ActionParser(source, brace + 1, false).parse();
    pos = action.pos;
    const [first, ...rest] = action.nodes;
    if (first?.type === 'identifier' && first.name === 'range') {
      const body: TemplatePart[] = [];
      current.push({ type: 'range', path: pathOnly(rest), body });
      open.push(body);
    } else if (first?.type === 'identifier' && first.name === 'end') {
      if (rest.length > 0) throw new JsonPathError(`unexpected ${source.slice(brace, pos)}: {end} stands alone`);
      if (open.length === 1) throw new JsonPathError('not in range, nothing to end');
      open.pop();
    } else current.push({ type: 'action', path: pathOnly(action.nodes) });
  }
  // As kubectl, a range with no {end} runs to the end of the template.
  return { source, parts: root };
}

/**
 * kubectl's relaxed form for --sort-by and custom columns: `.a.b`, `a.b`, `{.a.b}` and `{a.b}`
 * all mean `{.a.b}`.
 */
export function relaxedJsonPath(expression: string): string {
  if (expression === '') return expression;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expression);
  if (m === null) throw new JsonPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] ?? m[2] ?? ''}}`;
}
