/**
 * etcdctl's snapshot hash, split between two threads. The hash is a CRC-32C over every key and
 * value in key order, which only a walk of the trees gives; but a leaf keeps its keys and values as
 * one run of bytes, so the sha256 worker, which reads the whole file in order anyway, takes each
 * leaf's CRC as it passes (crcLeafRunsOfWindow), and the walk only strings the CRCs together in its
 * order (LeafRunHasher), with crc32cCombine. This moves the CRC, a fifth of the walk's work, to
 * the other core; when the worker shares its reads with the walk (shared-windows.ts), it takes the
 * CRCs only of the windows it has time for (fewer while it hashes), and the walk takes the others.
 *
 * Both sides must agree on which leaves the worker takes: those that lie in one window of
 * LEAF_RUN_WINDOW_BYTES (the worker reads the file in such windows); the walk hashes the rest itself.
 */
import type { BoltPage } from './bbolt-file.js';
import { type ByteSpan, leafKeyValueRun, PAGE_FLAG_LEAF } from './bolt-page-layout.js';
import { crc32cCombine, crc32cUpdate } from './crc32c.js';
import { WINDOW_BYTES } from './shared-windows.js';

/** The worker's windows: reads of this size at multiples of it (the windows it shares with the walk). */
export const LEAF_RUN_WINDOW_BYTES = WINDOW_BYTES;

/** Per page id: the CRC and length of the leaf's key/value run starting there; length -1 where none was taken. */
export interface LeafRunCrcs {
  crc: Int32Array;
  length: Int32Array;
}

export function emptyLeafRunCrcs(pages: number): LeafRunCrcs {
  return { crc: new Int32Array(pages), length: new Int32Array(pages).fill(-1) };
}

/** Whether the page (with its overflow) lies in one window, so that the worker takes its CRC. */
export function inOneWindow(id: number, overflow: number, pageSize: number, windowBytes = LEAF_RUN_WINDOW_BYTES): boolean {
  const start = id * pageSize;
  return Math.floor(start / windowBytes) === Math.floor((start + (overflow + 1) * pageSize - 1) / windowBytes);
}

/**
 * Takes the CRC of every leaf in a window read at `offset` (a multiple of the page size). Every page id is tried, not only those a header announces: a stale header
 * of a freed page must not hide the live page after it. Whatever is not a leaf is left alone.
 */
export function crcLeafRunsOfWindow(window: Uint8Array, offset: number, pageSize: number, into: LeafRunCrcs): void {
  const view = new DataView(window.buffer, window.byteOffset, window.byteLength);
  const firstPage = offset / pageSize;
  const run: ByteSpan = { start: 0, end: 0 };
  for (let at = 0; at + 16 <= window.length; at += pageSize) {
    const id = firstPage + at / pageSize;
    if (id >= into.length.length) return;
    // Page header: id (u64), flags (u16), count (u16), overflow (u32).
    if (view.getUint32(at, true) !== id % 0x1_0000_0000 || view.getUint32(at + 4, true) !== Math.floor(id / 0x1_0000_0000)) continue;
    const flags = view.getUint16(at + 8, true);
    if ((flags & PAGE_FLAG_LEAF) === 0) continue;
    const end = at + (view.getUint32(at + 12, true) + 1) * pageSize;
    if (end > window.length) continue;
    // Read where it lies, no page object: the worker runs this only a few dozen times, mostly before V8 optimizes it.
    if (!leafKeyValueRun(view, at, end, view.getUint16(at + 10, true), run)) continue;
    into.crc[id] = crc32cUpdate(0, window.subarray(run.start, run.end));
    into.length[id] = run.end - run.start;
  }
}

/**
 * What the walk feeds to etcdctl's hash, in order: bytes it hashes itself (bucket names, inline
 * buckets, leaves across a window's edge), and leaves whose CRC the worker takes. The digest
 * strings them together once the worker's CRCs are in; undefined when they are not (no worker, a
 * failure) or a leaf's run is not the length the walk saw (the file changed between the reads).
 */
export class LeafRunHasher {
  private hereCrc = 0;
  private hereLength = 0;
  /** The pieces in order: a worker's leaf (its page id) or a piece hashed here (-1, its CRC in `crcs`). */
  private pages = new Int32Array(1024);
  private crcs = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private used = 0;

  constructor(
    private readonly pageSize: number,
    private readonly runs: Promise<LeafRunCrcs | undefined>,
    /** The windows the CRCs were taken in (the worker's reads). */
    private readonly windowBytes = LEAF_RUN_WINDOW_BYTES,
    /** Whether the worker takes the CRC of the leaf at this page (by default: of every leaf in one window). */
    private readonly workerTakes: (id: number) => boolean = () => true,
  ) {}

  update(bytes: Uint8Array): void {
    this.hereCrc = crc32cUpdate(this.hereCrc, bytes);
    this.hereLength += bytes.length;
  }

  leaf(page: BoltPage): void {
    const length = page.inline || !inOneWindow(page.id, page.overflow, this.pageSize, this.windowBytes) || !this.workerTakes(page.id) ? -1 : page.keyValueRunLength();
    if (length < 0) {
      hashLeafHere(page, this);
      return;
    }
    this.closeHerePiece();
    this.push(page.id, 0, length);
  }

  async digest(): Promise<number | undefined> {
    this.closeHerePiece();
    const runs = await this.runs.catch(() => undefined);
    if (runs === undefined) return undefined;
    let crc = 0;
    for (let at = 0; at < this.used; at++) {
      const id = this.pages[at] as number;
      const length = this.lengths[at] as number;
      if (id >= 0 && runs.length[id] !== length) return undefined;
      crc = crc32cCombine(crc, (id < 0 ? this.crcs[at] : runs.crc[id]) as number, length);
    }
    return crc;
  }

  private closeHerePiece(): void {
    if (this.hereLength === 0) return;
    this.push(-1, this.hereCrc, this.hereLength);
    this.hereCrc = 0;
    this.hereLength = 0;
  }

  private push(page: number, crc: number, length: number): void {
    if (this.used === this.pages.length) {
      const doubled = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const fresh = new Int32Array(old.length * 2);
        fresh.set(old);
        return fresh;
      };
      this.pages = doubled(this.pages);
      this.crcs = doubled(this.crcs);
      this.lengths = doubled(this.lengths);
    }
    this.pages[this.used] = page;
    this.crcs[this.used] = crc;
    this.lengths[this.used] = length;
    this.used++;
  }
}

/** A leaf's keys and values in order, as etcdctl's ForEach hashes them (a nested bucket's value is nil there). */
export function hashLeafHere(page: BoltPage, crc: { update(bytes: Uint8Array): void }): void {
  // The same bytes in the same order: one call instead of two per element.
  const run = page.keyValueRun();
  if (run !== undefined) {
    crc.update(run);
    return;
  }
  for (let index = 0; index < page.count; index++) {
    crc.update(page.key(index));
    if (!page.isBucket(index)) crc.update(page.value(index));
  }
}
