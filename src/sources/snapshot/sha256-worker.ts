/**
 * Worker body of BoltFile.checkSha256Trailer(): hashes the first `length` bytes of a file off the
 * main thread, so that checking a snapshot's sha256 trailer overlaps what the main thread reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Sha256Answer, sha256OfFilePrefix } from './file-prefix-sha256.js';
import type { SharedWindowsMemory } from './shared-windows.js';

export interface Sha256Job {
  path: string;
  length: number;
  /** Take the leaves' CRCs too (leaf-run-crcs.ts). */
  leafRuns?: { pageSize: number; pages: number };
  /** Read into these shared windows, for the walk on the main thread to use too (shared-windows.ts). */
  windows?: SharedWindowsMemory;
}

const job = workerData as Sha256Job;
sha256OfFilePrefix(job.path, job.length, job.leafRuns, job.windows).then(
  // The CRC arrays are handed over, not copied.
  (answer) => parentPort?.postMessage(answer, answer.ok && answer.leafRuns !== undefined ? [answer.leafRuns.crc.buffer as ArrayBuffer, answer.leafRuns.length.buffer as ArrayBuffer] : []),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Sha256Answer),
);
