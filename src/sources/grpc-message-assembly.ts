/**
 * How received gRPC messages are put together. grpc-js's StreamDecoder keeps every HTTP/2 chunk of
 * a message until its last one arrives and then Buffer.concat's them, so a range page (about 20 MB
 * at 5000 keys of 4 KB) is held twice, and the chunks, alive for the whole transfer, are promoted
 * out of V8's young generation and wait for a full collection. At 1,000,000 keys `kreg ls` peaked
 * with up to 124 MB of such chunks not yet collected (process.memoryUsage: external minus
 * arrayBuffers). Copying each chunk into one buffer allocated from the message's length prefix
 * frees every chunk as soon as it is copied, while it is still young. And a reader that is done
 * with a large message hands its buffer back for the next one (recycleMessageBuffer), so a
 * listing reuses one page buffer instead of leaving each page to the GC.
 *
 * This replaces StreamDecoder.prototype.write, an internal of grpc-js (build/src/stream-decoder, as
 * in 1.14): the replacement is installed only after the original has been seen to frame a probe
 * message as assumed, so a grpc-js that changed shape keeps its own decoder.
 */
import { Buffer } from 'node:buffer';

/** gRPC's length prefix: one compression-flag byte, then the message length as a big-endian uint32. */
const PREFIX_BYTES = 5;

/**
 * Splits a stream of gRPC length-prefixed messages into whole messages, each returned with its
 * 5-byte prefix (as grpc-js's decoder returns them) in a buffer of its own: no returned message
 * shares memory with the chunks it came from.
 */
export class MessageAssembler {
  private readonly prefix = Buffer.alloc(PREFIX_BYTES);
  private prefixFilled = 0;
  private message: Buffer | undefined;
  private messageFilled = 0;

  /** @param maxMessageBytes largest message accepted (without its prefix); -1 for no bound. */
  constructor(private readonly maxMessageBytes: number) {}

  /**
   * The messages completed by this chunk (often none, for a large one).
   *
   * @throws Error 'Received message larger than max (N vs M)', grpc-js's own words, which its
   *   call turns into RESOURCE_EXHAUSTED.
   */
  write(chunk: Buffer): Buffer[] {
    const completed: Buffer[] = [];
    let read = 0;
    while (read < chunk.length) {
      if (this.message === undefined) {
        const take = Math.min(PREFIX_BYTES - this.prefixFilled, chunk.length - read);
        chunk.copy(this.prefix, this.prefixFilled, read, read + take);
        this.prefixFilled += take;
        read += take;
        if (this.prefixFilled < PREFIX_BYTES) break;
        this.prefixFilled = 0;
        const size = this.prefix.readUInt32BE(1);
        if (this.maxMessageBytes !== -1 && size > this.maxMessageBytes) throw new Error(`Received message larger than max (${size} vs ${this.maxMessageBytes})`);
        this.message = allocateMessage(PREFIX_BYTES + size);
        this.prefix.copy(this.message, 0);
        this.messageFilled = PREFIX_BYTES;
      }
      const take = Math.min(this.message.length - this.messageFilled, chunk.length - read);
      chunk.copy(this.message, this.messageFilled, read, read + take);
      this.messageFilled += take;
      read += take;
      if (this.messageFilled === this.message.length) {
        completed.push(this.message);
        this.message = undefined;
      }
    }
    return completed;
  }
}

/**
 * Messages this large get a buffer of their own that the reader may hand back with
 * recycleMessageBuffer once nothing refers to it. Smaller ones come from Node's shared pool.
 */
export const RECYCLABLE_MESSAGE_BYTES = 1024 * 1024;
/** Buffers allocated for large messages: only these are taken back. */
const recyclable = new WeakSet<ArrayBufferLike>();
/**
 * Buffers handed back, kept for the next large messages: two, since a listing reads one page
 * while the next is on its way (and the next directory's first pages while the last of one).
 */
const spares: ArrayBufferLike[] = [];
const SPARES = 2;

/**
 * Takes back the buffer a large received message was assembled in (found as the `buffer` of any
 * view of it, such as a decoded key), for a later large message to reuse. A listing reads page
 * after page of about the same size, and without this every page is a fresh 20 MB allocation
 * that is freed only by the next full GC and then often kept by malloc: at 1M keys `kreg get -A`
 * held 3-5 dead pages at a time (more once decoding allocated little, so that full GCs came
 * seldom). The caller promises that nothing will read the message or any view of it again
 * (EtcdSource gives its callers copies of the values, or lends them until the next). Anything
 * that is not such a buffer is ignored.
 */
export function recycleMessageBuffer(buffer: ArrayBufferLike): void {
  if (!recyclable.has(buffer) || spares.includes(buffer)) return;
  if (spares.length < SPARES) {
    spares.push(buffer);
    return;
  }
  // Full: keep the larger ones (they fit more pages).
  const smallest = smallestSpare(0);
  if ((spares[smallest] as ArrayBufferLike).byteLength < buffer.byteLength) spares[smallest] = buffer;
}

/** Index of the smallest spare of at least `bytes`, -1 when none is that large. */
function smallestSpare(bytes: number): number {
  let found = -1;
  for (let i = 0; i < spares.length; i++) {
    const size = (spares[i] as ArrayBufferLike).byteLength;
    if (size >= bytes && (found < 0 || size < (spares[found] as ArrayBufferLike).byteLength)) found = i;
  }
  return found;
}

/** Large message buffers allocated and reused so far in this process, to see that recycling works. */
export const largeMessageBuffers = { allocated: 0, reused: 0 };

/** Lets the kept buffers go (when the last reader closes: nothing large is read any more). */
export function dropSpareMessageBuffer(): void {
  spares.length = 0;
}

/** Room a large message buffer is given: a quarter over the message, in whole MiB, so that the next pages fit it. */
function roomFor(bytes: number): number {
  return Math.ceil((bytes + (bytes >> 2)) / RECYCLABLE_MESSAGE_BYTES) * RECYCLABLE_MESSAGE_BYTES;
}

/** A buffer for a message of this many bytes (prefix included), a spare one when one fits. */
function allocateMessage(bytes: number): Buffer {
  if (bytes < RECYCLABLE_MESSAGE_BYTES) return Buffer.allocUnsafe(bytes); // not zeroed: every byte is written before the message is handed on
  const fit = smallestSpare(bytes);
  if (fit >= 0) {
    const [reused] = spares.splice(fit, 1) as [ArrayBufferLike];
    largeMessageBuffers.reused++;
    return Buffer.from(reused, 0, bytes);
  }
  // None fits: the smallest spare goes rather than be held next to the new one.
  if (spares.length >= SPARES) spares.splice(smallestSpare(0), 1);
  // Not zeroed either.
  const buffer = Buffer.allocUnsafeSlow(roomFor(bytes)).subarray(0, bytes);
  recyclable.add(buffer.buffer);
  largeMessageBuffers.allocated++;
  return buffer;
}

/** The part of grpc-js's StreamDecoder this relies on. */
export interface StreamDecoderClass {
  new (maxReadMessageLength: number): { write(data: Buffer): Buffer[] };
  prototype: { write(data: Buffer): Buffer[] };
}

const assemblerOf = Symbol('kreg.messageAssembler');
const installed = new WeakSet<object>();

/**
 * Makes every StreamDecoder (new or existing) assemble messages with MessageAssembler. Returns
 * whether it is now installed: false, changing nothing, when the decoder does not frame a probe
 * the way this assumes.
 */
export function assembleMessagesInPlace(decoderClass: StreamDecoderClass): boolean {
  if (installed.has(decoderClass)) return true;
  if (!framesAsAssumed(decoderClass)) return false;
  type Decoder = { maxReadMessageLength?: unknown; [assemblerOf]?: MessageAssembler };
  decoderClass.prototype.write = function (this: Decoder, data: Buffer): Buffer[] {
    // The limit is the constructor's argument, kept by grpc-js under this (private) name.
    const max = typeof this.maxReadMessageLength === 'number' ? this.maxReadMessageLength : -1;
    this[assemblerOf] ??= new MessageAssembler(max);
    return this[assemblerOf].write(data);
  };
  installed.add(decoderClass);
  return true;
}

/**
 * Installs MessageAssembler into the grpc-js that is loaded; false when that grpc-js has no
 * StreamDecoder where 1.14 has it, or one that frames differently.
 */
export async function assembleGrpcMessagesInPlace(): Promise<boolean> {
  try {
    const loaded: { StreamDecoder?: unknown; default?: { StreamDecoder?: unknown } } = await import('@grpc/grpc-js/build/src/stream-decoder.js');
    const decoderClass = loaded.StreamDecoder ?? loaded.default?.StreamDecoder;
    if (typeof decoderClass !== 'function' || typeof (decoderClass.prototype as { write?: unknown } | undefined)?.write !== 'function') return false;
    return assembleMessagesInPlace(decoderClass as StreamDecoderClass);
  } catch {
    return false;
  }
}

/** Whether the original decoder returns a split probe message whole, prefix included, and keeps its limit where the replacement reads it. */
function framesAsAssumed(decoderClass: StreamDecoderClass): boolean {
  try {
    const decoder = new decoderClass(7);
    if ((decoder as { maxReadMessageLength?: unknown }).maxReadMessageLength !== 7) return false;
    const probe = Buffer.from([0, 0, 0, 0, 3, 0x6b, 0x76, 0x73]);
    const out = [...decoder.write(probe.subarray(0, 2)), ...decoder.write(probe.subarray(2, 6)), ...decoder.write(probe.subarray(6))];
    return out.length === 1 && out[0] !== undefined && Buffer.isBuffer(out[0]) && out[0].equals(probe);
  } catch {
    return false;
  }
}
