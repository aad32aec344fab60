/**
 * Decryption of values encrypted at rest, as kube-apiserver's prefix transformers read them: the
 * rule of the value's resource lists transformers in order, and the first whose prefix the value
 * starts with reads it (a failure there is final, as in kube-apiserver). Pure: AES is given by the
 * caller (node:crypto outside the codec); secretbox (XSalsa20-Poly1305) is done here.
 *
 * Layouts (kube-apiserver's transformers, after the prefix):
 * - aescbc: 16-byte IV, then AES-CBC with PKCS#7 padding; no authenticated data.
 * - aesgcm: 12-byte nonce, then ciphertext and 16-byte tag; authenticated data = the etcd key.
 * - secretbox: 24-byte nonce, then the NaCl secretbox; no authenticated data.
 * - kms: the DEK its plugin decrypted, looked up (the plugin was called before, asynchronously,
 *   see KmsDekLookup); v1 data is AES-GCM (authenticated data = the etcd key) or, before
 *   Kubernetes 1.25, AES-CBC; v2 is an EncryptedObject (see kms-v2.ts).
 */
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { DecodeError, KregError } from '../errors.js';
import { ENCRYPTED_PREFIX, startsWith } from './detect.js';
import { parseEncryptionPrefix } from './encryption.js';
import { ruleFor, ruleTransformers, type EncryptionConfig, type PrefixTransformer } from './encryption-config.js';
import { kmsPayloadRequest, parseKmsPayload, type KmsDekLookup } from './kms-dek-request.js';
import { decryptKmsV2Object } from './kms-v2.js';
import { utf8Encode } from './text.js';

/** AES as the caller's platform provides it; each throws when the key or data do not check. */
export interface AesPrimitives {
  /** AES-CBC, PKCS#7 padding removed (and checked). */
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** AES-GCM; `sealed` is the ciphertext followed by the 16-byte tag. */
  aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, authenticatedData: Uint8Array): Uint8Array;
  /** HMAC-SHA256, for KMS v2's HKDF. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** A value decrypted: the stored bytes inside, and the transformer that read them. */
export interface Decrypted {
  plaintext: Uint8Array;
  provider: string;
  keyName: string;
}

/** A value that could not be decrypted; `code` is "decrypt-failed", "no-decryption-key", "kms-plugin-failed" or "kms-not-asked". */
export class DecryptError extends KregError {
  override name = 'DecryptError';
}

/** The resource a value belongs to, when its key tells it (picks the configuration rule). */
export interface ValueResource {
  group: string;
  resource: string;
}

function resourceName(r: ValueResource): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/** Decrypts values with the keys of an encryption configuration. */
export class ValueDecryptor {
  private readonly prefixBytes = new Map<string, Uint8Array>();

  constructor(
    readonly config: EncryptionConfig,
    private readonly aes: AesPrimitives,
    /** The DEKs KMS plugins gave back; without it, KMS values cannot be decrypted. */
    private readonly kms?: KmsDekLookup,
  ) {}

  /**
   * What must happen before a value can be decrypted: for a KMS value, its plugin asked for the
   * DEK (once per distinct DEK). Call it for each value, in the async stage before decoding.
   */
  prepare(value: Uint8Array): Promise<void> {
    return this.kms === undefined || !ValueDecryptor.isEncrypted(value) ? Promise.resolve() : this.kms.prepare(value);
  }

  /** Whether values of a KMS provider can be read (a plugin client is set up). */
  get usesKms(): boolean {
    return this.kms !== undefined;
  }

  /** A KMS v2 plugin's current keyID, from its Status; undefined without KMS providers or for v1. */
  kmsCurrentKeyID(pluginName: string): Promise<string | undefined> {
    return this.kms === undefined ? Promise.resolve(undefined) : this.kms.currentKeyID(pluginName);
  }

  /** Closes the connections to KMS plugins. */
  close(): void {
    this.kms?.close();
  }

  /** Whether the value is encrypted at rest (starts with `k8s:enc:`). */
  static isEncrypted(value: Uint8Array): boolean {
    return startsWith(value, ENCRYPTED_PREFIX);
  }

  /**
   * The transformers that may read a value of the resource: its rule's, as kube-apiserver picks
   * them; with no resource known (a value without its key), every rule's, in order.
   */
  private candidates(resource: ValueResource | undefined): PrefixTransformer[] | undefined {
    if (resource === undefined) return this.config.rules.flatMap(ruleTransformers);
    const rule = ruleFor(this.config, resource.group, resource.resource);
    return rule === undefined ? undefined : ruleTransformers(rule);
  }

  /**
   * The stored bytes inside an encrypted value.
   *
   * @param etcdKey the full etcd key: aesgcm (and KMS) authenticate it; undefined when unknown.
   * @throws DecryptError naming the provider and key name (never the key itself).
   */
  decrypt(value: Uint8Array, etcdKey: string | undefined, resource: ValueResource | undefined): Decrypted {
    const subject = etcdKey === undefined ? {} : { key: etcdKey };
    const info = parseEncryptionPrefix(value);
    const seen = info === undefined ? 'an unrecognised k8s:enc: prefix' : `${info.provider} ${info.providerVersion} key "${info.keyName}"`;
    const candidates = this.candidates(resource);
    if (candidates === undefined) {
      throw new DecryptError('no-decryption-key', `encrypted with ${seen}, but the encryption config has no rule for ${resourceName(resource as ValueResource)}`, subject);
    }
    const transformer = candidates.find((t) => t.prefix !== '' && startsWith(value, this.prefix(t.prefix)));
    if (transformer === undefined) {
      const where = resource === undefined ? 'the encryption config' : `the encryption config's rule for ${resourceName(resource)}`;
      throw new DecryptError('no-decryption-key', `encrypted with ${seen}, which ${where} does not have`, subject);
    }
    const data = value.subarray(this.prefix(transformer.prefix).length);
    const what = transformer.provider === 'kms' ? `kms ${transformer.kmsVersion ?? 'v1'} provider "${transformer.keyName}"` : `${transformer.provider} key "${transformer.keyName}"`;
    let plaintext: Uint8Array;
    try {
      plaintext = this.open(transformer, data, etcdKey, what);
    } catch (err) {
      if (err instanceof DecryptError) throw err.withSubject(subject);
      // A damaged payload (a KMS DEK length off, a bad KMS v2 object) says what is wrong with it.
      if (err instanceof DecodeError) throw new DecryptError('decrypt-failed', `cannot decrypt with ${what}: the value is damaged: ${err.message}`, subject, { cause: err });
      throw new DecryptError('decrypt-failed', `cannot decrypt with ${what}: the key is wrong or the value is damaged`, subject);
    }
    return { plaintext, provider: transformer.provider, keyName: transformer.keyName };
  }

  private prefix(text: string): Uint8Array {
    let bytes = this.prefixBytes.get(text);
    if (bytes === undefined) {
      bytes = utf8Encode(text);
      this.prefixBytes.set(text, bytes);
    }
    return bytes;
  }

  /** A KMS value, with the DEK its plugin gave back for it. */
  private openKms(t: PrefixTransformer, data: Uint8Array, etcdKey: string | undefined, what: string): Uint8Array {
    // Read once: the DEK's cache key and the data to open both come from it.
    const parsed = parseKmsPayload(t, data);
    const request = kmsPayloadRequest(t, data, parsed);
    const dek = this.kms?.dek(request.cacheKey);
    if (dek === undefined) throw new DecryptError('kms-not-asked', `cannot decrypt with ${what}: its plugin was not asked for this value's DEK`);
    if (dek instanceof Error) throw new DecryptError('kms-plugin-failed', `cannot decrypt with ${what}: ${dek.message}`);
    if (parsed.apiVersion === 'v2') {
      if (etcdKey === undefined) throw new DecryptError('decrypt-failed', `${what} authenticates the etcd key, which is not known: name it (kreg decode --etcd-key KEY)`);
      return decryptKmsV2Object(this.aes, parsed.v2, dek, etcdKey);
    }
    const { encryptedData } = parsed.v1;
    // From Kubernetes 1.25 AES-GCM (the etcd key authenticated), before it AES-CBC: the tag tells.
    if (etcdKey !== undefined && encryptedData.length >= 12 + 16) {
      try {
        return this.aes.aesGcmDecrypt(dek, encryptedData.subarray(0, 12), encryptedData.subarray(12), utf8Encode(etcdKey));
      } catch {
        // not GCM with this key: try CBC
      }
    }
    if (encryptedData.length < 32 || encryptedData.length % 16 !== 0) throw new DecryptError('decrypt-failed', `cannot decrypt with ${what}: the DEK its plugin gave does not open the value`);
    return this.aes.aesCbcDecrypt(dek, encryptedData.subarray(0, 16), encryptedData.subarray(16));
  }

  private open(t: PrefixTransformer, data: Uint8Array, etcdKey: string | undefined, what: string): Uint8Array {
    const secret = t.secret as Uint8Array;
    const tooShort = (min: number): DecryptError =>
      new DecryptError('decrypt-failed', `cannot decrypt with ${t.provider} key "${t.keyName}": the value is too short (${data.length} bytes after the prefix, at least ${min} needed)`);
    switch (t.provider) {
      case 'kms':
        return this.openKms(t, data, etcdKey, what);
      case 'aescbc':
        if (data.length < 32 || data.length % 16 !== 0) throw tooShort(32);
        return this.aes.aesCbcDecrypt(secret, data.subarray(0, 16), data.subarray(16));
      case 'aesgcm':
        if (data.length < 12 + 16) throw tooShort(28);
        if (etcdKey === undefined) {
          throw new DecryptError('decrypt-failed', `aesgcm key "${t.keyName}" authenticates the etcd key, which is not known: name it (kreg decode --etcd-key KEY)`);
        }
        return this.aes.aesGcmDecrypt(secret, data.subarray(0, 12), data.subarray(12), utf8Encode(etcdKey));
      case 'secretbox':
        if (data.length < 24 + 16) throw tooShort(40);
        return xsalsa20poly1305(secret, data.slice(0, 24)).decrypt(data.slice(24));
      default:
        throw new DecryptError('decrypt-failed', `provider ${t.provider} cannot decrypt`);
    }
  }
}
