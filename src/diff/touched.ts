/**
 * "Touched": a changed object whose only differences are fields the API server or a controller
 * rewrites on its own (its resourceVersion, managedFields timestamps, and with --ignore-status its
 * status and a Lease's renewals). Between two backups of a busy cluster most objects are touched;
 * counting them apart makes the real changes stand out. No I/O.
 */
import { isJsonObject, type JsonObject } from '../codec/json-value.js';
import { judge, type Judged } from './judge.js';
import { deletePath, normalisePair, type NormaliseOptions } from './normalise.js';
import type { ObjectPair } from './pairs.js';

/** What is left out to tell a touched object from a changed one, in one table. */
export const SERVER_MANAGED_FIELDS: readonly { path: string; why: string; withIgnoreStatus: boolean }[] = [
  { path: 'metadata.resourceVersion', why: 'set by etcd on every write', withIgnoreStatus: false },
  { path: 'metadata.managedFields[].time', why: 'when a manager last wrote, even without a change', withIgnoreStatus: false },
  { path: 'status', why: "controllers' reports (Node heartbeats, conditions)", withIgnoreStatus: true },
  { path: 'spec.renewTime (coordination.k8s.io Lease)', why: "a Lease's heartbeat", withIgnoreStatus: true },
];

/** Removes the server-managed fields from a side already copied by normalisePair. */
function dropServerManaged(object: JsonObject | undefined, ignoreStatus: boolean): void {
  if (object === undefined) return;
  deletePath(object, 'metadata.resourceVersion');
  const metadata = object.metadata;
  if (isJsonObject(metadata) && Array.isArray(metadata.managedFields)) for (const entry of metadata.managedFields) if (isJsonObject(entry)) delete entry.time;
  if (!ignoreStatus) return;
  deletePath(object, 'status');
  if (typeof object.apiVersion === 'string' && object.apiVersion.startsWith('coordination.k8s.io/') && object.kind === 'Lease') deletePath(object, 'spec.renewTime');
}

/**
 * The verdict with touched objects told apart: a changed pair (not an encrypted one) that is
 * identical once the server-managed fields are left out on both sides.
 */
export function withTouched(judged: Judged, pair: ObjectPair, options: NormaliseOptions & { ignoreStatus: boolean }): Judged {
  if (judged.verdict !== 'changed' || judged.encrypted !== undefined) return judged;
  const normalised = normalisePair(pair.from, pair.to, options);
  dropServerManaged(normalised.from, options.ignoreStatus);
  dropServerManaged(normalised.to, options.ignoreStatus);
  return judge({ ...pair, ...normalised }).verdict === 'identical' ? { ...judged, verdict: 'touched' } : judged;
}
