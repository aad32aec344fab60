/**
 * A one-shot worker for the tests of one-shot-worker.ts: answers its job with the job and when
 * the script was loaded (Date.now()), so that a test can tell a prestarted worker from one
 * started for the job.
 */
import { parentPort } from 'node:worker_threads';

const loadedAt = Date.now();
parentPort?.once('message', (job: unknown) => parentPort?.postMessage({ job, loadedAt }));
