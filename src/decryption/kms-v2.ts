/**
 * The data of a KMS v2 EncryptedObject decrypted with the DEK or seed its KMS plugin gave back for
 * encryptedDEKSource, as kube-apiserver does: AES_GCM_KEY uses the DEK directly;
 * HKDF_SHA256_XNONCE_AES_GCM_SEED derives the key with HKDF-Expand (SHA-256, no extract step) of
 * the seed over the first 32 bytes of the data, the rest being nonce, ciphertext and tag. The
 * authenticated data is the etcd key.
 */
import { createHmac } from 'node:crypto';
import type { KmsV2EncryptedObject } from '../codec/kms-v2.js';
import { NODE_AES } from './node-decryptor.js';

/** HKDF-Expand(SHA-256, prk, info) for one 32-byte block: HMAC(prk, info || 0x01). */
export function hkdfSha256ExpandOnly(prk: Uint8Array, info: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', prk).update(info).update(Uint8Array.of(1)).digest());
}

/** The stored bytes inside; throws when the DEK (or seed) or the etcd key is wrong. */
export function decryptKmsV2Data(object: KmsV2EncryptedObject, dekOrSeed: Uint8Array, etcdKey: string): Uint8Array {
  const aad = new TextEncoder().encode(etcdKey);
  let key = dekOrSeed;
  let data = object.encryptedData;
  if (object.encryptedDEKSourceType === 'HKDF_SHA256_XNONCE_AES_GCM_SEED') {
    if (data.length < 32 + 12 + 16) throw new Error('KMS v2 data too short');
    key = hkdfSha256ExpandOnly(dekOrSeed, data.subarray(0, 32));
    data = data.subarray(32);
  }
  if (data.length < 12 + 16) throw new Error('KMS v2 data too short');
  return NODE_AES.aesGcmDecrypt(key, data.subarray(0, 12), data.subarray(12), aad);
}
