/**
 * `-o yaml` byte for byte as kubectl prints it (go-yaml v2 behind sigs.k8s.io/yaml): checked
 * against upstream's .yaml fixtures of every release at hand, which Kubernetes wrote with the same
 * library, and against a real kubectl printing hostile and random objects offline.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../scripts/make-registry.js';
import { GoFloat, type JsonObject, type JsonValue } from '../src/codec/json-value.js';
import { compareGoYamlKeys } from '../src/format/go-yaml-key-order.js';
import { analyze, GO_YAML_WIDTH, goNumberText, scanScalar, writeGoYaml } from '../src/format/go-yaml-writer.js';
import { formatYaml } from '../src/format/object-text.js';
import { parseGoJson } from '../src/codec/go-json.js';
import { decode } from '../src/index.js';
import { runKreg } from './support/run-cli.js';
import { FIXTURES_DIR, K8S_VERSIONS_DIR, REPO_ROOT, requireSharedFixtures } from './support/shared-data.js';
import { loadUpstreamFixtures } from './support/upstream-fixtures.js';

/** The first line where two texts differ, for a readable failure. */
function firstLineDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1}: kreg ${JSON.stringify(a[i])}, expected ${JSON.stringify(e[i])}`;
  }
  return 'same lines';
}

describe('YAML as kubectl writes it (go-yaml v2)', function () {
  it('orders keys as go-yaml does: letters after other characters, digit runs as numbers', function () {
    const keys = ['bX', 'b_x', 'a10', 'a9', 'a', 'B', 'b-x', 'a09', 'x2y', 'x10y', 'é', 'z'];
    assert.deepEqual([...keys].sort(compareGoYamlKeys), ['B', 'a', 'a9', 'a09', 'a10', 'b-x', 'b_x', 'bX', 'x2y', 'x10y', 'z', 'é']);
  });

  it("spells numbers as Go's JSON then go-yaml do: integers whole, floats in %g", function () {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1_000_000, '1000000'],
      [1.5, '1.5'],
      [0.1, '0.1'],
      [0.0001234, '0.0001234'],
      [1e-7, '1e-07'],
      [123456789.5, '1.234567895e+08'],
      [1e20, '1e+20'],
      // Go's JSON writes the shortest digits, then go-yaml reads them as a uint64.
      [2 ** 63, '9223372036854776000'],
      [1e21, '1e+21'],
      [-2.5e-300, '-2.5e-300'],
    ];
    for (const [value, text] of cases) assert.equal(goNumberText(value), text, String(value));
    assert.equal(formatYaml({ f: new GoFloat(3), big: 12345678901234567890n }), 'big: 12345678901234567890\nf: 3\n');
  });

  it('folds long strings at spaces past column 80 and writes multi-line strings as literal blocks', function () {
    const words = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq';
    const text = formatYaml({ metadata: { annotations: { long: words, ml: 'a\nb\n', star: `*${words}` } }, list: [words, {}, []] });
    assert.equal(
      text,
      [
        'list:',
        '- aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp',
        '  qqqq',
        '- {}',
        '- []',
        'metadata:',
        '  annotations:',
        '    long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo',
        '      pppp qqqq',
        '    ml: |',
        '      a',
        '      b',
        "    star: '*aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn",
        "      oooo pppp qqqq'",
        '',
      ].join('\n'),
    );
    // Unlimited width, as go-yaml v2.3.0 wrote.
    assert.equal(writeGoYaml({ long: words }, { depthLimit: 10, width: Number.POSITIVE_INFINITY }), `long: ${words}\n`);
  });

  it("writes every upstream fixture's .yaml byte for byte, for every release at hand", function () {
    requireSharedFixtures(this);
    const sets: { name: string; dir: string; kubeVersion: string | undefined }[] = [{ name: 'v1.36', dir: FIXTURES_DIR, kubeVersion: undefined }];
    if (existsSync(K8S_VERSIONS_DIR)) {
      for (const release of readdirSync(K8S_VERSIONS_DIR).sort()) {
        const dir = `${K8S_VERSIONS_DIR}/${release}/testdata`;
        if (existsSync(dir)) sets.push({ name: release, dir, kubeVersion: release.slice(1) });
      }
    }
    const summary: string[] = [];
    const failures: string[] = [];
    for (const set of sets) {
      let compared = 0;
      let undecodable = 0;
      for (const fixture of loadUpstreamFixtures(set.dir, 'go-json')) {
        const yamlFile = `${set.dir}/${fixture.name}.yaml`;
        if (!existsSync(yamlFile)) continue;
        const decoded = decode(fixture.pb, set.kubeVersion === undefined ? { type: fixture.type } : { type: fixture.type, kubeVersion: set.kubeVersion });
        // Stale upstream fixtures (types a release's protos lack) decode to something else: not a YAML question.
        try {
          assert.deepStrictEqual(decoded.object, fixture.json);
        } catch {
          undecodable++;
          continue;
        }
        compared++;
        const expected = readFileSync(yamlFile, 'utf8');
        const actual = formatYaml(decoded.object as JsonObject);
        if (actual !== expected) failures.push(`${set.name} ${fixture.name}: ${firstLineDifference(actual, expected)}`);
      }
      assert.ok(compared > 100, `${set.name}: only ${compared} fixtures compared`);
      summary.push(`${set.name} ${compared - failures.filter((f) => f.startsWith(`${set.name} `)).length}/${compared}${undecodable > 0 ? ` (+${undecodable} stale)` : ''}`);
    }
    console.log(`      byte-identical .yaml: ${summary.join(', ')}`);
    assert.deepEqual(failures, []);
  });
});

/** Strings that exercise each of go-yaml's style and folding rules. */
function hostileStrings(): string[] {
  const long = 'The quick brown fox jumps over the lazy dog, again and again, until the line is far too long';
  return [
    long,
    `${long} ${long}`,
    `  ${long}`,
    `${long}  double  spaces  at  the  fold  point  ${long}`,
    `${long}\n${long}\n`,
    `${long} \ntrailing space before a break`,
    `x\n\n`,
    `\n`,
    `\nleading break`,
    ` leading space\nand a break`,
    `tab\there ${long}`,
    `emoji 😀 ${long}`,
    `nel\u0085 and line separator\u2028 ${long}`,
    `\ufeffbyte order mark first`,
    `it's ${long} 'quoted'`,
    `- dash ${long}`,
    `? question`,
    `?no-space`,
    `-no-space`,
    `: colon`,
    `key: value ${long}`,
    `hash #comment`,
    `hash#inside`,
    `...dots`,
    `---dashes`,
    `* star ${long}`,
    '"double" \\ backslash',
    `${'x'.repeat(100)} ${'y'.repeat(100)}`,
    'yes',
    '0755',
    '1e3',
    '2026-01-01',
    '',
    'café\u00a0nbsp',
    'cr\rhere',
    'nel\u0085',
    `spaced \u0085 nel ${long}`,
    'two\u0085\u0085nels',
    'three\u0085 \u0085\u0085 nels',
  ];
}

/** A seeded pseudo-random object of the kinds of values kubectl prints. */
function randomObject(seed: number): JsonObject {
  const random = mulberry32(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const alphabet = [...'abcXYZ019_-.:#?\'"\\{},*&!|>%@`~', ' ', ' ', ' ', '\n', '\t', 'é', '😀', '\u2028', '\u00a0', 'ü'];
  const word = (): string => Array.from({ length: 1 + int(12) }, () => 'abcdefghijklmnopqrstuvwxyz'[int(26)]).join('');
  const text = (): string => {
    if (random() < 0.4) return Array.from({ length: int(25) }, word).join(random() < 0.8 ? ' ' : '  ');
    return Array.from({ length: int(random() < 0.5 ? 12 : 160) }, () => alphabet[int(alphabet.length)]).join('');
  };
  const value = (depth: number): JsonValue => {
    const pick = int(depth > 3 ? 6 : 9);
    if (pick < 3) return text();
    if (pick === 3) return random() < 0.5 ? int(1e9) - 5e8 : (random() - 0.5) * 10 ** (int(40) - 20);
    if (pick === 4) return random() < 0.5;
    if (pick === 5) return null;
    if (pick === 6) return Array.from({ length: int(4) }, () => value(depth + 1));
    const object: JsonObject = {};
    for (let i = int(5); i > 0; i--) object[random() < 0.1 ? text() : word()] = value(depth + 1);
    return object;
  };
  const spec: JsonObject = {};
  for (let i = 0; i < 300; i++) spec[`${word()}${int(100)}`] = value(0);
  return spec;
}

function kubectlPresent(): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'kubectl')));
}

describe('YAML as a real kubectl prints the same object', function () {
  this.timeout(60_000);
  let work = '';
  before(function () {
    if (!kubectlPresent()) {
      // CI installs it (scripts/install-kubectl.sh): there, a missing kubectl is a failure.
      assert.ok(process.env['CI'] === undefined, 'kubectl not found on PATH: run scripts/install-kubectl.sh');
      console.log('      skipped: kubectl not found on PATH (scripts/install-kubectl.sh installs Debian kubernetes-client)');
      this.skip();
    }
    work = mkdtempSync(join(tmpdir(), 'kreg-yaml-'));
    writeFileSync(join(work, 'kubeconfig'), '');
  });
  after(function () {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  /**
   * kubectl's YAML of `object` (an example.com/v1 Widget with `spec`), printed offline by
   * `patch --local` with an empty patch, and the width it folded at.
   */
  function kubectlYaml(name: string, spec: JsonObject): { object: JsonObject; text: string; width: number } {
    const probe = 'probe '.repeat(20).trim();
    const object: JsonObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, annotations: { probe } }, spec };
    const file = join(work, `${name}.json`);
    // kubectl reads the file as YAML, which refuses raw DEL and C1 controls: write all but ASCII as \u escapes.
    writeFileSync(
      file,
      JSON.stringify(object).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
    const args = ['--kubeconfig', join(work, 'kubeconfig'), 'patch', '--local', '-f', file, '-p', '{}', '--type', 'merge', '-o', 'yaml'];
    const text = execFileSync('kubectl', args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: work } });
    // Builds of 2020 with go-yaml v2.3.0 do not fold: compare those at unlimited width.
    const width = text.includes(`probe: ${probe}\n`) ? Number.POSITIVE_INFINITY : GO_YAML_WIDTH;
    if (width !== GO_YAML_WIDTH) console.log('      this kubectl does not fold long lines (go-yaml v2.3.0): compared unfolded');
    return { object, text, width };
  }

  it('prints hostile strings, as values and as keys, as kubectl does', function () {
    const strings = hostileStrings();
    const spec: JsonObject = { values: strings, nested: [[strings.slice(0, 3)], { deep: { deeper: strings.slice(0, 5) } }], empty: {}, none: [] };
    // As keys too, but for NEL: kubectl fails on a key holding one (go-yaml reads it as a line break inside a key).
    for (const [i, s] of strings.entries()) if (!s.includes('\u0085')) spec[s === '' ? 'empty string key' : s] = i;
    // managedFields' fieldsV1 keys: prefixes, JSON inside keys, go-yaml's ordering of '-', '_', digits.
    spec['fieldsV1'] = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:app-version': {}, 'f:app_name': {}, 'f:appName': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': {}, 'k:{"containerPort":80,"protocol":"TCP"}': {} } } } },
      'f:finalizers': { 'v:"kubernetes.io/pvc-protection"': {}, 'v:"example.com/a10"': {}, 'v:"example.com/a9"': {} },
    };
    spec['k'.repeat(129)] = { complex: 'key' };
    spec['m'.repeat(130)] = ['complex', 'key', 'with', 'a', 'list'];
    const { object, text, width } = kubectlYaml('hostile', spec);
    const ours = writeGoYaml(object, { depthLimit: 100, width });
    assert.equal(ours, text, firstLineDifference(ours, text));
  });

  it('prints 300 random values as kubectl does', function () {
    for (const seed of [1, 2, 3]) {
      const { object, text, width } = kubectlYaml(`random-${seed}`, randomObject(seed));
      const ours = writeGoYaml(object, { depthLimit: 100, width });
      assert.equal(ours, text, `seed ${seed}: ${firstLineDifference(ours, text)}`);
    }
  });

  it("prints every object of the demo cluster as kubectl does (kreg's -o json fed to kubectl)", async function () {
    const listed = await runKreg(['get', '-A', '-o', 'json', '--show-secrets', '--show-managed-fields', '--snapshot', `${REPO_ROOT}examples/demo-cluster.db`]);
    assert.equal(listed.code, 0, listed.stderr.toString());
    const file = join(work, 'demo.json');
    writeFileSync(file, listed.stdout);
    const args = ['--kubeconfig', join(work, 'kubeconfig'), 'patch', '--local', '-f', file, '-p', '{}', '--type', 'merge', '-o', 'yaml'];
    const text = execFileSync('kubectl', args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: work } });
    const items = (parseGoJson(listed.stdout.toString()) as { items: JsonObject[] }).items;
    assert.ok(items.length > 20, `only ${items.length} objects`);
    // kubectl prints the objects of a file one after another.
    const ours = items.map((item) => formatYaml(item)).join('');
    assert.equal(ours, text, firstLineDifference(ours, text));
  });
});

describe('go-yaml scalar analysis', () => {
  it('the plain-ASCII fast path finds what the character scan finds, for any string', () => {
    // Strings built from the characters that matter (indicators, blanks, breaks, dots, colons,
    // dashes, non-ASCII) around ordinary ones, so both paths are taken many times.
    const alphabet = [
      'a',
      'Z',
      '0',
      '9',
      '_',
      '/',
      '.',
      '-',
      ':',
      '?',
      '#',
      ',',
      '[',
      '{',
      '&',
      '*',
      '!',
      '|',
      '>',
      '<',
      "'",
      '"',
      '%',
      '@',
      '`',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u0085',
      'é',
      '\u2028',
      '\ufeff',
      '(',
      '=',
      '+',
      '~',
      ';',
      '$',
      '^',
      '\\',
    ];
    const random = mulberry32(20261130);
    let fast = 0;
    for (let n = 0; n < 100_000; n++) {
      const length = Math.floor(random() * 8);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * (i === 0 ? alphabet.length : 12))] as string;
      for (const candidate of [text, `${text}...`, `...${text}`, `---${text}`, `${text}:`, `a${text}`]) {
        const facts = analyze(candidate);
        assert.deepEqual(facts, scanScalar(candidate), JSON.stringify(candidate));
        if (/^[ -~]*$/.test(candidate) && facts.plainAllowed) fast++;
      }
    }
    assert.ok(fast > 10_000, `only ${fast} strings took the plain path`);
  });
});

describe('go-yaml writer shortcuts', () => {
  /** Strings each shortcut has to tell apart: plain, read as another type, needing quotes, folding, breaking. */
  const tricky = [
    ...hostileStrings(),
    ...['0x1f', '0X1F', 'yes', 'Y', 'n', 'on', 'Off', 'NULL', '~', '<<', '1e3', '+1e3', '1_000', '+5', '-5', '0755', '08', '.5', '1.', '1:20', '+.inf'],
    ...['2026-03-14T09:26:53Z', '2026-3-4', '10.244.0.1', '500m', '128Mi', 'v1', 'a:b', 'a:', 'a::', 'x\\y', '/path/to', '^$', '(x)', '=', '+', ';'],
    ...['registry.example.com/web@sha256:'.padEnd(120, '0123456789abcdef'), 'x'.repeat(81), `${'y'.repeat(79)} z`, 'é', 'naïve', '日本語', '😀'],
  ];

  /** Objects that put those strings as values and as keys at many depths (so at many columns). */
  function objects(): JsonValue[] {
    const random = mulberry32(20261201);
    const pick = (): string => tricky[Math.floor(random() * tricky.length)] as string;
    const values: JsonValue[] = [tricky, {}, [], { empty: {}, none: [], list: [[], {}, [[]], [{}]] }];
    for (const text of tricky) values.push(text, { [text]: text }, [text], [{ [text]: [text] }]);
    for (let n = 0; n < 300; n++) {
      let value: JsonValue = random() < 0.5 ? pick() : random() < 0.5 ? Math.floor(random() * 1e6) : null;
      for (let depth = Math.floor(random() * 30); depth > 0; depth--) {
        if (random() < 0.4) value = [value, pick()];
        else value = { [pick()]: value, [pick()]: pick(), [`${pick()}${n}`]: random() < 0.5 };
      }
      values.push(value);
    }
    for (const seed of [4, 5, 6]) values.push(randomObject(seed));
    return values;
  }

  it('analyse printable ASCII with newlines as the character scan does', () => {
    // Blanks, breaks and indicators anywhere in the string, next to each other and at either end.
    const alphabet = [...'ab-?:#.\' "{', ' ', ' ', '\n', '\n'];
    const random = mulberry32(20261202);
    let searched = 0;
    for (let n = 0; n < 50_000; n++) {
      const length = 1 + Math.floor(random() * 12);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)] as string;
      const facts = analyze(text);
      assert.deepEqual(facts, scanScalar(text), JSON.stringify(text));
      if (/[ \n]/.test(text)) searched++;
    }
    assert.ok(searched > 40_000, `only ${searched} strings held a blank or a break`);
  });

  it("write what go-yaml's full analysis writes, at either width, with keys seen before or not", () => {
    let compared = 0;
    // Twice: the first round meets most keys for the first time, the second knows them.
    for (const round of [1, 2]) {
      for (const value of objects()) {
        for (const width of [GO_YAML_WIDTH, Number.POSITIVE_INFINITY]) {
          const full = writeGoYaml(value, { depthLimit: 100, width, shortcuts: false });
          assert.equal(writeGoYaml(value, { depthLimit: 100, width }), full, `round ${round}, width ${width}: ${JSON.stringify(value).slice(0, 200)}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 1000, `only ${compared} values compared`);
  });
});
