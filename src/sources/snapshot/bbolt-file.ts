/**
 * A read-only reader for bbolt files (etcd's backend: `member/snap/db` and `etcdctl snapshot save`
 * output). It reads pages on demand through a file handle; memory stays bounded by the branch
 * page cache, the read-ahead window and a few scan chunks, whatever the file size. It never locks
 * and never writes, so it can look at a file a running etcd owns (which may change under it: read
 * a copy for a stable view).
 *
 * Two ways to read pages, because one async read costs ~10-40 microseconds whatever its size:
 *  - in key order (entries, leafPages, get): pages are scattered over the file, so each page is
 *    read on its own (its first page, then its overflow), several in flight at once;
 *  - in file order (scanLeafPages, for passes that do not need key order): the tree level by
 *    level, each level's pages in ascending page order, in 1 MiB sequential chunks read into
 *    reused buffers, so the file is read about once, sequentially, without garbage per page.
 *
 * On-disk format (bbolt 1.3, little-endian):
 *   page header (16 bytes): id u64, flags u16, count u16, overflow u32
 *   meta (at byte 16 of pages 0 and 1): magic u32, version u32, pageSize u32, flags u32,
 *     root bucket {root pgid u64, sequence u64}, freelist pgid u64, pgid (page count) u64,
 *     txid u64, checksum u64 (FNV-1a 64 of the 56 bytes before it)
 *   branch element (16 bytes): pos u32, ksize u32, child pgid u64 (key at element + pos)
 *   leaf element (16 bytes): flags u32, pos u32, ksize u32, vsize u32 (key at element + pos,
 *     value right after the key); flags 1 = the value is a nested bucket: {root pgid u64,
 *     sequence u64}, and when root is 0 an inline leaf page follows inside the value itself.
 * A page with overflow N spans N+1 consecutive pages.
 */
import { read as readCallback } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { KregError } from '../../errors.js';
import { BUCKET_LEAF_FLAG, type ByteSpan, ELEMENT_SIZE, leafKeyValueRun, PAGE_FLAG_BRANCH, PAGE_FLAG_FREELIST, PAGE_FLAG_LEAF, PAGE_FLAG_META, PAGE_HEADER_SIZE } from './bolt-page-layout.js';
import { type OneShotWorker, startOneShotWorker } from './one-shot-worker.js';
import { FILE_PASS_WORKER, WORKER_FROM_BYTES } from './file-pass-start.js';
import { type FilePassAnswer, type FilePassJobs, passOverFile } from './file-pass.js';
import type { FilePassJob } from './file-pass-worker.js';
import type { LeafRunCrcs } from './leaf-run-crcs.js';
import { createSharedWindowsMemory, WindowReader } from './shared-windows.js';

export const BOLT_MAGIC = 0xed0cdaed;
export const BOLT_VERSION = 2;
/** `etcdctl snapshot save` appends the sha256 of everything before it. */
export const SHA256_TRAILER_LENGTH = 32;

export { PAGE_FLAG_BRANCH, PAGE_FLAG_FREELIST, PAGE_FLAG_LEAF, PAGE_FLAG_META } from './bolt-page-layout.js';

const META_SIZE = 64;
const META_CHECKSUM_OFFSET = 56;
const BUCKET_HEADER_SIZE = 16;

/** Page sizes tried to find meta page 1 when meta page 0 is unreadable (bbolt uses the OS page size). */
const CANDIDATE_PAGE_SIZES = [4096, 8192, 16384, 32768, 65536, 2048, 1024, 512];
/** A real tree is a handful of levels deep; more means a pointer cycle in a damaged file. */
const MAX_TREE_DEPTH = 32;
const FREELIST_NOT_SYNCED = 0xffff_ffff_ffff_ffffn;
/** Pages read past the last wanted page of a chunk, so that its overflow usually fits too. */
const CHUNK_OVERFLOW_SLACK = 4;
/**
 * A read covers the gap between two wanted pages when it is at most this many pages: copying
 * 64 KiB out of the page cache costs less than one more read call (measured: ~25 us a call).
 */
const MAX_READ_THROUGH_GAP = 16;

/** A bbolt file is damaged or not a bbolt file; names the file and, where there is one, the page. */
export class SnapshotFileError extends KregError {
  override name = 'SnapshotFileError';
  /** The page holding the damage (for a bad pointer: the page the pointer sits in). */
  readonly page: number | undefined;

  constructor(code: string, message: string, file: string, page?: number, options?: { offset?: number; cause?: unknown }) {
    const subject: { file: string; offset?: number } = { file };
    if (options?.offset !== undefined) subject.offset = options.offset;
    super(code, message, subject, options?.cause === undefined ? undefined : { cause: options.cause });
    this.page = page;
  }
}

export interface BoltMeta {
  /** Which meta page this is (bbolt keeps two and uses the valid one with the highest txid). */
  metaPage: 0 | 1;
  pageSize: number;
  flags: number;
  rootPage: number;
  /** Freelist page, or undefined when the freelist is not persisted (NoFreelistSync). */
  freelistPage: number | undefined;
  /** High-water mark: pages 0 .. pageCount-1 are in use; the db is pageCount * pageSize bytes. */
  pageCount: number;
  txid: number;
  checksum: bigint;
}

/** keyValueRun()'s answer, reused (read at once). */
const RUN: ByteSpan = { start: 0, end: 0 };

/** One page of a bucket's B+tree (or an inline bucket's page), checked and ready to read. */
export class BoltPage {
  private readonly view: DataView;
  readonly flags: number;
  readonly count: number;
  readonly overflow: number;

  /** The page over its bytes, its header (flags, element count, overflow) read from them: at least PAGE_HEADER_SIZE of them. */
  constructor(
    /** Page id; 0 for an inline bucket page (which lives inside a value of `filePage`). */
    readonly id: number,
    /** The page including its overflow pages; element offsets are relative to its start. */
    readonly bytes: Uint8Array,
    /** The page in the file these bytes are in, for messages (differs from id for inline pages). */
    readonly filePage: number,
    readonly inline: boolean,
  ) {
    // One view, the header read through it too: a page's views were most of a status walk's garbage.
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.flags = this.view.getUint16(8, true);
    this.count = this.view.getUint16(10, true);
    this.overflow = this.view.getUint32(12, true);
  }

  get isLeaf(): boolean {
    return (this.flags & PAGE_FLAG_LEAF) !== 0;
  }

  get isBranch(): boolean {
    return (this.flags & PAGE_FLAG_BRANCH) !== 0;
  }

  /** Where the page is, for messages. */
  get where(): string {
    return this.inline ? `inline bucket page in page ${this.filePage}` : `page ${this.id}`;
  }

  private elementOffset(index: number): number {
    return PAGE_HEADER_SIZE + index * ELEMENT_SIZE;
  }

  key(index: number): Uint8Array {
    const start = this.keyStart(index);
    return this.bytes.subarray(start, start + this.keyLength(index));
  }

  /**
   * Where the key of element `index` starts in `bytes`: with keyLength(), a key read where it is
   * (a walk over every key made a view of each, and collected them again).
   */
  keyStart(index: number): number {
    const element = this.elementOffset(index);
    return element + (this.isLeaf ? this.view.getUint32(element + 4, true) : this.view.getUint32(element, true));
  }

  keyLength(index: number): number {
    return this.view.getUint32(this.elementOffset(index) + (this.isLeaf ? 8 : 4), true);
  }

  /** Leaf only: the value (a view into the page: copy it to keep it). */
  value(index: number): Uint8Array {
    const start = this.valueStart(index);
    return this.bytes.subarray(start, start + this.valueLength(index));
  }

  /** Leaf only: where the value of element `index` starts in `bytes` (see keyStart()). */
  valueStart(index: number): number {
    const element = this.elementOffset(index);
    return element + this.view.getUint32(element + 4, true) + this.view.getUint32(element + 8, true);
  }

  /** Leaf only. */
  valueLength(index: number): number {
    return this.view.getUint32(this.elementOffset(index) + 12, true);
  }

  /** Leaf only: the value of this element is a nested bucket. */
  isBucket(index: number): boolean {
    return (this.view.getUint32(this.elementOffset(index), true) & BUCKET_LEAF_FLAG) !== 0;
  }

  /**
   * Leaf only: every key and value as one run of bytes, key then value, element after element (as
   * bbolt writes a leaf); undefined when the elements lie otherwise, outside the page, or one is a
   * nested bucket. Safe on a page whose elements were never checked (what the sha256 worker reads).
   */
  keyValueRun(): Uint8Array | undefined {
    return leafKeyValueRun(this.view, 0, this.bytes.length, this.count, RUN) ? this.bytes.subarray(RUN.start, RUN.end) : undefined;
  }

  /** Leaf only: keyValueRun()'s length, -1 where it has none; no view made (for a run whose CRC was taken elsewhere). */
  keyValueRunLength(): number {
    return leafKeyValueRun(this.view, 0, this.bytes.length, this.count, RUN) ? RUN.end - RUN.start : -1;
  }

  /** Branch only: the child page id (not yet checked against the file). */
  child(index: number): number {
    return readUint64(this.view, this.elementOffset(index) + 8);
  }

  /** What is wrong when an element's key (or a leaf element's value) runs past the page's end; undefined when none does. */
  elementOverrun(): string | undefined {
    const length = this.bytes.length;
    if (this.elementOffset(this.count) > length) return `${this.count} elements do not fit in ${length} bytes`;
    const leaf = this.isLeaf;
    for (let index = 0; index < this.count; index++) {
      const element = this.elementOffset(index);
      if (leaf) {
        const end = element + this.view.getUint32(element + 4, true) + this.view.getUint32(element + 8, true) + this.view.getUint32(element + 12, true);
        if (end > length) return `leaf element ${index} runs to byte ${end}, past the page end (${length} bytes)`;
      } else {
        const end = element + this.view.getUint32(element, true) + this.view.getUint32(element + 4, true);
        if (end > length) return `branch element ${index} key runs to byte ${end}, past the page end (${length} bytes)`;
      }
    }
    return undefined;
  }
}

/** A bucket found by name: its root page, or its inline page when it is small enough to be inline. */
export interface BoltBucket {
  /** Names from the top level down, e.g. ["key"]. */
  path: readonly string[];
  /** Root page id; 0 for an inline bucket. */
  root: number;
  inlinePage: BoltPage | undefined;
  sequence: bigint;
}

export interface BoltEntry {
  key: Uint8Array;
  /** A view into the page: copy it to keep it beyond the current iteration step. */
  value: Uint8Array;
  isBucket: boolean;
  /** The page the entry is in (for inline buckets: the file page holding the inline page). */
  page: number;
  index: number;
}

export interface BoltOpenOptions {
  /**
   * Best effort: called for each damaged page instead of throwing; the page (and what hangs below
   * it) is skipped and reading carries on. A truncated file is reported here too.
   */
  onDamage?: (damage: SnapshotFileError) => void;
  /** Bytes of branch pages to keep cached; 16 MiB by default. */
  cacheBytes?: number;
  /** Size of one sequential read in file-order scans; 1 MiB by default (rounded up to whole pages). */
  chunkBytes?: number;
  /** How many sibling pages to read ahead (in a few reads of nearby pages) in a key-order walk; 64 by default. */
  readAhead?: number;
}

/** What a pass over the file alongside a walk takes besides reading it. */
export interface PassAlongsideOptions {
  /** Take the leaves' CRCs (leaf-run-crcs.ts). */
  leafRuns?: boolean;
  /** Read into memory shared with this thread, for pageFromWindows() (shared-windows.ts). */
  sharedWindows?: boolean;
  /** The shared windows' size (4 MiB by default; leaf CRCs are taken in windows of the same size). */
  windowBytes?: number;
  /** Passes over fewer bytes than this are made on this thread, not a worker (32 MiB by default; 0: always a worker). */
  workerFromBytes?: number;
}

/** The trailer's verdict; with `leafRuns` asked for, the leaves' CRCs taken on the same read (leaf-run-crcs.ts). */
export type TrailerCheck = ({ state: 'ok'; sha256: string } | { state: 'mismatch'; expected: string; actual: string } | { state: 'no-trailer' }) & { leafRuns?: LeafRunCrcs };

/** A pointer to a tree page, and where it came from (for messages; undefined: a bucket's root). */
interface PagePointer {
  id: number;
  from: { page: number; index: number } | undefined;
  /** The subtree's keys are >= low (its branch element's key); undefined: no bound known. */
  low?: Uint8Array | undefined;
  /** ... and < high (the next element's key, or the parent's own bound); undefined: none. */
  high?: Uint8Array | undefined;
  /** The page's overflow when the caller knows it (an earlier scan saw it): read it in the same read. */
  overflowHint?: number | undefined;
}

/** What readInFileOrder leaves in place of the pointers it has read. */
const READ_POINTER: PagePointer = { id: -1, from: undefined };

/**
 * A branch element's child in a file-order scan, its key bounds read from the parent only when
 * asked (for a damaged subtree): a level of a large tree holds hundreds of thousands of children,
 * and two key views and a `from` object each measured about 130 MiB at a million keys. Branch
 * pages own their bytes (makePage copies them), so the keys stay valid.
 */
class ChildPointer implements PagePointer {
  readonly id: number;

  constructor(
    private readonly parent: BoltPage,
    private readonly index: number,
    private readonly parentPointer: PagePointer | undefined,
  ) {
    this.id = parent.child(index);
  }

  get from(): { page: number; index: number } {
    return { page: this.parent.id, index: this.index };
  }

  get low(): Uint8Array {
    return this.parent.key(this.index);
  }

  get high(): Uint8Array | undefined {
    return this.index + 1 < this.parent.count ? this.parent.key(this.index + 1) : this.parentPointer?.high;
  }
}

/** The key range of a subtree skipped as damage: nothing in it was read (bounds undefined: open). */
export interface SkippedRange {
  low: Uint8Array | undefined;
  high: Uint8Array | undefined;
}

/** Either the page or what went wrong; read-ahead promises never reject, so none goes unhandled. */
export type PageRead = { ok: true; page: BoltPage; pointer?: PagePointer } | { ok: false; error: unknown; pointer?: PagePointer };

export class BoltFile {
  private readonly cache: PageCache;
  /** Size of one sequential read in file-order scans. */
  private readonly chunkBytes: number;
  private readonly readAhead: number;
  private readonly onDamage: ((damage: SnapshotFileError) => void) | undefined;
  /** Pages that can be read: the meta's page count, fewer when the file is truncated (best effort). */
  private readonly readablePages: number;
  private closed = false;
  /** Worker threads hashing this file, stopped by close(). */
  private readonly workers = new Set<OneShotWorker<unknown>>();
  /** The pass worker's reads, shared (checkSha256Trailer or readAlongside with sharedWindows): pages the walk need not read again. */
  private windows: WindowReader | undefined;
  /** Pages the file's freelist lists, once watchFreedPages() has read it. */
  private freed: PageSet | undefined;
  /** Tree pages a read used that the freelist calls free (bbolt's "reachable freed"), in the order met. */
  firstFreedInUse: number | undefined;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    /** Size of the file on disk, trailer included. */
    readonly fileSize: number,
    /** The meta page in use. */
    readonly meta: BoltMeta,
    /** Problems with the other meta page (the one not used), if any. */
    readonly metaProblems: readonly SnapshotFileError[],
    /** The file ends with a 32-byte sha256 trailer (as `etcdctl snapshot save` writes). */
    readonly hasSha256Trailer: boolean,
    /** When the file was last written, as it was opened. */
    private readonly openedMtimeMs: number,
    options: BoltOpenOptions,
  ) {
    this.cache = new PageCache(options.cacheBytes ?? 16 * 1024 * 1024);
    this.chunkBytes = Math.max(1, Math.ceil((options.chunkBytes ?? 1024 * 1024) / meta.pageSize)) * meta.pageSize;
    this.readAhead = Math.max(1, options.readAhead ?? 64);
    this.onDamage = options.onDamage;
    const bodyBytes = fileSize - (hasSha256Trailer ? SHA256_TRAILER_LENGTH : 0);
    this.readablePages = Math.min(meta.pageCount, Math.floor(bodyBytes / meta.pageSize));
  }

  get pageSize(): number {
    return this.meta.pageSize;
  }

  /** Bytes of the database proper (bbolt's tx.Size(): page count × page size). */
  get dataSize(): number {
    return this.meta.pageCount * this.meta.pageSize;
  }

  static async open(path: string, options: BoltOpenOptions = {}): Promise<BoltFile> {
    const handle = await open(path, 'r');
    try {
      let { size: fileSize, mtimeMs } = await handle.stat();
      const { meta, problems } = await readMeta(handle, path, fileSize);
      const neededBytes = meta.pageCount * meta.pageSize;
      if (fileSize < neededBytes) {
        // A member's db that etcd is writing: a commit between the stat and the meta read wrote
        // its pages (growing the file) before its meta page, so the file is larger by now.
        ({ size: fileSize, mtimeMs } = await handle.stat());
      }
      // A snapshot is the db's pages plus the trailer; a member's db file is whole pages only.
      const hasSha256Trailer = fileSize % meta.pageSize === SHA256_TRAILER_LENGTH;
      const bodyBytes = fileSize - (hasSha256Trailer ? SHA256_TRAILER_LENGTH : 0);
      if (bodyBytes < neededBytes) {
        const truncated = new SnapshotFileError(
          'truncated',
          `file is truncated: it ends at byte ${bodyBytes}, inside page ${Math.floor(bodyBytes / meta.pageSize)}, ` +
            `but meta page ${meta.metaPage} says the db has ${meta.pageCount} pages (${neededBytes} bytes)`,
          path,
          Math.floor(bodyBytes / meta.pageSize),
          { offset: bodyBytes },
        );
        if (options.onDamage === undefined) throw truncated;
        options.onDamage(truncated);
      }
      return new BoltFile(handle, path, fileSize, meta, problems, hasSha256Trailer, mtimeMs, options);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * The transaction id of the meta page in use now, read again from the file: a member's db that
   * etcd is writing gets a new one with every commit (about every 100 ms under writes), and may
   * reuse pages this read still needs. Undefined when neither meta page reads as valid now.
   */
  async currentTxid(): Promise<number | undefined> {
    try {
      const fileSize = (await this.handle.stat()).size;
      return (await readMeta(this.handle, this.path, fileSize)).meta.txid;
    } catch {
      return undefined;
    }
  }

  /** Whether something wrote the file since it was opened (etcd writes pages before the meta page). */
  async writtenSinceOpen(): Promise<boolean> {
    try {
      return (await this.handle.stat()).mtimeMs !== this.openedMtimeMs;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    // A trailer hash nobody waits for any more must not keep the process alive.
    await Promise.all([...this.workers].map((worker) => worker.stop()));
    await this.handle.close();
  }

  /**
   * Lets go of the cached branch pages: after a scan of a whole bucket, when what comes next reads
   * leaves by page id (a key-order fetch) and would only hold them.
   */
  releaseCache(): void {
    this.cache.clear();
  }

  /**
   * Compares the sha256 trailer with the bytes before it, hashed on a worker thread so that a
   * caller may walk the file meanwhile. A file without a trailer (a member db) is 'no-trailer';
   * asked for leaf CRCs or shared windows, the worker still reads it (readAlongside()).
   */
  async checkSha256Trailer(options: PassAlongsideOptions = {}): Promise<TrailerCheck> {
    if (!this.hasSha256Trailer) {
      if (options.leafRuns !== true && options.sharedWindows !== true) return { state: 'no-trailer' };
      const leafRuns = await this.readAlongside(options);
      return leafRuns === undefined ? { state: 'no-trailer' } : { state: 'no-trailer', leafRuns };
    }
    const bodyBytes = this.fileSize - SHA256_TRAILER_LENGTH;
    const answer = await this.passAlongside(bodyBytes, true, options);
    if (answer.ok) {
      const check = await this.compareTrailer(bodyBytes, answer.sha256 ?? '');
      return answer.leafRuns === undefined ? check : { ...check, leafRuns: answer.leafRuns };
    }
    if ('error' in answer) throw new SnapshotFileError('unreadable', `cannot hash the file: ${answer.error}`, this.path);
    throw new SnapshotFileError('truncated', `file ends at byte ${answer.endedAt}, expected ${bodyBytes - answer.endedAt} more bytes`, this.path, undefined, { offset: answer.endedAt });
  }

  /**
   * The same pass over the file as checkSha256Trailer() without the hash, for a walk that does not
   * check the trailer (--skip-hash-check, or a member db, which has none): the worker reads ahead of
   * the walk into the shared windows, and takes leaves' CRCs, while the walk works. The pages it
   * covers are those of the db. Never rejects: without the pass (a failed read, no worker), the
   * leaves' CRCs are undefined and the walk reads for itself.
   */
  async readAlongside(options: PassAlongsideOptions = {}): Promise<LeafRunCrcs | undefined> {
    const dbBytes = Math.min(this.fileSize - (this.hasSha256Trailer ? SHA256_TRAILER_LENGTH : 0), this.readablePageCount * this.meta.pageSize);
    try {
      const answer = await this.passAlongside(dbBytes, false, options);
      return answer.ok ? answer.leafRuns : undefined;
    } catch {
      return undefined;
    }
  }

  /** One pass over the first `length` bytes: on a worker thread, or on this one for a small file or where no worker can start. */
  private async passAlongside(length: number, sha256: boolean, options: PassAlongsideOptions): Promise<FilePassAnswer> {
    const jobs: FilePassJobs = { sha256 };
    if (options.leafRuns === true) jobs.leafRuns = { pageSize: this.pageSize, pages: Math.min(this.meta.pageCount, this.readablePageCount) };
    // A small file is passed over here: starting a worker takes longer (70-90 ms) than this thread
    // takes to read and hash WORKER_FROM_BYTES, and the walk, which would wait for the worker's first
    // window, reads for itself.
    if (length < (options.workerFromBytes ?? WORKER_FROM_BYTES)) return await this.passHere(length, sha256, jobs);
    const job: FilePassJob = { path: this.path, length, ...jobs };
    if (options.sharedWindows === true) {
      job.windows = createSharedWindowsMemory(length, options.windowBytes);
      this.windows = new WindowReader(job.windows);
    }
    const worker = startOneShotWorker<FilePassAnswer>(FILE_PASS_WORKER, job);
    this.workers.add(worker);
    try {
      const answer = await worker.answer;
      if (answer !== undefined) return answer;
      // No worker here: the same pass on this thread (and no shared reads to wait for).
      this.windows?.giveUp();
      return await this.passHere(length, sha256, jobs);
    } catch (error) {
      this.windows?.giveUp();
      throw passFailed(error, sha256, this.path);
    } finally {
      this.workers.delete(worker);
    }
  }

  /** The pass on this thread. */
  private async passHere(length: number, sha256: boolean, jobs: FilePassJobs): Promise<FilePassAnswer> {
    try {
      return await passOverFile(this.path, length, jobs);
    } catch (error) {
      throw passFailed(error, sha256, this.path);
    }
  }

  private async compareTrailer(bodyBytes: number, actual: string): Promise<TrailerCheck> {
    const trailer = Buffer.alloc(SHA256_TRAILER_LENGTH);
    await this.readExactly(trailer, SHA256_TRAILER_LENGTH, bodyBytes, undefined);
    const expected = trailer.toString('hex');
    return actual === expected ? { state: 'ok', sha256: actual } : { state: 'mismatch', expected, actual };
  }

  /** The error for a failed trailer check, naming the file and the pages the hash covers. */
  hashMismatchError(check: { expected: string; actual: string }): SnapshotFileError {
    const pages = Math.ceil((this.fileSize - SHA256_TRAILER_LENGTH) / this.pageSize);
    return new SnapshotFileError(
      'hash-mismatch',
      `sha256 trailer does not match the contents (pages 0-${pages - 1}): trailer says ${check.expected}, ` + `contents hash to ${check.actual}; the file was changed or damaged after it was saved`,
      this.path,
      undefined,
      { offset: this.fileSize - SHA256_TRAILER_LENGTH },
    );
  }

  /**
   * The freelist page's ids (free and pending pages, as bbolt writes them) and how many overflow
   * pages the freelist itself spans; undefined when the freelist is not persisted (NoFreelistSync).
   */
  async readFreelist(): Promise<{ page: number; overflow: number; ids: number[] } | undefined> {
    const id = this.meta.freelistPage;
    if (id === undefined) return undefined;
    if (id < 2 || id >= this.readablePages) {
      throw new SnapshotFileError('page-out-of-range', `meta page ${this.meta.metaPage} points to freelist page ${id}, outside the file (${this.readablePages} pages)`, this.path, id);
    }
    const pageSize = this.meta.pageSize;
    const header = Buffer.alloc(PAGE_HEADER_SIZE + 8);
    await this.readExactly(header, Math.min(header.length, pageSize), id * pageSize, id);
    const flags = header.readUInt16LE(8);
    const overflow = header.readUInt32LE(12);
    if (flags !== PAGE_FLAG_FREELIST) {
      throw new SnapshotFileError('bad-page-type', `page ${id}: freelist page has type ${describeFlags(flags)}`, this.path, id, { offset: id * pageSize });
    }
    if (id + overflow >= this.readablePages) {
      throw new SnapshotFileError('page-out-of-range', `page ${id}: freelist has ${overflow} overflow pages, running past the end of the file`, this.path, id, { offset: id * pageSize });
    }
    let count = header.readUInt16LE(10);
    let start = PAGE_HEADER_SIZE;
    if (count === 0xffff) {
      // More ids than a u16 holds: the real count is the first u64 of the data.
      count = readUint64(new DataView(header.buffer, header.byteOffset, header.byteLength), PAGE_HEADER_SIZE);
      start += 8;
    }
    const bytes = Buffer.alloc((overflow + 1) * pageSize);
    if (start + count * 8 > bytes.length) {
      throw new SnapshotFileError('bad-page', `page ${id}: freelist claims ${count} ids, more than its ${overflow + 1} pages hold`, this.path, id, { offset: id * pageSize });
    }
    await this.readExactly(bytes, bytes.length, id * pageSize, id);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ids: number[] = [];
    for (let at = 0; at < count; at++) ids.push(readUint64(view, start + at * 8));
    return { page: id, overflow, ids };
  }

  /** Pages that can be read: the meta's page count, fewer when the file is truncated (best effort). */
  get readablePageCount(): number {
    return this.readablePages;
  }

  /** The top-level bucket (bbolt's root): its entries are the named buckets. */
  rootBucket(): BoltBucket {
    return { path: [], root: this.meta.rootPage, inlinePage: undefined, sequence: 0n };
  }

  /** A nested bucket by its names from the top, or undefined when it does not exist. */
  async bucket(path: readonly string[]): Promise<BoltBucket | undefined> {
    let bucket = this.rootBucket();
    for (const name of path) {
      const found = await this.get(bucket, Buffer.from(name, 'utf8'));
      if (found === undefined) return undefined;
      if (!found.isBucket) {
        throw new SnapshotFileError('not-a-bucket', `page ${found.page}: "${name}" is a value, not a bucket`, this.path, found.page);
      }
      bucket = this.openBucketValue([...bucket.path, name], found.value, found.page);
    }
    return bucket;
  }

  /** Turns a bucket element's value into a bucket (decoding an inline page if it has one). */
  openBucketValue(path: readonly string[], value: Uint8Array, inPage: number): BoltBucket {
    const name = path.join('/');
    if (value.length < BUCKET_HEADER_SIZE) {
      throw this.pageError('bad-page', `page ${inPage}: bucket "${name}" header is ${value.length} bytes, expected ${BUCKET_HEADER_SIZE}`, inPage);
    }
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const root = readUint64(view, 0);
    const sequence = view.getBigUint64(8, true);
    if (root !== 0) return { path, root, inlinePage: undefined, sequence };
    const pageBytes = value.subarray(BUCKET_HEADER_SIZE);
    if (pageBytes.length < PAGE_HEADER_SIZE) {
      throw this.pageError('bad-page', `page ${inPage}: inline bucket "${name}" is ${pageBytes.length} bytes, too short for a page`, inPage);
    }
    const pageView = new DataView(pageBytes.buffer, pageBytes.byteOffset, pageBytes.byteLength);
    const page = new BoltPage(readUint64(pageView, 0), pageBytes, inPage, true);
    if (!page.isLeaf) {
      throw this.pageError('bad-page-type', `page ${inPage}: inline bucket "${name}" has page flags 0x${page.flags.toString(16)}, expected a leaf`, inPage);
    }
    this.checkElements(page);
    return { path, root: 0, inlinePage: page, sequence };
  }

  /**
   * Reads one page of a B+tree (branch or leaf) and checks it: in range, the id it claims, the
   * type, and every element inside the page. `from` names the page pointing here, for messages.
   * With `scratch`, the page is read into it when it fits (its bytes are then a view of scratch:
   * the caller must not reuse scratch while it uses the page).
   */
  async readTreePage(
    id: number,
    from: PagePointer['from'],
    /** Pages to read at once when the caller knows the page's overflow (saves a read). */
    pagesHint = 1,
    scratch?: Uint8Array,
  ): Promise<BoltPage> {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    this.checkPointer({ id, from });
    const pageSize = this.meta.pageSize;
    const offset = id * pageSize;
    const firstRead = Math.max(1, Math.min(pagesHint, this.readablePages - id)) * pageSize;
    let bytes = scratch !== undefined && scratch.length >= firstRead ? scratch.subarray(0, firstRead) : pageMemory(firstRead);
    await this.readExactly(bytes, firstRead, offset, id);
    const overflow = this.checkHeader(id, from, bytes);
    const length = (overflow + 1) * pageSize;
    if (bytes.length > length) {
      bytes = bytes.subarray(0, length);
    } else if (bytes.length < length) {
      // The rest of the page, after what was already read.
      const whole = scratch !== undefined && scratch.length >= length ? scratch.subarray(0, length) : pageMemory(length);
      if (whole.buffer !== bytes.buffer || whole.byteOffset !== bytes.byteOffset) whole.set(bytes, 0);
      await this.readExactly(whole.subarray(bytes.length), length - bytes.length, offset + bytes.length, id);
      bytes = whole;
    }
    return this.makePage(id, bytes);
  }

  /** A pointer to a tree page must name a page past the metas and inside the file. */
  private checkPointer({ id, from }: PagePointer): void {
    if (id >= 2 && id < this.readablePages) return;
    const pointer = describePointer(this.meta.metaPage, from);
    const damagedPage = from?.page ?? id;
    if (id < 2) {
      throw new SnapshotFileError('bad-page-type', `${pointer} points to page ${id}, a meta page`, this.path, damagedPage);
    }
    const limit = this.readablePages < this.meta.pageCount ? `the file ends after page ${this.readablePages - 1}` : `the db has ${this.meta.pageCount} pages`;
    throw new SnapshotFileError('page-out-of-range', `${pointer} points to page ${id}, outside the file: ${limit}`, this.path, damagedPage);
  }

  /** Checks a tree page's header (the 16 bytes at `at` in `bytes`) and returns its overflow. */
  private checkHeader(id: number, from: PagePointer['from'], bytes: Uint8Array, at = 0): number {
    // Read from the bytes, not through a DataView: every page read passes here.
    const headerId = uint64At(bytes, at);
    const flags = (bytes[at + 8] as number) | ((bytes[at + 9] as number) << 8);
    const overflow = uint32At(bytes, at + 12);
    const offset = id * this.meta.pageSize;
    // Said only for a bad page: every page read passes here.
    const pointer = (): string => describePointer(this.meta.metaPage, from);
    if (headerId !== id) {
      throw new SnapshotFileError('bad-page', `page ${id} (pointed to by ${pointer()}) says it is page ${headerId}`, this.path, id, { offset });
    }
    if (flags !== PAGE_FLAG_BRANCH && flags !== PAGE_FLAG_LEAF) {
      throw new SnapshotFileError('bad-page-type', `page ${id} (pointed to by ${pointer()}) has type ${describeFlags(flags)}, expected a branch or leaf page`, this.path, id, { offset });
    }
    if (id + overflow >= this.readablePages) {
      throw new SnapshotFileError('page-out-of-range', `page ${id} has ${overflow} overflow pages, running past the end of the file (${this.readablePages} pages)`, this.path, id, { offset });
    }
    return overflow;
  }

  /**
   * Reads the freelist (when the file keeps one) so that reads note tree pages it calls free;
   * returns what the freelist alone shows wrong (a page freed twice, or beyond the db's end).
   * Reading goes on either way: the data may still be intact.
   */
  async watchFreedPages(): Promise<string[]> {
    const freelist = await this.readFreelist();
    if (freelist === undefined) return [];
    const problems: string[] = [];
    const freed = new PageSet(this.meta.pageCount);
    for (const id of freelist.ids) {
      if (id >= this.meta.pageCount) problems.push(`page ${id}: freed page out of bounds: ${this.meta.pageCount}`);
      else if (!freed.add(id)) problems.push(`page ${id}: already freed`);
    }
    this.freed = freed;
    return problems;
  }

  /**
   * A tree page out of the trailer worker's shared reads, without reading it (checked as a read
   * page is), or why it is damaged; undefined when they do not hold it whole: read it then. The
   * page is valid until releaseWindows(). The page itself, not a PageRead: one object fewer per
   * page of a status walk (whose garbage this was a tenth of).
   */
  pageFromWindows(pointer: { id: number; from: PagePointer['from'] }): BoltPage | { ok: false; error: unknown } | undefined {
    const windows = this.windows;
    if (windows === undefined) return undefined;
    const cached = this.cache.get(pointer.id);
    if (cached !== undefined) return cached;
    if (pointer.id < 2 || pointer.id >= this.readablePages) return undefined;
    const pageSize = this.meta.pageSize;
    const offset = pointer.id * pageSize;
    // The header is read where it lies in the windows (no view of its own).
    const header = windows.pin(offset, PAGE_HEADER_SIZE);
    if (header < 0) return undefined;
    try {
      const overflow = this.checkHeader(pointer.id, pointer.from, windows.slotMemory, header);
      const bytes = windows.view(offset, (overflow + 1) * pageSize);
      return bytes === undefined ? undefined : this.makePage(pointer.id, bytes);
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Whether the trailer worker's shared reads hold the page or soon will (so that a read-ahead may leave it out). */
  windowsLikelyHold(id: number): boolean {
    return this.windows?.likelyHeld(id * this.meta.pageSize) ?? false;
  }

  /** Whether the trailer worker takes the CRC of the leaf at page `id` (it takes every one when it does not share its reads). */
  workerTakesLeafCrc(id: number): boolean {
    return this.windows?.workerTakesLeafCrcs(id * this.meta.pageSize) ?? true;
  }

  /** Lets go of the pages pageFromWindows() gave: the worker may reuse their memory. */
  releaseWindows(): void {
    this.windows?.release();
  }

  /** The walk that used pageFromWindows() is over: the worker need not wait for it. */
  walkDoneWithWindows(): void {
    this.windows?.walkDone();
  }

  /** The checked page over its complete bytes; branch pages are copied into the cache. */
  private makePage(id: number, bytes: Uint8Array): BoltPage {
    let page = new BoltPage(id, bytes, id, false);
    if (this.freed !== undefined) {
      for (let at = id; at <= id + page.overflow && this.firstFreedInUse === undefined; at++) if (this.freed.has(at)) this.firstFreedInUse = at;
    }
    this.checkElements(page);
    if (page.isBranch) {
      // Branch pages are few and revisited by every lookup: keep a copy that owns its bytes.
      page = new BoltPage(id, new Uint8Array(bytes), id, false);
      this.cache.set(id, page);
    }
    return page;
  }

  /** Every element's key (and value) lies inside the page; a branch page is not empty. */
  private checkElements(page: BoltPage): void {
    const problem = page.isBranch && page.count === 0 ? 'branch page without elements' : page.elementOverrun();
    if (problem !== undefined) throw new SnapshotFileError('bad-page', `${page.where}: ${problem}`, this.path, page.filePage, page.inline ? {} : { offset: page.id * this.pageSize });
  }

  /** An error about a page that is not where a read failed (element problems, bad bucket headers). */
  private pageError(code: string, message: string, page: number): SnapshotFileError {
    return new SnapshotFileError(code, message, this.path, page);
  }

  /**
   * Tree pages by pointer, in the order given, read a few nearby pages at a time: the pointers are
   * sorted by page id and grouped into runs that one read each covers (a key-order walk would
   * otherwise pay one read call per page). Cached pages are not read. Never rejects: each result
   * is the page or its error, so read-ahead nobody awaits cannot go unhandled. With an arena,
   * the reads land in its reused memory (fresh memory costs a page fault per 4 KiB, several times
   * the copy): the pages are then valid until the caller resets the arena.
   */
  async readTreePages(pointers: readonly { id: number; from: PagePointer['from']; overflowHint?: number | undefined }[], arena?: ReadArena): Promise<PageRead[]> {
    const results = new Array<PageRead>(pointers.length);
    const wanted: (PagePointer & { at: number })[] = [];
    pointers.forEach((pointer, at) => {
      const cached = this.cache.get(pointer.id);
      if (cached !== undefined) results[at] = { ok: true, page: cached };
      else wanted.push({ id: pointer.id, from: pointer.from, overflowHint: pointer.overflowHint, at });
    });
    wanted.sort((a, b) => a.id - b.id);
    const valid: (PagePointer & { at: number })[] = [];
    for (const pointer of wanted) {
      try {
        this.checkPointer(pointer);
        valid.push(pointer);
      } catch (error) {
        results[pointer.at] = { ok: false, error };
      }
    }
    const pageSize = this.meta.pageSize;
    await Promise.all(
      this.planRuns(valid).map(async (run) => {
        const length = (run.end - run.start) * pageSize;
        const bytes = arena?.take(length) ?? pageMemory(length);
        try {
          await this.readExactly(bytes, bytes.length, run.start * pageSize, run.start);
        } catch (error) {
          for (let at = run.first; at <= run.last; at++) results[(valid[at] as (typeof valid)[number]).at] = { ok: false, error };
          return;
        }
        for (let at = run.first; at <= run.last; at++) {
          const pointer = valid[at] as (typeof valid)[number];
          results[pointer.at] = await this.pageFromChunk(pointer, bytes, run.start, run.end).then(
            (page): PageRead => ({ ok: true, page }),
            (error: unknown): PageRead => ({ ok: false, error }),
          );
        }
      }),
    ).catch((error: unknown) => {
      // Only a bug gets here (each run catches its own errors); still, never reject.
      for (let at = 0; at < results.length; at++) results[at] ??= { ok: false, error };
    });
    return results;
  }

  /**
   * Runs of sorted pointers that one read each covers: a run starts at a wanted page and takes
   * the next wanted pages while they lie within a chunk and close to the previous one (gaps are
   * read through), and ends a little after its last wanted page, for that page's overflow.
   */
  private planRuns(pointers: readonly PagePointer[]): { start: number; end: number; first: number; last: number }[] {
    const chunkPages = Math.max(1, Math.floor(this.chunkBytes / this.meta.pageSize));
    const runs: { start: number; end: number; first: number; last: number }[] = [];
    for (let at = 0; at < pointers.length; ) {
      const start = (pointers[at] as PagePointer).id;
      let last = at;
      while (last + 1 < pointers.length) {
        const next = (pointers[last + 1] as PagePointer).id;
        if (next >= start + chunkPages - CHUNK_OVERFLOW_SLACK || next - (pointers[last] as PagePointer).id > MAX_READ_THROUGH_GAP) break;
        last++;
      }
      let reach = 0;
      for (let member = at; member <= last; member++) {
        const pointer = pointers[member] as PagePointer;
        // A known overflow is read exactly (a key-order fetch reads ~100k single leaves per GB: 4
        // pages more each was a third of the bytes copied); an unknown one gets a little slack.
        reach = Math.max(reach, pointer.id + 1 + (pointer.overflowHint ?? CHUNK_OVERFLOW_SLACK));
      }
      const end = Math.min(this.readablePages, Math.max(start + chunkPages, (pointers[last] as PagePointer).id + 1 + (pointers[last]?.overflowHint ?? 0)), reach);
      runs.push({ start, end, first: at, last });
      at = last + 1;
    }
    return runs;
  }

  /**
   * Leaf pages of a bucket in key order (depth first), reading `readAhead` siblings ahead.
   * With onDamage, a damaged page is reported and skipped; otherwise its error is thrown.
   */
  async *leafPages(bucket: BoltBucket, options: { onSkip?: (range: SkippedRange) => void } = {}): AsyncGenerator<BoltPage> {
    if (bucket.inlinePage !== undefined) {
      yield bucket.inlinePage;
      return;
    }
    let root: BoltPage;
    try {
      root = await this.readTreePage(bucket.root, undefined);
    } catch (error) {
      if (!this.handled(error)) throw error;
      options.onSkip?.({ low: undefined, high: undefined });
      return;
    }
    interface Frame {
      page: BoltPage;
      next: number;
      ahead: Map<number, Promise<PageRead>>;
      /** The key bound the parent gives this page (for the ranges of skipped children). */
      high: Uint8Array | undefined;
      /** Read-ahead batches by the child index they end before, and the arena their pages are in. */
      batches: { end: number; arena: ReadArena }[];
    }
    // Arenas of read-ahead batches, reused once every page of a batch has been yielded and let go.
    const arenas: ReadArena[] = [];
    const release = (frame: Frame, before: number): void => {
      while (frame.batches.length > 0 && (frame.batches[0] as Frame['batches'][number]).end <= before) {
        const { arena } = frame.batches.shift() as Frame['batches'][number];
        arena.reset();
        arenas.push(arena);
      }
    };
    const stack: Frame[] = [{ page: root, next: 0, ahead: new Map(), high: undefined, batches: [] }];
    // Each page at most once per walk: a pointer back up the tree (or to itself) is damage, not a loop.
    const visited = new PageSet(this.readablePages, bucket.root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      if (frame.page.isLeaf) {
        stack.pop();
        yield frame.page;
        continue;
      }
      // A child's page is let go once the walk has moved on to the next child (its leaf was yielded).
      release(frame, frame.next);
      if (frame.next >= frame.page.count) {
        release(frame, Number.POSITIVE_INFINITY);
        stack.pop();
        continue;
      }
      const index = frame.next++;
      const high = index + 1 < frame.page.count ? frame.page.key(index + 1) : frame.high;
      const skip = (error: unknown): void => {
        if (!this.handled(error)) throw error;
        options.onSkip?.({ low: frame.page.key(index), high });
      };
      try {
        this.checkNotVisited(visited, frame.page, index);
      } catch (error) {
        skip(error);
        continue;
      }
      // Keep up to readAhead siblings read ahead, asked for in batches (half a window or more) so
      // that nearby pages share reads.
      const wantedEnd = Math.min(frame.page.count, index + this.readAhead);
      let missing = index;
      while (missing < wantedEnd && frame.ahead.has(missing)) missing++;
      if (missing < wantedEnd && (missing === index || wantedEnd - missing >= this.readAhead / 2)) {
        const parent = frame.page;
        const indexes = Array.from({ length: wantedEnd - missing }, (_, offset) => missing + offset);
        const arena = arenas.pop() ?? new ReadArena(2 * this.chunkBytes);
        frame.batches.push({ end: wantedEnd, arena });
        const batch = this.readTreePages(
          indexes.map((child) => ({ id: parent.child(child), from: { page: parent.id, index: child } })),
          arena,
        );
        indexes.forEach((child, offset) =>
          frame.ahead.set(
            child,
            batch.then((reads) => reads[offset] as PageRead),
          ),
        );
      }
      const read = (await frame.ahead.get(index)) as PageRead;
      frame.ahead.delete(index);
      if (!read.ok) {
        skip(read.error);
        continue;
      }
      if (stack.length >= MAX_TREE_DEPTH) {
        skip(this.pageError('bad-page', `${frame.page.where}: tree deeper than ${MAX_TREE_DEPTH} levels (a pointer cycle?)`, frame.page.id));
        continue;
      }
      stack.push({ page: read.page, next: 0, ahead: new Map(), high, batches: [] });
    }
  }

  /**
   * Leaf pages of a bucket in file order, not key order: the tree level by level, each level's
   * pages by ascending page id, read in large sequential chunks into reused buffers (about one
   * sequential read of the file, with no garbage per page). A yielded page's bytes are valid only
   * until the next page is requested: copy what you keep. `skipChild(firstKey)` may rule out a
   * subtree by its first key (the branch element's key) to save reading it. Damage is handled as
   * in leafPages().
   */
  async *scanLeafPages(
    bucket: BoltBucket,
    options: {
      skipChild?: (firstKey: Uint8Array) => boolean;
      /** Best effort: the key range of each subtree skipped as damage, so the caller knows what it did not see. */
      onSkip?: (range: SkippedRange) => void;
    } = {},
  ): AsyncGenerator<BoltPage> {
    const skipped = (pointer: PagePointer | undefined): void => options.onSkip?.({ low: pointer?.low, high: pointer?.high });
    if (bucket.inlinePage !== undefined) {
      yield bucket.inlinePage;
      return;
    }
    const chunks = new ChunkPool(this.chunkBytes);
    let level: PagePointer[] = [{ id: bucket.root, from: undefined }];
    // Each page at most once per scan: a cycle would otherwise multiply the next level's pointers.
    const visited = new PageSet(this.readablePages, bucket.root);
    for (let depth = 0; level.length > 0; depth++) {
      if (depth >= MAX_TREE_DEPTH) {
        const at = level[0]?.from?.page ?? bucket.root;
        const error = this.pageError('bad-page', `page ${at}: tree deeper than ${MAX_TREE_DEPTH} levels (a pointer cycle?)`, at);
        if (!this.handled(error)) throw error;
        for (const pointer of level) skipped(pointer);
        return;
      }
      const valid: PagePointer[] = [];
      for (const pointer of level) {
        try {
          this.checkPointer(pointer);
          valid.push(pointer);
        } catch (error) {
          if (!this.handled(error)) throw error;
          skipped(pointer);
        }
      }
      valid.sort((a, b) => a.id - b.id);
      // Held by `valid` alone from here, so that readInFileOrder can let each go once it is read.
      level = [];
      const next: PagePointer[] = [];
      for await (const read of this.readInFileOrder(valid, chunks)) {
        if (!read.ok) {
          if (!this.handled(read.error)) throw read.error;
          skipped(read.pointer);
          continue;
        }
        const page = read.page;
        if (page.isLeaf) {
          yield page;
          continue;
        }
        const parent = read.pointer;
        for (let index = 0; index < page.count; index++) {
          if (options.skipChild?.(page.key(index)) === true) continue;
          const child = new ChildPointer(page, index, parent);
          try {
            this.checkNotVisited(visited, page, index);
          } catch (error) {
            if (!this.handled(error)) throw error;
            skipped(child);
            continue;
          }
          next.push(child);
        }
      }
      level = next;
    }
  }

  /**
   * Pages of sorted, checked pointers, read a chunk at a time (up to chunkBytes of consecutive
   * pages, the next chunk read while this one is used). A page is valid until the next is asked
   * for: its chunk buffer goes back to the pool once the reader has moved past it. The pointers of
   * a chunk read are dropped from `pointers` (replaced by one stand-in): the leaf level of a
   * million-key file is ~50 MB of them, which the GC may then take back while the scan goes on.
   */
  private async *readInFileOrder(pointers: PagePointer[], chunks: ChunkPool): AsyncGenerator<PageRead> {
    const pageSize = this.meta.pageSize;
    const plan = this.planRuns(pointers);
    const load = (chunk: { start: number; end: number }): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: unknown }> => {
      const bytes = chunks.take();
      const length = (chunk.end - chunk.start) * pageSize;
      return this.readExactly(bytes, length, chunk.start * pageSize, chunk.start).then(
        () => ({ ok: true as const, bytes }),
        (error: unknown) => {
          chunks.give(bytes);
          return { ok: false as const, error };
        },
      );
    };
    let upcoming = plan.length > 0 ? load(plan[0] as { start: number; end: number }) : undefined;
    for (let number = 0; number < plan.length; number++) {
      const chunk = plan[number] as (typeof plan)[number];
      const loaded = await (upcoming as ReturnType<typeof load>);
      upcoming = number + 1 < plan.length ? load(plan[number + 1] as { start: number; end: number }) : undefined;
      try {
        for (let at = chunk.first; at <= chunk.last; at++) {
          const pointer = pointers[at] as PagePointer;
          if (!loaded.ok) {
            yield { ok: false, error: loaded.error, pointer };
            continue;
          }
          yield await this.pageFromChunk(pointer, loaded.bytes, chunk.start, chunk.end).then(
            (page): PageRead => ({ ok: true, page, pointer }),
            (error: unknown): PageRead => ({ ok: false, error, pointer }),
          );
        }
      } finally {
        if (loaded.ok) chunks.give(loaded.bytes);
        pointers.fill(READ_POINTER, chunk.first, chunk.last + 1);
      }
    }
  }

  /** A page out of a chunk (a view), or read on its own when its overflow runs past the chunk. */
  private async pageFromChunk(pointer: PagePointer, chunk: Uint8Array, start: number, end: number): Promise<BoltPage> {
    const pageSize = this.meta.pageSize;
    const at = (pointer.id - start) * pageSize;
    const overflow = this.checkHeader(pointer.id, pointer.from, chunk.subarray(at, at + pageSize));
    if (pointer.id + overflow < end) return this.makePage(pointer.id, chunk.subarray(at, at + (overflow + 1) * pageSize));
    return this.readTreePage(pointer.id, pointer.from, overflow + 1);
  }

  /** Every key/value of a bucket in key order. */
  async *entries(bucket: BoltBucket): AsyncGenerator<BoltEntry> {
    for await (const page of this.leafPages(bucket)) {
      for (let index = 0; index < page.count; index++) {
        yield { key: page.key(index), value: page.value(index), isBucket: page.isBucket(index), page: page.filePage, index };
      }
    }
  }

  /** Looks one key up by descending the tree. */
  async get(bucket: BoltBucket, key: Uint8Array): Promise<BoltEntry | undefined> {
    let page = bucket.inlinePage ?? (await this.readTreePage(bucket.root, undefined));
    const visited = new PageSet(this.readablePages, bucket.root);
    for (let depth = 0; page.isBranch; depth++) {
      if (depth >= MAX_TREE_DEPTH) throw this.pageError('bad-page', `${page.where}: tree deeper than ${MAX_TREE_DEPTH} levels (a pointer cycle?)`, page.id);
      const index = Math.max(0, lastIndexAtOrBelow(page, key));
      this.checkNotVisited(visited, page, index);
      page = await this.readTreePage(page.child(index), { page: page.id, index });
    }
    const index = lastIndexAtOrBelow(page, key);
    if (index < 0 || Buffer.compare(page.key(index), key) !== 0) return undefined;
    return { key: page.key(index), value: page.value(index), isBucket: page.isBucket(index), page: page.filePage, index };
  }

  /** The entry with the greatest key, or undefined for an empty bucket. */
  async last(bucket: BoltBucket): Promise<BoltEntry | undefined> {
    let page = bucket.inlinePage ?? (await this.readTreePage(bucket.root, undefined));
    const visited = new PageSet(this.readablePages, bucket.root);
    for (let depth = 0; page.isBranch; depth++) {
      if (depth >= MAX_TREE_DEPTH) throw this.pageError('bad-page', `${page.where}: tree deeper than ${MAX_TREE_DEPTH} levels (a pointer cycle?)`, page.id);
      this.checkNotVisited(visited, page, page.count - 1);
      page = await this.readTreePage(page.child(page.count - 1), { page: page.id, index: page.count - 1 });
    }
    const index = page.count - 1;
    if (index < 0) return undefined;
    return { key: page.key(index), value: page.value(index), isBucket: page.isBucket(index), page: page.filePage, index };
  }

  /**
   * Marks the child a branch element points to as visited in this walk; throws when it already
   * was (a page listed among its own descendants, or twice in the tree): a cycle ends here.
   */
  private checkNotVisited(visited: PageSet, parent: BoltPage, index: number): void {
    const child = parent.child(index);
    if (!visited.add(child)) {
      throw new SnapshotFileError(
        'page-cycle',
        `${parent.where}: element ${index} points to page ${child}, which this walk of the tree already reached (a pointer cycle or a shared page)`,
        this.path,
        parent.filePage,
        parent.inline ? {} : { offset: parent.id * this.pageSize },
      );
    }
  }

  /** True when the error was reported as damage (best effort); false when it must be thrown. */
  private handled(error: unknown): boolean {
    if (!(error instanceof SnapshotFileError) || this.onDamage === undefined) return false;
    this.onDamage(error);
    return true;
  }

  private async readExactly(into: Uint8Array, length: number, position: number, page: number | undefined): Promise<void> {
    if (this.closed) throw new KregError('closed', 'bbolt file is closed', { file: this.path });
    let done = 0;
    while (done < length) {
      // fs.read with a callback: about half the overhead of FileHandle.read per call (measured).
      const bytesRead = await new Promise<number>((resolve, reject) => {
        readCallback(this.handle.fd, into, done, length - done, position + done, (error, count) => (error === null ? resolve(count) : reject(error)));
      });
      if (bytesRead === 0) {
        throw new SnapshotFileError('truncated', `${page === undefined ? '' : `page ${page}: `}file ends at byte ${position + done}, expected ${length - done} more bytes`, this.path, page, {
          offset: position + done,
        });
      }
      done += bytesRead;
    }
  }
}

/** Index of the last element whose key is <= key (binary search), or -1 when all are greater. */
function lastIndexAtOrBelow(page: BoltPage, key: Uint8Array): number {
  let low = 0;
  let high = page.count; // first index with key > target lies in [low, high]
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(page.key(middle), key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** The high 32-bit word of Number.MAX_SAFE_INTEGER (2^53 - 1): any word above it puts the value past it. */
const MAX_SAFE_HIGH_WORD = Math.floor(Number.MAX_SAFE_INTEGER / 2 ** 32);

/**
 * Page ids and counts are u64 on disk; anything past 2^53 is damage, so saturate rather than round.
 * Read as two 32-bit halves: a BigInt for every page header was ~3% of a status walk.
 */
function readUint64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  if (high > MAX_SAFE_HIGH_WORD) return Number.MAX_SAFE_INTEGER;
  return high * 2 ** 32 + view.getUint32(at, true);
}

/** readUint64 from the bytes themselves, for a caller that has no DataView of them. */
function uint64At(bytes: Uint8Array, at: number): number {
  const high = uint32At(bytes, at + 4);
  if (high > MAX_SAFE_HIGH_WORD) return Number.MAX_SAFE_INTEGER;
  return high * 2 ** 32 + uint32At(bytes, at);
}

/** The little-endian u32 at `at` in `bytes`. */
function uint32At(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
}

function describePointer(metaPage: number, from: PagePointer['from']): string {
  return from === undefined ? `meta page ${metaPage} / bucket header` : `page ${from.page} (element ${from.index})`;
}

function describeFlags(flags: number): string {
  const names: Record<number, string> = {
    [PAGE_FLAG_BRANCH]: 'branch',
    [PAGE_FLAG_LEAF]: 'leaf',
    [PAGE_FLAG_META]: 'meta',
    [PAGE_FLAG_FREELIST]: 'freelist',
  };
  return `0x${flags.toString(16).padStart(2, '0')}${names[flags] === undefined ? ' (unknown)' : ` (${names[flags]})`}`;
}

/** FNV-1a 64, bbolt's meta checksum. */
function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffff_ffff_ffff_ffffn;
  }
  return hash;
}

interface MetaRead {
  meta: BoltMeta | undefined;
  /** Why this meta page is unusable, when it is. */
  problem: SnapshotFileError | undefined;
  magicOk: boolean;
}

/** Decodes and validates the meta stored in page `metaPage` at byte `offset` (as bbolt's validate()). */
function decodeMeta(bytes: Uint8Array, metaPage: 0 | 1, offset: number, path: string): MetaRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset + PAGE_HEADER_SIZE, META_SIZE);
  const magic = view.getUint32(0, true);
  const at = { offset: offset + PAGE_HEADER_SIZE };
  if (magic !== BOLT_MAGIC) {
    const problem = new SnapshotFileError('bad-magic', `meta page ${metaPage}: magic is 0x${magic.toString(16).padStart(8, '0')}, not bbolt's 0x${BOLT_MAGIC.toString(16)}`, path, metaPage, at);
    return { meta: undefined, problem, magicOk: false };
  }
  const version = view.getUint32(4, true);
  if (version !== BOLT_VERSION) {
    const problem = new SnapshotFileError('bad-version', `meta page ${metaPage}: format version ${version}, expected ${BOLT_VERSION}`, path, metaPage, at);
    return { meta: undefined, problem, magicOk: true };
  }
  const checksum = view.getBigUint64(META_CHECKSUM_OFFSET, true);
  const computed = fnv1a64(bytes.subarray(PAGE_HEADER_SIZE, PAGE_HEADER_SIZE + META_CHECKSUM_OFFSET));
  // bbolt accepts a zero checksum (files from before checksums existed).
  if (checksum !== 0n && checksum !== computed) {
    const problem = new SnapshotFileError(
      'bad-meta-checksum',
      `meta page ${metaPage}: checksum 0x${checksum.toString(16)} does not match its contents (0x${computed.toString(16)})`,
      path,
      metaPage,
      at,
    );
    return { meta: undefined, problem, magicOk: true };
  }
  const freelist = view.getBigUint64(32, true);
  const meta: BoltMeta = {
    metaPage,
    pageSize: view.getUint32(8, true),
    flags: view.getUint32(12, true),
    rootPage: readUint64(view, 16),
    freelistPage: freelist === FREELIST_NOT_SYNCED ? undefined : Number(freelist),
    pageCount: readUint64(view, 40),
    txid: readUint64(view, 48),
    checksum,
  };
  if (meta.pageSize < 512 || meta.pageSize > 1 << 20 || (meta.pageSize & (meta.pageSize - 1)) !== 0) {
    const problem = new SnapshotFileError('bad-meta', `meta page ${metaPage}: page size ${meta.pageSize} is not a power of two`, path, metaPage, at);
    return { meta: undefined, problem, magicOk: true };
  }
  return { meta, problem: undefined, magicOk: true };
}

/** Reads both meta pages and picks the valid one with the highest txid, as bbolt does. */
async function readMeta(handle: FileHandle, path: string, fileSize: number): Promise<{ meta: BoltMeta; problems: SnapshotFileError[] }> {
  const headerBytes = PAGE_HEADER_SIZE + META_SIZE;
  if (fileSize < headerBytes) {
    throw new SnapshotFileError('truncated', `file is truncated: ${fileSize} bytes, too short for meta page 0`, path, 0, { offset: fileSize });
  }
  const readAt = async (offset: number): Promise<Uint8Array> => {
    const bytes = Buffer.alloc(headerBytes);
    await handle.read(bytes, 0, headerBytes, offset);
    return bytes;
  };
  const first = decodeMeta(await readAt(0), 0, 0, path);
  // Meta page 1 sits one page in; without a valid meta 0 the page size must be guessed: take the
  // first size where a valid meta 1 claims that size, else (for the message) one with the magic.
  const sizes = first.meta !== undefined ? [first.meta.pageSize] : CANDIDATE_PAGE_SIZES;
  let second: MetaRead | undefined;
  for (const pageSize of sizes) {
    if (fileSize < pageSize + headerBytes) continue;
    const candidate = decodeMeta(await readAt(pageSize), 1, pageSize, path);
    if (candidate.meta !== undefined && candidate.meta.pageSize !== pageSize) continue;
    if (candidate.meta !== undefined) {
      second = candidate;
      break;
    }
    if (second === undefined || (candidate.magicOk && !second.magicOk)) second = candidate;
  }
  if (second === undefined) {
    const pageSize = first.meta?.pageSize ?? 4096;
    if (first.meta === undefined && !first.magicOk) throw first.problem as SnapshotFileError;
    throw new SnapshotFileError('truncated', `file is truncated: ${fileSize} bytes, too short for meta page 1, which starts at byte ${pageSize}`, path, 1, { offset: fileSize });
  }
  const valid = [first.meta, second.meta].filter((meta): meta is BoltMeta => meta !== undefined);
  const problems = [first.problem, second.problem].filter((problem): problem is SnapshotFileError => problem !== undefined);
  if (valid.length === 0) {
    if (!first.magicOk && !second.magicOk) {
      throw new SnapshotFileError('bad-magic', `not a bbolt file: neither meta page 0 nor meta page 1 has the magic 0x${BOLT_MAGIC.toString(16)} (${first.problem?.message})`, path, 0, {
        offset: PAGE_HEADER_SIZE,
      });
    }
    const checksumOnly = problems.every((problem) => problem.code === 'bad-meta-checksum' || problem.code === 'bad-magic');
    throw new SnapshotFileError(
      checksumOnly ? 'bad-meta-checksum' : (problems[0]?.code ?? 'bad-meta'),
      `both meta pages are invalid: ${problems.map((problem) => problem.message).join('; ')}`,
      path,
      0,
      { offset: PAGE_HEADER_SIZE },
    );
  }
  valid.sort((a, b) => b.txid - a.txid);
  return { meta: valid[0] as BoltMeta, problems };
}

/**
 * Page ids seen in one walk, one bit per page of the file (a 4 GiB db of 4 KiB pages: 128 KiB).
 * Ids outside the file are not tracked: the pointer check rejects them anyway.
 */
export class PageSet {
  private readonly bits: Uint8Array;

  constructor(
    readonly pages: number,
    ...initial: number[]
  ) {
    this.bits = new Uint8Array(Math.ceil(Math.max(0, pages) / 8));
    for (const id of initial) this.add(id);
  }

  /** False when the id was already in the set. */
  add(id: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.pages) return true;
    const byte = id >>> 3;
    const bit = 1 << (id & 7);
    if (((this.bits[byte] as number) & bit) !== 0) return false;
    this.bits[byte] = (this.bits[byte] as number) | bit;
    return true;
  }

  has(id: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.pages) return false;
    return ((this.bits[id >>> 3] as number) & (1 << (id & 7))) !== 0;
  }
}

/** Chunk buffers for file-order scans, reused so that a scan makes no garbage per page. */
/**
 * Memory for pages, unzeroed, as a plain Uint8Array (not a Buffer): the walk's pages then all have
 * the same kind of bytes as the shared windows' views, and its functions stay monomorphic. Mixed
 * with Buffers, they were deoptimized ("wrong map") and compiled again on every status walk.
 */
function pageMemory(length: number): Uint8Array {
  const memory = Buffer.allocUnsafe(length);
  return new Uint8Array(memory.buffer, memory.byteOffset, length);
}

class ChunkPool {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly chunkBytes: number) {}

  take(): Uint8Array {
    return this.free.pop() ?? pageMemory(this.chunkBytes);
  }

  give(bytes: Uint8Array): void {
    if (this.free.length < 4) this.free.push(bytes);
  }
}

/**
 * Reused memory for batched page reads: take() hands out consecutive slices until reset(); a
 * request that does not fit gets fresh memory of its own (correct, only slower).
 */
export class ReadArena {
  private readonly memory: Uint8Array;
  private used = 0;

  constructor(bytes: number) {
    this.memory = pageMemory(bytes);
  }

  take(bytes: number): Uint8Array {
    if (this.used + bytes > this.memory.length) return pageMemory(bytes);
    const slice = this.memory.subarray(this.used, this.used + bytes);
    this.used += bytes;
    return slice;
  }

  /** A copy of `bytes` in this memory (in memory of its own when they no longer fit). */
  copy(bytes: Uint8Array): Uint8Array {
    const copy = this.take(bytes.length);
    copy.set(bytes);
    return copy;
  }

  /** Every slice handed out so far may be overwritten from now on. */
  reset(): void {
    this.used = 0;
  }
}

/** Least-recently-used pages, bounded in bytes. */
class PageCache {
  private readonly pages = new Map<number, BoltPage>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  get(id: number): BoltPage | undefined {
    const page = this.pages.get(id);
    if (page !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recently used.
      this.pages.delete(id);
      this.pages.set(id, page);
    }
    return page;
  }

  set(id: number, page: BoltPage): void {
    if (page.bytes.length > this.limitBytes / 8 || this.pages.has(id)) return;
    this.pages.set(id, page);
    this.bytes += page.bytes.length;
    for (const [oldest, oldPage] of this.pages) {
      if (this.bytes <= this.limitBytes) break;
      this.pages.delete(oldest);
      this.bytes -= oldPage.bytes.length;
    }
  }

  clear(): void {
    this.pages.clear();
    this.bytes = 0;
  }
}

/** A pass over the file that failed (a read, or the worker), as the file's error; one already named stays as it is. */
function passFailed(error: unknown, sha256: boolean, path: string): SnapshotFileError {
  if (error instanceof SnapshotFileError) return error;
  return new SnapshotFileError('unreadable', `cannot ${sha256 ? 'hash' : 'read'} the file: ${error instanceof Error ? error.message : String(error)}`, path, undefined, { cause: error });
}
