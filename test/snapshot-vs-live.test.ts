/**
 * Snapshot equals live: the demo cluster (examples/manifests, with updates, deletes and a
 * compaction) is written into a real etcd and saved with `etcdctl snapshot save`; every reading
 * command must then print the same from --snapshot FILE as from the live etcd it was saved from.
 * Also: the committed examples/demo-cluster.db still decodes.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HISTORY_STEPS, writeDemoCluster, type DemoWriteResult } from '../scripts/make-demo-snapshot.js';
import { useEtcd } from './support/etcd.js';
import { runKreg, type CliResult } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

interface EtcdFacts {
  key: string;
  lease: string;
  leaseTTLSeconds?: number | null;
}

describe('snapshot equals live', function () {
  this.timeout(180_000);
  const etcd = useEtcd();
  let dir: string;
  let file: string;
  let written: DemoWriteResult;
  /** The compacted revision (the history step after which the writer compacted). */
  let compacted: number;

  before(async function () {
    // Compact after the first history step: revisions below it are gone, history above it remains.
    written = await writeDemoCluster(etcd.server.etcdctl, { compactAfter: 1 });
    compacted = written.compactedRevision as number;
    dir = await mkdtemp(join(tmpdir(), 'kreg-snapshot-vs-live-'));
    file = join(dir, 'cluster.db');
    await etcd.server.etcdctl(['snapshot', 'save', file]);
  });

  after(async function () {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The same command against the snapshot and against live etcd at the snapshot's revision. */
  async function both(args: string[]): Promise<{ snapshot: CliResult; live: CliResult }> {
    const [snapshot, live] = await Promise.all([
      runKreg([...args, '--snapshot', file]),
      runKreg([...args, ...(args.includes('--revision') ? [] : ['--revision', String(written.revision)]), '--endpoints', etcd.server.endpoint]),
    ]);
    return { snapshot, live };
  }

  async function assertSame(args: string[]): Promise<string> {
    const { snapshot, live } = await both(args);
    assert.equal(snapshot.code, 0, `snapshot: ${snapshot.stderr}`);
    assert.equal(live.code, 0, `live: ${live.stderr}`);
    assert.equal(snapshot.stderr, live.stderr);
    assert.equal(snapshot.stdout.toString('utf8'), live.stdout.toString('utf8'), `kreg ${args.join(' ')}: snapshot and live differ`);
    assert.ok(snapshot.stdout.length > 0);
    return snapshot.stdout.toString('utf8');
  }

  it('the live etcd is still at the revision the snapshot was saved at', async function () {
    const status = JSON.parse((await etcd.server.etcdctl(['get', 'compact_rev_key', '-w', 'json'])).toString('utf8')) as { header: { revision: number } };
    assert.equal(status.header.revision, written.revision);
    assert.equal(written.stepRevisions.length, HISTORY_STEPS.length);
  });

  it('kreg ls -o json', async function () {
    const out = await assertSame(['ls', '-o', 'json']);
    const rows = JSON.parse(out) as { resource: string; count: number }[];
    assert.equal(rows.find((r) => r.resource === 'pods')?.count, 2);
    assert.equal(rows.find((r) => r.resource === 'widgets')?.count, 2);
  });

  it('kreg ls --depth 2 -o json', async function () {
    await assertSame(['ls', '--depth', '2', '-o', 'json']);
  });

  it('kreg du -o json: history bytes and revisions too, live replayed since the compaction', async function () {
    const out = await assertSame(['du', '-o', 'json']);
    const du = JSON.parse(out) as { history: { available: boolean }; total: { count: number; revisions: number } };
    assert.deepEqual(du.history, { available: true });
    assert.ok(du.total.revisions > du.total.count, 'the demo cluster has history after its compaction');
  });

  it('kreg audit storage -o json: the same findings and most revised keys', async function () {
    const { snapshot, live } = await both(['audit', 'storage', '-o', 'json']);
    assert.equal(snapshot.code, live.code, `${snapshot.stderr}\n${live.stderr}`);
    assert.equal(snapshot.stdout.toString('utf8'), live.stdout.toString('utf8'));
    const report = JSON.parse(snapshot.stdout.toString('utf8')) as { churn: { available: boolean; keys: unknown[] } };
    assert.ok(report.churn.available && report.churn.keys.length > 0);
  });

  it('kreg ls table and kreg ls --sort name at the compacted revision', async function () {
    await assertSame(['ls']);
    await assertSame(['ls', '--sort', 'name', '--revision', String(compacted)]);
  });

  it('kreg get -A -o ndjson --show-etcd --show-secrets: equal, except the live lease TTL', async function () {
    const { snapshot, live } = await both(['get', '-A', '-o', 'ndjson', '--show-etcd', '--show-secrets']);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    assert.equal(live.code, 0, live.stderr);
    assert.equal(snapshot.stderr, live.stderr);
    const snapshotLines = snapshot.stdout.toString('utf8').trim().split('\n');
    const liveLines = live.stdout.toString('utf8').trim().split('\n');
    assert.equal(snapshotLines.length, liveLines.length);
    assert.ok(snapshotLines.length >= 30, `only ${snapshotLines.length} objects`);
    // The one known difference: live etcd answers LeaseTimeToLive, so leased keys (the events)
    // get etcd.leaseTTLSeconds; a snapshot holds no clock and the field is absent there.
    let leased = 0;
    for (const [i, liveLine] of liveLines.entries()) {
      const snapshotLine = snapshotLines[i] as string;
      if (liveLine === snapshotLine) continue;
      const liveObject = JSON.parse(liveLine) as { etcd: EtcdFacts };
      const snapshotObject = JSON.parse(snapshotLine) as { etcd: EtcdFacts };
      assert.notEqual(liveObject.etcd.lease, '0', `${liveObject.etcd.key}: differs without a lease:\n${snapshotLine}\n${liveLine}`);
      assert.equal('leaseTTLSeconds' in snapshotObject.etcd, false, `${snapshotObject.etcd.key}: the snapshot gave a lease TTL`);
      const ttl = liveObject.etcd.leaseTTLSeconds;
      assert.ok(typeof ttl === 'number' && ttl > 3000 && ttl <= 3600, `${liveObject.etcd.key}: live TTL ${String(ttl)}`);
      delete liveObject.etcd.leaseTTLSeconds;
      assert.deepStrictEqual(snapshotObject, liveObject);
      leased++;
    }
    assert.equal(leased, 12, 'every event (and nothing else) differs by its lease TTL');
    assert.match(snapshot.stdout.toString('utf8'), /"password":"ZGVtby1wYXNzd29yZC1ub3QtcmVhbA=="/);
  });

  it('kreg get -A -o ndjson --show-secrets (no etcd facts) is byte-identical', async function () {
    await assertSame(['get', '-A', '-o', 'ndjson', '--show-secrets']);
  });

  it('kreg get deploy -n shop -o yaml', async function () {
    const out = await assertSame(['get', 'deploy', '-n', 'shop', '-o', 'yaml']);
    assert.match(out, /replicas: 4/);
  });

  it('kreg get at an older revision: at the compaction and between it and the head', async function () {
    const between = written.stepRevisions[2] as number; // after the second Deployment update, before the deletes
    assert.ok(compacted < between && between < written.revision);
    for (const revision of [compacted, between]) {
      const rev = String(revision);
      const deploy = await assertSame(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml', '--revision', rev]);
      assert.match(deploy, revision === compacted ? /replicas: 3/ : /replicas: 4/);
      const pods = await assertSame(['get', 'pods,secrets,cm', '-n', 'shop', '-o', 'name', '--revision', rev]);
      assert.match(pods, /pod\/web-7d9c8b6f5-kt7wd/);
      assert.match(pods, /secret\/web-tls/);
      await assertSame(['get', '-A', '-o', 'ndjson', '--show-secrets', '--revision', rev]);
      await assertSame(['ls', '--depth', '2', '-o', 'json', '--revision', rev]);
    }
  });

  it('a revision below the compaction: exit 1, one stderr line naming the file or the endpoint', async function () {
    const { snapshot, live } = await both(['get', 'deploy', '-n', 'shop', '-o', 'yaml', '--revision', String(compacted - 1)]);
    for (const [what, r, names] of [
      ['snapshot', snapshot, file],
      ['live', live, etcd.server.endpoint],
    ] as const) {
      assert.equal(r.code, 1, `${what}: exit ${r.code}: ${r.stderr}`);
      assert.equal(r.stdout.length, 0, `${what}: printed ${r.stdout.toString('utf8')}`);
      assert.match(r.stderr, /^kreg: [^\n]*\n$/, `${what}: not one line: ${JSON.stringify(r.stderr)}`);
      assert.ok(r.stderr.includes(names), `${what}: ${r.stderr.trim()} does not name ${names}`);
      assert.match(r.stderr, /compacted/, `${what}: ${r.stderr.trim()}`);
    }
  });
});

describe('the committed demo snapshot', function () {
  this.timeout(60_000);
  const demo = `${REPO_ROOT}examples/demo-cluster.db`;

  it('kreg ls --snapshot examples/demo-cluster.db lists deployments, pods and widgets', async function () {
    assert.ok(existsSync(demo), `${demo} is missing: node dist/scripts/make-demo-snapshot.js makes it`);
    const r = await runKreg(['ls', '--snapshot', demo]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString('utf8');
    for (const resource of ['deployments', 'pods', 'widgets', 'events', 'customresourcedefinitions']) assert.match(text, new RegExp(`^${resource} `, 'm'));
  });

  it('kreg get -A --snapshot examples/demo-cluster.db decodes every object', async function () {
    const r = await runKreg(['get', '-A', '-o', 'name', '--snapshot', demo]);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.toString('utf8').trim().split('\n');
    assert.ok(names.includes('deployment.apps/web') || names.includes('deployment/web'), names.join(' '));
    assert.ok(
      names.some((n) => /^widget(\.example\.com)?\/gear$/.test(n)),
      names.join(' '),
    );
    assert.equal(names.length, 33);
  });
});
