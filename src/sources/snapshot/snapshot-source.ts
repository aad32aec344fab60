/**
 * Entries from an etcd backend file: a snapshot (`etcdctl snapshot save`) or a member's
 * `member/snap/db`, read page by page without etcd.
 *
 * The `key` bucket is ordered by revision, not by key, so a range takes two passes:
 *  1. scan the bucket's leaf pages in file order (one sequential read, skipping subtrees above
 *     the wanted revision) and keep, per matching key, only its latest revision and where that is
 *     stored: a compact index of keys, no values (key-index.ts; see KeyIndex for its cost per key);
 *  2. sort the live keys and fetch their values in batches of ~8 MiB: a batch's leaf pages are
 *     read once each, in ascending page order, several at a time, and yielded in key order.
 * Memory: the index (per matching key, not per revision) plus one batch of values.
 */
import { stat } from 'node:fs/promises';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { DecodeError, KregError } from '../../errors.js';
import {
  parseRevision,
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
} from '../source.js';
import {
  BoltFile,
  type PassAlongsideOptions,
  SnapshotFileError,
  type TrailerCheck,
  type BoltBucket,
  type BoltOpenOptions,
  type BoltPage,
  type PageRead,
  ReadArena,
  type SkippedRange,
} from './bbolt-file.js';
import { type BoltCheckReport, checkBoltFile } from './bolt-check.js';
import { memberDbOf } from './file-pass-start.js';
import { createCrc32c } from './crc32c.js';
import { type LeafRunCrcs, LeafRunHasher } from './leaf-run-crcs.js';
import { KeyIndex, type StoredLocation } from './key-index.js';
import {
  type ByteRange,
  KEY_BUCKET,
  LEASE_BUCKET,
  META_BUCKET,
  compareRevisions,
  decodeKeyValue,
  decodeKeyValueKeyAt,
  decodeLease,
  decodeMetaBucket,
  decodeRevisionKey,
  decodeRevisionKeyAt,
  encodeRevisionKey,
  type LeaseRecord,
  locateKeyValueKey,
  type MetaFacts,
  type RevisionKey,
} from './mvcc.js';

export { SnapshotFileError } from './bbolt-file.js';

/** Outcome of comparing the snapshot's sha256 trailer with its contents. */
export type HashCheckResult = 'ok' | 'mismatch' | 'no-trailer' | 'skipped';

/** Options of SnapshotSource.open. */
export interface SnapshotSourceOptions {
  /** Do not compare the sha256 trailer with the contents (a large file is read once for it). */
  skipHashCheck?: boolean;
  /**
   * Hash the trailer on a worker thread while reads go on, instead of before open returns: for a
   * caller that prints only once it has read everything, and calls settleChecks() first.
   */
  checkTrailerAlongside?: boolean;
  /**
   * With checkTrailerAlongside: the worker that hashes the trailer also takes each leaf's CRC on
   * the same read, which statusAndCheck() strings together into etcdctl's hash instead of hashing
   * every value on this thread. When no trailer is hashed (skipHashCheck, or none in the file),
   * a worker reads the file for this alone.
   */
  leafCrcsAlongside?: boolean;
  /**
   * With checkTrailerAlongside: the worker that hashes the trailer reads into memory shared with
   * this thread, and statusAndCheck() takes the pages it walks from there instead of reading them
   * a second time (shared-windows.ts). When no trailer is hashed, a worker reads ahead all the
   * same: the walk then never waits for a read of its own.
   */
  shareReadsAlongside?: boolean;
  /**
   * With checkTrailerAlongside: a file smaller than this is hashed (and read alongside) on this
   * thread, where that is quicker than starting a worker; 32 MiB by default, 0 for a worker
   * whatever the size.
   */
  workerFromBytes?: number;
  /**
   * Carry on past damage: skip damaged pages and values (and a hash mismatch), recording each in
   * `damage` and passing it to `onDamage`. Without it the first damage raises a SnapshotFileError.
   */
  bestEffort?: boolean;
  /** Called for each piece of damage skipped in best-effort mode. */
  onDamage?: (damage: SnapshotDamage) => void;
  /** Branch page cache size; 16 MiB by default. */
  cacheBytes?: number;
  /** Stored bytes of values fetched per batch during a range; 8 MiB by default. */
  batchBytes?: number;
}

/** Something skipped in best-effort mode. */
export interface SnapshotDamage {
  code: string;
  /** The damaged page, when the damage is in one. */
  page: number | undefined;
  /** One line naming the file and where. */
  message: string;
  error: KregError;
}

/** What SnapshotSource.status() reports, a superset of `etcdctl snapshot status`. */
export interface SnapshotStatus {
  file: string;
  /** Bytes on disk, trailer included. */
  fileSize: number;
  pageSize: number;
  /** Pages in use × page size (what etcdctl calls totalSize). */
  dataSize: number;
  /** bbolt meta page in use (0 or 1) and its transaction id. */
  metaPage: 0 | 1;
  txid: number;
  /** Highest revision in the file (at least the compacted revision, as etcd itself reports it). */
  revision: number;
  /** Reads below this are impossible (etcd's finished compaction, or a scheduled one still running). */
  compactedRevision: number;
  finishedCompactRevision: number | undefined;
  scheduledCompactRevision: number | undefined;
  consistentIndex: number | undefined;
  term: number | undefined;
  /** Keys that exist at the latest revision. */
  keys: number;
  /** Entries in the `key` bucket: every revision of every key the file still holds, deletes included. */
  revisions: number;
  leases: number;
  hashCheck: HashCheckResult;
  /**
   * The numbers `etcdctl snapshot status` prints, computed the same way (hash: crc32c over all
   * buckets; undefined when status() was asked not to compute it).
   */
  etcdctl: { hash: number | undefined; revision: number; totalKey: number; totalSize: number };
  /** What best-effort mode skipped so far (empty otherwise). */
  damage: SnapshotDamage[];
}

const EMPTY_VALUE = new Uint8Array(0);
/**
 * Two batches are held at once (one printed, the next read): at 16 MiB, with their copies of the
 * values waiting for the GC, they were ~20 MB of process memory more at 1M keys, and no faster.
 */
const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/**
 * Bounds a batch by count too: each entry of a batch in flight (key, value view, location) is a
 * few hundred bytes of JS heap that lives as long as its batch and so reaches V8's old generation.
 * At 65536 (Events of ~1 KiB) that was ~25 MB per batch, old garbage collected late: at 1M keys
 * the heap grew by 60-70 MB. 4096 kept it near 2 MB and cost no throughput (the pages of a
 * batch are scattered in the file either way). Once values were lent (borrowsValues), fewer
 * external allocations meant fewer collections, and 4096 peaked at 282-289 MiB at 1M keys
 * against 257-259 MiB at 1024, with no change in speed on the 1.26 GB bench file.
 */
const MAX_BATCH_KEYS = 1024;
/**
 * Entries yielded between turns of the event loop within a batch: V8's incremental GC steps run
 * as tasks, and a batch of 8 MiB takes about half a second to decode and print.
 */
const ENTRIES_PER_TURN = 256;
/** Leaf pages asked for at once while fetching values (nearby ones share a read). */
const FETCH_WINDOW_PAGES = 256;
/** Memory each of the two windows in flight reads into (reused; a window that needs more gets fresh memory). */
const FETCH_ARENA_BYTES = 8 * 1024 * 1024;

/**
 * An etcd backend file (snapshot, member db, or a data dir) as an EntrySource, read without etcd:
 * range and get at any revision the file retains, history of a key, leases and status.
 * Damage raises SnapshotFileError naming the file and page, unless `bestEffort` skips it.
 *
 * @example
 *   const snapshot = await SnapshotSource.open('backup.db');
 *   const { revision, compactedRevision, keys } = await snapshot.status();
 *   const history = await snapshot.history('/registry/deployments/shop/web');
 *   await snapshot.close();
 */
export class SnapshotSource implements EntrySource {
  readonly splitsListingsByPrefix = false;

  /**
   * A saved snapshot (with its sha256 trailer) is never written again, so its reads may
   * interleave. A member's db file may be: a read that meets a newer transaction reopens the file
   * (readConsistently), which would close it under a read still under way.
   */
  get interleavesReads(): boolean {
    return this.bolt.hasSha256Trailer;
  }
  readonly description: string;
  private revisionCache: number | undefined;
  /** Pass 1 of the last read, over every key, kept for the next reads at its revision (see selectKeys). */
  private sharedIndex: SharedIndex | undefined;
  /**
   * A pass 1 under way, for reads that start meanwhile at the same revision to wait for instead of
   * scanning the file again: it ends with the index kept, or undefined (damage met: not kept).
   */
  private indexScan: { revision: number; latest: boolean; done: Promise<SharedIndex | undefined> } | undefined;

  /** A member's db that etcd changed during a read (its meta page moved on): one line per change seen. */
  readonly changedUnderRead: string[] = [];
  /** The file's freelist disagrees with its trees (bbolt's check would fail); said once. */
  private checkFailure: string | undefined;
  /** The sha256 trailer being hashed on a worker (checkTrailerAlongside), until settleChecks(). */
  private trailerAlongside: Promise<TrailerCheck> | undefined;
  /** The leaves' CRCs the trailer's worker takes (leafCrcsAlongside). */
  private leafRunsAlongside: Promise<LeafRunCrcs | undefined> | undefined;

  private constructor(
    /** Replaced (with keyBucket and metaFacts) when the file's meta page moves on: see readConsistently. */
    private bolt: BoltFile,
    private readonly boltOptions: BoltOpenOptions,
    /** The bbolt file read (for a data dir: DIR/member/snap/db). */
    readonly file: string,
    description: string,
    private trailerOutcome: HashCheckResult,
    private keyBucket: BoltBucket,
    private metaFacts: MetaFacts,
    private readonly options: SnapshotSourceOptions,
    /** Shared with the bbolt reader's damage callback, so page damage found later lands here too. */
    private readonly damageFound: SnapshotDamage[],
    /**
     * What best effort read past at open, one line each naming the file (today: a sha256 trailer
     * that does not match), for the CLI to print; page damage found while reading is in `damage`.
     */
    readonly warnings: string[],
  ) {
    this.description = description;
  }

  /**
   * Opens a snapshot file, a member's db file, or an etcd data dir (reading DIR/member/snap/db).
   * Checks the sha256 trailer when there is one, unless `skipHashCheck`.
   *
   * @throws SnapshotFileError: "unreadable" (missing file, no permission), "not-etcd" (a bbolt
   *   file without etcd's buckets), "hash-mismatch" (unless bestEffort), or damage found at open.
   */
  static async open(path: string, options: SnapshotSourceOptions = {}): Promise<SnapshotSource> {
    const isDirectory = (await stat(path).catch((error: unknown) => unreadable(path, error))).isDirectory();
    const file = isDirectory ? memberDbOf(path) : path;
    const description = isDirectory ? `etcd data dir ${path}` : `snapshot ${path}`;
    const damage: SnapshotDamage[] = [];
    const record = (error: KregError): void => recordDamage(damage, error, options.onDamage);
    const warnings: string[] = [];
    const boltOptions = withDefined<BoltOpenOptions>({ cacheBytes: options.cacheBytes, onDamage: options.bestEffort === true ? record : undefined });
    const bolt = await BoltFile.open(file, boltOptions).catch((error: unknown) => unreadable(file, error));
    let trailerAlongside: Promise<TrailerCheck> | undefined;
    const passAlongside = withDefined<PassAlongsideOptions>({
      leafRuns: options.leafCrcsAlongside === true,
      sharedWindows: options.shareReadsAlongside === true,
      workerFromBytes: options.workerFromBytes,
    });
    try {
      let hashCheck: HashCheckResult = 'skipped';
      if (options.skipHashCheck !== true && options.checkTrailerAlongside === true) {
        trailerAlongside = bolt.checkSha256Trailer(passAlongside);
        // Handled now, so that a failure waits for settleChecks() instead of going unhandled.
        trailerAlongside.catch(() => undefined);
      } else if (options.skipHashCheck !== true) {
        const check = await bolt.checkSha256Trailer();
        hashCheck = check.state;
        applyTrailerCheck(bolt, check, options, record, warnings);
      }
      // --skip-hash-check: the worker still reads ahead of the walk and takes the leaves' CRCs,
      // without the hash (checkSha256Trailer does the same for a file that has no trailer).
      const readsAlongside = options.checkTrailerAlongside === true && options.skipHashCheck === true && (options.leafCrcsAlongside === true || options.shareReadsAlongside === true);
      const readAlongside = readsAlongside ? bolt.readAlongside(passAlongside) : undefined;
      const keyBucket = await keyBucketOf(bolt, file);
      const metaFacts = await readMetaFacts(bolt, file);
      const freelistProblems = await watchFreedPages(bolt);
      const source = new SnapshotSource(bolt, boltOptions, file, description, hashCheck, keyBucket, metaFacts, options, damage, warnings);
      source.trailerAlongside = trailerAlongside;
      if (options.leafCrcsAlongside === true) source.leafRunsAlongside = readAlongside ?? trailerAlongside?.then((check) => check.leafRuns);
      if (freelistProblems.length > 0) source.sayCheckFailed(freelistProblems);
      return source;
    } catch (error) {
      // Damage found at open in a file whose trailer does not match: the mismatch explains it.
      const check = await trailerAlongside?.catch(() => undefined);
      await bolt.close();
      if (check?.state === 'mismatch' && options.bestEffort !== true) throw bolt.hashMismatchError(check);
      throw nameFile(error, file);
    }
  }

  /** The sha256 trailer's outcome: 'skipped' until settleChecks() has it when it is hashed alongside the reads. */
  get hashCheck(): HashCheckResult {
    return this.trailerOutcome;
  }

  /**
   * Waits for the checks that ran alongside the reads (the sha256 trailer, with
   * checkTrailerAlongside) and throws what they found, as open() would have; under best effort a
   * mismatch is recorded as damage and a warning instead. Call it before printing what was read,
   * and after a read failed (a mismatch explains damage better than the damage does).
   */
  async settleChecks(): Promise<void> {
    const pending = this.trailerAlongside;
    if (pending === undefined) return;
    this.trailerAlongside = undefined;
    let check: TrailerCheck;
    try {
      check = await pending;
    } catch (error) {
      throw nameFile(error, this.file);
    }
    this.trailerOutcome = check.state;
    applyTrailerCheck(this.bolt, check, this.options, (error) => this.recordDamage(error), this.warnings);
  }

  /** Opens DIR/member/snap/db of an etcd data dir (`--data-dir DIR`). */
  static openDataDir(dataDir: string, options: SnapshotSourceOptions = {}): Promise<SnapshotSource> {
    return SnapshotSource.open(dataDir, options);
  }

  /**
   * Problems found only once reads had ended, for the CLI to print last: freelist damage the reads
   * went past, and a file that changed during a read (the output may mix two states).
   */
  get afterReadWarnings(): readonly string[] {
    return [...(this.checkFailure === undefined ? [] : [this.checkFailure]), ...this.changedUnderRead];
  }

  /** Damage skipped so far in best-effort mode. */
  get damage(): readonly SnapshotDamage[] {
    return this.damageFound;
  }

  /** Facts from the `meta` bucket (compaction, consistent index). */
  get meta(): Readonly<MetaFacts> {
    return this.metaFacts;
  }

  /** The lowest revision that can be read. */
  compactedRevision(): number {
    // A scheduled compaction newer than the finished one was still deleting revisions when the
    // file was written: revisions below it may be partly gone, so they cannot be read reliably.
    return Math.max(this.metaFacts.finishedCompactRevision ?? 0, this.metaFacts.scheduledCompactRevision ?? 0);
  }

  async currentRevision(): Promise<number> {
    try {
      if (this.revisionCache === undefined) {
        let highest = 0;
        try {
          const last = await this.bolt.last(this.keyBucket);
          if (last !== undefined) {
            try {
              highest = decodeRevisionKey(last.key).main;
            } catch (error) {
              throw this.valueError(error, last.page, last.index, 'revision key');
            }
          }
        } catch (error) {
          if (!this.isSkippable(error)) throw error;
          this.recordDamage(error);
          highest = await this.scanHighestRevision();
        }
        // etcd does the same on restore: a compaction can remove the newest entry (a delete).
        this.revisionCache = Math.max(highest, this.metaFacts.finishedCompactRevision ?? 0);
      }
      return this.revisionCache;
    } catch (error) {
      throw nameFile(error, this.file);
    }
  }

  async *range(options: RangeOptions): AsyncGenerator<Entry> {
    try {
      const prefix = Buffer.from(options.prefix, 'utf8');
      const from = options.from === undefined ? undefined : Buffer.from(options.from, 'utf8');
      const before = options.before === undefined ? undefined : Buffer.from(options.before, 'utf8');
      // Keys-only entries carry the exact value size here, so a sizes-only read is one.
      const keysOnly = options.keysOnly === true || options.sizesOnly === true;
      const selected = await this.readConsistently(async () => {
        const revision = await this.resolveRevision(options.revision, options.prefix);
        return this.selectKeys(revision, await this.isLatest(options.revision, revision), { prefix, from, before });
      });
      yield* this.fetchInKeyOrder(selected, keysOnly, options.borrowsValues === true);
      await this.noteAfterRead();
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
  }

  /**
   * One key at a revision. The file has no index by key: the first read at a revision scans the
   * `key` bucket, and the next ones use what it found (see selectKeys).
   */
  async get(key: string, options: { revision?: number } = {}): Promise<Entry | undefined> {
    try {
      const wanted = Buffer.from(key, 'utf8');
      const selected = await this.readConsistently(async () => {
        const revision = await this.resolveRevision(options.revision, key);
        return this.selectKeys(revision, await this.isLatest(options.revision, revision), { key: wanted });
      });
      let found: Entry | undefined;
      for await (const entry of this.fetchInKeyOrder(selected, false)) {
        found = entry;
        break;
      }
      await this.noteAfterRead();
      return found;
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
  }

  /**
   * Every revision of the key the file holds, oldest first: creations, updates and deletes, up to
   * `revision` when given. One scan in file order finds where they are (locations only), then the
   * values are read in order. Below the compacted revision only what etcd keeps there is shown
   * (the key's last write at or before it, unless that was a delete), so the answer matches live
   * etcd's even when a compaction was still running as the file was written.
   */
  async history(key: string, options: HistoryOptions = {}): Promise<KeyHistory> {
    try {
      const history = await this.readConsistently(() => this.historyOnce(key, options));
      await this.noteAfterRead();
      return history;
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
  }

  private async historyOnce(key: string, options: HistoryOptions): Promise<KeyHistory> {
    const revision = await this.resolveRevision(options.revision, key);
    const compactedRevision = this.compactedRevision();
    const wanted = Buffer.from(key, 'utf8');
    let found: { revision: RevisionKey; location: StoredLocation }[] = [];
    const lost: { low: number; high: number }[] = [];
    const onSkip = (range: SkippedRange): void => void lost.push({ low: revisionOf(range.low, 0), high: revisionOf(range.high, Number.POSITIVE_INFINITY) });
    for await (const page of this.bolt.scanLeafPages(this.keyBucket, { onSkip })) {
      for (let element = 0; element < page.count; element++) {
        const decoded = this.decodeElement(page, element);
        if (decoded === undefined) lost.push(lostElementRange(page, element));
        else if (decoded.revision.main <= revision && Buffer.compare(decoded.userKey, wanted) === 0) {
          found.push({ revision: decoded.revision, location: locationOf(page, element) });
        }
      }
    }
    // Best effort: revisions lost to damage may have been writes of this key (below the
    // compaction: the one etcd kept for it); say so rather than present the history as complete.
    const gaps = lost.filter((range) => range.low <= revision);
    if (gaps.length > 0) {
      const describe = (range: { low: number; high: number }): string =>
        range.high === Number.POSITIVE_INFINITY ? `${range.low} and later` : range.low === range.high ? `${range.low}` : `${range.low}-${range.high}`;
      this.recordDamage(new SnapshotFileError('history-incomplete', `${key}: history may be incomplete: revisions ${gaps.map(describe).join(', ')} were on skipped pages`, this.file));
    }
    found.sort((a, b) => compareRevisions(a.revision, b.revision));
    const firstRetained = found.findIndex((stored) => stored.revision.main > compactedRevision);
    const atOrBelow = firstRetained < 0 ? found.length : firstRetained;
    const baseline = found[atOrBelow - 1];
    found = [...(baseline !== undefined && !baseline.revision.tombstone ? [baseline] : []), ...found.slice(atOrBelow)];
    const records: HistoryRecord[] = [];
    for (const { revision: stored, location } of found) {
      if (stored.tombstone) {
        records.push({ ...tombstoneEntry(key, stored.main), deleted: true });
        continue;
      }
      const [entry] = await this.fetchStored([{ revision: stored, location }], false);
      if (entry !== undefined) records.push({ ...entry, deleted: false });
    }
    return { revision, compactedRevision, records };
  }

  /**
   * Every revision under the prefix the file holds (at or below `revision`), in file order: what
   * fills the db besides the live values, found in one sequential scan of the `key` bucket. At or
   * below the compacted revision only what etcd keeps there counts (each key's last write, unless
   * that was a delete), as history() does, so a file saved while a compaction was still running
   * gives what live etcd gives.
   */
  async *revisions(options: RevisionsOptions): AsyncGenerator<StoredRevision> {
    try {
      const revision = await this.resolveRevision(options.revision, options.prefix);
      const compacted = this.compactedRevision();
      const prefix = Buffer.from(options.prefix, 'utf8');
      /** Each key's last revision at or below the compaction, yielded once the scan is done. */
      const atCompaction = new Map<string, StoredRevision>();
      for await (const page of this.bolt.scanLeafPages(this.keyBucket)) {
        for (let element = 0; element < page.count; element++) {
          const decoded = this.decodeElement(page, element);
          if (decoded === undefined || decoded.revision.main > revision || !startsWith(decoded.userKey, prefix)) continue;
          const key = utf8Text(decoded.userKey);
          let stored: StoredRevision | undefined;
          if (decoded.revision.tombstone) stored = { key, modRevision: decoded.revision.main, valueSize: 0, deleted: true };
          else {
            const entry = this.decodeEntry(page, element, true);
            if (entry !== undefined) stored = { key, modRevision: decoded.revision.main, valueSize: entry.valueSize, deleted: false };
          }
          if (stored === undefined) continue;
          if (stored.modRevision > compacted) yield stored;
          else if ((atCompaction.get(key)?.modRevision ?? 0) <= stored.modRevision) atCompaction.set(key, stored);
        }
      }
      for (const stored of atCompaction.values()) if (!stored.deleted) yield stored;
      await this.noteAfterRead();
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
  }

  /** Leases the file holds (the `lease` bucket), in lease ID byte order. */
  async *leases(): AsyncGenerator<LeaseRecord> {
    try {
      const bucket = await this.bolt.bucket([LEASE_BUCKET]);
      if (bucket === undefined) return;
      for await (const entry of this.bolt.entries(bucket)) {
        try {
          yield decodeLease(entry.value);
        } catch (error) {
          const problem = this.valueError(error, entry.page, entry.index, 'lease');
          if (this.options.bestEffort !== true) throw problem;
          this.recordDamage(problem);
        }
      }
    } catch (error) {
      throw nameFile(error, this.file);
    }
  }

  /**
   * Everything about the file, in one pass over all buckets: revisions, counts, and the numbers
   * `etcdctl snapshot status` prints. Its hash is a crc32c over bucket names, keys and values in
   * key order, so computing it walks the tree in key order and hashes every byte (the slow part);
   * with `etcdctlHash: false` the pass reads the file sequentially instead and leaves it out.
   */
  async status(options: { etcdctlHash?: boolean } = {}): Promise<SnapshotStatus> {
    try {
      const status = await this.readConsistently(() => this.statusOnce(options));
      await this.noteAfterRead();
      return status;
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
  }

  /**
   * status() (etcdctl's hash included) and bbolt's consistency check in one walk of the tree in
   * key order, the order both need: what `kreg snapshot status` prints, from one read of the file
   * instead of two. When the check finds anything, or a revision does not decode, the status is
   * status()'s own (which reports or skips the damage as it always does) next to the findings.
   */
  async statusAndCheck(): Promise<{ status: SnapshotStatus; check: BoltCheckReport }> {
    let walked: { facts: StatusFacts | undefined; check: BoltCheckReport };
    try {
      walked = await this.readConsistently(() => this.statusAndCheckOnce());
      await this.noteAfterRead();
    } catch (error) {
      throw nameFile(await this.explainChange(error), this.file);
    }
    const { facts, check } = walked;
    return { status: facts === undefined ? await this.status() : this.statusFrom(facts), check };
  }

  private async statusAndCheckOnce(): Promise<{ facts: StatusFacts | undefined; check: BoltCheckReport }> {
    // The walk meets the key bucket in key order, which is revision order; the facts are used only
    // when the check finds the keys in that order (a clean file), else status() counts again.
    const facts = new StatusFacts(KeyIndex.forCounting());
    let decoded = true;
    const runs = this.leafRunsAlongside;
    const check = await checkBoltFile(this.bolt, {
      etcdctlHash: runs === undefined ? true : new LeafRunHasher(this.bolt.pageSize, runs, undefined, (id) => this.bolt.workerTakesLeafCrc(id)),
      onBucketLeaf: (bucket, page) => {
        if (!decoded) return;
        facts.count(bucket, page.count);
        if (bucket !== KEY_BUCKET) return;
        try {
          facts.countLeafInOrder(page);
        } catch {
          decoded = false;
        }
      },
    });
    facts.hash = check.etcdctlHash;
    const clean = decoded && check.findings.length + check.moreFindings === 0 && facts.hash !== undefined;
    return { facts: clean ? facts : undefined, check };
  }

  private async statusOnce(options: { etcdctlHash?: boolean }): Promise<SnapshotStatus> {
    const crc = options.etcdctlHash === false ? undefined : createCrc32c();
    const facts = new StatusFacts();
    const lost: { low: number; high: number }[] = [];
    for await (const top of this.bolt.entries(this.bolt.rootBucket())) {
      const name = Buffer.from(top.key).toString('utf8');
      if (!top.isBucket) {
        // etcdctl would fail here ("cannot get hash of bucket"); report and go on.
        const error = new SnapshotFileError('bad-page', `page ${top.page}: top-level entry "${name}" is not a bucket`, this.file, top.page);
        if (this.options.bestEffort !== true) throw error;
        this.recordDamage(error);
        continue;
      }
      crc?.update(top.key);
      const bucket = this.bolt.openBucketValue([name], top.value, top.page);
      const isKeyBucket = name === KEY_BUCKET;
      const onSkip = isKeyBucket ? (range: SkippedRange): void => void lost.push({ low: revisionOf(range.low, 0), high: revisionOf(range.high, Number.POSITIVE_INFINITY) }) : undefined;
      const pages = crc === undefined ? this.bolt.scanLeafPages(bucket, withDefined({ onSkip })) : this.bolt.leafPages(bucket, withDefined({ onSkip }));
      for await (const page of pages) {
        for (let element = 0; element < page.count; element++) {
          if (crc !== undefined) {
            crc.update(page.key(element));
            // bbolt's ForEach passes a nil value for a nested bucket.
            if (!page.isBucket(element)) crc.update(page.value(element));
          }
          facts.count(name);
          if (!isKeyBucket) continue;
          const decoded = this.decodeElement(page, element);
          if (decoded === undefined) lost.push(lostElementRange(page, element));
          else facts.record(decoded.userKey, decoded.revision, locationOf(page, element));
        }
      }
    }
    // As range() does: keys a lost page may have changed or deleted are not counted as live.
    if (lost.length > 0) leaveOutUnknown(facts.index, lost, Number.POSITIVE_INFINITY, this.file, (error) => this.recordDamage(error));
    facts.hash = crc?.digest();
    return this.statusFrom(facts);
  }

  private statusFrom(facts: StatusFacts): SnapshotStatus {
    const current = Math.max(facts.lastRevision, this.metaFacts.finishedCompactRevision ?? 0);
    this.revisionCache ??= current;
    return {
      file: this.file,
      fileSize: this.bolt.fileSize,
      pageSize: this.bolt.pageSize,
      dataSize: this.bolt.dataSize,
      metaPage: this.bolt.meta.metaPage,
      txid: this.bolt.meta.txid,
      revision: current,
      compactedRevision: this.compactedRevision(),
      finishedCompactRevision: this.metaFacts.finishedCompactRevision,
      scheduledCompactRevision: this.metaFacts.scheduledCompactRevision,
      consistentIndex: this.metaFacts.consistentIndex,
      term: this.metaFacts.term,
      keys: facts.index.liveCount(),
      revisions: facts.revisions,
      leases: facts.leases,
      hashCheck: this.hashCheck,
      etcdctl: { hash: facts.hash, revision: facts.lastRevision, totalKey: facts.totalKey, totalSize: this.bolt.dataSize },
      damage: [...this.damageFound],
    };
  }

  async close(): Promise<void> {
    this.sharedIndex = undefined;
    await this.bolt.close();
  }

  /**
   * Runs a read that yields nothing until it ends (pass 1 of a range) from the file's newest meta
   * page, and once more from the next one if the file moved on meanwhile: a member's db that etcd
   * is writing reuses freed pages, so a read that spans a commit may see pages of two states.
   */
  private async readConsistently<T>(read: () => Promise<T>): Promise<T> {
    if ((await this.txidMoved()) !== undefined) await this.reopen();
    let result: T;
    try {
      result = await read();
      if ((await this.txidMoved()) === undefined) return result;
    } catch (error) {
      // A commit whose pages are written but whose meta page is not yet: give it a moment to land.
      if ((await this.txidMoved()) === undefined && (await this.bolt.writtenSinceOpen())) await delay(COMMIT_SETTLE_MS);
      if ((await this.txidMoved()) === undefined) throw error;
    }
    await this.reopen();
    return read();
  }

  /** [read from, now] when the file's meta page is no longer the one this source reads from. */
  private async txidMoved(): Promise<[number, number] | undefined> {
    // `etcdctl snapshot save` files (those with a sha256 trailer) are never written by etcd afterwards.
    if (this.bolt.hasSha256Trailer) return undefined;
    const now = await this.bolt.currentTxid();
    return now === undefined || now === this.bolt.meta.txid ? undefined : [this.bolt.meta.txid, now];
  }

  /** Reads from the file's newest meta page from now on. */
  private async reopen(): Promise<void> {
    const bolt = await BoltFile.open(this.file, this.boltOptions).catch((error: unknown) => unreadable(this.file, error));
    try {
      const keyBucket = await keyBucketOf(bolt, this.file);
      const metaFacts = await readMetaFacts(bolt, this.file);
      const freelistProblems = await watchFreedPages(bolt);
      await this.bolt.close();
      [this.bolt, this.keyBucket, this.metaFacts, this.revisionCache, this.sharedIndex] = [bolt, keyBucket, metaFacts, undefined, undefined];
      if (freelistProblems.length > 0) this.sayCheckFailed(freelistProblems);
    } catch (error) {
      await bolt.close();
      throw error;
    }
  }

  /**
   * After a read: tree pages it used that the freelist calls free, and a file that moved on
   * meanwhile (entries already yielded may mix two states), said once the run ends.
   */
  private async noteAfterRead(): Promise<void> {
    const freedInUse = this.bolt.firstFreedInUse;
    if (freedInUse !== undefined) this.sayCheckFailed([`page ${freedInUse}: reachable freed`]);
    const moved = await this.txidMoved();
    if (moved === undefined) return;
    const warning = `${this.file} changed while it was read (bbolt transaction ${moved[0]} -> ${moved[1]}; etcd is writing it): the output may mix two states of the database. ${CONSISTENT_COPY_HINT}`;
    if (!this.changedUnderRead.includes(warning)) this.changedUnderRead.push(warning);
  }

  /** Freelist damage does not stop a read (the data may be intact), but it is said, once. */
  private sayCheckFailed(problems: readonly string[]): void {
    if (this.checkFailure !== undefined) return;
    const more = problems.length > 1 ? ` and ${problems.length - 1} more` : '';
    this.checkFailure = `${this.file} failed the consistency check (${problems[0]}${more}); read anyway, as the data may be intact: kreg snapshot check ${this.file} lists every problem`;
  }

  /** A failure while the file moved on is most likely that, not damage: say so instead. */
  private async explainChange(error: unknown): Promise<unknown> {
    if (!(error instanceof SnapshotFileError || error instanceof DecodeError) || error.code === 'unreadable') return error;
    const moved = await this.txidMoved();
    // etcd writes a commit's pages before its meta page: a write in progress has not moved the txid yet.
    if (moved === undefined && !(await this.bolt.writtenSinceOpen())) return error;
    const how = moved === undefined ? 'while it was read' : `while it was read (bbolt transaction ${moved[0]} -> ${moved[1]})`;
    return new SnapshotFileError(
      'changed-under-read',
      `the file changed ${how}: etcd is writing this member's db and reused pages the read needed (${error.message}). ${CONSISTENT_COPY_HINT}`,
      this.file,
      undefined,
      { cause: error },
    );
  }

  /**
   * Whether a read is of the latest state: no revision asked, or the current one (the CLI pins
   * the current revision for every read of a run). Either way a damaged right edge of the tree
   * may hide newer writes, so keys they might have changed are of unknown state.
   */
  private async isLatest(requested: number | undefined, revision: number): Promise<boolean> {
    return requested === undefined || revision >= (await this.currentRevision());
  }

  /** The revision to read at: the latest when absent; checked (a positive integer) and held against the file. */
  private async resolveRevision(requested: number | undefined, key: string): Promise<number> {
    const revision = parseRevision(requested, { file: this.file, key });
    const current = await this.currentRevision();
    if (revision === undefined) return current;
    const compacted = this.compactedRevision();
    if (revision < compacted) throw new RevisionCompactedError(revision, compacted, { file: this.file, key });
    if (revision > current) throw new RevisionFutureError(revision, current, { file: this.file, key });
    return revision;
  }

  /**
   * The live keys a read selects at `revision`, sorted, and the index they are in. Pass 1 (a scan
   * of the whole `key` bucket, which is ordered by revision, not key) indexes every key, and the
   * index is kept for the next reads at the same revision: a command reads a few small prefixes
   * (the release, CRDs, API services) before its listing, and each was a full scan of the file.
   * The read that selects at least a quarter of the keys takes the index over (`owned`: pass 2 may
   * let its keys go). A scan that met damage is not kept: its unknown-state keys are named for
   * the keys this read selects only, as each read's own scan would.
   */
  private async selectKeys(
    revision: number,
    latest: boolean,
    select: { prefix: Uint8Array; from: Uint8Array | undefined; before: Uint8Array | undefined } | { key: Uint8Array },
  ): Promise<SelectedKeys> {
    const fits = (kept: SharedIndex | undefined): kept is SharedIndex => kept !== undefined && kept.revision === revision && kept.latest === latest;
    // Reads that run at once (a command's first few, see EntrySource.interleavesReads) share one
    // scan: each of its own was a full pass over the file. Unless the index was taken over meanwhile.
    const scan = this.indexScan;
    if (!fits(this.sharedIndex) && scan !== undefined && scan.revision === revision && scan.latest === latest) await scan.done;
    let shared = this.sharedIndex;
    if (!fits(shared)) {
      this.sharedIndex = undefined;
      let settle: (kept: SharedIndex | undefined) => void = () => undefined;
      const done = new Promise<SharedIndex | undefined>((resolve) => {
        settle = resolve;
      });
      this.indexScan = { revision, latest, done };
      try {
        const damageBefore = this.damageFound.length;
        const { index, lost } = await this.scanKeys(revision, latest);
        shared = { revision, latest, index, liveCount: index.liveCount() };
        if (lost.length > 0 || this.damageFound.length !== damageBefore) {
          const wanted = (slot: number): boolean => ('key' in select ? Buffer.compare(index.keyBytes(slot), select.key) === 0 : index.keyIn(slot, select.prefix, select.from, select.before));
          leaveOutUnknown(index, lost, latest ? Number.POSITIVE_INFINITY : revision, this.file, (error) => this.recordDamage(error), wanted);
          return { index, slots: index.liveSlotsSorted(wanted), owned: true };
        }
        this.sharedIndex = shared;
      } finally {
        // Those waiting find the index kept, or scan for themselves (damage, a failure).
        settle(this.sharedIndex);
        if (this.indexScan?.done === done) this.indexScan = undefined;
      }
    }
    const { index } = shared;
    if ('key' in select) {
      const slot = index.find(select.key);
      return { index, slots: slot >= 0 && index.isLive(slot) ? Uint32Array.of(slot) : new Uint32Array(0), owned: false };
    }
    const slots = index.liveSlotsSorted((slot) => index.keyIn(slot, select.prefix, select.from, select.before));
    const owned = slots.length * 4 >= shared.liveCount;
    if (owned) this.sharedIndex = undefined;
    return { index, slots, owned };
  }

  /**
   * Pass 1: the latest revision at or below `revision` of every key, where it is stored, and what
   * a keys-only entry shows of it (so that pass 2 of a keys-only read has nothing to read). Reads
   * the `key` bucket in file order; subtrees starting above the revision are skipped (the bucket
   * is ordered by revision). Best effort: `lost` holds the revisions on skipped pages or elements.
   */
  private async scanKeys(revision: number, latest: boolean): Promise<{ index: KeyIndex; lost: { low: number; high: number }[] }> {
    const index = new KeyIndex(true);
    const startsAbove = (firstKey: Uint8Array): boolean => {
      try {
        return decodeRevisionKey(firstKey).main > revision;
      } catch {
        return false; // a damaged branch key: read the subtree and let its elements speak
      }
    };
    const lost: { low: number; high: number }[] = [];
    const onSkip = (range: SkippedRange): void => void lost.push({ low: revisionOf(range.low, 0), high: revisionOf(range.high, Number.POSITIVE_INFINITY) });
    // At the latest revision nothing lies above it, unless damage hid the newest revisions from
    // currentRevision(): then the subtrees above must be read (and fail) to be known as lost.
    const skipChild = latest ? undefined : startsAbove;
    for await (const page of this.bolt.scanLeafPages(this.keyBucket, withDefined({ skipChild, onSkip }))) {
      for (let element = 0; element < page.count; element++) {
        const decoded = this.decodeElement(page, element);
        if (decoded === undefined) {
          lost.push(lostElementRange(page, element));
          continue;
        }
        if (decoded.revision.main > revision) continue;
        const slot = index.record(decoded.userKey, decoded.revision, page.value(element).length, locationOf(page, element));
        if (slot >= 0 && !decoded.revision.tombstone) keepFacts(index, slot, decoded.userKey, page.value(element));
      }
    }
    // Pass 2 reads leaves by the page ids kept here: the branch pages cached meanwhile (16 MiB) would only be held.
    this.bolt.releaseCache();
    return { index, lost };
  }

  /**
   * Pass 2: values of the live keys, fetched a batch at a time and yielded in key order. With
   * `lends` (RangeOptions.borrowsValues), a batch's values are copied into one of two memories the
   * batches take in turn, instead of each into memory of its own: a batch's memory is taken again
   * two batches on, when the caller has asked for the entry after its last.
   */
  private async *fetchInKeyOrder({ index, slots, owned }: SelectedKeys, keysOnly: boolean, lends = false): AsyncGenerator<Entry> {
    // Entries read from the file carry their keys: at 1M keys this frees ~100 MB for pass 2.
    if (owned && !keysOnly) index.keepOnlyLocations();
    // Reused by every batch of this walk (one per fetch window in flight): a batch's entries hold
    // copies of their values, so the next batch may read into the arenas once this one is fetched.
    // Made at the first read: a keys-only walk whose facts pass 1 kept reads nothing.
    let arenas: readonly [ReadArena, ReadArena] | undefined;
    const batchBytes = this.options.batchBytes ?? DEFAULT_BATCH_BYTES;
    // Lent values: a batch's stored bytes stay within batchBytes but for its last entry, and a value
    // that no longer fits gets memory of its own. Made at the first batch that reads, as the arenas are.
    let lent: readonly [ReadArena, ReadArena] | undefined;
    let batches = 0;
    type Fetched = { entries: (Entry | undefined)[] } | { error: unknown };
    const known = (slot: number): boolean => keysOnly && index.hasFacts(slot);
    /** The batch from `start` (up to batchBytes of values), its values being read; never rejects. */
    const startBatch = (start: number): { end: number; batch: Uint32Array; fetched: Promise<Fetched> } => {
      let end = start;
      let bytes = 0;
      while (end < slots.length && (end === start || (bytes < batchBytes && end - start < MAX_BATCH_KEYS))) {
        bytes += index.storedSize(slots[end] as number);
        end++;
      }
      const batch = slots.subarray(start, end);
      const wanted: { revision: RevisionKey; location: StoredLocation }[] = [];
      for (const slot of batch) if (!known(slot)) wanted.push({ revision: index.revisionOf(slot), location: index.locationOf(slot) });
      const values = lends && !keysOnly && wanted.length > 0 ? (lent ??= [new ReadArena(batchBytes), new ReadArena(batchBytes)])[batches++ % 2] : undefined;
      values?.reset();
      const fetched: Promise<Fetched> =
        wanted.length > 0
          ? this.fetchStored(wanted, keysOnly, (arenas ??= [new ReadArena(FETCH_ARENA_BYTES), new ReadArena(FETCH_ARENA_BYTES)]), values).then(
              (entries) => ({ entries }),
              (error: unknown) => ({ error }),
            )
          : Promise.resolve({ entries: [] });
      return { end, batch, fetched };
    };
    // The next batch's values are read while this batch's entries are decoded and printed.
    let current = slots.length > 0 ? startBatch(0) : undefined;
    while (current !== undefined) {
      const fetched = await current.fetched;
      if ('error' in fetched) throw fetched.error;
      // Once per batch, a turn of the event loop: batches known from pass 1 (keys-only) resolve at
      // once, and a walk of only microtasks starves V8's incremental GC (its steps run as tasks):
      // at 1M keys, garbage piled up unmarked to twice the live heap.
      await nextTurn();
      const next = current.end < slots.length ? startBatch(current.end) : undefined;
      let at = 0;
      let yielded = 0;
      for (const slot of current.batch) {
        // Keys-only entries are made as they are yielded, so that a batch of them is not all held at once.
        const entry = known(slot) ? index.keysOnlyEntry(slot) : fetched.entries[at++];
        if (entry !== undefined) yield entry;
        if (++yielded % ENTRIES_PER_TURN === 0) await nextTurn();
      }
      current = next;
    }
  }

  /**
   * Entries for stored revisions, in the order asked (undefined where skipped as damage). Each
   * leaf page involved is read once, in ascending page order, several at a time. Values are
   * copied into `values` when given (lent), else each into memory of its own.
   */
  private async fetchStored(
    wanted: readonly { revision: RevisionKey; location: StoredLocation }[],
    keysOnly: boolean,
    arenas?: readonly [ReadArena, ReadArena],
    values?: ReadArena,
  ): Promise<(Entry | undefined)[]> {
    const entries = new Array<Entry | undefined>(wanted.length);
    const byPage = new Map<number, number[]>();
    const overflowOf = new Map<number, number | undefined>();
    const unplaced: number[] = [];
    wanted.forEach(({ location }, position) => {
      if (location.page === NO_PAGE) unplaced.push(position);
      else {
        overflowOf.set(location.page, location.overflow === UNKNOWN_OVERFLOW ? undefined : location.overflow);
        const positions = byPage.get(location.page);
        if (positions === undefined) byPage.set(location.page, [position]);
        else positions.push(position);
      }
    });
    const pages = [...byPage.keys()].sort((a, b) => a - b);
    // Leaf pages a window at a time, nearby pages in one read (readTreePages), the next window
    // in flight while this one is decoded; its promise never rejects (an abandoned read is safe).
    // With arenas (one per window in flight), a window's pages are let go (values copied) before its
    // arena takes the window after next; without, each window reads into fresh memory.
    const readWindow = (from: number, arena: ReadArena | undefined): Promise<PageRead[]> => {
      arena?.reset();
      return this.bolt.readTreePages(
        pages.slice(from, from + FETCH_WINDOW_PAGES).map((id) => ({ id, from: undefined, overflowHint: overflowOf.get(id) })),
        arena,
      );
    };
    let upcoming = pages.length > 0 ? readWindow(0, arenas?.[0]) : undefined;
    for (let from = 0, turn = 0; upcoming !== undefined; from += FETCH_WINDOW_PAGES, turn ^= 1) {
      const reads = await upcoming;
      upcoming = from + FETCH_WINDOW_PAGES < pages.length ? readWindow(from + FETCH_WINDOW_PAGES, turn === 0 ? arenas?.[1] : arenas?.[0]) : undefined;
      reads.forEach((read, offset) => {
        const id = pages[from + offset] as number;
        const positions = byPage.get(id) as number[];
        const error = read.ok ? (read.page.isLeaf ? undefined : new SnapshotFileError('bad-page-type', `page ${id} is a branch page, expected a leaf`, this.file, id)) : read.error;
        if (error !== undefined || !read.ok) {
          if (!this.isSkippable(error)) throw error;
          this.recordDamage(error);
          return;
        }
        const page = read.page;
        for (const position of positions) {
          const { revision, location } = wanted[position] as { revision: RevisionKey; location: StoredLocation };
          const expected = encodeRevisionKey(revision, revision.tombstone);
          if (location.element < page.count && Buffer.compare(page.key(location.element), expected) === 0) {
            entries[position] = this.decodeEntry(page, location.element, keysOnly, values);
          } else {
            unplaced.push(position); // the page changed since pass 1 (a live member's db): look it up
          }
        }
      });
    }
    for (const position of unplaced) {
      const { revision } = wanted[position] as { revision: RevisionKey };
      entries[position] = await this.fetchRevision(revision, keysOnly, values);
    }
    return entries;
  }

  /** One stored revision, looked up through the tree. */
  private async fetchRevision(revision: RevisionKey, keysOnly: boolean, values?: ReadArena): Promise<Entry | undefined> {
    let found: Awaited<ReturnType<BoltFile['get']>>;
    try {
      found = await this.bolt.get(this.keyBucket, encodeRevisionKey(revision, revision.tombstone));
    } catch (error) {
      if (!this.isSkippable(error)) throw error;
      this.recordDamage(error);
      return undefined;
    }
    if (found === undefined) {
      // Pass 1 saw it; not finding it now means the file changed under us (a live member's db).
      const error = new SnapshotFileError('changed', `revision ${revision.main}_${revision.sub} disappeared while reading: was the file modified?`, this.file);
      if (this.options.bestEffort !== true) throw error;
      this.recordDamage(error);
      return undefined;
    }
    return this.decodeEntryValue(found.value, found.page, found.index, keysOnly, values);
  }

  /** The revision and user key of a `key` bucket element; undefined when skipped as damage. */
  private decodeElement(page: BoltPage, element: number): { revision: RevisionKey; userKey: Uint8Array } | undefined {
    try {
      return revisionElement(page, element);
    } catch (error) {
      const problem = this.valueError(error, page.filePage, element, 'revision');
      if (this.options.bestEffort !== true) throw problem;
      this.recordDamage(problem);
      return undefined;
    }
  }

  private decodeEntry(page: BoltPage, element: number, keysOnly: boolean, values?: ReadArena): Entry | undefined {
    return this.decodeEntryValue(page.value(element), page.filePage, element, keysOnly, values);
  }

  /** The entry of a stored mvccpb.KeyValue; its value copied (into `values` when given). */
  private decodeEntryValue(stored: Uint8Array, page: number, element: number, keysOnly: boolean, values?: ReadArena): Entry | undefined {
    try {
      const record = decodeKeyValue(stored);
      return {
        key: utf8Text(record.key),
        // A copy: the page buffer must not stay alive for as long as the caller keeps the value.
        value: keysOnly ? EMPTY_VALUE : values === undefined ? Buffer.from(record.value) : values.copy(record.value),
        valueSize: record.value.length,
        createRevision: record.createRevision,
        modRevision: record.modRevision,
        version: record.version,
        lease: record.lease,
      };
    } catch (error) {
      const problem = this.valueError(error, page, element, 'mvccpb.KeyValue');
      if (this.options.bestEffort !== true) throw problem;
      this.recordDamage(problem);
      return undefined;
    }
  }

  /** A decode failure inside a value, as a SnapshotFileError naming the page and element. */
  private valueError(error: unknown, page: number, element: number, what: string): KregError {
    if (!(error instanceof DecodeError)) return error instanceof KregError ? error.withSubject({ file: this.file }) : new KregError('bad-value', String(error), { file: this.file });
    return new SnapshotFileError('bad-value', `page ${page} element ${element}: bad ${what}: ${error.describe()}`, this.file, page, { cause: error });
  }

  private isSkippable(error: unknown): error is KregError {
    return this.options.bestEffort === true && error instanceof SnapshotFileError;
  }

  private recordDamage(error: KregError): void {
    recordDamage(this.damageFound, error, this.options.onDamage);
  }

  /** Best effort when the tree's right edge is damaged: the highest revision by a full scan. */
  private async scanHighestRevision(): Promise<number> {
    let highest = 0;
    for await (const page of this.bolt.leafPages(this.keyBucket)) {
      for (let element = 0; element < page.count; element++) {
        const decoded = this.decodeElement(page, element);
        if (decoded !== undefined) highest = Math.max(highest, decoded.revision.main);
      }
    }
    return highest;
  }
}

/**
 * Whatever escapes a public method names the file: a KregError gets the file as its subject when
 * it had none; a RangeError (a read past a buffer a damaged length led to) becomes a
 * SnapshotFileError, so the CLI prints one line saying which file rather than a stack.
 */
function nameFile(error: unknown, file: string): unknown {
  if (error instanceof KregError) return error.withSubject({ file });
  if (error instanceof RangeError) return new SnapshotFileError('bad-structure', `damaged structure: ${error.message}`, file, undefined, { cause: error });
  return error;
}

/** File system errors (no such file, no permission) as a KregError naming the file. */
function unreadable(file: string, error: unknown): never {
  if (error instanceof KregError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  throw new SnapshotFileError('unreadable', `cannot read: ${reason}`, file, undefined, { cause: error });
}

const seenMessages = new WeakMap<SnapshotDamage[], Set<string>>();

/** Adds damage to the list once (every scan meets the same damaged page again). */
function recordDamage(list: SnapshotDamage[], error: KregError, onDamage: ((damage: SnapshotDamage) => void) | undefined): void {
  const message = error.describe();
  // A set per list: a damaged page can leave thousands of keys of unknown state, one line each.
  let seen = seenMessages.get(list);
  if (seen === undefined) seenMessages.set(list, (seen = new Set(list.map((damage) => damage.message))));
  if (seen.has(message)) return;
  seen.add(message);
  const damage: SnapshotDamage = { code: error.code, page: error instanceof SnapshotFileError ? error.page : undefined, message, error };
  list.push(damage);
  onDamage?.(damage);
}

/** How long a commit in progress is given to write its meta page (etcd commits every 100 ms). */
const COMMIT_SETTLE_MS = 250;

/** What to do about a member's db that etcd writes while kreg reads it. */
const CONSISTENT_COPY_HINT = 'For a consistent read, take a snapshot with "etcdctl snapshot save FILE" and use --snapshot FILE (or stop the member).';

/** Has the file's reads note pages its freelist calls free; a freelist that cannot be read is one problem more. */
async function watchFreedPages(bolt: BoltFile): Promise<string[]> {
  try {
    return await bolt.watchFreedPages();
  } catch (error) {
    if (error instanceof SnapshotFileError) return [error.message];
    throw error;
  }
}

async function keyBucketOf(bolt: BoltFile, file: string): Promise<BoltBucket> {
  const keyBucket = await bolt.bucket([KEY_BUCKET]);
  if (keyBucket === undefined) {
    throw new SnapshotFileError('not-etcd', `no "${KEY_BUCKET}" bucket in the root page ${bolt.meta.rootPage}: not an etcd backend file`, file, bolt.meta.rootPage);
  }
  return keyBucket;
}

/** The `meta` bucket's facts; an etcd file without one (never written to) has none. */
async function readMetaFacts(bolt: BoltFile, file: string): Promise<MetaFacts> {
  const bucket = await bolt.bucket([META_BUCKET]);
  if (bucket === undefined) return {};
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  for await (const entry of bolt.entries(bucket)) entries.push({ key: Buffer.from(entry.key), value: Buffer.from(entry.value) });
  try {
    return decodeMetaBucket(entries);
  } catch (error) {
    if (error instanceof DecodeError) throw new SnapshotFileError('bad-value', `bad "${META_BUCKET}" bucket: ${error.describe()}`, file, bucket.root, { cause: error });
    throw error;
  }
}

/**
 * Best effort: a key whose latest revision read is older than a revision lost to damage (at or
 * below the read revision) may have been updated or deleted there, so its state is unknown. It
 * is left out rather than shown as live (a deleted object must not come back), and named as
 * damage ("state-unknown") so the reader knows which keys the listing lacks.
 */
function leaveOutUnknown(
  index: KeyIndex,
  lost: readonly { low: number; high: number }[],
  revision: number,
  file: string,
  record: (error: KregError) => void,
  wanted?: (slot: number) => boolean,
): void {
  const relevant = lost.filter((range) => range.low <= revision);
  if (relevant.length === 0) return;
  // A lost range ending at or after a key's revision may hold a later write of it.
  const latestLost = relevant.reduce((latest, range) => Math.max(latest, Math.min(range.high, revision)), 0);
  for (const slot of index.liveSlots(wanted)) {
    const latest = index.revisionOf(slot).main;
    if (latest > latestLost) continue;
    index.markUnknown(slot);
    const name = index.keyText(slot);
    record(
      new SnapshotFileError(
        'state-unknown',
        `${name}: left out, state unknown: revision ${latest} is the latest read, and ${latestLost === Number.POSITIVE_INFINITY ? 'later revisions' : `revisions up to ${latestLost}`} were on skipped pages (a later write or its delete may be there)`,
        file,
      ),
    );
  }
}

/** The main revision of a `key` bucket key, or `otherwise` when there is none or it does not decode. */
function revisionOf(key: Uint8Array | undefined, otherwise: number): number {
  if (key === undefined) return otherwise;
  try {
    return decodeRevisionKey(key).main;
  } catch {
    return otherwise;
  }
}

/** An element skipped as damage: its revision is its own key's, or lies between its neighbours'. */
function lostElementRange(page: BoltPage, element: number): { low: number; high: number } {
  const own = revisionOf(page.key(element), -1);
  if (own >= 0) return { low: own, high: own };
  return {
    low: element > 0 ? revisionOf(page.key(element - 1), 0) : 0,
    high: element + 1 < page.count ? revisionOf(page.key(element + 1), Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
  };
}

/** The counts status() reports, gathered element by element from the top-level buckets. */
class StatusFacts {
  /**
   * @param index every key's latest revision, for the count of live keys; forCounting() for a walk
   *   in revision order (countLeafInOrder).
   */
  constructor(readonly index = new KeyIndex()) {}

  totalKey = 0;
  revisions = 0;
  leases = 0;
  lastRevision = 0;
  hash: number | undefined;

  /** Elements of a top-level bucket (etcdctl's totalKey counts them all). */
  count(bucket: string, elements = 1): void {
    this.totalKey += elements;
    if (bucket === LEASE_BUCKET) this.leases += elements;
    else if (bucket === KEY_BUCKET) this.revisions += elements;
  }

  /** One revision of the key bucket that decoded. */
  record(userKey: Uint8Array, revision: RevisionKey, location: StoredLocation): void {
    this.lastRevision = Math.max(this.lastRevision, revision.main);
    this.index.record(userKey, revision, 0, location);
  }

  /** Where the user key of the element being counted lies (reused: countLeafInOrder makes no view). */
  private readonly userKey: ByteRange = { start: 0, end: 0 };
  /** The revision of the element being counted (reused: no object per revision). */
  private readonly revision: RevisionKey = { main: 0, sub: 0, tombstone: false };

  /**
   * The revisions of a `key` bucket leaf, for an index forCounting() fed in revision order; their
   * keys are read where they lie in the page. Throws DecodeError at the first damaged one.
   */
  countLeafInOrder(page: BoltPage): void {
    const bytes = page.bytes;
    for (let element = 0; element < page.count; element++) {
      const revision = revisionAt(page, element, this.revision);
      const valueStart = page.valueStart(element);
      locateKeyValueKey(bytes, valueStart, valueStart + page.valueLength(element), this.userKey);
      this.lastRevision = Math.max(this.lastRevision, revision.main);
      this.index.recordInOrder(bytes, this.userKey.start, this.userKey.end, revision.tombstone);
    }
  }
}

/**
 * The revision and user key of a `key` bucket element, read where they lie in the page (a view of
 * every key and value was most of a status walk's garbage). Throws DecodeError for a damaged one.
 */
function revisionElement(page: BoltPage, element: number): { revision: RevisionKey; userKey: Uint8Array } {
  const revision = revisionAt(page, element);
  const valueStart = page.valueStart(element);
  return { revision, userKey: decodeKeyValueKeyAt(page.bytes, valueStart, valueStart + page.valueLength(element)) };
}

/** The revision a `key` bucket element's key names. Throws DecodeError for a damaged one. */
function revisionAt(page: BoltPage, element: number, into?: RevisionKey): RevisionKey {
  const revision = decodeRevisionKeyAt(page.bytes, page.keyStart(element), page.keyLength(element), into);
  // etcd numbers writes within a transaction from 0; past 2^32 is a damaged key (and would not fit the index).
  if (revision.sub > 0xffff_ffff) throw new DecodeError('bad-revision', `sub-revision ${revision.sub} above 2^32`);
  return revision;
}

/** UTF-8 text of bytes inside a page, decoded where they are (Buffer.from(bytes) would copy them first). */
function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function tombstoneEntry(key: string, modRevision: number): Entry {
  return { key, value: EMPTY_VALUE, valueSize: 0, createRevision: 0, modRevision, version: 0, lease: '0' };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * Pass 1 of a keys-only read: the facts of a key's latest revision so far. A value that does not
 * decode (or names another key) is left to pass 2, which reports it as before.
 */
function keepFacts(index: KeyIndex, slot: number, userKey: Uint8Array, stored: Uint8Array): void {
  let record: ReturnType<typeof decodeKeyValue>;
  try {
    record = decodeKeyValue(stored);
  } catch {
    return;
  }
  if (Buffer.compare(record.key, userKey) !== 0) return;
  index.setFacts(slot, { createRevision: record.createRevision, modRevision: record.modRevision, version: record.version, lease: record.lease, valueSize: record.value.length });
}

/** Drops undefined properties (exactOptionalPropertyTypes forbids passing them explicitly). */
function withDefined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Pass 1's index of every key at a revision, kept for the next reads (see selectKeys). */
interface SharedIndex {
  revision: number;
  latest: boolean;
  index: KeyIndex;
  liveCount: number;
}

/** What pass 2 reads: live keys in key order (slots of `index`), and whether the read owns the index. */
interface SelectedKeys {
  index: KeyIndex;
  slots: Uint32Array;
  owned: boolean;
}

/** Page 0 is a meta page, never a leaf: marks revisions found in an inline bucket page. */
const NO_PAGE = 0;
const UNKNOWN_OVERFLOW = 0xffff;

function locationOf(page: BoltPage, element: number): StoredLocation {
  return page.inline ? { page: NO_PAGE, element: 0, overflow: 0 } : { page: page.id, element, overflow: Math.min(page.overflow, UNKNOWN_OVERFLOW) };
}

/** A trailer check's outcome as every read applies it: a mismatch stops the read, or (best effort) is recorded and said. */
function applyTrailerCheck(bolt: BoltFile, check: TrailerCheck, options: SnapshotSourceOptions, record: (error: KregError) => void, warnings: string[]): void {
  if (check.state !== 'mismatch') return;
  const error = bolt.hashMismatchError(check);
  if (options.bestEffort !== true) throw error;
  record(error);
  warnings.push(`${bolt.path}: sha256 trailer does not match the contents; reading anyway (--best-effort)`);
}
