/**
 * A short record printed as `field: value` lines (aligned), or as YAML or JSON: what the keys
 * commands print about one key or resource. Fields without a value are left out.
 */
import type { JsonObject, JsonValue } from '../codec/json-value.js';
import type { CommandContext } from './io.js';
import { formatObject } from '../format/object-text.js';

export type FieldFormat = 'text' | 'yaml' | 'json';
export const FIELD_FORMATS: readonly FieldFormat[] = ['text', 'yaml', 'json'];

/** Fields in display order; undefined values are left out. */
export type Fields = [string, string | boolean | readonly string[] | undefined][];

function toObject(fields: Fields): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of fields) if (v !== undefined) out[k] = (Array.isArray(v) ? [...v] : v) as JsonValue;
  return out;
}

/** A readable `field: value` block, in the given order. */
function toText(fields: Fields): string {
  const shown = fields.filter(([, v]) => v !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${Array.isArray(v) ? v.join(', ') : String(v)}\n`).join('');
}

export function printFields(ctx: CommandContext, fields: Fields, format: FieldFormat): void {
  ctx.io.stdout.write(format === 'text' ? toText(fields) : formatObject(toObject(fields), format));
}

/** The core group is shown as "core", as kubectl api-resources does not and users expect. */
export function groupName(group: string): string {
  return group === '' ? 'core' : group;
}
