/**
 * Worker body of BoltFile.checkSha256Trailer(): hashes the first `length` bytes of a file off the
 * main thread, so that checking a snapshot's sha256 trailer overlaps what the main thread reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Sha256Answer, sha256OfFilePrefix } from './file-prefix-sha256.js';

export interface Sha256Job {
  path: string;
  length: number;
  /** Take the leaves' CRCs too (leaf-run-crcs.ts). */
  leafRuns?: { pageSize: number; pages: number };
}

const job = workerData as Sha256Job;
sha256OfFilePrefix(job.path, job.length, job.leafRuns).then(
  // The CRC arrays are handed over, not copied.
  (answer) => parentPort?.postMessage(answer, answer.ok && answer.leafRuns !== undefined ? [answer.leafRuns.crc.buffer as ArrayBuffer, answer.leafRuns.length.buffer as ArrayBuffer] : []),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Sha256Answer),
);
