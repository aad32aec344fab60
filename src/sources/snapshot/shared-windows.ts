/**
 * The sha256 worker's reads, shared with the walk: the worker reads the file in order into a ring
 * of windows in shared memory, and the walk (in key order, on the main thread) takes a page from
 * a window the worker has read instead of copying it out of the file a second time. A page the
 * ring no longer (or not yet soon) holds is read as before: the ring only saves copies.
 *
 * A slot is reused only when no page of it is in use: the walk pins a slot while it uses a page
 * in it, and the worker, before it reads into a slot, marks it empty and waits for its pins to
 * go. The walk checks, once it has pinned a slot, that it still holds the window it wants.
 */

/**
 * One window: a read of the worker, at a multiple of this (by default). The slots are fresh
 * memory, and a first touch costs a page fault per 4 KiB (about 12 µs on the machines measured):
 * 4 slots of 8 MiB took 8,200 faults, of 4 MiB half as many, and `snapshot status` of a 1.26 GB
 * file used 0.08 s less CPU (medians of 10 interleaved runs); `ls --snapshot` took the same.
 */
export const WINDOW_BYTES = 4 * 1024 * 1024;
/** Windows kept: the one being hashed, the one being read, and those behind for a walk that lags (or ahead of one that leads). */
const SLOTS = 4;
/** Bytes ahead of the worker the walk waits for (a few hundredths of a second of its reads); a page further on is read by the walk. */
const WAIT_AHEAD_BYTES = 32 * 1024 * 1024;
/** A worker that makes no progress for this long is given up on (the walk then reads for itself). */
const STALL_MS = 2000;
/**
 * How long the worker waits for a walk that lags behind before it reuses the slot of a window the
 * walk has not reached yet; after one such wait runs out (a walk that does not follow the file's
 * order), it no longer waits.
 */
const LAG_MS = 200;
/**
 * Windows kept behind the one the walk is in: a key-order walk steps back a window now and then,
 * and a worker that only reads (no hash) runs ahead of it. With none kept, the walk read 135 MB
 * of a 1.26 GB file again itself; with one, 8 MB, and `snapshot status --skip-hash-check` took
 * 1.31-1.57 s against 1.65-1.80 s.
 */
const WINDOWS_KEPT_BEHIND = 1;
/** The furthest the worker gets ahead of the window the walk is in: a slot is reused only once the walk is past it. */
const MAX_LEAD = SLOTS - 1 - WINDOWS_KEPT_BEHIND;

// Control words (Int32): the windows read so far, whether the worker is done, the window the walk
// last asked for (2^31-1 once it is done), then per slot its pins, the window it holds (-1: none)
// and how many bytes of it the file filled.
const PUBLISHED = 0;
const FINISHED = 1;
const WANTED = 2;
const WALK_DONE = 0x7fff_ffff;
const PINS = 3;
const HELD = PINS + SLOTS;
const FILLED = HELD + SLOTS;
const CONTROL_WORDS = FILLED + SLOTS;

/** The shared memory, as handed to the worker (workerData). */
export interface SharedWindowsMemory {
  /** The size of a window (and of the worker's reads). */
  windowBytes: number;
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  /** Per window: 1 when the worker takes the CRCs of its leaves (leaf-run-crcs.ts), set before it is published. */
  leafCrcs: SharedArrayBuffer;
}

export function createSharedWindowsMemory(fileBytes: number, windowBytes = WINDOW_BYTES): SharedWindowsMemory {
  const slotBytes = Math.min(windowBytes, Math.max(1, fileBytes));
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  new Int32Array(control).fill(-1, HELD, HELD + SLOTS);
  return { windowBytes, control, slots: new SharedArrayBuffer(SLOTS * slotBytes), leafCrcs: new SharedArrayBuffer(Math.ceil(fileBytes / windowBytes) + 1) };
}

/** The worker's side: a slot to read each window into, published once read. */
export class WindowWriter {
  private readonly control: Int32Array;
  private readonly slotBytes: number;
  private waitsForWalk = true;
  private finished = false;
  private readonly leafCrcs: Uint8Array;

  constructor(private readonly memory: SharedWindowsMemory) {
    this.control = new Int32Array(memory.control);
    this.leafCrcs = new Uint8Array(memory.leafCrcs);
    this.slotBytes = memory.slots.byteLength / SLOTS;
  }

  /**
   * The slot for `window`, emptied: waits (a while) for a walk that is not yet WINDOWS_KEPT_BEHIND
   * past the window the slot holds, and until the walk has let go of the pages it uses in it;
   * undefined once the windows are no longer shared (read into memory of your own then).
   */
  slotFor(window: number): Uint8Array | undefined {
    if (this.finished) return undefined;
    const slot = window % SLOTS;
    const held = Atomics.load(this.control, HELD + slot);
    if (this.waitsForWalk && held >= 0) {
      const until = Date.now() + LAG_MS;
      for (let wanted = Atomics.load(this.control, WANTED); wanted <= held + WINDOWS_KEPT_BEHIND; wanted = Atomics.load(this.control, WANTED)) {
        if (Date.now() > until) {
          this.waitsForWalk = false;
          break;
        }
        Atomics.wait(this.control, WANTED, wanted, 5);
      }
    }
    Atomics.store(this.control, HELD + slot, -1);
    const until = Date.now() + STALL_MS;
    for (let pins = Atomics.load(this.control, PINS + slot); pins !== 0; pins = Atomics.load(this.control, PINS + slot)) {
      // A walk that never lets go (it failed and left): share no more, rather than wait forever.
      if (Date.now() > until) {
        this.finish();
        return undefined;
      }
      // Timed: the pins are dropped without a notify (the walk does not know who waits).
      Atomics.wait(this.control, PINS + slot, pins, 5);
    }
    return new Uint8Array(this.memory.slots, slot * this.slotBytes, this.slotBytes);
  }

  /**
   * Whether to take the CRCs of `window`'s leaves: only with time to spare. A thread that only
   * reads (`spareTime`) has it whenever the walk is behind it; one that hashes the file, the
   * longer job, only when the walk is as far behind as the ring allows (MAX_LEAD windows), so that
   * it would wait for the walk at its next slot anyway. Taking the CRCs of every window the walk
   * had not reached, the hashing thread was what `snapshot status` waited for: on a 1.26 GB file,
   * 1.49 s against 1.41 s this way (medians of 12, interleaved; 1.44 s with the walk taking every
   * CRC). A walk that waits for the window takes them itself. Said once, before the window is
   * published, so that the walk knows which to take.
   */
  takesLeafCrcs(window: number, spareTime: boolean): boolean {
    const takes = this.finished || window - Atomics.load(this.control, WANTED) >= (spareTime ? 1 : MAX_LEAD);
    if (takes) Atomics.store(this.leafCrcs, window, 1);
    return takes;
  }

  /** `window` is in its slot (its first `filled` bytes): the walk may use it. */
  publish(window: number, filled: number): void {
    if (this.finished) return;
    const slot = window % SLOTS;
    Atomics.store(this.control, FILLED + slot, filled);
    Atomics.store(this.control, HELD + slot, window);
    Atomics.store(this.control, PUBLISHED, window + 1);
    Atomics.notify(this.control, PUBLISHED);
  }

  /** No more windows (the file is read, or the read failed): the walk stops waiting for any. */
  finish(): void {
    this.finished = true;
    Atomics.store(this.control, FINISHED, 1);
    Atomics.notify(this.control, PUBLISHED);
  }
}

/** The walk's side: pages out of the windows the worker has read. */
export class WindowReader {
  private readonly control: Int32Array;
  private readonly slotBytes: number;
  /** Pins this thread holds, per slot (counts, not a list: emptying a list each page made garbage). */
  private readonly pinned = new Int32Array(SLOTS);
  private givenUp = false;
  private readonly leafCrcs: Uint8Array;
  /** Windows ahead of the worker the walk waits for. */
  private readonly waitAhead: number;

  /** Every slot's bytes, for pin(): valid to read only where pinned. */
  readonly slotMemory: Uint8Array;

  constructor(private readonly memory: SharedWindowsMemory) {
    this.slotMemory = new Uint8Array(memory.slots);
    this.waitAhead = Math.max(2, Math.ceil(WAIT_AHEAD_BYTES / memory.windowBytes));
    this.control = new Int32Array(memory.control);
    this.leafCrcs = new Uint8Array(memory.leafCrcs);
    this.slotBytes = memory.slots.byteLength / SLOTS;
  }

  /** Stops waiting for the worker (it is gone, or does not run): every page is read from now on. */
  giveUp(): void {
    this.givenUp = true;
    Atomics.store(this.control, FINISHED, 1);
  }

  /** Whether the worker has said it takes the CRCs of the leaves in the window at `offset` (else the walk takes them). */
  workerTakesLeafCrcs(offset: number): boolean {
    return Atomics.load(this.leafCrcs, Math.floor(offset / this.memory.windowBytes)) === 1;
  }

  /** The walk is over: the worker need not wait for it any more. */
  walkDone(): void {
    this.release();
    Atomics.store(this.control, WANTED, WALK_DONE);
    Atomics.notify(this.control, WANTED);
  }

  /** Whether the bytes at `offset` are in a window that is held or soon will be (so not worth reading now). */
  likelyHeld(offset: number): boolean {
    if (this.givenUp) return false;
    const window = Math.floor(offset / this.memory.windowBytes);
    const published = Atomics.load(this.control, PUBLISHED);
    if (window >= published) return Atomics.load(this.control, FINISHED) === 0 && window < published + this.waitAhead;
    return window >= published - SLOTS + 1;
  }

  /**
   * The bytes [offset, offset + length) from a window, pinned until release(); undefined when no
   * window holds them all (then read them). Waits for a window the worker is about to read.
   */
  view(offset: number, length: number): Uint8Array | undefined {
    const at = this.pin(offset, length);
    return at < 0 ? undefined : new Uint8Array(this.memory.slots, at, length);
  }

  /**
   * view() without the view: where in `slotMemory` the bytes lie, pinned until release(); -1 when
   * no window holds them all. For a few bytes read at once (a page header), without an object.
   */
  pin(offset: number, length: number): number {
    const window = Math.floor(offset / this.memory.windowBytes);
    if (this.givenUp || Math.floor((offset + length - 1) / this.memory.windowBytes) !== window) return -1;
    if (Atomics.load(this.control, WANTED) !== window) {
      Atomics.store(this.control, WANTED, window);
      Atomics.notify(this.control, WANTED);
    }
    if (!this.waitFor(window)) return -1;
    const slot = window % SLOTS;
    Atomics.add(this.control, PINS + slot, 1);
    const at = offset - window * this.memory.windowBytes;
    if (Atomics.load(this.control, HELD + slot) !== window || at + length > Atomics.load(this.control, FILLED + slot)) {
      Atomics.sub(this.control, PINS + slot, 1);
      return -1;
    }
    this.pinned[slot] = (this.pinned[slot] as number) + 1;
    return slot * this.slotBytes + at;
  }

  /** Lets go of every view handed out: their bytes may be overwritten from now on. */
  release(): void {
    for (let slot = 0; slot < SLOTS; slot++) {
      const pins = this.pinned[slot] as number;
      if (pins === 0) continue;
      Atomics.sub(this.control, PINS + slot, pins);
      this.pinned[slot] = 0;
    }
  }

  /** Whether the worker has read `window`; waits when it soon will (never with a pin held: the worker may wait for it). */
  private waitFor(window: number): boolean {
    let published = Atomics.load(this.control, PUBLISHED);
    if (window < published) return true;
    if (window >= published + this.waitAhead) return false;
    this.release();
    let stalledSince = Date.now();
    while (window >= published && Atomics.load(this.control, FINISHED) === 0) {
      Atomics.wait(this.control, PUBLISHED, published, 50);
      const now = Atomics.load(this.control, PUBLISHED);
      if (now !== published) stalledSince = Date.now();
      else if (Date.now() - stalledSince > STALL_MS) {
        this.giveUp();
        return false;
      }
      published = now;
    }
    return window < published;
  }
}
