/**
 * KMS v2 data decrypted with node:crypto's AES and HMAC (see decryptKmsV2Object in the codec),
 * given the DEK or seed the KMS plugin gave back for encryptedDEKSource.
 */
import { decryptKmsV2Object, type KmsV2EncryptedObject } from '../codec/kms-v2.js';
import { NODE_AES } from './node-decryptor.js';

/** The stored bytes inside; throws when the DEK (or seed) or the etcd key is wrong. */
export function decryptKmsV2Data(object: KmsV2EncryptedObject, dekOrSeed: Uint8Array, etcdKey: string): Uint8Array {
  return decryptKmsV2Object(NODE_AES, object, dekOrSeed, etcdKey);
}
