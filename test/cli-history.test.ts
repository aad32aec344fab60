/** kreg history and kreg snapshot status against a real etcd and etcdctl's own numbers. */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../src/index.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const KEY = '/registry/configmaps/shop/app';
const cm = (value: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace: 'shop', uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00Z' },
  data: { color: value, size: 'large' },
});

interface Shown {
  revision: number;
  event: string;
  size: number;
  object: { data?: { color: string }; metadata?: { resourceVersion: string } } | null;
}

describe('kreg history and kreg snapshot status', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let endpoint: string;
  let dir: string;
  const writes: { revision: number; event: string }[] = [];

  const revisionOf = (output: Buffer): number => (JSON.parse(output.toString()) as { header: { revision: number } }).header.revision;
  const put = async (value: string, event: string): Promise<void> => {
    writes.push({ revision: revisionOf(await etcd.server.etcdctl(['put', KEY, '-w', 'json'], encode(cm(value)))), event });
  };

  before(async function () {
    endpoint = etcd.server.endpoint;
    dir = await mkdtemp(join(tmpdir(), 'kreg-history-test-'));
    // Other keys in between, so the key's revisions are not simply consecutive.
    await etcd.server.etcdctl(['put', '/registry/configmaps/shop/other'], encode({ ...cm('x'), metadata: { name: 'other', namespace: 'shop' } }));
    await put('red', 'created');
    await put('green', 'updated');
    await etcd.server.etcdctl(['put', '/registry/configmaps/shop/other'], encode({ ...cm('y'), metadata: { name: 'other', namespace: 'shop' } }));
    await put('blue', 'updated');
    writes.push({ revision: revisionOf(await etcd.server.etcdctl(['del', KEY, '-w', 'json'])), event: 'deleted' });
    await put('yellow', 'created');
  });

  after(async function () {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('lists every write of the object from live etcd, with diffs', async function () {
    const json = await runKreg(['history', 'cm', 'app', '-n', 'shop', '-o', 'json', '--endpoints', endpoint]);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout.toString()) as Shown[];
    assert.deepEqual(
      shown.map((s) => ({ revision: s.revision, event: s.event })),
      writes,
    );
    assert.deepEqual(
      shown.map((s) => s.object?.data?.color ?? null),
      ['red', 'green', 'blue', null, 'yellow'],
    );
    assert.equal(shown[0]?.object?.metadata?.resourceVersion, String(writes[0]?.revision));
    assert.equal(shown[3]?.size, 0);
    assert.ok((shown[0]?.size ?? 0) > 0);
    assert.match(json.stderr, /^kreg: history from revision 1 \(never compacted; current revision \d+\)\n$/);

    const text = await runKreg(['history', 'cm', 'app', '-n', 'shop', '--endpoints', endpoint]);
    assert.equal(text.code, 0, text.stderr);
    const out = text.stdout.toString();
    assert.match(out, /^history from revision 1 \(never compacted/);
    for (const w of writes) assert.match(out, new RegExp(`^revision ${w.revision}: ${w.event}, \\d+ bytes$`, 'm'));
    assert.match(out, /^-  color: red\n\+  color: green$/m);
    assert.match(out, /^-  color: green\n\+  color: blue$/m);
    assert.match(out, /^@@ -0,0 \+1,\d+ @@\n\+apiVersion: v1$/m);
    assert.doesNotMatch(out, /resourceVersion/);
    // The same through the raw key.
    const byKey = await runKreg(['history', KEY, '-o', 'json', '--endpoints', endpoint]);
    assert.deepEqual(JSON.parse(byKey.stdout.toString()), shown);
  });

  it('reads the same revisions from a snapshot, whose status matches etcdctl', async function () {
    const file = join(dir, 'snap.db');
    await etcd.server.etcdctl(['snapshot', 'save', file]);
    const r = await runKreg(['history', 'cm', 'app', '-n', 'shop', '-o', 'json', '--snapshot', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout.toString()) as Shown[]).map((s) => ({ revision: s.revision, event: s.event })),
      writes,
    );

    const expected = JSON.parse((await etcd.server.etcdctl(['snapshot', 'status', file, '-w', 'json'])).toString()) as { hash: number; revision: number; totalKey: number; totalSize: number };
    const status = await runKreg(['snapshot', 'status', file, '-o', 'json']);
    assert.equal(status.code, 0, status.stderr);
    const got = JSON.parse(status.stdout.toString()) as Record<string, unknown>;
    assert.deepEqual({ hash: got.hash, revision: got.revision, totalKey: got.totalKey, totalSize: got.totalSize }, expected);
    assert.equal(got.hashCheck, 'ok');
    assert.equal(got.keys, 2);
    assert.equal(got.currentRevision, writes[writes.length - 1]?.revision);

    const table = await runKreg(['snapshot', 'status', file, '--skip-hash-check']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.toString(), /\| +HASH +\| REVISION/);
    assert.match(table.stdout.toString(), /\| +skipped \|/);

    const half = join(dir, 'half.db');
    await copyFile(file, half);
    await truncate(half, Math.floor((await stat(file)).size / 2));
    const damaged = await runKreg(['snapshot', 'status', half]);
    assert.equal(damaged.code, 1);
    assert.equal(damaged.stderr.split('\n').length, 2, damaged.stderr);
    assert.ok(damaged.stderr.startsWith(`kreg: ${half}: `), damaged.stderr);
    assert.match(damaged.stderr, /page \d+/);
  });

  it('says where live history begins after a compaction', async function () {
    const [, second, , deletion, recreation] = writes;
    assert.ok(second !== undefined && deletion !== undefined && recreation !== undefined);
    await etcd.server.etcdctl(['compact', String(second.revision)]);
    let r = await runKreg(['history', 'cm', 'app', '-n', 'shop', '-o', 'json', '--endpoints', endpoint]);
    assert.equal(r.code, 0, r.stderr);
    // The value the key had at the compacted revision is still kept, and everything after it.
    assert.deepEqual(
      (JSON.parse(r.stdout.toString()) as Shown[]).map((s) => ({ revision: s.revision, event: s.event })),
      writes.slice(1),
    );
    assert.match(r.stderr, new RegExp(`^kreg: history from revision ${second.revision} \\(compacted at ${second.revision};`));

    // Compacting at the delete removes the first life entirely: history begins after it.
    await etcd.server.etcdctl(['compact', String(deletion.revision)]);
    r = await runKreg(['history', 'cm', 'app', '-n', 'shop', '--endpoints', endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, new RegExp(`^history from revision ${deletion.revision + 1} \\(compacted at ${deletion.revision};`));
    assert.deepEqual(
      [...out.matchAll(/^revision (\d+): (\w+)/gm)].map((m) => ({ revision: Number(m[1]), event: m[2] })),
      [recreation],
    );
  });
  it('masks Secret data per pair of revisions, as kubectl diff does: a changed value is *** (before) / *** (after), not "no change"', async function () {
    const key = '/registry/secrets/shop/creds';
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const secret = (password: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'shop', uid: 'u-2' },
      type: 'Opaque',
      data: { password: b64(password), user: b64('admin') },
    });
    await etcd.server.etcdctl(['put', key], encode(secret('first-pass')));
    await etcd.server.etcdctl(['put', key], encode(secret('second-pass')));

    const text = await runKreg(['history', 'secret', 'creds', '-n', 'shop', '--endpoints', endpoint]);
    assert.equal(text.code, 0, text.stderr);
    const out = text.stdout.toString();
    const [created, updated] = out.split(/^revision \d+: /m).slice(1);
    assert.match(created ?? '', /^\+  password: '\*\*\*'$/m);
    assert.match(updated ?? '', /^-  password: '\*\*\* \(before\)'\n\+  password: '\*\*\* \(after\)'$/m, out);
    assert.doesNotMatch(updated ?? '', /no change/);
    assert.doesNotMatch(updated ?? '', /^[-+]  user:/m, 'an unchanged value is *** on both sides: no diff line');
    assert.doesNotMatch(out, new RegExp(`${b64('first-pass')}|${b64('second-pass')}|${b64('admin')}`));

    // -o json shows each revision alone: every value ***.
    const json = await runKreg(['history', 'secret', 'creds', '-n', 'shop', '-o', 'json', '--endpoints', endpoint]);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout.toString()) as { object: { data: Record<string, string> } }[];
    assert.deepEqual(
      shown.map((s) => s.object.data),
      [
        { password: '***', user: '***' },
        { password: '***', user: '***' },
      ],
    );

    const revealed = await runKreg(['history', 'secret', 'creds', '-n', 'shop', '--show-secrets', '--endpoints', endpoint]);
    assert.equal(revealed.code, 0, revealed.stderr);
    assert.match(revealed.stdout.toString(), new RegExp(`^-  password: ${b64('first-pass')}\n\\+  password: ${b64('second-pass')}$`, 'm'));
  });
});
