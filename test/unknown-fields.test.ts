/**
 * Objects written by a newer Kubernetes carry protobuf fields this schema does not know. They must
 * be listed (path, number, wire type, raw bytes), shown, and written back byte for byte.
 */
import assert from 'node:assert/strict';
import { decodeValue } from '../src/codec/decode-value.js';
import { encodeValue } from '../src/codec/encode-value.js';
import { writeEnvelope } from '../src/codec/envelope.js';
import { encodeProtobufMessage } from '../src/codec/json-to-protobuf.js';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT, WireWriter } from '../src/codec/wire.js';
import { notesFor } from '../src/cli/describe-decoded.js';
import { loadSchema } from '../src/schema-bundle.js';

const schema = loadSchema();
const objectMeta = schema.message('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta');

function field(write: (w: WireWriter) => void): Uint8Array {
  const w = new WireWriter(64);
  write(w);
  return w.finish();
}

/** A ConfigMap whose metadata has an unknown field 77 and whose top level has unknown fields 99 and 100. */
function configMapFromTheFuture(): Uint8Array {
  const meta = encodeProtobufMessage(objectMeta, { name: 'settings', namespace: 'prod' });
  const unknownInMeta = field((w) => {
    w.tag(77, WIRE_FIXED32);
    w.raw(Uint8Array.of(1, 2, 3, 4));
  });
  const w = new WireWriter(256);
  w.tag(1, WIRE_BYTES);
  w.bytes(Uint8Array.from([...meta, ...unknownInMeta]));
  // data (field 2): one map entry { key = 1: "mode", value = 2: "fast" }
  w.tag(2, WIRE_BYTES);
  w.bytes(
    field((e) => {
      e.tag(1, WIRE_BYTES);
      e.bytes(new TextEncoder().encode('mode'));
      e.tag(2, WIRE_BYTES);
      e.bytes(new TextEncoder().encode('fast'));
    }),
  );
  w.tag(99, WIRE_VARINT);
  w.int64(300);
  w.tag(100, WIRE_BYTES);
  w.bytes(new TextEncoder().encode('from v1.99'));
  return writeEnvelope('v1', 'ConfigMap', w.finish());
}

describe('unknown protobuf fields', function () {
  const stored = configMapFromTheFuture();

  it('decodes the known fields and lists the unknown ones with path, number, wire type and raw bytes', function () {
    const decoded = decodeValue(schema, stored);
    assert.deepEqual(decoded.object, {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'settings', namespace: 'prod' },
      data: { mode: 'fast' },
    });
    const listed = decoded.unknownFields.map((f) => ({ path: f.path, message: f.message.split('.').pop(), number: f.number, wireType: f.wireType, raw: Buffer.from(f.raw).toString('hex') }));
    assert.deepEqual(listed, [
      { path: 'metadata', message: 'ObjectMeta', number: 77, wireType: 5, raw: 'ed0401020304' },
      { path: '', message: 'ConfigMap', number: 99, wireType: 0, raw: '9806ac02' },
      { path: '', message: 'ConfigMap', number: 100, wireType: 2, raw: 'a2060a66726f6d2076312e3939' },
    ]);
  });

  it('re-encodes the unmodified value to the same bytes', function () {
    const decoded = decodeValue(schema, stored);
    assert.equal(Buffer.compare(encodeValue(schema, decoded), stored), 0);
  });

  it('keeps the unknown fields when a known field is changed', function () {
    const decoded = decodeValue(schema, stored);
    (decoded.object as { data: { mode: string } }).data.mode = 'safe';
    const again = decodeValue(schema, encodeValue(schema, decoded));
    assert.equal((again.object as { data: { mode: string } }).data.mode, 'safe');
    assert.deepEqual(
      again.unknownFields.map((f) => [f.path, f.number]),
      [
        ['metadata', 77],
        ['', 99],
        ['', 100],
      ],
    );
  });

  it('shows them under a clear marker', function () {
    const notes = notesFor(decodeValue(schema, stored), 'v1.36');
    assert.match(notes[0] ?? '', /^unknown fields: 3 protobuf field\(s\) not in the Kubernetes v1.36 schema/);
    assert.match(notes.join('\n'), /metadata \[ObjectMeta field 77, 32-bit\]/);
    assert.match(notes.join('\n'), /\(top level\) \[ConfigMap field 100, length-delimited\] unknown to this schema: \{"100":"from v1.99"\}/);
  });
});

describe('a kind from a newer Kubernetes', function () {
  const raw = field((w) => {
    w.tag(1, WIRE_BYTES);
    w.bytes(
      field((m) => {
        m.tag(1, WIRE_BYTES);
        m.bytes(new TextEncoder().encode('g1'));
      }),
    );
    w.tag(2, WIRE_VARINT);
    w.int64(7);
  });
  const stored = writeEnvelope('gadgets.k8s.io/v1alpha9', 'Gizmo', raw);

  it('decodes to the envelope plus a field-number view without throwing', function () {
    const decoded = decodeValue(schema, stored);
    assert.equal(decoded.knownKind, false);
    assert.deepEqual(decoded.object, { kind: 'Gizmo', apiVersion: 'gadgets.k8s.io/v1alpha9' });
    assert.deepEqual(decoded.fieldView, { 1: { 1: 'g1' }, 2: 7 });
    assert.match(notesFor(decoded, 'v1.36')[0] ?? '', /kind Gizmo of gadgets.k8s.io\/v1alpha9 is not in the Kubernetes v1.36 schema/);
  });

  it('re-encodes to the same bytes', function () {
    assert.equal(Buffer.compare(encodeValue(schema, decodeValue(schema, stored)), stored), 0);
  });
});

describe('values the API JSON cannot show', function () {
  it('keeps nanoseconds of a metav1.Time and writes them back', function () {
    const plain = encodeValue(schema, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', creationTimestamp: '2020-01-02T03:04:05Z' } });
    // Rewrite the Time's nanos (10 00) to 10 07: seven nanoseconds, which JSON shows as whole seconds.
    const at = Buffer.from(plain).indexOf(Buffer.from('1000', 'hex'), Buffer.from(plain).indexOf(Buffer.from('42', 'hex'), 10));
    const stored = Uint8Array.from(plain);
    stored[at + 1] = 7;
    const decoded = decodeValue(schema, stored);
    assert.equal((decoded.object as { metadata: { creationTimestamp: string } }).metadata.creationTimestamp, '2020-01-02T03:04:05Z');
    assert.deepEqual(
      decoded.unknownFields.map((f) => [f.path, f.number, f.reason]),
      [['metadata.creationTimestamp', 2, 'not-in-json']],
    );
    assert.equal(Buffer.compare(encodeValue(schema, decoded), stored), 0);
  });
});
