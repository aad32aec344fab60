/**
 * The sha256 of a file's first bytes, streamed (never the whole file in memory): what a snapshot's
 * trailer is checked against, on a worker thread (sha256-worker.ts) or, where none can start, here.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** The hex digest, or where the file ended early, or why it could not be read. */
export type Sha256Answer = { ok: true; sha256: string } | { ok: false; endedAt: number } | { ok: false; error: string };

/** One read: large, since each costs the same fixed overhead. */
const READ_BYTES = 8 * 1024 * 1024;

/**
 * Two buffers: the next read is in flight (on libuv's thread pool) while this one is hashed, so
 * copying the file in overlaps hashing it.
 */
export async function sha256OfFilePrefix(path: string, length: number): Promise<Sha256Answer> {
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const size = Math.min(READ_BYTES, Math.max(1, length));
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
    const readAt = async (position: number, into: Buffer): Promise<number> => (await file.read(into, 0, Math.min(into.length, length - position), position)).bytesRead;
    let pending = length > 0 ? readAt(0, buffers[0]) : undefined;
    for (let position = 0, turn = 0; pending !== undefined; turn ^= 1) {
      const count = await pending;
      if (count === 0) return { ok: false, endedAt: position };
      const bytes = (buffers[turn] as Buffer).subarray(0, count);
      position += count;
      // The other buffer is free: its bytes were hashed in the previous turn.
      pending = position < length ? readAt(position, buffers[turn ^ 1] as Buffer) : undefined;
      hash.update(bytes);
    }
    return { ok: true, sha256: hash.digest('hex') };
  } finally {
    await file.close();
  }
}
