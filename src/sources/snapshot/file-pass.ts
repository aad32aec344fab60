/**
 * One pass over a file's first bytes, in order, streamed (never the whole file in memory): their
 * sha256 (what a snapshot's trailer is checked against), the CRCs of the bbolt leaves met on the
 * way, and the reads themselves shared with a walk on the main thread. It runs on a worker thread
 * (file-pass-worker.ts) or, where none can start, here.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crcLeafRunsOfWindow, emptyLeafRunCrcs, LEAF_RUN_WINDOW_BYTES, type LeafRunCrcs } from './leaf-run-crcs.js';
import { type SharedWindowsMemory, WindowWriter } from './shared-windows.js';

/** What the pass takes besides reading the bytes. */
export interface FilePassJobs {
  /** Hash the bytes (off: only read them, for leafRuns and windows). */
  sha256: boolean;
  /** Take the CRCs of the leaves of a bbolt file with this page size and page count (leaf-run-crcs.ts). */
  leafRuns?: { pageSize: number; pages: number };
  /** Read into these windows shared with the main thread's walk (shared-windows.ts). */
  windows?: SharedWindowsMemory;
}

/**
 * The hex digest (when asked) and the leaves' CRCs (when asked), or where the file ended early, or
 * why it could not be read.
 */
export type FilePassAnswer = { ok: true; sha256?: string; leafRuns?: LeafRunCrcs } | { ok: false; endedAt: number } | { ok: false; error: string };

/** One read: large, since each costs the same fixed overhead; the windows the leaves' CRCs are taken in. */
const READ_BYTES = LEAF_RUN_WINDOW_BYTES;

/**
 * Two buffers: the next read is in flight (on libuv's thread pool) while this one is hashed, so
 * copying the file in overlaps hashing it. With `leafRuns`, each window's leaves get their CRC too.
 * With `windows`, the reads go to memory shared with the main thread's walk instead.
 */
export async function passOverFile(path: string, length: number, jobs: FilePassJobs): Promise<FilePassAnswer> {
  const shared = jobs.windows === undefined ? undefined : new WindowWriter(jobs.windows);
  try {
    return await readInOrder(path, length, jobs, shared, jobs.windows?.windowBytes ?? READ_BYTES);
  } finally {
    shared?.finish();
  }
}

async function readInOrder(path: string, length: number, jobs: FilePassJobs, shared: WindowWriter | undefined, readBytes: number): Promise<FilePassAnswer> {
  const file = await open(path, 'r');
  try {
    const hash = jobs.sha256 ? createHash('sha256') : undefined;
    const leaves = jobs.leafRuns === undefined ? undefined : { pageSize: jobs.leafRuns.pageSize, crcs: emptyLeafRunCrcs(jobs.leafRuns.pages) };
    // Reads of the shared windows' size even once sharing stops: the walk counts windows by offset.
    const size = Math.min(readBytes, Math.max(1, length));
    // With shared windows, each read goes to its window's slot (for the walk to use too); else two buffers in turn.
    let buffers: Buffer[] | undefined;
    const bufferOf = (window: number): Uint8Array => {
      const slot = shared?.slotFor(window);
      if (slot !== undefined) return slot;
      buffers ??= [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
      return buffers[window % 2] as Buffer;
    };
    // Whole windows (a read may return less than asked): the leaves' CRCs need their edges where the walk expects them.
    const readAt = async (position: number, into: Uint8Array): Promise<number> => {
      const wanted = Math.min(into.length, length - position);
      let done = 0;
      while (done < wanted) {
        const { bytesRead } = await file.read(into, done, wanted - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    };
    let buffer = bufferOf(0);
    let pending = length > 0 ? readAt(0, buffer) : undefined;
    for (let position = 0, window = 0; pending !== undefined; window++) {
      const count = await pending;
      if (count === 0) return { ok: false, endedAt: position };
      const bytes = buffer.subarray(0, count);
      // Sharing its reads, this thread takes the leaves' CRCs only while it has time to spare: less
      // of it while it hashes, the longer job.
      const takesLeafCrcs = leaves !== undefined && (shared?.takesLeafCrcs(window, hash === undefined) ?? true);
      shared?.publish(window, count);
      const at = position;
      position += count;
      // The next buffer is free: its bytes were hashed in an earlier turn.
      if (position < length) {
        buffer = bufferOf(window + 1);
        pending = readAt(position, buffer);
      } else {
        pending = undefined;
      }
      hash?.update(bytes);
      if (takesLeafCrcs && leaves !== undefined) crcLeafRunsOfWindow(bytes, at, leaves.pageSize, leaves.crcs);
    }
    const answer: FilePassAnswer = { ok: true };
    if (hash !== undefined) answer.sha256 = hash.digest('hex');
    if (leaves !== undefined) answer.leafRuns = leaves.crcs;
    return answer;
  } finally {
    await file.close();
  }
}
