/**
 * The object `kreg encode` reads: YAML or JSON text, with the storage record kreg decode/get print
 * next to it (see carried-text.ts), and
 * integers read exactly (int64 values beyond 2^53 as bigints, as kreg prints them).
 */
import yaml from 'js-yaml';
import { type CarriedStorage, parseCarriedStorage } from '../codec/carried-storage.js';
import { parseGoJson } from '../codec/go-json.js';
import { int64, isJsonObject, type JsonObject, type JsonValue } from '../codec/json-value.js';
import { DecodeError, KregError } from '../errors.js';
import { CARRIED_STORAGE_COMMENT, CARRIED_STORAGE_MEMBER } from './carried-text.js';

/** js-yaml exports its built-in types, which @types/js-yaml does not declare. */
const CORE_INT = (yaml as unknown as { types: { int: yaml.Type } }).types.int;
/** Decimal integers: read as bigints where a double would round them. */
const DECIMAL_INT = /^[-+]?[0-9][0-9_]*$/;
const PRECISE_INT_TYPE = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => CORE_INT.resolve(data),
  construct: (data: string) => {
    const number = CORE_INT.construct(data) as number;
    if (Number.isSafeInteger(number) || !DECIMAL_INT.test(data)) return number;
    return int64(BigInt(data.replace(/_/g, '')));
  },
  predicate: (value: unknown) => typeof value === 'number' && Number.isInteger(value),
  represent: (value: object) => String(value),
});
/**
 * The core schema, as Kubernetes reads YAML (timestamps stay strings), with exact integers. A type
 * with the same tag replaces the core one.
 */
const INPUT_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [PRECISE_INT_TYPE] });

export interface ObjectInput {
  object: JsonObject;
  carried?: CarriedStorage;
}

/** One object from YAML or JSON text; the storage record taken out of it. */
export function readObjectInput(text: string, name: string): ObjectInput {
  const json = /^\s*\{/.test(text);
  let parsed: JsonValue | undefined;
  try {
    parsed = json ? parseGoJson(text) : (yaml.load(text, { filename: name, schema: INPUT_SCHEMA }) as JsonValue | undefined);
  } catch (err) {
    const detail = err instanceof KregError ? err.message : ((err as Error).message.split('\n')[0] ?? '');
    throw new DecodeError('bad-yaml', `not valid ${json ? 'JSON' : 'YAML'}: ${detail}`, { file: name });
  }
  if (!isJsonObject(parsed)) throw new DecodeError('bad-yaml', 'expected one Kubernetes object (a mapping)', { file: name });
  const carriedText = json ? memberText(parsed, name) : commentText(text);
  if (carriedText === undefined) return { object: parsed };
  try {
    return { object: parsed, carried: parseCarriedStorage(carriedText) };
  } catch (err) {
    throw err instanceof KregError ? err.withSubject({ file: name }) : err;
  }
}

/** The record's text from the last `# kreg:storage` line (the one after the object). */
function commentText(text: string): string | undefined {
  const at = text.lastIndexOf(`\n${CARRIED_STORAGE_COMMENT}`);
  const start = at >= 0 ? at + 1 : text.startsWith(CARRIED_STORAGE_COMMENT) ? 0 : -1;
  if (start < 0) return undefined;
  const end = text.indexOf('\n', start);
  return text.slice(start + CARRIED_STORAGE_COMMENT.length, end < 0 ? undefined : end);
}

/** The record's text from the JSON member, which is removed from the object. */
function memberText(object: JsonObject, name: string): string | undefined {
  if (!(CARRIED_STORAGE_MEMBER in object)) return undefined;
  const member = object[CARRIED_STORAGE_MEMBER];
  delete object[CARRIED_STORAGE_MEMBER];
  if (typeof member !== 'string') throw new DecodeError('bad-carried-storage', `"${CARRIED_STORAGE_MEMBER}" is not kreg's storage record (a string)`, { file: name });
  return member;
}
