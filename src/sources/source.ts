/**
 * Where entries come from. Live etcd, a snapshot file and (for diffs) the API all sit behind this
 * one small interface, so commands never know which one they read.
 */
export interface Entry {
  /** The full etcd key, e.g. /registry/pods/default/web-0 */
  key: string;
  /** The stored value; empty when the range was keys-only. */
  value: Uint8Array;
  /** Size of the stored value in bytes (known even for keys-only reads where the source can tell). */
  valueSize: number;
  createRevision: number;
  modRevision: number;
  /** Number of writes to the key since it was created. */
  version: number;
  /** Lease ID as a decimal string; "0" when the key has no lease. */
  lease: string;
}

export interface RangeOptions {
  /** Key prefix to list, e.g. /registry/pods/ */
  prefix: string;
  /** Read the keyspace as of this revision; the latest when absent. */
  revision?: number;
  /** Skip values (sizes and revisions only) where the source can. */
  keysOnly?: boolean;
  /** Start at this key (inclusive) instead of the prefix itself; it must lie under the prefix. */
  from?: string;
}

export interface EntrySource {
  /** Human description for messages, e.g. "etcd https://127.0.0.1:2379" or "snapshot backup.db". */
  readonly description: string;
  /**
   * Whether a listing of many resources should be read one resource prefix at a time. Live etcd 3.4
   * walks the rest of a range for every page, so one range over all of /registry/ gets slower with
   * every page; a snapshot file is scanned whole for any range, so one range is cheapest there.
   */
  readonly splitsListingsByPrefix: boolean;
  /** Every entry under the prefix, in key order, all at one revision. */
  range(options: RangeOptions): AsyncIterable<Entry>;
  /** One key, or undefined when it does not exist (at the revision, if given). */
  get(key: string, options?: { revision?: number }): Promise<Entry | undefined>;
  /** The revision reads are taken at when none is given. */
  currentRevision(): Promise<number>;
  /** Problems found while opening that did not stop the read (e.g. a hash mismatch under best effort), one line each. */
  readonly warnings?: readonly string[];
  /** Seconds left on a lease, or undefined when it has expired or the source cannot tell. */
  leaseTimeToLive?(lease: string): Promise<number | undefined>;
  close(): Promise<void>;
}
