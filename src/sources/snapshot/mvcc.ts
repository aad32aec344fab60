/**
 * etcd's MVCC storage layout inside its bbolt file, decoded without I/O.
 *
 * - bucket `key`: bolt key = revision (8-byte big-endian main, '_', 8-byte big-endian sub, plus a
 *   trailing 't' when the write was a delete), bolt value = mvccpb.KeyValue protobuf.
 * - bucket `meta`: `scheduledCompactRev` / `finishedCompactRev` (revision keys as above),
 *   `consistent_index` and (3.5+) `term` as 8-byte big-endian integers.
 * - bucket `lease`: bolt key = 8-byte big-endian lease ID, value = leasepb.Lease protobuf.
 *
 * The messages are read with the codec's WireReader: revisions must come out as plain numbers
 * while lease IDs (full int64) must never be rounded, which its int64() guarantees.
 */
import { WIRE_BYTES, WIRE_VARINT, WireReader } from '../../codec/wire.js';
import { DecodeError } from '../../errors.js';

export const KEY_BUCKET = 'key';
export const META_BUCKET = 'meta';
export const LEASE_BUCKET = 'lease';

/** Length of a revision key; a tombstone carries one more byte, the 't' mark. */
export const REVISION_KEY_LENGTH = 17;
const TOMBSTONE_MARK = 0x74; // 't'
const REVISION_SEPARATOR = 0x5f; // '_'
/** mvccpb.KeyValue's field 1 (key), length-delimited. */
const KEY_FIELD_TAG = (1 << 3) | WIRE_BYTES;

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

/**
 * Reads an unsigned 64-bit big-endian integer as a number; revisions never reach 2^53. Byte by
 * byte: a DataView per call cost more than the rest of a revision key's decoding (callers check
 * the length).
 */
function readUint64BE(bytes: Uint8Array, at: number): number {
  const high = (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0;
  const low = (((bytes[at + 4] as number) << 24) | ((bytes[at + 5] as number) << 16) | ((bytes[at + 6] as number) << 8) | (bytes[at + 7] as number)) >>> 0;
  if (high > 0x1fffff) throw new DecodeError('bad-revision', 'integer above 2^53', { offset: at });
  return high * 0x1_0000_0000 + low;
}

/**
 * Byte by byte, as readUint64BE reads: a DataView needs the array's buffer, and asking a small
 * array for it moves the array off V8's heap (at 1M keys, 1.1 s of a snapshot listing).
 */
function writeUint64BE(bytes: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value >>> 0;
  bytes[at] = high >>> 24;
  bytes[at + 1] = high >>> 16;
  bytes[at + 2] = high >>> 8;
  bytes[at + 3] = high;
  bytes[at + 4] = low >>> 24;
  bytes[at + 5] = low >>> 16;
  bytes[at + 6] = low >>> 8;
  bytes[at + 7] = low;
}

/** Decodes a `key` bucket key (17 bytes, or 18 with the tombstone mark). */
export function decodeRevisionKey(bytes: Uint8Array): RevisionKey {
  return decodeRevisionKeyAt(bytes, 0, bytes.length);
}

/** The same, of the `length` bytes at `start` (a key read where it lies in its page). */
export function decodeRevisionKeyAt(bytes: Uint8Array, start: number, length: number, into?: RevisionKey): RevisionKey {
  const tombstone = length === REVISION_KEY_LENGTH + 1 && bytes[start + REVISION_KEY_LENGTH] === TOMBSTONE_MARK;
  if ((length !== REVISION_KEY_LENGTH && !tombstone) || bytes[start + 8] !== REVISION_SEPARATOR) {
    throw new DecodeError('bad-revision', `not a revision key (${length} bytes: ${hex(bytes.subarray(start, start + Math.min(length, 20)))})`);
  }
  if (into === undefined) return { main: readUint64BE(bytes, start), sub: readUint64BE(bytes, start + 9), tombstone };
  // Filled in place for a walk that reads one at a time (an object per revision was a ninth of a status walk's garbage).
  into.main = readUint64BE(bytes, start);
  into.sub = readUint64BE(bytes, start + 9);
  into.tombstone = tombstone;
  return into;
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
/** One lease as the `lease` bucket keeps it. */
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

/**
 * The next field's number and wire type; field 0 is invalid protobuf. Read as a full varint, not
 * uint32(): a corrupt over-long tag must not wrap around to a field number that means something.
 */
function readTag(reader: WireReader): { field: number; wireType: number } {
  const at = reader.pos;
  const tag = readCount(reader);
  const field = Math.floor(tag / 8);
  if (field === 0) reader.fail('field number 0', at);
  return { field, wireType: tag % 8 };
}

function expectWireType(reader: WireReader, expected: number, actual: number, field: number): void {
  if (expected !== actual) reader.fail(`field ${field} has wire type ${actual}, expected ${expected}`);
}

/** A varint that must be a non-negative safe integer (revisions, versions). */
function readCount(reader: WireReader): number {
  const at = reader.pos;
  const value = reader.int64();
  // int64() drops bits past 64 as protobuf does; a count with such bits is corrupt, not small.
  const overflow = reader.pos - at === 10 && ((reader.buf[reader.pos - 1] as number) & 0x7e) !== 0;
  if (typeof value !== 'number' || value < 0 || overflow) reader.fail('integer field above 2^53 (negative int64?)', at);
  return value;
}

/** A length-delimited field's payload, as a view into the input. */
function readBytes(reader: WireReader): Uint8Array {
  const [start, end] = reader.lengthDelimited();
  return reader.buf.subarray(start, end);
}

/** An int64 as its exact decimal text (lease IDs use all 64 bits). */
function readInt64Text(reader: WireReader): string {
  return String(reader.int64());
}

const EMPTY = new Uint8Array(0);

/** Decodes mvccpb.KeyValue (key=1, create_revision=2, mod_revision=3, version=4, value=5, lease=6). */
export function decodeKeyValue(bytes: Uint8Array): KeyValueRecord {
  const reader = new WireReader(bytes);
  const record: KeyValueRecord = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: '0' };
  while (!reader.done) {
    const { field, wireType } = readTag(reader);
    switch (field) {
      case 1:
        expectWireType(reader, WIRE_BYTES, wireType, field);
        record.key = readBytes(reader);
        break;
      case 2:
        expectWireType(reader, WIRE_VARINT, wireType, field);
        record.createRevision = readCount(reader);
        break;
      case 3:
        expectWireType(reader, WIRE_VARINT, wireType, field);
        record.modRevision = readCount(reader);
        break;
      case 4:
        expectWireType(reader, WIRE_VARINT, wireType, field);
        record.version = readCount(reader);
        break;
      case 5:
        expectWireType(reader, WIRE_BYTES, wireType, field);
        record.value = readBytes(reader);
        break;
      case 6:
        expectWireType(reader, WIRE_VARINT, wireType, field);
        record.lease = readInt64Text(reader);
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
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const { field, wireType } = readTag(reader);
    if (field === 1) {
      expectWireType(reader, WIRE_BYTES, wireType, field);
      return readBytes(reader);
    }
    reader.skip(wireType);
  }
  return EMPTY;
}

/** Where a field lies in a buffer: bytes [start, end), written by a reader that makes no view. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the key of the KeyValue in bytes [start, end) lies, written into `into`: a walk over
 * every revision then hashes and compares it in place instead of making a view of each. etcd's
 * layout (field 1 first, its length in one or two bytes) is read in place; anything else goes
 * through the reader. No key field: an empty range.
 */
export function locateKeyValueKey(bytes: Uint8Array, start: number, end: number, into: ByteRange): void {
  if (end - start >= 3 && bytes[start] === KEY_FIELD_TAG) {
    const first = bytes[start + 1] as number;
    if (first < 0x80) {
      if (start + 2 + first <= end) {
        into.start = start + 2;
        into.end = start + 2 + first;
        return;
      }
    } else {
      const second = bytes[start + 2] as number;
      const length = (first & 0x7f) | (second << 7);
      if (second < 0x80 && start + 3 + length <= end) {
        into.start = start + 3;
        into.end = start + 3 + length;
        return;
      }
    }
  }
  const key = decodeKeyValueKey(bytes.subarray(start, end));
  // The reader's key is a view of `bytes` (EMPTY, of no buffer, when there is no key field).
  into.start = key.length === 0 ? start : key.byteOffset - bytes.byteOffset;
  into.end = into.start + key.length;
}

/** The reused range decodeKeyValueKeyAt() locates into (its caller gets a view, not the range). */
const locatedKey: ByteRange = { start: 0, end: 0 };

/** The key of the KeyValue in bytes [start, end), a view of `bytes`. */
export function decodeKeyValueKeyAt(bytes: Uint8Array, start: number, end: number): Uint8Array {
  locateKeyValueKey(bytes, start, end, locatedKey);
  return bytes.subarray(locatedKey.start, locatedKey.end);
}

/** Decodes leasepb.Lease (ID=1, TTL=2, RemainingTTL=3). */
export function decodeLease(bytes: Uint8Array): LeaseRecord {
  const reader = new WireReader(bytes);
  const lease: LeaseRecord = { id: '0', ttl: 0, remainingTtl: 0 };
  while (!reader.done) {
    const { field, wireType } = readTag(reader);
    if (field >= 1 && field <= 3) {
      expectWireType(reader, WIRE_VARINT, wireType, field);
      const value = reader.int64();
      if (field === 1) lease.id = String(value);
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
