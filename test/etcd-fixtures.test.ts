/**
 * Every storable upstream fixture, written into a real etcd at the key kube-apiserver would use
 * (plus a CRD and its custom resources as JSON), read back through the kreg CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../src/codec/json-value.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';
import { storableFixtures, type StoredFixture } from './support/fixtures.js';
import { haveSharedFixtures, requireSharedFixtures } from './support/shared-data.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com', uid: 'crd-uid' },
  spec: {
    group: 'example.com',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true }],
  },
};
const widgets = ['alpha', 'beta'].map((name) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec: { size: name.length } }));

describe('fixtures in real etcd, read back by kreg get and kreg keys explain', function () {
  this.timeout(300_000);
  const etcd = useEtcd();
  if (!haveSharedFixtures()) {
    it('needs ../shared/kubernetes-v1.36/testdata', function () {
      requireSharedFixtures(this);
    });
    return;
  }
  const fixtures = storableFixtures();
  const modRevisions = new Map<string, number>();

  before(async function () {
    for (const fixture of fixtures) {
      const pb = readFileSync(fixture.file);
      await etcd.server.etcdctl(['put', fixture.key], pb);
    }
    await etcd.server.etcdctl(['put', '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com'], Buffer.from(`${JSON.stringify(crd)}\n`));
    for (const w of widgets) await etcd.server.etcdctl(['put', `/registry/example.com/widgets/shop/${w.metadata.name}`], Buffer.from(`${JSON.stringify(w)}\n`));
    // etcdctl -w json gives base64 keys and each key's mod_revision.
    const listing = JSON.parse((await etcd.server.etcdctl(['get', '--prefix', '/registry/', '--keys-only', '-w', 'json'])).toString()) as { kvs: { key: string; mod_revision: number }[] };
    for (const kv of listing.kvs) modRevisions.set(Buffer.from(kv.key, 'base64').toString(), kv.mod_revision);
  });

  it('stores a fixture for most built-in resources', function () {
    assert.ok(fixtures.length >= 60, `only ${fixtures.length} storable fixtures found`);
    assert.equal(new Set(fixtures.map((f) => f.key)).size, fixtures.length, 'two fixtures map to one key');
  });

  it('kreg get returns every object equal to its .json fixture, resourceVersion = mod_revision', async function () {
    const r = await runKreg(['get', '-A', '-o', 'ndjson', '--show-secrets', '--show-managed-fields', '--show-etcd', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const byKey = new Map<string, JsonObject>();
    for (const line of r.stdout.toString().trim().split('\n')) {
      const object = JSON.parse(line) as JsonObject & { etcd: { key: string } };
      byKey.set(object.etcd.key, object);
    }
    let compared = 0;
    for (const fixture of fixtures) {
      const got = byKey.get(fixture.key);
      assert.ok(got !== undefined, `${fixture.name}: kreg get did not return ${fixture.key}`);
      delete got.etcd;
      const expected = structuredClone(fixture.json);
      (expected.metadata as JsonObject).resourceVersion = String(modRevisions.get(fixture.key));
      assert.deepStrictEqual(got, expected, fixture.name);
      compared++;
    }
    console.log(`      ${compared} fixtures read back equal to their .json`);
  });

  it('kreg get reads custom resources through the CRD stored beside them', async function () {
    const r = await runKreg(['get', 'wd', '-n', 'shop', '-o', 'json', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout.toString()) as { kind: string; items: JsonObject[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((o) => (o.metadata as JsonObject).name),
      ['alpha', 'beta'],
    );
    const alpha = list.items[0] as JsonObject;
    assert.equal((alpha.metadata as JsonObject).resourceVersion, String(modRevisions.get('/registry/example.com/widgets/shop/alpha')));
    assert.deepEqual(alpha.spec, { size: 5 });
  });

  it('kreg ls counts them, per resource', async function () {
    const r = await runKreg(['ls', '-o', 'json', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout.toString()) as { type: string; resource: string; group: string; kind: string; count: number }[];
    const counted = new Map(rows.filter((row) => row.type === 'resource').map((row) => [`${row.resource}.${row.group}`, row.count]));
    const expected = new Map<string, number>([
      ['customresourcedefinitions.apiextensions.k8s.io', 1],
      ['widgets.example.com', widgets.length],
    ]);
    for (const f of fixtures) {
      const id = `${f.entry.resource}.${f.entry.group}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...expected].sort()));
    assert.equal(rows.find((row) => row.resource === 'widgets')?.kind, 'Widget');
  });

  it('kreg keys explain knows custom resources from the CRDs in etcd', async function () {
    const r = await runKreg(['keys', 'explain', '/registry/example.com/widgets/shop/alpha', '-o', 'json', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const explained = JSON.parse(r.stdout.toString()) as { kind: string; restPath: string };
    assert.equal(explained.kind, 'Widget');
    assert.equal(explained.restPath, 'GET /apis/example.com/v1/namespaces/shop/widgets/alpha');
  });

  it('kreg get of one named object prints the object itself', async function () {
    const fixture = fixtures.find((f) => f.entry.resource === 'configmaps') as StoredFixture;
    const meta = fixture.json.metadata as JsonObject;
    const r = await runKreg(['get', 'cm', String(meta.name), '-n', String(meta.namespace), '-o', 'json', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout.toString()) as JsonObject).kind, 'ConfigMap');
  });

  it('kreg keys explain maps every key back to the fixture kind', async function () {
    const keys = fixtures.map((f) => ({ key: f.key, kind: f.json.kind as string }));
    const queue = [...keys];
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const r = await runKreg(['keys', 'explain', item.key, '-o', 'json']);
        const explained = r.code === 0 ? (JSON.parse(r.stdout.toString()) as { kind?: string }) : {};
        if (explained.kind !== item.kind) failures.push(`${item.key}: expected ${item.kind}, got ${explained.kind ?? r.stderr.trim()}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    assert.deepEqual(failures, []);
  });
});
