/**
 * kreg as a library: decode what kube-apiserver stores in etcd, and encode objects back to the
 * exact bytes it would store.
 *
 *   import { decode, encode } from 'kreg';
 *   const { format, apiVersion, kind, object, unknownFields } = decode(bytes);
 */
import { decodeValue, type DecodedValue, type DecodeOptions } from './codec/decode-value.js';
import { encodeValue, type EncodeOptions } from './codec/encode-value.js';
import type { JsonObject } from './codec/json-value.js';
import { loadSchema } from './schema-bundle.js';

/** Decode one stored value (protobuf, JSON, CBOR; encrypted and opaque values are described). */
export function decode(value: Uint8Array, options?: DecodeOptions): DecodedValue {
  return decodeValue(loadSchema(), value, options);
}

/** The bytes kube-apiserver would store for a decoded value or a plain Kubernetes object. */
export function encode(decodedOrObject: DecodedValue | JsonObject, options?: EncodeOptions): Uint8Array {
  return encodeValue(loadSchema(), decodedOrObject, options);
}

export { loadSchema } from './schema-bundle.js';
export type { DecodedValue, DecodeOptions, StorageDetails } from './codec/decode-value.js';
export type { EncodeOptions } from './codec/encode-value.js';
export type { ValueFormat } from './codec/detect.js';
export type { EncryptionInfo } from './codec/encryption.js';
export type { UnknownField } from './codec/protobuf-to-json.js';
export type { JsonObject, JsonValue } from './codec/json-value.js';
export { GoFloat } from './codec/json-value.js';
export { KregError, DecodeError, EncodeError, UsageError } from './errors.js';
