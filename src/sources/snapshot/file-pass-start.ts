/**
 * Where a pass over a snapshot file (its sha256, its leaves' CRCs, reads shared with a walk) runs:
 * on the main thread below WORKER_FROM_BYTES, on a worker (file-pass-worker.ts) from there on. The
 * worker can be started before the file is opened (prestartFilePass): this module loads nothing
 * else, so that a command can do so before it has loaded itself.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { prestartOneShotWorker } from './one-shot-worker.js';

/**
 * Passes over fewer bytes are made on the main thread, not a worker: 32 MiB take about 25 ms to
 * read and hash there, a worker 70-90 ms to start. `snapshot status` of a 60 kB file took 0.24 s
 * here against 0.32 s with a worker; of a 200 MB one, 0.83 s here against 0.77 s with a worker.
 */
export const WORKER_FROM_BYTES = 32 * 1024 * 1024;

/** The worker that passes over the file. */
export const FILE_PASS_WORKER = new URL('./file-pass-worker.js', import.meta.url);

/** The bbolt file an etcd data dir keeps its keys in. */
export function memberDbOf(dataDir: string): string {
  return join(dataDir, 'member', 'snap', 'db');
}

/**
 * Starts the worker of a pass over the snapshot file (or data dir) at `path` to come, when the
 * file is large enough to be passed over on one. Returns whether it did (false: no such file, or
 * a small one).
 */
export function prestartFilePass(path: string): boolean {
  let size: number;
  try {
    const found = statSync(path);
    size = found.isDirectory() ? statSync(memberDbOf(path)).size : found.size;
  } catch {
    return false;
  }
  return size >= WORKER_FROM_BYTES && prestartOneShotWorker(FILE_PASS_WORKER);
}
