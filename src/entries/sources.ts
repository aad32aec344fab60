/**
 * `kreg/sources`: what every entry source shares, and an in-memory one. EntrySource is the one
 * interface live etcd (`kreg/etcd`), snapshot files (`kreg/snapshot`) and MemorySource implement,
 * so code written against it reads any of them; they all fail the same way on a compacted or
 * future revision. decodeEntry and learnRegistry turn entries into objects and a registry that
 * knows the cluster's custom resources. Loads no etcd client.
 *
 * @example
 *   import { MemorySource, decodeEntry } from 'kreg/sources';
 *   import { builtinRegistry } from 'kreg/keys';
 *   const source = MemorySource.fromEntries([{ key: '/registry/configmaps/default/x', value: bytes }]);
 *   for await (const entry of source.range({ prefix: '/registry/configmaps/' })) {
 *     console.log(decodeEntry(entry, builtinRegistry(), '/registry').object?.metadata?.name);
 *   }
 */
export {
  RevisionCompactedError,
  RevisionFutureError,
  parseRevision,
  type Entry,
  type EntrySource,
  type HistoryOptions,
  type HistoryRecord,
  type KeyHistory,
  type RangeOptions,
  type RevisionsOptions,
  type StoredRevision,
  type WatchEvent,
  type WatchOptions,
} from '../sources/source.js';
export { MemorySource, type MemoryPutOptions, type MemorySourceOptions } from '../sources/memory-source.js';
export { decodeEntry, learnRegistry, type DecodeEntryOptions, type LearnedRegistry, type StoredObject } from '../stored-objects.js';
export type { AesPrimitives, Decrypted, ValueDecryptor, ValueResource } from '../codec/decrypt.js';
export type { KmsDekLookup, KmsDekRequest } from '../codec/kms-dek-request.js';
export {
  ENCRYPTED_OBJECT_API_VERSION,
  ENCRYPTED_OBJECT_KIND,
  encryptedObjectStub,
  encryptedValueFacts,
  isEncryptedObjectStub,
  type EncryptedValueFacts,
} from '../encrypted-object.js';
export type { EncryptionConfig, EncryptionProvider, EncryptionRule, KeyedProvider } from '../codec/encryption-config.js';
export { KregError, UsageError, type ErrorSubject } from '../errors.js';
