/**
 * The encryption configuration a user names (--encryption-config FILE) made a ValueDecryptor, with
 * AES from node:crypto. The codec's pure parts parse the configuration and pick the transformer;
 * only the AES primitives and the file read live here.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { ValueDecryptor, type AesPrimitives } from '../codec/decrypt.js';
import { parseEncryptionConfig, type EncryptionConfig } from '../codec/encryption-config.js';
import { UsageError } from '../errors.js';
import { KmsDekResolver } from './kms-dek-resolver.js';

function aesName(mode: 'cbc' | 'gcm', key: Uint8Array): string {
  return `aes-${key.length * 8}-${mode}`;
}

/** AES-CBC (PKCS#7 checked by OpenSSL), AES-GCM (tag checked) and HMAC-SHA256 from node:crypto. */
export const NODE_AES: AesPrimitives = {
  aesCbcDecrypt(key, iv, ciphertext) {
    const decipher = createDecipheriv(aesName('cbc', key), key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  },
  aesGcmDecrypt(key, nonce, sealed, authenticatedData) {
    if (sealed.length < 16) throw new Error('too short');
    const decipher = createDecipheriv(aesName('gcm', key) as 'aes-256-gcm', key, nonce);
    decipher.setAAD(authenticatedData);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]));
  },
  hmacSha256(key, data) {
    return new Uint8Array(createHmac('sha256', key).update(data).digest());
  },
};

/**
 * A decryptor over a parsed configuration (also how a worker thread rebuilds one from plain
 * data). With KMS providers, their plugins are asked for DEKs over gRPC (`kmsSockets`: --kms-socket).
 */
export function createDecryptor(config: EncryptionConfig, kmsSockets?: ReadonlyMap<string, string>): ValueDecryptor {
  return new ValueDecryptor(config, NODE_AES, KmsDekResolver.needed(config) ? new KmsDekResolver(config, kmsSockets) : undefined);
}

/** The configuration in YAML or JSON text, as kube-apiserver reads its --encryption-provider-config. */
export function parseEncryptionConfigText(text: string): EncryptionConfig {
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch (err) {
    // js-yaml quotes the offending line, which may hold a secret: say where only.
    const mark = (err as { mark?: { line?: number } }).mark;
    throw new UsageError('bad-encryption-config', `encryption config: not valid YAML${mark?.line === undefined ? '' : ` (line ${mark.line + 1})`}`);
  }
  return parseEncryptionConfig(document);
}

/** Reads and parses the file; errors name the file, never a key. */
export async function loadEncryptionConfig(file: string, kmsSockets?: ReadonlyMap<string, string>): Promise<ValueDecryptor> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError('bad-encryption-config', `cannot read the encryption config: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
  try {
    return createDecryptor(parseEncryptionConfigText(text), kmsSockets);
  } catch (err) {
    throw err instanceof UsageError ? err.withSubject({ file }) : err;
  }
}
