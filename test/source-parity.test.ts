/**
 * Every source answers the same request the same way: live etcd and a snapshot of it raise the
 * same revision errors and list the same history; --revision is checked in one place.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../src/errors.js';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdSource, type EtcdSource } from '../src/sources/etcd-source.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { parseRevision, RevisionCompactedError, RevisionFutureError, type EntrySource, type HistoryRecord } from '../src/sources/source.js';
import { useEtcd } from './support/etcd.js';

describe('parseRevision', () => {
  it('takes positive integers, as numbers or decimal text, and undefined as "latest"', () => {
    assert.equal(parseRevision(undefined), undefined);
    assert.equal(parseRevision(1), 1);
    assert.equal(parseRevision(123456), 123456);
    assert.equal(parseRevision('42'), 42);
    assert.equal(parseRevision(' 007 '), 7);
  });

  it("rejects 0, negatives, fractions, NaN and text with UsageError('bad-revision')", () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 53, '0', 'abc', '', '1e3', '0x10', '-3', '+3', '2.0', true, [1, 2], {}]) {
      assert.throws(
        () => parseRevision(bad),
        (error: unknown) => error instanceof UsageError && error.code === 'bad-revision' && /--revision must be a positive integer/.test(error.message),
        String(bad),
      );
    }
  });

  it('names what the revision was for when told', () => {
    assert.throws(
      () => parseRevision('abc', { key: '/registry/pods/' }),
      (error: unknown) => error instanceof UsageError && error.describe().startsWith('/registry/pods/: '),
    );
  });
});

/** A record with its value as hex, so sources that hand out Buffers and plain Uint8Arrays compare equal. */
function comparable(record: HistoryRecord): Omit<HistoryRecord, 'value'> & { value: string } {
  return { ...record, value: Buffer.from(record.value).toString('hex') };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('live etcd and a snapshot of it agree', function () {
  this.timeout(60_000);
  const etcd = useEtcd();
  let workDir = '';
  let live: EtcdSource;
  let snapshot: SnapshotSource;
  const revisions: Record<string, number> = {};

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'kreg-parity-'));
    const ctl = (args: string[], input?: string): Promise<Buffer> => etcd.server.etcdctl(args, input === undefined ? undefined : Buffer.from(input));
    const revision = async (): Promise<number> => (JSON.parse((await ctl(['get', 'x', '-w', 'json'])).toString('utf8')) as { header: { revision: number } }).header.revision;
    // A key written before the compaction and after it, deleted and written again.
    await ctl(['put', '/registry/configmaps/default/a'], 'a1');
    revisions['beforeCompact'] = await revision();
    await ctl(['put', '/registry/configmaps/default/a'], 'a2');
    await ctl(['put', '/registry/configmaps/default/gone'], 'g1');
    await ctl(['del', '/registry/configmaps/default/gone']);
    await ctl(['put', '/registry/configmaps/default/b'], 'b1');
    revisions['compact'] = await revision();
    await ctl(['compact', String(revisions['compact']), '--physical']);
    await ctl(['put', '/registry/configmaps/default/a'], 'a3');
    await ctl(['del', '/registry/configmaps/default/a']);
    revisions['middle'] = await revision();
    await ctl(['put', '/registry/configmaps/default/a'], 'a4');
    await ctl(['put', '/registry/configmaps/default/a'], 'a5');
    await ctl(['put', '/registry/configmaps/default/c'], 'c1');
    await ctl(['del', '/registry/configmaps/default/c']);
    revisions['current'] = await revision();
    const file = join(workDir, 'snapshot.db');
    await ctl(['snapshot', 'save', file]);
    live = createEtcdSource(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    snapshot = await SnapshotSource.open(file);
  });

  after(async () => {
    await live?.close();
    await snapshot?.close();
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  const sources = (): [string, EntrySource][] => [
    ['etcd', live],
    ['snapshot', snapshot],
  ];

  it('a compacted revision: RevisionCompactedError, code "compacted", with both revisions', async () => {
    const requested = revisions['beforeCompact'] as number;
    for (const [name, source] of sources()) {
      for (const attempt of [
        source.get('/registry/configmaps/default/a', { revision: requested }),
        (async () => {
          for await (const _entry of source.range({ prefix: '/registry/', revision: requested })) void _entry;
        })(),
      ]) {
        const error = await rejection(attempt);
        assert.ok(error instanceof RevisionCompactedError, `${name}: ${String(error)}`);
        assert.equal(error.code, 'compacted');
        assert.equal(error.requestedRevision, requested);
        assert.equal(error.compactedRevision, revisions['compact']);
        assert.match(error.message, new RegExp(`^revision ${requested} has been compacted \\(the oldest readable revision is ${revisions['compact']}\\)$`));
      }
    }
  });

  it('a future revision: RevisionFutureError, code "future-revision", with the current revision', async () => {
    const requested = (revisions['current'] as number) + 5;
    for (const [name, source] of sources()) {
      const error = await rejection(source.get('/registry/configmaps/default/a', { revision: requested }));
      assert.ok(error instanceof RevisionFutureError, `${name}: ${String(error)}`);
      assert.equal(error.code, 'future-revision');
      assert.equal(error.requestedRevision, requested);
      assert.equal(error.currentRevision, revisions['current']);
      assert.equal(error.message, `revision ${requested} is newer than the current revision ${revisions['current']}`);
      const fromHistory = await rejection(source.history?.('/registry/configmaps/default/a', { revision: requested }) ?? Promise.resolve());
      assert.ok(fromHistory instanceof RevisionFutureError, `${name} history: ${String(fromHistory)}`);
    }
  });

  it('revision 0 is a UsageError for every source, not "latest"', async () => {
    for (const [name, source] of sources()) {
      const error = await rejection(source.get('/registry/configmaps/default/a', { revision: 0 }));
      assert.ok(error instanceof UsageError && error.code === 'bad-revision', `${name}: ${String(error)}`);
    }
  });

  it('the same history records for the same key, in full and up to a revision', async () => {
    // All at once: a key with no events makes live etcd wait for a quiet second before it answers.
    const keys = ['/registry/configmaps/default/a', '/registry/configmaps/default/b', '/registry/configmaps/default/c', '/registry/configmaps/default/gone', '/registry/never/written'];
    const cases = keys.flatMap((key) => [undefined, revisions['middle'], revisions['compact']].map((revision) => ({ key, revision })));
    await Promise.all(
      cases.map(async ({ key, revision }) => {
        const options = revision === undefined ? {} : { revision };
        const [fromLive, fromFile] = await Promise.all([live.history(key, options), snapshot.history(key, options)]);
        assert.deepEqual({ ...fromFile, records: fromFile.records.map(comparable) }, { ...fromLive, records: fromLive.records.map(comparable) }, `${key} up to ${revision ?? 'now'}`);
        assert.equal(fromLive.revision, revision ?? revisions['current']);
        assert.equal(fromLive.compactedRevision, revisions['compact']);
      }),
    );
    const a = await live.history('/registry/configmaps/default/a');
    assert.deepEqual(
      a.records.map((record) => [Buffer.from(record.value).toString(), record.deleted, record.version]),
      [
        ['a2', false, 2],
        ['a3', false, 3],
        ['', true, 0],
        ['a4', false, 1],
        ['a5', false, 2],
      ],
    );
    const upToMiddle = await snapshot.history('/registry/configmaps/default/a', { revision: revisions['middle'] as number });
    assert.deepEqual(
      upToMiddle.records.map((record) => record.deleted),
      [false, false, true],
    );
    // Deleted at or before the compaction: etcd keeps nothing of it.
    assert.deepEqual((await snapshot.history('/registry/configmaps/default/gone')).records, []);
    const below = await rejection(snapshot.history('/registry/configmaps/default/a', { revision: revisions['beforeCompact'] as number }));
    assert.ok(below instanceof RevisionCompactedError);
    const belowLive = await rejection(live.history('/registry/configmaps/default/a', { revision: revisions['beforeCompact'] as number }));
    assert.ok(belowLive instanceof RevisionCompactedError);
  });
});
