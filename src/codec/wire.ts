/**
 * Protobuf wire primitives. Hand-written rather than protobufjs's Reader/Writer because kreg must
 * copy unknown fields through byte for byte (the Writer has no raw append) and wants 64-bit values
 * as plain numbers or bigints rather than Long objects.
 */
import { DecodeError } from '../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

export class WireReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    /** Where reading stops; a caller reading nested messages with one reader narrows and restores it. */
    public end = buf.length,
    /** Offset of buf[0] within the whole value, so errors point into the bytes the user gave. */
    readonly baseOffset = 0,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at = this.pos): never {
    throw new DecodeError('bad-protobuf', message, { offset: this.baseOffset + at });
  }

  /** A varint up to 32 significant bits as an unsigned number (tags, lengths, int32 of small values). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) this.fail('truncated varint', this.pos);
      const b = buf[pos++] as number;
      if (shift < 28) {
        result |= (b & 0x7f) << shift;
      } else if (shift < 70) {
        // Bits past 32 are dropped, as protobuf does for int32/uint32 fields.
        if (shift === 28) result |= (b & 0x0f) << 28;
      } else {
        this.fail('varint longer than 10 bytes', this.pos);
      }
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    return result >>> 0;
  }

  /** int32 field: a varint sign-extended from 64 bits and truncated to 32. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** int64 field as a number when it is a safe integer, else a bigint (never silently rounded). */
  int64(): number | bigint {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      if (pos >= this.end) this.fail('truncated varint', this.pos);
      if (i === 10) this.fail('varint longer than 10 bytes', this.pos);
      const b = buf[pos++] as number;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    lo >>>= 0;
    hi >>>= 0;
    if (hi & 0x80000000) {
      // negative: two's complement of 64 bits
      const value = -(BigInt(~hi >>> 0) * 4294967296n + BigInt(~lo >>> 0) + 1n);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
    }
    if (hi < 0x200000) return hi * TWO_32 + lo;
    return BigInt(hi) * 4294967296n + BigInt(lo);
  }

  bool(): boolean {
    const start = this.pos;
    const v = this.int64();
    if (start === this.pos) this.fail('empty bool');
    return v !== 0 && v !== 0n;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('truncated 64-bit value');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  /**
   * Reads a length prefix and returns where the payload ends; the payload starts at pos, and the
   * caller sets pos to the end once it has read it. Allocation-free, for the hot paths.
   */
  delimitedEnd(): number {
    const at = this.pos;
    const len = this.uint32();
    if (len > this.end - this.pos) this.fail(`truncated: field needs ${len} bytes, ${this.end - this.pos} left`, at);
    return this.pos + len;
  }

  /** Length-delimited payload as [start, end) within buf. */
  lengthDelimited(): [number, number] {
    const at = this.pos;
    const len = this.uint32();
    const start = this.pos;
    if (len > this.end - start) this.fail(`truncated: field needs ${len} bytes, ${this.end - start} left`, at);
    this.pos = start + len;
    return [start, start + len];
  }

  /** Skip one value of the given wire type (after its tag). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail('truncated 64-bit value');
        this.pos += 8;
        return;
      case WIRE_BYTES:
        // delimitedEnd, not lengthDelimited: the same checks without an array per skipped field.
        this.pos = this.delimitedEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail('truncated 32-bit value');
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are proto1-era and never written by Kubernetes.
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}

/** A growable byte buffer with protobuf writers. Nested messages reserve their length in place. */
export class WireWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  tag(fieldNumber: number, wireType: number): void {
    this.uint32(((fieldNumber << 3) | wireType) >>> 0);
  }

  uint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** int32 and int64 share the varint encoding; negative values take 10 bytes. */
  int64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff) {
      this.uint32(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  double(value: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, value, true);
    this.pos += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /** Start a length-delimited value; returns a mark for finishDelimited. One byte is reserved for the length. */
  beginDelimited(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Write the length at the mark, moving the payload if the length needs more than one byte. */
  finishDelimited(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    let size = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let at = mark;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  /** The bytes written since a position, without copying; valid until the next write. */
  writtenSince(start: number): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
