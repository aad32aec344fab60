/**
 * Which strings kubectl's YAML (go-yaml v2, YAML 1.1) double-quotes because they would read back
 * as another type: a number, a bool such as `yes` or `on`, null, a timestamp, `1:20`
 * (`resourceVersion: "42"`, `creationTimestamp: "2026-01-01T00:00:00Z"`). Quoting for characters
 * (`'*.example.com'`) is go-yaml-writer.ts's business. Pure.
 */

/** What go-yaml looks up before trying numbers: YAML 1.1 bools, nulls, infinities, NaN, merge. */
const RESOLVED_BY_NAME = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['~', 'null', 'Null', 'NULL', '<<'],
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN'],
]);

/** The names, for the YAML walk in WebAssembly (which looks them up itself). */
export const YAML_NAMES: readonly string[] = [...RESOLVED_BY_NAME];

/** No longer string is one of the names: longer ones need not be hashed to look them up. */
const LONGEST_NAME = Math.max(...[...RESOLVED_BY_NAME].map((name) => name.length));

/** strconv.ParseInt(s, 0, 64) (sign, 0x, 0b, 0o, leading-0 octal), after go-yaml drops underscores. */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** go-yaml writes these sexagesimal numbers (1:20) quoted too. */
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
/** go-yaml's timestamp layouts: a date; with a T (or t), a time and a zone; with a space, a time. */
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2})| \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?$/;

/** Whether go-yaml would read the string, unquoted, as something other than a string. */
export function readsAsNonString(text: string): boolean {
  if (text === '' || (text.length <= LONGEST_NAME && RESOLVED_BY_NAME.has(text))) return true;
  // Numbers, sexagesimals and timestamps all start with a sign, a digit or (floats) a dot: most
  // strings are done after one character.
  const first = text.charCodeAt(0);
  if (first === 0x2e) return YAML_FLOAT.test(text);
  if (first !== 0x2d && first !== 0x2b && (first < 0x30 || first > 0x39)) return false;
  if (BASE60_FLOAT.test(text) || TIMESTAMP.test(text)) return true;
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  return GO_INT.test(plain) || YAML_FLOAT.test(plain);
}
