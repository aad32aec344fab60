/**
 * Pass 1 of a snapshot read: per key (not per revision), the latest revision seen at or below the
 * read revision and where it is stored. Pass 1 sees revisions in file order (by revision), so it
 * keeps the greatest (main, sub) per key; pass 2 walks the live keys in byte order.
 *
 * Held outside the JavaScript heap, because a registry has millions of keys: the key bytes in
 * chunks of 32 MiB, an open-addressing hash table of slots, and one typed column per fact. Cost per
 * key: its bytes + about 45 bytes (hash table at most half full; columns up to 2x while growing),
 * +25 bytes with the keys-only facts. As a Map of strings it was about 3x that, and all of it in
 * the garbage-collected heap, which V8 lets grow to twice the live size between collections.
 */
import { KregError } from '../../errors.js';
import type { Entry } from '../source.js';
import { compareRevisions, type RevisionKey } from './mvcc.js';

/** Where a stored revision is: leaf page and element, or NO_PAGE when it must be looked up. */
export interface StoredLocation {
  page: number;
  element: number;
  /** The leaf's overflow pages, so it can be read in one go (0xffff: unknown, read the header first). */
  overflow: number;
}

/** What a keys-only entry shows of a key's latest revision, decoded by pass 1. */
export interface KeysOnlyFacts {
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string;
  valueSize: number;
}

/** Key bytes are addressed by one 32-bit position: chunk (7 bits) and offset in it (25 bits). */
const CHUNK_BITS = 25;
/**
 * 32 MiB: glibc's malloc always maps a block over 32 MiB on its own and unmaps it when freed, so
 * the keys let go after pass 1 go back to the system. In smaller blocks they stayed in the heap
 * (malloc serves blocks below its adaptive threshold from it, and that threshold rises to the
 * largest block freed, e.g. a read buffer): at 1M keys ~55 MB of process memory for all of pass 2.
 */
const CHUNK_BYTES = 2 ** CHUNK_BITS;
/** The first chunk: an index of a few keys (a small file, a test) needs no 32 MiB. */
const FIRST_CHUNK_BYTES = 1024 * 1024;
const MAX_CHUNKS = 2 ** (32 - CHUNK_BITS);
const FIRST_CAPACITY = 1024;
/** Keys shorter than this are copied into the index byte by byte, longer ones with set(). */
const COPY_BY_BYTE_BELOW = 128;
const EMPTY_VALUE = new Uint8Array(0);
/** Below this many keys (or past this depth) a range is sorted by comparing keys instead of by radix. */
const COMPARE_SORT_BELOW = 24;
const RADIX_MAX_DEPTH = 512;

export class KeyIndex {
  private count = 0;
  /** Key bytes, in chunks so that growing never copies them; a key never spans two chunks. */
  private readonly chunks: Buffer[] = [];
  private chunkUsed = 0;
  /** Open addressing, linear probing: slot + 1, 0 for an empty cell; at most half full. */
  private table = new Int32Array(FIRST_CAPACITY * 2);
  /** Each slot's key hash: a table twice the size places them again without hashing every key again. */
  private hashes = new Uint32Array(FIRST_CAPACITY);
  /** The hash of the key lookup() was last asked for, for add() to keep. */
  private lookedUpHash = 0;

  /** Where each key's bytes are: chunk << CHUNK_BITS | offset. */
  private keyPositions = new Uint32Array(FIRST_CAPACITY);
  private keyLengths = new Uint32Array(FIRST_CAPACITY);
  private mainRevisions = new Float64Array(FIRST_CAPACITY);
  private subRevisions = new Uint32Array(FIRST_CAPACITY);
  private leafPages = new Uint32Array(FIRST_CAPACITY);
  private elements = new Uint16Array(FIRST_CAPACITY);
  private overflows = new Uint16Array(FIRST_CAPACITY);
  private storedSizes = new Uint32Array(FIRST_CAPACITY);
  /** 0 live, 1 deleted, 2 state unknown (best effort: left out of listings). */
  private states = new Uint8Array(FIRST_CAPACITY);
  /**
   * With `keepFacts`: what a keys-only entry needs of each key's latest revision, decoded as pass
   * 1 meets it, so that a keys-only read skips pass 2 (known[slot] 1; 0: fetch it as usual). Its
   * mod revision is the recorded main revision.
   */
  private facts:
    | {
        known: Uint8Array;
        createRevisions: Float64Array;
        versions: Uint32Array;
        valueSizes: Uint32Array;
        /** The key's lease as an index into leaseIds, + 1 (0: no lease): a few leases hold many keys (Events). */
        leaseOf: Uint32Array;
        leaseIds: string[];
        leaseIndex: Map<string, number>;
      }
    | undefined;

  /**
   * @param keepFacts keep what keys-only entries show (setFacts).
   * @param keepsRevisions false only through forCounting().
   */
  constructor(
    keepFacts = false,
    private readonly keepsRevisions = true,
  ) {
    if (!keepsRevisions) {
      this.mainRevisions = new Float64Array(0);
      this.subRevisions = new Uint32Array(0);
      this.leafPages = new Uint32Array(0);
      this.elements = new Uint16Array(0);
      this.overflows = new Uint16Array(0);
      this.storedSizes = new Uint32Array(0);
    }
    if (keepFacts) {
      this.facts = {
        known: new Uint8Array(FIRST_CAPACITY),
        createRevisions: new Float64Array(FIRST_CAPACITY),
        versions: new Uint32Array(FIRST_CAPACITY),
        valueSizes: new Uint32Array(FIRST_CAPACITY),
        leaseOf: new Uint32Array(FIRST_CAPACITY),
        leaseIds: [],
        leaseIndex: new Map(),
      };
    }
  }

  /**
   * An index that only tells which keys are live, for revisions recorded in revision order (a walk
   * of the key bucket in key order): each recordInOrder() is its key's latest, and no revisions,
   * sizes or locations are kept. `snapshot status` counts with it: at 1M keys the full index was
   * about 120 MB of the process's 297 MB peak.
   */
  static forCounting(): KeyIndex {
    return new KeyIndex(false, false);
  }

  /** Keeps the revision when it is the key's latest so far; returns its slot then, else -1. */
  record(key: Uint8Array, revision: RevisionKey, storedSize: number, location: StoredLocation): number {
    if (location.page > 0xffff_ffff || revision.sub > 0xffff_ffff) {
      throw new KregError('too-large', `page ${location.page} / sub-revision ${revision.sub} does not fit the index (32 bits)`);
    }
    if (!this.keepsRevisions) throw new Error('KeyIndex.record on an index forCounting() (recordInOrder)');
    let slot = this.lookup(key, 0, key.length);
    if (slot < 0) {
      slot = this.add(key, 0, key.length, -slot - 1);
    } else if (compareRevisions(revision, this.revisionOf(slot)) < 0) {
      return -1;
    }
    this.mainRevisions[slot] = revision.main;
    this.subRevisions[slot] = revision.sub;
    this.leafPages[slot] = location.page;
    this.elements[slot] = location.element;
    this.overflows[slot] = location.overflow;
    this.storedSizes[slot] = storedSize;
    this.states[slot] = revision.tombstone ? 1 : 0;
    if (this.facts !== undefined) {
      this.facts.known[slot] = 0;
      this.facts.leaseOf[slot] = 0;
    }
    return slot;
  }

  /**
   * A key's revision in an index forCounting(), recorded in revision order: it is the key's latest.
   * The key is bytes[start, end), read where it lies (a view of every revision's key was most of
   * the garbage of a status walk).
   */
  recordInOrder(bytes: Uint8Array, start: number, end: number, tombstone: boolean): void {
    let slot = this.lookup(bytes, start, end);
    if (slot < 0) slot = this.add(bytes, start, end, -slot - 1);
    this.states[slot] = tombstone ? 1 : 0;
  }

  /** The slot of `key`, or -1 when the index has never seen it. */
  find(key: Uint8Array): number {
    const slot = this.lookup(key, 0, key.length);
    return slot < 0 ? -1 : slot;
  }

  /** The slot of the key bytes[start, end), or -(cell + 1) for the empty cell of the table where it would go. */
  private lookup(bytes: Uint8Array, start: number, end: number): number {
    if (this.table.length === 0) throw new Error('KeyIndex used after keepOnlyLocations()');
    const mask = this.table.length - 1;
    const hash = hashBytes(bytes, start, end);
    this.lookedUpHash = hash;
    let cell = hash & mask;
    for (let held = this.table[cell] as number; held !== 0; cell = (cell + 1) & mask, held = this.table[cell] as number) {
      if (this.hashes[held - 1] === hash && this.keyEquals(held - 1, bytes, start, end)) return held - 1;
    }
    return -cell - 1;
  }

  /** Whether the slot's key is live (its latest revision is not a delete, nor of unknown state). */
  isLive(slot: number): boolean {
    return this.states[slot] === 0;
  }

  /** Whether the slot's key starts with `prefix`, with `from` sorts at or after it, and with `before` sorts before that. */
  keyIn(slot: number, prefix: Uint8Array, from?: Uint8Array, before?: Uint8Array): boolean {
    const length = this.keyLengths[slot] as number;
    if (length < prefix.length) return false;
    const chunk = this.chunkOf(slot);
    const offset = this.offsetOf(slot);
    for (let i = 0; i < prefix.length; i++) if (chunk[offset + i] !== prefix[i]) return false;
    if (from !== undefined && chunk.compare(from, 0, from.length, offset, offset + length) < 0) return false;
    return before === undefined || chunk.compare(before, 0, before.length, offset, offset + length) < 0;
  }

  /** The keys-only facts of the revision just recorded in `slot`. */
  setFacts(slot: number, record: KeysOnlyFacts): void {
    const facts = this.facts;
    if (facts === undefined) return;
    // Kept only when nothing is lost: the mod revision is the recorded one, version and size fit
    // 32 bits (else pass 2 reads the value, as for a value pass 1 could not decode).
    if (record.modRevision !== this.mainRevisions[slot] || record.version > 0xffff_ffff || record.valueSize > 0xffff_ffff) return;
    facts.known[slot] = 1;
    facts.createRevisions[slot] = record.createRevision;
    facts.versions[slot] = record.version;
    facts.valueSizes[slot] = record.valueSize;
    if (record.lease !== '0') {
      let index = facts.leaseIndex.get(record.lease);
      if (index === undefined) {
        index = facts.leaseIds.push(record.lease) - 1;
        facts.leaseIndex.set(record.lease, index);
      }
      facts.leaseOf[slot] = index + 1;
    }
  }

  /** Whether pass 1 kept what a keys-only entry of this slot shows (pass 2 need not read it). */
  hasFacts(slot: number): boolean {
    return this.facts?.known[slot] === 1;
  }

  /** The keys-only entry of a live key whose facts pass 1 kept; undefined when it must be fetched. */
  keysOnlyEntry(slot: number): Entry | undefined {
    const facts = this.facts;
    if (facts === undefined || facts.known[slot] !== 1) return undefined;
    return {
      key: this.keyText(slot),
      value: EMPTY_VALUE,
      valueSize: facts.valueSizes[slot] as number,
      createRevision: facts.createRevisions[slot] as number,
      modRevision: this.mainRevisions[slot] as number,
      version: facts.versions[slot] as number,
      lease: facts.leaseOf[slot] === 0 ? '0' : (facts.leaseIds[(facts.leaseOf[slot] as number) - 1] as string),
    };
  }

  /** The key's bytes (a view into the index: valid while it lives). */
  keyBytes(slot: number): Uint8Array {
    const offset = this.offsetOf(slot);
    return this.chunkOf(slot).subarray(offset, offset + (this.keyLengths[slot] as number));
  }

  /** The key as text (etcd keys are UTF-8 by convention; other bytes show as U+FFFD). */
  keyText(slot: number): string {
    const offset = this.offsetOf(slot);
    return this.chunkOf(slot).toString('utf8', offset, offset + (this.keyLengths[slot] as number));
  }

  /** Best effort: a key whose state is unknown, neither live nor deleted (left out of listings). */
  markUnknown(slot: number): void {
    this.states[slot] = 2;
  }

  liveCount(): number {
    let live = 0;
    for (let slot = 0; slot < this.count; slot++) if (this.states[slot] === 0) live++;
    return live;
  }

  /** Slots of the keys whose latest revision is not a delete (and that `wanted` accepts), in no particular order. */
  liveSlots(wanted?: (slot: number) => boolean): Uint32Array {
    const live = new Uint32Array(this.liveCount());
    let at = 0;
    for (let slot = 0; slot < this.count; slot++) if (this.states[slot] === 0 && (wanted === undefined || wanted(slot))) live[at++] = slot;
    return at === live.length ? live : live.slice(0, at);
  }

  /** Slots of the live keys (that `wanted` accepts) in byte order of their keys (etcd's order). */
  liveSlotsSorted(wanted?: (slot: number) => boolean): Uint32Array {
    const slots = this.liveSlots(wanted);
    this.sortByKey(slots);
    return slots;
  }

  /**
   * Lets go of the keys, the hash table and the keys-only facts (most of the index) once pass 1
   * is over and the order is known: a read that fetches values takes each entry's key from its
   * stored value. Only revisions, sizes and locations are left; nothing can be recorded afterwards.
   */
  keepOnlyLocations(): void {
    this.chunks.length = 0;
    this.table = new Int32Array(0);
    this.hashes = new Uint32Array(0);
    this.keyPositions = new Uint32Array(0);
    this.keyLengths = new Uint32Array(0);
    this.facts = undefined;
  }

  storedSize(slot: number): number {
    return this.storedSizes[slot] as number;
  }

  revisionOf(slot: number): RevisionKey {
    return { main: this.mainRevisions[slot] as number, sub: this.subRevisions[slot] as number, tombstone: this.states[slot] !== 0 };
  }

  locationOf(slot: number): StoredLocation {
    return { page: this.leafPages[slot] as number, element: this.elements[slot] as number, overflow: this.overflows[slot] as number };
  }

  private chunkOf(slot: number): Buffer {
    return this.chunks[(this.keyPositions[slot] as number) >>> CHUNK_BITS] as Buffer;
  }

  private offsetOf(slot: number): number {
    return (this.keyPositions[slot] as number) & (CHUNK_BYTES - 1);
  }

  private keyEquals(slot: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = this.keyLengths[slot] as number;
    if (length !== end - start) return false;
    const chunk = this.chunkOf(slot);
    const offset = this.offsetOf(slot);
    for (let i = 0; i < length; i++) if (chunk[offset + i] !== bytes[start + i]) return false;
    return true;
  }

  /** A new slot for the key bytes[start, end), placed in the empty `cell` of the table (lookup() just looked it up). */
  private add(bytes: Uint8Array, start: number, end: number, cell: number): number {
    const length = end - start;
    const slot = this.count++;
    if (slot === this.keyLengths.length) this.grow();
    if (this.chunks.length === 0 || this.chunkUsed + length > (this.chunks[this.chunks.length - 1] as Buffer).length) {
      // etcd refuses requests over --max-request-bytes (1.5 MiB by default); 32 MiB is far past any key.
      if (length > CHUNK_BYTES || this.chunks.length === MAX_CHUNKS) {
        throw new KregError('too-large', `the key index holds at most ${(MAX_CHUNKS * CHUNK_BYTES) / 2 ** 30} GiB of keys, each at most ${CHUNK_BYTES / 2 ** 20} MiB (a key of ${length} bytes)`);
      }
      this.chunks.push(Buffer.allocUnsafe(this.chunks.length === 0 && length <= FIRST_CHUNK_BYTES ? FIRST_CHUNK_BYTES : CHUNK_BYTES));
      this.chunkUsed = 0;
    }
    const chunk = this.chunks.length - 1;
    const into = this.chunks[chunk] as Buffer;
    // A registry key is copied byte by byte: a view to set() from would cost more than the copy.
    if (length < COPY_BY_BYTE_BELOW) for (let i = 0; i < length; i++) into[this.chunkUsed + i] = bytes[start + i] as number;
    else into.set(bytes.subarray(start, end), this.chunkUsed);
    this.keyPositions[slot] = ((chunk << CHUNK_BITS) | this.chunkUsed) >>> 0;
    this.keyLengths[slot] = length;
    this.hashes[slot] = this.lookedUpHash;
    this.chunkUsed += length;
    if (this.count * 2 > this.table.length) this.rehash();
    else this.table[cell] = slot + 1;
    return slot;
  }

  /** A table twice the size, every slot placed again (the new one included). */
  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let slot = 0; slot < this.count; slot++) {
      let cell = (this.hashes[slot] as number) & mask;
      while (table[cell] !== 0) cell = (cell + 1) & mask;
      table[cell] = slot + 1;
    }
    this.table = table;
  }

  private grow(): void {
    const capacity = this.keyLengths.length * 2;
    const grown = <A extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: A, fresh: A): A => {
      fresh.set(old);
      return fresh;
    };
    this.keyPositions = grown(this.keyPositions, new Uint32Array(capacity));
    this.keyLengths = grown(this.keyLengths, new Uint32Array(capacity));
    this.hashes = grown(this.hashes, new Uint32Array(capacity));
    this.states = grown(this.states, new Uint8Array(capacity));
    if (this.keepsRevisions) {
      this.mainRevisions = grown(this.mainRevisions, new Float64Array(capacity));
      this.subRevisions = grown(this.subRevisions, new Uint32Array(capacity));
      this.leafPages = grown(this.leafPages, new Uint32Array(capacity));
      this.elements = grown(this.elements, new Uint16Array(capacity));
      this.overflows = grown(this.overflows, new Uint16Array(capacity));
      this.storedSizes = grown(this.storedSizes, new Uint32Array(capacity));
    }
    if (this.facts !== undefined) {
      this.facts.known = grown(this.facts.known, new Uint8Array(capacity));
      this.facts.createRevisions = grown(this.facts.createRevisions, new Float64Array(capacity));
      this.facts.leaseOf = grown(this.facts.leaseOf, new Uint32Array(capacity));
      this.facts.versions = grown(this.facts.versions, new Uint32Array(capacity));
      this.facts.valueSizes = grown(this.facts.valueSizes, new Uint32Array(capacity));
    }
  }

  /** The byte of the slot's key at `depth`, or -1 past its end (a shorter key sorts first). */
  private byteAt(slot: number, depth: number): number {
    if (depth >= (this.keyLengths[slot] as number)) return -1;
    return this.chunkOf(slot)[this.offsetOf(slot) + depth] as number;
  }

  /** Byte order of two slots' keys, both known to be equal before `depth`. */
  private compareFrom(a: number, b: number, depth: number): number {
    const lengthA = this.keyLengths[a] as number;
    const lengthB = this.keyLengths[b] as number;
    const chunkA = this.chunkOf(a);
    const chunkB = this.chunkOf(b);
    const offsetA = this.offsetOf(a);
    const offsetB = this.offsetOf(b);
    const shorter = Math.min(lengthA, lengthB);
    for (let i = depth; i < shorter; i++) {
      const difference = (chunkA[offsetA + i] as number) - (chunkB[offsetB + i] as number);
      if (difference !== 0) return difference;
    }
    return lengthA - lengthB;
  }

  /** How many bytes from `depth` on every key of slots[start, end) has in common with the first (at most to its end). */
  private sharedPrefixLength(slots: Uint32Array, start: number, end: number, depth: number): number {
    const first = slots[start] as number;
    const firstChunk = this.chunkOf(first);
    const firstAt = this.offsetOf(first) + depth;
    let shared = Math.max(0, (this.keyLengths[first] as number) - depth);
    for (let i = start + 1; i < end && shared > 0; i++) {
      const slot = slots[i] as number;
      const chunk = this.chunkOf(slot);
      const at = this.offsetOf(slot) + depth;
      const limit = Math.min(shared, (this.keyLengths[slot] as number) - depth);
      let same = 0;
      while (same < limit && chunk[at + same] === firstChunk[firstAt + same]) same++;
      shared = Math.max(0, same);
    }
    return shared;
  }

  /**
   * Most-significant-byte radix sort: one counting pass per byte position a range still shares,
   * then each bucket on its own, a stack of ranges instead of recursion. Small ranges, and ranges
   * still together past RADIX_MAX_DEPTH bytes, are sorted by comparing from where they differ.
   */
  private sortByKey(slots: Uint32Array): void {
    const scratch = new Uint32Array(slots.length);
    // The byte at the current depth of slots[i] (-1 past the key's end), read once by the counting pass.
    const bytesAt = new Int16Array(slots.length);
    // Per bucket (byte + 1; 0: the key ended here): keys counted, then where the next one goes.
    const counts = new Int32Array(257);
    const next = new Int32Array(257);
    const pending: number[] = [0, slots.length, 0];
    while (pending.length > 0) {
      let depth = pending.pop() as number;
      const end = pending.pop() as number;
      const start = pending.pop() as number;
      if (end - start < 2) continue;
      // Registry keys share long prefixes (/registry/pods/NAMESPACE/): skip what the whole range
      // shares in one comparing pass instead of one counting pass per shared byte.
      if (depth <= RADIX_MAX_DEPTH) depth += this.sharedPrefixLength(slots, start, end, depth);
      if (depth > RADIX_MAX_DEPTH) {
        const part = Array.from(slots.subarray(start, end)).sort((a, b) => this.compareFrom(a, b, depth));
        slots.set(part, start);
        continue;
      }
      if (end - start < COMPARE_SORT_BELOW) {
        this.insertionSort(slots, start, end, depth);
        continue;
      }
      // Only the buckets between the smallest and largest byte seen are visited (digits: 10 of 257).
      let low = 256;
      let high = 0;
      for (let i = start; i < end; i++) {
        const bucket = this.byteAt(slots[i] as number, depth) + 1;
        bytesAt[i] = bucket;
        counts[bucket] = (counts[bucket] as number) + 1;
        if (bucket < low) low = bucket;
        if (bucket > high) high = bucket;
      }
      for (let bucket = low, at = start; bucket <= high; bucket++) {
        next[bucket] = at;
        at += counts[bucket] as number;
      }
      for (let i = start; i < end; i++) {
        const bucket = bytesAt[i] as number;
        const to = next[bucket] as number;
        scratch[to] = slots[i] as number;
        next[bucket] = to + 1;
      }
      slots.set(scratch.subarray(start, end), start);
      // Keys that ended here are unique (one at most); every other bucket is sorted from the next byte.
      for (let bucket = low; bucket <= high; bucket++) {
        const count = counts[bucket] as number;
        if (count > 1 && bucket > 0) pending.push((next[bucket] as number) - count, next[bucket] as number, depth + 1);
        counts[bucket] = 0;
      }
    }
  }

  /** Sorts a few slots that share their keys' first `depth` bytes, in place. */
  private insertionSort(slots: Uint32Array, start: number, end: number, depth: number): void {
    for (let i = start + 1; i < end; i++) {
      const slot = slots[i] as number;
      let j = i - 1;
      while (j >= start && this.compareFrom(slots[j] as number, slot, depth) > 0) {
        slots[j + 1] = slots[j] as number;
        j--;
      }
      slots[j + 1] = slot;
    }
  }
}

/** FNV-1a, 32 bits, of bytes[start, end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}
