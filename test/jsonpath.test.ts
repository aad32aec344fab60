/**
 * kubectl's JSONPath dialect, parse and evaluate, on the input and the examples of
 * https://kubernetes.io/docs/reference/kubectl/jsonpath/ (expected results as that page gives
 * them, written the way current kubectl prints maps: as JSON), plus kubectl's error cases, and
 * the order --sort-by puts values in.
 */
import assert from 'node:assert/strict';
import type { JsonValue } from '../src/codec/json-value.js';
import { GoFloat } from '../src/codec/json-value.js';
import { executeJsonPath, findJsonPathResults } from '../src/format/jsonpath/evaluate-jsonpath.js';
import { goFloatText, goValueText } from '../src/format/jsonpath/go-text.js';
import { JsonPathError, parseJsonPathTemplate, relaxedJsonPath } from '../src/format/jsonpath/parse-jsonpath.js';
import { compareQuantities } from '../src/codec/quantity.js';
import { compareSortValues, naturalCompare } from '../src/format/sort-objects.js';

const DOCS_INPUT: JsonValue = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: { capacity: { cpu: '4' }, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }] },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2' },
      status: {
        capacity: { cpu: '8' },
        addresses: [
          { type: 'LegacyHostIP', address: '127.0.0.2' },
          { type: 'another', address: '127.0.0.3' },
        ],
      },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

const run = (template: string, data: JsonValue = DOCS_INPUT, allowMissingKeys = true): string => executeJsonPath(parseJsonPathTemplate(template), data, { allowMissingKeys });

describe('jsonpath (kubectl dialect)', function () {
  describe("the documentation's examples", function () {
    const examples: [string, string][] = [
      ['kind is {.kind}', 'kind is List'],
      ['{.kind}', 'List'],
      ["{['kind']}", 'List'],
      ['{$.kind}', 'List'],
      ['{..name}', '127.0.0.1 127.0.0.2 myself e2e'],
      ['{.items[*].metadata.name}', '127.0.0.1 127.0.0.2'],
      ['{.users[0].name}', 'myself'],
      ["{.items[*]['metadata.name', 'status.capacity']}", '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
      ['{.users[?(@.name=="e2e")].user.password}', 'secret'],
      ['{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}', '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] '],
      ["{range .items[*]}{.metadata.name}{'\\t'}{end}", '127.0.0.1\t127.0.0.2\t'],
      ['{.items[0].metadata.labels.kubernetes\\.io/hostname}', '127.0.0.1'],
      ["{.items[0].metadata.labels['kubernetes\\.io/hostname']}", '127.0.0.1'],
      ['{.users[-1:].name}', 'e2e'],
      ['{.users[-1].name}', 'e2e'],
      ['{.users[0:2].name}', 'myself e2e'],
      ['{.users[1:].name}', 'e2e'],
      ['{.users[::2].name}', 'myself'],
      ['{.users[0,1].name}', 'myself e2e'],
      ['{.items[*].status.addresses[?(@.type=="LegacyHostIP")].address}', '127.0.0.1 127.0.0.2'],
      ['{.items[*].status.addresses[?(@.type!="LegacyHostIP")].address}', '127.0.0.3'],
      ['{.users[?(@.user.password)].name}', 'e2e'],
      ['{.users[?(@.name=~"^my")].name}', 'myself'],
      ['{range .items[*]}{.metadata.name}{"\\n"}{end}', '127.0.0.1\n127.0.0.2\n'],
      ['{.users[1].user}', '{"password":"secret","username":"admin"}'],
    ];
    for (const [template, expected] of examples) {
      it(template, function () {
        assert.equal(run(template), expected);
      });
    }
    it('{@} is the whole input, printed as JSON', function () {
      assert.deepEqual(JSON.parse(run('{@}')), DOCS_INPUT);
    });
  });

  describe('values', function () {
    it('prints numbers as Go does, null as <nil>, and escapes HTML in JSON as Go', function () {
      const data: JsonValue = { a: 3, b: 2.5, c: new GoFloat(1e6), d: true, e: null, f: 12345678901234567890n, g: { h: '<x>' } };
      assert.equal(run('{.a} {.b} {.c} {.d} {.e} {.f} {.g}', data), '3 2.5 1e+06 true <nil> 12345678901234567890 {"h":"\\u003cx\\u003e"}');
    });
    it('compares numbers numerically in filters, and with < > <= >=', function () {
      const data: JsonValue = { items: [{ n: 1 }, { n: 5 }, { n: new GoFloat(10) }] };
      assert.equal(run('{.items[?(@.n>2)].n}', data), '5 10');
      assert.equal(run('{.items[?(@.n<=5)].n}', data), '1 5');
      assert.equal(run('{.items[?(@.n==10)].n}', data), '10');
      assert.equal(run('{.items[?(@.n>=1.5)].n}', data), '5 10');
    });
    it('nested ranges', function () {
      assert.equal(run('{range .items[*]}{.metadata.name}:{range .status.addresses[*]} {.type}{end};{end}'), '127.0.0.1: LegacyHostIP;127.0.0.2: LegacyHostIP another;');
    });
    it('goFloatText and goValueText follow fmt', function () {
      assert.deepEqual([0.5, 1e-5, 123456.5, 1234567.5, 1e21].map(goFloatText), ['0.5', '1e-05', '123456.5', '1.2345675e+06', '1e+21']);
      assert.equal(goValueText({ b: [1, 'x'], a: { c: null } }), 'map[a:map[c:<nil>] b:[1 x]]');
    });
  });

  describe('missing keys and errors', function () {
    it('a missing field is empty by default, an error without --allow-missing-template-keys', function () {
      assert.equal(run('x{.nope}y'), 'xy');
      assert.throws(() => run('{.nope}', DOCS_INPUT, false), /nope is not found/);
      assert.throws(() => run('{.items[?(@.nope=="x")]}', DOCS_INPUT, false), /nope is not found/);
    });
    it('an index out of range is an error even when missing keys are allowed, as in kubectl', function () {
      assert.throws(() => run('{.users[5].name}'), /array index out of bounds: index 5, length 2/);
      assert.throws(() => run('{.kind[0]}'), /string is not array or slice/);
      assert.equal(run('{.users[1:1]}'), '');
    });
    it('rejects bad templates when parsing, before any data', function () {
      const bad: [string, RegExp][] = [
        ['{.items[*}', /unterminated array|unclosed action/],
        ['{.kind', /unclosed action/],
        ['{end}', /not in range, nothing to end/],
        ['{foo}', /unrecognized identifier foo/],
        ['{.a[x]}', /invalid array index x/],
        ['{.a[?(@.b=="c"}', /unterminated filter|unclosed array expect \]/],
        ['{"abc}', /unterminated quoted string/],
        ['{.a....b}', /invalid multiple recursive descent/],
        ['{%}', /unrecognized character in action: U\+0025 '%'/],
        ['{.a[1:2:x]}', /invalid array index|is not a number/],
        ['{.a[?(@.b=<"c")]}', /unrecognized filter operator =</],
      ];
      for (const [template, message] of bad)
        assert.throws(
          () => parseJsonPathTemplate(template),
          (err: unknown) => err instanceof JsonPathError && message.test(err.message),
          template,
        );
    });
    it('a range with no {end} runs to the end, as in kubectl', function () {
      assert.equal(run('{range .users[*]}{.name},'), 'myself,e2e,');
    });
  });

  describe('relaxed paths (--sort-by, custom columns)', function () {
    it("accepts kubectl's four spellings", function () {
      for (const spelling of ['.metadata.name', 'metadata.name', '{.metadata.name}', '{metadata.name}']) assert.equal(relaxedJsonPath(spelling), '{.metadata.name}');
      assert.throws(() => relaxedJsonPath('{.a}{.b}'), /unexpected path string/);
    });
    it('findJsonPathResults gives one list per action', function () {
      assert.deepEqual(findJsonPathResults(parseJsonPathTemplate(relaxedJsonPath('.users[*].name')), DOCS_INPUT), [['myself', 'e2e']]);
    });
  });
});

describe('--sort-by order (kubectl sorter)', function () {
  it('natural order: digits as numbers, digits before letters, fewer leading zeros first', function () {
    const sorted = ['web-10', 'web-9', 'web-2', 'web-02', 'web-a', 'web-', 'we'].sort(naturalCompare);
    assert.deepEqual(sorted, ['we', 'web-', 'web-2', 'web-02', 'web-9', 'web-10', 'web-a']);
  });
  it('quantities by value, timestamps by time, null first, false before true', function () {
    assert.equal(compareQuantities('500m', '1'), -1);
    assert.equal(compareQuantities('1Ki', '1000'), 1);
    assert.equal(compareQuantities('1e3', '1k'), 0);
    assert.equal(compareQuantities('abc', '1'), undefined);
    assert.ok(compareSortValues('2026-01-01T00:00:05.5Z', '2026-01-01T00:00:06Z') < 0);
    assert.ok(compareSortValues('2026-01-01T00:00:05Z', '2026-01-01T00:00:05.5Z') < 0, 'text order would put .5 first');
    assert.ok(compareSortValues(null, 'a') < 0);
    assert.ok(compareSortValues(false, true) < 0);
    assert.ok(compareSortValues(2, new GoFloat(10)) < 0);
    assert.throws(() => compareSortValues(1, 'a'), /cannot compare a number with a string/);
    assert.throws(() => compareSortValues({}, {}), /unsortable/);
  });
});
