/**
 * Where printed objects carry kreg's storage record (see codec/carried-storage.ts): YAML as a last
 * comment line, which kubectl and every YAML reader skip; JSON, which has no comments, as a last
 * member whose name no Kubernetes type has. kreg encode reads both (cli/object-input.ts).
 */
import { type CarriedStorage, serializeCarriedStorage } from '../codec/carried-storage.js';

export const CARRIED_STORAGE_COMMENT = '# kreg:storage ';
export const CARRIED_STORAGE_MEMBER = 'kreg.io/storage';

/** The record as the text to carry, or undefined when there is nothing to carry. */
export function carriedText(record: CarriedStorage | undefined): string | undefined {
  return record === undefined ? undefined : serializeCarriedStorage(record);
}

/** YAML text of one object (ending in a newline) with the record's comment line after it. */
export function yamlWithCarried(yamlText: string, carried: string | undefined): string {
  return carried === undefined ? yamlText : `${yamlText}${CARRIED_STORAGE_COMMENT}${carried}\n`;
}

/** JSON text of one object (as formatJson writes it, no trailing newline) with the record as its last member. */
export function jsonWithCarried(jsonText: string, indent: number, carried: string | undefined): string {
  if (carried === undefined || !jsonText.endsWith('}') || jsonText === '{}') return jsonText;
  const member = `${JSON.stringify(CARRIED_STORAGE_MEMBER)}:${indent === 0 ? '' : ' '}${JSON.stringify(carried)}`;
  if (indent === 0) return `${jsonText.slice(0, -1)},${member}}`;
  return `${jsonText.slice(0, -2)},\n${' '.repeat(indent)}${member}\n}`;
}
