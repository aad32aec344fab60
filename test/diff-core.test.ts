/** The pure parts of kreg diff (src/diff/, the masker, the table), without etcd or an API. */
import assert from 'node:assert/strict';
import { formatTable } from '../src/format/table.js';
import { GoFloat, type JsonObject } from '../src/codec/json-value.js';
import { select } from '../src/diff/collect.js';
import { judge } from '../src/diff/judge.js';
import { dropNullFields, normalisePair } from '../src/diff/normalise.js';
import { diffFileName, pairUp, type ObjectPair } from '../src/diff/pairs.js';
import { formatSummary } from '../src/diff/summary.js';
import { withTouched } from '../src/diff/touched.js';
import { UsageError } from '../src/errors.js';
import { builtinRegistry, resolveResource } from '../src/keys/index.js';
import { maskSecret, maskSecretPair } from '../src/mask-secrets.js';

const registry = builtinRegistry();
const configmaps = resolveResource('cm', { registry });
const deployments = resolveResource('deploy', { registry });
const options = { showManagedFields: false, showSecrets: false, ignore: [] as string[] };
const cm = (data: JsonObject, metadata: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', ...metadata }, data });

describe('diff core', function () {
  describe('normalisePair', function () {
    it('drops null fields at every depth on both sides, keeps null list elements, changes neither input', function () {
      const from: JsonObject = { kind: 'Event', eventTime: null, spec: { a: null, b: 1, list: [null, { c: null, d: 2 }] } };
      const to: JsonObject = { kind: 'Event', spec: { b: 1, list: [null, { d: 2 }] } };
      const before = structuredClone(from);
      const n = normalisePair(from, to, options);
      assert.deepEqual(n.from, to);
      assert.deepEqual(from, before);
      assert.equal(judge({ entry: configmaps, namespace: 'ns', name: 'a', ...n }).verdict, 'identical');
    });

    it('dropNullFields removes null fields in place, nested objects kept', function () {
      const o: JsonObject = { a: null, b: { c: null } };
      dropNullFields(o);
      assert.deepEqual(o, { b: {} });
    });

    it('compares resourceVersion only when both sides have one; drops managedFields and --ignore paths', function () {
      const stored = cm({ k: 'v' }, { resourceVersion: '5', managedFields: [{ manager: 'kubectl' }], generation: 3 });
      const manifest = cm({ k: 'v' });
      assert.deepEqual(normalisePair(stored, manifest, options).from, cm({ k: 'v' }, { generation: 3 }));
      const other = cm({ k: 'v' }, { resourceVersion: '6' });
      const both = normalisePair(cm({ k: 'v' }, { resourceVersion: '5' }), other, options);
      assert.notDeepEqual(both.from, both.to);
      const ignored = normalisePair(cm({ k: 'v' }, { generation: 3 }), cm({ k: 'w' }), { ...options, ignore: ['data', 'metadata.generation'] });
      assert.deepEqual(ignored.from, ignored.to);
      const kept = normalisePair(stored, manifest, { ...options, showManagedFields: true });
      assert.deepEqual((kept.from?.metadata as JsonObject).managedFields, [{ manager: 'kubectl' }]);
    });

    it('keeps GoFloat values as they are', function () {
      const n = normalisePair({ x: new GoFloat(1) }, undefined, options);
      assert.ok(n.from?.x instanceof GoFloat);
    });

    it('masks Secrets as kubectl diff, unless showSecrets', function () {
      const secret = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data });
      const n = normalisePair(secret({ same: 'QQ==', changed: 'QQ==', gone: 'QQ==' }), secret({ same: 'QQ==', changed: 'Qg==', added: 'Qg==' }), options);
      assert.deepEqual(n.from?.data, { same: '***', changed: '*** (before)', gone: '***' });
      assert.deepEqual(n.to?.data, { same: '***', changed: '*** (after)', added: '***' });
      assert.equal((normalisePair(secret({ k: 'QQ==' }), undefined, { ...options, showSecrets: true }).from?.data as JsonObject).k, 'QQ==');
    });
  });

  describe('maskSecretPair / maskSecret', function () {
    it('masks copies and never the inputs; leaves objects that are not Secrets alone', function () {
      const before: JsonObject = { apiVersion: 'v1', kind: 'Secret', data: { k: 'QQ==' }, stringData: { s: 'x' } };
      const after: JsonObject = { apiVersion: 'v1', kind: 'Secret', data: { k: 'Qg==' }, stringData: { s: 'x' } };
      const [a, b] = maskSecretPair(before, after);
      assert.deepEqual([a?.data, b?.data, a?.stringData, b?.stringData], [{ k: '*** (before)' }, { k: '*** (after)' }, { s: '***' }, { s: '***' }]);
      assert.deepEqual(before.data, { k: 'QQ==' });
      assert.deepEqual(maskSecret(before).data, { k: '***' });
      const map = cm({ k: 'v' });
      assert.equal(maskSecret(map), map);
      assert.deepEqual(maskSecretPair(null, after)[1]?.data, { k: '***' });
    });
  });

  describe('pairs, judgement and summary', function () {
    const found = (entry: typeof configmaps, name: string, data: JsonObject, namespace = 'ns') => ({ entry, namespace, name, object: cm(data, { name, namespace }) });
    const pairs = pairUp(
      [found(configmaps, 'same', { k: 'v' }), found(configmaps, 'changed', { k: 'v' }), found(configmaps, 'gone', {}), found(deployments, 'web', {})],
      [found(configmaps, 'changed', { k: 'w' }), found(configmaps, 'same', { k: 'v' }), found(configmaps, 'new', {}), found(configmaps, 'same', { k: 'v' }, 'other')],
    );
    const judged = pairs.map((p) => judge({ ...p, ...normalisePair(p.from, p.to, options) }));

    it('pairs by group, resource, namespace and name, sorted', function () {
      assert.deepEqual(
        judged.map((j) => `${j.pair.name}.${j.pair.namespace}: ${j.verdict}`),
        ['changed.ns: changed', 'gone.ns: only-from', 'new.ns: only-to', 'same.ns: identical', 'same.other: only-to', 'web.ns: only-from'],
      );
    });

    it('summarises per resource with a TOTAL row and lists what is not identical', function () {
      assert.equal(
        formatSummary('A', 'B', judged),
        [
          'from: A',
          'to:   B',
          'RESOURCE           ONLY-IN-FROM   ONLY-IN-TO   CHANGED   TOUCHED   IDENTICAL',
          'configmaps         1              2            1         0         1',
          'deployments.apps   1              0            0         0         0',
          'TOTAL              2              2            1         0         1',
          'changed: configmaps ns/changed',
          'only in from: configmaps ns/gone',
          'only in to: configmaps ns/new',
          'only in to: configmaps other/same',
          'only in from: deployments.apps ns/web',
          '',
        ].join('\n'),
      );
    });

    it('names files as kubectl diff: <group.>version.Kind.namespace.name', function () {
      assert.equal(diffFileName({ entry: configmaps, namespace: 'ns', name: 'a', from: cm({}), to: undefined }), 'v1.ConfigMap.ns.a');
      assert.equal(diffFileName({ entry: deployments, namespace: 'ns', name: 'w', from: undefined, to: { apiVersion: 'apps/v1', kind: 'Deployment' } }), 'apps.v1.Deployment.ns.w');
    });
  });

  describe('touched: changed only in fields the server rewrites', function () {
    const leases = resolveResource('leases', { registry });
    const pods = resolveResource('pods', { registry });
    const options = { showManagedFields: false, showSecrets: false, ignore: [] as string[] };
    const verdict = (pair: ObjectPair, extra: { ignoreStatus?: boolean; showManagedFields?: boolean } = {}): string => {
      const opts = { ...options, ...extra, ignoreStatus: extra.ignoreStatus ?? false };
      return withTouched(judge({ ...pair, ...normalisePair(pair.from, pair.to, opts) }), opts).verdict;
    };
    const pod = (rv: string, phase: string, label = 'a'): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', resourceVersion: rv, labels: { app: label } }, status: { phase } });
    const at = (from: JsonObject, to: JsonObject) => ({ entry: pods, namespace: 'ns', name: 'p', from, to });

    it('a new resourceVersion alone is touched; a label change is changed', function () {
      assert.equal(verdict(at(pod('1', 'Running'), pod('2', 'Running'))), 'touched');
      assert.equal(verdict(at(pod('1', 'Running'), pod('2', 'Running', 'b'))), 'changed');
      assert.equal(verdict(at(pod('1', 'Running'), pod('1', 'Running'))), 'identical');
    });

    it('status alone is changed, and touched with --ignore-status; a Lease renewal likewise', function () {
      assert.equal(verdict(at(pod('1', 'Pending'), pod('2', 'Running'))), 'changed');
      assert.equal(verdict(at(pod('1', 'Pending'), pod('2', 'Running')), { ignoreStatus: true }), 'touched');
      const lease = (renewTime: string, holder = 'a'): JsonObject => ({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'l', resourceVersion: renewTime },
        spec: { holderIdentity: holder, renewTime },
      });
      const pair = (from: JsonObject, to: JsonObject) => ({ entry: leases, namespace: 'ns', name: 'l', from, to });
      assert.equal(verdict(pair(lease('t1'), lease('t2'))), 'changed');
      assert.equal(verdict(pair(lease('t1'), lease('t2')), { ignoreStatus: true }), 'touched');
      assert.equal(verdict(pair(lease('t1'), lease('t2', 'b')), { ignoreStatus: true }), 'changed');
    });

    it('with --show-managed-fields, a managedFields timestamp alone is touched', function () {
      const managed = (time: string, rv: string): JsonObject => ({ ...pod(rv, 'Running'), metadata: { name: 'p', resourceVersion: rv, managedFields: [{ manager: 'm', operation: 'Update', time }] } });
      assert.equal(verdict(at(managed('2026-01-01T00:00:00Z', '1'), managed('2026-01-02T00:00:00Z', '2')), { showManagedFields: true }), 'touched');
    });
  });

  describe('select', function () {
    it('turns the arguments into what to compare, refusing combinations kubectl would', function () {
      assert.deepEqual(select({ resource: undefined, name: undefined, namespace: 'shop', allNamespaces: false }, registry), { kind: 'everything', namespace: 'shop' });
      const one = select({ resource: 'cm', name: 'a', namespace: undefined, allNamespaces: false }, registry);
      assert.equal(one.kind === 'object' && `${one.entry.resource} ${one.namespace} ${one.name}`, 'configmaps default a');
      const many = select({ resource: 'cm,deploy', name: undefined, namespace: undefined, allNamespaces: true }, registry);
      assert.equal(many.kind === 'resources' && many.entries.length === 2 && many.namespace, undefined);
      for (const bad of [
        { resource: undefined, name: undefined, namespace: undefined, allNamespaces: false },
        { resource: undefined, name: 'a', namespace: undefined, allNamespaces: true },
        { resource: 'cm,deploy', name: 'a', namespace: undefined, allNamespaces: false },
        { resource: 'cm', name: 'a', namespace: undefined, allNamespaces: true },
      ]) {
        assert.throws(() => select(bad, registry), UsageError);
      }
    });
  });

  describe('formatTable', function () {
    it('aligns columns kubectl-like: 3-space gaps, left by default, right where asked, no trailing spaces', function () {
      assert.equal(
        formatTable(
          ['NAME', 'SIZE', 'NOTE'],
          [
            ['a', '10', ''],
            ['long-name', '7', 'x'],
          ],
          { align: ['left', 'right'] },
        ),
        'NAME        SIZE   NOTE\na             10\nlong-name      7   x\n',
      );
      assert.equal(formatTable(undefined, []), '');
      assert.equal(formatTable(undefined, [['a'], ['bb', 'c']]), 'a\nbb   c\n');
    });
  });
});
