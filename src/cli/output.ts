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
  if (value instanceof GoFloat) return value.value;
  if (Array.isArray(value)) return value.map(forDisplay);
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = value[key] as JsonValue;
      if (key === '__proto__') Object.defineProperty(out, key, { value: forDisplay(v), enumerable: true, writable: true, configurable: true });
      else out[key] = forDisplay(v);
    }
    return out;
  }
  return value;
}

export function formatYaml(value: JsonValue): string {
  return yaml.dump(forDisplay(value), { schema: YAML_SCHEMA, noArrayIndent: true, lineWidth: -1, noRefs: true });
}

const BIGINT_MARK = '\u0000kreg-bigint:';

/** JSON.stringify with bigints written as plain integers. */
export function formatJson(value: JsonValue, indent = 4): string {
  let sawBigint = false;
  const text = JSON.stringify(
    forDisplay(value),
    (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      sawBigint = true;
      return `${BIGINT_MARK}${v}`;
    },
    indent,
  );
  return sawBigint ? text.replace(/"\\u0000kreg-bigint:(-?\d+)"/g, '$1') : text;
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
