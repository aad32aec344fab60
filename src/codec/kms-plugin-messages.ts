/**
 * The messages of the gRPC service a KMS plugin serves on its unix socket (k8s.io/kms apis
 * v1beta1 and v2), both directions: kreg's client writes requests and reads responses, and a test
 * plugin reads requests and writes responses. Every field is a string, bytes or a map of bytes,
 * so one small field table per message is all the schema needed. Pure.
 *
 * v1beta1: Version(VersionRequest{version=1}) → VersionResponse{version=1, runtime_name=2, runtime_version=3};
 *   Decrypt(DecryptRequest{version=1, cipher=2}) → DecryptResponse{plain=1};
 *   Encrypt(EncryptRequest{version=1, plain=2}) → EncryptResponse{cipher=1}.
 * v2: Status(StatusRequest{}) → StatusResponse{version=1, healthz=2, key_id=3};
 *   Decrypt(DecryptRequest{ciphertext=1, uid=2, key_id=3, annotations=4}) → DecryptResponse{plaintext=1};
 *   Encrypt(EncryptRequest{plaintext=1, uid=2}) → EncryptResponse{ciphertext=1, key_id=2, annotations=3}.
 */
import { utf8Decode, utf8Encode } from './text.js';
import { WIRE_BYTES, WireReader, WireWriter } from './wire.js';

/** A field's value: text, bytes, or a map<string, bytes>. */
type FieldValue = string | Uint8Array | Record<string, Uint8Array>;
type FieldKind = 'string' | 'bytes' | 'map';

/** A message schema: field name → [number, kind]. */
type Fields = Record<string, readonly [number, FieldKind]>;

/** The message a schema describes, every field optional as proto3 reads them. */
type MessageOf<F extends Fields> = {
  [K in keyof F]?: F[K][1] extends 'string' ? string : F[K][1] extends 'bytes' ? Uint8Array : Record<string, Uint8Array>;
};

function encodeMessage<F extends Fields>(fields: F, message: MessageOf<F>): Uint8Array {
  const w = new WireWriter(64);
  for (const [name, [number, kind]] of Object.entries(fields)) {
    const value = (message as Record<string, FieldValue | undefined>)[name];
    if (value === undefined) continue;
    if (kind === 'map') {
      for (const [k, v] of Object.entries(value as Record<string, Uint8Array>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        w.tag(number, WIRE_BYTES);
        const mark = w.beginDelimited();
        w.tag(1, WIRE_BYTES);
        w.bytes(utf8Encode(k));
        w.tag(2, WIRE_BYTES);
        w.bytes(v);
        w.finishDelimited(mark);
      }
      continue;
    }
    const bytes = typeof value === 'string' ? utf8Encode(value) : (value as Uint8Array);
    if (bytes.length === 0) continue; // proto3 leaves default values out
    w.tag(number, WIRE_BYTES);
    w.bytes(bytes);
  }
  return w.finish();
}

function decodeMessage<F extends Fields>(fields: F, bytes: Uint8Array): MessageOf<F> {
  const byNumber = new Map(Object.entries(fields).map(([name, [number, kind]]) => [number, { name, kind }]));
  const out: Record<string, FieldValue> = {};
  const r = new WireReader(bytes);
  while (!r.done) {
    const tag = r.uint32();
    const field = byNumber.get(tag >>> 3);
    if (field === undefined || (tag & 7) !== WIRE_BYTES) {
      r.skip(tag & 7);
      continue;
    }
    const [s, e] = r.lengthDelimited();
    if (field.kind === 'string') out[field.name] = utf8Decode(bytes, s, e);
    else if (field.kind === 'bytes') out[field.name] = bytes.slice(s, e);
    else {
      const [key, value] = readStringBytesMapEntry(bytes, s, e);
      const map = (out[field.name] as Record<string, Uint8Array> | undefined) ?? {};
      map[key] = value;
      out[field.name] = map;
    }
  }
  return out as MessageOf<F>;
}

/** One entry of a protobuf map<string, bytes> (key = 1, value = 2), from its bytes [start, end). */
export function readStringBytesMapEntry(bytes: Uint8Array, start: number, end: number): [string, Uint8Array] {
  const entry = new WireReader(bytes, start, end);
  let key = '';
  let value = new Uint8Array();
  while (!entry.done) {
    const t = entry.uint32();
    if ((t & 7) !== WIRE_BYTES) {
      entry.skip(t & 7);
      continue;
    }
    const [ks, ke] = entry.lengthDelimited();
    if (t >>> 3 === 1) key = utf8Decode(bytes, ks, ke);
    else if (t >>> 3 === 2) value = bytes.slice(ks, ke);
  }
  return [key, value];
}

/** One message type: its field table, and encode/decode over it. */
function messageType<F extends Fields>(fields: F): { encode(message: MessageOf<F>): Uint8Array; decode(bytes: Uint8Array): MessageOf<F> } {
  return { encode: (message) => encodeMessage(fields, message), decode: (bytes) => decodeMessage(fields, bytes) };
}

/** KMS plugin API v1beta1 (package v1beta1, service KeyManagementService). */
export const KMS_V1BETA1 = {
  service: 'v1beta1.KeyManagementService',
  VersionRequest: messageType({ version: [1, 'string'] }),
  VersionResponse: messageType({ version: [1, 'string'], runtimeName: [2, 'string'], runtimeVersion: [3, 'string'] }),
  DecryptRequest: messageType({ version: [1, 'string'], cipher: [2, 'bytes'] }),
  DecryptResponse: messageType({ plain: [1, 'bytes'] }),
  EncryptRequest: messageType({ version: [1, 'string'], plain: [2, 'bytes'] }),
  EncryptResponse: messageType({ cipher: [1, 'bytes'] }),
} as const;

/** KMS plugin API v2 (package v2, service KeyManagementService). */
export const KMS_V2 = {
  service: 'v2.KeyManagementService',
  StatusRequest: messageType({}),
  StatusResponse: messageType({ version: [1, 'string'], healthz: [2, 'string'], keyId: [3, 'string'] }),
  DecryptRequest: messageType({ ciphertext: [1, 'bytes'], uid: [2, 'string'], keyId: [3, 'string'], annotations: [4, 'map'] }),
  DecryptResponse: messageType({ plaintext: [1, 'bytes'] }),
  EncryptRequest: messageType({ plaintext: [1, 'bytes'], uid: [2, 'string'] }),
  EncryptResponse: messageType({ ciphertext: [1, 'bytes'], keyId: [2, 'string'], annotations: [3, 'map'] }),
} as const;
