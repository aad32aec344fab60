/**
 * `kreg/etcd`: a live etcd behind the EntrySource interface (see `kreg/sources`), with
 * connection settings resolved the way etcdctl resolves them (flags, then ETCDCTL_* variables,
 * then its defaults). The only entry that loads the etcd client (on gRPC).
 *
 * @example
 *   import { createEtcdSource, resolveEtcdConnection } from 'kreg/etcd';
 *   const etcd = createEtcdSource(resolveEtcdConnection({ endpoints: 'https://10.0.0.1:2379', cacert: 'ca.crt', cert: 'c.crt', key: 'c.key' }, process.env));
 *   try {
 *     console.log(await etcd.currentRevision());
 *   } finally {
 *     await etcd.close();
 *   }
 */
export {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_CHUNK_SIZE,
  EtcdSource,
  createEtcdSource,
  type EtcdRetryOptions,
  type EtcdSourceOptions,
} from '../sources/etcd-source.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_ETCD_ENDPOINT,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  describeEndpoints,
  parseEtcdDuration,
  resolveEtcdConnection,
  type EtcdConnectionFlags,
  type EtcdConnectionSettings,
  type EtcdEnvironment,
  type EtcdTlsSettings,
} from '../sources/etcd-connection.js';
export {
  EtcdAuthError,
  EtcdError,
  EtcdMessageTooLargeError,
  EtcdPermissionError,
  EtcdRequestError,
  EtcdTimeoutError,
  EtcdTlsError,
  EtcdUnavailableError,
  type EtcdFailure,
} from '../sources/etcd-errors.js';
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
export { KregError, UsageError, type ErrorSubject } from '../errors.js';
