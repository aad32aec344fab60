/**
 * Custom resources' columns: the stored CRD's additionalPrinterColumns for the object's version,
 * as kube-apiserver makes them (NAME first; date as an age; integer, number, boolean, string),
 * else NAME AGE. Pure.
 */
import { GoFloat, type JsonObject, type JsonValue } from '../../codec/json-value.js';
import { ageSince } from './age.js';
import type { Column, KindPrinter } from './builtin.js';
import { findJsonPathResults } from '../jsonpath/evaluate-jsonpath.js';
import { goJson, goPrint } from '../jsonpath/go-text.js';
import { type JsonPathTemplate, parseJsonPathTemplate } from '../jsonpath/parse-jsonpath.js';
import { arr, at, num, str } from './values.js';

function numberOf(v: JsonValue): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof GoFloat) return v.value;
  return undefined;
}

/** One cell of a printer column, from the first value its JSONPath reaches. */
export function formatCell(type: string, values: readonly JsonValue[], now: number): string {
  const v = values[0];
  if (v === undefined || v === null) return '<none>';
  switch (type) {
    case 'date':
      return typeof v === 'string' ? (Number.isNaN(Date.parse(v)) ? '<invalid>' : ageSince(v, now)) : '<none>';
    case 'integer': {
      const n = numberOf(v);
      return n === undefined ? '<none>' : typeof n === 'bigint' ? n.toString() : String(Math.trunc(n));
    }
    case 'number': {
      const n = numberOf(v);
      return n === undefined ? '<none>' : String(n);
    }
    case 'boolean':
      return typeof v === 'boolean' ? String(v) : '<none>';
    default:
      return typeof v === 'object' && !(v instanceof GoFloat) ? goJson(v) : goPrint(v);
  }
}

/** The values the column's first action reaches; none when it fails, as kube-apiserver leaves the cell empty. */
function firstResults(template: JsonPathTemplate, object: JsonObject): JsonValue[] {
  try {
    return findJsonPathResults(template, object)[0] ?? [];
  } catch {
    return [];
  }
}

/** The printer a CRD defines for one version, or undefined when it defines no columns for it. */
export function customResourcePrinter(crd: JsonObject, version: string): KindPrinter | undefined {
  const versionEntry = arr(crd, 'spec', 'versions').find((v) => str(v, 'name') === version);
  const defined = at(versionEntry, 'additionalPrinterColumns') ?? at(crd, 'spec', 'additionalPrinterColumns');
  if (!Array.isArray(defined) || defined.length === 0) return undefined;
  const columns = defined.map((c) => {
    const jsonPath = str(c, 'jsonPath') || str(c, 'JSONPath');
    let template: JsonPathTemplate | undefined;
    try {
      // kube-apiserver wraps the column's path in braces and lets missing fields print as <none>.
      template = parseJsonPathTemplate(`{${jsonPath}}`);
    } catch {
      template = undefined;
    }
    const column: Column = num(c, 'priority') > 0 ? { header: str(c, 'name').toUpperCase(), wide: true } : { header: str(c, 'name').toUpperCase() };
    return { column, type: str(c, 'type'), template };
  });
  return {
    columns: [{ header: 'NAME', name: true }, ...columns.map((c) => c.column)],
    row: (o, now) => [str(o, 'metadata', 'name'), ...columns.map((c) => (c.template === undefined ? '<error>' : formatCell(c.type, firstResults(c.template, o), now)))],
  };
}

/** The group and version of an object's apiVersion ("" for the core group). */
export function groupVersion(object: JsonObject): { group: string; version: string } {
  const apiVersion = str(object, 'apiVersion');
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
