/** kreg get against a real etcd: formats, masking, etcd facts, bad values in a listing, errors. */
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { encode } from '../src/index.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } };
const event = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'shop' },
  involvedObject: { kind: 'Pod', name: 'web' },
  reason: 'Started',
  message: 'Started container',
  type: 'Normal',
};
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { k: name } });

describe('kreg get', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let endpoint: string;
  /** The event's lease, as etcdctl printed it when granting it. */
  let lease: string;

  before(async function () {
    endpoint = etcd.server.endpoint;
    await etcd.server.etcdctl(['put', '/registry/secrets/shop/db'], encode(secret));
    for (const name of ['a', 'b', 'c']) await etcd.server.etcdctl(['put', `/registry/configmaps/shop/${name}`], encode(cm(name)));
    // A damaged value in the middle of the listing.
    await etcd.server.etcdctl(['put', '/registry/configmaps/shop/b2'], Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x7f])]));
    lease = (await etcd.server.etcdctl(['lease', 'grant', '3600'])).toString().match(/lease ([0-9a-f]+) granted/)?.[1] as string;
    await etcd.server.etcdctl(['put', '--lease', lease, '/registry/events/shop/web.1'], encode(event));
  });

  it('prints a table by default', async function () {
    const r = await runKreg(['get', 'cm', '-n', 'shop', '--endpoints', endpoint]);
    assert.match(r.stdout.toString(), /^NAME {3}DATA {3}AGE\na {6}1 {6}/);
  });

  it('notes a value it cannot decode, lists the rest, and exits 1', async function () {
    const r = await runKreg(['get', 'configmaps', '-n', 'shop', '-o', 'yaml', '--endpoints', endpoint]);
    assert.equal(r.code, 1);
    const text = r.stdout.toString();
    assert.match(text, /# kreg: \/registry\/configmaps\/shop\/b2: .*truncated/);
    const list = yaml.load(text) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['a', 'b', 'c'],
    );
    assert.match(r.stderr, /1 value\(s\) could not be shown/);
  });

  it('prints the same listing whether worker threads decode it or not', async function () {
    const args = ['get', 'cm,secrets,ev', '-n', 'shop', '-o', 'yaml', '--show-secrets', '--endpoints', endpoint];
    const inline = await runKreg([...args, '--workers', '0']);
    const threaded = await runKreg([...args, '--workers', '2']);
    assert.equal(threaded.code, inline.code);
    assert.equal(threaded.stdout.toString(), inline.stdout.toString());
    assert.equal(threaded.stderr, inline.stderr);
    assert.match(inline.stdout.toString(), /# kreg: \/registry\/configmaps\/shop\/b2/);
  });

  it('masks Secret data unless --show-secrets', async function () {
    const masked = await runKreg(['get', 'secret', 'db', '-n', 'shop', '-o', 'json', '--endpoints', endpoint]);
    assert.deepEqual((JSON.parse(masked.stdout.toString()) as { data: unknown }).data, { password: '***' });
    const shown = await runKreg(['get', 'secret', 'db', '-n', 'shop', '-o', 'json', '--show-secrets', '--endpoints', endpoint]);
    assert.deepEqual((JSON.parse(shown.stdout.toString()) as { data: unknown }).data, { password: 'aHVudGVyMg==' });
  });

  it('shows etcd facts with --show-etcd, including the lease TTL of an event', async function () {
    const r = await runKreg(['get', 'ev', '-n', 'shop', '-o', 'ndjson', '--show-etcd', '--endpoints', endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const object = JSON.parse(r.stdout.toString()) as { etcd: { key: string; lease: string; leaseTTLSeconds: number; encoding: string; version: number }; metadata: { resourceVersion: string } };
    assert.equal(object.etcd.key, '/registry/events/shop/web.1');
    // etcdctl prints lease IDs as 16 hex digits (%016x); so does kreg.
    assert.equal(object.etcd.lease, lease.padStart(16, '0'));
    assert.ok(object.etcd.leaseTTLSeconds > 3500 && object.etcd.leaseTTLSeconds <= 3600, String(object.etcd.leaseTTLSeconds));
    assert.equal(object.etcd.encoding, 'protobuf');
    assert.equal(object.etcd.version, 1);
  });

  it('prints kubectl-style names', async function () {
    const r = await runKreg(['get', 'cm,secrets', '-n', 'shop', '-o', 'name', '--endpoints', endpoint]);
    assert.deepEqual(r.stdout.toString().trim().split('\n'), ['configmap/a', 'configmap/b', 'configmap/c', 'secret/db']);
  });

  it('says which object was not found', async function () {
    const r = await runKreg(['get', 'deploy', 'web', '-n', 'shop', '--endpoints', endpoint]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'kreg: /registry/deployments/shop/web: deployments.apps "web" not found\n');
  });

  it('reports an unreachable etcd in one line naming the endpoint', async function () {
    const r = await runKreg(['get', 'pods', '--endpoints', '127.0.0.1:1', '--dial-timeout', '1s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^kreg: http:\/\/127\.0\.0\.1:1: .*\n$/);
  });

  it('reads the keyspace at a past revision', async function () {
    const before = JSON.parse((await etcd.server.etcdctl(['get', '/registry/configmaps/shop/a', '-w', 'json'])).toString()) as { header: { revision: number } };
    await etcd.server.etcdctl(['put', '/registry/configmaps/shop/d'], encode(cm('d')));
    const now = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'name', '--endpoints', endpoint]);
    const then = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'name', '--revision', String(before.header.revision), '--endpoints', endpoint]);
    assert.match(now.stdout.toString(), /configmap\/d/);
    assert.doesNotMatch(then.stdout.toString(), /configmap\/d/);
  });
});
