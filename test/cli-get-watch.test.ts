/**
 * kreg get -w on a real etcd: the listing, then each create, update and delete as it happens,
 * across an etcd restart (the watch resumes from the last revision it saw, so changes made
 * before it reconnects are not lost); and kreg history --follow, each write as a diff. kreg runs
 * as its own process, stopped when the test is done.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { encode } from '../src/index.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

const cm = (name: string, value: string) => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' }, data: { k: value } });

/** A running kreg, its output so far, and a way to wait for a line. */
class Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [`${REPO_ROOT}bin/kreg.js`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
  }
  lines(): string[] {
    return this.stdout.split('\n').filter((l) => l !== '');
  }
  async waitForLines(count: number, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines().length < count) {
      if (Date.now() > deadline || this.child.exitCode !== null) assert.fail(`waited for ${count} lines, got:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.lines();
  }
  stop(): void {
    this.child.kill('SIGTERM');
  }
}

describe('kreg get -w (real etcd)', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  const running: Running[] = [];
  const put = (name: string, value: string) => etcd.server.etcdctl(['put', `/registry/configmaps/shop/${name}`], cm(name, value));
  const del = (name: string) => etcd.server.etcdctl(['del', `/registry/configmaps/shop/${name}`]);

  before(async function () {
    await put('a', '1');
  });
  after(function () {
    for (const r of running) r.stop();
  });

  it('prints the listing, then ADDED, MODIFIED and DELETED as they happen, through an etcd restart', async function () {
    const kreg = new Running(['get', 'cm', '-n', 'shop', '-w', '--output-watch-events', '-o', 'ndjson', '--endpoints', etcd.server.endpoint]);
    running.push(kreg);
    const event = (line: string | undefined) => {
      const parsed = JSON.parse(line ?? 'null') as { type: string; object: { metadata: { name: string; resourceVersion: string }; data?: { k: string } } };
      return [parsed.type, parsed.object.metadata.name, parsed.object.data?.k];
    };
    assert.deepEqual(event((await kreg.waitForLines(1))[0]), ['ADDED', 'a', '1']);
    await put('b', '1');
    await put('a', '2');
    await del('b');
    const seen = await kreg.waitForLines(4);
    assert.deepEqual(seen.slice(1).map(event), [
      ['ADDED', 'b', '1'],
      ['MODIFIED', 'a', '2'],
      ['DELETED', 'b', '1'],
    ]);
    await etcd.server.crash();
    await etcd.server.restart();
    // Written before kreg's watch has reconnected: it resumes from the last revision it saw.
    await put('c', '1');
    await put('a', '3');
    const after = await kreg.waitForLines(6, 60_000);
    assert.deepEqual(after.slice(4).map(event), [
      ['ADDED', 'c', '1'],
      ['MODIFIED', 'a', '3'],
    ]);
    assert.equal(after.length, 6, 'no change printed twice');
  });

  it('tables: the listing, then one row per change; --watch-only starts with the header and the first change', async function () {
    const table = new Running(['get', 'cm', '-n', 'shop', '-w', '--endpoints', etcd.server.endpoint]);
    const only = new Running(['get', 'cm', '-n', 'shop', '--watch-only', '--output-watch-events', '--endpoints', etcd.server.endpoint]);
    running.push(table, only);
    const listing = await table.waitForLines(3);
    assert.match(listing[0] ?? '', /^NAME +DATA +AGE$/);
    assert.deepEqual(
      listing.slice(1).map((l) => l.split(/ +/)[0]),
      ['a', 'c'],
    );
    // kreg has printed the listing, so its watch is running; --watch-only has printed nothing yet.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(only.stdout, '');
    await put('d', '1');
    await del('d');
    const rows = await table.waitForLines(5);
    assert.deepEqual(
      rows.slice(3).map((l) => l.split(/ +/)[0]),
      ['d', 'd'],
    );
    const events = await only.waitForLines(3);
    assert.match(events[0] ?? '', /^EVENT +NAME +DATA +AGE$/);
    assert.deepEqual(
      events.slice(1).map((l) => l.split(/ +/).slice(0, 2)),
      [
        ['ADDED', 'd'],
        ['DELETED', 'd'],
      ],
    );
  });

  it('yaml: each object its own document, listing included, with worker threads asked for', async function () {
    const kreg = new Running(['get', 'cm', '-n', 'shop', '-w', '-o', 'yaml', '--workers', '2', '--endpoints', etcd.server.endpoint]);
    running.push(kreg);
    const deadline = Date.now() + 30_000;
    while (!/name: c\n/.test(kreg.stdout) && Date.now() < deadline && kreg.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    const documents = kreg.stdout.split(/^---\n/m);
    assert.deepEqual(
      documents.map((d) => /^ {2}name: (\S+)$/m.exec(d)?.[1]),
      ['a', 'c'],
      `${kreg.stdout}\n${kreg.stderr}`,
    );
    assert.match(documents[0] ?? '', /^apiVersion: v1\ndata:/);
  });

  it('history --follow: the retained revisions, then each write to that key (not its neighbours) as a diff', async function () {
    await put('hist', 'v1');
    const kreg = new Running(['history', 'cm', 'hist', '-n', 'shop', '--follow', '--endpoints', etcd.server.endpoint]);
    running.push(kreg);
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(kreg.stdout)) {
        if (Date.now() > deadline || kreg.child.exitCode !== null) assert.fail(`waited for ${pattern}, got:\n${kreg.stdout}\nstderr:\n${kreg.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor(/^revision \d+: created, /m);
    await put('hist2', 'other');
    await put('hist', 'v2');
    await del('hist');
    await waitFor(/^revision \d+: deleted, /m);
    const headings = kreg.stdout.split('\n').filter((l) => l.startsWith('revision '));
    assert.deepEqual(
      headings.map((h) => h.replace(/^revision \d+: (\w+),.*$/, '$1')),
      ['created', 'updated', 'deleted'],
    );
    assert.match(kreg.stdout, /^-\s+k: v1\n\+\s+k: v2$/m);
    assert.doesNotMatch(kreg.stdout, /other/);
  });

  it('refuses to watch what cannot change, or more than one resource, before reading', async function () {
    const snapshot = await runKreg(['get', 'cm', '-w', '--snapshot', `${REPO_ROOT}examples/demo-cluster.db`]);
    assert.equal(snapshot.code, 1);
    assert.match(snapshot.stderr, /^kreg: snapshot .* does not change: -w needs a live etcd \(--endpoints\)\n$/);
    const two = await runKreg(['get', 'cm,secrets', '-w', '--endpoints', etcd.server.endpoint]);
    assert.equal(two.code, 1);
    assert.match(two.stderr, /^kreg: watch is only supported on individual resources and resource collections, but 2 resources were found\n$/);
    const history = await runKreg(['history', 'cm', 'a', '-n', 'shop', '-f', '--snapshot', `${REPO_ROOT}examples/demo-cluster.db`]);
    assert.equal(history.code, 1);
    assert.match(history.stderr, /^kreg: snapshot .* does not change: --follow needs a live etcd \(--endpoints\)\n$/);
  });
});
