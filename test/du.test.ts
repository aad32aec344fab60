/**
 * kreg du: totals equal the value sizes etcdctl reads for the same keys (real etcd), and the
 * managedFields and status parts are measured on the stored bytes (protobuf and JSON).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import type { JsonObject } from '../src/codec/json-value.js';
import { measureStoredParts } from '../src/codec/stored-parts.js';
import { encode } from '../src/index.js';
import { parseKey } from '../src/keys/index.js';
import { loadSchema } from '../src/schema-bundle.js';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { EtcdSource } from '../src/sources/etcd-source.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { UsageGroup } from '../src/storage-usage.js';
import { collect } from './support/collect.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
function pod(name: string, namespace: string, withExtras: { managedFields?: boolean; status?: boolean; owner?: string } = {}): JsonObject {
  const metadata: JsonObject = { name, namespace, uid: `uid-${name}` };
  if (withExtras.managedFields === true) metadata.managedFields = managedFields;
  if (withExtras.owner !== undefined) metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: withExtras.owner, uid: 'rs-uid', controller: true }];
  const object: JsonObject = { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
  if (withExtras.status === true) object.status = { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True' }] };
  return object;
}

interface DuJson {
  history: { available: boolean; reason?: string };
  groups: UsageGroup[];
  total: UsageGroup;
  largest: { key: string; bytes: number }[];
  largestHistory: { key: string; group: string; bytes: number; revisions: number }[];
}

/** du's group of a key (--by resource), as a test computes it from the key alone. */
function resourceGroupOf(key: string): string {
  try {
    const parsed = parseKey(key);
    if (parsed.type === 'object') return parsed.group === '' ? parsed.resource : `${parsed.resource}.${parsed.group}`;
  } catch {
    // not an object key: du puts it under its first segment
  }
  return `(other) ${key.split('/')[2] ?? ''}`;
}

describe('kreg du', function () {
  this.timeout(120_000);

  describe('on a real etcd', function () {
    const etcd = useEtcd();

    before(async function () {
      for (const [i, ns] of ['a', 'a', 'b'].entries()) await etcd.server.etcdctl(['put', `/registry/pods/${ns}/p${i}`], encode(pod(`p${i}`, ns, { managedFields: true, status: true })));
      await etcd.server.etcdctl(['put', '/registry/configmaps/a/c'], encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' }, data: { a: 'x'.repeat(5000) } }));
      await etcd.server.etcdctl(['put', '/registry/mystery/thing'], Buffer.from('not kubernetes'));
    });

    it('adds up to the value sizes etcdctl reads, per resource', async function () {
      const r = await runKreg(['du', '-o', 'json', '--endpoints', etcd.server.endpoint]);
      assert.equal(r.code, 0, r.stderr);
      const du = JSON.parse(r.stdout.toString()) as DuJson;
      const listed = JSON.parse((await etcd.server.etcdctl(['get', '/registry/', '--prefix', '-w', 'json'])).toString()) as { kvs: { key: string; value: string }[] };
      const sizes = new Map<string, number>();
      for (const kv of listed.kvs) {
        const key = Buffer.from(kv.key, 'base64').toString();
        const resource = key.split('/')[2] as string;
        sizes.set(resource, (sizes.get(resource) ?? 0) + Buffer.from(kv.value, 'base64').length);
      }
      assert.equal(du.groups.find((g) => g.group === 'pods')?.bytes, sizes.get('pods'));
      assert.equal(du.groups.find((g) => g.group === 'configmaps')?.bytes, sizes.get('configmaps'));
      assert.equal(du.groups.find((g) => g.group === '(other) mystery')?.bytes, sizes.get('mystery'));
      // Every group, not only those three: value sizes summed per resource from etcdctl's listing.
      const perGroup = new Map<string, { bytes: number; count: number }>();
      for (const kv of listed.kvs) {
        const group = resourceGroupOf(Buffer.from(kv.key, 'base64').toString());
        const sum = perGroup.get(group) ?? { bytes: 0, count: 0 };
        sum.bytes += Buffer.from(kv.value, 'base64').length;
        sum.count++;
        perGroup.set(group, sum);
      }
      assert.deepEqual(new Map(du.groups.map((g) => [g.group, { bytes: g.bytes, count: g.count }])), perGroup);
      assert.deepEqual(du.history, { available: true });
      // Written once each: one revision per key, its live value.
      assert.equal(du.total.revisions, du.total.count);
      assert.equal(du.total.historyBytes, du.total.bytes);
      const quick = JSON.parse((await runKreg(['du', '--no-history', '-o', 'json', '--endpoints', etcd.server.endpoint])).stdout.toString()) as DuJson;
      assert.deepEqual(quick.history, { available: false, reason: 'not read (--no-history)' });
      assert.deepEqual(
        quick.groups.map((g) => [g.group, g.bytes, g.historyBytes]),
        du.groups.map((g) => [g.group, g.bytes, 0]),
      );
      assert.equal(
        du.total.bytes,
        [...sizes.values()].reduce((a, b) => a + b, 0),
      );
      assert.equal(du.total.count, listed.kvs.length);
      assert.equal(du.largest[0]?.key, '/registry/configmaps/a/c');
      for (const g of du.groups) assert.equal(g.managedFieldsBytes + g.statusBytes + g.otherBytes, g.bytes, g.group);
    });

    it('counts the bytes and revisions of every retained revision, live and from a snapshot of it', async function () {
      // History: a ConfigMap written three times and then deleted, and one put twice.
      const written: { key: string; size: number }[] = [];
      const put = async (key: string, value: Uint8Array): Promise<void> => {
        await etcd.server.etcdctl(['put', key], value);
        written.push({ key, size: value.length });
      };
      for (const n of [10, 200, 6000])
        await put('/registry/configmaps/h/churn', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn', namespace: 'h' }, data: { a: 'x'.repeat(n) } }));
      await etcd.server.etcdctl(['del', '/registry/configmaps/h/churn']);
      written.push({ key: '/registry/configmaps/h/churn', size: 0 });
      for (const n of [1, 2]) await put('/registry/secrets/h/twice', encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'twice', namespace: 'h' }, data: { a: 'eHh4'.repeat(n) } }));
      const dir = await mkdtemp(join(tmpdir(), 'kreg-du-'));
      try {
        const file = join(dir, 'etcd.db');
        await etcd.server.etcdctl(['snapshot', 'save', file]);
        const r = await runKreg(['du', '-A', '-o', 'json', '--top', '1', '--snapshot', file]);
        assert.equal(r.code, 0, r.stderr);
        const du = JSON.parse(r.stdout.toString()) as DuJson;
        // Live etcd replays the same revisions with a watch.
        const live = await runKreg(['du', '-A', '-o', 'json', '--top', '1', '--endpoints', etcd.server.endpoint]);
        assert.equal(live.code, 0, live.stderr);
        assert.deepEqual(JSON.parse(live.stdout.toString()), du);
        assert.deepEqual(du.history, { available: true });
        // Keys written once before (pods, configmaps/a/c, ...) have one revision each: their live value.
        const listed = JSON.parse((await etcd.server.etcdctl(['get', '/registry/', '--prefix', '-w', 'json'])).toString()) as { kvs: { key: string; value: string }[] };
        const expected = new Map<string, { historyBytes: number; revisions: number }>();
        const count = (key: string, size: number): void => {
          const group = resourceGroupOf(key);
          const sum = expected.get(group) ?? { historyBytes: 0, revisions: 0 };
          sum.historyBytes += size;
          sum.revisions++;
          expected.set(group, sum);
        };
        const rewritten = new Set(written.map((w) => w.key));
        for (const kv of listed.kvs) {
          const key = Buffer.from(kv.key, 'base64').toString();
          if (!rewritten.has(key)) count(key, Buffer.from(kv.value, 'base64').length);
        }
        for (const w of written) count(w.key, w.size);
        assert.deepEqual(new Map(du.groups.map((g) => [g.group, { historyBytes: g.historyBytes, revisions: g.revisions }])), expected);
        const churned = written.filter((w) => w.key.endsWith('/churn'));
        assert.deepEqual(du.largestHistory, [{ key: '/registry/configmaps/h/churn', group: 'configmaps', bytes: churned.reduce((a, w) => a + w.size, 0), revisions: 4 }]);
        // A deleted key counts in history only.
        const configmaps = du.groups.find((g) => g.group === 'configmaps');
        assert.equal(configmaps?.count, 1);
        const text = (await runKreg(['du', 'configmaps', '-n', 'h', '--snapshot', file])).stdout.toString();
        assert.match(text, /^configmaps +0 +0 B +0 B +0 B +0 B +6\.2 KiB +4$/m);
        assert.match(text, /^LARGEST HISTORIES\n/m);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('replays a batch of revisions larger than one response may be (etcd splits it when asked)', async function () {
      // Five 1 MiB values in five revisions: etcd replays them as one batch, 5 MiB in one
      // response unless the watch asks for fragments; the client takes at most 3 MiB.
      const big = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 5; i++) await etcd.server.etcdctl(['put', `/big-history/k${i}`], big);
      const source = new EtcdSource({ endpoints: [etcd.server.endpoint], dialTimeoutMs: 10_000, commandTimeoutMs: 60_000 }, { maxReceiveMessageBytes: 3 * 1024 * 1024 });
      try {
        const revisions = await collect(source.revisions({ prefix: '/big-history/' }));
        assert.deepEqual(
          revisions.map((r) => [r.key, r.valueSize, r.deleted]),
          [0, 1, 2, 3, 4].map((i) => [`/big-history/k${i}`, big.length, false]),
        );
      } finally {
        await source.close();
        await etcd.server.etcdctl(['del', '--prefix', '/big-history/']);
      }
    });

    it('replays every revision to a reader slower than etcd (the watch pauses and resumes)', async function () {
      // 10,000 small puts in 100 transactions: one batch of the replay, one response, more than the
      // queue takes before the watch pauses.
      const client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
      const keys = Array.from({ length: 10_000 }, (_, i) => `/slow-history/k${String(i).padStart(5, '0')}`);
      try {
        for (let at = 0; at < keys.length; at += 100) {
          await client.kv.txn({ success: keys.slice(at, at + 100).map((key) => ({ request_put: { key: Buffer.from(key), value: Buffer.from('v') } })) });
        }
      } finally {
        client.close();
      }
      const source = new EtcdSource({ endpoints: [etcd.server.endpoint], dialTimeoutMs: 10_000, commandTimeoutMs: 60_000 });
      try {
        const seen: string[] = [];
        for await (const revision of source.revisions({ prefix: '/slow-history/' })) {
          seen.push(revision.key);
          if (seen.length % 500 === 0) await delay(10);
        }
        assert.deepEqual(seen.sort(), keys);
      } finally {
        await source.close();
        await etcd.server.etcdctl(['del', '--prefix', '/slow-history/']);
      }
    });

    it('reads a cluster-scoped resource whole under -n, as kubectl ignores -n for it', async function () {
      await etcd.server.etcdctl(['put', '/registry/namespaces/a'], encode({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }));
      const r = await runKreg(['du', 'namespaces', '-n', 'a', '-o', 'json', '--endpoints', etcd.server.endpoint]);
      assert.equal((JSON.parse(r.stdout.toString()) as DuJson).total.count, 1);
      const bad = await runKreg(['du', '--top', 'abc', '--endpoints', etcd.server.endpoint]);
      assert.equal(bad.stderr.split('\n')[0], 'kreg: --top must be a whole number, not "abc"');
    });

    it('groups by namespace and keeps to -n', async function () {
      const r = await runKreg(['du', 'pods', '-n', 'a', '--by', 'namespace', '-o', 'json', '--endpoints', etcd.server.endpoint]);
      const du = JSON.parse(r.stdout.toString()) as DuJson;
      assert.deepEqual(
        du.groups.map((g) => [g.group, g.count]),
        [['a', 2]],
      );
    });
  });

  it('measures managedFields and status on the protobuf bytes', function () {
    const schema = loadSchema();
    const measure = (object: JsonObject): { size: number; status: number; managedFields: number } => {
      const bytes = encode(object);
      const parts = measureStoredParts(schema, bytes);
      assert.ok(parts !== undefined);
      return { size: bytes.length, ...parts };
    };
    // Go writes empty non-pointer fields too, so a part is measured by how the value grows with
    // it: a bigger status (or managedFields) grows the value by exactly what the part grows by.
    const small = measure(pod('p', 'a', { managedFields: true, status: true }));
    const bigStatus = pod('p', 'a', { managedFields: true, status: true });
    (bigStatus.status as JsonObject).message = 'x'.repeat(40);
    const bigger = measure(bigStatus);
    assert.equal(bigger.size - small.size, bigger.status - small.status);
    assert.equal(bigger.managedFields, small.managedFields);
    const moreManaged = pod('p', 'a', { managedFields: true, status: true });
    ((moreManaged.metadata as JsonObject).managedFields as JsonObject[]).push({ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1' });
    const more = measure(moreManaged);
    // (metadata's own length prefix may grow by a byte too: it is metadata's, not managedFields')
    assert.ok(Math.abs(more.size - small.size - (more.managedFields - small.managedFields)) <= 1, `${more.size - small.size} vs ${more.managedFields - small.managedFields}`);
    assert.equal(more.status, small.status);
    assert.ok(small.status > 20 && small.managedFields > 50 && small.status + small.managedFields < small.size);
    // The whole part: a pod without managedFields is smaller by exactly what was measured (give or
    // take metadata's length prefix), and measures none.
    const none = measure(pod('p', 'a', { status: true }));
    assert.equal(none.managedFields, 0);
    assert.ok(Math.abs(small.size - none.size - small.managedFields) <= 1, `${small.size - none.size} vs ${small.managedFields}`);
  });

  it('measures managedFields and status on the JSON text', function () {
    const schema = loadSchema();
    const text = JSON.stringify(pod('p', 'a', { managedFields: true, status: true }));
    const parts = measureStoredParts(schema, Buffer.from(text));
    const statusText = `"status":${JSON.stringify(pod('p', 'a', { status: true }).status)}`;
    const managedText = `"managedFields":${JSON.stringify(managedFields)}`;
    assert.deepEqual(parts, { status: statusText.length, managedFields: managedText.length });
  });

  it('reads past revisions during the listing, and a failing replay stops both with one error line', async function () {
    const source = new MemorySource();
    for (let i = 0; i < 3000; i++) source.put(`/registry/configmaps/a/c${i}`, encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'a' } }));
    // Order of what the two reads hand over: du must not wait for the listing to end before replaying.
    const order: string[] = [];
    let listed = 0;
    const range = source.range.bind(source);
    source.range = async function* (options) {
      for await (const entry of range(options)) {
        listed++;
        order.push('entry');
        yield entry;
      }
    };
    const revisions = source.revisions.bind(source);
    source.revisions = async function* (options) {
      let n = 0;
      for await (const revision of revisions(options)) {
        order.push('revision');
        yield revision;
        if (++n === 10) throw new Error('the watch broke (test)');
      }
    };
    const result = await runKreg(['du', '-o', 'json'], { source });
    assert.equal(result.code, 1);
    assert.deepEqual(
      result.stderr.split('\n').filter((line) => line !== ''),
      ['kreg: the watch broke (test)'],
    );
    assert.equal(result.stdout.toString(), '');
    assert.ok(order.indexOf('revision') < order.lastIndexOf('entry'), 'a past revision was read before the listing ended');
    // The listing stopped at its next step after the failure, not at its end.
    assert.ok(listed < 3000, `listed ${listed} of 3000 keys after the replay failed`);
  });

  it('reads past revisions after the listing from a source whose reads may not interleave', async function () {
    const source = new MemorySource();
    for (let i = 0; i < 300; i++) source.put(`/registry/configmaps/a/c${i}`, encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'a' } }));
    Object.defineProperty(source, 'interleavesReads', { value: false });
    const order: string[] = [];
    const range = source.range.bind(source);
    source.range = async function* (options) {
      for await (const entry of range(options)) {
        order.push('entry');
        yield entry;
      }
    };
    const revisions = source.revisions.bind(source);
    source.revisions = async function* (options) {
      for await (const revision of revisions(options)) {
        order.push('revision');
        yield revision;
      }
    };
    const result = await runKreg(['du', '-o', 'json'], { source });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(order.lastIndexOf('entry'), 299);
    assert.equal(order.length, 600);
  });

  it('groups by owner and kind over any source', async function () {
    const source = new MemorySource();
    source.put('/registry/pods/a/p1', encode(pod('p1', 'a', { owner: 'web-1' })));
    source.put('/registry/pods/a/p2', encode(pod('p2', 'a', { owner: 'web-1' })));
    source.put('/registry/pods/a/p3', encode(pod('p3', 'a')));
    const byOwner = JSON.parse((await runKreg(['du', '--by', 'owner', '-o', 'json'], { source })).stdout.toString()) as DuJson;
    assert.deepEqual(
      byOwner.groups.map((g) => [g.group, g.count]),
      [
        ['ReplicaSet/web-1', 2],
        ['(no owner)', 1],
      ],
    );
    const byKind = JSON.parse((await runKreg(['du', '--by', 'kind', '-o', 'json', '--top', '1'], { source })).stdout.toString()) as DuJson;
    assert.deepEqual(
      byKind.groups.map((g) => [g.group, g.count]),
      [['Pod', 3]],
    );
    assert.equal(byKind.largest.length, 1);
  });
});
