/**
 * Renders entries on worker threads, in order. Entries are sent in batches whose values are
 * copied into one transferable buffer (etcd client buffers share large slabs that must not be
 * cloned whole); results come back as text and are written in the order the entries were read.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Entry } from '../sources/source.js';
import type { RenderWorkerSetup } from './render-worker.js';

export interface RenderBatch {
  id: number;
  entries: Omit<Entry, 'value'>[];
  /** Start of each value in `values`, plus the end of the last. */
  offsets: number[];
  values: ArrayBuffer;
}

/** An entry rendered: its text, or a note alone, or (an encrypted stand-in whose decryption failed) both. */
export type RenderResult = { text: string; note?: string; stub?: boolean } | { text?: undefined; note: string; stub?: undefined };

const BATCH_ENTRIES = 256;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Batches in flight per worker: enough to keep it busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 3;

export class RenderPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (results: RenderResult[]) => void; reject: (error: unknown) => void }>();
  private readonly inFlight: Promise<RenderResult[]>[] = [];
  private nextId = 0;
  private batch: Entry[] = [];
  private batchBytes = 0;

  /**
   * Workers for the cores left after the main thread and one for etcd or the file reads: on this
   * project's 2-core machines a worker measured no faster (both cores were already busy with
   * etcd, gRPC and output) and cost about 100 MB, so there it is none.
   */
  static defaultSize(): number {
    return Math.max(0, availableParallelism() - 2);
  }

  constructor(
    setup: RenderWorkerSetup,
    size: number,
    private readonly emit: (result: RenderResult) => void,
  ) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./render-worker.js', import.meta.url), { workerData: setup });
      worker.on('message', (message: { id: number; results: RenderResult[] }) => {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        waiter?.resolve(message.results);
      });
      // A worker that dies fails every batch still waiting, rather than hanging the listing.
      worker.on('error', (error) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
  }

  async add(entry: Entry): Promise<void> {
    this.batch.push(entry);
    this.batchBytes += entry.value.length;
    if (this.batch.length >= BATCH_ENTRIES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Sends the current batch; waits for the oldest one first when enough are in flight. */
  async flush(): Promise<void> {
    if (this.batch.length > 0) {
      const entries = this.batch;
      this.batch = [];
      this.batchBytes = 0;
      this.inFlight.push(this.send(entries));
    }
    while (this.inFlight.length >= this.workers.length * IN_FLIGHT_PER_WORKER) await this.drainOne();
  }

  /** Waits for every batch and writes its results. */
  async finish(): Promise<void> {
    await this.flush();
    while (this.inFlight.length > 0) await this.drainOne();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async drainOne(): Promise<void> {
    const results = await (this.inFlight.shift() as Promise<RenderResult[]>);
    for (const r of results) this.emit(r);
  }

  private send(entries: Entry[]): Promise<RenderResult[]> {
    const total = entries.reduce((n, e) => n + e.value.length, 0);
    const values = new Uint8Array(total);
    const offsets: number[] = [0];
    for (const e of entries) {
      values.set(e.value, offsets[offsets.length - 1] as number);
      offsets.push((offsets[offsets.length - 1] as number) + e.value.length);
    }
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    const batch: RenderBatch = { id, entries: entries.map(({ value: _value, ...meta }) => meta), offsets, values: values.buffer };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(batch, [values.buffer]);
    });
  }
}
