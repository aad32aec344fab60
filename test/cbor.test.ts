/**
 * CBOR in Kubernetes's profile: hand-computed byte vectors (RFC 8949 rules plus the profile in
 * apimachinery's cbor/internal/modes), the RFC 8949 Appendix A examples with what kube-apiserver
 * does with each, every error, and byte-exact round trips.
 */
import assert from 'node:assert/strict';
import { decodeCbor, encodeCbor } from '../src/codec/cbor.js';
import type { CborDecoded } from '../src/codec/cbor.js';
import { stringifyGoJson } from '../src/codec/go-json.js';
import { GoFloat, float64, int64 } from '../src/codec/json-value.js';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import { mulberry32 } from '../scripts/make-registry.js';

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Encodes without the self-describe prefix, for vectors of single items. */
function bare(value: JsonValue): string {
  return toHex(encodeCbor(value, { selfDescribe: false }));
}

function decodeHex(text: string, options: Parameters<typeof decodeCbor>[1] = {}): CborDecoded {
  return decodeCbor(hex(text), options);
}

function assertDecodeError(text: string, code: string, offset: number, path = '', options: Parameters<typeof decodeCbor>[1] = {}): void {
  assert.throws(
    () => decodeCbor(hex(text), options),
    (error: unknown) => {
      assert.ok(error instanceof DecodeError, `expected a DecodeError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.subject.offset, offset, `offset of: ${error.message}`);
      assert.equal(error.subject.path, path, `path of: ${error.message}`);
      return true;
    },
  );
}

function assertEncodeError(value: unknown, code: string, path: string): void {
  assert.throws(
    () => encodeCbor(value as JsonValue),
    (error: unknown) => {
      assert.ok(error instanceof EncodeError, `expected an EncodeError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.subject.path, path, `path of: ${error.message}`);
      return true;
    },
  );
}

/** The project's one seeded PRNG (mulberry32), so runs are reproducible. */
const random = mulberry32;

const STRING_PIECES = ['a', 'name', 'é', '水', '😀', '\u2028', '<&>', '\n', '\u0000', '"\\', 'ｱ', 'Z', '\u00ff', '\ud7ff', '\ue000'];

/** A random value in normal JsonValue form (the form decoders produce). */
function randomValue(next: () => number, depth: number): JsonValue {
  const pick = Math.floor(next() * (depth > 0 ? 11 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.floor(next() * 2000) - 1000;
    case 3: {
      // int64 beyond 2^53 (bigint) or anywhere in range
      const magnitude = BigInt(Math.floor(next() * 2 ** 31)) * 2n ** 32n + BigInt(Math.floor(next() * 2 ** 32));
      return int64(next() < 0.5 ? -magnitude - 1n : magnitude);
    }
    case 4:
      return float64((next() - 0.5) * 10 ** Math.floor(next() * 40 - 20));
    case 5:
      return float64(Math.round((next() - 0.5) * 1000) / 4); // many integral and float16-exact floats
    case 6:
    case 7:
      return randomString(next);
    case 8:
    case 9: {
      const object: JsonObject = {};
      const count = Math.floor(next() * 5);
      for (let i = 0; i < count; i++) object[randomString(next)] = randomValue(next, depth - 1);
      return object;
    }
    default: {
      const count = Math.floor(next() * 5);
      return Array.from({ length: count }, () => randomValue(next, depth - 1));
    }
  }
}

function randomString(next: () => number): string {
  let text = '';
  const count = Math.floor(next() * 6);
  for (let i = 0; i < count; i++) text += STRING_PIECES[Math.floor(next() * STRING_PIECES.length)]!;
  return text;
}

// The small custom resource from the brief, encoded by hand:
//   d9d9f7                      tag 55799 (self-described CBOR)
//   a4                          map, 4 pairs; keys ordered by encoded bytes: shorter first
//   44 6b696e64                 "kind" (byte string, 4)
//   46 576964676574             "Widget"
//   44 73706563                 "spec"
//   a2                          map, 2 pairs
//     44 73697a65               "size"
//     f9 3e00                   1.5 as float16
//     45 636f756e74             "count"
//     03                        3
//   48 6d65746164617461         "metadata"
//   a1 44 6e616d65 41 61        {"name": "a"}
//   4a 61706956657273696f6e     "apiVersion"
//   4e 6578616d706c652e636f6d2f7631   "example.com/v1"
const WIDGET_HEX = `
  d9d9f7 a4
  44 6b696e64 46 576964676574
  44 73706563 a2 44 73697a65 f93e00 45 636f756e74 03
  48 6d65746164617461 a1 44 6e616d65 41 61
  4a 61706956657273696f6e 4e 6578616d706c652e636f6d2f7631`;

const WIDGET: JsonObject = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'a' },
  spec: { size: 1.5, count: 3 },
};

describe('CBOR (Kubernetes profile)', function () {
  describe('a small custom resource', function () {
    it('encodes to the hand-computed bytes', function () {
      assert.equal(toHex(encodeCbor(WIDGET)), toHex(hex(WIDGET_HEX)));
    });

    it('decodes to the object, canonical and self-described', function () {
      const decoded = decodeHex(WIDGET_HEX);
      assert.deepEqual(decoded.value, WIDGET);
      assert.equal(decoded.selfDescribed, true);
      assert.equal(decoded.canonical, true);
      assert.equal(decoded.nonCanonical, undefined);
    });

    it('decodes to what the API server serves as JSON', function () {
      assert.equal(stringifyGoJson(decodeHex(WIDGET_HEX).value), '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},"spec":{"count":3,"size":1.5}}\n');
    });

    it('round-trips byte for byte', function () {
      const bytes = hex(WIDGET_HEX);
      assert.deepEqual(encodeCbor(decodeCbor(bytes).value), bytes);
    });

    it('records a missing self-describe tag and can encode without it', function () {
      const withoutTag = WIDGET_HEX.replace('d9d9f7', '');
      const decoded = decodeHex(withoutTag);
      assert.equal(decoded.selfDescribed, false);
      assert.equal(decoded.canonical, true);
      assert.equal(toHex(encodeCbor(decoded.value, { selfDescribe: decoded.selfDescribed })), toHex(hex(withoutTag)));
    });
  });

  describe('RFC 8949 Appendix A, as kube-apiserver decodes and re-encodes it', function () {
    // [example, decoded value, re-encoding when it differs]; rejections are listed separately.
    const accepted: [string, JsonValue, string?][] = [
      ['00', 0],
      ['01', 1],
      ['0a', 10],
      ['17', 23],
      ['1818', 24],
      ['1819', 25],
      ['1864', 100],
      ['1903e8', 1000],
      ['1a000f4240', 1000000],
      ['1b000000e8d4a51000', 1000000000000],
      ['20', -1],
      ['29', -10],
      ['3863', -100],
      ['3903e7', -1000],
      ['f90000', new GoFloat(0)],
      ['f98000', new GoFloat(-0)],
      ['f93c00', new GoFloat(1)],
      ['fb3ff199999999999a', 1.1],
      ['f93e00', 1.5],
      ['f97bff', new GoFloat(65504)],
      ['fa47c35000', new GoFloat(100000)],
      ['fa7f7fffff', new GoFloat(3.4028234663852886e38)],
      ['fb7e37e43c8800759c', new GoFloat(1e300)],
      ['f90001', 5.960464477539063e-8],
      ['f90400', 0.00006103515625],
      ['f9c400', new GoFloat(-4)],
      ['fbc010666666666666', -4.1],
      ['f4', false],
      ['f5', true],
      ['f6', null],
      // Times become RFC 3339 strings; strings re-encode as byte strings.
      ['c074323031332d30332d32315432303a30343a30305a', '2013-03-21T20:04:00Z', '54323031332d30332d32315432303a30343a30305a'],
      ['c11a514b67b0', '2013-03-21T20:04:00Z', '54323031332d30332d32315432303a30343a30305a'],
      ['c1fb41d452d9ec200000', '2013-03-21T20:04:00.5Z', '56323031332d30332d32315432303a30343a30302e355a'],
      // Tag 23 (expected base16) turns the bytes into hex text.
      ['d74401020304', '01020304', '483031303230333034'],
      // Unrecognized tags give their content.
      ['d818456449455446', 'dIETF', '456449455446'],
      ['d82076687474703a2f2f7777772e6578616d706c652e636f6d', 'http://www.example.com', '56687474703a2f2f7777772e6578616d706c652e636f6d'],
      ['40', ''],
      ['4401020304', '\u0001\u0002\u0003\u0004'],
      ['60', '', '40'],
      ['6161', 'a', '4161'],
      ['6449455446', 'IETF', '4449455446'],
      ['62225c', '"\\', '42225c'],
      ['62c3bc', 'ü', '42c3bc'],
      ['63e6b0b4', '水', '43e6b0b4'],
      ['64f0908591', '\u{10151}', '44f0908591'],
      ['80', []],
      ['83010203', [1, 2, 3]],
      ['8301820203820405', [1, [2, 3], [4, 5]]],
      ['98190102030405060708090a0b0c0d0e0f101112131415161718181819', Array.from({ length: 25 }, (_, i) => i + 1)],
      ['a0', {}],
      ['a26161016162820203', { a: 1, b: [2, 3] }, 'a24161014162820203'],
      ['826161a161626163', ['a', { b: 'c' }], '824161a141624163'],
      ['a56161614161626142616361436164614461656145', { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }, 'a54161414141624142416341434164414441654145'],
    ];
    for (const [example, value, reencoded] of accepted) {
      it(`${example} decodes to ${stringifyGoJson(value, { trailingNewline: false })}`, function () {
        const decoded = decodeHex(example);
        assert.deepEqual(decoded.value, value);
        assert.equal(bare(decoded.value), reencoded ?? example);
        assert.equal(decoded.canonical, reencoded === undefined, decoded.nonCanonical?.reason);
      });
    }

    const indefinite: [string, JsonValue, string][] = [
      ['5f42010243030405ff', '\u0001\u0002\u0003\u0004\u0005', '450102030405'],
      ['7f657374726561646d696e67ff', 'streaming', '4973747265616d696e67'],
      ['9fff', [], '80'],
      ['9f018202039f0405ffff', [1, [2, 3], [4, 5]], '8301820203820405'],
      ['9f01820203820405ff', [1, [2, 3], [4, 5]], '8301820203820405'],
      ['83018202039f0405ff', [1, [2, 3], [4, 5]], '8301820203820405'],
      ['83019f0203ff820405', [1, [2, 3], [4, 5]], '8301820203820405'],
      ['9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', Array.from({ length: 25 }, (_, i) => i + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
      ['bf61610161629f0203ffff', { a: 1, b: [2, 3] }, 'a24161014162820203'],
      ['826161bf61626163ff', ['a', { b: 'c' }], '824161a141624163'],
      ['bf6346756ef563416d7421ff', { Fun: true, Amt: -2 }, 'a243416d74214346756ef5'],
    ];
    for (const [example, value, reencoded] of indefinite) {
      it(`${example} (indefinite length) is rejected by default, decoded when allowed`, function () {
        assert.throws(
          () => decodeHex(example),
          (error: unknown) => error instanceof DecodeError && error.code === 'indefinite-length',
        );
        const decoded = decodeHex(example, { allowIndefiniteLength: true });
        assert.deepEqual(decoded.value, value);
        assert.equal(decoded.canonical, false);
        assert.equal(bare(decoded.value), reencoded);
      });
    }

    const rejected: [string, string, number?][] = [
      ['1bffffffffffffffff', 'integer-overflow'],
      ['3bffffffffffffffff', 'integer-overflow'],
      ['c249010000000000000000', 'bignum'],
      ['c349010000000000000000', 'bignum'],
      ['f97c00', 'non-finite-float'],
      ['f97e00', 'non-finite-float'],
      ['f9fc00', 'non-finite-float'],
      ['fa7f800000', 'non-finite-float'],
      ['fa7fc00000', 'non-finite-float'],
      ['faff800000', 'non-finite-float'],
      ['fb7ff0000000000000', 'non-finite-float'],
      ['fb7ff8000000000000', 'non-finite-float'],
      ['fbfff0000000000000', 'non-finite-float'],
      ['f7', 'unsupported-simple-value'],
      ['f0', 'unsupported-simple-value'],
      ['f8ff', 'unsupported-simple-value'],
      ['a201020304', 'map-key-not-string', 1],
    ];
    for (const [example, code, offset] of rejected) {
      it(`${example} is rejected (${code})`, function () {
        assertDecodeError(example, code, offset ?? 0);
      });
    }
  });

  describe('integers', function () {
    const vectors: [JsonValue, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [255, '18ff'],
      [256, '190100'],
      [65535, '19ffff'],
      [65536, '1a00010000'],
      [4294967295, '1affffffff'],
      [4294967296, '1b0000000100000000'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [2n ** 53n, '1b0020000000000000'],
      [2n ** 63n - 1n, '1b7fffffffffffffff'],
      [-1, '20'],
      [-24, '37'],
      [-25, '3818'],
      [-256, '38ff'],
      [-257, '390100'],
      [-Number.MAX_SAFE_INTEGER, '3b001ffffffffffffe'],
      [-(2n ** 53n), '3b001fffffffffffff'],
      [-(2n ** 63n), '3b7fffffffffffffff'],
    ];
    for (const [value, expected] of vectors) {
      it(`${String(value)} ⇄ ${expected}`, function () {
        assert.equal(bare(value), expected);
        assert.deepEqual(decodeHex(expected).value, value);
        assert.equal(decodeHex(expected).canonical, true);
      });
    }

    it('decodes integers beyond 2^53 as exact bigints and safe ones as numbers', function () {
      assert.equal(typeof decodeHex('1b001fffffffffffff').value, 'number');
      assert.equal(decodeHex('1b0020000000000001').value, 9007199254740993n);
      assert.equal(decodeHex('3b0020000000000000').value, -9007199254740993n);
    });

    it('encodes safe bigints and unsafe integral numbers as integers', function () {
      assert.equal(bare(5n), '05');
      assert.equal(bare(2 ** 60), '1b1000000000000000');
      assert.equal(bare(-(2 ** 60)), '3b0fffffffffffffff');
      assert.equal(bare(-(2 ** 63)), '3b7fffffffffffffff'); // int64 minimum
    });

    it('rejects integers outside int64, like Kubernetes', function () {
      assertDecodeError('1b8000000000000000', 'integer-overflow', 0);
      assertDecodeError('3b8000000000000000', 'integer-overflow', 0);
      assertEncodeError(2n ** 63n, 'integer-overflow', '');
      assertEncodeError({ a: [-(2n ** 63n) - 1n] }, 'integer-overflow', 'a[0]');
    });

    it('notes integers and lengths not in their shortest form', function () {
      const decoded = decodeHex('1817');
      assert.equal(decoded.value, 23);
      assert.equal(decoded.canonical, false);
      assert.deepEqual(decoded.nonCanonical, { offset: 0, reason: 'integer, length or tag number not in its shortest form' });
      assert.equal(decodeHex('590001 61').canonical, false);
      assert.equal(decodeHex('9a00000001 01').canonical, false);
    });
  });

  describe('floats', function () {
    const vectors: [JsonValue, string][] = [
      [1.5, 'f93e00'],
      [new GoFloat(1), 'f93c00'],
      [new GoFloat(0), 'f90000'],
      [new GoFloat(-0), 'f98000'],
      [new GoFloat(65504), 'f97bff'],
      [new GoFloat(65505), 'fa477fe100'], // not a float16: 11 significant bits
      [5.960464477539063e-8, 'f90001'], // smallest float16 subnormal
      [6.097555160522461e-5, 'f903ff'], // largest float16 subnormal
      [2 ** -25, 'fa33000000'], // below float16 range, exact in float32
      [0.1, 'fb3fb999999999999a'],
      [new GoFloat(100000), 'fa47c35000'],
      [new GoFloat(3.4028234663852886e38), 'fa7f7fffff'],
      [new GoFloat(1e300), 'fb7e37e43c8800759c'],
      [-4.1, 'fbc010666666666666'],
      [new GoFloat(2 ** 63), 'fa5f000000'],
      [new GoFloat(1e21), 'fb444b1ae4d6e2ef50'],
    ];
    for (const [value, expected] of vectors) {
      it(`${String(value)} ⇄ ${expected}`, function () {
        assert.equal(bare(value), expected);
        assert.deepEqual(decodeHex(expected).value, value);
        assert.equal(decodeHex(expected).canonical, true);
      });
    }

    it('keeps a float with an integral value apart from the integer', function () {
      assert.equal(bare(1), '01');
      assert.equal(bare(new GoFloat(1)), 'f93c00');
      assert.ok(decodeHex('f93c00').value instanceof GoFloat);
      assert.equal(decodeHex('01').value, 1);
    });

    it('treats plain integral numbers of 2^63 and more as floats, as Kubernetes reads them from JSON', function () {
      assert.equal(bare(2 ** 63), 'fa5f000000');
      assert.equal(bare(1e300), 'fb7e37e43c8800759c');
    });

    it('notes floats wider than needed', function () {
      const decoded = decodeHex('fa3fc00000'); // 1.5 as float32
      assert.equal(decoded.value, 1.5);
      assert.deepEqual(decoded.nonCanonical, { offset: 0, reason: 'float32 whose value fits in float16' });
      assert.equal(decodeHex('fb3ff8000000000000').nonCanonical?.reason, 'float64 whose value fits in float16');
      assert.equal(decodeHex('fb3fb99999a0000000').nonCanonical?.reason, 'float64 whose value fits in float32');
    });

    it('refuses to encode NaN and infinities', function () {
      assertEncodeError(Number.NaN, 'non-finite-float', '');
      assertEncodeError({ spec: { ratio: Number.POSITIVE_INFINITY } }, 'non-finite-float', 'spec.ratio');
      assertEncodeError([new GoFloat(Number.NEGATIVE_INFINITY)], 'non-finite-float', '[0]');
    });
  });

  describe('strings', function () {
    it('encodes strings as byte strings, UTF-8', function () {
      assert.equal(bare('hello'), '4568656c6c6f');
      assert.equal(bare('ü水😀'), '49c3bce6b0b4f09f9880');
      assert.equal(bare(''), '40');
      assert.equal(bare('x'.repeat(24)), `5818${'78'.repeat(24)}`);
      assert.equal(bare('x'.repeat(256)), `590100${'78'.repeat(256)}`);
    });

    it('accepts text strings (non-canonical: Kubernetes writes byte strings)', function () {
      const decoded = decodeHex('6449455446');
      assert.equal(decoded.value, 'IETF');
      assert.equal(decoded.nonCanonical?.reason, "text string (Kubernetes's encoder writes strings as byte strings)");
    });

    it('rejects invalid UTF-8 in text strings, at the bad byte', function () {
      assertDecodeError('6261ff', 'invalid-utf8', 2);
      assertDecodeError('a1 4161 63eda080', 'invalid-utf8', 4, 'a'); // an encoded surrogate
      assertDecodeError('62c0af', 'invalid-utf8', 1); // overlong
      assertDecodeError('64f4908080', 'invalid-utf8', 1); // above U+10FFFF
    });

    it('keeps invalid UTF-8 in byte strings (Go strings are bytes) and round-trips it', function () {
      const bytes = hex('a1 4161 4561ff62c328');
      const decoded = decodeCbor(bytes);
      assert.equal(decoded.canonical, true);
      assert.deepEqual(decoded.value, { a: 'a\udcffb\udcc3(' });
      assert.equal(toHex(encodeCbor(decoded.value, { selfDescribe: false })), toHex(bytes));
      // Go's encoding/json writes each invalid byte as \ufffd.
      assert.equal(stringifyGoJson(decoded.value), '{"a":"a\\ufffdb\\ufffd("}\n');
    });

    it('turns byte strings inside tags 21, 22, 23 into base64url, base64, hex text', function () {
      assert.equal(decodeHex('d5 43 fbff00').value, '-_8A');
      assert.equal(decodeHex('d6 43 fbff00').value, '+/8A');
      assert.equal(decodeHex('d6 41 ff').value, '/w==');
      assert.equal(decodeHex('d5 41 ff').value, '_w');
      assert.equal(decodeHex('d6 45 68656c6c6f').value, 'aGVsbG8=');
      assert.equal(decodeHex('d7 42 0aff').value, '0aff');
      // The tag applies to byte strings anywhere inside it, including map keys; text strings are untouched.
      assert.deepEqual(decodeHex('d6 82 41ff a1 41ff 6161').value, ['/w==', { '/w==': 'a' }]);
      // The innermost tag wins, and the outer one applies again after it.
      assert.deepEqual(decodeHex('d6 83 41ff d7 41ff 41ff').value, ['/w==', 'ff', '/w==']);
      assert.equal(decodeHex('d6 40').canonical, false);
    });
  });

  describe('maps', function () {
    it('sorts keys bytewise by their encoding: shorter first, then by UTF-8 bytes', function () {
      assert.equal(bare({ b: 1, aa: 2, a: 3 }), 'a3 4161 03 4162 01 426161 02'.replace(/ /g, ''));
      // U+FF61 (ef bd a1) and U+1F600 (f0 9f 98 80): UTF-16 puts the emoji first, UTF-8 length the other.
      assert.equal(bare({ '😀': 1, '｡': 2 }), 'a2 43efbda1 02 44f09f9880 01'.replace(/ /g, ''));
      // Same UTF-8 length (4): U+E000 + "a" (ee 80 80 61) before U+1F600 (f0 9f 98 80), though UTF-16 says otherwise.
      assert.equal(bare({ '😀': 1, '\ue000a': 2 }), 'a2 44ee808061 02 44f09f9880 01'.replace(/ /g, ''));
    });

    it('notes keys out of order, and still decodes them', function () {
      const decoded = decodeHex('a2 4162 01 4161 02');
      assert.deepEqual(decoded.value, { a: 2, b: 1 });
      assert.deepEqual(decoded.nonCanonical, { offset: 4, reason: 'map keys are not sorted bytewise by their encoding' });
      assert.equal(bare(decoded.value), 'a2416102416201');
    });

    it('rejects duplicate keys, byte or text string alike', function () {
      assertDecodeError('a2 4161 01 4161 02', 'duplicate-key', 4);
      assertDecodeError('a1 4178 a2 4161 01 6161 02', 'duplicate-key', 7, 'x');
    });

    it('rejects keys that are not strings', function () {
      assertDecodeError('a1 01 02', 'map-key-not-string', 1);
      assertDecodeError('a1 80 02', 'map-key-not-string', 1);
      assertDecodeError('a1 f6 02', 'map-key-not-string', 1);
      assertDecodeError('a1 d818 01 02', 'map-key-not-string', 1); // a tag whose content is not a string
    });

    it('keeps a "__proto__" key as data', function () {
      const decoded = decodeHex('a1 495f5f70726f746f5f5f 01');
      const value = decoded.value as JsonObject;
      assert.deepEqual(Object.keys(value), ['__proto__']);
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.equal(bare(value), 'a1495f5f70726f746f5f5f01');
    });

    it('encodes null (Go nil slices and maps) as f6', function () {
      assert.equal(bare({ items: null }), 'a1456974656d73f6');
    });
  });

  describe('errors', function () {
    it('truncated input, with the offset of the item that runs past the end', function () {
      assertDecodeError('', 'truncated', 0);
      assertDecodeError('d9d9f7', 'truncated', 3);
      assertDecodeError('19 01', 'truncated', 0); // argument bytes missing
      assertDecodeError('83 01 02', 'truncated', 0); // 3 elements cannot fit in 2 bytes
      assertDecodeError('82 82 01 02', 'truncated', 4, '[1]'); // second element missing
      assertDecodeError('a1 4161', 'truncated', 3, 'a'); // value missing
      assertDecodeError('a1 4161 45 6869', 'truncated', 3, 'a'); // string runs past the end
      assertDecodeError('9b ffffffffffffffff', 'truncated', 0); // impossible length
      assertDecodeError('fb 3ff0', 'truncated', 0);
    });

    it('reserved additional information 28-30', function () {
      assertDecodeError('1c', 'reserved-additional-info', 0);
      assertDecodeError('81 5d', 'reserved-additional-info', 1, '[0]');
      assertDecodeError('fe', 'reserved-additional-info', 0);
    });

    it('indefinite lengths, unless allowed', function () {
      assertDecodeError('a1 4161 9f 01 ff', 'indefinite-length', 3, 'a');
      assertDecodeError('5f 4161 ff', 'indefinite-length', 0);
      assertDecodeError('bf ff', 'indefinite-length', 0);
    });

    it('ill-formed indefinite lengths, even when allowed', function () {
      const allow = { allowIndefiniteLength: true };
      assertDecodeError('1f', 'ill-formed', 0, '', allow);
      assertDecodeError('5f 6161 ff', 'ill-formed', 1, '', allow); // text chunk in a byte string
      assertDecodeError('5f 5f ff ff', 'ill-formed', 1, '', allow); // nested indefinite chunk
      assertDecodeError('bf 4161 ff', 'unexpected-break', 3, 'a', allow); // break between key and value
      assertDecodeError('9f 01', 'truncated', 2, '[1]', allow);
      assertDecodeError('ff', 'unexpected-break', 0);
      assertDecodeError('81 ff', 'unexpected-break', 1, '[0]');
    });

    it('invalid UTF-8 in a text string', function () {
      assertDecodeError('a1 4161 62 61 80', 'invalid-utf8', 5, 'a');
    });

    it('nesting deeper than the limit', function () {
      assertDecodeError('818181 01', 'too-deep', 2, '[0][0]', { maxDepth: 2 });
      const deep = new Uint8Array(10001).fill(0x81);
      assert.throws(
        () => decodeCbor(Uint8Array.of(...deep, 0x01)),
        (error: unknown) => error instanceof DecodeError && error.code === 'too-deep' && error.subject.offset === 10000,
      );
    });

    it('values outside what unstructured can hold', function () {
      assertDecodeError('f7', 'unsupported-simple-value', 0);
      assertDecodeError('f8 10', 'ill-formed', 0); // simple value below 32 in two-byte form
      assertDecodeError('c2 41 01', 'bignum', 0);
      assertDecodeError('c0 01', 'invalid-tag-content', 1);
      assertDecodeError('c0 6161', 'invalid-time', 1);
      assertDecodeError('c1 1b 00000e8000000000', 'invalid-time', 1); // far beyond year 9999
    });

    it('bytes after the value', function () {
      assertDecodeError('01 02', 'trailing-bytes', 1);
    });

    it('encoding values that are not JSON, with their path', function () {
      assertEncodeError({ a: { b: undefined } }, 'not-json-value', 'a.b');
      assertEncodeError({ 'example.com/x': [1, new Date(0)] }, 'not-json-value', '["example.com/x"][1]');
      assertEncodeError(new Map(), 'not-json-value', '');
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      assert.throws(
        () => encodeCbor(cyclic as JsonValue),
        (error: unknown) => error instanceof EncodeError && error.code === 'too-deep',
      );
    });
  });

  describe('times (tags 0 and 1), as the API server turns them into strings', function () {
    const cases: [string, string][] = [
      ['c0 78 1e 323031332d30332d32315432303a30343a30302e3132333435363738395a', '2013-03-21T20:04:00.123456789Z'],
      ['c0 78 19 323031332d30332d32315432303a30343a30302b30303a3030', '2013-03-21T20:04:00Z'],
      ['c0 78 19 323031332d30332d32315432303a30343a30302d30353a3330', '2013-03-21T20:04:00-05:30'],
      ['c0 78 18 323031332d30332d32315432303a30343a30302e3530305a', '2013-03-21T20:04:00.5Z'],
      ['c1 00', '1970-01-01T00:00:00Z'],
      ['c1 20', '1969-12-31T23:59:59Z'],
      ['c1 f9 be00', '1969-12-31T23:59:58.5Z'], // -1.5 s
      ['c1 1b 0000003afff4417f', '9999-12-31T23:59:59Z'],
      ['c1 3b 0000000e79747bff', '0000-01-01T00:00:00Z'],
      ['c1 1a 38d7ea4c', '2000-03-21T21:31:56Z'],
      ['c1 1a 38bbb4c0', '2000-02-29T12:00:00Z'],
      ['c1 3a 835cb5ff', '1900-03-01T00:00:00Z'],
      ['c1 3b 00000002b7a3fc00', '1600-02-29T23:59:59Z'],
    ];
    for (const [example, text] of cases) {
      it(`${example.replace(/ /g, '')} → ${text}`, function () {
        assert.equal(decodeHex(example).value, text);
      });
    }
  });

  describe('round trips', function () {
    it('decode(encode(v)) equals v and re-encodes to the same bytes, for random values', function () {
      const next = random(1);
      for (let i = 0; i < 2000; i++) {
        const value = randomValue(next, 4);
        const bytes = encodeCbor(value);
        const decoded = decodeCbor(bytes);
        assert.deepEqual(decoded.value, value);
        assert.equal(decoded.canonical, true, decoded.nonCanonical?.reason);
        assert.deepEqual(encodeCbor(decoded.value), bytes);
      }
    });

    it('damaged input either fails with a DecodeError or reports exactly whether it re-encodes', function () {
      const next = random(2);
      let decodedCount = 0;
      for (let i = 0; i < 5000; i++) {
        const bytes = encodeCbor(randomValue(next, 3), { selfDescribe: next() < 0.5 });
        const damaged = Uint8Array.from(bytes);
        const changes = 1 + Math.floor(next() * 3);
        for (let c = 0; c < changes; c++) damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256);
        const input = next() < 0.2 ? damaged.subarray(0, Math.floor(next() * damaged.length)) : damaged;
        for (const allowIndefiniteLength of [false, true]) {
          let decoded: CborDecoded;
          try {
            decoded = decodeCbor(input, { allowIndefiniteLength });
          } catch (error) {
            assert.ok(error instanceof DecodeError, `not a DecodeError: ${String(error)} for ${toHex(input)}`);
            assert.ok(typeof error.subject.offset === 'number' && error.subject.offset <= input.length);
            continue;
          }
          decodedCount++;
          const reencoded = encodeCbor(decoded.value, { selfDescribe: decoded.selfDescribed });
          assert.equal(toHex(reencoded) === toHex(input), decoded.canonical, `${toHex(input)}: ${decoded.nonCanonical?.reason ?? 'canonical'}`);
        }
      }
      assert.ok(decodedCount > 500, `only ${decodedCount} damaged inputs decoded`);
    });

    it('handles 10000 levels of nesting without overflowing the stack', function () {
      let value: JsonValue = 'bottom';
      for (let i = 0; i < 9999; i++) value = i % 2 === 0 ? [value] : { k: value };
      const bytes = encodeCbor(value);
      const decoded = decodeCbor(bytes);
      assert.equal(decoded.canonical, true);
      assert.deepEqual(encodeCbor(decoded.value), bytes);
    });
  });

  describe('large values', function () {
    // Speed is measured by npm run bench, not asserted here: these machines are shared and noisy.
    it('encodes and decodes a 1 MB object back to the same bytes', function () {
      const items: JsonObject[] = [];
      for (let i = 0; i < 6000; i++) {
        items.push({
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: `widget-${i}`, namespace: 'default', labels: { app: 'web', tier: 'frontend' }, generation: i },
          spec: { size: i + 0.5, count: i, enabled: i % 2 === 0, ratio: new GoFloat(i), tags: ['a', 'b', 'ü水'], note: null },
        });
      }
      const value: JsonObject = { apiVersion: 'v1', kind: 'List', items };
      const bytes = encodeCbor(value);
      assert.ok(bytes.length > 1_000_000, `only ${bytes.length} bytes`);
      const decoded = decodeCbor(bytes);
      assert.deepEqual(encodeCbor(decoded.value), bytes);
    });
  });
});
