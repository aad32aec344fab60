/**
 * Where entries come from. Live etcd, a snapshot file, memory and (for diffs) the API all sit
 * behind this one small interface, so commands never know which one they read. The revision
 * errors and the --revision check live here too, so every source fails the same way.
 */
import { KregError, UsageError, type ErrorSubject } from '../errors.js';

/** One key and its value as etcd keeps it, with etcd's revision bookkeeping. */
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

/** What EntrySource.range lists. */
export interface RangeOptions {
  /** Key prefix to list, e.g. /registry/pods/ */
  prefix: string;
  /** Read the keyspace as of this revision; the latest when absent. */
  revision?: number;
  /** Skip values (sizes and revisions only) where the source can. */
  keysOnly?: boolean;
  /**
   * The caller needs keys and exact value sizes, not values: a source that knows sizes without
   * the values (a snapshot file) may leave values empty; others read them as usual (etcd's
   * keys_only reports no size).
   */
  sizesOnly?: boolean;
  /** Start at this key (inclusive) instead of the prefix itself; it must lie under the prefix. */
  from?: string;
  /**
   * Stop before this key (exclusive) instead of at the prefix's end; it must lie under the prefix.
   * A look at the first few keys of a range costs etcd 3.4 a count of every key to the range's
   * end, so a bound keeps it cheap.
   */
  before?: string;
  /**
   * The caller reads every entry (a listing, not a look at the first few), so a source that pages
   * may ask for the next page from the first one on.
   */
  readsAll?: boolean;
  /**
   * The caller is done with each entry's value before it asks for the next entry, so a source may
   * hand out values that share its read buffers instead of copies (live etcd: one copy of every
   * value less; a snapshot: values copied into two memories its batches take in turn, not each
   * into memory of its own). Such a value must not be kept, nor read once the next entry is asked
   * for.
   */
  borrowsValues?: boolean;
}

/**
 * One retained revision of a key. A delete has `deleted`, an empty value, version 0,
 * createRevision 0 and lease "0"; its modRevision is the revision of the delete.
 */
export interface HistoryRecord extends Entry {
  deleted: boolean;
}

/** Options of EntrySource.history. */
export interface HistoryOptions {
  /** Only records written at or before this revision; the current revision when absent. */
  revision?: number;
}

/** Every revision of one key a source still holds. */
export interface KeyHistory {
  /** The revision the history was read up to (the requested one, else the current one); no record is newer. */
  revision: number;
  /** The revision the source was compacted at (the oldest readable one); 0 when it never was. */
  compactedRevision: number;
  /**
   * Oldest first. The first may be the value the key had at the compacted revision (written at or
   * before it); deletes at or before the compacted revision are gone, as in etcd.
   */
  records: HistoryRecord[];
}

/** A lease ID (a decimal string, as entries carry it) as etcdctl prints it: 16 hex digits (%016x); "0" for none. */
export function leaseIdHex(lease: string): string {
  return lease === '0' ? '0' : BigInt(lease).toString(16).padStart(16, '0');
}

/** One retained revision of some key, as EntrySource.revisions lists it: sizes only, no value. */
export interface StoredRevision {
  key: string;
  modRevision: number;
  /** Size of the value written at this revision; 0 for a delete. */
  valueSize: number;
  deleted: boolean;
}

/** Options of EntrySource.revisions. */
export interface RevisionsOptions {
  /** Only keys under this prefix. */
  prefix: string;
  /** Only revisions written at or before this one; the current revision when absent. */
  revision?: number;
}

/** One change a watch saw: a put (create or update) or a delete, with the value before it. */
export interface WatchEvent {
  type: 'put' | 'delete';
  /** The key as written; for a delete, the key with an empty value and the delete's revision. */
  entry: Entry;
  /** The entry before this change, when etcd still had it (deletes need it to say what was deleted). */
  previous?: Entry;
}

/** What EntrySource.watch follows. */
export interface WatchOptions {
  prefix: string;
  /** The first revision to report (the listing's revision plus one). */
  fromRevision: number;
  /** Ends the watch. */
  signal?: AbortSignal;
}

/**
 * Where entries come from: live etcd (kreg/etcd), a snapshot file (kreg/snapshot) or memory
 * (MemorySource). Reads at a revision below the compacted one throw RevisionCompactedError, above
 * the current one RevisionFutureError; a revision that is not a positive integer is a
 * UsageError('bad-revision'). Call close() when done.
 */
export interface EntrySource {
  /** Human description for messages, e.g. "etcd https://127.0.0.1:2379" or "snapshot backup.db". */
  readonly description: string;
  /**
   * Whether a listing of many resources should be read one resource prefix at a time. Live etcd 3.4
   * walks the rest of a range for every page, so one range over all of /registry/ gets slower with
   * every page; a snapshot file is scanned whole for any range, so one range is cheapest there.
   */
  readonly splitsListingsByPrefix: boolean;
  /**
   * Whether a listing and a reading of past revisions may run at the same time (their steps
   * interleaved). Absent or false: one after the other. A member's db file that etcd is still
   * writing says false, since a read that meets a newer transaction starts again from a new copy.
   */
  readonly interleavesReads?: boolean;
  /**
   * Problems the source read past instead of failing (e.g. a snapshot's hash mismatch under
   * best effort), one line each naming the file or endpoint; the CLI prints them.
   */
  readonly warnings?: readonly string[];
  /** What a best-effort read skipped so far (damaged pages, keys of unknown state), one line each. */
  readonly damage?: readonly { readonly message: string }[];
  /**
   * Problems found only once reads had ended, one line each naming the file (a member's db that
   * etcd changed during the read, so the output may mix two states); the CLI prints them last.
   */
  readonly afterReadWarnings?: readonly string[];
  /**
   * Waits for checks that ran alongside the reads (a snapshot's sha256 trailer, hashed on another
   * thread when the source was opened for a command that prints only at the end) and throws what
   * they found. Absent or a no-op for sources without such checks.
   */
  settleChecks?(): Promise<void>;
  /** Every entry under the prefix, in key order, all at one revision. */
  range(options: RangeOptions): AsyncIterable<Entry>;
  /**
   * The entries range gives, handed out a few at a time: one await per batch rather than per
   * entry, which a listing of millions of keys feels. Lent values (borrowsValues) may be read
   * until the next batch is asked for. Absent where the source hands out one entry at a time
   * (entryBatches makes batches of one of those).
   */
  rangeBatches?(options: RangeOptions): AsyncIterable<readonly Entry[]>;
  /** One key, or undefined when it does not exist (at the revision, if given). */
  get(key: string, options?: { revision?: number }): Promise<Entry | undefined>;
  /** The revision reads are taken at when none is given. */
  currentRevision(): Promise<number>;
  /** Every retained revision of one key, oldest first; absent when the source keeps no history. */
  history?(key: string, options?: HistoryOptions): Promise<KeyHistory>;
  /**
   * Every retained revision of every key under the prefix (writes and deletes), in no set order,
   * without values; absent when the source cannot list them (the API).
   */
  revisions?(options: RevisionsOptions): AsyncIterable<StoredRevision>;
  /** The etcd leases granted now (their IDs as decimal strings); absent when the source cannot list them. */
  leases?(): AsyncIterable<{ id: string }>;
  /** Seconds left on a lease, or undefined when it has expired or the source cannot tell. */
  leaseTimeToLive?(lease: string): Promise<number | undefined>;
  /**
   * Every change under the prefix from a revision on, as it happens, until the signal aborts;
   * absent where nothing changes (snapshots). A dropped connection is resumed from the last revision seen.
   */
  watch?(options: WatchOptions): AsyncIterable<WatchEvent>;
  close(): Promise<void>;
}

/** A read below the oldest revision the source still holds: that history is gone. */
export class RevisionCompactedError extends KregError {
  override name = 'RevisionCompactedError';
  constructor(
    readonly requestedRevision: number,
    /** The revision the source was compacted at (the oldest readable one); undefined when it could not be learned. */
    readonly compactedRevision: number | undefined,
    subject: ErrorSubject,
    options?: { cause?: unknown; whileListing?: boolean },
  ) {
    const oldest = compactedRevision === undefined ? 'the oldest readable revision is unknown' : `the oldest readable revision is ${compactedRevision}`;
    // A listing at no given revision pins the first page's revision; a compaction can overtake it.
    const during = options?.whileListing === true ? ' while the listing was being read; start it again' : '';
    super('compacted', `${revisionName(requestedRevision)} has been compacted${during} (${oldest})`, subject, options);
  }
}

/** A read above the newest revision the source holds. */
export class RevisionFutureError extends KregError {
  override name = 'RevisionFutureError';
  constructor(
    readonly requestedRevision: number,
    /** The source's current revision; undefined when it could not be learned. */
    readonly currentRevision: number | undefined,
    subject: ErrorSubject,
    options?: { cause?: unknown },
  ) {
    const current = currentRevision === undefined ? 'the current revision' : `the current revision ${currentRevision}`;
    super('future-revision', `${revisionName(requestedRevision)} is newer than ${current}`, subject, options);
  }
}

/** "revision 5", or "the requested revision" when it is not known (0). */
function revisionName(revision: number): string {
  return revision > 0 ? `revision ${revision}` : 'the requested revision';
}

/**
 * A --revision value (number from yargs, string, or undefined) as a revision to read at:
 * undefined when not given, else a positive safe integer. 0, negatives, fractions, NaN and
 * text such as "abc" or "1e3" are a UsageError('bad-revision'): etcd's "0 means latest" is
 * nowhere special here, so a typo never silently reads the latest revision.
 */
export function parseRevision(text: unknown, subject: ErrorSubject = {}): number | undefined {
  if (text === undefined || text === null) return undefined;
  let revision: number | undefined;
  if (typeof text === 'number') revision = text;
  else if (typeof text === 'string' && /^\s*\d+\s*$/.test(text)) revision = Number(text);
  else if (typeof text === 'bigint') revision = Number(text);
  if (revision === undefined || !Number.isSafeInteger(revision) || revision <= 0) {
    const shown = typeof text === 'string' ? `"${text}"` : String(text);
    throw new UsageError('bad-revision', `--revision must be a positive integer (etcd revisions start at 1), not ${shown}`, subject);
  }
  return revision;
}

/** The source's entries in batches: its own (rangeBatches), or each entry of its range a batch of one. */
export function entryBatches(source: EntrySource, options: RangeOptions): AsyncIterable<readonly Entry[]> {
  return source.rangeBatches?.(options) ?? batchesOfOne(source.range(options));
}

async function* batchesOfOne(entries: AsyncIterable<Entry>): AsyncGenerator<readonly Entry[]> {
  for await (const entry of entries) yield [entry];
}
