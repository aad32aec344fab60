/**
 * bbolt's Tx.Check for a file on disk, read-only: every page below the high-water mark is either
 * reachable from the root exactly once or on the freelist (not both, and not twice on it), tree
 * pointers stay inside the file and lead to branch or leaf pages, keys are sorted within each
 * page and lie within the range their parent's element gives them. Findings use bbolt's (and so
 * etcdutl's) wording where it has one: "page 3: already freed", "page 4: unreachable unfreed",
 * "page 5: multiple references", "page 6: reachable freed", "page 7: out of bounds: 15".
 *
 * Every page is descended into at most once (the reachable set is the visited set), so a pointer
 * cycle is a "multiple references" finding and the walk always ends; memory is a bit per page
 * plus the pointers still to visit.
 */
import { stat } from 'node:fs/promises';
import { compareByteRanges } from '../../codec/utf8.js';
import { KregError } from '../../errors.js';
import { BoltFile, BoltPage, type PageRead, PageSet, ReadArena, SnapshotFileError } from './bbolt-file.js';
import { createCrc32c } from './crc32c.js';
import { memberDbOf } from './file-pass-start.js';
import { hashLeafHere } from './leaf-run-crcs.js';

/** One problem the consistency check found. */
export interface CheckFinding {
  /** The page concerned, when there is one. */
  page: number | undefined;
  /** One line, starting with the page ("page 3: already freed"). */
  message: string;
}

/** What bbolt's consistency check (Tx.Check) found in a file, with the page counts it walked. */
export interface BoltCheckReport {
  file: string;
  /** The high-water mark: pages 0 .. pages-1 make up the db. */
  pages: number;
  /** Pages reached from the meta pages (metas, freelist, every bucket's tree, overflow included). */
  reachable: number;
  /** Pages on the freelist; undefined when the file keeps no freelist (every unreachable page is free then). */
  freelisted: number | undefined;
  /** Pages the meta counts that lie beyond the end of a truncated file (neither reachable nor free: gone). */
  missing: number;
  /** Findings, at most `maxFindings` of them. */
  findings: CheckFinding[];
  /** Findings beyond `maxFindings`, counted but not kept. */
  moreFindings: number;
  /**
   * `etcdctl snapshot status`'s hash, when asked for (`etcdctlHash: true`) and the file let it be
   * computed as etcdctl does: undefined when the check found anything (etcdctl refuses to hash a
   * file that fails its check) or a top-level entry is not a bucket.
   */
  etcdctlHash?: number | undefined;
}

/**
 * A pointer still to visit: the page, its parent element, and the key range it must respect; or
 * an inline bucket's page (a copy: the page it lives in is not kept), visited in its turn so that
 * the walk meets every bucket in key order. Every one is made with all its fields in this order
 * (one hidden class): pointers of several shapes deoptimized the walk.
 */
interface Pending {
  id: number;
  inline: BoltPage | undefined;
  /** The page belongs to a top-level bucket's own tree: its elements are what etcdctl hashes and counts. */
  topBucket: boolean;
  /** Hashed before the page is read: a top-level bucket's name, as etcdctl hashes it before the bucket's contents. */
  hashFirst: Uint8Array | undefined;
  from: { page: number; index: number } | undefined;
  /** Keys in the subtree must be >= low (the parent element's key) ... */
  low: Uint8Array | undefined;
  /** ... and < high (the next element's key in the parent), when there is a next element. */
  high: Uint8Array | undefined;
  /** The bucket's names, for messages. */
  bucket: string;
}

const DEFAULT_MAX_FINDINGS = 1000;
/** Pages of the walk read together. */
const PREFETCH_PAGES = 64;
/** Memory a batch reads into (reused; a batch that needs more gets fresh memory). */
const PREFETCH_ARENA_BYTES = 2 * 1024 * 1024;

/** Takes what etcdctl's hash covers, in its order: bucket names, then whole leaves. */
export interface EtcdctlHasher {
  update(bytes: Uint8Array): void;
  leaf(page: BoltPage): void;
  /** undefined when the hash could not be completed. */
  digest(): Promise<number | undefined>;
}

export interface BoltCheckOptions {
  maxFindings?: number;
  /** Compute etcdctl's hash on the way: here (true), or through a hasher that may take leaves' CRCs from elsewhere. */
  etcdctlHash?: boolean | EtcdctlHasher;
  /**
   * Called with each leaf page of a top-level bucket's own tree (inline ones too), in key order,
   * so that a caller can count what it needs in the same walk; the page is valid during the call only.
   */
  onBucketLeaf?: (bucket: string, page: BoltPage) => void;
}

/**
 * Runs the consistency check; problems are findings, never thrown (only I/O failures throw).
 * With `etcdctlHash`, the walk (in key order, as etcdctl's) also hashes what etcdctl hashes: each
 * top-level bucket's name, then its keys and values (a nested bucket's key only).
 */
export async function checkBoltFile(bolt: BoltFile, options: BoltCheckOptions = {}): Promise<BoltCheckReport> {
  const maxFindings = options.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const crc = options.etcdctlHash === true ? hasherHere() : options.etcdctlHash === false ? undefined : options.etcdctlHash;
  let hashable = true;
  const hwm = bolt.meta.pageCount;
  // Bounded by the file, not the meta's claim: a damaged pgid must not allocate gigabytes.
  const tracked = Math.min(hwm, bolt.readablePageCount + 1);
  const missing = Math.max(0, hwm - bolt.readablePageCount);
  const report: BoltCheckReport = { file: bolt.path, pages: hwm, reachable: 0, freelisted: undefined, missing, findings: [], moreFindings: 0 };
  const find = (page: number | undefined, message: string): void => {
    if (report.findings.length < maxFindings) report.findings.push({ page, message });
    else report.moreFindings++;
  };
  const fromError = (error: unknown, page: number): void => {
    if (error instanceof SnapshotFileError) find(error.page ?? page, error.message);
    else if (error instanceof KregError) find(page, `page ${page}: ${error.message}`);
    else throw error;
  };

  for (const problem of bolt.metaProblems) find(problem.page, problem.message);
  if (bolt.readablePageCount < hwm) find(bolt.readablePageCount, `page ${bolt.readablePageCount}: the file ends here, the meta says the db has ${hwm} pages`);

  // The freelist: each id once.
  const freed = new PageSet(tracked);
  const reachable = new PageSet(tracked);
  const reach = (id: number): boolean => {
    const fresh = reachable.add(id);
    if (fresh && id < tracked) report.reachable++;
    return fresh;
  };
  reach(0);
  reach(1);
  try {
    const freelist = await bolt.readFreelist();
    if (freelist !== undefined) {
      report.freelisted = 0;
      for (let page = freelist.page; page <= freelist.page + freelist.overflow; page++) reach(page);
      for (const id of freelist.ids) {
        if (id >= hwm) find(id, `page ${id}: freed page out of bounds: ${hwm}`);
        else if (!freed.add(id)) find(id, `page ${id}: already freed`);
        else report.freelisted++;
      }
    }
  } catch (error) {
    fromError(error, bolt.meta.freelistPage ?? 0);
  }

  // Every bucket's tree, depth first; nested buckets are pushed as their leaves are read.
  const prefetched = new Prefetch(bolt);
  const visitLeaf = (bucket: string, page: BoltPage): void => {
    crc?.leaf(page);
    options.onBucketLeaf?.(bucket, page);
  };
  const pending: Pending[] = [{ id: bolt.meta.rootPage, inline: undefined, topBucket: false, hashFirst: undefined, from: undefined, low: undefined, high: undefined, bucket: '(root)' }];
  // Pages taken from the trailer worker's shared reads are let go however the walk ends (the worker waits for them).
  try {
    while (pending.length > 0) {
      const pointer = pending.pop() as Pending;
      const { id } = pointer;
      if (pointer.hashFirst !== undefined) crc?.update(pointer.hashFirst);
      if (pointer.inline !== undefined) {
        checkKeyOrder(pointer.inline, pointer, find);
        if (pointer.topBucket) visitLeaf(pointer.bucket, pointer.inline);
        continue;
      }
      if (id >= hwm) {
        find(id, `page ${id}: out of bounds: ${hwm}${pointer.from === undefined ? '' : ` (pointed to by page ${pointer.from.page} element ${pointer.from.index})`}`);
        continue;
      }
      if (id < 2) {
        find(id, `page ${id}: invalid type: meta${pointer.from === undefined ? '' : ` (pointed to by page ${pointer.from.page} element ${pointer.from.index})`}`);
        continue;
      }
      if (!reach(id)) {
        find(id, `page ${id}: multiple references${pointer.from === undefined ? '' : ` (again from page ${pointer.from.page} element ${pointer.from.index})`}`);
        continue;
      }
      // Most pages come out of the trailer worker's reads at once (the page itself): awaited only when read here.
      const taken = prefetched.take(pointer, pending);
      const read = taken instanceof Promise ? await taken : taken;
      let page: BoltPage;
      if (read instanceof BoltPage) page = read;
      else if (read.ok) page = read.page;
      else {
        fromError(read.error, id);
        continue;
      }
      for (let extra = 1; extra <= page.overflow; extra++) {
        if (!reach(id + extra)) find(id + extra, `page ${id + extra}: multiple references (overflow of page ${id})`);
      }
      if (freed.has(id)) find(id, `page ${id}: reachable freed`);
      checkKeyOrder(page, pointer, find);
      if (page.isBranch) {
        // Pushed in reverse so that the walk goes left to right (findings in key order); a child's
        // range ends where the next one's starts.
        let high = pointer.high;
        for (let index = page.count - 1; index >= 0; index--) {
          const low = page.key(index);
          pending.push({ id: page.child(index), inline: undefined, topBucket: pointer.topBucket, hashFirst: undefined, from: { page: id, index }, low, high, bucket: pointer.bucket });
          high = low;
        }
        continue;
      }
      if (pointer.topBucket) visitLeaf(pointer.bucket, page);
      const topLevel = pointer.bucket === '(root)';
      for (let index = page.count - 1; index >= 0; index--) {
        if (!page.isBucket(index)) {
          // etcdctl stops at a top-level entry that is not a bucket ("cannot get hash of bucket").
          if (topLevel) hashable = false;
          continue;
        }
        const name = Buffer.from(page.key(index)).toString('utf8');
        const path = topLevel ? name : `${pointer.bucket}/${name}`;
        // Only a top-level bucket's contents count (etcdctl's ForEach does not descend further). The
        // name and value are copied: the page's bytes are reused once the walk moves on, and an inline
        // bucket's page lives in its value.
        const hashFirst = topLevel && crc !== undefined ? new Uint8Array(page.key(index)) : undefined;
        try {
          const bucket = bolt.openBucketValue([path], new Uint8Array(page.value(index)), id);
          if (bucket.inlinePage === undefined) {
            pending.push({ id: bucket.root, inline: undefined, topBucket: topLevel, hashFirst, from: { page: id, index }, low: undefined, high: undefined, bucket: path });
          } else {
            pending.push({ id, inline: bucket.inlinePage, topBucket: topLevel, hashFirst, from: undefined, low: undefined, high: undefined, bucket: path });
          }
        } catch (error) {
          fromError(error, id);
        }
      }
    }
  } finally {
    prefetched.release();
    bolt.walkDoneWithWindows();
  }
  // Below the high-water mark, every page is reachable or free (only knowable with a freelist).
  if (report.freelisted !== undefined) {
    for (let id = 0; id < Math.min(hwm, tracked); id++) {
      if (!reachable.has(id) && !freed.has(id)) find(id, `page ${id}: unreachable unfreed`);
    }
  }
  if (crc !== undefined) report.etcdctlHash = hashable && report.findings.length + report.moreFindings === 0 ? await crc.digest() : undefined;
  return report;
}

/** Pages the walk will visit next (the top of its stack), read together so that nearby pages share a read. */
class Prefetch {
  private readonly reads = new Map<Pending, { read: Promise<PageRead>; batch: { waiting: number; arena: ReadArena } }>();
  /** Arenas of batches whose every page was taken: free once the walk has moved past the last one. */
  private readonly done: ReadArena[] = [];
  private readonly free: ReadArena[] = [];

  constructor(private readonly bolt: BoltFile) {}

  /**
   * The page for `pointer` (just popped); valid until the next take(). Reads it with the next
   * pending ones when not read yet; a page the trailer worker's reads hold comes without a promise.
   */
  take(pointer: Pending, pending: readonly Pending[]): BoltPage | PageRead | Promise<PageRead> {
    this.release();
    let entry = this.reads.get(pointer);
    if (entry === undefined) {
      // Not read ahead: the trailer worker may have read it already (or be about to).
      const shared = this.bolt.pageFromWindows(pointer);
      if (shared !== undefined) return shared;
      // Pointers read ahead but never taken (a multiple reference) must not pile up: drop them
      // (their arenas with them).
      if (this.reads.size > 4 * PREFETCH_PAGES) this.reads.clear();
      const next = [pointer, ...pending.slice(-PREFETCH_PAGES + 1).filter((waiting) => !this.reads.has(waiting) && !this.bolt.windowsLikelyHold(waiting.id))];
      const batch = { waiting: next.length, arena: this.free.pop() ?? new ReadArena(PREFETCH_ARENA_BYTES) };
      const reads = this.bolt.readTreePages(next, batch.arena);
      next.forEach((waiting, at) => this.reads.set(waiting, { read: reads.then((all) => all[at] as PageRead), batch }));
      entry = this.reads.get(pointer) as NonNullable<typeof entry>;
    }
    this.reads.delete(pointer);
    if (--entry.batch.waiting === 0) this.done.push(entry.batch.arena);
    return entry.read;
  }

  /** Lets go of the pages taken so far (their memory may be reused). */
  release(): void {
    // Called for every page: no array or iterator made when there is nothing to let go.
    if (this.done.length > 0) {
      for (let at = 0; at < this.done.length; at++) {
        const arena = this.done[at] as ReadArena;
        arena.reset();
        this.free.push(arena);
      }
      this.done.length = 0;
    }
    this.bolt.releaseWindows();
  }
}

/** etcdctl's hash computed on this thread. */
function hasherHere(): EtcdctlHasher {
  const crc = createCrc32c();
  return { update: (bytes) => crc.update(bytes), leaf: (page) => hashLeafHere(page, crc), digest: () => Promise.resolve(crc.digest()) };
}

function hex(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 32)).toString('hex');
  return bytes.byteLength > 32 ? `${text}...` : text;
}

/** Keys strictly ascending within the page and inside the range the parent element gives them (bbolt's wording). */
function checkKeyOrder(page: BoltPage, range: { low: Uint8Array | undefined; high: Uint8Array | undefined }, find: (page: number | undefined, message: string) => void): void {
  if (keysInOrder(page, range)) return;
  const kind = page.isBranch ? 'branch' : 'leaf';
  const where = page.inline ? `inline ${kind} page in page ${page.filePage}` : `${kind} page(${page.id})`;
  let previous: Uint8Array | undefined;
  for (let index = 0; index < page.count; index++) {
    const key = page.key(index);
    if (index === 0 && range.low !== undefined && Buffer.compare(range.low, key) > 0) {
      find(page.filePage, `page ${page.filePage}: the first key[0]=(hex)${hex(key)} on ${where} needs to be >= the key in the ancestor (hex)${hex(range.low)}`);
    }
    if (previous !== undefined) {
      const order = Buffer.compare(previous, key);
      if (order >= 0) {
        find(page.filePage, `page ${page.filePage}: key[${index}]=(hex)${hex(key)} on ${where} needs to be > (found ${order === 0 ? '=' : '<'}) than previous element (hex)${hex(previous)}`);
      }
    }
    if (range.high !== undefined && Buffer.compare(key, range.high) >= 0) {
      find(page.filePage, `page ${page.filePage}: key[${index}]=(hex)${hex(key)} on ${where} needs to be < than key of the next element in ancestor (hex)${hex(range.high)}`);
    }
    previous = key;
  }
}

/**
 * Whether the page's keys ascend strictly within its range, the common case, decided without
 * the messages: each key against the one before it, and only the first and last against the range
 * (ascending keys between two in range are in range). Compared here, not with Buffer.compare:
 * keys are mostly 17-byte revisions, and a native call per key pair was ~6% of a status walk.
 */
function keysInOrder(page: BoltPage, range: { low: Uint8Array | undefined; high: Uint8Array | undefined }): boolean {
  const count = page.count;
  if (count === 0) return true;
  // Keys are compared where they lie in the page: a view of each cost more than the comparisons.
  const bytes = page.bytes;
  let previousStart = page.keyStart(0);
  let previousEnd = previousStart + page.keyLength(0);
  if (range.low !== undefined && compareByteRanges(range.low, 0, range.low.length, bytes, previousStart, previousEnd) > 0) return false;
  for (let index = 1; index < count; index++) {
    const start = page.keyStart(index);
    const end = start + page.keyLength(index);
    if (compareByteRanges(bytes, previousStart, previousEnd, bytes, start, end) >= 0) return false;
    previousStart = start;
    previousEnd = end;
  }
  return range.high === undefined || compareByteRanges(bytes, previousStart, previousEnd, range.high, 0, range.high.length) < 0;
}

/** What `kreg snapshot check` reports: the consistency check plus the sha256 trailer. */
export interface SnapshotCheckReport extends BoltCheckReport {
  /** 'skipped' when asked not to hash the file. */
  sha256: 'ok' | 'mismatch' | 'no-trailer' | 'skipped';
}

/**
 * Checks a bbolt file (a snapshot or member db; for a data dir, DIR/member/snap/db): Tx.Check's
 * findings, plus a sha256 trailer that does not match as one more finding. Throws only when the
 * file cannot be opened at all (not bbolt, unreadable, both meta pages bad).
 */
export async function checkSnapshotFile(path: string, options: { skipHashCheck?: boolean; maxFindings?: number } = {}): Promise<SnapshotCheckReport> {
  const info = await stat(path).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotFileError('unreadable', `cannot read: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(error)}`, path, undefined, {
      cause: error,
    });
  });
  const file = info.isDirectory() ? memberDbOf(path) : path;
  const opening: SnapshotFileError[] = [];
  const bolt = await BoltFile.open(file, { onDamage: (damage) => opening.push(damage) }).catch((error: unknown) => {
    if (error instanceof KregError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotFileError('unreadable', `cannot read: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(error)}`, file, undefined, {
      cause: error,
    });
  });
  // The trailer is hashed on a worker thread while the check walks the file here, out of the
  // worker's reads; settled into a value at once, so that a failure waits for its turn instead of
  // going unhandled. Without a trailer to hash, the worker reads ahead of the walk all the same.
  const hashing =
    options.skipHashCheck === true
      ? undefined
      : bolt.checkSha256Trailer({ sharedWindows: true }).then(
          (trailer) => ({ trailer }),
          (error: unknown) => ({ error }),
        );
  if (hashing === undefined) void bolt.readAlongside({ sharedWindows: true });
  try {
    const report = await checkBoltFile(bolt, options.maxFindings === undefined ? {} : { maxFindings: options.maxFindings });
    // Truncation was found at open (reported as damage) and again by the check: keep the check's.
    let sha256: SnapshotCheckReport['sha256'] = 'skipped';
    if (hashing !== undefined) {
      const hashed = await hashing;
      if ('error' in hashed) throw hashed.error;
      const { trailer } = hashed;
      sha256 = trailer.state;
      if (trailer.state === 'mismatch') {
        const error = bolt.hashMismatchError(trailer);
        report.findings.push({ page: undefined, message: error.message });
      }
    }
    return { ...report, sha256 };
  } catch (error) {
    if (error instanceof KregError) throw error.withSubject({ file });
    if (error instanceof RangeError) throw new SnapshotFileError('bad-structure', `damaged structure: ${error.message}`, file, undefined, { cause: error });
    throw error;
  } finally {
    await bolt.close();
  }
}

/** The check in one line, e.g. "ok: 15 pages, 12 reachable, 3 free" or "2 problems, first: page 3: already freed". */
export function summarizeCheck(report: SnapshotCheckReport): string {
  const total = report.findings.length + report.moreFindings;
  const pages = describePages(report, ': ');
  const sha = describeSha256(report);
  if (total === 0) return `ok (${pages}; ${sha})`;
  return `${total} ${total === 1 ? 'problem' : 'problems'}, first: ${report.findings[0]?.message} (${pages}; ${sha})`;
}

/**
 * "15 pages: 12 reachable, 3 on the freelist". Without a freelist, the pages in the file that no
 * tree reaches are free; pages past the end of a truncated file are missing, not free.
 */
export function describePages(report: BoltCheckReport, separator = ', '): string {
  const inFile = report.pages - report.missing;
  const free = report.freelisted === undefined ? `${Math.max(0, inFile - report.reachable)} free (no freelist kept)` : `${report.freelisted} on the freelist`;
  const missing = report.missing > 0 ? `, ${report.missing} missing (beyond the end of the file)` : '';
  return `${report.pages} pages${separator}${report.reachable} reachable, ${free}${missing}`;
}

export function describeSha256(report: SnapshotCheckReport): string {
  return report.sha256 === 'no-trailer' ? 'no sha256 trailer' : `sha256 ${report.sha256}`;
}
