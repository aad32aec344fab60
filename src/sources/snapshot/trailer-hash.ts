/**
 * The sha256 of a file's first bytes, computed on a worker thread (sha256-worker.ts): hashing a
 * large snapshot takes about as long as walking it, and on a second core the two overlap.
 */
import { Worker } from 'node:worker_threads';
import type { Sha256Answer, Sha256Job } from './sha256-worker.js';

/**
 * Resolves with the worker's answer, or undefined when no worker can be started here (the caller
 * then hashes on its own thread).
 */
export function sha256OnWorker(path: string, length: number): Promise<Sha256Answer | undefined> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./sha256-worker.js', import.meta.url), { workerData: { path, length } satisfies Sha256Job });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let answered = false;
    worker.once('message', (answer: Sha256Answer) => {
      answered = true;
      resolve(answer);
    });
    worker.once('error', (error) => {
      answered = true;
      resolve({ ok: false, error: error.message });
    });
    worker.once('exit', () => {
      if (!answered) resolve(undefined);
    });
  });
}
