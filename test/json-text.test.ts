/**
 * The JSON text transcoder (protobuf straight to -o json/ndjson text) gives the very bytes the
 * object path prints: decodeEntry, masking, managedFields hidden or shown, formatJson. Held to it
 * on every upstream fixture, on values it must leave to the object path, and on damaged values.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { readEnvelope } from '../src/codec/envelope.js';
import { JsonTextBuffer } from '../src/codec/json-text-buffer.js';
import { writeStoredObjectJson, type JsonTextEngine, type JsonTextOptions } from '../src/codec/protobuf-to-json-text.js';
import type { JsonObject } from '../src/codec/json-value.js';
import { formatJson } from '../src/format/object-text.js';
import { encode } from '../src/index.js';
import { loadSchema } from '../src/schema-bundle.js';
import type { Entry } from '../src/sources/source.js';
import { damageablePod, oneByteDamaged } from './support/damageable-pod.js';
import { entryOf, laidOut, type Layout, jsonTextOptions, layouts, printedByObjectPath, type View, views } from './support/printed-json.js';
import { storableFixtures } from './support/fixtures.js';
import { FIXTURES_DIR, K8S_VERSIONS_DIR, releasesWithFixtures, requireReleaseFixtures, requireSharedFixtures } from './support/shared-data.js';
import { loadUpstreamFixtures } from './support/upstream-fixtures.js';

const schema = loadSchema();

/** Values the JavaScript walk wrote and the WebAssembly one refused, since the test began. */
let refusedByWasm: string[] = [];

/**
 * The transcoder's text for the entry, laid out as the writer lays it out; undefined when it
 * declines. Both walks write it: the WebAssembly one must write what the JavaScript one writes
 * (or refuse, which is noted in refusedByWasm).
 */
function printedByTranscoder(entry: Entry, view: View, layout: Layout, kubeVersion?: string): string | undefined {
  const js = transcodedBy('javascript', entry, view, layout, kubeVersion);
  const wasm = transcodedBy('webassembly', entry, view, layout, kubeVersion);
  if (wasm !== undefined && js !== undefined) assert.equal(wasm, js, `${entry.key}: the WebAssembly walk writes what the JavaScript walk writes`);
  else if (js !== undefined) refusedByWasm.push(`${entry.key} ${layout}`);
  // Only the WebAssembly walk masks a Secret's data.
  else if (wasm !== undefined) assert.ok(view.showSecrets === false && /"kind":\s*"Secret"/.test(wasm), `${entry.key}: the JavaScript walk declined`);
  const any = transcodedBy('any', entry, view, layout, kubeVersion);
  assert.equal(any, wasm ?? js, `${entry.key}: the walks together`);
  return any;
}

function transcodedBy(engine: JsonTextEngine, entry: Entry, view: View, layout: Layout, kubeVersion?: string): string | undefined {
  const out = new JsonTextBuffer(64);
  if (!writeStoredObjectJson(kubeVersion === undefined ? schema : loadSchema(kubeVersion), entry.value, jsonTextOptions(entry, view, layout), out, engine)) return undefined;
  const bytes = Buffer.from(out.take());
  const text = bytes.toString('utf8');
  // Compared as text below: the bytes must be that text's UTF-8 (a raw broken sequence would read as U+FFFD too).
  assert.ok(Buffer.from(text, 'utf8').equals(bytes), 'the JSON text is valid UTF-8');
  return laidOut(text, layout);
}

describe('JSON text straight from protobuf', function () {
  beforeEach(function () {
    refusedByWasm = [];
  });

  it('prints every upstream fixture as the object path does, in every layout', function () {
    requireSharedFixtures(this);
    let transcoded = 0;
    const fixtures = loadUpstreamFixtures(FIXTURES_DIR);
    for (const fixture of fixtures) {
      const entry = entryOf(fixture.pb);
      for (const view of views) {
        for (const layout of layouts) {
          const fast = printedByTranscoder(entry, view, layout);
          if (fast === undefined) continue;
          transcoded++;
          assert.equal(fast, printedByObjectPath(entry, view, layout), `${fixture.name} ${layout} ${JSON.stringify(view)}`);
        }
      }
    }
    assert.ok(fixtures.length > 180, `${fixtures.length} fixtures`);
    assert.ok(transcoded > 900, `${transcoded} transcoded`);
    assert.deepEqual(refusedByWasm, [], 'the WebAssembly walk writes every fixture the JavaScript walk writes');
  });

  it('covers every kind kube-apiserver stores, a Secret masked or not', function () {
    requireSharedFixtures(this);
    const declined: string[] = [];
    for (const fixture of storableFixtures()) {
      const entry = entryOf(new Uint8Array(readFileSync(fixture.file)), fixture.key);
      for (const view of views) {
        if (printedByTranscoder(entry, view, 'ndjson') === undefined) declined.push(`${fixture.name} ${JSON.stringify(view)}`);
      }
    }
    assert.deepEqual(declined, []);
    assert.deepEqual(refusedByWasm, []);
  });

  it("prints every older release's fixtures, read as that release, as the object path does", function () {
    requireReleaseFixtures(this);
    let transcoded = 0;
    for (const release of releasesWithFixtures()) {
      for (const fixture of loadUpstreamFixtures(`${K8S_VERSIONS_DIR}/v${release}/testdata`)) {
        const entry = entryOf(fixture.pb);
        for (const view of views) {
          for (const layout of layouts) {
            const fast = printedByTranscoder(entry, view, layout, release);
            if (fast === undefined) continue;
            transcoded++;
            assert.equal(fast, printedByObjectPath(entry, view, layout, release), `${release} ${fixture.name} ${layout} ${JSON.stringify(view)}`);
          }
        }
      }
    }
    assert.ok(transcoded > 5000, `${transcoded} transcoded`);
    assert.deepEqual(refusedByWasm, [], 'the WebAssembly walk writes every fixture the JavaScript walk writes');
  });

  it("masks a Secret's data as the object path does, and leaves one with kubectl apply's copy to it", function () {
    const secret = (annotations: Record<string, string>): Uint8Array =>
      encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop', annotations }, data: { password: 'aHVudGVyMg==', token: '' }, stringData: { extra: 'x' }, type: 'Opaque' });
    const plain = entryOf(secret({ note: 'x' }), '/registry/secrets/shop/s');
    const masked = { showSecrets: false, showManagedFields: false };
    const shown = { showSecrets: true, showManagedFields: false };
    for (const layout of layouts) {
      for (const view of [masked, shown]) assert.equal(printedByTranscoder(plain, view, layout), printedByObjectPath(plain, view, layout), `${layout} ${JSON.stringify(view)}`);
    }
    assert.match(printedByTranscoder(plain, masked, 'ndjson') ?? '', /"data":\{"password":"\*\*\*","token":"\*\*\*"\}/);
    assert.match(printedByTranscoder(plain, shown, 'ndjson') ?? '', /"password":"aHVudGVyMg=="/);
    const applied = entryOf(secret({ 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}\n' }), '/registry/secrets/shop/s');
    assert.equal(printedByTranscoder(applied, masked, 'ndjson'), undefined);
    assert.doesNotMatch(printedByObjectPath(applied, masked, 'ndjson') ?? '', /aHVudGVyMg/);
    // Without the masked value to write, a masked Secret is the object path's.
    const options: JsonTextOptions = { resourceVersion: '1', managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: formatJson };
    assert.equal(writeStoredObjectJson(schema, plain.value, options, new JsonTextBuffer(64)), false);
  });

  it('sets resourceVersion, hides managedFields, sorts map keys and escapes strings as the object path does', function () {
    const object: JsonObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: 'shop',
        resourceVersion: '1',
        labels: { zeta: '1', alpha: '2', ünïcode: '3' },
        annotations: { note: 'line one\nline "two" \\ tab\t and \u2028 end', emoji: '\u{1F600}' },
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      data: { b: '', a: 'x' },
    };
    const entry = entryOf(encode(object), '/registry/configmaps/shop/c', 99);
    for (const view of views) {
      for (const layout of layouts) {
        const fast = printedByTranscoder(entry, view, layout);
        assert.ok(fast !== undefined, `${layout} transcoded`);
        assert.equal(fast, printedByObjectPath(entry, view, layout), `${layout} ${JSON.stringify(view)}`);
      }
    }
    const line = printedByTranscoder(entry, views[0] as View, 'ndjson') ?? '';
    assert.match(line, /"resourceVersion":"99"/);
    assert.doesNotMatch(line, /managedFields/);
  });

  it('writes a resourceVersion of digits in WebAssembly and leaves any other to the JavaScript walk', () => {
    const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: 'x' } });
    const written = (engine: JsonTextEngine, resourceVersion: string): string | undefined => {
      const out = new JsonTextBuffer(64);
      const options: JsonTextOptions = { resourceVersion, managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: formatJson };
      return writeStoredObjectJson(schema, value, options, out, engine) ? Buffer.from(out.bytes.subarray(0, out.length)).toString('utf8') : undefined;
    };
    for (const resourceVersion of ['7', '', '1'.repeat(60), '1'.repeat(61), '12a', 'a"b', '٣']) {
      const text = written('javascript', resourceVersion);
      assert.ok(text?.includes(`"resourceVersion":${JSON.stringify(resourceVersion)}`), resourceVersion);
      const digits = /^[0-9]{0,60}$/.test(resourceVersion);
      assert.equal(written('webassembly', resourceVersion), digits ? text : undefined, resourceVersion);
      assert.equal(written('any', resourceVersion), text, resourceVersion);
    }
  });

  it('writes long and short strings, plain, escaped, non-ASCII and broken UTF-8, as the object path does', function () {
    const long = 'x'.repeat(80);
    const data: JsonObject = {
      plain: long,
      quoted: `${long}"quoted"`,
      backslash: `${long}\\`,
      control: `${long}\u0001\u001f`,
      newline: `${long}\n`,
      accents: `${long}é`,
      astral: `${long}\u{1F600}`,
      del: `${long}\u007f`,
      shortBroken: 'aXYZb',
      longBroken: `${long}XYZ${long}`,
    };
    const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data });
    // Turn each Y into a byte that is no UTF-8 (a lone continuation byte): the decoder shows U+FFFD.
    // The Y of each XYZ (bytes 0x58 0x59 0x5a, found only inside those two strings).
    const marked = (i: number): boolean => value[i - 1] === 0x58 && value[i] === 0x59 && value[i + 1] === 0x5a;
    const broken = Uint8Array.from(value, (b, i) => (marked(i) ? 0x80 : b));
    assert.equal(broken.filter((b, i) => b !== value[i]).length, 2);
    for (const bytes of [value, broken]) {
      const entry = entryOf(bytes, '/registry/configmaps/shop/c');
      for (const layout of layouts) {
        const fast = printedByTranscoder(entry, views[0] as View, layout);
        assert.ok(fast !== undefined);
        assert.equal(fast, printedByObjectPath(entry, views[0] as View, layout), layout);
      }
    }
    assert.match(printedByTranscoder(entryOf(broken), views[0] as View, 'ndjson') ?? '', /"shortBroken":"aX\uFFFDZb"/);
  });

  it('finds a character to escape at any place of a long string (they are checked four or eight bytes at a time)', function () {
    const data: JsonObject = {};
    const specials = ['"', '\\', '\u0000', '\u001f', '\n', 'é', '\u{1F600}', '\u007f', '~', ' '];
    for (const [n, special] of specials.entries()) {
      // Strings of growing length: the special character lands at every place within a word.
      for (let at = 0; at < 72; at += 1) data[`s${n}-${String(at).padStart(2, '0')}`] = `${'y'.repeat(at)}${special}${'y'.repeat(64)}`;
    }
    const entry = entryOf(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data }), '/registry/configmaps/shop/c');
    for (const layout of layouts) {
      const fast = printedByTranscoder(entry, views[0] as View, layout);
      assert.ok(fast !== undefined);
      assert.equal(fast, printedByObjectPath(entry, views[0] as View, layout), layout);
    }
  });

  it('declines values it does not cover and damaged ones, writing nothing', function () {
    const good = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: 'b' } });
    const cases: [string, Uint8Array][] = [
      // JSON that is not Go's plain case (an escape) is the object path's (stored-json-text.test.ts).
      ['escaped JSON', new TextEncoder().encode('{"apiVersion":"v1","data":{"a":"x\\u003cy"},"kind":"ConfigMap","metadata":{"name":"c"}}')],
      ['truncated', good.subarray(0, good.length - 3)],
      ['unknown kind', withKind(good, 'ConfigMaq')],
      ['encrypted', new TextEncoder().encode('k8s:enc:aescbc:v1:key1:0123456789abcdef')],
    ];
    for (const [what, value] of cases) {
      const out = new JsonTextBuffer(64);
      out.ascii('kept');
      const options: JsonTextOptions = { resourceVersion: '1', managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: formatJson };
      for (const engine of ['any', 'javascript', 'webassembly'] as const) {
        assert.equal(writeStoredObjectJson(schema, value, options, out, engine), false, `${what} (${engine})`);
        assert.equal(Buffer.from(out.bytes.subarray(0, out.length)).toString('utf8'), 'kept', `${what} (${engine})`);
      }
    }
  });

  it('writes a value damaged at any byte only as the object path prints it, or declines it', function () {
    // Every byte of a Pod's own message changed five ways: some changes leave a value the object
    // path still decodes (the walk must then write its very text, or decline), most break the
    // wire format (the walk must decline: it never writes what the object path would not).
    this.timeout(120_000);
    const pod = damageablePod();
    const { rawStart, rawEnd } = readEnvelope(pod);
    let written = 0;
    let declined = 0;
    for (const { at, change, damaged } of oneByteDamaged(pod, rawStart, rawEnd)) {
      const entry = entryOf(damaged, '/registry/pods/shop/web-0');
      for (const view of views) {
        const wasm = transcodedBy('webassembly', entry, view, 'ndjson');
        if (wasm === undefined) declined++;
        else {
          written++;
          assert.equal(wasm, printedByObjectPath(entry, view, 'ndjson'), `byte ${at} set to ${change} (${JSON.stringify(view)})`);
        }
      }
    }
    assert.ok(written > 1000 && declined > 1000, `${written} written, ${declined} declined`);
  });

  it('prints a value with fields it does not know without them, as the object path does', function () {
    const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: 'b' } });
    // An unknown field (number 99, a string) appended to the object's own message: the envelope's raw
    // field is the last one, so extending the value and its lengths is enough to place it inside.
    const withUnknown = appendToRaw(value, Uint8Array.of(0x9a, 0x06, 0x02, 0x68, 0x69));
    const entry = entryOf(withUnknown, '/registry/configmaps/shop/c');
    for (const layout of layouts) assert.equal(printedByTranscoder(entry, views[0] as View, layout), printedByObjectPath(entry, views[0] as View, layout), layout);
  });

  it('writes times, quantities and IntOrStrings as the object path does, at the edges of each', function () {
    const times = [
      '0001-01-01T00:00:00Z',
      '0000-03-01T00:00:00Z',
      '0099-12-31T23:59:59Z',
      '1969-12-31T23:59:59Z',
      '1970-01-01T00:00:00Z',
      '2000-02-29T12:34:56Z',
      '2100-03-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ];
    // Each time between others and after itself (the walk keeps the last time's text).
    for (const [i, time] of times.entries()) {
      const other = times[(i + 1) % times.length] as string;
      const pod = encode({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'shop', creationTimestamp: time },
        spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '500m', memory: '0' }, requests: { cpu: '1' } }, ports: [{ containerPort: 80 }] }] },
        status: {
          conditions: [
            { type: 'Ready', status: 'True', lastTransitionTime: time },
            { type: 'PodScheduled', status: 'True', lastTransitionTime: other },
          ],
          startTime: time,
        },
      });
      const entry = entryOf(pod, '/registry/pods/shop/p');
      for (const layout of layouts) {
        const fast = printedByTranscoder(entry, views[0] as View, layout);
        assert.ok(fast !== undefined, `${time} ${layout}`);
        assert.equal(fast, printedByObjectPath(entry, views[0] as View, layout), `${time} ${layout}`);
      }
    }
    const service = encode({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'shop' },
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 81, targetPort: 'http' },
          { port: 82, targetPort: 0 },
          { port: 83, targetPort: '' },
          { port: 84, targetPort: -7 },
        ],
      },
    });
    const entry = entryOf(service, '/registry/services/specs/shop/s');
    for (const layout of layouts) {
      const fast = printedByTranscoder(entry, views[0] as View, layout);
      assert.ok(fast !== undefined, layout);
      assert.equal(fast, printedByObjectPath(entry, views[0] as View, layout), layout);
    }
    assert.deepEqual(refusedByWasm, []);
  });

  it('writes bytes that are no UTF-8, or only nearly, as the object path does', function () {
    // Each marker (3 ASCII bytes, unique in the value) is replaced by 3 bytes: a sequence and padding.
    const sequences: Record<string, number[]> = {
      '#A#': [0xc0, 0x80, 0x78], // overlong
      '#B#': [0xe0, 0x80, 0x80], // overlong
      '#C#': [0xed, 0xa0, 0x80], // a surrogate
      '#D#': [0xf4, 0x90, 0x80], // past U+10FFFF (and cut short)
      '#E#': [0xf8, 0x78, 0x78], // no such lead byte
      '#F#': [0x78, 0xe2, 0x82], // cut short at the string's end
      '#G#': [0xe2, 0x82, 0xac], // the euro sign, valid
      '#H#': [0xc3, 0xa9, 0x78], // é, valid
      '#I#': [0xdf, 0xbf, 0x78], // U+07FF, valid
      '#J#': [0xef, 0xbf, 0xbf], // U+FFFF, valid
    };
    const data: JsonObject = {};
    for (const [n, marker] of Object.keys(sequences).entries()) {
      // Keys in plain ASCII (the WebAssembly walk leaves other keys' order to JavaScript).
      data[`at-end-${n}`] = `text${marker}`;
      data[`inside-${n}`] = `a${marker}b\n"q"`;
    }
    const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data });
    const text = Buffer.from(value).toString('latin1');
    const bytes = Uint8Array.from(value);
    for (const [marker, sequence] of Object.entries(sequences)) {
      for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) bytes.set(sequence, at);
    }
    const entry = entryOf(bytes, '/registry/configmaps/shop/c');
    for (const layout of layouts) {
      const fast = printedByTranscoder(entry, views[0] as View, layout);
      assert.ok(fast !== undefined, layout);
      assert.equal(fast, printedByObjectPath(entry, views[0] as View, layout), layout);
    }
    assert.match(printedByTranscoder(entry, views[0] as View, 'ndjson') ?? '', /"a\u20acb\\n\\"q\\""/);
    assert.deepEqual(refusedByWasm, []);
  });

  it('writes values larger than the WebAssembly walk first makes room for, as the object path does', function () {
    // 6 MiB of plain text (a value past the first 4 MiB of room), and 3 MiB of control characters
    // (six bytes each as JSON: past the first 16 MiB of output).
    const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { plain: 'p'.repeat(6 << 20), control: '\u0001'.repeat(3 << 20) } });
    const entry = entryOf(value, '/registry/configmaps/shop/c');
    const fast = printedByTranscoder(entry, views[0] as View, 'ndjson');
    assert.ok(fast !== undefined && fast.length > 24 << 20);
    assert.equal(fast, printedByObjectPath(entry, views[0] as View, 'ndjson'));
    assert.deepEqual(refusedByWasm, []);
  });
});

/** The value with its envelope's kind (of the same length) replaced. */
function withKind(value: Uint8Array, kind: string): Uint8Array {
  const text = Buffer.from(value).toString('latin1');
  const at = text.indexOf('ConfigMap');
  assert.ok(at > 0 && kind.length === 'ConfigMap'.length);
  const out = Uint8Array.from(value);
  out.set(new TextEncoder().encode(kind), at);
  return out;
}

/** The stored value with bytes added at the end of the envelope's raw object (fields 1, 2 of runtime.Unknown, raw last but for empty 3 and 4). */
function appendToRaw(value: Uint8Array, extra: Uint8Array): Uint8Array {
  // Re-encode the envelope by hand: k8s\0, typeMeta (field 1) as is, raw (field 2) with the extra bytes, then 3 and 4 empty.
  let pos = 4;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = value[pos++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  const parts: number[] = [...value.subarray(0, 4)];
  const varint = (n: number): number[] => {
    const bytes: number[] = [];
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    return bytes;
  };
  while (pos < value.length) {
    const tag = readVarint();
    const length = readVarint();
    const body = [...value.subarray(pos, pos + length)];
    pos += length;
    if (tag >>> 3 === 2) body.push(...extra);
    parts.push(...varint(tag), ...varint(body.length), ...body);
  }
  return Uint8Array.from(parts);
}
