/**
 * The few facts a storage audit needs from a stored value (its apiVersion and kind, metadata.uid
 * and metadata.ownerReferences), read from the stored bytes without decoding the whole object:
 * the protobuf envelope and the metadata message's own fields, or the JSON members' text.
 */
import { detectFormat } from './detect.js';
import { readEnvelope } from './envelope.js';
import { jsonMemberValue } from './json-spans.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.js';
import type { Schema, SchemaMessage } from './schema.js';
import { utf8Decode } from './text.js';
import { WIRE_BYTES, WireReader } from './wire.js';

/** One entry of metadata.ownerReferences. */
export interface StoredOwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface StoredMetadata {
  /** As stored: the group/version the object is encoded in. */
  apiVersion: string;
  kind: string;
  /** Empty when the object has none. */
  uid: string;
  ownerReferences: StoredOwnerReference[];
}

/**
 * The metadata of a protobuf or JSON value; undefined for other formats (CBOR, encrypted,
 * opaque), which the caller reads another way (see storedMetadataOf).
 *
 * @throws DecodeError (or a JSON span error) when the value is damaged.
 */
export function readStoredMetadata(schema: Schema, value: Uint8Array): StoredMetadata | undefined {
  switch (detectFormat(value)) {
    case 'protobuf':
      return protobufMetadata(schema, value);
    case 'json':
      return jsonMetadata(value);
    default:
      return undefined;
  }
}

/** The same facts from a decoded object (a CBOR or decrypted value). */
export function storedMetadataOf(object: JsonObject): StoredMetadata {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  return { apiVersion: text(object.apiVersion), kind: text(object.kind), uid: text(metadata.uid), ownerReferences: ownerReferencesOf(metadata.ownerReferences) };
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function ownerReferencesOf(value: JsonValue | undefined): StoredOwnerReference[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((owner) => ({ apiVersion: text(owner.apiVersion), kind: text(owner.kind), name: text(owner.name), uid: text(owner.uid) }));
}

function jsonMetadata(value: Uint8Array): StoredMetadata {
  return {
    apiVersion: text(jsonMemberValue(value, ['apiVersion'])),
    kind: text(jsonMemberValue(value, ['kind'])),
    uid: text(jsonMemberValue(value, ['metadata', 'uid'])),
    ownerReferences: ownerReferencesOf(jsonMemberValue(value, ['metadata', 'ownerReferences'])),
  };
}

function protobufMetadata(schema: Schema, value: Uint8Array): StoredMetadata {
  const envelope = readEnvelope(value);
  const found: StoredMetadata = { apiVersion: envelope.apiVersion, kind: envelope.kind, uid: '', ownerReferences: [] };
  const message = schema.kindMessage(envelope.apiVersion, envelope.kind);
  const metadataField = message?.byJsonName.get('metadata');
  const objectMeta = metadataField?.message;
  // A kind the schema does not know: where its metadata is cannot be told.
  if (metadataField === undefined || objectMeta === undefined) return found;
  const r = new WireReader(value, envelope.rawStart, envelope.rawEnd);
  while (!r.done) {
    const tag = r.uint32();
    if ((tag & 7) !== WIRE_BYTES || tag >>> 3 !== metadataField.number) {
      r.skip(tag & 7);
      continue;
    }
    const [start, end] = r.lengthDelimited();
    readObjectMeta(value, start, end, objectMeta, found);
  }
  return found;
}

function readObjectMeta(value: Uint8Array, start: number, end: number, objectMeta: SchemaMessage, into: StoredMetadata): void {
  const uidNumber = objectMeta.byJsonName.get('uid')?.number;
  const ownersField = objectMeta.byJsonName.get('ownerReferences');
  const r = new WireReader(value, start, end);
  while (!r.done) {
    const tag = r.uint32();
    const number = tag >>> 3;
    if ((tag & 7) !== WIRE_BYTES || (number !== uidNumber && number !== ownersField?.number)) {
      r.skip(tag & 7);
      continue;
    }
    const [s, e] = r.lengthDelimited();
    if (number === uidNumber) into.uid = utf8Decode(value, s, e);
    else if (ownersField?.message !== undefined) into.ownerReferences.push(readOwnerReference(value, s, e, ownersField.message));
  }
}

function readOwnerReference(value: Uint8Array, start: number, end: number, message: SchemaMessage): StoredOwnerReference {
  const owner: StoredOwnerReference = { apiVersion: '', kind: '', name: '', uid: '' };
  const names = new Map<number, keyof StoredOwnerReference>();
  for (const name of ['apiVersion', 'kind', 'name', 'uid'] as const) {
    const number = message.byJsonName.get(name)?.number;
    if (number !== undefined) names.set(number, name);
  }
  const r = new WireReader(value, start, end);
  while (!r.done) {
    const tag = r.uint32();
    const name = names.get(tag >>> 3);
    if ((tag & 7) !== WIRE_BYTES || name === undefined) {
      r.skip(tag & 7);
      continue;
    }
    const [s, e] = r.lengthDelimited();
    owner[name] = utf8Decode(value, s, e);
  }
  return owner;
}
