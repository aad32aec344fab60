/**
 * Values stored as JSON (custom resources) written straight as the text -o json/ndjson prints
 * (stored-json-to-json-text.ts): the very bytes the object path prints, for what Go's encoder
 * writes; everything else declined, writing nothing, for the object path to print or name.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { JsonTextBuffer } from '../src/codec/json-text-buffer.js';
import { stringifyGoJson } from '../src/codec/go-json.js';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { writeStoredObjectJson, type JsonTextOptions } from '../src/codec/protobuf-to-json-text.js';
import { formatJson } from '../src/format/object-text.js';
import { loadSchema } from '../src/schema-bundle.js';
import type { Entry } from '../src/sources/source.js';
import { entryOf, laidOut, type Layout, jsonTextOptions, layouts, printedByObjectPath, type View, views } from './support/printed-json.js';

const schema = loadSchema();
const KEY = '/registry/example.com/widgets/shop/w1';

/** The writer's text for the entry, laid out; undefined when it declines (and then it wrote nothing). */
function written(entry: Entry, view: View, layout: Layout): string | undefined {
  const out = new JsonTextBuffer(16);
  out.ascii('kept');
  const text = Buffer.from(out.bytes.subarray(0, out.length)).toString('utf8');
  if (!writeStoredObjectJson(schema, entry.value, jsonTextOptions(entry, view, layout), out)) {
    assert.equal(Buffer.from(out.bytes.subarray(0, out.length)).toString('utf8'), text, 'nothing written when declined');
    return undefined;
  }
  const bytes = Buffer.from(out.bytes.subarray(4, out.length));
  return laidOut(bytes.toString('utf8'), layout);
}

/** The value as kube-apiserver stores a custom resource: Go's encoder, keys sorted, a newline. */
function stored(object: JsonValue): Uint8Array {
  return new TextEncoder().encode(stringifyGoJson(object));
}

/** Asserts the writer writes the value, in every view and layout, as the object path prints it. */
function assertWrittenAsObjectPath(value: Uint8Array, what: string): void {
  const entry = entryOf(value, KEY, 777);
  for (const view of views) {
    for (const layout of layouts) {
      const fast = written(entry, view, layout);
      assert.ok(fast !== undefined, `${what}: written (${layout} ${JSON.stringify(view)})`);
      assert.equal(fast, printedByObjectPath(entry, view, layout), `${what} ${layout} ${JSON.stringify(view)}`);
    }
  }
}

const managedFields = [
  { apiVersion: 'example.com/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { '.': {}, 'f:size': {} } }, manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-01-01T00:00:00Z' },
];

function widget(metadata: JsonObject, spec: JsonValue = { color: 'blue', replicas: 3 }): JsonObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec };
}

describe('JSON text straight from a stored JSON object', function () {
  it('writes a custom resource as Go stores it as the object path prints it, in every layout and view', function () {
    const object = widget(
      {
        annotations: { 'example.com/note': 'a <b> & c' },
        creationTimestamp: '2026-01-01T00:00:00Z',
        generation: 1,
        labels: { app: 'api', tier: 'web' },
        managedFields,
        name: 'w1',
        namespace: 'shop',
        resourceVersion: '12',
        uid: '0279ad95-2b90-406d-a521-f45445950f76',
      },
      { big: 999999999999999, empty: {}, flags: [true, false, null], items: [], negative: -42, nested: [{ a: [1, [2, {}]], z: 'y' }], zero: 0 },
    );
    // Go escapes <, > and & (\u003c...): such a value is the object path's; the rest is written.
    const plain = structuredClone(object);
    delete (plain.metadata as JsonObject).annotations;
    assertWrittenAsObjectPath(stored(plain), 'a widget');
    const line = written(entryOf(stored(plain), KEY, 777), views[0] as View, 'ndjson') ?? '';
    assert.match(line, /"resourceVersion":"777"/);
    assert.doesNotMatch(line, /managedFields/);
    assert.equal(written(entryOf(stored(object), KEY), views[0] as View, 'ndjson'), undefined, 'an escaped string is declined');
  });

  it('puts resourceVersion in its place whatever the stored metadata holds', function () {
    const metadatas: JsonObject[] = [
      {},
      { name: 'w1' },
      { zone: 'z' },
      { annotations: { a: 'b' }, uid: 'u' },
      { resourceVersion: '5' },
      { managedFields },
      { managedFields, resourceVersion: '1' },
      { managedFields: [], name: 'w1', selfLink: '/x' },
    ];
    for (const metadata of metadatas) assertWrittenAsObjectPath(stored(widget(metadata)), JSON.stringify(metadata));
  });

  it('writes the fields the object path types when they hold their types', function () {
    const owner = { apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: false, kind: 'ReplicaSet', name: 'rs', uid: 'u1' };
    const metadata: JsonObject = {
      annotations: {},
      creationTimestamp: null,
      deletionTimestamp: '2026-01-01T00:00:00Z',
      finalizers: ['example.com/keep', 'b'],
      generateName: 'w-',
      labels: { a: 'b' },
      name: 'w1',
      namespace: 'shop',
      ownerReferences: [owner, { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u2' }],
      selfLink: '/x',
      uid: 'u',
    };
    assertWrittenAsObjectPath(stored(widget(metadata)), 'typed metadata');
  });

  it('reads blanks between tokens as the object path does', function () {
    const text = JSON.stringify(widget({ labels: { a: 'b' }, name: 'w1' }, { list: [1, { x: null }], on: true }), undefined, '\t').replaceAll('\n', '\r\n ');
    assertWrittenAsObjectPath(new TextEncoder().encode(`${text} \n`), 'indented');
  });

  it('writes a Secret stored as JSON only when its data is shown', function () {
    const secret = stored({ apiVersion: 'v1', data: { password: 'aHVudGVyMg==' }, kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' });
    const entry = entryOf(secret, '/registry/secrets/shop/s');
    assert.equal(written(entry, { showSecrets: false, showManagedFields: false }, 'ndjson'), undefined);
    assert.doesNotMatch(printedByObjectPath(entry, { showSecrets: false, showManagedFields: false }, 'ndjson') ?? '', /aHVudGVyMg/);
    const shown = { showSecrets: true, showManagedFields: false };
    assert.equal(written(entry, shown, 'ndjson'), printedByObjectPath(entry, shown, 'ndjson'));
  });

  it("declines what Go's plain case does not hold, writing nothing", function () {
    const base = '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":';
    const cases: [string, string][] = [
      ['an escape', `${base}{"a":"x\\ny"}}`],
      ['an escaped key', `${base}{"\\u0061":1}}`],
      ['a byte past ASCII', `${base}{"a":"ü"}}`],
      ['a control character', `${base}{"a":"x\ty"}}`],
      ['a fraction', `${base}{"a":1.5}}`],
      ['an exponent', `${base}{"a":1e3}}`],
      ['minus zero', `${base}{"a":-0}}`],
      ['16 digits', `${base}{"a":1234567890123456}}`],
      ['a leading zero', `${base}{"a":01}}`],
      ['keys out of order', `${base}{"b":1,"a":2}}`],
      ['a repeated key', `${base}{"a":1,"a":2}}`],
      ['no metadata', '{"apiVersion":"example.com/v1","kind":"Widget","spec":{}}'],
      ['null metadata', '{"apiVersion":"example.com/v1","kind":"Widget","metadata":null}'],
      ['metadata of another type', '{"apiVersion":"example.com/v1","kind":"Widget","metadata":[]}'],
      ['an empty object', '{}'],
      ['text after the object', `${base}{}}x`],
      ['a second object', `${base}{}}{}`],
      ['truncated', `${base}{"a":[1,2`],
      ['a bad literal', `${base}{"a":tru}}`],
      ['a missing colon', `${base}{"a" 1}}`],
      ['a trailing comma', `${base}{"a":1,}}`],
      ['nested too deep', `${base}${'['.repeat(300)}${']'.repeat(300)}}`],
    ];
    // The object path checks the fields it types (kubernetes-object.ts): another type is a note.
    const typed: [string, JsonValue][] = [
      ['a number for a name', { name: 5 }],
      ['a resourceVersion that is no string', { resourceVersion: 5 }],
      ['an object for a resourceVersion', { resourceVersion: { odd: [1] } }],
      ['a number for a time', { creationTimestamp: 5 }],
      ['a label that is no string', { labels: { a: 1 } }],
      ['annotations that are a list', { annotations: ['a'] }],
      ['finalizers that are no list', { finalizers: 'a' }],
      ['a finalizer that is no string', { finalizers: ['a', null] }],
      ['an owner without a uid', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p' }] }],
      ['an owner that is no object', { ownerReferences: ['p'] }],
      ['a controller that is no boolean', { ownerReferences: [{ apiVersion: 'v1', controller: 'yes', kind: 'Pod', name: 'p', uid: 'u' }] }],
    ];
    for (const [what, metadata] of typed) {
      cases.push([what, stringifyGoJson(widget(metadata as JsonObject))]);
      const entry = entryOf(stored(widget(metadata as JsonObject)), KEY);
      assert.equal(printedByObjectPath(entry, views[0] as View, 'ndjson'), undefined, `${what}: a note by the object path`);
    }
    cases.push(['a kind that is no string', '{"apiVersion":"example.com/v1","kind":7,"metadata":{}}'], ['an apiVersion that is null', '{"apiVersion":null,"kind":"Widget","metadata":{}}']);
    for (const [what, text] of cases) {
      const entry = entryOf(new TextEncoder().encode(text), KEY);
      for (const view of views) {
        for (const layout of layouts) assert.equal(written(entry, view, layout), undefined, `${what} ${layout}`);
      }
    }
    // A resourceVersion that is not digits is the object path's too.
    const out = new JsonTextBuffer(16);
    const options: JsonTextOptions = { resourceVersion: 'x', managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: formatJson };
    assert.equal(writeStoredObjectJson(schema, stored(widget({ name: 'w1' })), options, out), false);
    assert.equal(out.length, 0);
  });

  it('writes random objects as Go stores them as the object path prints them, and every plain one', function () {
    let seed = 0x2f6b3c1d;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const keys = ['a', 'b', 'ab', 'B', 'z', '_', 'a-b', 'resourceVersion', 'managedFields', 'metadata', 'kind', 'x.y/z'];
    let plain = true;
    const randomValue = (depth: number): JsonValue => {
      const pick = random(depth > 4 ? 6 : 9);
      if (pick === 0) return null;
      if (pick === 1) return random(2) === 0;
      if (pick === 2) return random(3) === 0 ? -random(1000) : random(2) === 0 ? random(10) : 10 ** random(16) + random(7);
      if (pick === 3) {
        if (random(8) === 0) {
          plain = false;
          return ['tab\t', 'quote "', 'ü', '<html>', '\u2028'][random(5)] as string;
        }
        return ['', 'x', 'plain text', 'x'.repeat(40 + random(30))][random(4)] as string;
      }
      if (pick === 4 && random(10) === 0) {
        plain = false;
        return 0.5 + random(100);
      }
      if (pick <= 5) return String(random(100));
      if (pick <= 7) {
        const object: JsonObject = {};
        for (let i = random(5); i > 0; i--) object[keys[random(keys.length)] as string] = randomValue(depth + 1);
        return object;
      }
      return Array.from({ length: random(4) }, () => randomValue(depth + 1));
    };
    let writtenCount = 0;
    for (let n = 0; n < 300; n++) {
      plain = true;
      const metadata = randomValue(3);
      const object: JsonObject = {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata : {},
        spec: randomValue(1),
      };
      if (random(3) === 0) (object.metadata as JsonObject).managedFields = managedFields;
      // 2^53 and beyond, or 16 digits: the object path's.
      const text = stringifyGoJson(object);
      if (/[0-9]{16}/.test(text)) plain = false;
      const entry = entryOf(new TextEncoder().encode(text), KEY, 1 + random(1e6));
      for (const view of views) {
        for (const layout of layouts) {
          const fast = written(entry, view, layout);
          const printed = printedByObjectPath(entry, view, layout);
          // Plain text of an object the object path prints (its typed fields hold their types) is written.
          if (plain && printed !== undefined) assert.ok(fast !== undefined, `${text} written`);
          if (fast === undefined) continue;
          writtenCount++;
          assert.equal(fast, printed, text);
        }
      }
    }
    assert.ok(writtenCount > 1000, `${writtenCount} written`);
  });

  it('writes a value changed at any byte only as the object path prints it, or declines it', function () {
    const text = stringifyGoJson(widget({ labels: { app: 'api' }, managedFields, name: 'w1', resourceVersion: '3' }, { list: [1, -2, { x: null }], on: true, s: 'ab' }));
    const value = new TextEncoder().encode(text);
    const changes = [0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x61, 0x20, 0x5c, 0x80, 0x2d, 0x2e, 0x65, 0x0a];
    let writtenCount = 0;
    for (let at = 0; at < value.length; at++) {
      for (const change of changes) {
        if (value[at] === change) continue;
        const damaged = Uint8Array.from(value);
        damaged[at] = change;
        const entry = entryOf(damaged, KEY);
        for (const view of views) {
          const fast = written(entry, view, 'ndjson');
          if (fast === undefined) continue;
          writtenCount++;
          assert.equal(fast, printedByObjectPath(entry, view, 'ndjson'), `byte ${at} set to ${change}`);
        }
      }
    }
    assert.ok(writtenCount > 100, `${writtenCount} written`);
  });
});
