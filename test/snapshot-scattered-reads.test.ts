/**
 * A key-order read of a snapshot whose live revisions are scattered over the file (keys written in
 * random order, many rewritten) reads hundreds of separate leaf pages per batch, each exactly its
 * page and overflow: what it yields must equal what live etcd answers at the same revision.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { createEtcdSource } from '../src/sources/etcd-source.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import type { Entry } from '../src/sources/source.js';
import { useEtcd } from './support/etcd.js';
import { fsReadCallsDuring } from './support/fs-read-calls.js';
import { collect } from './support/collect.js';

const KEYS = 600;

function keyOf(i: number): string {
  return `/registry/configmaps/ns-${i % 7}/cm-${String(i).padStart(4, '0')}`;
}

describe('snapshot reads of scattered leaf pages', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let dir: string;
  let file: string;

  before(async function () {
    const client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    try {
      // Every key once (shuffled), then writes to keys picked at random: each key's live revision
      // lands at a random point of the file (which is in revision order), far from the others.
      let state = 7;
      const random = (): number => {
        state = (state * 48271) % 2147483647;
        return state / 2147483647;
      };
      const order = [...Array.from({ length: KEYS }, (_, i) => (i * 389) % KEYS), ...Array.from({ length: KEYS * 14 }, () => Math.floor(random() * KEYS))];
      for (let start = 0; start < order.length; start += 50) {
        // 3 KB values: one leaf page each.
        await Promise.all(order.slice(start, start + 50).map((i, at) => client.put(keyOf(i)).value(Buffer.alloc(3000, (start + at) % 251))));
      }
    } finally {
      client.close();
    }
    dir = await mkdtemp(join(tmpdir(), 'kreg-page-read-thread-'));
    file = join(dir, 'scattered.db');
    await etcd.server.etcdctl(['snapshot', 'save', file]);
  });

  after(async function () {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('yields what live etcd holds, each value read in a read of its own', async function () {
    const live = createEtcdSource(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    let expected: Entry[];
    try {
      expected = await collect(live.range({ prefix: '/registry/' }));
    } finally {
      await live.close();
    }
    assert.equal(expected.length, KEYS);
    const snapshot = await SnapshotSource.open(file, { cacheBytes: 0 });
    try {
      // Pass 1 first (its reads are large sequential chunks on this thread), then pass 2 alone.
      await snapshot.get('/registry/configmaps/ns-0/cm-0000');
      const { result, reads } = await fsReadCallsDuring(() => collect(snapshot.range({ prefix: '/registry/' })));
      assert.deepEqual(
        result.map((entry) => [entry.key, Buffer.from(entry.value).toString('base64'), entry.modRevision, entry.createRevision, entry.version]),
        expected.map((entry) => [entry.key, Buffer.from(entry.value).toString('base64'), entry.modRevision, entry.createRevision, entry.version]),
      );
      // The test's premise: the values are scattered, each read apart (a few large reads would not test this).
      assert.ok(reads > 30, `${reads} reads for ${KEYS} scattered values`);
    } finally {
      await snapshot.close();
    }
  });
});
