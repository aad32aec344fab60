/**
 * Quoting as kubectl's YAML (go-yaml v2, YAML 1.1) does it: a string that would read back as
 * another type (a number, a bool such as `yes` or `on`, null, a timestamp, `1:20`) is written in
 * double quotes (`resourceVersion: "42"`, `creationTimestamp: "2026-01-01T00:00:00Z"`); a string
 * that needs quotes only for its characters (`'*.example.com'`) keeps single ones. js-yaml quotes
 * both kinds alike, so its output is re-quoted here. Pure.
 */

/** What go-yaml looks up before trying numbers: YAML 1.1 bools, nulls, infinities, NaN, merge. */
const RESOLVED_BY_NAME = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['~', 'null', 'Null', 'NULL', '<<'],
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN'],
]);

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
  if (text === '' || RESOLVED_BY_NAME.has(text) || BASE60_FLOAT.test(text)) return true;
  const first = text[0] as string;
  if (first === '.') return YAML_FLOAT.test(text);
  if (!/[-+0-9]/.test(first)) return false;
  if (TIMESTAMP.test(text)) return true;
  const plain = text.replace(/_/g, '');
  return GO_INT.test(plain) || YAML_FLOAT.test(plain);
}

/** A single-quoted scalar at the start of `text`: its length, or 0 when there is none. */
function singleQuotedLength(text: string): number {
  if (text[0] !== "'") return 0;
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i + 1;
  }
  return 0;
}

/** The scalar in double quotes when go-yaml would write it so, else as it was. */
function requote(token: string): string {
  const length = singleQuotedLength(token);
  if (length === 0 || length !== token.length) return token;
  const content = token.slice(1, -1).replace(/''/g, "'");
  return readsAsNonString(content) ? JSON.stringify(content) : token;
}

/** The key of a block mapping line (a single-quoted or plain scalar before ": "), and the rest. */
function splitKey(rest: string): { key: string | undefined; value: string } {
  const quoted = singleQuotedLength(rest);
  if (quoted > 0) {
    if (rest.startsWith(': ', quoted)) return { key: rest.slice(0, quoted), value: rest.slice(quoted + 2) };
    if (rest.length === quoted + 1 && rest[quoted] === ':') return { key: rest.slice(0, quoted), value: '' };
    return { key: undefined, value: rest };
  }
  if (rest.startsWith('"')) return { key: undefined, value: rest };
  // A plain scalar cannot hold ": ", so the first one ends the key.
  const colon = rest.search(/: |:$/);
  return colon < 0 ? { key: undefined, value: rest } : { key: rest.slice(0, colon), value: rest.slice(colon + 2) };
}

/**
 * js-yaml's block output with every single-quoted scalar that go-yaml would double-quote
 * re-quoted. Lines inside block scalars (`|`, `>`) are left alone.
 */
export function requoteAsGoYaml(text: string): string {
  const lines = text.split('\n');
  /** The column a block scalar's lines are indented beyond; -1 outside one. */
  let blockColumn = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (blockColumn >= 0) {
      if (line.trim() === '' || line.length - line.trimStart().length > blockColumn) continue;
      blockColumn = -1;
    }
    // Most lines hold no quotes and start no block scalar: nothing to do.
    if (!line.includes("'") && !/[|>][-+0-9]*$/.test(line)) continue;
    const [, markers = '', rest = ''] = /^(\s*(?:- )*)(.*)$/.exec(line) ?? [];
    const { key, value } = splitKey(rest);
    if (/^[|>][-+0-9]*$/.test(value)) blockColumn = key === undefined ? markers.length - 1 : markers.length;
    lines[n] = key === undefined ? `${markers}${requote(value)}` : `${markers}${requote(key)}:${value === '' ? '' : ` ${requote(value)}`}`;
  }
  return lines.join('\n');
}
