/**
 * Worker body of sha256OnWorker(): hashes the first `length` bytes of a file off the main thread,
 * so that checking a snapshot's sha256 trailer overlaps the reads and checks the main thread does.
 * Synchronous reads are right here: this thread has nothing else to do.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface Sha256Job {
  path: string;
  length: number;
}

/** What the worker posts back: the hex digest, or where the file ended early. */
export type Sha256Answer = { ok: true; sha256: string } | { ok: false; endedAt: number } | { ok: false; error: string };

/** One read: large, since each costs the same fixed overhead. */
const READ_BYTES = 8 * 1024 * 1024;

function hashPrefix({ path, length }: Sha256Job): Sha256Answer {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, length)));
    for (let position = 0; position < length; ) {
      const count = readSync(fd, buffer, 0, Math.min(buffer.length, length - position), position);
      if (count === 0) return { ok: false, endedAt: position };
      hash.update(buffer.subarray(0, count));
      position += count;
    }
    return { ok: true, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

try {
  parentPort?.postMessage(hashPrefix(workerData as Sha256Job));
} catch (error) {
  parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Sha256Answer);
}
