/**
 * Output formats shared by every command: YAML and JSON laid out like kubectl's (keys sorted,
 * YAML lists not indented under their key, JSON indented by 4), and one JSON object per line.
 */
import yaml from 'js-yaml';
import { GoFloat, type JsonObject, type JsonValue } from '../codec/json-value.js';

/** int64 values beyond 2^53 are bigints; YAML writes them as plain integers. */
const BIGINT_YAML_TYPE = new yaml.Type('tag:kreg.local,2024:bigint', {
  kind: 'scalar',
  resolve: () => false,
  predicate: (value: unknown) => typeof value === 'bigint',
  represent: (value: object) => String(value),
});
const YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [BIGINT_YAML_TYPE] });

/** A copy with keys sorted at every level (as kubectl prints) and GoFloat shown as its number. */
export function forDisplay(value: JsonValue): JsonValue {
  return sortedCopy(value, undefined);
}

/**
 * The value with keys sorted at every level; with `bigints` given, int64 values beyond 2^53 become
 * marker strings (counted there) so that plain JSON.stringify, much faster than one with a
 * replacer, can write them. Parts that are already in order are returned as they are, not copied:
 * decoded objects mostly are (the decoder writes fields in name order and the wire sorts maps).
 */
function sortedCopy(value: JsonValue, bigints: { count: number } | undefined): JsonValue {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'bigint' && bigints !== undefined) {
      bigints.count++;
      return `${BIGINT_MARK}${value}`;
    }
    return value;
  }
  if (value instanceof GoFloat) return value.value;
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as JsonValue;
      const shown = sortedCopy(item, bigints);
      if (shown !== item) {
        out ??= value.slice();
        out[i] = shown;
      }
    }
    return out ?? value;
  }
  const keys = Object.keys(value);
  let changed = false;
  for (let i = 1; i < keys.length && !changed; i++) changed = (keys[i - 1] as string) > (keys[i] as string);
  const shown = new Array<JsonValue>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i] as string] as JsonValue;
    shown[i] = sortedCopy(v, bigints);
    if (shown[i] !== v) changed = true;
  }
  if (!changed) return value;
  const order = keys.map((k, i) => [k, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: JsonObject = {};
  for (const [key, i] of order) {
    const v = shown[i] as JsonValue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

export function formatYaml(value: JsonValue): string {
  return yaml.dump(forDisplay(value), { schema: YAML_SCHEMA, noArrayIndent: true, lineWidth: -1, noRefs: true });
}

const BIGINT_MARK = '\u0000kreg-bigint:';

/** JSON with sorted keys, and bigints written as plain integers. */
export function formatJson(value: JsonValue, indent = 4): string {
  const bigints = { count: 0 };
  const text = JSON.stringify(sortedCopy(value, bigints), undefined, indent);
  return bigints.count > 0 ? text.replace(/"\\u0000kreg-bigint:(-?\d+)"/g, '$1') : text;
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
