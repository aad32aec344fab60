/**
 * `kreg/snapshot`: read an etcd snapshot (`etcdctl snapshot save`), a member's `member/snap/db`
 * or a whole data dir without etcd: list entries at any retained revision, the history of a key,
 * and the status `etcdctl snapshot status` prints (with bbolt's consistency check: statusAndCheck()). SnapshotSource is an EntrySource
 * (see `kreg/sources`). Loads no etcd client.
 *
 * @example
 *   import { SnapshotSource } from 'kreg/snapshot';
 *   const snapshot = await SnapshotSource.open('backup.db');
 *   try {
 *     for await (const entry of snapshot.range({ prefix: '/registry/deployments/', revision: 36 })) console.log(entry.key);
 *   } finally {
 *     await snapshot.close();
 *   }
 */
export {
  SnapshotFileError,
  SnapshotSource,
  type HashCheckResult,
  type SnapshotDamage,
  type SnapshotSourceOptions,
  type SnapshotStatus,
} from '../sources/snapshot/snapshot-source.js';
export type { BoltCheckReport, CheckFinding } from '../sources/snapshot/bolt-check.js';
export type { LeaseRecord, MetaFacts } from '../sources/snapshot/mvcc.js';
export {
  RevisionCompactedError,
  RevisionFutureError,
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
export { KregError, type ErrorSubject } from '../errors.js';
