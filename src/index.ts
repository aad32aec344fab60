/**
 * `kreg`: decode what kube-apiserver stores in etcd, and encode objects back to the exact bytes
 * it would store. This entry loads no etcd client and touches the file system only to read the
 * schema bundle on the first decode or encode; key mapping, snapshot files and live etcd are the
 * subpath entries `kreg/keys`, `kreg/snapshot`, `kreg/etcd` and `kreg/sources`.
 *
 * @example
 *   import { decode, encode } from 'kreg';
 *   const { format, apiVersion, kind, object, unknownFields } = decode(bytes);
 *   encode(decode(bytes)); // the same bytes
 */
import { decodeValue, type DecodedValue, type DecodeOptions } from './codec/decode-value.js';
import { encodeValue, isDecodedValue, type EncodeOptions } from './codec/encode-value.js';
import type { JsonObject } from './codec/json-value.js';
import { loadSchema, normalizeRelease } from './schema-bundle.js';

/**
 * Decodes one stored value: protobuf (`k8s\0` envelope), JSON, CBOR; encrypted (`k8s:enc:`) and
 * opaque values are described, not decoded. etcdctl's output (a key line, a trailing newline) is
 * accepted too. The format is told by the first bytes only.
 *
 * Never throws for a kind the schema does not know (`knownKind` is false and `fieldView` shows
 * the fields by number). `options.kubeVersion` ("1.16" ... "1.36") decodes as that release's API
 * server served the value: its kinds, fields and JSON rules (default: the newest).
 *
 * @throws DecodeError for a damaged value, naming the byte offset and field path (`code` e.g.
 *   "truncated", "bad-magic", "bad-json", "no-kind", "bad-object-meta").
 * @throws UsageError ("unknown-kube-version") for a release kreg does not know.
 * @example
 *   const decoded = decode(readFileSync('deployment.pb'));
 *   console.log(decoded.kind, decoded.object?.metadata?.name, decoded.unknownFields.length);
 */
export function decode(value: Uint8Array, options?: DecodeOptions): DecodedValue {
  const kubeVersion = options?.kubeVersion === undefined ? undefined : normalizeRelease(options.kubeVersion);
  if (kubeVersion === undefined || options === undefined) return decodeValue(loadSchema(), value, options);
  return decodeValue(loadSchema(kubeVersion), value, { ...options, kubeVersion });
}

/**
 * The bytes kube-apiserver would store. Given a DecodedValue (from decode), an unmodified one
 * gives the original bytes back, unknown fields included; given a plain object, the storage
 * encoding of its kind (protobuf for built-in kinds unless `options` say otherwise).
 *
 * @throws EncodeError for an unknown kind or a field of the wrong type (naming the field path).
 * @example
 *   const bytes = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
 */
export function encode(decodedOrObject: DecodedValue | JsonObject, options?: EncodeOptions): Uint8Array {
  const kubeVersion = options?.kubeVersion ?? (isDecodedValue(decodedOrObject) ? decodedOrObject.storage.kubeVersion : undefined);
  return encodeValue(loadSchema(kubeVersion), decodedOrObject, options);
}

export type { DecodedValue, DecodeOptions, StorageDetails } from './codec/decode-value.js';
export type { EncodeOptions } from './codec/encode-value.js';
export type { ValueFormat } from './codec/detect.js';
export type { EncryptionInfo } from './codec/encryption.js';
export type { UnknownField, VerbatimJson, WirePresence } from './codec/protobuf-to-json.js';
export type { JsonArray, JsonObject, JsonValue } from './codec/json-value.js';
export type { KubernetesObject, ObjectMeta, OwnerReference } from './codec/kubernetes-object.js';
export { GoFloat } from './codec/json-value.js';
export { KregError, DecodeError, EncodeError, UsageError, type ErrorSubject } from './errors.js';
