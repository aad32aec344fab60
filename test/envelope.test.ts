/**
 * The protobuf storage envelope: readEnvelope reads the usual envelope its own quick way and
 * leaves anything else to the general reader (readAnyEnvelope). Both must give the same envelope,
 * or fail alike, on every value: the usual ones, unusual but valid ones, and damaged ones.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readAnyEnvelope, readEnvelope, writeEnvelope } from '../src/codec/envelope.js';
import { WIRE_BYTES, WireWriter } from '../src/codec/wire.js';

/** What a read gave: the envelope, or the error's class, code and message. */
function outcome(read: (value: Uint8Array) => unknown, value: Uint8Array): unknown {
  try {
    return { envelope: read(value) };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { error: [e.constructor.name, e.code, e.message] };
  }
}

function assertAlike(value: Uint8Array, what: string): void {
  assert.deepStrictEqual(outcome(readEnvelope, value), outcome(readAnyEnvelope, value), what);
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** An envelope laid out field by field: [number, wire type, payload] (payload bytes for wire type 2, a varint's value for 0). */
function laidOut(fields: [number, number, Uint8Array | number][]): Uint8Array {
  const w = new WireWriter(64);
  w.raw(Uint8Array.from(MAGIC));
  for (const [number, wireType, payload] of fields) {
    w.tag(number, wireType);
    if (typeof payload === 'number') w.uint32(payload);
    else w.bytes(payload);
  }
  return w.finish();
}

function typeMeta(apiVersion: string, kind: string): Uint8Array {
  const w = new WireWriter(32);
  w.tag(1, WIRE_BYTES);
  w.bytes(Buffer.from(apiVersion));
  w.tag(2, WIRE_BYTES);
  w.bytes(Buffer.from(kind));
  return w.finish();
}

describe('the storage envelope read the quick way and the general way', () => {
  const raws = [new Uint8Array(0), Uint8Array.from([0x0a, 0x03, 0x61, 0x62, 0x63]), new Uint8Array(300).fill(7), new Uint8Array(20_000).fill(9)];
  const usual: Uint8Array[] = [];
  for (const raw of raws) {
    usual.push(writeEnvelope('v1', 'Pod', raw));
    usual.push(writeEnvelope('apps/v1', 'Deployment', raw, { contentType: 'application/vnd.kubernetes.protobuf' }));
    usual.push(writeEnvelope('', '', raw));
    usual.push(writeEnvelope('example.com/v1', 'Wïdget', raw, { contentEncoding: 'gzip' }));
    usual.push(writeEnvelope(`${'g'.repeat(200)}/v1`, 'K'.repeat(130), raw));
  }

  it('gives the same envelope for the values kube-apiserver writes', () => {
    for (const [i, value] of usual.entries()) {
      assertAlike(value, `usual ${i}`);
      const envelope = readEnvelope(value);
      assert.equal(envelope.rawEnd - envelope.rawStart, (raws[Math.floor(i / 5)] as Uint8Array).length);
    }
    assert.deepStrictEqual(
      { ...readEnvelope(usual[0] as Uint8Array), unknownFields: [] },
      { apiVersion: 'v1', kind: 'Pod', rawStart: 17, rawEnd: 17, contentEncoding: '', contentType: '', unknownFields: [] },
    );
  });

  it('gives the same envelope for unusual ones: fields reordered, repeated, missing, unknown, or with longer varints', () => {
    const raw = Uint8Array.from([1, 2, 3]);
    const values = [
      laidOut([]),
      laidOut([[2, WIRE_BYTES, raw]]),
      laidOut([
        [2, WIRE_BYTES, raw],
        [1, WIRE_BYTES, typeMeta('v1', 'Secret')],
      ]),
      laidOut([
        [1, WIRE_BYTES, typeMeta('v1', 'Pod')],
        [1, WIRE_BYTES, typeMeta('apps/v1', 'ReplicaSet')],
        [2, WIRE_BYTES, raw],
      ]),
      laidOut([
        [1, WIRE_BYTES, typeMeta('v1', 'Pod')],
        [2, WIRE_BYTES, raw],
        [5, WIRE_BYTES, raw],
      ]),
      laidOut([
        [1, WIRE_BYTES, typeMeta('v1', 'Pod')],
        [2, 0, 150],
      ]),
      laidOut([[1, WIRE_BYTES, Uint8Array.from([0x1a, 0x01, 0x78, 0x0a, 0x02, 0x76, 0x31])]]),
      laidOut([[1, WIRE_BYTES, Uint8Array.from([0x08, 0x01])]]),
      // A length written in more bytes than it needs (0x83 0x00 is 3).
      Uint8Array.from([...MAGIC, 0x12, 0x83, 0x00, 1, 2, 3]),
      Uint8Array.from([...MAGIC, 0x0a, 0x84, 0x80, 0x00, 0x0a, 0x02, 0x76, 0x31]),
    ];
    for (const [i, value] of values.entries()) assertAlike(value, `unusual ${i}`);
  });

  it('fails alike on every truncation and on damaged bytes', () => {
    for (const [i, value] of usual.slice(0, 10).entries()) {
      for (let length = 0; length < Math.min(value.length, 80); length++) assertAlike(value.subarray(0, length), `usual ${i} cut at ${length}`);
    }
    // Bytes changed at random (a fixed seed), within the first bytes where the envelope's fields are.
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let failures = 0;
    for (let round = 0; round < 3000; round++) {
      const value = Uint8Array.from(usual[next(usual.length)] as Uint8Array);
      for (let changes = 1 + next(3); changes > 0; changes--) value[next(Math.min(value.length, 40))] = next(256);
      assertAlike(value, `round ${round}`);
      if ('error' in (outcome(readAnyEnvelope, value) as object)) failures++;
    }
    // The damage reached both ways of failing and of reading.
    assert.ok(failures > 100 && failures < 2900, `${failures} of 3000 damaged values failed`);
  });
});
