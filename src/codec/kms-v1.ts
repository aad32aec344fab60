/**
 * KMS v1 values (`k8s:enc:kms:v1:<provider name>:` + payload), read without the plugin: the
 * payload is a 2-byte big-endian length, the DEK encrypted by the plugin's KEK, then the data
 * encrypted with the DEK (AES-GCM from Kubernetes 1.25, AES-CBC before). Pure.
 */
import { DecodeError } from '../errors.js';

/** A KMS v1 payload split into what the plugin decrypts and what the DEK then decrypts. */
export interface KmsV1Payload {
  encryptedDEK: Uint8Array;
  encryptedData: Uint8Array;
}

export function parseKmsV1Payload(bytes: Uint8Array): KmsV1Payload {
  if (bytes.length < 2) throw new DecodeError('bad-kms-object', 'KMS v1 value: no DEK length');
  const length = ((bytes[0] as number) << 8) | (bytes[1] as number);
  if (length === 0 || 2 + length > bytes.length) throw new DecodeError('bad-kms-object', `KMS v1 value: DEK length ${length} does not fit in the ${bytes.length - 2} bytes after it`);
  return { encryptedDEK: bytes.slice(2, 2 + length), encryptedData: bytes.subarray(2 + length) };
}
