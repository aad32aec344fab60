/**
 * Worker body of checkSnapshotFileOnWorker(): bbolt's consistency check of a file, run on its own
 * thread so that `kreg snapshot status` checks the file while its main thread walks the buckets.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KregError } from '../../errors.js';
import { checkSnapshotFile, type SnapshotCheckReport } from './bolt-check.js';
import { SnapshotFileError } from './bbolt-file.js';

export interface CheckJob {
  path: string;
  skipHashCheck: boolean;
}

/** A thrown KregError, as plain data that crosses threads (its class is rebuilt on the other side). */
export interface CheckFailure {
  snapshotFile: boolean;
  code: string;
  message: string;
  file: string | undefined;
  page: number | undefined;
  offset: number | undefined;
}

export type CheckAnswer = { ok: true; report: SnapshotCheckReport } | { ok: false; failure: CheckFailure } | { ok: false; error: string };

const job = workerData as CheckJob;
checkSnapshotFile(job.path, { skipHashCheck: job.skipHashCheck }).then(
  (report) => parentPort?.postMessage({ ok: true, report } satisfies CheckAnswer),
  (error: unknown) => {
    if (error instanceof KregError) {
      const failure: CheckFailure = {
        snapshotFile: error instanceof SnapshotFileError,
        code: error.code,
        message: error.message,
        file: error.subject.file,
        page: error instanceof SnapshotFileError ? error.page : undefined,
        offset: error.subject.offset,
      };
      parentPort?.postMessage({ ok: false, failure } satisfies CheckAnswer);
    } else parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies CheckAnswer);
  },
);
