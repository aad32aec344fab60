/**
 * `--data-dir` on a member that is running: etcd commits to member/snap/db about every 100 ms
 * under writes and reuses the pages it frees, so a read can span two states of the file. kreg
 * reads from the newest meta page, reads pass 1 again once if the file moved on meanwhile, and
 * says plainly (never as "damage") when the file changed under a read it could not redo.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { BoltFile } from '../src/sources/snapshot/bbolt-file.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import type { Entry } from '../src/sources/source.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

/** A ConfigMap as kube-apiserver may store it (JSON is one of its storage formats). */
function configMap(namespace: string, name: string, data: string): string {
  return JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace, uid: `uid-${namespace}-${name}` }, data: { value: data } });
}

describe('reading the db of a running member (--data-dir)', function () {
  this.timeout(60_000);
  const etcd = useEtcd();
  let client: Etcd3;
  const dbFile = (): string => join(etcd.server.dataDir, 'member', 'snap', 'db');

  before(async function () {
    client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    for (let i = 0; i < 200; i++) await client.put(`/registry/configmaps/default/cm-${String(i).padStart(3, '0')}`).value(configMap('default', `cm-${String(i).padStart(3, '0')}`, 'x'.repeat(500)));
    await committed();
  });
  after(() => (client as Etcd3 | undefined)?.close());

  /** The txid of the db file's meta page in use now, as a fresh reader sees it. */
  async function txidNow(): Promise<number> {
    const bolt = await BoltFile.open(dbFile());
    try {
      return bolt.meta.txid;
    } finally {
      await bolt.close();
    }
  }

  /** Waits until etcd has committed what it was sent (the file's txid moved past `than`). */
  async function committed(than?: number): Promise<number> {
    const start = than ?? (await txidNow());
    for (let tries = 0; tries < 100; tries++) {
      await delay(50);
      const now = await txidNow();
      if (now !== start || than === undefined) return now;
    }
    throw new Error('etcd did not commit within 5 s');
  }

  it('reads a running member one thing at a time, a saved snapshot in any order', async function () {
    const member = await SnapshotSource.open(etcd.server.dataDir);
    const saved = join(etcd.server.dataDir, '..', 'saved-for-interleaving.db');
    await etcd.server.etcdctl(['snapshot', 'save', saved]);
    const snapshot = await SnapshotSource.open(saved);
    try {
      // A read that meets a newer transaction reopens the member's file: another read under way would find it closed.
      assert.equal(member.interleavesReads, false);
      assert.equal(snapshot.interleavesReads, true);
    } finally {
      await member.close();
      await snapshot.close();
    }
  });

  it('reads from the newest meta page when the file moved on since it was opened', async function () {
    const source = await SnapshotSource.open(etcd.server.dataDir);
    try {
      const before = await txidNow();
      await client.put('/registry/configmaps/default/written-after-open').value(configMap('default', 'written-after-open', 'new'));
      await committed(before);
      const keys: string[] = [];
      for await (const entry of source.range({ prefix: '/registry/configmaps/default/' })) keys.push(entry.key);
      assert.ok(keys.includes('/registry/configmaps/default/written-after-open'), 'the key committed after open is read');
      assert.equal(keys.length, 201);
      assert.deepEqual(source.afterReadWarnings, []);
    } finally {
      await source.close();
    }
  });

  it('says once, after the read, that the file changed while entries were being read', async function () {
    const source = await SnapshotSource.open(etcd.server.dataDir, { batchBytes: 4096 });
    try {
      let count = 0;
      let first: Entry | undefined;
      for await (const entry of source.range({ prefix: '/registry/configmaps/default/' })) {
        count++;
        if (first === undefined) {
          first = entry;
          const before = await txidNow();
          await client.put('/registry/configmaps/default/zz-written-during-read').value(configMap('default', 'zz-written-during-read', 'during'));
          await committed(before);
        }
      }
      assert.ok(count >= 201, `read ${count} entries`);
      assert.equal(source.afterReadWarnings.length, 1, source.afterReadWarnings.join('\n'));
      assert.match(source.afterReadWarnings[0] as string, /db changed while it was read \(bbolt transaction \d+ -> \d+; etcd is writing it\).*etcdctl snapshot save/);
    } finally {
      await source.close();
    }
  });

  it('kreg get --data-dir under constant writes: every run succeeds or says the file changed, never reports damage', async function () {
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await client.put(`/registry/configmaps/churn/cm-${i % 300}`).value(configMap('churn', `cm-${i % 300}`, `${i} ${'y'.repeat(2000)}`));
        if (i % 5 === 0) await client.delete().key(`/registry/configmaps/churn/cm-${(i + 150) % 300}`);
      }
    })();
    const outcomes: string[] = [];
    try {
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        const r = await runKreg(['get', 'configmaps', '-A', '-o', 'name', '--data-dir', etcd.server.dataDir]);
        const stderr = r.stderr.toString();
        if (r.code !== 0) assert.match(stderr, /changed while it was read/, `exit ${r.code}: ${stderr}`);
        assert.doesNotMatch(stderr, /outside the file|already freed|bad page|damaged/i, stderr);
        outcomes.push(r.code === 0 ? 'consistent' : 'changed');
      }
    } finally {
      writing = false;
      await writer;
    }
    assert.ok(outcomes.length > 0);
    if (process.env['KREG_TEST_VERBOSE'] !== undefined)
      console.log(`    runs: ${outcomes.filter((o) => o === 'consistent').length} consistent, ${outcomes.filter((o) => o === 'changed').length} said the file changed`);
  });
});
