/** Output text as UTF-8 bytes, gathered in a growing buffer: what the JSON text writers write into, and which bytes they copy as they are. Pure. */
import { utf8EncodeInto } from './text.js';

/** A byte (or UTF-16 unit) that is its own JSON string text: ASCII, not a control character, quote or backslash (as JSON.stringify writes it). */
export function isPlainAsciiByte(c: number): boolean {
  return c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c;
}

/** Per byte value, 1 when isPlainAsciiByte: one load per byte where strings are copied byte by byte. */
export const PLAIN_ASCII = Uint8Array.from({ length: 256 }, (_, c) => (isPlainAsciiByte(c) ? 1 : 0));

/** A growing byte buffer of output text; `take()` hands over what is written and starts afresh. */
export class JsonTextBuffer {
  bytes: Uint8Array;
  length = 0;

  /** `memory`: where to write first (e.g. shared with another thread); past it, memory of the buffer's own. */
  constructor(
    private readonly initialCapacity = 1 << 20,
    memory?: ArrayBuffer | SharedArrayBuffer,
  ) {
    this.bytes = memory === undefined ? new Uint8Array(initialCapacity) : new Uint8Array(memory);
  }

  reserve(count: number): void {
    if (this.length + count > this.bytes.length) this.grow(count);
  }

  private grow(count: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + count) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
  }

  byte(code: number): void {
    if (this.length >= this.bytes.length) this.grow(1);
    this.bytes[this.length++] = code;
  }

  /** Bytes as they are (text already UTF-8). */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Text of one-byte characters only (digits, base64, keys). */
  ascii(text: string): void {
    this.reserve(text.length);
    const bytes = this.bytes;
    let o = this.length;
    for (let i = 0; i < text.length; i++) bytes[o++] = text.charCodeAt(i);
    this.length = o;
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    this.reserve(text.length * 3);
    this.length += utf8EncodeInto(text, this.bytes.subarray(this.length));
  }

  /**
   * The bytes written so far; the buffer starts again empty, in `next` when it is given (memory the
   * caller has done with; past it, memory of the buffer's own), else in new memory: the bytes
   * handed over are not written again.
   */
  take(next?: Uint8Array): Uint8Array {
    const written = this.bytes.subarray(0, this.length);
    this.bytes = next ?? new Uint8Array(this.initialCapacity);
    this.length = 0;
    return written;
  }
}
