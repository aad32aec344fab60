/**
 * "Touched": a changed object whose only differences are fields the API server or a controller
 * rewrites on its own (its resourceVersion, managedFields timestamps, and with --ignore-status its
 * status and a Lease's renewals). Between two backups of a busy cluster most objects are touched;
 * counting them apart makes the real changes stand out. No I/O.
 */
import { cloneJsonValue, isJsonObject, type JsonObject } from '../codec/json-value.js';
import { judge, type Judged } from './judge.js';
import { deletePath } from './normalise.js';

/** A field the server rewrites on its own: how to name it, why, and how to leave it out of a copy. */
interface ServerManagedField {
  path: string;
  why: string;
  withIgnoreStatus: boolean;
  drop: (object: JsonObject) => void;
}

/** What is left out to tell a touched object from a changed one, in one table (also --help's). */
export const SERVER_MANAGED_FIELDS: readonly ServerManagedField[] = [
  { path: 'metadata.resourceVersion', why: 'set by etcd on every write', withIgnoreStatus: false, drop: (o) => deletePath(o, 'metadata.resourceVersion') },
  {
    path: 'metadata.managedFields[].time',
    why: 'when a manager last wrote, even without a change',
    withIgnoreStatus: false,
    drop: (o) => {
      const metadata = o.metadata;
      if (isJsonObject(metadata) && Array.isArray(metadata.managedFields)) for (const entry of metadata.managedFields) if (isJsonObject(entry)) delete entry.time;
    },
  },
  { path: 'status', why: "controllers' reports (Node heartbeats, conditions)", withIgnoreStatus: true, drop: (o) => deletePath(o, 'status') },
  {
    path: 'spec.renewTime (coordination.k8s.io Lease)',
    why: "a Lease's heartbeat",
    withIgnoreStatus: true,
    drop: (o) => {
      if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('coordination.k8s.io/') && o.kind === 'Lease') deletePath(o, 'spec.renewTime');
    },
  },
];

/** A copy of one normalised side without the server-managed fields. */
function withoutServerManaged(object: JsonObject | undefined, ignoreStatus: boolean): JsonObject | undefined {
  if (object === undefined) return undefined;
  const copy = cloneJsonValue(object) as JsonObject;
  for (const field of SERVER_MANAGED_FIELDS) if (ignoreStatus || !field.withIgnoreStatus) field.drop(copy);
  return copy;
}

/**
 * The verdict with touched objects told apart: a changed pair (not an encrypted one) that is
 * identical once the server-managed fields are left out of both already normalised sides.
 */
export function withTouched(judged: Judged, options: { ignoreStatus: boolean }): Judged {
  if (judged.verdict !== 'changed' || judged.encrypted !== undefined) return judged;
  const { pair } = judged;
  const from = withoutServerManaged(pair.from, options.ignoreStatus);
  const to = withoutServerManaged(pair.to, options.ignoreStatus);
  return judge({ ...pair, from, to }).verdict === 'identical' ? { ...judged, verdict: 'touched' } : judged;
}
