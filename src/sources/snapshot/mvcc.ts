/**
 * etcd's MVCC storage layout inside its bbolt file, decoded without I/O.
 *
 * - bucket `key`: bolt key = revision (8-byte big-endian main, '_', 8-byte big-endian sub, plus a
 *   trailing 't' when the write was a delete), bolt value = mvccpb.KeyValue protobuf.
 * - bucket `meta`: `scheduledCompactRev` / `finishedCompactRev` (revision keys as above),
 *   `consistent_index` and (3.5+) `term` as 8-byte big-endian integers.
 * - bucket `lease`: bolt key = 8-byte big-endian lease ID, value = leasepb.Lease protobuf.
 *
 * The protobuf reader here is a few lines on purpose: three tiny messages, and revisions must come
 * out as plain numbers while lease IDs (full int64) must never be rounded.
 */
import { DecodeError } from '../../errors.js';

export const KEY_BUCKET = 'key';
export const META_BUCKET = 'meta';
export const LEASE_BUCKET = 'lease';

/** Length of a revision key; a tombstone carries one more byte, the 't' mark. */
export const REVISION_KEY_LENGTH = 17;
const TOMBSTONE_MARK = 0x74; // 't'
const REVISION_SEPARATOR = 0x5f; // '_'

export interface Revision {
  /** The store revision of the transaction. */
  main: number;
  /** Position of the write within its transaction. */
  sub: number;
}

export interface RevisionKey extends Revision {
  /** The write deleted the key. */
  tombstone: boolean;
}

/** Orders revisions the way the `key` bucket does. */
export function compareRevisions(a: Revision, b: Revision): number {
  return a.main !== b.main ? a.main - b.main : a.sub - b.sub;
}

/** Reads an unsigned 64-bit big-endian integer as a number; revisions never reach 2^53. */
function readUint64BE(bytes: Uint8Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  if (high > 0x1fffff) throw new DecodeError('bad-revision', 'integer above 2^53', { offset: at });
  return high * 0x1_0000_0000 + low;
}

function writeUint64BE(bytes: Uint8Array, at: number, value: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  view.setUint32(0, Math.floor(value / 0x1_0000_0000));
  view.setUint32(4, value >>> 0);
}

/** Decodes a `key` bucket key (17 bytes, or 18 with the tombstone mark). */
export function decodeRevisionKey(bytes: Uint8Array): RevisionKey {
  const tombstone = bytes.length === REVISION_KEY_LENGTH + 1 && bytes[REVISION_KEY_LENGTH] === TOMBSTONE_MARK;
  if ((bytes.length !== REVISION_KEY_LENGTH && !tombstone) || bytes[8] !== REVISION_SEPARATOR) {
    throw new DecodeError('bad-revision', `not a revision key (${bytes.length} bytes: ${hex(bytes.subarray(0, 20))})`);
  }
  return { main: readUint64BE(bytes, 0), sub: readUint64BE(bytes, 9), tombstone };
}

/** The `key` bucket key for a revision, e.g. to look one up. */
export function encodeRevisionKey(revision: Revision, tombstone = false): Uint8Array {
  const bytes = new Uint8Array(REVISION_KEY_LENGTH + (tombstone ? 1 : 0));
  writeUint64BE(bytes, 0, revision.main);
  bytes[8] = REVISION_SEPARATOR;
  writeUint64BE(bytes, 9, revision.sub);
  if (tombstone) bytes[REVISION_KEY_LENGTH] = TOMBSTONE_MARK;
  return bytes;
}

/** mvccpb.KeyValue as stored. For a tombstone only `key` is set and the rest is zero. */
export interface KeyValueRecord {
  key: Uint8Array;
  createRevision: number;
  modRevision: number;
  version: number;
  /** A view into the input bytes: copy it to keep it beyond the input's life. */
  value: Uint8Array;
  /** Lease ID as a decimal string, "0" when none (int64: may exceed 2^53). */
  lease: string;
}

/** leasepb.Lease as stored in the `lease` bucket. */
export interface LeaseRecord {
  /** Lease ID as a decimal string (int64). */
  id: string;
  /** Granted TTL in seconds. */
  ttl: number;
  /** Remaining TTL saved at checkpoint time (0 unless lease checkpointing is on). */
  remainingTtl: number;
}

/** Facts the `meta` bucket holds about the store. */
export interface MetaFacts {
  /** Revision a compaction was started for (absent when never compacted). */
  scheduledCompactRevision?: number;
  /** Revision the last completed compaction reached; reads below it are impossible. */
  finishedCompactRevision?: number;
  /** Raft index of the last applied entry. */
  consistentIndex?: number;
  /** Raft term (etcd 3.5 and later). */
  term?: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Just enough protobuf: varints, length-delimited fields and skipping the rest. */
class ProtoReader {
  position = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  private fail(message: string): never {
    throw new DecodeError('bad-protobuf', message, { offset: this.position });
  }

  /** A varint as a 64-bit two's complement bigint (int64 semantics). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.bytes.length) this.fail('truncated varint');
      const byte = this.bytes[this.position++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A varint that must be a non-negative safe integer (revisions, versions, lengths). */
  varintNumber(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.bytes.length) this.fail('truncated varint');
      const byte = this.bytes[this.position++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) this.fail('integer field above 2^53 (negative int64?)');
        return result;
      }
      scale *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  lengthDelimited(): Uint8Array {
    const length = this.varintNumber();
    const start = this.position;
    if (start + length > this.bytes.length) this.fail(`length ${length} runs past the end (${this.bytes.length} bytes)`);
    this.position = start + length;
    return this.bytes.subarray(start, start + length);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varintBig();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_BYTES:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.position + count > this.bytes.length) this.fail('truncated fixed-width field');
    this.position += count;
  }

  tag(): { field: number; wireType: number } {
    const tag = this.varintNumber();
    const field = Math.floor(tag / 8);
    if (field === 0) this.fail('field number 0');
    return { field, wireType: tag % 8 };
  }

  expect(wireType: number, actual: number, field: number): void {
    if (wireType !== actual) this.fail(`field ${field} has wire type ${actual}, expected ${wireType}`);
  }
}

const EMPTY = new Uint8Array(0);

/** Decodes mvccpb.KeyValue (key=1, create_revision=2, mod_revision=3, version=4, value=5, lease=6). */
export function decodeKeyValue(bytes: Uint8Array): KeyValueRecord {
  const reader = new ProtoReader(bytes);
  const record: KeyValueRecord = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: '0' };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case 1:
        reader.expect(WIRE_BYTES, wireType, field);
        record.key = reader.lengthDelimited();
        break;
      case 2:
        reader.expect(WIRE_VARINT, wireType, field);
        record.createRevision = reader.varintNumber();
        break;
      case 3:
        reader.expect(WIRE_VARINT, wireType, field);
        record.modRevision = reader.varintNumber();
        break;
      case 4:
        reader.expect(WIRE_VARINT, wireType, field);
        record.version = reader.varintNumber();
        break;
      case 5:
        reader.expect(WIRE_BYTES, wireType, field);
        record.value = reader.lengthDelimited();
        break;
      case 6:
        reader.expect(WIRE_VARINT, wireType, field);
        record.lease = reader.varintBig().toString();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return record;
}

/**
 * Only the key of an mvccpb.KeyValue, for index passes that look at every revision. etcd writes
 * field 1 first, so this usually reads a handful of bytes; it still copes with any field order.
 */
export function decodeKeyValueKey(bytes: Uint8Array): Uint8Array {
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(WIRE_BYTES, wireType, field);
      return reader.lengthDelimited();
    }
    reader.skip(wireType);
  }
  return EMPTY;
}

/** Decodes leasepb.Lease (ID=1, TTL=2, RemainingTTL=3). */
export function decodeLease(bytes: Uint8Array): LeaseRecord {
  const reader = new ProtoReader(bytes);
  const lease: LeaseRecord = { id: '0', ttl: 0, remainingTtl: 0 };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field >= 1 && field <= 3) {
      reader.expect(WIRE_VARINT, wireType, field);
      const value = reader.varintBig();
      if (field === 1) lease.id = value.toString();
      else if (field === 2) lease.ttl = Number(value);
      else lease.remainingTtl = Number(value);
    } else {
      reader.skip(wireType);
    }
  }
  return lease;
}

const SCHEDULED_COMPACT_KEY = 'scheduledCompactRev';
const FINISHED_COMPACT_KEY = 'finishedCompactRev';
const CONSISTENT_INDEX_KEY = 'consistent_index';
const TERM_KEY = 'term';

/** Reads the facts kreg needs out of the `meta` bucket's entries; unknown keys are ignored. */
export function decodeMetaBucket(entries: Iterable<{ key: Uint8Array; value: Uint8Array }>): MetaFacts {
  const facts: MetaFacts = {};
  for (const { key, value } of entries) {
    const name = ascii(key);
    try {
      switch (name) {
        case SCHEDULED_COMPACT_KEY:
          facts.scheduledCompactRevision = decodeRevisionKey(value).main;
          break;
        case FINISHED_COMPACT_KEY:
          facts.finishedCompactRevision = decodeRevisionKey(value).main;
          break;
        case CONSISTENT_INDEX_KEY:
          facts.consistentIndex = decodeUint64Value(value);
          break;
        case TERM_KEY:
          facts.term = decodeUint64Value(value);
          break;
        default:
          break;
      }
    } catch (error) {
      if (error instanceof DecodeError) throw error.withSubject({ path: `meta.${name}` });
      throw error;
    }
  }
  return facts;
}

function decodeUint64Value(value: Uint8Array): number {
  if (value.length !== 8) throw new DecodeError('bad-meta', `expected 8 bytes, found ${value.length}`);
  return readUint64BE(value, 0);
}

/** Lease bucket key: the lease ID as 8 big-endian bytes, returned as a decimal string. */
export function decodeLeaseKey(bytes: Uint8Array): string {
  if (bytes.length !== 8) throw new DecodeError('bad-lease', `lease key of ${bytes.length} bytes, expected 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return view.getBigInt64(0).toString();
}

function ascii(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}
