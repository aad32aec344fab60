/**
 * Values encrypted at rest start with `k8s:enc:<provider>:v<N>:<key name>:`. Decryption needs the
 * EncryptionConfiguration; this module only reads the prefix. Key names may themselves contain
 * ":", which only the configuration can resolve, so the name reported is the text up to the
 * next ":" and says so.
 */
import { utf8Decode } from './text.js';

/** What the `k8s:enc:` prefix of a value encrypted at rest says; kreg does not decrypt. */
export interface EncryptionInfo {
  /** aescbc, aesgcm, secretbox, kms, ... */
  provider: string;
  /** v1, v2 */
  providerVersion: string;
  /** The key name as far as the next ":"; a configured name containing ":" is longer. */
  keyName: string;
  /** Bytes after the prefix: the ciphertext (for KMS v2, an EncryptedObject message). */
  payloadOffset: number;
}

const PREFIX = 'k8s:enc:';

export function parseEncryptionPrefix(bytes: Uint8Array): EncryptionInfo | undefined {
  // The prefix is ASCII and short; look at no more than the first 256 bytes.
  const head = utf8Decode(bytes, 0, Math.min(bytes.length, 256));
  if (!head.startsWith(PREFIX)) return undefined;
  const parts = head.slice(PREFIX.length).split(':');
  if (parts.length < 4) return undefined;
  const [provider = '', providerVersion = '', keyName = ''] = parts;
  if (!/^v\d+$/.test(providerVersion)) return undefined;
  const prefixLength = PREFIX.length + provider.length + 1 + providerVersion.length + 1 + keyName.length + 1;
  return { provider, providerVersion, keyName, payloadOffset: prefixLength };
}
