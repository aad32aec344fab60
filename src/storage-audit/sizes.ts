/**
 * Objects at risk from their size: close to etcd's request limit (an update that grows them
 * fails with "request is too large"), or mostly metadata.managedFields. Sizes come from the
 * entry and from the stored bytes' field boundaries; nothing is decoded.
 */
import type { StoredParts } from '../codec/stored-parts.js';
import type { Entry } from '../sources/source.js';
import type { StorageFinding } from './findings.js';

/** etcd's default --max-request-bytes (1.5 MiB). */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** A write of this share of the limit or more is reported: a little growth and it no longer fits. */
export const NEAR_LIMIT_SHARE = 0.9;
/** Below this size a large managedFields share costs little, so it is not reported. */
export const MANAGED_FIELDS_MIN_BYTES = 1024;

const count = (n: number): string => n.toLocaleString('en-US');

export function checkRequestLimit(entry: Entry, maxRequestBytes: number): StorageFinding | undefined {
  // A put carries the key and the value (and a few bytes of framing).
  const bytes = entry.key.length + entry.valueSize;
  if (bytes < NEAR_LIMIT_SHARE * maxRequestBytes) return undefined;
  return {
    check: 'near-request-limit',
    key: entry.key,
    reason: `key and value are ${count(bytes)} bytes, ${Math.round((100 * bytes) / maxRequestBytes)}% of etcd's request limit (${count(maxRequestBytes)} bytes)`,
    action: 'move bulk data out of the object (or trim its managedFields); an update that grows it will be refused',
  };
}

export function checkManagedFields(entry: Entry, parts: StoredParts | undefined): StorageFinding | undefined {
  if (parts === undefined || entry.valueSize < MANAGED_FIELDS_MIN_BYTES || 2 * parts.managedFields <= entry.valueSize) return undefined;
  return {
    check: 'managed-fields-heavy',
    key: entry.key,
    reason: `metadata.managedFields is ${count(parts.managedFields)} of its ${count(entry.valueSize)} bytes (${Math.round((100 * parts.managedFields) / entry.valueSize)}%)`,
    action: 'find the field managers that write it (kubectl get --show-managed-fields) and make them apply fewer fields, or clear managedFields with a JSON patch',
  };
}
