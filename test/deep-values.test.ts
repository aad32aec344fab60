/**
 * Values that decode fine but are hostile to printers: nesting up to the codec's limit (10,000
 * levels, Go's), int64 values next to strings that look like kreg's old markers, and type names
 * that are JavaScript prototype names. Every output format prints them, and a listing goes on.
 */
import assert from 'node:assert/strict';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { GoFloat } from '../src/codec/json-value.js';
import { forDisplay, formatJson, formatYaml, writeJson } from '../src/format/object-text.js';
import { decode, encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { storableFixtures } from './support/fixtures.js';
import { requireSharedFixtures } from './support/shared-data.js';
import { runKreg } from './support/run-cli.js';
import { WIDGET_CRD } from './support/widget-crd.js';

const DEEP_IN_LISTING = 4_000;

/** A Widget whose spec nests `depth` maps. */
function deepWidget(name: string, depth: number): string {
  let inner = '"bottom"';
  for (let i = 0; i < depth; i++) inner = `{"a":${inner}}`;
  return `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"${name}","namespace":"shop"},"spec":${inner}}\n`;
}

function depthOf(value: unknown): number {
  let depth = 0;
  for (let at = value; typeof at === 'object' && at !== null; at = (at as Record<string, unknown>)['a'] ?? (at as Record<string, unknown>)['spec']) depth++;
  return depth;
}

/** A pseudo-random JSON value (seeded), with the shapes decoded objects hold. */
function randomValue(seed: number, depth = 0): JsonValue {
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const make = (d: number): JsonValue => {
    const r = next();
    if (d > 5 || r < 0.3) {
      const leaf = Math.floor(next() * 8);
      return [null, true, false, Math.floor(next() * 1e6) - 5e5, next() * 100, 'text "quoted" \\ and ü', new GoFloat(2), 9007199254740993n][leaf] as JsonValue;
    }
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => make(d + 1));
    const o: JsonObject = {};
    for (let i = Math.floor(next() * 5); i > 0; i--) o[['b', 'a', 'z', '__proto__', 'ключ', 'A'][Math.floor(next() * 6)] as string] = make(d + 1);
    return o;
  };
  return make(depth);
}

describe('hostile values', function () {
  it('the iterative JSON writer writes what JSON.stringify writes, on every fixture', function () {
    requireSharedFixtures(this);
    for (const fixture of storableFixtures()) {
      const object = decode(encode(fixture.json)).object as JsonObject;
      for (const indent of [4, 0]) assert.equal(writeJson(object, indent), JSON.stringify(forDisplay(object), undefined, indent), fixture.name);
    }
  });

  it('the iterative JSON writer agrees with the fast path on random values (bigints aside)', function () {
    for (let seed = 1; seed < 300; seed++) {
      const value = randomValue(seed);
      const text = formatJson(value);
      assert.equal(writeJson(value, 4), text, `seed ${seed}`);
      // And it parses back to the same shape, bigints as plain digits.
      JSON.parse(text);
    }
  });

  it('formats 10,000 levels of nesting as JSON and YAML', function () {
    const object = decode(new TextEncoder().encode(deepWidget('deep', 9_990))).object as JsonObject;
    const json = formatJson(object);
    assert.equal(depthOf(JSON.parse(json)), 9_991);
    assert.equal(depthOf(JSON.parse(formatJson(object, 0))), 9_991);
    const yaml = formatYaml(object);
    assert.match(yaml, /^# kreg: nested deeper than \d+ levels: shown as JSON/);
    assert.equal(depthOf(JSON.parse(yaml.slice(yaml.indexOf('\n') + 1))), 9_991);
  });

  /** Widgets a-shallow, b-deep (nested `depth` levels) and c-shallow, with their CRD. */
  function widgetsWithOneDeep(depth: number): MemorySource {
    const source = new MemorySource();
    source.put('/registry/example.com/widgets/shop/a-shallow', deepWidget('a-shallow', 3));
    source.put('/registry/example.com/widgets/shop/b-deep', deepWidget('b-deep', depth));
    source.put('/registry/example.com/widgets/shop/c-shallow', deepWidget('c-shallow', 3));
    source.put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', JSON.stringify(WIDGET_CRD));
    return source;
  }

  it('prints a value nested 10,000 levels in every output format, and a listing goes on past it', async function () {
    // Indented YAML and JSON grow with the square of the depth (200 MB at 10,000 levels): in a
    // listing they are printed at 4,000, past where the printers used to overflow (about 3,000);
    // formatYaml and formatJson are tested at 10,000 above.
    for (const [depth, outputs] of [
      [9_990, ['ndjson', 'name', 'wide', 'table']],
      [DEEP_IN_LISTING, ['yaml', 'json']],
    ] as const) {
      const source = widgetsWithOneDeep(depth);
      for (const output of outputs) {
        const r = await runKreg(['get', 'widgets', '-n', 'shop', ...(output === 'table' ? [] : ['-o', output])], { source });
        assert.equal(r.code, 0, `${output}: ${r.stderr}`);
        for (const name of ['a-shallow', 'b-deep', 'c-shallow']) assert.ok(r.stdout.toString().includes(name), `${output} lacks ${name}`);
        if (output === 'ndjson') {
          const lines = r.stdout.toString().trim().split('\n');
          assert.equal(lines.length, 3);
          assert.equal(depthOf(JSON.parse(lines[1] as string)), depth + 1);
        }
      }
    }
  });

  it('keeps a user string that looks like an old internal marker a string, next to a big int64', function () {
    const text = formatJson({ big: 9007199254740993n, tricky: '\u0000kreg-bigint:42' });
    assert.deepEqual(JSON.parse(text.replace('9007199254740993', '"big"')), { big: 'big', tricky: '\u0000kreg-bigint:42' });
    assert.match(text, /"big": 9007199254740993/);
  });

  it('does not take JavaScript prototype names for Kubernetes group versions', function () {
    for (const apiVersion of ['__proto__', 'constructor', 'toString']) {
      // k8s\0 + Unknown{ typeMeta{ apiVersion, kind: Status }, raw: {} }
      const typeMeta = Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from('Status'))]);
      const value = Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, Buffer.alloc(0))]);
      const decoded = decode(value);
      assert.equal(decoded.knownKind, false, apiVersion);
    }
  });
});

/** One length-delimited protobuf field. */
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}
