/**
 * KMS v2 values (`k8s:enc:kms:v2:<provider name>:` + a protobuf EncryptedObject), read without the
 * KMS plugin: what the object names (key ID, the encrypted DEK source and its type, annotations)
 * and the data encrypted with the DEK. Decrypting needs the DEK or seed the plugin's Decrypt
 * returns for encryptedDEKSource; see src/decryption/kms-v2.ts. Pure.
 *
 * message EncryptedObject { bytes encryptedData = 1; string keyID = 2; bytes encryptedDEKSource = 3;
 *   map<string, bytes> annotations = 4; EncryptedDEKSourceType encryptedDEKSourceType = 5; }
 * (kubernetes/apiserver pkg/storage/value/encrypt/envelope/kmsv2/v2/api.proto)
 */
import { DecodeError } from '../errors.js';
import type { AesPrimitives } from './decrypt.js';
import { readStringBytesMapEntry } from './kms-plugin-messages.js';
import { utf8Decode, utf8Encode } from './text.js';
import { WIRE_BYTES, WIRE_VARINT, WireReader } from './wire.js';

/** How the plaintext of encryptedDEKSource gives the DEK. */
export type EncryptedDEKSourceType = 'AES_GCM_KEY' | 'HKDF_SHA256_XNONCE_AES_GCM_SEED';

/** A KMS v2 EncryptedObject. */
export interface KmsV2EncryptedObject {
  encryptedData: Uint8Array;
  keyID: string;
  /** What the KMS plugin decrypts: the DEK (AES_GCM_KEY) or the seed (HKDF_SHA256_XNONCE_AES_GCM_SEED). */
  encryptedDEKSource: Uint8Array;
  annotations: Record<string, Uint8Array>;
  encryptedDEKSourceType: EncryptedDEKSourceType;
}

/** The EncryptedObject after the `k8s:enc:kms:v2:<name>:` prefix. */
export function parseKmsV2EncryptedObject(bytes: Uint8Array): KmsV2EncryptedObject {
  const out: KmsV2EncryptedObject = { encryptedData: new Uint8Array(), keyID: '', encryptedDEKSource: new Uint8Array(), annotations: {}, encryptedDEKSourceType: 'AES_GCM_KEY' };
  const r = new WireReader(bytes);
  while (!r.done) {
    const tag = r.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 5 && wireType === WIRE_VARINT) {
      const type = r.uint32();
      if (type === 0) out.encryptedDEKSourceType = 'AES_GCM_KEY';
      else if (type === 1) out.encryptedDEKSourceType = 'HKDF_SHA256_XNONCE_AES_GCM_SEED';
      else throw new DecodeError('bad-kms-object', `KMS v2 EncryptedObject: unknown encryptedDEKSourceType ${type}`);
      continue;
    }
    if (number < 1 || number > 4 || wireType !== WIRE_BYTES) {
      r.skip(wireType);
      continue;
    }
    const [s, e] = r.lengthDelimited();
    if (number === 1) out.encryptedData = bytes.slice(s, e);
    else if (number === 2) out.keyID = utf8Decode(bytes, s, e);
    else if (number === 3) out.encryptedDEKSource = bytes.slice(s, e);
    else {
      const [key, value] = readStringBytesMapEntry(bytes, s, e);
      out.annotations[key] = value;
    }
  }
  if (out.encryptedData.length === 0) throw new DecodeError('bad-kms-object', 'KMS v2 EncryptedObject: no encryptedData');
  return out;
}

/** HKDF-Expand(SHA-256, prk, info) for one 32-byte block: HMAC(prk, info || 0x01). */
export function hkdfSha256ExpandOnly(aes: AesPrimitives, prk: Uint8Array, info: Uint8Array): Uint8Array {
  const input = new Uint8Array(info.length + 1);
  input.set(info);
  input[info.length] = 1;
  return aes.hmacSha256(prk, input);
}

/**
 * The stored bytes inside, given the DEK or seed the plugin returned for encryptedDEKSource, as
 * kube-apiserver reads them: AES_GCM_KEY uses the DEK directly; HKDF_SHA256_XNONCE_AES_GCM_SEED
 * derives the key with HKDF-Expand of the seed over the first 32 bytes of the data, the rest being
 * nonce, ciphertext and tag. The authenticated data is the etcd key. Throws when anything is wrong.
 */
export function decryptKmsV2Object(aes: AesPrimitives, object: KmsV2EncryptedObject, dekOrSeed: Uint8Array, etcdKey: string): Uint8Array {
  let key = dekOrSeed;
  let data = object.encryptedData;
  if (object.encryptedDEKSourceType === 'HKDF_SHA256_XNONCE_AES_GCM_SEED') {
    if (data.length < 32 + 12 + 16) throw new DecodeError('bad-kms-object', 'KMS v2 data too short');
    key = hkdfSha256ExpandOnly(aes, dekOrSeed, data.subarray(0, 32));
    data = data.subarray(32);
  }
  if (data.length < 12 + 16) throw new DecodeError('bad-kms-object', 'KMS v2 data too short');
  return aes.aesGcmDecrypt(key, data.subarray(0, 12), data.subarray(12), utf8Encode(etcdKey));
}
