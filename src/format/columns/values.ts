/**
 * Reading decoded objects for table cells: every accessor tolerates a missing or mistyped field
 * (a value read from etcd may be anything), and the small formatters kubectl's printers share.
 * Pure: no I/O.
 */
import { GoFloat, type JsonObject, type JsonValue } from '../../codec/json-value.js';

export type Path = readonly (string | number)[];

/** The value at `path`, or undefined when any step is missing or of the wrong shape. */
export function at(value: JsonValue | undefined, ...path: Path): JsonValue | undefined {
  let v = value;
  for (const step of path) {
    if (v === undefined || v === null) return undefined;
    if (typeof step === 'number') v = Array.isArray(v) ? v[step] : undefined;
    else v = typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat) ? (v as JsonObject)[step] : undefined;
  }
  return v ?? undefined;
}

export function str(value: JsonValue | undefined, ...path: Path): string {
  const v = at(value, ...path);
  return typeof v === 'string' ? v : '';
}

export function num(value: JsonValue | undefined, ...path: Path): number {
  const v = at(value, ...path);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof GoFloat) return v.value;
  return 0;
}

/** An integer as Go prints it, bigints exactly. */
export function intText(value: JsonValue | undefined, ...path: Path): string {
  const v = at(value, ...path);
  if (typeof v === 'bigint') return v.toString();
  return String(Math.trunc(num(v)));
}

export function arr(value: JsonValue | undefined, ...path: Path): JsonValue[] {
  const v = at(value, ...path);
  return Array.isArray(v) ? v : [];
}

export function obj(value: JsonValue | undefined, ...path: Path): JsonObject {
  const v = at(value, ...path);
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat) ? (v as JsonObject) : {};
}

export function bool(value: JsonValue | undefined, ...path: Path): boolean | undefined {
  const v = at(value, ...path);
  return typeof v === 'boolean' ? v : undefined;
}

/** A map of strings (labels, selectors, data): its keys, sorted as Go sorts them. */
export function stringMap(value: JsonValue | undefined, ...path: Path): [string, string][] {
  return Object.entries(obj(value, ...path))
    .map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : String(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** labels.FormatLabels: k=v,k2=v2 sorted by key, "<none>" when empty. */
export function formatLabels(value: JsonValue | undefined, ...path: Path): string {
  const entries = stringMap(value, ...path);
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** metav1.LabelSelector as kubectl prints it: requirements sorted by key, e.g. app=web,tier in (a,b). */
export function labelSelectorText(selector: JsonValue | undefined): string {
  const requirements: [string, string][] = stringMap(selector, 'matchLabels').map(([k, v]) => [k, `${k}=${v}`]);
  for (const expression of arr(selector, 'matchExpressions')) {
    const key = str(expression, 'key');
    const values = arr(expression, 'values')
      .map((v) => String(v))
      .sort();
    switch (str(expression, 'operator')) {
      case 'In':
        requirements.push([key, `${key} in (${values.join(',')})`]);
        break;
      case 'NotIn':
        requirements.push([key, `${key} notin (${values.join(',')})`]);
        break;
      case 'Exists':
        requirements.push([key, key]);
        break;
      case 'DoesNotExist':
        requirements.push([key, `!${key}`]);
        break;
    }
  }
  return requirements
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, text]) => text)
    .join(',');
}

/** metav1.FormatLabelSelector: as labelSelectorText, "<none>" when it is empty. */
export function formatLabelSelector(selector: JsonValue | undefined): string {
  return labelSelectorText(selector) || '<none>';
}

/** Container names and images of a pod spec, comma-separated, as kubectl's wide columns show them. */
export function containerCells(podSpec: JsonValue | undefined): [string, string] {
  const containers = arr(podSpec, 'containers');
  return [containers.map((c) => str(c, 'name')).join(','), containers.map((c) => str(c, 'image')).join(',')];
}

/** Go's printBool: True/False. */
export function printBool(value: boolean | undefined): string {
  return value === true ? 'True' : 'False';
}

/** Go's printBoolPtr: True/False, <unset> when absent. */
export function printBoolPtr(value: boolean | undefined): string {
  return value === undefined ? '<unset>' : printBool(value);
}

export function orNone(text: string): string {
  return text === '' ? '<none>' : text;
}

export function condition(object: JsonValue | undefined, type: string, path: Path = ['status', 'conditions']): JsonObject | undefined {
  const found = arr(object, ...path).find((c) => str(c, 'type') === type);
  return found === undefined ? undefined : obj(found);
}

export function conditionTrue(object: JsonValue | undefined, type: string, path?: Path): boolean {
  return str(condition(object, type, path), 'status') === 'True';
}

/** net.JoinHostPort: IPv6 addresses in brackets. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
