/**
 * Renders entries on worker threads, in order. Each batch in flight has a slot of memory shared
 * with the workers: the main thread copies the batch's values into it as they are read (etcd
 * client buffers share large slabs that must not be cloned whole), the worker writes the batch's
 * text into it as UTF-8, and the text is written in the order the entries were read. The slots are
 * allocated once: buffers transferred back and forth instead counted as new memory on every
 * arrival, and V8 ran a garbage collection for that "external memory pressure" every few batches.
 * (As strings, each object's text was decoded in the worker, copied across and encoded again
 * here: on the main thread, which also reads etcd and writes the output, that cost more than the
 * rendering the worker took off it.)
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
  /** The slot's values memory; a buffer of its own (transferred) for a batch that outgrew it. */
  values: SharedArrayBuffer | ArrayBuffer;
  /** The slot's memory for the batch's text (the worker uses memory of its own past it). */
  output: SharedArrayBuffer;
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
  /** The text: the slot's memory, or (a batch's text larger than it) a buffer transferred; its first `length` bytes. */
  output: SharedArrayBuffer | ArrayBuffer;
  length: number;
}

/** Memory shared with the workers for one batch in flight. */
interface BatchSlot {
  values: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/** A batch being gathered: its entries' facts, and their values copied one after another into its slot. */
class GatheredBatch {
  readonly entries: Omit<Entry, 'value'>[] = [];
  readonly offsets: number[] = [0];
  length = 0;
  values: Uint8Array;

  constructor(
    readonly slot: number,
    memory: SharedArrayBuffer,
  ) {
    this.values = new Uint8Array(memory);
  }

  add(entry: Entry): void {
    const { value, ...meta } = entry;
    if (this.length + value.length > this.values.length) {
      // Past the slot (a value larger than a batch): memory of the batch's own.
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
/** A slot's memory for a batch's text: JSON text runs to about 1.4 times the protobuf it comes from. */
const OUTPUT_SLOT_BYTES = 2 * BATCH_BYTES;
const NO_TEXT = new Uint8Array(0);

export class RenderPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (reply: RenderReply) => void; reject: (error: unknown) => void }>();
  private readonly inFlight: { slot: number; reply: Promise<RenderReply> }[] = [];
  private nextId = 0;
  private batch: GatheredBatch | undefined;
  /** One per batch that may be in flight, and one being gathered; allocated as first needed. */
  private readonly slots: BatchSlot[] = [];
  private readonly freeSlots: number[] = [];

  /**
   * Workers for the cores left after the main thread and one for etcd or the file reads. On this
   * project's 2-core machines, with etcd on the same cores, one worker is about as fast as none
   * (live `get -A -o ndjson`, 100k bench registry: medians 3.99 and 5.01 s against 4.19 and
   * 4.81 s; 1M keys: 42.0-44.3 s against 45.2-47.7 s) but costs 45-80 MB: at 1M keys peak RSS
   * 322-340 MB against 260-262 MB, past the 300 MB a listing of a million keys is held to. So
   * there it is none.
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
    this.batch ??= this.gather();
    this.batch.add(entry);
    if (this.batch.entries.length >= BATCH_ENTRIES || this.batch.length >= BATCH_BYTES) await this.flush();
  }

  /** Sends the current batch; waits for the oldest one first when enough are in flight. */
  async flush(): Promise<void> {
    if (this.batch !== undefined) {
      const gathered = this.batch;
      this.batch = undefined;
      this.inFlight.push({ slot: gathered.slot, reply: this.send(gathered) });
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
    const { slot, reply: replied } = this.inFlight.shift() as { slot: number; reply: Promise<RenderReply> };
    const reply = await replied;
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
    // Written (emit copies what it keeps): the slot can take a later batch.
    this.freeSlots.push(slot);
  }

  /** A batch to gather, in a free slot. */
  private gather(): GatheredBatch {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push({ values: new SharedArrayBuffer(BATCH_BYTES + BATCH_BYTES / 4), output: new SharedArrayBuffer(OUTPUT_SLOT_BYTES) });
    }
    return new GatheredBatch(slot, (this.slots[slot] as BatchSlot).values);
  }

  private send(gathered: GatheredBatch): Promise<RenderReply> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    const slot = this.slots[gathered.slot] as BatchSlot;
    const values = gathered.values.buffer;
    const batch: RenderBatch = { id, entries: gathered.entries, offsets: gathered.offsets, values, output: slot.output };
    return new Promise<RenderReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Shared memory is shared, not moved; a batch's own values buffer is moved.
      worker.postMessage(batch, values instanceof SharedArrayBuffer ? [] : [values]);
    });
  }
}
