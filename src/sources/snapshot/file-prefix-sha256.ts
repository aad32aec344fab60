/**
 * The sha256 of a file's first bytes, streamed (never the whole file in memory): what a snapshot's
 * trailer is checked against, on a worker thread (sha256-worker.ts) or, where none can start, here.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crcLeafRunsOfWindow, emptyLeafRunCrcs, LEAF_RUN_WINDOW_BYTES, type LeafRunCrcs } from './leaf-run-crcs.js';

/** The hex digest (and the leaves' CRCs when asked), or where the file ended early, or why it could not be read. */
export type Sha256Answer = { ok: true; sha256: string; leafRuns?: LeafRunCrcs } | { ok: false; endedAt: number } | { ok: false; error: string };

/** One read: large, since each costs the same fixed overhead; the windows the leaves' CRCs are taken in. */
const READ_BYTES = LEAF_RUN_WINDOW_BYTES;

/**
 * Two buffers: the next read is in flight (on libuv's thread pool) while this one is hashed, so
 * copying the file in overlaps hashing it. With `leafRuns` (a bbolt file's page size and page
 * count), each window's leaves get their CRC too (leaf-run-crcs.ts).
 */
export async function sha256OfFilePrefix(path: string, length: number, leafRuns?: { pageSize: number; pages: number }): Promise<Sha256Answer> {
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const leaves = leafRuns === undefined ? undefined : { pageSize: leafRuns.pageSize, crcs: emptyLeafRunCrcs(leafRuns.pages) };
    const size = Math.min(READ_BYTES, Math.max(1, length));
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
    // Whole windows (a read may return less than asked): the leaves' CRCs need their edges where the walk expects them.
    const readAt = async (position: number, into: Buffer): Promise<number> => {
      const wanted = Math.min(into.length, length - position);
      let done = 0;
      while (done < wanted) {
        const { bytesRead } = await file.read(into, done, wanted - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    };
    let pending = length > 0 ? readAt(0, buffers[0]) : undefined;
    for (let position = 0, turn = 0; pending !== undefined; turn ^= 1) {
      const count = await pending;
      if (count === 0) return { ok: false, endedAt: position };
      const bytes = (buffers[turn] as Buffer).subarray(0, count);
      const at = position;
      position += count;
      // The other buffer is free: its bytes were hashed in the previous turn.
      pending = position < length ? readAt(position, buffers[turn ^ 1] as Buffer) : undefined;
      hash.update(bytes);
      if (leaves !== undefined) crcLeafRunsOfWindow(bytes, at, leaves.pageSize, leaves.crcs);
    }
    return leaves === undefined ? { ok: true, sha256: hash.digest('hex') } : { ok: true, sha256: hash.digest('hex'), leafRuns: leaves.crcs };
  } finally {
    await file.close();
  }
}
