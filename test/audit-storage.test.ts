/**
 * kreg audit storage on a real etcd: one key for each kind of finding, a clean control set that
 * must give none (under a prefix of its own, and next to the findings under /registry), and the
 * same findings read back from an `etcdctl snapshot save` of it, which also lists the most
 * revised keys. `kreg audit` alone runs every audit and combines their exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { MAX_LISTED_PER_CHECK, type StorageAuditReport } from '../src/storage-audit/storage-audit.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

/** Small enough that a test object can come near it without megabytes of test data. */
const MAX_REQUEST_BYTES = 20_000;

const json = (object: JsonObject): Buffer => Buffer.from(JSON.stringify(object));
const meta = (name: string, uid: string, namespace?: string, owners?: JsonObject[]): JsonObject => ({
  name,
  uid,
  ...(namespace === undefined ? {} : { namespace }),
  ...(owners === undefined ? {} : { ownerReferences: owners }),
});
const owner = (kind: string, name: string, uid: string, apiVersion = 'apps/v1'): JsonObject => ({ apiVersion, kind, name, uid, controller: true });
const crd = (plural: string, kind: string, versions: { name: string; storage: boolean }[], storedVersions: string[]): JsonObject => ({
  // apiextensions-apiserver still writes CRDs as v1beta1 (see BUILTIN_RESOURCES).
  apiVersion: 'apiextensions.k8s.io/v1beta1',
  kind: 'CustomResourceDefinition',
  metadata: meta(`${plural}.example.com`, `crd-${plural}`),
  spec: { group: 'example.com', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` }, scope: 'Namespaced', versions: versions.map((v) => ({ ...v, served: true })) },
  status: { storedVersions, conditions: [{ type: 'Established', status: 'True' }] },
});

/** Objects that are all as kube-apiserver would keep them: no check may report any of them. */
function cleanSet(prefix: string): [string, Uint8Array][] {
  return [
    [`${prefix}/namespaces/default`, encode({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('default', 'ns-default') })],
    [`${prefix}/namespaces/shop`, encode({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('shop', 'ns-shop') })],
    [`${prefix}/minions/node-1`, encode({ apiVersion: 'v1', kind: 'Node', metadata: meta('node-1', 'node-uid') })],
    [`${prefix}/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com`, json(crd('widgets', 'Widget', [{ name: 'v1', storage: true }], ['v1']))],
    [`${prefix}/example.com/widgets/shop/w1`, json({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('w1', 'widget-uid', 'shop') })],
    [`${prefix}/deployments/shop/web`, encode({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'deploy-uid', 'shop') })],
    [`${prefix}/replicasets/shop/web-1`, encode({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-1', 'rs-uid', 'shop', [owner('Deployment', 'web', 'deploy-uid')]) })],
    [`${prefix}/pods/shop/web-1-a`, encode({ apiVersion: 'v1', kind: 'Pod', metadata: meta('web-1-a', 'pod-uid', 'shop', [owner('ReplicaSet', 'web-1', 'rs-uid')]) })],
    // A namespaced object may have a cluster-scoped owner.
    [
      `${prefix}/configmaps/shop/node-info`,
      encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('node-info', 'cm-uid', 'shop', [owner('Node', 'node-1', 'node-uid', 'v1')]), data: { a: 'b' } }),
    ],
    [`${prefix}/configmaps/default/big-but-fine`, encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('big-but-fine', 'big-uid', 'default'), data: { a: 'x'.repeat(15_000) } })],
    [`${prefix}/ranges/serviceips`, encode({ apiVersion: 'v1', kind: 'RangeAllocation', metadata: { name: '' }, range: '10.96.0.0/12', data: 'AAE=' })],
  ];
}

const managedFields = Array.from({ length: 12 }, (_, i) => ({
  manager: `controller-${i}`,
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:data': { [`f:key-${i}`]: {} }, 'f:metadata': { 'f:labels': { [`f:label-${i}`]: {} } } },
}));

/** One key per finding, and the check that must report it. */
const FINDINGS: { check: string; key: string; value: () => Uint8Array }[] = [
  { check: 'missing-namespace', key: '/registry/configmaps/gone/left-behind', value: () => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('left-behind', 'gone-uid', 'gone') }) },
  { check: 'missing-crd', key: '/registry/gizmos.example.org/gizmos/shop/g1', value: () => json({ apiVersion: 'gizmos.example.org/v1', kind: 'Gizmo', metadata: meta('g1', 'gizmo-uid', 'shop') }) },
  {
    check: 'crd-stored-versions',
    key: '/registry/apiextensions.k8s.io/customresourcedefinitions/gadgets.example.com',
    value: () =>
      json(
        crd(
          'gadgets',
          'Gadget',
          [
            { name: 'v1', storage: false },
            { name: 'v2', storage: true },
          ],
          ['v1', 'v2'],
        ),
      ),
  },
  { check: 'custom-resource-version', key: '/registry/example.com/gadgets/shop/old', value: () => json({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: meta('old', 'gadget-uid', 'shop') }) },
  {
    check: 'migration-candidate',
    key: '/registry/horizontalpodautoscalers/shop/web',
    value: () =>
      encode({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta('web', 'hpa-uid', 'shop'),
        spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' } },
      }),
  },
  { check: 'retired-resource', key: '/registry/podsecuritypolicy/restricted', value: () => json({ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: meta('restricted', 'psp-uid') }) },
  {
    check: 'missing-owner',
    key: '/registry/pods/shop/orphan',
    value: () => encode({ apiVersion: 'v1', kind: 'Pod', metadata: meta('orphan', 'orphan-uid', 'shop', [owner('ReplicaSet', 'deleted', 'no-such-uid')]) }),
  },
  // The owner's uid exists, in another namespace: the garbage collector treats it as absent too.
  {
    check: 'missing-owner',
    key: '/registry/pods/default/cross-namespace',
    value: () => encode({ apiVersion: 'v1', kind: 'Pod', metadata: meta('cross-namespace', 'cross-uid', 'default', [owner('ReplicaSet', 'web-1', 'rs-uid')]) }),
  },
  { check: 'event-without-lease', key: '/registry/events/shop/forever', value: () => encode({ apiVersion: 'v1', kind: 'Event', metadata: meta('forever', 'ev2-uid', 'shop'), reason: 'Test' }) },
  {
    check: 'near-request-limit',
    key: '/registry/configmaps/shop/huge',
    value: () => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('huge', 'huge-uid', 'shop'), data: { a: 'x'.repeat(19_000) } }),
  },
  {
    check: 'managed-fields-heavy',
    key: '/registry/configmaps/shop/managed',
    value: () => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta('managed', 'managed-uid', 'shop'), managedFields }, data: { a: 'b' } }),
  },
  { check: 'unmapped-key', key: '/registry/mystery/thing', value: () => Buffer.from('not kubernetes') },
];

function parse(stdout: Buffer): StorageAuditReport {
  return JSON.parse(stdout.toString('utf8')) as StorageAuditReport;
}

describe('kreg audit storage', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let dir: string;
  let snapshot: string;
  /** The lease no key under /registry holds, as etcdctl prints it. */
  let otherLease: string;

  before(async function () {
    const put = (key: string, value: Uint8Array, ...flags: string[]): Promise<Buffer> => etcd.server.etcdctl(['put', ...flags, key], value);
    const granted = (await etcd.server.etcdctl(['lease', 'grant', '3600'])).toString('utf8');
    const lease = /lease ([0-9a-f]+) granted/.exec(granted)?.[1];
    assert.ok(lease !== undefined, granted);
    // A second lease, holding only a key under /clean: under /registry its objects are gone.
    const other = /lease ([0-9a-f]+) granted/.exec((await etcd.server.etcdctl(['lease', 'grant', '3600'])).toString('utf8'))?.[1];
    assert.ok(other !== undefined);
    otherLease = other;
    await put('/clean/events/default/kept.1', encode({ apiVersion: 'v1', kind: 'Event', metadata: meta('kept.1', 'ev3-uid', 'default'), reason: 'Kept' }), `--lease=${other}`);
    for (const prefix of ['/clean', '/registry']) {
      for (const [key, value] of cleanSet(prefix)) await put(key, value);
      // Events as kube-apiserver writes them: with a lease.
      await put(`${prefix}/events/shop/web.1`, encode({ apiVersion: 'v1', kind: 'Event', metadata: meta('web.1', 'ev-uid', 'shop'), reason: 'Scheduled' }), `--lease=${lease}`);
    }
    for (const finding of FINDINGS) await put(finding.key, finding.value());
    // History: the Deployment rewritten three more times, and compacted after the second: etcd
    // keeps the value at the compaction and the write after it.
    const revisionNow = async (): Promise<number> => (JSON.parse((await etcd.server.etcdctl(['get', 'x', '-w', 'json'])).toString()) as { header: { revision: number } }).header.revision;
    for (let i = 0; i < 3; i++) {
      await put('/registry/deployments/shop/web', encode({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...meta('web', 'deploy-uid', 'shop'), generation: i + 2 } }));
      if (i === 1) await etcd.server.etcdctl(['compact', '--physical', String(await revisionNow())]);
    }
    dir = await mkdtemp(join(tmpdir(), 'kreg-audit-storage-'));
    snapshot = join(dir, 'etcd.db');
    await etcd.server.etcdctl(['snapshot', 'save', snapshot]);
  });

  after(async function () {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const limit = ['--max-request-bytes', String(MAX_REQUEST_BYTES)];

  it('finds nothing in the clean control set, live and from the snapshot (exit 0)', async function () {
    for (const source of [
      ['--endpoints', etcd.server.endpoint],
      ['--snapshot', snapshot],
    ]) {
      const r = await runKreg(['audit', 'storage', '--etcd-prefix', '/clean', ...limit, '-o', 'json', ...source]);
      assert.equal(r.code, 0, r.stderr);
      const report = parse(r.stdout);
      assert.deepEqual(report.findings, []);
      assert.equal(report.keys, cleanSet('/clean').length + 2);
      assert.ok(Object.values(report.counts).every((n) => n === 0));
      const text = await runKreg(['audit', 'storage', '--etcd-prefix', '/clean', ...limit, ...source]);
      assert.match(text.stdout.toString(), /^no findings in 13 keys$/m);
    }
  });

  it('reports each kind of finding on its key, and nothing on the clean objects next to them (exit 1)', async function () {
    const r = await runKreg(['audit', 'storage', ...limit, '-o', 'json', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 1, r.stderr);
    const report = parse(r.stdout);
    const found = report.findings.map((f) => `${f.check} ${f.key}`).sort();
    assert.deepEqual(found, [...FINDINGS.map((f) => `${f.check} ${f.key}`), `unused-lease (lease ${otherLease})`].sort());
    for (const f of report.findings) assert.ok(f.reason.length > 0 && f.action.length > 0, JSON.stringify(f));
    const migration = report.findings.find((f) => f.check === 'migration-candidate');
    assert.match(migration?.reason ?? '', /stored as autoscaling\/v1; kube-apiserver writes autoscaling\/v2 today/);
    assert.match(report.findings.find((f) => f.key.endsWith('/cross-namespace'))?.reason ?? '', /namespace "shop" has that uid/);
    // Live etcd replays the revisions not yet compacted with a watch.
    assert.deepEqual(report.churn, { available: true, keys: [{ key: '/registry/deployments/shop/web', revisions: 2 }] });
  });

  it('gives the same findings and most revised keys from the snapshot', async function () {
    const [live, offline] = await Promise.all([
      runKreg(['audit', 'storage', ...limit, '-o', 'json', '--endpoints', etcd.server.endpoint]),
      runKreg(['audit', 'storage', ...limit, '-o', 'json', '--snapshot', snapshot]),
    ]);
    assert.equal(offline.code, 1, offline.stderr);
    const fromSnapshot = parse(offline.stdout);
    const fromLive = parse(live.stdout);
    assert.deepEqual(fromSnapshot.findings, fromLive.findings);
    assert.deepEqual(fromSnapshot.counts, fromLive.counts);
    assert.equal(fromSnapshot.keys, fromLive.keys);
    assert.deepEqual(fromSnapshot.churn, fromLive.churn);
    assert.deepEqual(fromSnapshot.notes, fromLive.notes);
    const text = (await runKreg(['audit', 'storage', ...limit, '--snapshot', snapshot])).stdout.toString();
    assert.match(text, /^objects in namespaces that do not exist \(missing-namespace\): 1\n {2}\/registry\/configmaps\/gone\/left-behind\n/m);
    assert.match(text, /^ {7}2 {2}\/registry\/deployments\/shop\/web$/m);
    assert.match(text, new RegExp(`^${FINDINGS.length + 1} finding\\(s\\) in \\d+ keys$`, 'm'));
  });

  it('kreg audit runs every audit: exit 1 when either finds something, 0 when both are clean', async function () {
    const all = await runKreg(['audit', ...limit, '-o', 'json', '--snapshot', snapshot]);
    assert.equal(all.code, 1, all.stderr);
    const combined = JSON.parse(all.stdout.toString()) as { storage: StorageAuditReport; encryption: { resources: { resource: string; provider: string }[] } };
    assert.equal(combined.storage.findings.length, FINDINGS.length + 1);
    assert.ok(combined.encryption.resources.some((row) => row.resource === 'pods' && row.provider === 'plaintext'));
    const clean = await runKreg(['audit', '--etcd-prefix', '/clean', ...limit, '--snapshot', snapshot]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout.toString(), /^== storage ==\n/);
    assert.match(clean.stdout.toString(), /^== encryption ==\n/m);
  });
});

describe('kreg audit storage over any source', function () {
  it("kreg audit's own options stay its own: audit encryption takes no --top, and shows -o once", async function () {
    const source = new MemorySource();
    const refused = await runKreg(['audit', 'encryption', '--top', '5'], { source });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /unknown flag: --top/);
    const help = await runKreg(['audit', 'encryption', '--help'], { source });
    assert.match(help.stdout.toString(), /^ {2}-o, --output /m);
    assert.doesNotMatch(help.stdout.toString(), /--max-request-bytes|-o, -o/);
  });

  it('does not call an object an orphan when its owner could not be read, and says so', async function () {
    const source = new MemorySource();
    source.put('/registry/namespaces/a', encode({ apiVersion: 'v1', kind: 'Namespace', metadata: meta('a', 'ns-a') }));
    // An encrypted Secret (its uid cannot be read) owns a ConfigMap.
    source.put('/registry/secrets/a/s', Buffer.from('k8s:enc:aescbc:v1:key1:garbage'));
    source.put('/registry/configmaps/a/c', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c', 'c-uid', 'a', [owner('Secret', 's', 'secret-uid', 'v1')]) }));
    const r = await runKreg(['audit', 'storage', '-o', 'json'], { source });
    assert.equal(r.code, 0, r.stderr);
    const report = parse(r.stdout);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.notes, [
      '1 value(s) not checked beyond their keys and sizes, e.g. /registry/secrets/a/s: encrypted at rest; give --encryption-config to read it',
      "1 ownerReference(s) not checked: some objects of the owner's kind could not be read",
      'etcd leases not checked for keys: memory cannot list its leases',
    ]);
  });

  it('a CRD stored at the served v1 is no migration candidate (v1beta1 is only the compact storage encoding); an HPA at autoscaling/v1 is', async function () {
    const source = new MemorySource();
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com', uid: 'crd-uid' } };
    source.put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', JSON.stringify(crd));
    source.put('/registry/namespaces/shop', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns-uid' } }));
    source.put(
      '/registry/horizontalpodautoscalers/shop/web',
      JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop', uid: 'hpa-uid' } }),
    );
    const report = parse((await runKreg(['audit', 'storage', '-o', 'json'], { source })).stdout);
    assert.deepEqual(
      report.findings.filter((f) => f.check === 'migration-candidate').map((f) => f.key),
      ['/registry/horizontalpodautoscalers/shop/web'],
    );
  });

  it('counts every finding but keeps at most MAX_LISTED_PER_CHECK of one check, so memory stays bounded', async function () {
    const source = new MemorySource();
    const extra = 3;
    for (let i = 0; i < MAX_LISTED_PER_CHECK + extra; i++) source.put(`/registry/mystery/k${String(i).padStart(6, '0')}`, 'x');
    const r = await runKreg(['audit', 'storage', '-o', 'json'], { source });
    assert.equal(r.code, 1, r.stderr);
    const report = parse(r.stdout);
    assert.equal(report.counts['unmapped-key'], MAX_LISTED_PER_CHECK + extra);
    assert.equal(report.findings.length, MAX_LISTED_PER_CHECK);
    assert.equal(report.findings.at(-1)?.key, `/registry/mystery/k${String(MAX_LISTED_PER_CHECK - 1).padStart(6, '0')}`);
    assert.deepEqual(report.notes, [
      `unmapped-key: ${extra} more finding(s) counted but not listed (the first ${MAX_LISTED_PER_CHECK} in key order are)`,
      'etcd leases not checked for keys: memory cannot list its leases',
    ]);
    const text = (await runKreg(['audit', 'storage'], { source })).stdout.toString();
    assert.match(text, /^keys that map to no resource \(unmapped-key\): 10,003\n/);
    assert.match(text, /^ {2}\.\.\. and 9,983 more \(-o json lists them\)$/m);
  });

  it('kreg audit with a word that names no audit fails rather than running them all', async function () {
    const r = await runKreg(['audit', 'storag'], { source: new MemorySource() });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n')[0], 'kreg: unknown command "storag" for "kreg audit" (did you mean storage?); the audits are storage, encryption');
    assert.equal(r.stdout.length, 0);
  });

  it('refuses a --max-request-bytes that is no whole number', async function () {
    const r = await runKreg(['audit', 'storage', '--max-request-bytes', '1.5MiB'], { source: new MemorySource() });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n')[0], 'kreg: --max-request-bytes must be a whole number of at least 1, not "1.5MiB"');
  });
});
