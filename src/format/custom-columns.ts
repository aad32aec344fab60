/**
 * kubectl's -o custom-columns: `HEADER:.json.path,...` inline, or a file with a line of headers
 * and a line of paths, separated by whitespace. Each path is kubectl's relaxed JSONPath; a cell
 * joins every value it reaches with commas (Go's %v of each) and is <none> when it reaches none.
 * Pure.
 */
import type { JsonValue } from '../codec/json-value.js';
import { findJsonPathResults } from './jsonpath/evaluate-jsonpath.js';
import { goValueText } from './jsonpath/go-text.js';
import { JsonPathError, type JsonPathTemplate, parseJsonPathTemplate, relaxedJsonPath } from './jsonpath/parse-jsonpath.js';

export interface CustomColumn {
  header: string;
  /** The path as given, for messages. */
  path: string;
  template: JsonPathTemplate;
}

function column(header: string, path: string): CustomColumn {
  const relaxed = relaxedJsonPath(path);
  try {
    return { header, path, template: parseJsonPathTemplate(relaxed) };
  } catch (err) {
    if (err instanceof JsonPathError) throw new JsonPathError(`error parsing jsonpath ${relaxed}, ${err.message}`);
    throw err;
  }
}

/** `NAME:.metadata.name,NODE:.spec.nodeName`. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new JsonPathError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new JsonPathError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return column(part.slice(0, colon), part.slice(colon + 1));
  });
}

/** A custom-columns-file: headers on the first line, paths on the second. */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const lines = text.split(/\r?\n/);
  const words = (line: string | undefined): string[] | undefined => line?.split(/\s+/).filter((w) => w !== '');
  const usage = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  const headers = words(lines[0]);
  if (headers === undefined || lines.length < 1 || text === '') throw new JsonPathError(`invalid template, missing header line. ${usage}`);
  const paths = words(lines[1]);
  if (paths === undefined) throw new JsonPathError(`invalid template, missing spec line. ${usage}`);
  if (headers.length !== paths.length) throw new JsonPathError(`number of headers (${headers.length}) and field specifications (${paths.length}) don't match`);
  return headers.map((header, i) => column(header, paths[i] as string));
}

/** One row: each column's values joined by commas, or <none>. Throws JsonPathError where kubectl fails (an index out of range). */
export function customColumnCells(columns: readonly CustomColumn[], object: JsonValue): string[] {
  return columns.map((c) => {
    const values = findJsonPathResults(c.template, object).flat();
    return values.length === 0 ? '<none>' : values.map(goValueText).join(',');
  });
}
