/**
 * MemorySource must behave like etcd: the same puts and deletes against a real etcd and a
 * MemorySource give the same revisions, listings at every revision, history and errors.
 */
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import { UsageError } from '../src/errors.js';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { createEtcdSource, type EtcdSource } from '../src/sources/etcd-source.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { RevisionCompactedError, RevisionFutureError, type Entry, type EntrySource, type HistoryRecord } from '../src/sources/source.js';
import { useEtcd } from './support/etcd.js';
import { collect } from './support/collect.js';

/** Values as hex: etcd hands out views of Buffers, memory plain Uint8Arrays. */
function plain<T extends Entry>(entry: T): Omit<T, 'value'> & { value: string } {
  return { ...entry, value: Buffer.from(entry.value).toString('hex') };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('MemorySource on its own', () => {
  it('counts revisions, versions and generations like etcd', async () => {
    const memory = new MemorySource();
    assert.equal(await memory.currentRevision(), 1);
    assert.equal(memory.put('/a', 'one'), 2);
    assert.equal(memory.put('/a', new Uint8Array([1, 2])), 3);
    assert.equal(memory.delete('/missing'), 3, 'deleting a missing key writes nothing');
    assert.equal(memory.delete('/a'), 4);
    assert.equal(memory.put('/a', 'again', { lease: '7587862072907040775' }), 5);
    const a = await memory.get('/a');
    assert.deepEqual(a && plain(a), {
      key: '/a',
      value: Buffer.from('again').toString('hex'),
      valueSize: 5,
      createRevision: 5,
      modRevision: 5,
      version: 1,
      lease: '7587862072907040775',
    });
    assert.equal((await memory.get('/a', { revision: 3 }))?.version, 2);
    assert.equal(await memory.get('/a', { revision: 4 }), undefined);
    assert.equal(memory.description, 'memory');
    assert.equal(new MemorySource({ description: 'fixture', splitsListingsByPrefix: true }).splitsListingsByPrefix, true);
  });

  it('orders keys by their bytes, and copies values it is given', async () => {
    const value = new Uint8Array([1]);
    const memory = MemorySource.fromEntries([
      { key: '/k/\u00e9', value: 'e-acute' }, // UTF-8 c3 a9
      { key: '/k/\uffff', value: 'bmp-last' }, // ef bf bf
      { key: '/k/\u{1f600}', value: 'emoji' }, // f0 9f 98 80: sorts after U+FFFF by bytes, before it by UTF-16
      { key: '/k/z', value },
    ]);
    value[0] = 9;
    const keys = (await collect(memory.range({ prefix: '/k/' }))).map((entry) => entry.key);
    assert.deepEqual(keys, ['/k/z', '/k/\u00e9', '/k/\uffff', '/k/\u{1f600}']);
    assert.deepEqual([...((await memory.get('/k/z'))?.value ?? [])], [1]);
  });

  it('fails with the shared revision errors and rejects revision 0', async () => {
    const memory = MemorySource.fromEntries([
      { key: '/a', value: '1' },
      { key: '/a', value: '2' },
      { key: '/b', value: '3' },
    ]);
    memory.compact(3);
    assert.equal(memory.compactedRevision(), 3);
    const compacted = await rejection(memory.get('/a', { revision: 2 }));
    assert.ok(compacted instanceof RevisionCompactedError && compacted.code === 'compacted' && compacted.compactedRevision === 3);
    const future = await rejection(collect(memory.range({ prefix: '', revision: 9 })));
    assert.ok(future instanceof RevisionFutureError && future.code === 'future-revision' && future.currentRevision === 4);
    assert.ok((await rejection(memory.get('/a', { revision: 0 }))) instanceof UsageError);
    assert.throws(() => memory.compact(3), RevisionCompactedError);
    assert.throws(() => memory.compact(5), RevisionFutureError);
  });
});

describe('MemorySource agrees with a real etcd', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let writer: Etcd3;
  let live: EtcdSource;
  const memory = new MemorySource();
  const keys = ['/registry/a', '/registry/a/b', '/registry/ab', '/registry/\u00e9t\u00e9', '/registry/\u{1f600}', '/registry/\uffff', '/registry/z', '/other'];
  let leaseId = '';

  before(async () => {
    const settings = resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {});
    writer = createEtcdWriter(settings);
    live = createEtcdSource(settings);
    leaseId = String((await writer.leaseClient.leaseGrant({ TTL: 3600 })).ID);
    // A fixed pseudo-random sequence, the same every run.
    // A fixed pseudo-random sequence (Park-Miller: products stay below 2^53), the same every run.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (let step = 0; step < 60; step++) {
      const key = keys[next(keys.length)] as string;
      if (next(4) === 0) {
        const response = await writer.kv.deleteRange({ key: Buffer.from(key) });
        assert.equal(memory.delete(key), Number(response.header.revision), `delete ${key}`);
      } else {
        const value = Buffer.from(`${key}#${step}`.repeat(1 + next(3)));
        const lease = next(5) === 0 ? leaseId : undefined;
        const response = await writer.kv.put({ key: Buffer.from(key), value, ...(lease !== undefined ? { lease } : {}) });
        assert.equal(memory.put(key, value, lease !== undefined ? { lease } : {}), Number(response.header.revision), `put ${key}`);
      }
    }
  });

  after(async () => {
    await live?.close();
    writer?.close();
  });

  async function compareRanges(from: number): Promise<void> {
    const current = await live.currentRevision();
    assert.equal(await memory.currentRevision(), current);
    for (let revision = from; revision <= current; revision++) {
      const ranges = [
        { prefix: '' },
        { prefix: '/registry/a' },
        { prefix: '/registry/', from: '/registry/ab' },
        { prefix: '/registry/', from: '/registry/ab', before: '/registry/b' },
        { prefix: '/registry/a', before: '/registry/ab' },
        { prefix: '/registry/', before: '/registry/\uffff' },
      ];
      for (const range of ranges) {
        const [fromLive, fromMemory] = await Promise.all([collect(live.range({ ...range, revision })), collect(memory.range({ ...range, revision }))]);
        assert.deepEqual(fromMemory.map(plain), fromLive.map(plain), `${JSON.stringify(range)} at ${revision}`);
      }
      const keysOnly = await collect(memory.range({ prefix: '', revision, keysOnly: true }));
      assert.deepEqual(
        keysOnly.map((entry) => entry.key),
        (await collect(live.range({ prefix: '', revision, keysOnly: true }))).map((entry) => entry.key),
      );
      assert.ok(keysOnly.every((entry) => entry.value.length === 0));
    }
  }

  async function compareHistories(sources: [EntrySource, EntrySource], revisions: (number | undefined)[]): Promise<void> {
    // All at once: a key with no events makes live etcd wait for a quiet second before it answers.
    const cases = [...keys, '/never'].flatMap((key) => revisions.map((revision) => ({ key, revision })));
    await Promise.all(
      cases.map(async ({ key, revision }) => {
        const options = revision === undefined ? {} : { revision };
        const [a, b] = await Promise.all(sources.map((source) => source.history?.(key, options)));
        assert.ok(a !== undefined && b !== undefined);
        assert.deepEqual(
          { ...b, records: b.records.map((record: HistoryRecord) => plain(record)) },
          { ...a, records: a.records.map((record: HistoryRecord) => plain(record)) },
          `${key} up to ${revision ?? 'now'}`,
        );
      }),
    );
  }

  it('lists the same entries at every revision, by prefix, from a key and keys only', async () => {
    assert.ok((await memory.currentRevision()) > 40, 'the sequence wrote most of its steps');
    await compareRanges(1);
  });

  it('gives the same history, in full and up to a revision', async () => {
    const current = await live.currentRevision();
    await compareHistories([live, memory], [undefined, Math.floor(current / 2)]);
  });

  it('after compacting both at the same revision: same listings, history and errors', async () => {
    const current = await live.currentRevision();
    const at = Math.floor(current / 2);
    await writer.kv.compact({ revision: at, physical: true });
    memory.compact(at);
    await compareRanges(at);
    await compareHistories([live, memory], [undefined, at, at + 3]);
    for (const source of [live, memory] as EntrySource[]) {
      const error = await rejection(source.get('/registry/a', { revision: at - 1 }));
      assert.ok(error instanceof RevisionCompactedError && error.compactedRevision === at, String(error));
    }
  });
});
