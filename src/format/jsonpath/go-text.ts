/**
 * Values as Go prints them, for output that must read like kubectl's: fmt.Print of a JSON scalar
 * (jsonpath), fmt's %v of any value (custom columns: `map[cpu:4]`, `[a b]`, `<nil>`), and Go's
 * compact json.Marshal (jsonpath prints maps and lists so). Pure.
 */
import { stringifyGoJson } from '../../codec/go-json.js';
import { GoFloat, type JsonValue } from '../../codec/json-value.js';
import { formatFiniteFloatG } from '../go-float.js';

/** Go's %v of a float64: the shortest digits, in exponent form below 1e-4 or from 1e6 (fmt's %g rule). */
export function goFloatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return formatFiniteFloatG(value);
}

/** A number as Go holds it in unstructured JSON: integers as int64, the rest (and GoFloat) as float64. */
function numberText(value: number | bigint | GoFloat): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof GoFloat) return goFloatText(value.value);
  return Number.isInteger(value) ? String(value) : goFloatText(value);
}

/** Go's json.Marshal: compact, keys sorted, HTML characters escaped. */
export function goJson(value: JsonValue): string {
  return stringifyGoJson(value, { trailingNewline: false });
}

/** fmt.Print of one value: strings as they are, JSON null as <nil>. */
export function goPrint(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '<nil>';
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof GoFloat) return numberText(value);
  if (typeof value === 'boolean') return String(value);
  return goJson(value);
}

/** fmt's %v: maps as map[k:v] with sorted keys, lists as [a b]. */
export function goValueText(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(goValueText).join(' ')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof GoFloat)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${goValueText(value[k] as JsonValue)}`).join(' ')}]`;
  }
  return goPrint(value);
}
