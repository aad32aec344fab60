/**
 * kreg get's -o, read as kubectl reads it: a format name, or `jsonpath=TEMPLATE`,
 * `jsonpath-file=FILE`, `custom-columns=SPEC`, `custom-columns-file=FILE`. Templates are parsed
 * (and their files read) here, before anything is read from etcd, so a bad one costs nothing.
 */
import { readFile } from 'node:fs/promises';
import { KregError, UsageError } from '../errors.js';
import { type CustomColumn, parseCustomColumns, parseCustomColumnsFile } from '../format/custom-columns.js';
import { JsonPathError, type JsonPathTemplate, parseJsonPathTemplate, relaxedJsonPath } from '../format/jsonpath/parse-jsonpath.js';
import { GET_FORMATS, type GetFormat } from './object-writers.js';

export type OutputSpec = { format: GetFormat } | { format: 'jsonpath'; template: JsonPathTemplate } | { format: 'custom-columns'; columns: CustomColumn[] };

const TEMPLATE_FORMATS = ['jsonpath', 'jsonpath-file', 'custom-columns', 'custom-columns-file'] as const;

/** Every -o value, for --help and the error naming them. */
export const OUTPUT_CHOICES = [...GET_FORMATS, ...TEMPLATE_FORMATS.map((f) => `${f}=...`)];

async function readTemplateFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KregError('read-failed', code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`, { file }, { cause: err });
  }
}

function parseTemplate(text: string): JsonPathTemplate {
  if (text === '') throw new UsageError('bad-template', 'template format specified but no template given');
  try {
    return parseJsonPathTemplate(text);
  } catch (err) {
    if (err instanceof JsonPathError) throw new UsageError('bad-template', `error parsing jsonpath ${text}, ${err.message}`);
    throw err;
  }
}

function parseColumns(parse: () => CustomColumn[]): CustomColumn[] {
  try {
    return parse();
  } catch (err) {
    if (err instanceof JsonPathError) throw new UsageError('bad-template', err.message);
    throw err;
  }
}

export async function parseOutput(given: string | undefined): Promise<OutputSpec> {
  if (given === undefined) return { format: 'table' };
  const equals = given.indexOf('=');
  const name = equals < 0 ? given : given.slice(0, equals);
  const value = equals < 0 ? '' : given.slice(equals + 1);
  if (equals < 0 && (GET_FORMATS as readonly string[]).includes(name)) return { format: name as GetFormat };
  switch (name) {
    case 'jsonpath':
      return { format: 'jsonpath', template: parseTemplate(value) };
    case 'jsonpath-file':
      if (value === '') throw new UsageError('bad-template', 'template format specified but no template file given');
      return { format: 'jsonpath', template: parseTemplate(await readTemplateFile(value)) };
    case 'custom-columns':
      return { format: 'custom-columns', columns: parseColumns(() => parseCustomColumns(value)) };
    case 'custom-columns-file': {
      if (value === '') throw new UsageError('bad-template', 'custom-columns-file format specified but no file given');
      const text = await readTemplateFile(value);
      return { format: 'custom-columns', columns: parseColumns(() => parseCustomColumnsFile(text)) };
    }
    default:
      throw new UsageError('invalid-value', `invalid output format "${given}": use one of ${OUTPUT_CHOICES.join(', ')}`);
  }
}

/** --sort-by's path, in kubectl's relaxed form (.a.b, a.b, {.a.b}). */
export function parseSortBy(given: string | undefined): JsonPathTemplate | undefined {
  if (given === undefined || given === '') return undefined;
  try {
    return parseJsonPathTemplate(relaxedJsonPath(given));
  } catch (err) {
    if (err instanceof JsonPathError) throw new UsageError('bad-template', `--sort-by ${given}: ${err.message}`);
    throw err;
  }
}
