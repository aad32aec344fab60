/**
 * Worker body of PageReadThread: reads many byte ranges of a file into one buffer and hands it
 * back. A key-order fetch reads ~100k scattered leaf pages per GB; each read call cost the main
 * thread ~10 us of submitting and waking (a tenth of `get --snapshot`), here it costs this thread.
 * The reads still go through libuv's pool, several at once, as on the main thread.
 */
import { read } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface PageReadRequest {
  id: number;
  fd: number;
  /** (position, length) pairs, in bytes; each range lands after the previous one in the buffer. */
  ranges: Float64Array;
  /** Memory to read into when it is large enough (transferred, as the answer's buffer is back). */
  reuse: ArrayBuffer | undefined;
}

/** A range that could not be read whole: the file ended (`at`: where), or the read failed. */
export type RangeFailure = { range: number; ended: true; at: number; missing: number } | { range: number; ended: false; message: string; code: string | undefined };

export interface PageReadAnswer {
  id: number;
  buffer: ArrayBuffer;
  failures: RangeFailure[];
}

parentPort?.on('message', (request: PageReadRequest) => {
  const count = request.ranges.length / 2;
  let total = 0;
  for (let range = 0; range < count; range++) total += request.ranges[range * 2 + 1] as number;
  const buffer = request.reuse !== undefined && request.reuse.byteLength >= total ? request.reuse : new ArrayBuffer(Math.max(total, request.reuse?.byteLength ?? 0));
  const bytes = new Uint8Array(buffer);
  const failures: RangeFailure[] = [];
  let pending = count;
  const finished = (): void => {
    if (--pending === 0) parentPort?.postMessage({ id: request.id, buffer, failures } satisfies PageReadAnswer, [buffer]);
  };
  if (count === 0) {
    pending = 1;
    finished();
    return;
  }
  let offset = 0;
  for (let range = 0; range < count; range++) {
    const position = request.ranges[range * 2] as number;
    const length = request.ranges[range * 2 + 1] as number;
    const start = offset;
    offset += length;
    let done = 0;
    const next = (): void => {
      read(request.fd, bytes, start + done, length - done, position + done, (error, bytesRead) => {
        if (error !== null) {
          failures.push({ range, ended: false, message: error.message, code: error.code });
          finished();
        } else if (bytesRead === 0) {
          failures.push({ range, ended: true, at: position + done, missing: length - done });
          finished();
        } else if ((done += bytesRead) < length) {
          next();
        } else {
          finished();
        }
      });
    };
    next();
  }
});
