/**
 * Worker body of BoltFile's passes over the file (checkSha256Trailer(), readAlongside()): reads
 * the first `length` bytes of a file off the main thread, hashing them or not, so that the pass
 * overlaps what the main thread does. The job comes as the first message (one-shot-worker.ts).
 */
import { parentPort } from 'node:worker_threads';
import { type FilePassAnswer, type FilePassJobs, passOverFile } from './file-pass.js';

export interface FilePassJob extends FilePassJobs {
  path: string;
  length: number;
}

parentPort?.once('message', (job: FilePassJob) => {
  passOverFile(job.path, job.length, job).then(
    // The CRC arrays are handed over, not copied.
    (answer) => parentPort?.postMessage(answer, answer.ok && answer.leafRuns !== undefined ? [answer.leafRuns.crc.buffer as ArrayBuffer, answer.leafRuns.length.buffer as ArrayBuffer] : []),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies FilePassAnswer),
  );
});
