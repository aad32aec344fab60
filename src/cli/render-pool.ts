/**
 * Renders entries on worker threads, in order. Entries are sent in batches whose values are
 * copied into one transferable buffer (etcd client buffers share large slabs that must not be
 * cloned whole); a batch's output comes back the same way, as UTF-8 bytes in one transferred
 * buffer, and is written in the order the entries were read. (As strings, each object's text was
 * decoded in the worker, copied across and encoded again here: on the main thread, which also
 * reads etcd and writes the output, that cost more than the rendering the worker took off it.)
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
  /** An earlier batch's output buffer, handed back for this one's text (fresh memory costs page faults). */
  spareOutput?: ArrayBuffer;
}

/** What became of an entry (RenderReply.shown): a note alone, an object, or an encrypted stand-in. */
export const RENDERED_NOTHING = 0;
export const RENDERED_OBJECT = 1;
export const RENDERED_STUB = 2;
export type Rendered = typeof RENDERED_NOTHING | typeof RENDERED_OBJECT | typeof RENDERED_STUB;

/**
 * A worker's answer to a batch, packed in typed arrays (an object per entry cost more to clone
 * across than the rendering saved): per entry, what it came to and where its text ends in the
 * output bytes (it starts where the one before ended); the notes of the few that have one.
 */
export interface RenderReply {
  id: number;
  shown: Uint8Array;
  ends: Int32Array;
  /** [entry index, note]: a value that could not be shown (alone), or an encrypted one whose decryption failed (with its stand-in). */
  notes: [number, string][];
  /** The text, transferred; its first `length` bytes are written. */
  output: ArrayBuffer;
  length: number;
  /** The batch's values buffer, handed back for a later batch. */
  values: ArrayBuffer;
}

/** A batch being gathered: its entries' facts, and their values copied one after another. */
class GatheredBatch {
  readonly entries: Omit<Entry, 'value'>[] = [];
  readonly offsets: number[] = [0];
  length = 0;

  constructor(public values: Uint8Array) {}

  add(entry: Entry): void {
    const { value, ...meta } = entry;
    if (this.length + value.length > this.values.length) {
      const grown = new Uint8Array(Math.max(this.values.length * 2, this.length + value.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    this.values.set(value, this.length);
    this.length += value.length;
    this.entries.push(meta);
    this.offsets.push(this.length);
  }
}

const BATCH_ENTRIES = 256;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Batches in flight per worker: enough to keep it busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 3;
const NO_TEXT = new Uint8Array(0);

export class RenderPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (reply: RenderReply) => void; reject: (error: unknown) => void }>();
  private readonly inFlight: Promise<RenderReply>[] = [];
  private nextId = 0;
  private batch: GatheredBatch | undefined;
  /** Buffers back from the workers, used again: values buffers for batches, output buffers for their text. */
  private readonly spareValues: ArrayBuffer[] = [];
  private readonly spareOutputs: ArrayBuffer[] = [];

  /**
   * Workers for the cores left after the main thread and one for etcd or the file reads. On this
   * project's 2-core machines, with etcd on the same cores, one worker is still slower (live `get
   * -A -o ndjson` of the 100k bench registry: 4.30-5.09 s against 3.87-4.71 s; the worker's
   * rendering took 3.2-4.0 s of CPU against 2.3 s on the main thread) and costs 55-80 MB, so there
   * it is none.
   */
  static defaultSize(): number {
    return Math.max(0, availableParallelism() - 2);
  }

  constructor(
    setup: RenderWorkerSetup,
    size: number,
    /** Called per entry, in order: what it came to, its text (empty for a note alone; lent for the call) and its note. */
    private readonly emit: (shown: Rendered, text: Uint8Array, note: string | undefined) => void,
  ) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./render-worker.js', import.meta.url), { workerData: setup });
      worker.on('message', (reply: RenderReply) => {
        const waiter = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        this.spareValues.push(reply.values);
        waiter?.resolve(reply);
      });
      // A worker that dies fails every batch still waiting, rather than hanging the listing.
      worker.on('error', (error) => {
        for (const waiter of this.waiting.values()) waiter.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
  }

  /** Takes the entry, its value copied at once: the caller may lend values (RangeOptions.borrowsValues). */
  async add(entry: Entry): Promise<void> {
    const spare = this.spareValues.pop();
    this.batch ??= new GatheredBatch(spare === undefined ? new Uint8Array(BATCH_BYTES + BATCH_BYTES / 4) : new Uint8Array(spare));
    this.batch.add(entry);
    if (this.batch.entries.length >= BATCH_ENTRIES || this.batch.length >= BATCH_BYTES) await this.flush();
  }

  /** Sends the current batch; waits for the oldest one first when enough are in flight. */
  async flush(): Promise<void> {
    if (this.batch !== undefined) {
      const gathered = this.batch;
      this.batch = undefined;
      this.inFlight.push(this.send(gathered));
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
    const reply = await (this.inFlight.shift() as Promise<RenderReply>);
    const output = new Uint8Array(reply.output, 0, reply.length);
    // The notes are in entry order: the next one is the next entry's, or a later one's.
    let nextNote = 0;
    for (let i = 0, start = 0; i < reply.shown.length; i++) {
      const end = reply.ends[i] as number;
      const noted = reply.notes[nextNote];
      let note: string | undefined;
      if (noted?.[0] === i) {
        note = noted[1];
        nextNote++;
      }
      this.emit(reply.shown[i] as Rendered, start === end ? NO_TEXT : output.subarray(start, end), note);
      start = end;
    }
    // Written (emit copies what it keeps): the buffer can take a later batch's text.
    this.spareOutputs.push(reply.output);
  }

  private send(gathered: GatheredBatch): Promise<RenderReply> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    const values = gathered.values.buffer as ArrayBuffer;
    const batch: RenderBatch = { id, entries: gathered.entries, offsets: gathered.offsets, values };
    const transfer = [values];
    const spareOutput = this.spareOutputs.pop();
    if (spareOutput !== undefined) {
      batch.spareOutput = spareOutput;
      transfer.push(spareOutput);
    }
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(batch, transfer);
    });
  }
}
