import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import {
  assembleGrpcMessagesInPlace,
  assembleMessagesInPlace,
  dropSpareMessageBuffer,
  largeMessageBuffers,
  MessageAssembler,
  RECYCLABLE_MESSAGE_BYTES,
  recycleMessageBuffer,
  type StreamDecoderClass,
} from '../src/sources/grpc-message-assembly.js';

// grpc-js's own decoder, loaded afresh (not the cached, patched one) to compare against.
const require = createRequire(import.meta.url);
function freshStreamDecoder(): StreamDecoderClass {
  const path = require.resolve('@grpc/grpc-js/build/src/stream-decoder.js');
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return (require(path) as { StreamDecoder: StreamDecoderClass }).StreamDecoder;
  } finally {
    if (cached !== undefined) require.cache[path] = cached;
  }
}

function framed(payload: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed ? 1 : 0;
  prefix.writeUInt32BE(payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

/** A deterministic byte stream of several messages (one empty, one compressed-flagged, one large). */
function sampleStream(): { stream: Buffer; messages: Buffer[] } {
  const payloads = [Buffer.from('kvs'), Buffer.alloc(0), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251)), Buffer.from('x')];
  const messages = payloads.map((payload, index) => framed(payload, index === 3));
  return { stream: Buffer.concat(messages), messages };
}

/** The stream cut into chunks of the given sizes, cycling through them. */
function cut(stream: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, index = 0; at < stream.length; index++) {
    const size = sizes[index % sizes.length] ?? 1;
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Writes the stream in copies of 16 KiB chunks, zeroing each copy as soon as write returns. */
function writeThenOverwrite(decoder: { write(data: Buffer): Buffer[] }, stream: Buffer): Buffer[] {
  return cut(stream, [16_384]).flatMap((chunk) => {
    const copy = Buffer.from(chunk);
    const out = decoder.write(copy);
    copy.fill(0);
    return out;
  });
}

describe('gRPC message assembly', () => {
  const cuts: number[][] = [[1], [2, 3], [5], [4, 6], [16_384], [7, 1000, 3], [1 << 20]];

  it('returns the same framed messages as grpc-js for every way the stream is cut', () => {
    const { stream, messages } = sampleStream();
    const Original = freshStreamDecoder();
    for (const sizes of cuts) {
      const chunks = cut(stream, sizes);
      const original = new Original(-1);
      const expected = chunks.flatMap((chunk) => original.write(chunk));
      const assembler = new MessageAssembler(-1);
      const actual = chunks.flatMap((chunk) => assembler.write(chunk));
      assert.deepEqual(actual, expected, `cut into ${sizes.join(',')}`);
      assert.deepEqual(actual, messages);
    }
  });

  it('keeps nothing of a chunk once write returns (a chunk overwritten afterwards does not change the message)', () => {
    const { stream, messages } = sampleStream();
    assert.deepEqual(writeThenOverwrite(new MessageAssembler(-1), stream), messages);
    // grpc-js's own decoder keeps the chunks until the message is whole, which is what this avoids.
    const Original = freshStreamDecoder();
    assert.notDeepEqual(writeThenOverwrite(new Original(-1), stream), messages);
  });

  it('refuses a message over the limit in grpc-js words, before reading it', () => {
    const assembler = new MessageAssembler(2);
    assert.throws(() => assembler.write(framed(Buffer.from('kvs')).subarray(0, 5)), { message: 'Received message larger than max (3 vs 2)' });
    assert.deepEqual(new MessageAssembler(3).write(framed(Buffer.from('kvs'))), [framed(Buffer.from('kvs'))]);
  });

  it('is installed into the grpc-js that live etcd loads, and assembles with the decoder limit', async () => {
    assert.equal(await assembleGrpcMessagesInPlace(), true);
    const { StreamDecoder } = require('@grpc/grpc-js/build/src/stream-decoder.js') as { StreamDecoder: StreamDecoderClass };
    const { stream, messages } = sampleStream();
    const decoder = new StreamDecoder(-1);
    const chunks = cut(stream, [16_384]);
    const out = chunks.flatMap((chunk) => decoder.write(chunk));
    assert.deepEqual(out, messages);
    assert.deepEqual(writeThenOverwrite(new StreamDecoder(-1), stream), messages, 'the installed decoder still keeps the chunks');
    assert.throws(() => new StreamDecoder(2).write(framed(Buffer.from('kvs'))), { message: 'Received message larger than max (3 vs 2)' });
  });

  it('reuses the buffer of a large message handed back, for the next large message only', () => {
    dropSpareMessageBuffer();
    const large = (fill: number): Buffer => framed(Buffer.alloc(RECYCLABLE_MESSAGE_BYTES + 10, fill));
    const assembler = new MessageAssembler(-1);
    const before = { ...largeMessageBuffers };
    const [first] = assembler.write(large(1));
    assert.ok(first !== undefined);
    recycleMessageBuffer(first.buffer);
    const [second] = assembler.write(large(2));
    assert.ok(second !== undefined);
    assert.equal(second.buffer, first.buffer, 'the handed-back buffer was not reused');
    assert.deepEqual(second, large(2));
    assert.deepEqual(largeMessageBuffers, { allocated: before.allocated + 1, reused: before.reused + 1 });

    // Not handed back: the next one gets a buffer of its own.
    const [third] = assembler.write(large(3));
    assert.ok(third !== undefined && third.buffer !== second.buffer);
    assert.deepEqual(third, large(3));
    // Small messages and buffers the assembler did not make are never taken back.
    const [small] = assembler.write(framed(Buffer.from('kvs')));
    assert.ok(small !== undefined);
    recycleMessageBuffer(small.buffer);
    recycleMessageBuffer(new ArrayBuffer(4 * RECYCLABLE_MESSAGE_BYTES));
    const [fourth] = assembler.write(large(4));
    assert.ok(fourth !== undefined && fourth.buffer !== small.buffer && fourth.buffer.byteLength < 4 * RECYCLABLE_MESSAGE_BYTES);
    assert.deepEqual(largeMessageBuffers, { allocated: before.allocated + 3, reused: before.reused + 1 });
  });

  it('keeps two handed-back buffers, and gives a large message the smallest that fits', () => {
    dropSpareMessageBuffer();
    const MiB = 1024 * 1024;
    const message = (bytes: number, fill: number): Buffer => framed(Buffer.alloc(bytes, fill));
    const assembler = new MessageAssembler(-1);
    const before = { ...largeMessageBuffers };
    // A page and the page read ahead of it, both handed back.
    const [small] = assembler.write(message(MiB + 10, 1));
    const [large] = assembler.write(message(3 * MiB, 2));
    assert.ok(small !== undefined && large !== undefined);
    recycleMessageBuffer(small.buffer);
    recycleMessageBuffer(large.buffer);
    // The large one takes a message a little larger than its own (buffers have room to spare);
    // the small one, the smallest that fits, a message of about its size.
    const [larger] = assembler.write(message(3 * MiB + MiB / 2, 3));
    const [again] = assembler.write(message(MiB + MiB / 2, 4));
    assert.ok(larger !== undefined && again !== undefined);
    assert.equal(larger.buffer, large.buffer);
    assert.equal(again.buffer, small.buffer);
    assert.deepEqual(larger, message(3 * MiB + MiB / 2, 3));
    assert.deepEqual(again, message(MiB + MiB / 2, 4));
    assert.deepEqual(largeMessageBuffers, { allocated: before.allocated + 2, reused: before.reused + 2 });
    // A third handed back: the two largest are kept.
    const [third] = assembler.write(message(6 * MiB, 5));
    assert.ok(third !== undefined);
    for (const buffer of [again.buffer, larger.buffer, third.buffer]) recycleMessageBuffer(buffer);
    const [fits] = assembler.write(message(MiB + 10, 6));
    assert.ok(fits !== undefined);
    assert.equal(fits.buffer, larger.buffer, 'the smallest kept one that fits (the smallest was let go)');
  });

  it('leaves a decoder that frames differently as it is', () => {
    // Keeps everything to itself: a decoder that no longer returns whole messages from write.
    class Unexpected {
      readonly received: Buffer[] = [];
      constructor(readonly maxReadMessageLength: number) {}
      write(data: Buffer): Buffer[] {
        this.received.push(data);
        return [];
      }
    }
    const before = Unexpected.prototype.write;
    assert.equal(assembleMessagesInPlace(Unexpected), false);
    assert.equal(Unexpected.prototype.write, before);
  });
});
