/**
 * Any value kube-apiserver writes to etcd → the object the Kubernetes API would return for it.
 */
import { DecodeError, KregError } from '../errors.js';
import { decodeCbor } from './cbor.js';
import { detectFormat, isWrongMagic, splitEtcdctlOutput, type ValueFormat } from './detect.js';
import { parseEncryptionPrefix, type EncryptionInfo } from './encryption.js';
import { readEnvelope } from './envelope.js';
import { parseGoJson } from './go-json.js';
import { isJsonObject, type JsonObject } from './json-value.js';
import { checkKubernetesObject, type KubernetesObject } from './kubernetes-object.js';
import { decodeProtobufMessage, type UnknownField, type VerbatimJson, type WirePresence } from './protobuf-to-json.js';
import type { Schema } from './schema.js';
import { base64Encode, hexPreview, utf8Decode } from './text.js';
import { viewWireFields, wireViewToJson } from './wire-view.js';

/** What decode() tells about one stored value; pass it to encode() to get the stored bytes back. */
export interface DecodedValue {
  format: ValueFormat;
  apiVersion?: string;
  kind?: string;
  /**
   * The Kubernetes JSON object with apiVersion and kind, for protobuf, JSON and CBOR values;
   * absent for encrypted and opaque ones. Its typed fields are checked (see KubernetesObject).
   */
  object?: KubernetesObject;
  /** Protobuf fields the schema does not know, or whose value JSON cannot hold; empty otherwise. */
  unknownFields: UnknownField[];
  /** Size of the stored value in bytes. */
  size: number;
  /** False when the envelope names a kind this bundle does not know; the object then has only apiVersion and kind. */
  knownKind: boolean;
  /** For an unknown kind: the message by field number, without a schema. */
  fieldView?: JsonObject;
  encryption?: EncryptionInfo;
  /** For opaque values: a hex preview of the first bytes. */
  hexPreview?: string;
  /** The key, when the input was etcdctl's "KEY\nVALUE" output. */
  key?: string;
  /** What re-encoding needs to give the stored bytes back; not part of the object. */
  storage: StorageDetails;
}

/** Facts about the stored bytes that the object does not show; encode() needs them to reproduce the value. Treat as opaque. */
export interface StorageDetails {
  verbatim: VerbatimJson[];
  contentEncoding?: string;
  contentType?: string;
  /** Raw object bytes of an unknown kind, or the whole value for encrypted and opaque values. */
  rawBytes?: Uint8Array;
  /** CBOR values: the decoder's record of how to write the value back. */
  cbor?: unknown;
  /** JSON values: whether the stored text ended in a newline (json.Encoder writes one). */
  jsonTrailingNewline?: boolean;
  /** The Kubernetes release the value was decoded as, when not the newest; encode() uses the same. */
  kubeVersion?: string;
  /**
   * Protobuf values: where the stored bytes' field presence differs from what the decoding
   * release's encoder would write (another release wrote them, or Go kept an empty value the JSON
   * omits); encode() follows it while those fields keep their decoded values. Absent when none.
   */
  presence?: WirePresence[];
}

/** Options of decode(). */
export interface DecodeOptions {
  /**
   * The type to decode as when the envelope does not name one. Kinds without TypeMeta (such as
   * WatchEvent) are written with an empty apiVersion and kind, and only the reader knows what they are.
   */
  type?: { apiVersion: string; kind: string };
  /**
   * The Kubernetes release whose API server wrote the value, e.g. "1.19": its messages, fields,
   * kinds and JSON rules are used. Default: the newest release kreg knows.
   */
  kubeVersion?: string;
  /**
   * The caller drops the object's metadata.managedFields (kubectl's default view): their fieldsV1
   * are left as null instead of parsed, about a third of decoding a typical Pod. Protobuf only.
   */
  managedFieldsHidden?: boolean;
}

/**
 * Decode one stored value. Also accepts etcdctl's output forms: a leading key line and a trailing
 * newline. Throws DecodeError (with the byte offset and field path) for values that claim a
 * format but are damaged; never throws for a kind the schema does not know.
 */
export function decodeValue(schema: Schema, input: Uint8Array, options: DecodeOptions = {}): DecodedValue {
  const { key, value } = splitEtcdctlOutput(input);
  let decoded: DecodedValue;
  try {
    decoded = decodeStored(schema, value, options);
  } catch (err) {
    // etcdctl adds a newline after the value; it is only stripped when the value fails without it.
    if (value[value.length - 1] === 0x0a && err instanceof DecodeError) {
      try {
        decoded = decodeStored(schema, value.subarray(0, value.length - 1), options);
      } catch {
        throw key === undefined ? err : err.withSubject({ key });
      }
    } else {
      throw err instanceof KregError && key !== undefined ? err.withSubject({ key }) : err;
    }
  }
  if (key !== undefined) decoded.key = key;
  if (options.kubeVersion !== undefined) decoded.storage.kubeVersion = options.kubeVersion;
  if (decoded.object !== undefined) {
    try {
      checkKubernetesObject(decoded.object);
    } catch (err) {
      throw key !== undefined && err instanceof KregError ? err.withSubject({ key }) : err;
    }
  }
  return decoded;
}

function decodeStored(schema: Schema, value: Uint8Array, options: DecodeOptions): DecodedValue {
  const format = detectFormat(value);
  switch (format) {
    case 'protobuf':
      return decodeProtobufValue(schema, value, options);
    case 'json':
      return decodeJsonValue(value);
    case 'cbor':
      return decodeCborValue(value);
    case 'encrypted': {
      const encryption = parseEncryptionPrefix(value);
      const decoded: DecodedValue = { format, unknownFields: [], size: value.length, knownKind: false, storage: { verbatim: [], rawBytes: value.slice() } };
      if (encryption !== undefined) decoded.encryption = encryption;
      return decoded;
    }
    case 'opaque':
      if (isWrongMagic(value)) {
        throw new DecodeError('bad-magic', `wrong magic: starts with "k8s" then byte 0x${(value[3] as number).toString(16).padStart(2, '0')}, not "k8s\\0" or "k8s:enc:"`, { offset: 3 });
      }
      return { format, unknownFields: [], size: value.length, knownKind: false, hexPreview: hexPreview(value), storage: { verbatim: [], rawBytes: value.slice() } };
  }
}

function decodeProtobufValue(schema: Schema, value: Uint8Array, options: DecodeOptions): DecodedValue {
  const envelope = readEnvelope(value);
  const { apiVersion, kind } = envelope;
  const type = kind === '' ? options.type : { apiVersion, kind };
  if (type === undefined) {
    throw new DecodeError('no-kind', 'the protobuf envelope names no kind; give the type to decode as', { offset: 4 });
  }
  const storage: StorageDetails = { verbatim: [] };
  if (envelope.contentEncoding !== '') storage.contentEncoding = envelope.contentEncoding;
  if (envelope.contentType !== '') storage.contentType = envelope.contentType;
  const message = schema.kindMessage(type.apiVersion, type.kind);
  // The object shows the type it was stored with: none, for kinds stored without TypeMeta.
  const head: JsonObject = kind === '' ? {} : { kind, apiVersion };
  if (message === undefined) {
    const raw = value.slice(envelope.rawStart, envelope.rawEnd);
    storage.rawBytes = raw;
    const decoded: DecodedValue = {
      format: 'protobuf',
      apiVersion: type.apiVersion,
      kind: type.kind,
      object: head,
      unknownFields: envelope.unknownFields,
      size: value.length,
      knownKind: false,
      storage,
    };
    const view = viewWireFields(raw);
    // Bytes that do not even parse as protobuf are shown whole, as base64.
    decoded.fieldView = view === undefined ? { bytes: base64Encode(raw) } : wireViewToJson(view);
    return decoded;
  }
  const result = decodeProtobufMessage(message, value, envelope.rawStart, envelope.rawEnd, 0, head, { skipFieldsV1: options.managedFieldsHidden === true });
  storage.verbatim = result.verbatim;
  if (result.presence.length > 0) storage.presence = result.presence;
  for (const field of result.unknownFields) {
    if (field.reason !== 'unknown') continue;
    const known = schema.describeUnknownField(field.message, field.number);
    if (known !== undefined) field.known = known;
  }
  const object = isJsonObject(result.object) ? result.object : head;
  return {
    format: 'protobuf',
    apiVersion: type.apiVersion,
    kind: type.kind,
    object,
    unknownFields: [...result.unknownFields, ...envelope.unknownFields],
    size: value.length,
    knownKind: true,
    storage,
  };
}

function describeHead(object: JsonObject): { apiVersion?: string; kind?: string } {
  const out: { apiVersion?: string; kind?: string } = {};
  if (typeof object.apiVersion === 'string') out.apiVersion = object.apiVersion;
  if (typeof object.kind === 'string') out.kind = object.kind;
  return out;
}

function decodeJsonValue(value: Uint8Array): DecodedValue {
  const text = utf8Decode(value);
  let parsed: ReturnType<typeof parseGoJson>;
  try {
    parsed = parseGoJson(text);
  } catch (err) {
    if (err instanceof KregError) throw err;
    throw new DecodeError('bad-json', `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isJsonObject(parsed)) throw new DecodeError('bad-json', 'JSON value is not an object');
  return {
    format: 'json',
    ...describeHead(parsed),
    object: parsed,
    unknownFields: [],
    size: value.length,
    knownKind: true,
    storage: { verbatim: [], jsonTrailingNewline: text.endsWith('\n') },
  };
}

function decodeCborValue(value: Uint8Array): DecodedValue {
  const decoded = decodeCbor(value);
  if (!isJsonObject(decoded.value)) throw new DecodeError('bad-cbor', 'CBOR value is not a map');
  return {
    format: 'cbor',
    ...describeHead(decoded.value),
    object: decoded.value,
    unknownFields: [],
    size: value.length,
    knownKind: true,
    storage: decoded.canonical ? { verbatim: [], cbor: decoded } : { verbatim: [], cbor: decoded, rawBytes: value.slice() },
  };
}
