/**
 * The snapshot reader's key index (pass 1): one entry per key with its latest revision, keys held
 * as bytes outside the JavaScript heap, and the live keys walked in etcd's byte order.
 */
import assert from 'node:assert/strict';
import { KeyIndex, type StoredLocation } from '../src/sources/snapshot/key-index.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { DEMO_SNAPSHOT } from './support/damaged-snapshot.js';
import { fsReadCallsDuring } from './support/fs-read-calls.js';
import { collect } from './support/collect.js';

const AT: StoredLocation = { page: 7, element: 3, overflow: 0 };

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A deterministic generator (xorshift32), so that a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

describe('snapshot key index', () => {
  it('keeps each key once, with its greatest revision, whatever order the revisions come in', () => {
    const index = new KeyIndex();
    assert.equal(index.record(bytes('/registry/pods/a/x'), { main: 5, sub: 0, tombstone: false }, 10, AT), 0);
    assert.equal(index.record(bytes('/registry/pods/a/y'), { main: 6, sub: 0, tombstone: false }, 20, AT), 1);
    // An older revision of a known key is not kept; a newer one takes its slot.
    assert.equal(index.record(bytes('/registry/pods/a/x'), { main: 4, sub: 9, tombstone: false }, 99, AT), -1);
    assert.equal(index.record(bytes('/registry/pods/a/x'), { main: 5, sub: 1, tombstone: false }, 11, { page: 8, element: 1, overflow: 2 }), 0);
    assert.deepEqual(index.revisionOf(0), { main: 5, sub: 1, tombstone: false });
    assert.equal(index.storedSize(0), 11);
    assert.deepEqual(index.locationOf(0), { page: 8, element: 1, overflow: 2 });
    // A delete makes the key not live; a later write brings it back.
    index.record(bytes('/registry/pods/a/y'), { main: 7, sub: 0, tombstone: true }, 0, AT);
    assert.equal(index.liveCount(), 1);
    assert.deepEqual([...index.liveSlots()], [0]);
    index.record(bytes('/registry/pods/a/y'), { main: 8, sub: 0, tombstone: false }, 30, AT);
    assert.deepEqual([...index.liveSlotsSorted()], [0, 1]);
    index.markUnknown(0);
    assert.deepEqual([...index.liveSlotsSorted()], [1]);
  });

  it("counts live keys with only their states (forCounting), revisions recorded in order: each one is its key's latest", () => {
    const counting = KeyIndex.forCounting();
    const full = new KeyIndex();
    const next = random(77);
    // 20,000 revisions over 3,000 keys, past several growths of the table and columns; one name in
    // ten is long (past the byte-by-byte copy). recordInOrder reads each key where it lies, inside
    // other bytes (as in a page), which must not become part of it.
    for (let main = 1; main <= 20_000; main++) {
      const name = `p${Math.floor(next() * 3000)}`;
      const key = bytes(`/registry/pods/ns${Math.floor(next() * 7)}/${name.endsWith('7') ? name.repeat(40) : name}`);
      const tombstone = next() < 0.3;
      const before = Math.floor(next() * 5);
      const framed = new Uint8Array(before + key.length + 3).fill(0x2f);
      framed.set(key, before);
      counting.recordInOrder(framed, before, before + key.length, tombstone);
      full.record(key, { main, sub: 0, tombstone }, 1, AT);
    }
    assert.ok(full.liveCount() > 0 && full.liveCount() < 3000 * 7, String(full.liveCount()));
    assert.equal(counting.liveCount(), full.liveCount());
    assert.deepEqual(
      [...counting.liveSlotsSorted()].map((slot) => counting.keyText(slot)),
      [...full.liveSlotsSorted()].map((slot) => full.keyText(slot)),
    );
    // It keeps no revisions to compare with: record() is refused, not silently wrong.
    assert.throws(() => counting.record(bytes('/registry/pods/a/x'), { main: 1, sub: 0, tombstone: false }, 1, AT), /forCounting/);
  });

  it('holds keys as bytes: the same text is the same key, and the text comes back as UTF-8', () => {
    const index = new KeyIndex();
    const name = '/registry/configmaps/ü-ns/名前';
    const slot = index.record(bytes(name), { main: 2, sub: 0, tombstone: false }, 1, AT);
    assert.equal(index.record(Buffer.from(name, 'utf8'), { main: 3, sub: 0, tombstone: false }, 1, AT), slot);
    assert.equal(index.keyText(slot), name);
    assert.equal(index.liveCount(), 1);
  });

  it('walks 30,000 keys in byte order, as Buffer.compare sorts them (shared prefixes, prefixes of each other, 0x00 and 0xff bytes, keys longer than the radix depth)', () => {
    const next = random(1303);
    const keys = new Map<string, Buffer>();
    const add = (key: Buffer): void => void keys.set(key.toString('hex'), key);
    const long = Buffer.alloc(700, 0x61);
    for (let i = 0; i < 30_000; i++) {
      const shape = next();
      const namespace = `ns-${Math.floor(next() * 40)}`;
      if (shape < 0.6) add(bytes(`/registry/pods/${namespace}/pod-${Math.floor(next() * 1e6)}`));
      else if (shape < 0.7)
        add(bytes(`/registry/pods/${namespace}`)); // a prefix of the keys above
      else if (shape < 0.8) add(Buffer.from(Array.from({ length: 1 + Math.floor(next() * 6) }, () => [0x00, 0xff, 0x2f, 0x2d][Math.floor(next() * 4)] as number)));
      else if (shape < 0.9) add(Buffer.concat([long, Buffer.from(String(Math.floor(next() * 500)))]));
      else add(Buffer.from(Array.from({ length: Math.floor(next() * 40) + 1 }, () => Math.floor(next() * 256))));
    }
    const index = new KeyIndex();
    let revision = 1;
    // Each key twice, in a shuffled order: the second write must not add a key.
    const writes = [...keys.values(), ...keys.values()].sort(() => next() - 0.5);
    for (const key of writes) index.record(key, { main: revision++, sub: 0, tombstone: false }, key.length, AT);
    assert.equal(index.liveCount(), keys.size);
    const expected = [...keys.values()].sort(Buffer.compare).map((key) => key.toString('hex'));
    const slots = index.liveSlotsSorted();
    const actual = [...slots].map((slot) => Buffer.from(index.keyBytes(slot)).toString('hex'));
    assert.deepEqual(actual, expected);
  });

  it('keeps keys whole across its chunks of key bytes: a first key larger than the first chunk, 40 MiB of keys past a chunk end; refuses a key over 32 MiB', () => {
    const index = new KeyIndex();
    const first = Buffer.alloc(1536 * 1024, 0x62);
    const keys = [first, ...Array.from({ length: 40 }, (_, i) => Buffer.concat([Buffer.alloc(1024 * 1024 - 3, 0x61 + (i % 26)), Buffer.from(String(100 + i))]))];
    keys.forEach((key, i) => index.record(key, { main: i + 1, sub: 0, tombstone: false }, key.length, AT));
    keys.forEach((key, slot) => assert.equal(index.find(key), slot));
    const sorted = [...index.liveSlotsSorted()].map((slot) => Buffer.from(index.keyBytes(slot)).toString('hex'));
    assert.deepEqual(
      sorted,
      [...keys].sort(Buffer.compare).map((key) => key.toString('hex')),
    );
    assert.throws(
      () => index.record(Buffer.alloc(32 * 1024 * 1024 + 1), { main: 99, sub: 0, tombstone: false }, 1, AT),
      (error: Error & { code?: string }) => error.code === 'too-large' && /each at most 32 MiB/.test(error.message),
    );
  });

  it('after keepOnlyLocations, still knows the order and where each value is, and refuses new keys', () => {
    const index = new KeyIndex();
    index.record(bytes('/b'), { main: 2, sub: 0, tombstone: false }, 5, { page: 4, element: 1, overflow: 0 });
    index.record(bytes('/a'), { main: 3, sub: 0, tombstone: false }, 6, { page: 9, element: 0, overflow: 0 });
    const slots = index.liveSlotsSorted();
    index.keepOnlyLocations();
    assert.deepEqual([...slots], [1, 0]);
    assert.deepEqual(index.locationOf(1), { page: 9, element: 0, overflow: 0 });
    assert.equal(index.storedSize(0), 5);
    assert.throws(() => index.record(bytes('/c'), { main: 4, sub: 0, tombstone: false }, 1, AT), /keepOnlyLocations/);
  });

  it('keeps a keys-only entry from pass 1 only for the revision it recorded', () => {
    const index = new KeyIndex(true);
    const slot = index.record(bytes('/registry/secrets/a/b'), { main: 9, sub: 0, tombstone: false }, 50, AT);
    assert.equal(index.keysOnlyEntry(slot), undefined);
    index.setFacts(slot, { createRevision: 3, modRevision: 9, version: 4, lease: '77', valueSize: 42 });
    assert.deepEqual(index.keysOnlyEntry(slot), { key: '/registry/secrets/a/b', value: new Uint8Array(0), valueSize: 42, createRevision: 3, modRevision: 9, version: 4, lease: '77' });
    // Facts that disagree with the recorded revision are not trusted: pass 2 reads the value.
    index.record(bytes('/registry/secrets/a/b'), { main: 10, sub: 0, tombstone: false }, 50, AT);
    assert.equal(index.hasFacts(slot), false);
    index.setFacts(slot, { createRevision: 3, modRevision: 11, version: 5, lease: '0', valueSize: 42 });
    assert.equal(index.keysOnlyEntry(slot), undefined);
    // A version past 32 bits is not kept as a fact either (it would wrap): pass 2 reads it.
    index.setFacts(slot, { createRevision: 3, modRevision: 10, version: 2 ** 32, lease: '0', valueSize: 42 });
    assert.equal(index.keysOnlyEntry(slot), undefined);
    index.setFacts(slot, { createRevision: 3, modRevision: 10, version: 2 ** 32 - 1, lease: '0', valueSize: 42 });
    assert.equal(index.keysOnlyEntry(slot)?.version, 2 ** 32 - 1);
  });
});

describe('a snapshot range that ends before a key', () => {
  it('gives the keys of the whole range that sort before it, and from a key on up to another', async () => {
    const source = await SnapshotSource.open(DEMO_SNAPSHOT);
    try {
      const all = (await collect(source.range({ prefix: '/registry/' }))).map((entry) => entry.key);
      const middle = all[Math.floor(all.length / 2)] as string;
      for (const before of ['/registry/configmaps/', '/registry/configmaps0', middle, '/registry0']) {
        const bounded = (await collect(source.range({ prefix: '/registry/', before }))).map((entry) => entry.key);
        assert.deepEqual(
          bounded,
          all.filter((key) => Buffer.compare(Buffer.from(key), Buffer.from(before)) < 0),
          before,
        );
      }
      const between = (await collect(source.range({ prefix: '/registry/', from: '/registry/configmaps/', before: middle }))).map((entry) => entry.key);
      assert.ok(between.length > 0 && !between.includes(middle));
      assert.deepEqual(
        between,
        all.filter((key) => key >= '/registry/configmaps/' && key < middle),
      );
    } finally {
      await source.close();
    }
  });
});

describe('snapshot reads share one scan of the key bucket', () => {
  // What a command does: small reads (release, CRDs), a keys-only read, the listing, then more.
  const reads: { name: string; run: (source: SnapshotSource) => Promise<unknown> }[] = [
    { name: 'get a configmap', run: (source) => source.get('/registry/configmaps/kube-system/kubeadm-config') },
    { name: 'range CRDs', run: (source) => collect(source.range({ prefix: '/registry/apiextensions.k8s.io/customresourcedefinitions/' })) },
    { name: 'keys-only range of pods', run: (source) => collect(source.range({ prefix: '/registry/pods/', keysOnly: true })) },
    { name: 'range from a key on', run: (source) => collect(source.range({ prefix: '/registry/events/', from: '/registry/events/default/' })) },
    { name: 'get a missing key', run: (source) => source.get('/registry/pods/nowhere/none') },
    { name: 'range everything', run: (source) => collect(source.range({ prefix: '/registry/' })) },
    { name: 'get a pod after the listing took the index', run: (source) => collect(source.range({ prefix: '/registry/pods/' })) },
    { name: 'sizes-only range of everything', run: (source) => collect(source.range({ prefix: '/registry/', sizesOnly: true })) },
  ];

  it('answers each read as a fresh source does, in any order of reads', async () => {
    const expected: unknown[] = [];
    for (const read of reads) {
      const fresh = await SnapshotSource.open(DEMO_SNAPSHOT);
      try {
        expected.push(await read.run(fresh));
      } finally {
        await fresh.close();
      }
    }
    for (const order of [reads.map((_, i) => i), reads.map((_, i) => reads.length - 1 - i)]) {
      const shared = await SnapshotSource.open(DEMO_SNAPSHOT);
      try {
        for (const i of order) assert.deepEqual(await (reads[i] as (typeof reads)[number]).run(shared), expected[i], (reads[i] as (typeof reads)[number]).name);
      } finally {
        await shared.close();
      }
    }
  });

  it('reads the file again for a small read only after a listing took the index over', async () => {
    const source = await SnapshotSource.open(DEMO_SNAPSHOT, { skipHashCheck: true, cacheBytes: 0 });
    try {
      const first = (await fsReadCallsDuring(() => source.get('/registry/configmaps/kube-system/kubeadm-config'))).reads;
      const second = (await fsReadCallsDuring(() => collect(source.range({ prefix: '/registry/namespaces/', keysOnly: true })))).reads;
      const third = (await fsReadCallsDuring(() => source.get('/registry/pods/default/web-0'))).reads;
      assert.ok(first > 2, `the first read scans the key bucket (${first} reads)`);
      assert.equal(second, 0, 'a keys-only read after it reads nothing');
      assert.ok(third <= 1, `a get after it reads only its value's page (${third} reads)`);
      (await fsReadCallsDuring(() => collect(source.range({ prefix: '/registry/' })))).reads;
      const afterListing = (await fsReadCallsDuring(() => source.get('/registry/configmaps/kube-system/kubeadm-config'))).reads;
      assert.ok(afterListing > third, `after the listing, a get scans again (${afterListing} reads, ${third} from the kept index)`);
    } finally {
      await source.close();
    }
  });
});
