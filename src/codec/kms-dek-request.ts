/**
 * What decrypting a KMS value needs from its plugin first: kube-apiserver's envelope encryption
 * keeps a DEK (KMS v1; KMS v2 also a seed) encrypted by the plugin's KEK beside the data, and only
 * the plugin's Decrypt opens it. Many values share one DEK, so a request names the DEK by its
 * encrypted bytes: asking once per distinct DEK serves them all. Pure.
 */
import { startsWith } from './detect.js';
import { ruleTransformers, type EncryptionConfig, type PrefixTransformer } from './encryption-config.js';
import { type KmsV1Payload, parseKmsV1Payload } from './kms-v1.js';
import { type KmsV2EncryptedObject, parseKmsV2EncryptedObject } from './kms-v2.js';
import { base64Encode, utf8Encode } from './text.js';

/** One Decrypt call a KMS plugin is to answer. */
export interface KmsDekRequest {
  /** The KMS provider's name in the configuration. */
  pluginName: string;
  apiVersion: 'v1' | 'v2';
  /** As configured (`unix:///path`); --kms-socket may override it. */
  endpoint: string | undefined;
  /** What the plugin decrypts: v1 the encrypted DEK, v2 encryptedDEKSource. */
  ciphertext: Uint8Array;
  /** KMS v2: the KEK's keyID and the plugin's annotations, sent back with Decrypt. */
  keyID: string;
  annotations: Record<string, Uint8Array>;
  /** The same for every value encrypted with this DEK (and no other). */
  cacheKey: string;
}

/**
 * DEKs (or seeds) that plugins gave back: asked for (I/O, by the implementation) before a value is
 * decrypted, then looked up without I/O while decrypting.
 */
export interface KmsDekLookup {
  /** Asks the plugin for the DEK of a KMS value, once per distinct DEK; resolves when it is known (or failed). */
  prepare(value: Uint8Array): Promise<void>;
  /** The plaintext DEK or seed; an Error when the plugin failed for it; undefined when it was not asked. */
  dek(cacheKey: string): Uint8Array | Error | undefined;
  /** A KMS v2 plugin's current keyID (its Status); undefined for a v1 plugin. Rejects when it cannot be asked. */
  currentKeyID(pluginName: string): Promise<string | undefined>;
  close(): void;
}

/** A KMS value's payload (after the prefix), read as the KMS transformer's version says. */
export type KmsPayload = { apiVersion: 'v1'; v1: KmsV1Payload } | { apiVersion: 'v2'; v2: KmsV2EncryptedObject };

/** @throws DecodeError when the payload is damaged. */
export function parseKmsPayload(transformer: PrefixTransformer, payload: Uint8Array): KmsPayload {
  return (transformer.kmsVersion ?? 'v1') === 'v1' ? { apiVersion: 'v1', v1: parseKmsV1Payload(payload) } : { apiVersion: 'v2', v2: parseKmsV2EncryptedObject(payload) };
}

/** The request for a value's payload (after the prefix); `parsed` when the caller has read it already. */
export function kmsPayloadRequest(transformer: PrefixTransformer, payload: Uint8Array, parsed = parseKmsPayload(transformer, payload)): KmsDekRequest {
  const base = { pluginName: transformer.keyName, apiVersion: parsed.apiVersion, endpoint: transformer.kmsEndpoint };
  if (parsed.apiVersion === 'v1') {
    const { encryptedDEK } = parsed.v1;
    return { ...base, ciphertext: encryptedDEK, keyID: '', annotations: {}, cacheKey: `${transformer.prefix}${base64Encode(encryptedDEK)}` };
  }
  const object = parsed.v2;
  return { ...base, ciphertext: object.encryptedDEKSource, keyID: object.keyID, annotations: object.annotations, cacheKey: `${transformer.prefix}${base64Encode(object.encryptedDEKSource)}` };
}

/** The configuration's KMS transformers with their prefixes as bytes, to match many values against. */
export interface KmsPrefixes {
  transformers: { transformer: PrefixTransformer; prefix: Uint8Array }[];
}

export function kmsPrefixes(config: EncryptionConfig): KmsPrefixes {
  const transformers = config.rules.flatMap(ruleTransformers).filter((t) => t.provider === 'kms');
  return { transformers: transformers.map((transformer) => ({ transformer, prefix: utf8Encode(transformer.prefix) })) };
}

/**
 * The Decrypt call a value needs, or undefined when it is no KMS value of the configuration (KMS
 * provider names are unique, so the prefix alone names the provider).
 * @throws DecodeError when the payload is damaged (decrypting will say so for the value).
 */
export function kmsDekRequest(prefixes: KmsPrefixes, value: Uint8Array): KmsDekRequest | undefined {
  const match = prefixes.transformers.find((t) => startsWith(value, t.prefix));
  return match === undefined ? undefined : kmsPayloadRequest(match.transformer, value.subarray(match.prefix.length));
}
