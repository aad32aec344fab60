/**
 * What kreg shows for a value encrypted at rest that it could not decrypt (no keys were given, or
 * they did not fit): a stand-in that keeps the object listed, built from what is readable without
 * decrypting: the key (name and namespace), the provider and key name of the `k8s:enc:` prefix,
 * a KMS v2 value's keyID, and the size. Its apiVersion `kreg/v1` can be no served API (groups of
 * custom resources need a dot; no built-in group is named kreg) and its kind is EncryptedObject, so
 * it cannot pass for the object it stands for, and `kubectl apply` refuses it.
 */
import { ENCRYPTED_PREFIX, startsWith } from './codec/detect.js';
import { parseEncryptionPrefix } from './codec/encryption.js';
import { ruleTransformers, type EncryptionConfig } from './codec/encryption-config.js';
import type { JsonObject } from './codec/json-value.js';
import { parseKmsV2EncryptedObject } from './codec/kms-v2.js';
import { utf8Encode } from './codec/text.js';
import { apiVersionOf, type ParsedKey } from './keys/index.js';

/** The apiVersion of a stand-in: no served API has it (custom resource groups need a dot). */
export const ENCRYPTED_OBJECT_API_VERSION = 'kreg/v1';
/** The kind of a stand-in. */
export const ENCRYPTED_OBJECT_KIND = 'EncryptedObject';

/** What a value's prefix (and a KMS v2 EncryptedObject's header) says, without decrypting. */
export interface EncryptedValueFacts {
  /** aescbc, aesgcm, secretbox, kms, ... */
  provider: string;
  /** The provider's value format: v1, or v2 for KMS v2. */
  providerVersion: string;
  /** The key name, or the KMS plugin's name. */
  keyName: string;
  /** KMS v2: the keyID of the KEK the plugin encrypted the DEK with. */
  kmsKeyID?: string;
  /** The stored value's size in bytes. */
  size: number;
}

/**
 * The facts of an encrypted value, or undefined when it is not one. Key names may contain ":";
 * a configuration, when given, names them in full (without one, the name ends at the next ":").
 */
export function encryptedValueFacts(value: Uint8Array, config?: EncryptionConfig): EncryptedValueFacts | undefined {
  if (!startsWith(value, ENCRYPTED_PREFIX)) return undefined;
  const info = parseEncryptionPrefix(value);
  const facts: EncryptedValueFacts = { provider: info?.provider ?? 'unknown', providerVersion: info?.providerVersion ?? '', keyName: info?.keyName ?? '', size: value.length };
  let payloadOffset = info?.payloadOffset;
  const configured = config?.rules.flatMap(ruleTransformers).find((t) => t.prefix !== '' && startsWith(value, utf8Encode(t.prefix)));
  if (configured !== undefined) {
    facts.keyName = configured.keyName;
    payloadOffset = configured.prefix.length;
  }
  if (facts.provider === 'kms' && facts.providerVersion === 'v2' && payloadOffset !== undefined) {
    try {
      const keyID = parseKmsV2EncryptedObject(value.subarray(payloadOffset)).keyID;
      if (keyID !== '') facts.kmsKeyID = keyID;
    } catch {
      // A damaged EncryptedObject: the stand-in says what the prefix says and no more.
    }
  }
  return facts;
}

/** What a table shows in each column of an encrypted object: `<encrypted aescbc:key1>`, `<encrypted kms:PLUGIN>`. */
export function encryptedLabel(facts: EncryptedValueFacts): string {
  return `<encrypted ${facts.provider}:${facts.keyName}>`;
}

/** The stand-in object for an encrypted value stored under `key`. */
export function encryptedObjectStub(key: string, parsed: ParsedKey | undefined, facts: EncryptedValueFacts): JsonObject {
  const metadata: JsonObject = {};
  if (parsed?.type === 'object') {
    metadata.name = parsed.name;
    if (parsed.namespace !== undefined) metadata.namespace = parsed.namespace;
  }
  const encrypted: JsonObject = { key, provider: facts.provider, providerVersion: facts.providerVersion, keyName: facts.keyName };
  if (facts.kmsKeyID !== undefined) encrypted.kmsKeyID = facts.kmsKeyID;
  encrypted.size = facts.size;
  if (parsed?.type === 'object') encrypted.storedAs = { apiVersion: apiVersionOf(parsed.group, parsed.version), kind: parsed.kind };
  return { apiVersion: ENCRYPTED_OBJECT_API_VERSION, kind: ENCRYPTED_OBJECT_KIND, metadata, encrypted };
}

/** Whether an object is such a stand-in. */
export function isEncryptedObjectStub(object: JsonObject): boolean {
  return object.apiVersion === ENCRYPTED_OBJECT_API_VERSION && object.kind === ENCRYPTED_OBJECT_KIND;
}
