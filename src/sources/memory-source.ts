/**
 * An EntrySource held in memory, for tests and library users: puts and deletes advance a revision
 * counter the way etcd's MVCC store does (create/mod revision, version, a fresh generation after a
 * delete), old revisions stay readable until compact(), and reads fail with the same revision
 * errors as the other sources.
 */
import { KregError } from '../errors.js';
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
} from './source.js';

/** Options of MemorySource. */
export interface MemorySourceOptions {
  /** For messages; "memory" by default. */
  description?: string;
  /** See EntrySource.splitsListingsByPrefix; false by default (a range costs the same either way). */
  splitsListingsByPrefix?: boolean;
}

/** Options of MemorySource.put. */
export interface MemoryPutOptions {
  /** Lease ID as a decimal string; "0" (no lease) by default. Only recorded: nothing expires. */
  lease?: string;
}

/** One write as the store keeps it; a delete is a tombstone with only the key and its revision. */
type Revision = HistoryRecord;

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/**
 * An EntrySource in memory with etcd's MVCC bookkeeping: each put or delete is a new revision,
 * old revisions stay readable (and history() lists them) until compact().
 *
 * @example
 *   const source = new MemorySource();
 *   source.put('/registry/configmaps/default/x', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
 *   const entry = await source.get('/registry/configmaps/default/x');
 */
export class MemorySource implements EntrySource {
  readonly description: string;
  readonly splitsListingsByPrefix: boolean;
  readonly interleavesReads = true;
  /** Writes per key, oldest first; keys are kept as one char per UTF-8 byte so string order is etcd's byte order. */
  private readonly keys = new Map<string, Revision[]>();
  /** etcd starts at revision 1 with an empty store; the first write is revision 2. */
  private revision = 1;
  private compacted = 0;

  constructor(options: MemorySourceOptions = {}) {
    this.description = options.description ?? 'memory';
    this.splitsListingsByPrefix = options.splitsListingsByPrefix ?? false;
  }

  /** A store holding the entries, put one revision each in the order given. */
  static fromEntries(entries: Iterable<{ key: string; value: Uint8Array | string; lease?: string }>, options: MemorySourceOptions = {}): MemorySource {
    const source = new MemorySource(options);
    for (const { key, value, lease } of entries) source.put(key, value, lease === undefined ? {} : { lease });
    return source;
  }

  /** Writes the key at a new revision and returns that revision. The value is copied. */
  put(key: string, value: Uint8Array | string, options: MemoryPutOptions = {}): number {
    checkKey(key);
    const revisions = this.revisionsOf(key);
    const previous = revisions[revisions.length - 1];
    const live = previous !== undefined && !previous.deleted ? previous : undefined;
    this.revision += 1;
    const bytes = typeof value === 'string' ? encoder.encode(value) : value.slice();
    revisions.push({
      key,
      value: bytes,
      valueSize: bytes.length,
      createRevision: live?.createRevision ?? this.revision,
      modRevision: this.revision,
      version: (live?.version ?? 0) + 1,
      lease: options.lease ?? '0',
      deleted: false,
    });
    return this.revision;
  }

  /** Deletes the key at a new revision; like etcd, deleting a missing key writes nothing. Returns the current revision. */
  delete(key: string): number {
    checkKey(key);
    const revisions = this.keys.get(byteString(key));
    const last = revisions?.[revisions.length - 1];
    if (revisions === undefined || last === undefined || last.deleted) return this.revision;
    this.revision += 1;
    revisions.push({ key, value: EMPTY, valueSize: 0, createRevision: 0, modRevision: this.revision, version: 0, lease: '0', deleted: true });
    return this.revision;
  }

  /**
   * Forgets revisions below `revision` the way etcd compacts: per key only the last write at or
   * before it survives, and not even that when it was a delete. Reads below it then fail with
   * RevisionCompactedError.
   */
  compact(revision: number): void {
    const at = parseRevision(revision) as number; // parseRevision only returns undefined for undefined
    if (at > this.revision) throw new RevisionFutureError(at, this.revision, {});
    if (at <= this.compacted) throw new RevisionCompactedError(at, this.compacted, {});
    for (const [key, revisions] of this.keys) {
      let kept = 0;
      while (kept + 1 < revisions.length && (revisions[kept + 1] as Revision).modRevision <= at) kept++;
      const first = revisions[kept] as Revision;
      const start = first.modRevision <= at && first.deleted ? kept + 1 : kept;
      revisions.splice(0, start);
      if (revisions.length === 0) this.keys.delete(key);
    }
    this.compacted = at;
  }

  /** The revision etcd would report as compacted: 0 when never compacted. */
  compactedRevision(): number {
    return this.compacted;
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async *range(options: RangeOptions): AsyncGenerator<Entry> {
    const revision = this.resolveRevision(options.revision, options.prefix);
    const prefix = byteString(options.prefix);
    const from = options.from === undefined ? prefix : byteString(options.from);
    const before = options.before === undefined ? undefined : byteString(options.before);
    const matching = [...this.keys.keys()].filter((key) => key.startsWith(prefix) && key >= from && (before === undefined || key < before)).sort();
    for (const key of matching) {
      const entry = visibleAt(this.keys.get(key) as Revision[], revision);
      if (entry === undefined) continue;
      // Like a snapshot, keys-only still knows the size; a real etcd 3.4 cannot tell it (-1).
      yield options.keysOnly === true ? { ...entry, value: EMPTY } : entry;
    }
  }

  async get(key: string, options: { revision?: number } = {}): Promise<Entry | undefined> {
    const revision = this.resolveRevision(options.revision, key);
    const revisions = this.keys.get(byteString(key));
    return revisions === undefined ? undefined : visibleAt(revisions, revision);
  }

  async history(key: string, options: HistoryOptions = {}): Promise<KeyHistory> {
    const revision = this.resolveRevision(options.revision, key);
    const records = (this.keys.get(byteString(key)) ?? []).filter((record) => record.modRevision <= revision).map((record) => ({ ...record }));
    return { revision, compactedRevision: this.compacted, records };
  }

  async *revisions(options: RevisionsOptions): AsyncGenerator<StoredRevision> {
    const revision = this.resolveRevision(options.revision, options.prefix);
    const prefix = byteString(options.prefix);
    for (const [key, records] of this.keys) {
      if (!key.startsWith(prefix)) continue;
      for (const record of records) {
        if (record.modRevision <= revision) yield { key: record.key, modRevision: record.modRevision, valueSize: record.valueSize, deleted: record.deleted };
      }
    }
  }

  async close(): Promise<void> {
    // Nothing to release; the data stays readable, as a closed snapshot's would not, which is harmless.
  }

  private revisionsOf(key: string): Revision[] {
    const name = byteString(key);
    let revisions = this.keys.get(name);
    if (revisions === undefined) {
      revisions = [];
      this.keys.set(name, revisions);
    }
    return revisions;
  }

  private resolveRevision(requested: number | undefined, key: string): number {
    const revision = parseRevision(requested, { key });
    if (revision === undefined) return this.revision;
    if (revision < this.compacted) throw new RevisionCompactedError(revision, this.compacted, { key });
    if (revision > this.revision) throw new RevisionFutureError(revision, this.revision, { key });
    return revision;
  }
}

/** The key's entry as of the revision, or undefined when it did not exist then. */
function visibleAt(revisions: readonly Revision[], revision: number): Entry | undefined {
  for (let index = revisions.length - 1; index >= 0; index--) {
    const record = revisions[index] as Revision;
    if (record.modRevision > revision) continue;
    if (record.deleted) return undefined;
    const { deleted: _deleted, ...entry } = record;
    return entry;
  }
  return undefined;
}

function checkKey(key: string): void {
  if (key === '') throw new KregError('empty-key', 'etcd keys cannot be empty');
}

/** The key's UTF-8 bytes as one char each: comparing such strings compares the bytes, as etcd orders keys. */
function byteString(key: string): string {
  let text = '';
  for (const byte of encoder.encode(key)) text += String.fromCharCode(byte);
  return text;
}
