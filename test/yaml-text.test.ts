/**
 * The YAML walk (protobuf straight to `-o yaml` text, in WebAssembly) gives the very bytes the
 * object path prints: decodeEntry, then go-yaml-writer.ts, alone or as a List's item. Held to it
 * on every upstream fixture, on strings of every style go-yaml picks (random ones too), on map
 * keys in and out of go-yaml's order, on values nested deep, and on damaged values.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readEnvelope } from '../src/codec/envelope.js';
import { JsonTextBuffer } from '../src/codec/json-text-buffer.js';
import { TextWalkWasm } from '../src/codec/text-walk-wasm.js';
import { TEXT_WALK_WASM } from '../src/codec/text-walk-wasm-module.js';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { type JsonTextOptions, writeStoredObjectJson, writeStoredObjectYaml, type YamlTextOptions } from '../src/codec/protobuf-to-json-text.js';
import { base64Decode } from '../src/codec/text.js';
import { readsAsNonString } from '../src/format/go-yaml-quotes.js';
import { formatJson, YAML_EMITTER } from '../src/format/object-text.js';
import { MASKED_SECRET_VALUE } from '../src/mask-secrets.js';
import { encode } from '../src/index.js';
import { builtinRegistry } from '../src/keys/index.js';
import { loadSchema } from '../src/schema-bundle.js';
import type { Entry } from '../src/sources/source.js';
import { itemRenderer } from '../src/cli/object-writers.js';
import { entryToPrinted } from '../src/cli/render-entry.js';
import { damageablePod, oneByteDamaged } from './support/damageable-pod.js';
import { storableFixtures } from './support/fixtures.js';
import { FIXTURES_DIR, K8S_VERSIONS_DIR, releasesWithFixtures, requireReleaseFixtures, requireSharedFixtures } from './support/shared-data.js';
import { loadUpstreamFixtures } from './support/upstream-fixtures.js';

const registry = builtinRegistry();
const schema = loadSchema();

function entryOf(value: Uint8Array, key = '/registry/things/ns/name', modRevision = 4242): Entry {
  return { key, value, modRevision, createRevision: 7, version: 3, lease: '0', valueSize: value.length };
}

type View = { showSecrets: boolean; showManagedFields: boolean };
/** A document of its own (a single object) or a List's item. */
type Layout = 'document' | 'item';
const layouts: Layout[] = ['item', 'document'];
const views: View[] = [
  { showSecrets: false, showManagedFields: false },
  { showSecrets: true, showManagedFields: true },
];
const hidden = views[0] as View;

function printedByObjectPath(entry: Entry, view: View, layout: Layout, kubeVersion?: string): string | undefined {
  const rendered = entryToPrinted(entry, registry, '/registry', view, kubeVersion === undefined ? {} : { kubeVersion });
  if (rendered.item === undefined || rendered.stub === true) return undefined;
  return itemRenderer('yaml', layout === 'document')?.(rendered.item);
}

/** The options kreg get gives the walks for the entry in this view (one line of JSON). */
function textOptions(entry: Entry, view: View): JsonTextOptions {
  return {
    resourceVersion: String(entry.modRevision),
    managedFieldsHidden: !view.showManagedFields,
    indent: 0,
    depth: 0,
    secretsMasked: !view.showSecrets,
    maskedSecretValue: MASKED_SECRET_VALUE,
    jsonText: formatJson,
  };
}

/** The walk's text as the YAML writer prints it (an item after its `-`); undefined when it declines. */
function printedByWalk(entry: Entry, view: View, layout: Layout, kubeVersion?: string): string | undefined {
  const out = new JsonTextBuffer(64);
  const options: YamlTextOptions = { ...textOptions(entry, view), listItem: layout === 'item', emitter: YAML_EMITTER };
  out.ascii('kept');
  if (!writeStoredObjectYaml(kubeVersion === undefined ? schema : loadSchema(kubeVersion), entry.value, options, out)) {
    assert.equal(Buffer.from(out.take()).toString('utf8'), 'kept', 'nothing written when declined');
    return undefined;
  }
  const bytes = Buffer.from(out.take()).subarray(4);
  const text = bytes.toString('utf8');
  assert.ok(Buffer.from(text, 'utf8').equals(bytes), 'the YAML text is valid UTF-8');
  return layout === 'item' ? `-${text}` : text;
}

/** Whether the JSON walk in WebAssembly writes the entry (what the YAML walk is held to cover alike). */
function writtenByJsonWalk(entry: Entry, view: View, kubeVersion?: string): boolean {
  return writeStoredObjectJson(kubeVersion === undefined ? schema : loadSchema(kubeVersion), entry.value, textOptions(entry, view), new JsonTextBuffer(64), 'webassembly');
}

/** Holds the walk to the object path on the entry; whether the walk wrote it. */
function sameAsObjectPath(entry: Entry, view: View, layout: Layout, what: string, kubeVersion?: string): boolean {
  const fast = printedByWalk(entry, view, layout, kubeVersion);
  if (fast === undefined) return false;
  assert.equal(fast, printedByObjectPath(entry, view, layout, kubeVersion), `${what} ${layout} ${JSON.stringify(view)}`);
  return true;
}

function configMap(data: JsonObject, extra: JsonObject = {}): Uint8Array {
  return encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', ...extra }, data });
}

/** A small deterministic generator (mulberry32), so a failure names a seed that repeats it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces strings are made of: what go-yaml's choices turn on (indicators, blanks, breaks, quotes, numbers, names). */
const PIECES = [
  'a',
  'b',
  'Z',
  'x',
  'word',
  ' ',
  ' ',
  '  ',
  '\n',
  '\n\n',
  '\t',
  '\r',
  ':',
  ': ',
  '#',
  ' #',
  '-',
  '--',
  '---',
  '?',
  '.',
  '...',
  ',',
  '[',
  ']',
  '{',
  '}',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '\\',
  '~',
  '0',
  '1',
  '7',
  '9',
  '12',
  '0x1F',
  '0b1',
  '0o7',
  '1_000',
  '.5',
  '1e5',
  '-',
  '+',
  '1:20',
  '2001-12-14',
  'T21:59:43Z',
  ' 21:59:43.10',
  'true',
  'yes',
  'No',
  'null',
  '~',
  '.inf',
  '<<',
  '=',
  '/',
  '\u0000',
  '\u007f',
  '\u001b',
  'é',
  '\u0085',
  '\u2028',
  '\u{1F600}',
  '\ufeff',
];

/** The ASCII pieces: map keys with others are left to the object path (it orders them). */
const ASCII_PIECES = PIECES.filter((piece) => /^[\x00-\x7f]*$/.test(piece));

function randomString(next: () => number, pieces: number, from: readonly string[] = PIECES): string {
  let text = '';
  for (let i = 0; i < pieces; i++) text += from[Math.floor(next() * from.length)] as string;
  return text;
}

describe('YAML text straight from protobuf', function () {
  it('prints every upstream fixture as the object path does, alone and as an item, writing all the JSON walk writes', function () {
    requireSharedFixtures(this);
    let written = 0;
    const declined: string[] = [];
    const fixtures = loadUpstreamFixtures(FIXTURES_DIR);
    for (const fixture of fixtures) {
      const entry = entryOf(fixture.pb);
      for (const view of views) {
        for (const layout of layouts) {
          if (sameAsObjectPath(entry, view, layout, fixture.name)) written++;
          else if (writtenByJsonWalk(entry, view)) declined.push(`${fixture.name} ${layout}`);
        }
      }
    }
    assert.ok(fixtures.length > 180, `${fixtures.length} fixtures`);
    assert.ok(written > 600, `${written} written`);
    assert.deepEqual(declined, []);
  });

  it('covers every kind kube-apiserver stores, a Secret masked or not', function () {
    requireSharedFixtures(this);
    const declined: string[] = [];
    for (const fixture of storableFixtures()) {
      const entry = entryOf(new Uint8Array(readFileSync(fixture.file)), fixture.key);
      for (const view of views) {
        if (!sameAsObjectPath(entry, view, 'item', fixture.name)) declined.push(`${fixture.name} ${JSON.stringify(view)}`);
      }
    }
    assert.deepEqual(declined, []);
  });

  it("prints every older release's fixtures, read as that release, as the object path does", function () {
    requireReleaseFixtures(this);
    let written = 0;
    const declined: string[] = [];
    for (const release of releasesWithFixtures()) {
      for (const fixture of loadUpstreamFixtures(`${K8S_VERSIONS_DIR}/v${release}/testdata`)) {
        const entry = entryOf(fixture.pb);
        for (const view of views) {
          if (sameAsObjectPath(entry, view, 'item', `${release} ${fixture.name}`, release)) written++;
          else if (writtenByJsonWalk(entry, view, release)) declined.push(`${release} ${fixture.name}`);
        }
      }
    }
    assert.ok(written > 2000, `${written} written`);
    assert.deepEqual(declined, []);
  });

  it('writes strings in every style go-yaml picks, folded at its width, as the object path does', function () {
    const long = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore';
    const data: JsonObject = {
      plain: 'web-frontend',
      empty: '',
      number: '42',
      octal: '0755',
      hex: '0x1F',
      underscores: '1_000',
      float: '1.5e3',
      dotFloat: '.5',
      notNumber: '1.2.3',
      ip: '10.0.0.1',
      base60: '1:20',
      timestamp: '2001-12-14t21:59:43.10-05:00',
      spacedTimestamp: '2001-12-14 21:59:43.10',
      date: '2026-12-01',
      bool: 'yes',
      nullName: 'Null',
      tilde: '~',
      merge: '<<',
      infinity: '-.inf',
      indicator: '*.example.com',
      dash: '- item',
      colonSpace: 'key: value',
      colonEnd: 'ends:',
      hashAfterSpace: 'a #comment',
      hashInside: 'a#b',
      documentStart: '--- x',
      documentEnd: '...',
      leadingSpace: ' leading',
      trailingSpace: 'trailing ',
      quote: "it's",
      quotedStart: "'quoted'",
      doubleQuote: 'say "hi"',
      backslash: 'C:\\path',
      tab: 'a\tb',
      control: 'bell\u0007 esc\u001b nul\u0000 del\u007f',
      carriageReturn: 'a\r\nb',
      literal: 'line one\nline two\n',
      literalKeep: 'kept\n\n',
      literalStrip: 'no end\nnewline',
      literalIndent: ' indented\nblock\n',
      literalLeadingBreak: '\nafter a break',
      onlyBreak: '\n',
      spaceBeforeBreak: 'a \nb',
      breakBeforeSpace: 'a\n b',
      longPlain: long,
      longSingle: `'${long}`,
      longSingleQuotes: `${long} it's ${long} 'x'`,
      longDouble: `${long}\t${long}`,
      longDoubleSpaces: `${long}  two  spaces  ${long}`,
      longNumberish: `1 ${long}`,
      longLiteral: `${long}\n${long} ${long}\n`,
      longNoSpace: 'x'.repeat(200),
      accents: 'café',
      accentsLong: `${long} é ${long}`,
      nel: 'a\u0085b\u0085\u0085c',
      bom: '\ufeffbom',
      astral: '\u{1F600} smile',
    };
    // Past the width before it starts: a single-quoted value with blanks at its ends stays on its line.
    data['k'.repeat(90)] = ' blanks at both ends ';
    const keys: JsonObject = {};
    for (const [name, text] of Object.entries(data)) if (typeof text === 'string' && text.length < 100 && !text.includes('\n') && !text.includes('\r')) keys[text] = name;
    const values = [
      ['values', configMap(data)],
      ['keys', configMap(keys)],
      ['annotations', configMap({}, { annotations: data as Record<string, string> })],
      ['args', encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'i', args: Object.values(data) as string[] }] } })],
    ] as const;
    for (const [what, value] of values) {
      const entry = entryOf(value, '/registry/configmaps/shop/c');
      for (const layout of layouts) {
        // Keys go-yaml orders otherwise than bytes are left to the object path; the others are written.
        const wrote = sameAsObjectPath(entry, hidden, layout, what);
        if (what !== 'keys') assert.ok(wrote, `${what} ${layout} written`);
      }
    }
  });

  it('writes random strings, as values, keys and list items at several depths, as the object path does', function () {
    const written = { configmap: 0, pod: 0 };
    for (let seed = 1; seed <= 150; seed++) {
      const next = random(seed);
      const data: JsonObject = {};
      const annotations: Record<string, string> = {};
      const args: string[] = [];
      for (let i = 0; i < 12; i++) {
        data[`k${String(i).padStart(2, '0')}`] = randomString(next, 1 + Math.floor(next() * 40));
        if (i < 3) annotations[randomString(next, 1 + Math.floor(next() * 3), ASCII_PIECES)] = randomString(next, Math.floor(next() * 12));
        args.push(randomString(next, Math.floor(next() * 30)));
      }
      const pod = encode({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'shop', annotations },
        spec: { containers: [{ name: 'c', image: 'i', args, env: [{ name: 'E', value: randomString(next, 20) }] }] },
      });
      for (const [what, value] of [
        ['configmap', configMap(data)],
        ['pod', pod],
      ] as const) {
        for (const layout of layouts) if (sameAsObjectPath(entryOf(value), hidden, layout, `seed ${seed} ${what}`)) written[what]++;
      }
    }
    // Annotations whose keys go-yaml orders otherwise than bytes are the object path's.
    assert.equal(written.configmap, 300);
    assert.ok(written.pod > 100, `${written.pod} pods written`);
  });

  it('writes bytes that are no UTF-8, or only nearly, at any place of a string, as the object path does', function () {
    // Each marker (3 ASCII bytes, unique in the value) is replaced by 3 bytes: a sequence and padding.
    const sequences: Record<string, number[]> = {
      '#A#': [0xc0, 0x80, 0x78], // overlong
      '#B#': [0xed, 0xa0, 0x80], // a surrogate
      '#C#': [0xff, 0x78, 0x78], // no such byte in UTF-8
      '#D#': [0x78, 0xe2, 0x82], // cut short
      '#E#': [0xe2, 0x82, 0xac], // the euro sign, valid
      '#F#': [0x7f, 0x78, 0x78], // DEL
    };
    const data: JsonObject = {};
    for (const [n, marker] of Object.keys(sequences).entries()) {
      // At every place within the words the walk reads eight bytes at a time.
      for (let at = 0; at < 24; at++) data[`s${n}-${String(at).padStart(2, '0')}`] = `${'y'.repeat(at)}${marker}${'y'.repeat(20)}`;
    }
    const value = configMap(data);
    const text = Buffer.from(value).toString('latin1');
    const bytes = Uint8Array.from(value);
    for (const [marker, sequence] of Object.entries(sequences)) {
      for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) bytes.set(sequence, at);
    }
    for (const layout of layouts) assert.ok(sameAsObjectPath(entryOf(bytes), hidden, layout, 'broken UTF-8'), layout);
  });

  it('orders map keys as go-yaml does, leaving keys it orders otherwise than bytes to the object path', function () {
    const inOrder = configMap({ 'a-b': '1', a001: '2', a2: '4', ab: '5', 'app.kubernetes.io/name': '6' });
    assert.ok(sameAsObjectPath(entryOf(inOrder), hidden, 'item', 'in order'));
    for (const data of [
      { a9: '1', a10: '2' },
      { aB: '1', a_b: '2' },
      { a01: '1', a1: '2' },
      { ü: '1', u: '2' },
    ]) {
      const entry = entryOf(configMap(data));
      assert.equal(printedByWalk(entry, hidden, 'item'), undefined, JSON.stringify(data));
      assert.ok(printedByObjectPath(entry, hidden, 'item') !== undefined);
    }
  });

  it('writes keys that are not simple (long, or with a line break) as the object path does', function () {
    const entry = entryOf(configMap({ ['k'.repeat(129)]: 'long key', 'x\ny': 'broken key', 'x\ry': 'carriage return' }));
    for (const layout of layouts) assert.ok(sameAsObjectPath(entry, hidden, layout, 'complex keys'));
  });

  it('reads strings as numbers, bools, nulls and timestamps as go-yaml-quotes.ts does', function () {
    const walk = new TextWalkWasm(base64Decode(TEXT_WALK_WASM) as Uint8Array);
    const next = random(7);
    const alphabet = ['0', '1', '5', '7', '9', '_', '.', ':', '-', '+', 'e', 'E', 'x', 'X', 'b', 'o', 'a', 'F', 'T', 't', 'Z', ' ', 'n', 'y'];
    const texts = [
      '',
      '0',
      '-0',
      '+12',
      '0x',
      '0x1f',
      '0b102',
      '0o17',
      '0o18',
      '089',
      '1_2',
      '_1',
      '1__',
      '.',
      '.5',
      '.e5',
      '1.',
      '1.e5',
      '1e',
      '1e+5',
      '1:2',
      '1:60',
      '1:5:9',
      '12:34.5_',
      '2001-12-14',
      '2001-1-1',
      '2001-12-14T21:59:43Z',
      '2001-12-14 1:2:3x',
      '2001-12-14T1:2:3Zx',
      '2001-12-14 1:2:3.5x',
      '2001-12-14T1:2:3+01:00x',
      '2001-12-14t21:59:43.1+05:00',
      '2001-12-14T21:59:43',
      '2001-12-14 1:2:3',
      '2001-12-14 1:2:3.',
      '20011-12-14',
      ...YAML_EMITTER.names,
      'Yes!',
      'nulls',
    ];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = Math.floor(next() * 12);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)] as string;
      texts.push(text);
    }
    for (const text of texts) assert.equal(walk.yamlReadsAsNonString(YAML_EMITTER, text), readsAsNonString(text), JSON.stringify(text));
  });

  it('leaves values nested deeper than go-yaml writes as blocks to the object path, and writes those less deep', function () {
    // A CRD's schema nested through `properties` (2 nodes a level), with a default value (JSON) nested `depth` arrays deep.
    const crd = (levels: number, depth: number): Uint8Array => {
      let nested: JsonObject = { type: 'string' };
      let value: JsonValue = 'x';
      for (let i = 0; i < depth; i++) value = [value];
      for (let i = 0; i < levels; i++) nested = { type: 'object', properties: { p: nested }, ...(i === 0 ? { default: value } : {}) };
      return encode({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: nested } }] },
      });
    };
    const cases = [
      { levels: 20, depth: 5, written: true, fallback: false },
      // Deeper than the walk goes (its own nodes): blocks, by the object path.
      { levels: 150, depth: 5, written: false, fallback: false },
      // A default nested past the emitter's limit (which the JavaScript emitter meets for the walk): JSON, by the object path.
      { levels: 20, depth: 420, written: false, fallback: true },
    ];
    for (const { levels, depth, written, fallback } of cases) {
      const entry = entryOf(crd(levels, depth), '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com');
      const what = `${levels} levels, a default ${depth} deep`;
      assert.equal(sameAsObjectPath(entry, hidden, 'item', what), written, `${what}: written by the walk`);
      const printed = printedByObjectPath(entry, hidden, 'item') ?? '';
      assert.equal(/nested deeper than/.test(printed), fallback, `${what}: shown as JSON`);
    }
  });

  it("masks a Secret's data as the object path does", function () {
    const secret = encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { password: 'aHVudGVyMg==', token: '' }, stringData: { extra: 'x' }, type: 'Opaque' });
    const entry = entryOf(secret, '/registry/secrets/shop/s');
    for (const view of views) for (const layout of layouts) assert.ok(sameAsObjectPath(entry, view, layout, 'Secret'), `${layout} ${JSON.stringify(view)}`);
    assert.match(printedByWalk(entry, hidden, 'item') ?? '', /\n {2}data:\n {4}password: '\*\*\*'\n {4}token: '\*\*\*'\n/);
  });

  it('declines damaged values and those it does not cover, writing nothing', function () {
    const good = configMap({ a: 'b' });
    const cases: [string, Uint8Array][] = [
      ['JSON', new TextEncoder().encode('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}')],
      ['truncated', good.subarray(0, good.length - 3)],
      ['encrypted', new TextEncoder().encode('k8s:enc:aescbc:v1:key1:0123456789abcdef')],
      [
        "a masked Secret with kubectl apply's copy",
        encode({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'shop', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
          data: { password: 'aHVudGVyMg==' },
        }),
      ],
    ];
    for (const [what, value] of cases) for (const layout of layouts) assert.equal(printedByWalk(entryOf(value), hidden, layout), undefined, what);
  });

  it('writes a value damaged at any byte only as the object path prints it, or declines it', function () {
    // As for the JSON walk (json-text.test.ts): every byte of a Pod's own message changed five ways.
    this.timeout(120_000);
    const pod = damageablePod();
    const { rawStart, rawEnd } = readEnvelope(pod);
    let written = 0;
    let declined = 0;
    for (const { at, change, damaged } of oneByteDamaged(pod, rawStart, rawEnd)) {
      const entry = entryOf(damaged, '/registry/pods/shop/web-0');
      for (const view of views) {
        const walked = printedByWalk(entry, view, 'document');
        if (walked === undefined) declined++;
        else {
          written++;
          assert.equal(walked, printedByObjectPath(entry, view, 'document'), `byte ${at} set to ${change} (${JSON.stringify(view)})`);
        }
      }
    }
    assert.ok(written > 1000 && declined > 1000, `${written} written, ${declined} declined`);
  });

  it('writes values larger than the walk first makes room for, as the object path does', function () {
    const entry = entryOf(configMap({ plain: 'p'.repeat(6 << 20), control: '\u0001'.repeat(3 << 20), folded: 'word '.repeat(1 << 20).trim() }));
    assert.ok(sameAsObjectPath(entry, hidden, 'item', 'large'));
  });

  it('leaves every object to the object path where WebAssembly cannot run', function () {
    this.timeout(60_000);
    const codec = fileURLToPath(new URL('../src/codec/', import.meta.url));
    const script = `
      const { encode } = await import(${JSON.stringify(`${codec}../index.js`)});
      const { writeStoredObjectYaml } = await import(${JSON.stringify(`${codec}protobuf-to-json-text.js`)});
      const { JsonTextBuffer } = await import(${JSON.stringify(`${codec}json-text-buffer.js`)});
      const { loadSchema } = await import(${JSON.stringify(`${codec}../schema-bundle.js`)});
      const { YAML_EMITTER } = await import(${JSON.stringify(`${codec}../format/object-text.js`)});
      const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: 'b' } });
      const options = { resourceVersion: '5', managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: () => '', listItem: true, emitter: YAML_EMITTER };
      process.stdout.write(JSON.stringify({ typeofWasm: typeof WebAssembly, wrote: writeStoredObjectYaml(loadSchema(), value, options, new JsonTextBuffer(64)) }));
    `;
    const answer = JSON.parse(execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.deepEqual(answer, { typeofWasm: 'undefined', wrote: false });
  });
});
