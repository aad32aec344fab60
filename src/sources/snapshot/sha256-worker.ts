/**
 * Worker body of BoltFile.checkSha256Trailer(): hashes the first `length` bytes of a file off the
 * main thread, so that checking a snapshot's sha256 trailer overlaps what the main thread reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Sha256Answer, sha256OfFilePrefix } from './file-prefix-sha256.js';

export interface Sha256Job {
  path: string;
  length: number;
}

sha256OfFilePrefix((workerData as Sha256Job).path, (workerData as Sha256Job).length).then(
  (answer) => parentPort?.postMessage(answer),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Sha256Answer),
);
