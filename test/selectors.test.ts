/** kubectl's label and field selectors: parsing (and its errors) and matching. */
import assert from 'node:assert/strict';
import type { JsonObject } from '../src/codec/json-value.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, selectableFields } from '../src/format/selectors.js';

const labels = { app: 'web', tier: 'fe', 'example.com/team': 'shop', n: '5' };
const selects = (selector: string, on: Record<string, string> = labels): boolean => matchesLabels(parseLabelSelector(selector), on);

describe('selectors', function () {
  describe('label selectors', function () {
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app==web', true],
      ['app=db', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['app in (web,db)', true],
      ['app in (db)', false],
      ['app notin (db, cache)', true],
      ['app notin (web)', false],
      ['missing notin (web)', true],
      ['app', true],
      ['missing', false],
      ['!missing', true],
      ['!app', false],
      ['app=web,tier=fe', true],
      ['app=web,tier=be', false],
      ['example.com/team=shop', true],
      ['  app = web ,  !missing ', true],
      ['n>4', true],
      ['n<5', false],
      ['app>4', false],
      ['app=', false],
    ];
    for (const [selector, expected] of cases) it(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'}`, () => assert.equal(selects(selector), expected));

    it('matches an empty value with key=', function () {
      assert.equal(selects('app=', { app: '' }), true);
    });
    it('parses into requirements', function () {
      assert.deepEqual(parseLabelSelector('a=b,c in (d,e),!f,g'), [
        { key: 'a', operator: '=', values: ['b'] },
        { key: 'c', operator: 'in', values: ['d', 'e'] },
        { key: 'f', operator: '!', values: [] },
        { key: 'g', operator: 'exists', values: [] },
      ]);
    });
    const bad: [string, RegExp][] = [
      ['app in (a', /"," or "\)" expected/],
      ['app in a', /"\(" expected after "in"/],
      ['app in ()', /at least one value/],
      ['app=web,', /a requirement expected after the last ","/],
      [',app', /a label key expected/],
      ['app web', /an operator .* expected after label key "app"/],
      ['-bad=x', /invalid label key "-bad"/],
      ['app=-x', /invalid label value "-x"/],
      ['Bad_Prefix/x=y', /prefix must be a DNS subdomain/],
      ['n>x', /needs an integer value/],
      ['a=b=c', /"," expected between requirements/],
    ];
    for (const [selector, message] of bad) {
      it(`rejects ${JSON.stringify(selector)}`, function () {
        assert.throws(
          () => parseLabelSelector(selector),
          (err: unknown) => err instanceof SelectorError && message.test(err.message),
        );
      });
    }
  });

  describe('field selectors', function () {
    const pod: JsonObject = { metadata: { name: 'web-1', namespace: 'shop' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    it('parses =, == and !=, comma = and', function () {
      assert.deepEqual(parseFieldSelector('metadata.name=web-1,status.phase==Running,spec.nodeName!=n2'), [
        { field: 'metadata.name', operator: '=', value: 'web-1' },
        { field: 'status.phase', operator: '=', value: 'Running' },
        { field: 'spec.nodeName', operator: '!=', value: 'n2' },
      ]);
      assert.deepEqual(parseFieldSelector(''), []);
    });
    it('matches against the object', function () {
      assert.equal(matchesFields(parseFieldSelector('metadata.name=web-1,status.phase=Running'), pod), true);
      assert.equal(matchesFields(parseFieldSelector('status.phase!=Running'), pod), false);
      assert.equal(matchesFields(parseFieldSelector('metadata.namespace=shop'), pod), true);
      assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), { metadata: { name: 'p' } }), true, 'an unscheduled pod has nodeName ""');
      assert.equal(matchesFields(parseFieldSelector('spec.unschedulable=false'), { spec: {} }), true);
      assert.equal(matchesFields(parseFieldSelector('source=kubelet'), { source: { component: 'kubelet' } }), true);
    });
    it('keeps escaped commas in values', function () {
      assert.deepEqual(parseFieldSelector('metadata.name=a\\,b'), [{ field: 'metadata.name', operator: '=', value: 'a,b' }]);
    });
    it('rejects what is not field=value', function () {
      assert.throws(() => parseFieldSelector('status.phase'), SelectorError);
      assert.throws(() => parseFieldSelector('=x'), SelectorError);
    });
    it('knows the fields each kind can be selected by', function () {
      assert.ok(selectableFields('/Pod').includes('status.phase'));
      assert.ok(selectableFields('/Pod').includes('spec.nodeName'));
      assert.ok(selectableFields('/Secret').includes('type'));
      assert.ok(selectableFields('/Event').includes('type'));
      assert.deepEqual(selectableFields('apps/Deployment'), ['metadata.name', 'metadata.namespace']);
      assert.deepEqual(selectableFields('example.com/Widget', ['spec.color']), ['metadata.name', 'metadata.namespace', 'spec.color']);
    });
  });
});
