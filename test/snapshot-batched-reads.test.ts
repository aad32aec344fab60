/**
 * The snapshot reader's batched page reads (nearby pages in one read, into reused memory) give
 * the pages one read per page gives, in the order asked, each with its own error; a key-order
 * walk with tiny read-ahead windows (arenas reused many times) still yields every leaf, in key
 * order; a sizes-only range answers from pass 1 with what a full read says of each key; and
 * reads that run at once share pass 1.
 */
import assert from 'node:assert/strict';
import { BoltFile, type BoltBucket, ReadArena } from '../src/sources/snapshot/bbolt-file.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import type { Entry } from '../src/sources/source.js';
import { DEMO_SNAPSHOT } from './support/damaged-snapshot.js';
import { collect } from './support/collect.js';

/** Every branch and leaf page id of a bucket's tree, read one page at a time. */
async function treePageIds(bolt: BoltFile, bucket: BoltBucket): Promise<number[]> {
  const ids: number[] = [];
  const pending = [bucket.root];
  while (pending.length > 0) {
    const id = pending.pop() as number;
    ids.push(id);
    const page = await bolt.readTreePage(id, undefined);
    if (page.isBranch) for (let index = 0; index < page.count; index++) pending.push(page.child(index));
  }
  return ids;
}

describe('snapshot reader: batched page reads', () => {
  it('readTreePages gives the bytes readTreePage gives, in the order asked, with and without an arena', async () => {
    const bolt = await BoltFile.open(DEMO_SNAPSHOT, { cacheBytes: 0 });
    try {
      const ids = await treePageIds(bolt, (await bolt.bucket(['key'])) as BoltBucket);
      assert.ok(ids.length > 1, 'the demo key bucket spans several pages');
      // Descending and with a repeat: the batch sorts internally but answers in the order asked.
      const asked = [...ids].reverse().concat(ids[0] as number);
      for (const arena of [undefined, new ReadArena(4096), new ReadArena(1024 * 1024)]) {
        const reads = await bolt.readTreePages(
          asked.map((id) => ({ id, from: undefined })),
          arena,
        );
        assert.equal(reads.length, asked.length);
        for (const [at, read] of reads.entries()) {
          assert.ok(read.ok, `page ${asked[at]}: ${read.ok ? '' : String(read.error)}`);
          const single = await bolt.readTreePage(asked[at] as number, undefined);
          assert.equal(read.page.id, asked[at]);
          assert.deepEqual(Buffer.from(read.page.bytes), Buffer.from(single.bytes));
        }
      }
    } finally {
      await bolt.close();
    }
  });

  it('readTreePages reports a bad pointer as that pointer’s error, the others still read', async () => {
    const bolt = await BoltFile.open(DEMO_SNAPSHOT);
    try {
      const root = ((await bolt.bucket(['key'])) as BoltBucket).root;
      const reads = await bolt.readTreePages([
        { id: root, from: undefined },
        { id: bolt.readablePageCount + 5, from: { page: root, index: 0 } },
        { id: 1, from: undefined },
      ]);
      assert.ok(reads[0]?.ok);
      assert.ok(reads[1] !== undefined && !reads[1].ok);
      assert.match(String(reads[1].error), /outside the file/);
      assert.ok(reads[2] !== undefined && !reads[2].ok);
      assert.match(String(reads[2].error), /meta page/);
    } finally {
      await bolt.close();
    }
  });

  it('a key-order walk with a window of 1-3 pages yields every leaf of a file-order scan, keys ascending', async () => {
    for (const readAhead of [1, 2, 3]) {
      const bolt = await BoltFile.open(DEMO_SNAPSHOT, { readAhead, chunkBytes: 4096 });
      try {
        const bucket = (await bolt.bucket(['key'])) as BoltBucket;
        const walked: number[] = [];
        let previous: Buffer | undefined;
        for await (const page of bolt.leafPages(bucket)) {
          walked.push(page.id);
          for (let element = 0; element < page.count; element++) {
            const key = Buffer.from(page.key(element));
            if (previous !== undefined) assert.ok(Buffer.compare(previous, key) < 0, `readAhead ${readAhead}: keys out of order at page ${page.id}`);
            previous = key;
          }
        }
        const scanned: number[] = [];
        for await (const page of bolt.scanLeafPages(bucket)) scanned.push(page.id);
        assert.ok(walked.length > 1);
        assert.deepEqual(
          [...walked].sort((a, b) => a - b),
          [...scanned].sort((a, b) => a - b),
        );
      } finally {
        await bolt.close();
      }
    }
  });

  it('lent values (borrowsValues) equal the copies while read, through many small batches, and share their batch’s memory', async () => {
    // Batches of 2 KiB of stored values: the two memories the batches take in turn are reused many times.
    const small = await SnapshotSource.open(DEMO_SNAPSHOT, { batchBytes: 2048 });
    try {
      const copies = await collect(small.range({ prefix: '/registry/' }));
      assert.ok(copies.length > 10, `${copies.length} entries`);
      const seen: Omit<Entry, 'value'>[] = [];
      let at = 0;
      for await (const entry of small.range({ prefix: '/registry/', borrowsValues: true })) {
        // A reader may wait while it holds a value (a KMS plugin call): the next batch's reads land meanwhile.
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        const copy = copies[at++] as Entry;
        assert.ok(Buffer.from(entry.value).equals(Buffer.from(copy.value)), `${entry.key}: the lent value differs from the copy`);
        const { value: _value, ...facts } = entry;
        seen.push(facts);
      }
      assert.deepEqual(
        seen,
        copies.map(({ value: _value, ...facts }) => facts),
      );
    } finally {
      await small.close();
    }
    // One batch (8 MiB by default) holds the demo's values: lent, they all share its memory.
    const whole = await SnapshotSource.open(DEMO_SNAPSHOT);
    try {
      const memories = new Set<ArrayBufferLike>();
      let lent = 0;
      for await (const entry of whole.range({ prefix: '/registry/', borrowsValues: true })) {
        memories.add(entry.value.buffer);
        lent++;
      }
      assert.ok(lent > 10);
      assert.equal(memories.size, 1, `${memories.size} memories for ${lent} lent values`);
    } finally {
      await whole.close();
    }
  });

  it('a sizes-only range has the keys, sizes, revisions and leases of a full read, without values', async () => {
    const source = await SnapshotSource.open(DEMO_SNAPSHOT);
    try {
      const full = await collect(source.range({ prefix: '/registry/' }));
      const sized = await collect(source.range({ prefix: '/registry/', sizesOnly: true }));
      const keysOnly = await collect(source.range({ prefix: '/registry/', keysOnly: true }));
      assert.ok(full.length > 10);
      const withoutValue = (entry: Entry): Omit<Entry, 'value'> & { value: number } => ({ ...entry, value: entry.value.length });
      assert.deepEqual(
        sized.map(withoutValue),
        full.map((entry) => ({ ...withoutValue(entry), value: 0 })),
      );
      assert.deepEqual(keysOnly, sized);
      assert.ok(full.every((entry, at) => entry.valueSize === entry.value.length && sized[at]?.valueSize === entry.value.length));
    } finally {
      await source.close();
    }
  });

  it("reads that run at once (a command's first few) share one pass 1, and read what they read in turn", async () => {
    const reads = (source: SnapshotSource): Promise<unknown[]> =>
      Promise.all([
        source.get('/registry/configmaps/kube-system/kubeadm-config'),
        collect(source.range({ prefix: '/registry/apiextensions.k8s.io/customresourcedefinitions/' })),
        collect(source.range({ prefix: '/registry/deployments/' })),
      ]);
    const counted = async (inTurn: boolean): Promise<{ scans: number; read: unknown[] }> => {
      const source = await SnapshotSource.open(DEMO_SNAPSHOT);
      try {
        // Pass 1's scans of the key bucket, counted.
        const reader = source as unknown as { scanKeys: (...args: unknown[]) => Promise<unknown> };
        const scanKeys = reader.scanKeys.bind(source);
        let scans = 0;
        reader.scanKeys = (...args: unknown[]) => {
          scans++;
          return scanKeys(...args);
        };
        const read = inTurn
          ? [
              await source.get('/registry/configmaps/kube-system/kubeadm-config'),
              await collect(source.range({ prefix: '/registry/apiextensions.k8s.io/customresourcedefinitions/' })),
              await collect(source.range({ prefix: '/registry/deployments/' })),
            ]
          : await reads(source);
        return { scans, read };
      } finally {
        await source.close();
      }
    };
    const atOnce = await counted(false);
    const inTurn = await counted(true);
    assert.equal(atOnce.scans, 1);
    assert.equal(inTurn.scans, 1);
    assert.deepEqual(atOnce.read, inTurn.read);
    assert.ok((atOnce.read[2] as Entry[]).length > 0, 'the demo holds deployments');
  });
});
