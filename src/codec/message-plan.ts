/**
 * What the protobuf decoder needs of each message and field, in objects of one fixed shape each.
 * Schema fields come from the bundle with a varying set of optional keys, so V8 gives them over a
 * dozen hidden classes and every property read of the hot read loop became a slow megamorphic
 * lookup; these plans keep those reads monomorphic. A plan also carries the message's compiled
 * assembler (see compiled-assembler.ts).
 */
import type { FieldPath } from './field-path.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { DecodeContext } from './protobuf-to-json.js';
import type { SchemaField, SchemaMessage, SpecialJson } from './schema.js';

/**
 * metav1.FieldsV1, and how deep the object's own sit (the object, its metadata, a managedFields
 * entry): when the caller hides managedFields, those are not parsed, by either walk.
 */
export const FIELDS_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1';
export const OWN_FIELDS_V1_DEPTH = 3;

/** How one element of a field is read (plain numbers, so the reader's switch compares small integers). */
export const KIND_STRING = 0;
export const KIND_BYTES = 1;
export const KIND_INT32 = 2;
export const KIND_INT64 = 3;
export const KIND_BOOL = 4;
export const KIND_DOUBLE = 5;
export const KIND_MESSAGE = 6;

/** Values by field index, as the reader collects them; repeated fields collect arrays, maps objects. */
export type Slots = (JsonValue | undefined)[];

/** Go's JSON rules for one message, from its slots into `out` (compiled per message). */
export type Assembler = (ctx: DecodeContext, slots: Slots, path: FieldPath | undefined, out: JsonObject) => JsonObject;

function kindOf(type: string): number {
  switch (type) {
    case 'string':
      return KIND_STRING;
    case 'bytes':
      return KIND_BYTES;
    case 'int32':
      return KIND_INT32;
    case 'int64':
      return KIND_INT64;
    case 'bool':
      return KIND_BOOL;
    case 'double':
      return KIND_DOUBLE;
    default:
      return KIND_MESSAGE;
  }
}

export class FieldPlan {
  readonly index: number;
  readonly number: number;
  readonly wireType: number;
  /** One of the KIND_ constants. */
  readonly kind: number;
  readonly repeated: boolean;
  readonly isMap: boolean;
  readonly inline: boolean;
  /** The JSON name (the Go name for inlined and skipped fields), the segment of its values' paths. */
  readonly pathName: string;
  /** The plan of the field's message type, linked on first use (types may be recursive). */
  plan: MessagePlan | undefined = undefined;

  constructor(readonly field: SchemaField) {
    this.index = field.index;
    this.number = field.number;
    this.wireType = field.wireType;
    this.kind = kindOf(field.type);
    this.repeated = field.repeated === true;
    this.isMap = field.mapKey !== undefined;
    this.inline = field.inline === true;
    this.pathName = field.json ?? field.name;
  }
}

export class MessagePlan {
  readonly name: string;
  readonly special: SpecialJson | undefined;
  /** Field plans in Go order (by field index). */
  readonly fields: FieldPlan[];
  /** Field plans by field number; sparse. */
  readonly byNumber: (FieldPlan | undefined)[] = [];
  /** Compiled on first use. */
  assemble: Assembler | undefined = undefined;

  constructor(readonly message: SchemaMessage) {
    this.name = message.name;
    this.special = message.special;
    this.fields = message.fields.map((f) => new FieldPlan(f));
    for (const f of this.fields) this.byNumber[f.number] = f;
  }
}

const plans = new WeakMap<SchemaMessage, MessagePlan>();

export function planOf(message: SchemaMessage): MessagePlan {
  let plan = plans.get(message);
  if (plan === undefined) {
    plan = new MessagePlan(message);
    plans.set(message, plan);
  }
  return plan;
}

/** The plan of a message-typed field's message. */
export function childPlan(field: FieldPlan): MessagePlan {
  return (field.plan ??= planOf(field.field.message as SchemaMessage));
}
