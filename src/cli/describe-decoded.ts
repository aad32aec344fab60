/**
 * The parts of a decoded value that are not the object itself, as lines a person can read: what
 * kind of value it was, and fields the schema does not know (kept and written back unchanged).
 */
import type { DecodedValue } from '../codec/decode-value.js';
import type { UnknownField } from '../codec/protobuf-to-json.js';
import { base64Encode } from '../codec/text.js';
import { viewWireFields, wireViewToJson } from '../codec/wire-view.js';
import { formatJson } from '../format/object-text.js';

const WIRE_TYPE_NAMES: Record<number, string> = { 0: 'varint', 1: '64-bit', 2: 'length-delimited', 5: '32-bit' };

function describeUnknownField(field: UnknownField): string {
  const where = field.path === '' ? '(top level)' : field.path;
  const owner = field.message.slice(field.message.lastIndexOf('.') + 1);
  const view = viewWireFields(field.raw);
  const value = view === undefined ? `base64 ${base64Encode(field.raw)}` : formatJson(wireViewToJson(view), 0);
  const why = field.reason === 'not-in-json' ? 'kept: its value does not show in the API JSON' : field.known !== undefined ? `${field.known}, unknown to this schema` : 'unknown to this schema';
  return `${where} [${owner} field ${field.number}, ${WIRE_TYPE_NAMES[field.wireType] ?? `wire type ${field.wireType}`}] ${why}: ${value}`;
}

/** Notes to print with the object; each is one line, without a comment marker. */
export function notesFor(decoded: DecodedValue, schemaVersion: string): string[] {
  const notes: string[] = [];
  if (decoded.format === 'protobuf' && !decoded.knownKind) {
    notes.push(`kind ${decoded.kind} of ${decoded.apiVersion} is not in the Kubernetes ${schemaVersion} schema; its message by field number:`);
    if (decoded.fieldView !== undefined) notes.push(`  ${formatJson(decoded.fieldView, 0)}`);
  }
  const unknown = decoded.unknownFields.filter((f) => f.reason === 'unknown');
  if (unknown.length > 0) {
    // Only fields no known release defines can come from a newer Kubernetes.
    const origin = unknown.every((f) => f.known !== undefined) ? 'defined by other Kubernetes releases' : 'written by a newer Kubernetes?';
    notes.push(`unknown fields: ${unknown.length} protobuf field(s) not in the Kubernetes ${schemaVersion} schema (${origin}), kept and written back unchanged on re-encode:`);
    for (const f of unknown) notes.push(`  ${describeUnknownField(f)}`);
  }
  const kept = decoded.unknownFields.filter((f) => f.reason === 'not-in-json');
  for (const f of kept) notes.push(describeUnknownField(f));
  return notes;
}
