/**
 * A worker thread that does one job and posts one answer: how the snapshot reader moves a whole
 * pass over the file (the sha256 trailer hash, the consistency check) to another core.
 */
import { Worker } from 'node:worker_threads';

export interface OneShotWorker<T> {
  /**
   * The worker's answer; undefined when no worker could start here (the caller then does the job
   * on its own thread). A worker that fails after it started rejects with its error.
   */
  readonly answer: Promise<T | undefined>;
  /** Stops the worker if it is still working (a caller that no longer needs the answer). */
  stop(): Promise<void>;
}

export function startOneShotWorker<T>(script: URL, workerData: unknown): OneShotWorker<T> {
  let worker: Worker;
  try {
    // No inherited flags: the process's own (e.g. `node --input-type=module -e ...`) may not apply to a worker's script.
    worker = new Worker(script, { workerData, execArgv: [] });
  } catch {
    return { answer: Promise.resolve(undefined), stop: () => Promise.resolve() };
  }
  let settled = false;
  const answer = new Promise<T | undefined>((resolve, reject) => {
    worker.once('message', (message: T) => {
      settled = true;
      resolve(message);
    });
    worker.once('error', (error: Error & { code?: string }) => {
      settled = true;
      // Its script could not be loaded here (an unusual bundling): the caller does the job itself.
      if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code?.startsWith('ERR_WORKER_') === true) resolve(undefined);
      else reject(error);
    });
    worker.once('exit', () => {
      if (settled) return;
      settled = true;
      reject(new Error('the worker thread stopped without an answer'));
    });
  });
  // Handled here as well, so that a caller that stops waiting leaves no unhandled rejection.
  answer.catch(() => undefined);
  return {
    answer,
    stop: async () => {
      if (!settled) await worker.terminate();
    },
  };
}
