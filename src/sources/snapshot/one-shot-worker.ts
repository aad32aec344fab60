/**
 * A worker thread that does one job and posts one answer: how the snapshot reader moves a whole
 * pass over the file (the sha256 trailer hash, the consistency check) to another core.
 *
 * The job goes to the worker as its first message, not as workerData, so that a worker can be
 * started before its job is known (prestartOneShotWorker): starting one takes 70-90 ms, which a
 * command can overlap with its own loading.
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

/** Workers started ahead of their job, by script: the next startOneShotWorker() of that script takes it. */
const started = new Map<string, Worker>();

/**
 * Starts a worker for a job of `script` to come; false when none can start here. It does not keep
 * the process alive while no job has taken it, and one that fails to start is forgotten (the job
 * then starts its own).
 */
export function prestartOneShotWorker(script: URL): boolean {
  if (started.has(script.href)) return true;
  let worker: Worker;
  try {
    worker = newWorker(script);
  } catch {
    return false;
  }
  worker.unref();
  const forget = (): void => {
    if (started.get(script.href) === worker) started.delete(script.href);
  };
  worker.once('error', forget);
  worker.once('exit', forget);
  started.set(script.href, worker);
  return true;
}

/** Runs the job on a worker of `script` (one prestarted for it, else a new one). */
export function startOneShotWorker<T>(script: URL, job: unknown): OneShotWorker<T> {
  let worker = started.get(script.href);
  started.delete(script.href);
  if (worker !== undefined) {
    worker.ref();
  } else {
    try {
      worker = newWorker(script);
    } catch {
      return { answer: Promise.resolve(undefined), stop: () => Promise.resolve() };
    }
  }
  const running = worker;
  let settled = false;
  const answer = new Promise<T | undefined>((resolve, reject) => {
    running.once('message', (message: T) => {
      settled = true;
      resolve(message);
    });
    running.once('error', (error: Error & { code?: string }) => {
      settled = true;
      // Its script could not be loaded here (an unusual bundling): the caller does the job itself.
      if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND' || error.code?.startsWith('ERR_WORKER_') === true) resolve(undefined);
      else reject(error);
    });
    running.once('exit', () => {
      if (settled) return;
      settled = true;
      reject(new Error('the worker thread stopped without an answer'));
    });
  });
  // Handled here as well, so that a caller that stops waiting leaves no unhandled rejection.
  answer.catch(() => undefined);
  // Shared memory in the job (SharedArrayBuffer) is shared, not copied, as with workerData.
  running.postMessage(job);
  return {
    answer,
    stop: async () => {
      if (!settled) await running.terminate();
    },
  };
}

function newWorker(script: URL): Worker {
  // No inherited flags: the process's own (e.g. `node --input-type=module -e ...`) may not apply to a worker's script.
  return new Worker(script, { execArgv: [] });
}
