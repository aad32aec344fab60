/**
 * One entry as the storage checks see it: what its key is, and the few facts of its value they
 * need (apiVersion, kind, uid, ownerReferences, managedFields size), read from the stored bytes
 * without decoding the whole object where the format allows.
 */
import { decodeValue } from '../codec/decode-value.js';
import type { ValueDecryptor } from '../codec/decrypt.js';
import { ENCRYPTED_PREFIX, startsWith } from '../codec/detect.js';
import type { Schema } from '../codec/schema.js';
import { readStoredMetadata, storedMetadataOf, type StoredMetadata } from '../codec/stored-metadata.js';
import { KregError } from '../errors.js';
import { apiVersionOf, parseKey, type ParsedKey, type ResourceRegistry } from '../keys/index.js';
import type { Entry } from '../sources/source.js';

/** What every check needs to read an entry. */
export interface AuditContext {
  schema: Schema;
  /** The normalised --etcd-prefix. */
  prefix: string;
  registry: ResourceRegistry;
  /** Decrypts values encrypted at rest; without it their metadata cannot be read. */
  decryptor?: ValueDecryptor;
}

export interface AuditedEntry {
  entry: Entry;
  /** What the key is; undefined when it maps to nothing (see parseError). */
  parsed?: ParsedKey;
  /** Why the key maps to nothing. */
  parseError?: string;
}

/** An object key's entry with its value read: its plaintext bytes and metadata, or why they cannot be read. */
export interface ReadObject {
  plaintext?: Uint8Array;
  metadata?: StoredMetadata;
  /** Why the value could not be read: the kind of reason (to count by) and the detail. */
  unreadable?: { why: 'encrypted' | 'undecodable' | 'not-an-object'; detail: string };
}

export function auditedEntry(entry: Entry, context: AuditContext): AuditedEntry {
  try {
    return { entry, parsed: parseKey(entry.key, { prefix: context.prefix, registry: context.registry }) };
  } catch (err) {
    if (err instanceof KregError) return { entry, parseError: err.message };
    throw err;
  }
}

/** The plaintext and metadata of an object's value. */
export function readObject(audited: AuditedEntry, context: AuditContext): ReadObject {
  const { entry, parsed } = audited;
  let plaintext = entry.value;
  try {
    if (startsWith(plaintext, ENCRYPTED_PREFIX)) {
      if (context.decryptor === undefined) return { unreadable: { why: 'encrypted', detail: 'encrypted at rest; give --encryption-config to read it' } };
      const resource = parsed?.type === 'object' ? { group: parsed.group, resource: parsed.resource } : undefined;
      plaintext = context.decryptor.decrypt(plaintext, entry.key, resource).plaintext;
    }
    const metadata = readStoredMetadata(context.schema, plaintext);
    if (metadata !== undefined) return { plaintext, metadata };
    // CBOR, or something else: decode it whole (rare enough not to matter for speed).
    const type = parsed?.type === 'object' ? { apiVersion: apiVersionOf(parsed.group, parsed.version), kind: parsed.kind } : undefined;
    const decoded = decodeValue(context.schema, plaintext, type === undefined ? {} : { type });
    if (decoded.object === undefined) return { plaintext, unreadable: { why: 'not-an-object', detail: `stored as ${decoded.format} data, not an object` } };
    return { plaintext, metadata: storedMetadataOf(decoded.object) };
  } catch (err) {
    if (err instanceof KregError || (err instanceof Error && (err as { jsonSpan?: boolean }).jsonSpan === true)) return { unreadable: { why: 'undecodable', detail: err.message } };
    throw err;
  }
}
