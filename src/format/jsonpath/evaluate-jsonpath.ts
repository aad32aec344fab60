/**
 * Runs a parsed JSONPath template over a JSON value as kubectl does: each action yields a list of
 * values, printed joined by spaces (maps and lists as compact JSON, scalars as Go prints them);
 * `{range}` repeats its body for each value. Differences from kubectl, on purpose: map keys are
 * walked in sorted order (Go's order is random, so `{..name}` and `[*]` on a map could change
 * from run to run) and numbers compare as numbers whatever their Go type (kubectl reports
 * "incompatible types" for an int64 against a float literal). Pure.
 */
import { GoFloat, type JsonObject, type JsonValue } from '../../codec/json-value.js';
import { goJson, goPrint } from './go-text.js';
import { type FilterOperator, JsonPathError, type JsonPathTemplate, type PathNode, type TemplatePart } from './parse-jsonpath.js';

export interface JsonPathOptions {
  /** kubectl's --allow-missing-template-keys (default true): a missing field gives nothing instead of an error. */
  allowMissingKeys?: boolean;
}

const isObject = (v: JsonValue): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat);
const isNumber = (v: JsonValue): v is number | bigint | GoFloat => typeof v === 'number' || typeof v === 'bigint' || v instanceof GoFloat;

/** The Go type kubectl's messages name. */
function goTypeName(v: JsonValue): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v)) ? 'float64' : 'int64';
}

/** Children in a stable order (see the module comment). */
function children(v: JsonValue): JsonValue[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) {
    return Object.keys(v)
      .sort()
      .map((k) => v[k] as JsonValue);
  }
  return [];
}

class Evaluator {
  constructor(private readonly allowMissingKeys: boolean) {}

  walk(path: readonly PathNode[], input: JsonValue[]): JsonValue[] {
    let current = input;
    for (const node of path) current = this.step(node, current);
    return current;
  }

  private step(node: PathNode, input: JsonValue[]): JsonValue[] {
    switch (node.type) {
      case 'text':
        return [node.text];
      case 'literal':
        return input.map(() => node.value);
      case 'field':
        return this.field(node.name, input);
      case 'wildcard':
        return input.flatMap(children);
      case 'slice':
        return input.flatMap((v) => slice(node, v));
      case 'union':
        return node.branches.flatMap((branch) => this.walk(branch, input));
      case 'recursive':
        return input.flatMap(descendants);
      case 'filter':
        return input.flatMap((v) => this.filter(node, v));
    }
  }

  private field(name: string, input: JsonValue[]): JsonValue[] {
    if (input.length === 0) return [];
    const found = input.filter(isObject).flatMap((v) => (Object.hasOwn(v, name) ? [v[name] as JsonValue] : []));
    if (found.length === 0 && !this.allowMissingKeys) throw new JsonPathError(`${name} is not found`);
    return found;
  }

  private filter(node: Extract<PathNode, { type: 'filter' }>, value: JsonValue): JsonValue[] {
    if (!Array.isArray(value)) throw new JsonPathError(`${goPrint(value)} is not array or slice and cannot be filtered`);
    return value.filter((item) => {
      if (node.operator === 'exists') {
        try {
          return this.walk(node.left, [item]).length > 0;
        } catch {
          return false;
        }
      }
      const left = this.one(node.left, item);
      if (left === undefined) return false;
      const right = this.one(node.right, item);
      if (right === undefined) return false;
      return compare(left, right, node.operator);
    });
  }

  /** The one value a filter side reaches, undefined for none; more than one is an error, as in kubectl. */
  private one(path: readonly PathNode[], item: JsonValue): JsonValue | undefined {
    const values = this.walk(path, [item]);
    if (values.length > 1) throw new JsonPathError('can only compare one element at a time');
    return values[0];
  }
}

/** kubectl's slice rules: negative indexes count from the end, and out-of-range ones are errors. */
function slice(node: Extract<PathNode, { type: 'slice' }>, value: JsonValue): JsonValue[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new JsonPathError(`${goTypeName(value)} is not array or slice`);
  const length = value.length;
  let start = node.start ?? 0;
  if (start < 0) start += length;
  let end = node.end ?? length;
  if (end < 0 || (end === 0 && node.endDerived)) end += length;
  if (end === start) return [];
  if (start >= length || start < 0) throw new JsonPathError(`array index out of bounds: index ${start}, length ${length}`);
  if (end > length || end < 0) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${length}`);
  if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
  const step = node.step ?? 1;
  if (step <= 0) throw new JsonPathError('step must be > 0');
  const out: JsonValue[] = [];
  for (let i = start; i < end; i += step) out.push(value[i] as JsonValue);
  return out;
}

/** `..`: the value and everything under it that has children (kubectl counts a non-empty string's bytes). */
function descendants(value: JsonValue): JsonValue[] {
  const out: JsonValue[] = [];
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as JsonValue;
    const below = children(v);
    if (below.length > 0 || (typeof v === 'string' && v !== '')) out.push(v);
    for (let i = below.length - 1; i >= 0; i--) stack.push(below[i] as JsonValue);
  }
  return out;
}

function numberOf(v: number | bigint | GoFloat): number | bigint {
  return v instanceof GoFloat ? v.value : v;
}

/** Go template's eq/ne/lt/...: numbers with numbers, strings with strings, bools only for (in)equality. */
function compare(left: JsonValue, right: JsonValue, operator: FilterOperator): boolean {
  if (operator === '=~') {
    if (typeof left !== 'string' || typeof right !== 'string') throw new JsonPathError(`regexp search only support string now but getting pattern: ${goPrint(right)}, data: ${goPrint(left)}`);
    try {
      return new RegExp(right, 'u').test(left);
    } catch (err) {
      throw new JsonPathError(`error parsing regexp: ${(err as Error).message}`);
    }
  }
  let order: number;
  if (isNumber(left) && isNumber(right)) {
    const a = numberOf(left);
    const b = numberOf(right);
    order = a < b ? -1 : a > b ? 1 : 0;
  } else if (typeof left === 'string' && typeof right === 'string') order = left < right ? -1 : left > right ? 1 : 0;
  else if (typeof left === 'boolean' && typeof right === 'boolean') {
    if (operator !== '==' && operator !== '!=') throw new JsonPathError('invalid type for comparison');
    order = left === right ? 0 : 1;
  } else if (left === null || right === null || typeof left === 'object' || typeof right === 'object') throw new JsonPathError('invalid type for comparison');
  else throw new JsonPathError('incompatible types for comparison');
  switch (operator) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

/**
 * What each part of the template reaches: one list per action, a range's body once per value
 * (kubectl's FindResults). Throws JsonPathError when kubectl would fail to execute.
 */
export function findJsonPathResults(template: JsonPathTemplate, data: JsonValue, options: JsonPathOptions = {}): JsonValue[][] {
  const evaluator = new Evaluator(options.allowMissingKeys ?? true);
  const results: JsonValue[][] = [];
  const run = (parts: readonly TemplatePart[], value: JsonValue): void => {
    for (const part of parts) {
      if (part.type === 'text') results.push([part.text]);
      else if (part.type === 'action') results.push(evaluator.walk(part.path, [value]));
      else for (const item of evaluator.walk(part.path, [value])) run(part.body, item);
    }
  };
  run(template.parts, data);
  return results;
}

/** The text kubectl's -o jsonpath prints: each list's values joined by spaces, maps and lists as JSON. */
export function executeJsonPath(template: JsonPathTemplate, data: JsonValue, options: JsonPathOptions = {}): string {
  return findJsonPathResults(template, data, options)
    .map((values) => values.map((v) => (v !== null && typeof v === 'object' && !(v instanceof GoFloat) ? goJson(v) : goPrint(v))).join(' '))
    .join('');
}
