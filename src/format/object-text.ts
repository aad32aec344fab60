/**
 * Output formats shared by every command: YAML and JSON as kubectl prints them (YAML by
 * go-yaml-writer.ts, byte for byte; JSON with keys sorted and indented by 4), and one JSON object
 * per line.
 */
import { GoFloat, type JsonObject, type JsonValue } from '../codec/json-value.js';
import { goYamlEmitter, TooDeepForYaml, writeGoYaml } from './go-yaml-writer.js';

/**
 * Nesting the fast paths take on: they recurse (sortedCopy, JSON.stringify, the YAML writer), and Node's
 * stack ends near 3,000 levels, while the codec accepts values nested up to 10,000 (Go's limit).
 * Deeper values take the iterative JSON writer, in time linear in the output.
 */
const RECURSION_LIMIT = 1000;
/** Block YAML's indentation grows with depth (the output is quadratic in it); beyond this a value is shown as JSON, which is YAML too. */
const YAML_DEPTH_LIMIT = 400;

/** Thrown inside sortedCopy when the fast path cannot write the value. */
const NEEDS_WRITER = Symbol('needs the iterative writer');

/** A copy with keys sorted at every level (as kubectl prints) and GoFloat shown as its number. */
export function forDisplay(value: JsonValue): JsonValue {
  return sortedCopy(value, 0, RECURSION_LIMIT, false);
}

/**
 * The value with keys sorted at every level. Parts that are already in order are returned as they
 * are, not copied: decoded objects mostly are (the decoder writes fields in name order and the
 * wire sorts maps). Throws NEEDS_WRITER past `limit` levels, or at a bigint when `noBigints`
 * (JSON.stringify cannot write one).
 */
function sortedCopy(value: JsonValue, depth: number, limit: number, noBigints: boolean): JsonValue {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'bigint' && noBigints) throw NEEDS_WRITER;
    return value;
  }
  if (value instanceof GoFloat) return value.value;
  if (depth >= limit) throw NEEDS_WRITER;
  // Below, plain values are checked in place rather than through a call: most of a tree is leaves.
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as JsonValue;
      if (typeof item !== 'object' || item === null) {
        if (typeof item === 'bigint' && noBigints) throw NEEDS_WRITER;
        continue;
      }
      const shown = sortedCopy(item, depth + 1, limit, noBigints);
      if (shown !== item) {
        out ??= value.slice();
        out[i] = shown;
      }
    }
    return out ?? value;
  }
  // One pass that allocates nothing while all is in order (for...in visits own keys in the order
  // Object.keys gives; plain JSON objects inherit no enumerable ones).
  let previous: string | undefined;
  let inOrder = true;
  let changed: Map<string, JsonValue> | undefined;
  for (const key in value) {
    if (previous !== undefined && previous > key) inOrder = false;
    previous = key;
    const member = value[key] as JsonValue;
    if (typeof member !== 'object' || member === null) {
      if (typeof member === 'bigint' && noBigints) throw NEEDS_WRITER;
      continue;
    }
    const shown = sortedCopy(member, depth + 1, limit, noBigints);
    if (shown !== member) (changed ??= new Map()).set(key, shown);
  }
  if (inOrder && changed === undefined) return value;
  const keys = Object.keys(value);
  if (!inOrder) keys.sort();
  const out: JsonObject = {};
  for (const key of keys) {
    const member = changed?.has(key) === true ? (changed.get(key) as JsonValue) : (value[key] as JsonValue);
    if (key === '__proto__') Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
    else out[key] = member;
  }
  return out;
}

/** formatYaml's emitter for the YAML walk in WebAssembly (writeStoredObjectYaml), which writes what formatYaml would. */
export const YAML_EMITTER = goYamlEmitter(YAML_DEPTH_LIMIT);

export function formatYaml(value: JsonValue): string {
  try {
    return writeGoYaml(value, { depthLimit: YAML_DEPTH_LIMIT });
  } catch (err) {
    if (!(err instanceof TooDeepForYaml)) throw err;
    return `# kreg: nested deeper than ${YAML_DEPTH_LIMIT} levels: shown as JSON, which reads as the same YAML\n${writeJson(value, 4)}\n`;
  }
}

/**
 * One entry of a List's `items:` as kubectl writes it: `- ` and the object, folded at the columns
 * it sits at (two further right than on its own, so not simply the object's YAML indented).
 */
export function formatYamlListItem(value: JsonValue): string {
  // go-yaml writes an item alike whatever its neighbours: write a one-item List and keep the item.
  const text = formatYaml({ items: [value] });
  if (text.startsWith('items:\n')) return text.slice('items:\n'.length);
  // Too deep for block YAML: the JSON fallback, as an item.
  const lines = formatYaml(value).replace(/\n$/, '').split('\n');
  return `${lines.map((line, i) => (i === 0 ? '- ' : '  ') + line).join('\n')}\n`;
}

/** JSON with sorted keys (as kubectl prints), and int64 values beyond 2^53 written as plain integers. */
export function formatJson(value: JsonValue, indent = 4): string {
  let sorted: JsonValue;
  try {
    sorted = sortedCopy(value, 0, RECURSION_LIMIT, true);
  } catch (err) {
    if (err !== NEEDS_WRITER) throw err;
    return writeJson(value, indent);
  }
  return JSON.stringify(sorted, undefined, indent);
}

/** A container being written: its values in output order and how far the writer has got. */
interface Frame {
  close: string;
  entries: [string | undefined, JsonValue][];
  next: number;
}

/**
 * JSON as formatJson writes it (the same text as JSON.stringify of the sorted value), written with an explicit
 * stack instead of recursion, so any depth works; bigints are written as their digits.
 */
export function writeJson(value: JsonValue, indent: number): string {
  const parts: string[] = [];
  const unit = ' '.repeat(indent);
  const stack: Frame[] = [];
  const newline = (depth: number): string => (indent === 0 ? '' : `\n${unit.repeat(depth)}`);
  const colon = indent === 0 ? ':' : ': ';
  const open = (v: JsonValue): void => {
    if (typeof v === 'bigint') parts.push(String(v));
    else if (v instanceof GoFloat) parts.push(JSON.stringify(v.value));
    else if (typeof v !== 'object' || v === null) parts.push(JSON.stringify(v) ?? 'null');
    else if (Array.isArray(v)) {
      if (v.length === 0) parts.push('[]');
      else {
        parts.push('[');
        stack.push({ close: ']', entries: v.map((item) => [undefined, item]), next: 0 });
      }
    } else {
      const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (keys.length === 0) parts.push('{}');
      else {
        parts.push('{');
        stack.push({ close: '}', entries: keys.map((k) => [k, v[k] as JsonValue]), next: 0 });
      }
    }
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next === frame.entries.length) {
      stack.pop();
      parts.push(newline(stack.length), frame.close);
      continue;
    }
    const [key, item] = frame.entries[frame.next++] as [string | undefined, JsonValue];
    parts.push(frame.next > 1 ? ',' : '', newline(stack.length));
    if (key !== undefined) parts.push(JSON.stringify(key), colon);
    open(item);
  }
  return parts.join('');
}

export type ObjectFormat = 'yaml' | 'json' | 'ndjson';

/** One object, as a whole document in the chosen format, ending with a newline. */
export function formatObject(value: JsonValue, format: ObjectFormat): string {
  switch (format) {
    case 'yaml':
      return formatYaml(value);
    case 'json':
      return `${formatJson(value)}\n`;
    case 'ndjson':
      return `${formatJson(value, 0)}\n`;
  }
}
