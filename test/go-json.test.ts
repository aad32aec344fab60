/**
 * Go encoding/json output, byte for byte (escaping, float formatting, key order, newline), and
 * the parser that keeps int64 and float64 apart. Expected strings follow encoding/json/encode.go
 * (Go 1.22+) and strconv's shortest formatting.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeCbor, encodeCbor } from '../src/codec/cbor.js';
import { parseGoJson, stringifyGoJson } from '../src/codec/go-json.js';
import type { GoJsonOptions } from '../src/codec/go-json.js';
import { GoFloat } from '../src/codec/json-value.js';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import { FIXTURES_DIR, requireSharedFixtures } from './support/shared-data.js';

function compact(value: JsonValue, options: GoJsonOptions = {}): string {
  return stringifyGoJson(value, { trailingNewline: false, ...options });
}

function assertParseError(text: string, offset: number, code = 'invalid-json', path = ''): void {
  assert.throws(
    () => parseGoJson(text),
    (error: unknown) => {
      assert.ok(error instanceof DecodeError, `expected a DecodeError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.subject.offset, offset, `offset of: ${error.message}`);
      assert.equal(error.subject.path, path, `path of: ${error.message}`);
      return true;
    },
  );
}

/** Removes whitespace outside strings: Go's json.Compact, to compare indented fixtures. */
function compactJsonText(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i]!;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (!' \t\n\r'.includes(char)) out += char;
  }
  return out;
}

describe('Go encoding/json', function () {
  describe('stringifyGoJson', function () {
    it('writes a custom resource as the API server does: sorted keys, compact, newline', function () {
      const widget: JsonObject = {
        spec: { size: 1.5, count: 3 },
        metadata: { name: 'a' },
        kind: 'Widget',
        apiVersion: 'example.com/v1',
      };
      assert.equal(stringifyGoJson(widget), '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},"spec":{"count":3,"size":1.5}}\n');
    });

    it('omits the newline on request and keeps insertion order on request', function () {
      const value: JsonObject = { kind: 'Pod', apiVersion: 'v1', metadata: {} };
      assert.equal(stringifyGoJson(value, { trailingNewline: false }), '{"apiVersion":"v1","kind":"Pod","metadata":{}}');
      assert.equal(compact(value, { keyOrder: 'insertion' }), '{"kind":"Pod","apiVersion":"v1","metadata":{}}');
    });

    it('writes scalars and empty containers', function () {
      assert.equal(compact(null), 'null');
      assert.equal(compact(true), 'true');
      assert.equal(compact(false), 'false');
      assert.equal(compact([]), '[]');
      assert.equal(compact({}), '{}');
      assert.equal(compact([1, 'a', null, [], {}]), '[1,"a",null,[],{}]');
    });

    describe('string escaping (encodeState.string, HTML-safe)', function () {
      const cases: [string, string][] = [
        ['plain', '"plain"'],
        ['quote " and backslash \\', '"quote \\" and backslash \\\\"'],
        ['\n\r\t', '"\\n\\r\\t"'],
        ['\b\f', '"\\b\\f"'],
        ['\u0000\u0001\u001f', '"\\u0000\\u0001\\u001f"'],
        ['\u000b', '"\\u000b"'],
        ['<a href="x">&amp;</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e"'],
        ['\u2028\u2029', '"\\u2028\\u2029"'],
        ['\u007f', '"\u007f"'], // DEL is not escaped
        ['/', '"/"'],
        ['é水😀', '"é水😀"'],
        ['\ufffd', '"\ufffd"'], // a real U+FFFD is written as is
        ['a\ud800b', '"a\\ufffdb"'], // lone high surrogate
        ['a\udc00', '"a\\ufffd"'], // lone low surrogate
        ['\udcff\udc80', '"\\ufffd\\ufffd"'], // escaped invalid bytes, one \ufffd each as Go does
        ['\ud83d', '"\\ufffd"'],
      ];
      for (const [input, expected] of cases) {
        it(`${JSON.stringify(input)} → ${expected}`, function () {
          assert.equal(compact(input), expected);
        });
      }

      it('escapes every control character like Go 1.22+', function () {
        const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
        for (let code = 0; code < 0x20; code++) {
          const expected = short[code] ?? `\\u00${code.toString(16).padStart(2, '0')}`;
          assert.equal(compact(String.fromCharCode(code)), `"${expected}"`);
        }
      });

      it('writes \\b and \\f as \\u0008 and \\u000c for Go before 1.22', function () {
        assert.equal(compact('\b\f\n', { legacyControlEscapes: true }), '"\\u0008\\u000c\\n"');
      });

      it('leaves <, > and & alone without HTML escaping', function () {
        assert.equal(compact('<&>\u2028', { escapeHtml: false }), '"<&>\\u2028"');
      });

      it('escapes keys the same way', function () {
        assert.equal(compact({ '<k>': 1 }), '{"\\u003ck\\u003e":1}');
      });
    });

    describe('numbers', function () {
      const floats: [number, string][] = [
        [1.5, '1.5'],
        [0.1, '0.1'],
        [-4.1, '-4.1'],
        [1e-6, '0.000001'],
        [9.999999999999997e-7, '9.999999999999997e-7'], // the float64 just below 1e-6
        [1e-7, '1e-7'],
        [1.5e-7, '1.5e-7'],
        [1.234e-10, '1.234e-10'],
        [1e-100, '1e-100'],
        [5e-324, '5e-324'],
        [123456.789, '123456.789'],
        [1e20, '100000000000000000000'],
        [999999999999999900000, '999999999999999900000'], // the float64 just below 1e21
        [1e21, '1e+21'],
        [1.5e300, '1.5e+300'],
        [1.7976931348623157e308, '1.7976931348623157e+308'],
        [2 ** 60, '1152921504606847000'],
        [-0, '-0'],
        [0, '0'],
        [100, '100'],
      ];
      for (const [value, expected] of floats) {
        it(`float64 ${Object.is(value, -0) ? '-0' : value} → ${expected}`, function () {
          const asFloat: JsonValue = Number.isInteger(value) ? new GoFloat(value) : value;
          assert.equal(compact(asFloat), expected);
        });
      }

      it('writes int64 values as exact digits', function () {
        assert.equal(compact(0), '0');
        assert.equal(compact(-0), '0'); // int64 has no negative zero
        assert.equal(compact(-42), '-42');
        assert.equal(compact(Number.MAX_SAFE_INTEGER), '9007199254740991');
        assert.equal(compact(9007199254740993n), '9007199254740993');
        assert.equal(compact(-(2n ** 63n)), '-9223372036854775808');
        assert.equal(compact(2 ** 60), '1152921504606846976'); // integral number: int64, exact
        assert.equal(compact(new GoFloat(2 ** 60)), '1152921504606847000'); // the same value as float64
        assert.equal(compact(1e21), '1e+21'); // beyond int64: a float64
        assert.equal(compact(-(2 ** 63)), '-9223372036854775808'); // int64 minimum
        assert.equal(compact(2 ** 63), '9223372036854776000'); // beyond int64: a float64, shortest digits
      });

      it('refuses NaN and infinities with the path', function () {
        assert.throws(
          () => stringifyGoJson({ spec: { values: [1, Number.NaN] } }),
          (error: unknown) => error instanceof EncodeError && error.code === 'non-finite-float' && error.subject.path === 'spec.values[1]',
        );
        assert.throws(() => stringifyGoJson(new GoFloat(Number.POSITIVE_INFINITY)), EncodeError);
      });
    });

    describe('key order', function () {
      it('sorts by UTF-8 bytes, not UTF-16 code units', function () {
        // U+FF61 (ef bd a1) sorts before U+1F600 (f0 9f 98 80) in UTF-8; JS's sort puts the emoji first.
        const value: JsonObject = { '😀': 1, '｡': 2, b: 3, B: 4, é: 5, '': 6 };
        assert.deepEqual(Object.keys(value).sort(), ['', 'B', 'b', 'é', '😀', '｡']);
        assert.equal(compact(value), '{"":6,"B":4,"b":3,"é":5,"｡":2,"😀":1}');
      });

      it('sorts prefixes first and compares escaped bytes as bytes', function () {
        assert.equal(compact({ ab: 1, a: 2, abc: 3 }), '{"a":2,"ab":1,"abc":3}');
        // \udcff is the invalid byte ff: above every valid lead byte. \udc80 (byte 80) is below é (c3).
        assert.equal(compact({ '\udcff': 1, '😀': 2, '\udc80': 3, é: 4 }), '{"\\ufffd":3,"é":4,"😀":2,"\\ufffd":1}');
      });

      it('sorts integer-like keys as strings', function () {
        assert.equal(compact({ '10': 1, '9': 2, '1': 3 }), '{"1":3,"10":1,"9":2}');
      });
    });

    it('reports values that are not JSON with their path', function () {
      assert.throws(
        () => stringifyGoJson({ a: [{ b: undefined }] } as unknown as JsonValue),
        (error: unknown) => error instanceof EncodeError && error.code === 'not-json-value' && error.subject.path === 'a[0].b',
      );
      const cyclic: unknown[] = [];
      cyclic.push(cyclic);
      assert.throws(
        () => stringifyGoJson(cyclic as JsonValue),
        (error: unknown) => error instanceof EncodeError && error.code === 'too-deep',
      );
    });
  });

  describe('parseGoJson', function () {
    it('parses integers as int64: numbers when safe, exact bigints beyond 2^53', function () {
      assert.deepEqual(parseGoJson('[0, -0, 42, 9007199254740991, 9007199254740992, -9007199254740993, 9223372036854775807, -9223372036854775808]'), [
        0,
        0,
        42,
        9007199254740991,
        9007199254740992n,
        -9007199254740993n,
        9223372036854775807n,
        -9223372036854775808n,
      ]);
      assert.equal(Object.is(parseGoJson('-0'), 0), true);
    });

    it('parses integers beyond int64 as float64, as Kubernetes does', function () {
      assert.deepEqual(parseGoJson('9223372036854775808'), new GoFloat(9223372036854775808));
      assert.deepEqual(parseGoJson('-100000000000000000000'), new GoFloat(-1e20));
    });

    it('keeps floats written with a fraction or exponent as float64', function () {
      assert.deepEqual(parseGoJson('[1.0, 1e3, 1E+3, 2.5e-1, -0.0, 0.1, 1.5]'), [new GoFloat(1), new GoFloat(1000), new GoFloat(1000), 0.25, new GoFloat(-0), 0.1, 1.5]);
      assert.equal(Object.is((parseGoJson('-0.0') as GoFloat).value, -0), true);
      assert.deepEqual(parseGoJson('1e-400'), new GoFloat(0));
    });

    it('round-trips through stringifyGoJson', function () {
      const text = '{"a":[1,1.5,1e+21,9007199254740993,"x\\u003c\\n\\u2028"],"b":{"c":null,"d":true},"e":1e-7}';
      assert.equal(compact(parseGoJson(text)), text);
    });

    it('decodes escapes like Go: pairs combine, lone surrogates become U+FFFD', function () {
      assert.equal(parseGoJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9"'), '"\\/\b\f\n\r\tAé');
      assert.equal(parseGoJson('"\\ud83d\\ude00"'), '😀');
      assert.equal(parseGoJson('"\\uD83D\\uDE00"'), '😀');
      assert.equal(parseGoJson('"\\ud83dx"'), '\ufffdx');
      assert.equal(parseGoJson('"\\ude00\\ud83d"'), '\ufffd\ufffd');
      assert.equal(parseGoJson('"\\ud83d\\u0041"'), '\ufffdA');
      assert.equal(parseGoJson('"raw \ud83d lone"'), 'raw \ufffd lone');
      assert.equal(parseGoJson('"raw 😀 pair"'), 'raw 😀 pair');
    });

    it('replaces invalid UTF-8 in byte input with U+FFFD', function () {
      assert.equal(parseGoJson(Uint8Array.of(0x22, 0x61, 0xff, 0x62, 0x22)), 'a\ufffdb');
    });

    it('lets a repeated key keep its last value, as Go does', function () {
      assert.deepEqual(parseGoJson('{"a":1,"b":2,"a":3}'), { a: 3, b: 2 });
    });

    it('keeps a "__proto__" key as data', function () {
      const value = parseGoJson('{"__proto__":{"x":1}}') as JsonObject;
      assert.deepEqual(Object.keys(value), ['__proto__']);
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.equal(compact(value), '{"__proto__":{"x":1}}');
    });

    it('accepts the four JSON whitespace characters only', function () {
      assert.deepEqual(parseGoJson(' \t\r\n[ 1 ,\n2 ]\n'), [1, 2]);
      assertParseError('\u00a0[]', 0);
    });

    it('rejects invalid JSON with the offset and path', function () {
      assertParseError('', 0);
      assertParseError('[1,]', 3, 'invalid-json', '[1]');
      assertParseError('{"a":01}', 6, 'invalid-json', 'a');
      assertParseError('{"a" 1}', 5);
      assertParseError('{a:1}', 1);
      assertParseError('"abc', 4);
      assertParseError('"a\nb"', 2);
      assertParseError('"\\x"', 2);
      assertParseError('"\\u12g4"', 3);
      assertParseError('1.', 2);
      assertParseError('1e', 2);
      assertParseError('-', 1);
      assertParseError('+1', 0);
      assertParseError('.5', 0);
      assertParseError('[1] x', 4);
      assertParseError('tru', 0);
      assertParseError('NaN', 0);
      assertParseError('1e999', 0);
    });

    it('reports byte offsets for byte input', function () {
      assert.throws(
        () => parseGoJson(new TextEncoder().encode('["é", x]')),
        (error: unknown) => error instanceof DecodeError && error.subject.offset === 7,
      );
    });

    it('allows 10000 levels of nesting and no more', function () {
      assert.equal((parseGoJson('['.repeat(10000) + ']'.repeat(10000)) as JsonValue[]).length, 1);
      assertParseError('['.repeat(10001) + ']'.repeat(10001), 10000, 'too-deep', '[0]'.repeat(10000));
      const deep = parseGoJson('{"a":'.repeat(9999) + '1' + '}'.repeat(9999));
      assert.equal(compact(deep), '{"a":'.repeat(9999) + '1' + '}'.repeat(9999));
    });
  });

  describe('with CBOR', function () {
    it('CBOR and JSON decoding agree on the value model', function () {
      const json = '{"apiVersion":"example.com/v1","kind":"Widget","spec":{"big":9007199254740993,"count":3,"ratio":2.0,"size":1.5}}';
      const fromJson = parseGoJson(json);
      const fromCbor = decodeCbor(encodeCbor(fromJson)).value;
      assert.deepEqual(fromCbor, fromJson);
      // The API serves the float 2.0 as "2", as Go's encoder does.
      assert.equal(compact(fromCbor), json.replace('2.0', '2'));
    });
  });

  describe('upstream fixtures', function () {
    const fixtureDirs = ['api', 'apiextensions'].map((dir) => `${FIXTURES_DIR}/${dir}`).filter((dir) => existsSync(dir));
    it('parse then stringify (in field order) reproduces every Kubernetes JSON fixture, compacted', function () {
      if (fixtureDirs.length === 0) requireSharedFixtures(this);
      let count = 0;
      for (const dir of fixtureDirs) {
        for (const file of readdirSync(dir)) {
          if (!file.endsWith('.json')) continue;
          const text = readFileSync(`${dir}/${file}`, 'utf8');
          assert.equal(compact(parseGoJson(text), { keyOrder: 'insertion' }), compactJsonText(text), file);
          count++;
        }
      }
      assert.ok(count > 150, `only ${count} fixtures`);
    });
  });

  describe('large values', function () {
    // Speed is measured by npm run bench, not asserted here: these machines are shared and noisy.
    it('writes and parses a 1 MB object back to the same text', function () {
      const items: JsonObject[] = [];
      for (let i = 0; i < 5000; i++) {
        items.push({
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: `widget-${i}`, labels: { app: 'web', 'example.com/tier': 'frontend <1>' }, generation: i },
          spec: { size: i + 0.5, count: i, enabled: i % 2 === 0, ratio: new GoFloat(i), tags: ['a', 'ü水', 'line\nbreak'], note: null },
        });
      }
      const value: JsonObject = { apiVersion: 'v1', kind: 'List', items };
      const text = stringifyGoJson(value);
      assert.ok(text.length > 1_000_000, `only ${text.length} characters`);
      const parsed = parseGoJson(text);
      assert.equal(stringifyGoJson(parsed), text);
    });
  });
});
