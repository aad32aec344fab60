/**
 * The main thread's side of page-read-worker.ts: one worker per open file, started at the first
 * large batch of reads, asked for many ranges at once and answering with one buffer.
 */
import { Worker } from 'node:worker_threads';
import { KregError } from '../../errors.js';
import type { PageReadAnswer, PageReadRequest, RangeFailure } from './page-read-worker.js';

export type { RangeFailure };

export class PageReadThread {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (answer: PageReadAnswer) => void; reject: (error: unknown) => void }>();
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (answer: PageReadAnswer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      waiter?.resolve(answer);
    });
    const failAll = (error: unknown): void => {
      this.stopped = true;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', () => failAll(new KregError('closed', 'the page reading thread stopped')));
  }

  /** A started thread, or undefined when none can start here (the caller reads on its own thread). */
  static start(): PageReadThread | undefined {
    try {
      // No inherited flags: the process's own (e.g. `node --input-type=module -e ...`) may not apply to a worker's script.
      return new PageReadThread(new Worker(new URL('./page-read-worker.js', import.meta.url), { execArgv: [] }));
    } catch {
      return undefined;
    }
  }

  /** Whether it can still take reads (it stops on close, or when it failed). */
  get usable(): boolean {
    return !this.stopped;
  }

  /**
   * The ranges ((position, length) in bytes) of the open file `fd`, one after another in one
   * buffer; `reuse` (given up, transferred) is read into when large enough.
   */
  read(fd: number, ranges: readonly { position: number; length: number }[], reuse: ArrayBuffer | undefined): Promise<PageReadAnswer> {
    if (this.stopped) return Promise.reject(new KregError('closed', 'the page reading thread stopped'));
    const id = this.nextId++;
    const pairs = new Float64Array(ranges.length * 2);
    ranges.forEach((range, at) => {
      pairs[at * 2] = range.position;
      pairs[at * 2 + 1] = range.length;
    });
    return new Promise<PageReadAnswer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: PageReadRequest = { id, fd, ranges: pairs, reuse };
      this.worker.postMessage(request, reuse === undefined ? [pairs.buffer] : [pairs.buffer, reuse]);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker.terminate();
  }
}
