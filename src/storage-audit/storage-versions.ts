/**
 * Built-in objects not stored at the storage version kube-apiserver writes today: they still
 * read, but only while that version stays in the server; migrate them before an upgrade drops
 * it. Objects of resources no longer served at all are said apart.
 */
import { apiVersionOf, type ObjectKey } from '../keys/index.js';
import type { StoredMetadata } from '../codec/stored-metadata.js';
import type { StorageFinding } from './findings.js';

/** The group/version kube-apiserver encodes the resource's objects in (that of storedAs, when set). */
export function storageApiVersion(parsed: ObjectKey): string {
  return apiVersionOf(parsed.entry.storedAs?.group ?? parsed.group, parsed.entry.storageVersion);
}

export function checkBuiltinVersion(parsed: ObjectKey, metadata: StoredMetadata): StorageFinding | undefined {
  if (parsed.origin === 'retired') {
    return {
      check: 'retired-resource',
      key: parsed.key,
      reason: `${parsed.kind} (${parsed.resource}${parsed.group === '' ? '' : `.${parsed.group}`}) is no longer served since ${parsed.entry.removedIn ?? 'an earlier release'}: nothing reads or deletes it`,
      action: `delete the key if nothing needs it (etcdctl del ${parsed.key})`,
    };
  }
  const target = storageApiVersion(parsed);
  if (metadata.apiVersion === '' || metadata.apiVersion === target) return undefined;
  // A storage encoding the server no longer serves (CRDs: written as v1beta1, served as v1) is
  // kept only for compactness: an object stored at a served version is read by every release.
  const storedVersion = metadata.apiVersion.slice(metadata.apiVersion.lastIndexOf('/') + 1);
  const sameGroup = metadata.apiVersion === apiVersionOf(parsed.group, storedVersion);
  if (sameGroup && !parsed.entry.versions.includes(parsed.entry.storageVersion) && parsed.entry.versions.includes(storedVersion)) return undefined;
  return {
    check: 'migration-candidate',
    key: parsed.key,
    reason: `stored as ${metadata.apiVersion}; kube-apiserver writes ${target} today`,
    action: `rewrite it at ${target} (a no-op update, or kube-storage-version-migrator) before an upgrade stops reading ${metadata.apiVersion}`,
  };
}
