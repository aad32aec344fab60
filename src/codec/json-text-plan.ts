/**
 * What the JSON text transcoder (protobuf-to-json-text.ts) knows of each message, compiled once
 * per message: its JSON members in key order, with the facts about each field the writer reads,
 * where its fields are noted while a message is scanned, and what it leaves to the object decoder.
 * Pure.
 */
import { childPlan, KIND_MESSAGE, KIND_STRING, type FieldPlan, type MessagePlan } from './message-plan.js';
import { utf8Encode } from './text.js';
import { WIRE_BYTES } from './wire.js';

/** Members of a message besides its own fields: the object's head and the fields kube-apiserver sets on reads. */
export const MEMBER_FIELD = 0;
export const MEMBER_API_VERSION = 1;
export const MEMBER_KIND = 2;
export const MEMBER_METADATA = 3;
export const MEMBER_RESOURCE_VERSION = 4;
export const MEMBER_MANAGED_FIELDS = 5;
/** A core v1 Secret's data or stringData: its values are masked when secrets are (the WebAssembly walks do it). */
export const MEMBER_SECRET_DATA = 6;

/** How the Go field is held (schema GoShape), as small integers for the hot path. */
export const GO_VALUE = 0;
export const GO_POINTER = 1;
export const GO_BYTES = 2;
export const GO_SLICE = 3;

/**
 * One member of a message's JSON object, with every fact the writer reads about its field copied
 * into one fixed shape: schema fields come in many shapes, and reading them in the hot path was slow.
 */
export class Member {
  /** `,"name":` as UTF-8: written from its second byte for a first member, without the comma. */
  readonly key: Uint8Array;
  readonly kind: number;
  readonly shape: number;
  readonly repeated: boolean;
  readonly isMap: boolean;
  /** omitempty or omitzero. */
  readonly omitEmpty: boolean;
  readonly omitEmptyTag: boolean;
  readonly omitZero: boolean;
  /** Tag of one value on the wire. */
  readonly tag: number;
  readonly wireType: number;
  /** Offset of the field's slots in the message's window (first tag, last value, count). */
  readonly slot: number;
  /** Offset of its table's range (start, end) in the window. */
  readonly range: number;
  /** The field's message type (or map value type), when it is a message. */
  readonly plan: MessagePlan | undefined;
  readonly special: boolean;
  /** Left out when absent from the wire (most fields are: a nil pointer, slice or map, an empty string with omitempty). */
  readonly absentOmitted: boolean;
  private childText: TextPlan | undefined = undefined;

  constructor(
    readonly name: string,
    readonly role: number,
    readonly field: FieldPlan | undefined,
    tableOffset: number,
  ) {
    this.key = utf8Encode(`,${JSON.stringify(name)}:`);
    const go = field?.field.go;
    this.kind = field?.kind ?? KIND_STRING;
    this.shape = go === 'pointer' ? GO_POINTER : go === 'bytes' ? GO_BYTES : go === 'slice' || go === 'map' ? GO_SLICE : GO_VALUE;
    this.repeated = field?.repeated === true;
    this.isMap = field?.isMap === true;
    this.omitEmptyTag = field?.field.omitempty === true;
    this.omitZero = field?.field.omitzero === true;
    this.omitEmpty = this.omitEmptyTag || this.omitZero;
    this.wireType = field?.wireType ?? 0;
    this.tag = field === undefined ? 0 : (field.number << 3) | (this.isMap ? WIRE_BYTES : this.wireType);
    this.range = tableOffset;
    this.slot = tableOffset + 2 + 3 * (field?.index ?? 0);
    this.plan = field !== undefined && field.kind === KIND_MESSAGE ? childPlan(field) : undefined;
    this.special = this.plan?.special !== undefined;
    // A plain struct's zero value is written, omitempty or not (omitzero on one is not covered).
    this.absentOmitted = (role === MEMBER_FIELD || role === MEMBER_SECRET_DATA) && this.omitEmpty && (this.repeated || this.isMap || this.shape !== GO_VALUE || this.kind !== KIND_MESSAGE);
  }

  /** The writer's plan of the field's message type, compiled on first use (types may be recursive). */
  text(): TextPlan {
    return (this.childText ??= textPlanOf(this.plan as MessagePlan));
  }
}

/** An inlined struct: its fields are noted in their own table, read from the parent's field. */
interface InlineTable {
  plan: MessagePlan;
  /** The inline field's slot and its table's range in the window. */
  parentSlot: number;
  parentRange: number;
  tableOffset: number;
}

/** What the writer needs of one message, compiled once per message (and variant). */
export class TextPlan {
  readonly members: Member[] = [];
  readonly inlines: InlineTable[] = [];
  /** Slots the message needs: per table its range (2) and per field first tag, last value, count (3). */
  window = 0;
  /** Fields never shown but still read by the object decoder (json:"-"): checked, then dropped. */
  readonly hiddenMessageFields: Member[] = [];
  /** Why the message is left to the object decoder, when it is. */
  notCovered: string | undefined;
  metadataPlan: TextPlan | undefined;

  constructor(readonly plan: MessagePlan) {}
}

const plainPlans = new WeakMap<MessagePlan, TextPlan>();
const topPlans = new WeakMap<MessagePlan, TextPlan>();
const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const SECRET = 'k8s.io.api.core.v1.Secret';

function compileTextPlan(plan: MessagePlan, top: boolean, topMetadata: boolean): TextPlan {
  const text = new TextPlan(plan);
  let window = 0;
  const addTable = (table: MessagePlan, parent: { slot: number; range: number } | undefined): void => {
    const offset = window;
    window += 2 + 3 * table.fields.length;
    if (parent !== undefined) text.inlines.push({ plan: table, parentSlot: parent.slot, parentRange: parent.range, tableOffset: offset });
    for (const f of table.fields) {
      if (f.inline) {
        const inlined = f.kind === KIND_MESSAGE ? childPlan(f) : undefined;
        if (inlined === undefined || inlined.special !== undefined) text.notCovered = `inlined ${f.pathName}`;
        else addTable(inlined, { slot: offset + 2 + 3 * f.index, range: offset });
      } else if (f.field.skip === true) {
        if (f.kind === KIND_MESSAGE) text.hiddenMessageFields.push(new Member(f.pathName, MEMBER_FIELD, f, offset));
      } else {
        if (!f.repeated && !f.isMap && (f.field.go === 'slice' || f.field.go === 'map')) text.notCovered = `${f.pathName} is a slice held as a message`;
        if (f.field.omitzero === true && f.kind === KIND_MESSAGE && childPlan(f).special === undefined) text.notCovered = `${f.pathName} is omitzero`;
        let role = MEMBER_FIELD;
        if (top && f.pathName === 'metadata' && offset === 0) role = MEMBER_METADATA;
        if (topMetadata && f.pathName === 'resourceVersion') role = MEMBER_RESOURCE_VERSION;
        if (topMetadata && f.pathName === 'managedFields') role = MEMBER_MANAGED_FIELDS;
        if (top && plan.name === SECRET && offset === 0 && (f.pathName === 'data' || f.pathName === 'stringData')) role = MEMBER_SECRET_DATA;
        text.members.push(new Member(f.pathName, role, f, offset));
      }
    }
  };
  addTable(plan, undefined);
  text.window = window;
  if (top) {
    if (text.members.some((m) => m.name === 'apiVersion' || m.name === 'kind')) text.notCovered = 'the message has its own apiVersion or kind';
    const metadata = text.members.find((m) => m.role === MEMBER_METADATA);
    // kube-apiserver gives every object metadata.resourceVersion: ObjectMeta is where the writer puts it.
    if (metadata?.plan?.name !== OBJECT_META) text.notCovered = 'no ObjectMeta';
    else text.metadataPlan = compileTextPlan(metadata.plan, false, true);
    text.members.push(new Member('apiVersion', MEMBER_API_VERSION, undefined, 0), new Member('kind', MEMBER_KIND, undefined, 0));
  }
  if (topMetadata && !text.members.some((m) => m.role === MEMBER_RESOURCE_VERSION)) text.notCovered = 'ObjectMeta without resourceVersion';
  const names = new Set(text.members.map((m) => m.name));
  if (names.size !== text.members.length) text.notCovered = 'an inlined field shares a name';
  // JavaScript's default sort, as formatJson's: by UTF-16 code units.
  text.members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return text;
}

/** The message's writer plan, compiled once: as a stored object's top level (`top`) or anywhere inside one. */
export function textPlanOf(plan: MessagePlan, top = false): TextPlan {
  const plans = top ? topPlans : plainPlans;
  let text = plans.get(plan);
  if (text === undefined) {
    text = compileTextPlan(plan, top, false);
    plans.set(plan, text);
  }
  return text;
}
