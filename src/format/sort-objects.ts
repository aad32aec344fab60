/**
 * kubectl's --sort-by: objects ordered by the first value a relaxed JSONPath reaches in each.
 * As kubectl: objects without the field come first; strings that are both quantities compare as
 * quantities ("500m" < "2"), others in natural order ("pod-2" < "pod-10"); numbers as numbers;
 * false before true. Timestamps compare as times (kubectl compares their text, which agrees
 * except when fractional seconds differ in length). The sort is stable. Pure.
 */
import { compareQuantityValues, type QuantityValue, quantityValue } from '../codec/quantity.js';
import { GoFloat, type JsonValue } from '../codec/json-value.js';
import { findJsonPathResults } from './jsonpath/evaluate-jsonpath.js';
import { JsonPathError, type JsonPathTemplate } from './jsonpath/parse-jsonpath.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** A timestamp as [milliseconds of its whole seconds, nanoseconds], or undefined. */
function timeOf(text: string): [number, number] | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const seconds = Date.parse(`${m[1] ?? ''}${m[3] ?? ''}`);
  return Number.isNaN(seconds) ? undefined : [seconds, Number((m[2] ?? '').padEnd(9, '0'))];
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Natural order, as kubectl's sortorder.NaturalLess: runs of digits compare as numbers, digits before other characters. */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as string;
    const y = b[j] as string;
    if (isDigit(x) !== isDigit(y)) return isDigit(x) ? -1 : 1;
    if (!isDigit(x)) {
      if (x !== y) return x < y ? -1 : 1;
      i++;
      j++;
      continue;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    const zerosA = i;
    const zerosB = j;
    while (i < a.length && isDigit(a[i] as string)) i++;
    while (j < b.length && isDigit(b[j] as string)) j++;
    const numberA = a.slice(zerosA, i);
    const numberB = b.slice(zerosB, j);
    if (numberA.length !== numberB.length) return numberA.length - numberB.length;
    if (numberA !== numberB) return numberA < numberB ? -1 : 1;
    if (zerosA !== zerosB) return zerosA - zerosB;
  }
  return a.length - i - (b.length - j);
}

function kindOf(v: JsonValue): string {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof GoFloat) return 'number';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

/** A sort key with what its text means worked out once, not at every comparison. */
interface SortKey {
  value: JsonValue;
  time?: [number, number] | undefined;
  quantity?: QuantityValue | undefined;
}

function sortKey(value: JsonValue): SortKey {
  return typeof value === 'string' ? { value, time: timeOf(value), quantity: quantityValue(value) } : { value };
}

/** How two sort keys compare; an error for kinds kubectl cannot sort (maps, lists, mixed kinds). */
export function compareSortValues(a: JsonValue, b: JsonValue): number {
  return compareKeys(sortKey(a), sortKey(b));
}

function compareKeys(x: SortKey, y: SortKey): number {
  const a = x.value;
  const b = y.value;
  const kind = kindOf(a);
  if (kind !== kindOf(b) && a !== null && b !== null) throw new JsonPathError(`cannot compare a ${kind} with a ${kindOf(b)}`);
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (kind) {
    case 'number': {
      const m = a instanceof GoFloat ? a.value : (a as number | bigint);
      const n = b instanceof GoFloat ? b.value : (b as number | bigint);
      return m < n ? -1 : m > n ? 1 : 0;
    }
    case 'boolean':
      return a === b ? 0 : a === false ? -1 : 1;
    case 'string': {
      if (x.time !== undefined && y.time !== undefined) return x.time[0] - y.time[0] || x.time[1] - y.time[1];
      if (x.quantity !== undefined && y.quantity !== undefined) return compareQuantityValues(x.quantity, y.quantity);
      return naturalCompare(a as string, b as string);
    }
    default:
      throw new JsonPathError(`a ${kind} is an unsortable type`);
  }
}

/**
 * The items in --sort-by order. Throws JsonPathError when no item has the field (kubectl's
 * "couldn't find any field") or the values cannot be compared.
 */
export function sortByJsonPath<T>(items: readonly T[], objectOf: (item: T) => JsonValue, template: JsonPathTemplate): T[] {
  const keyed = items.map((item) => {
    const value = findJsonPathResults(template, objectOf(item))[0]?.[0];
    return { item, key: value === undefined ? undefined : sortKey(value) };
  });
  if (keyed.length > 0 && keyed.every((k) => k.key === undefined)) throw new JsonPathError(`couldn't find any field with path "${template.source}" in the list of objects`);
  return keyed
    .sort((x, y) => {
      if (x.key === undefined || y.key === undefined) return x.key === y.key ? 0 : x.key === undefined ? -1 : 1;
      return compareKeys(x.key, y.key);
    })
    .map((k) => k.item);
}
