/**
 * Classification by prefix and the non-protobuf formats kube-apiserver writes: JSON (custom
 * resources, older clusters), CBOR (custom resources), encrypted and opaque values.
 */
import assert from 'node:assert/strict';
import { decode, encode } from '../src/index.js';
import { canonicalQuantity } from '../src/codec/quantity.js';
import { formatGoDuration, parseGoDuration, formatRfc3339, parseRfc3339 } from '../src/codec/go-time.js';
import { encodeCbor } from '../src/codec/cbor.js';

const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', uid: 'u-1' }, spec: { size: 1.5, count: 3, tags: ['a', 'b'] } };

describe('stored value formats', function () {
  it('decodes a JSON custom resource as stored (Go JSON + newline) and re-encodes it byte for byte', function () {
    const stored = new TextEncoder().encode(
      '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default","uid":"u-1"},"spec":{"count":3,"note":"a \\u003c b","size":1.5}}\n',
    );
    const decoded = decode(stored);
    assert.equal(decoded.format, 'json');
    assert.equal(decoded.kind, 'Widget');
    assert.equal((decoded.object as { spec: { note: string } }).spec.note, 'a < b');
    assert.equal(Buffer.compare(encode(decoded), stored), 0);
  });

  it('decodes a CBOR custom resource to the same JSON object and re-encodes it byte for byte', function () {
    const stored = encodeCbor(widget);
    assert.deepEqual([...stored.subarray(0, 3)], [0xd9, 0xd9, 0xf7]);
    const decoded = decode(stored);
    assert.equal(decoded.format, 'cbor');
    assert.deepEqual(decoded.object, widget);
    assert.equal(Buffer.compare(encode(decoded), stored), 0);
  });

  it('reports the provider and key name of an encrypted value', function () {
    const stored = Buffer.concat([Buffer.from('k8s:enc:kms:v2:my-kms:'), Buffer.from([0x0a, 0x03, 1, 2, 3])]);
    const decoded = decode(stored);
    assert.equal(decoded.format, 'encrypted');
    assert.deepEqual(decoded.encryption, { provider: 'kms', providerVersion: 'v2', keyName: 'my-kms', payloadOffset: 22 });
    assert.equal(decoded.object, undefined);
  });

  it('shows anything else as opaque with its length and a hex preview', function () {
    const decoded = decode(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x30, 0x39));
    assert.equal(decoded.format, 'opaque');
    assert.equal(decoded.size, 8);
    assert.equal(decoded.hexPreview, '0000000000003039');
  });

  it('never searches the middle of a value for a magic', function () {
    const decoded = decode(Buffer.concat([Buffer.from('xx'), Buffer.from('k8s\0'), Buffer.alloc(10)]));
    assert.equal(decoded.format, 'opaque');
  });
});

describe('Kubernetes JSON scalars', function () {
  it('canonicalizes quantities as resource.Quantity does', function () {
    const cases: [string, string][] = [
      ['500m', '500m'],
      ['0.5', '500m'],
      ['1000m', '1'],
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1536Mi', '1536Mi'],
      ['1e3', '1e3'],
      ['1000', '1k'],
      ['12e2', '1200'],
      ['0.1n', '1n'],
      ['100Ki', '100Ki'],
      ['0.5Gi', '512Mi'],
      ['1.5Ki', '1536'],
      ['-1', '-1'],
      ['0', '0'],
      ['0Gi', '0'],
      ['+2', '2'],
      ['1.0', '1'],
    ];
    for (const [input, canonical] of cases) assert.equal(canonicalQuantity(input), canonical, input);
    assert.equal(canonicalQuantity('1.2.3'), undefined);
    assert.equal(canonicalQuantity(''), undefined);
  });

  it('writes and reads Go durations', function () {
    assert.equal(formatGoDuration(0), '0s');
    assert.equal(formatGoDuration(1_500_000), '1.5ms');
    assert.equal(formatGoDuration(3_600_000_000_000n), '1h0m0s');
    assert.equal(formatGoDuration(90_500_000_000), '1m30.5s');
    assert.equal(formatGoDuration(-2_000), '-2µs');
    assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000n);
    assert.equal(parseGoDuration('1.5s'), 1_500_000_000n);
    assert.equal(parseGoDuration('abc'), undefined);
  });

  it('writes and reads RFC 3339 times', function () {
    assert.equal(formatRfc3339(1199149261), '2008-01-01T01:01:01Z');
    assert.equal(formatRfc3339(1199149261, 5), '2008-01-01T01:01:01.000005Z');
    assert.deepEqual(parseRfc3339('2008-01-01T02:01:01+01:00'), { seconds: 1199149261, nanos: 0 });
    assert.deepEqual(parseRfc3339('0001-01-01T00:00:00Z'), { seconds: -62135596800, nanos: 0 });
    assert.equal(parseRfc3339('yesterday'), undefined);
  });

  it('writes RFC 3339 times by arithmetic exactly as a Date would, over years 0 to 9999 and past both ends', function () {
    // The reference: JavaScript's own calendar (proleptic Gregorian, as Go's); its ISO text has four-digit years in this range.
    const viaDate = (seconds: number): string | undefined => {
      const d = new Date(seconds * 1000);
      const year = d.getUTCFullYear();
      if (Number.isNaN(year) || year < 0 || year > 9999) return undefined;
      return `${d.toISOString().slice(0, 19)}Z`;
    };
    const firstSecond = Date.UTC(2000, 0, 1) / 1000 - 2000 * 31556952; // a little before 0000-01-01 (31556952 s: a Gregorian year on average)
    const lastSecond = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
    const samples: number[] = [-1, 0, 1, 951782399, 951782400, 951868800, lastSecond, lastSecond + 1, 8.64e12, -8.64e12];
    // A fixed-step walk across the whole range and past both ends hits every month, leap day and century rule.
    for (let s = firstSecond - 86400 * 400; s < lastSecond + 86400 * 400; s += 86400 * 29 + 3607) samples.push(s);
    for (const seconds of samples) assert.equal(formatRfc3339(seconds), viaDate(seconds), `seconds ${seconds}`);
    assert.equal(formatRfc3339(BigInt(1199149261)), '2008-01-01T01:01:01Z');
    assert.equal(formatRfc3339(Number.NaN), undefined);
  });
});
