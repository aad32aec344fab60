/**
 * Every shell example in the README runs as written: each line of each ```sh block (but the
 * set-up block of the first screen, which CI itself runs), with `kreg` on the PATH and, for the
 * etcdctl pipes, a real etcd holding the demo snapshot's keys (ETCDCTL_ENDPOINTS points at it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { useEtcd } from './support/etcd.js';
import { REPO_ROOT } from './support/shared-data.js';

/** The lines of the README's ```sh blocks, comments and blank lines left out. */
function readmeShellLines(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks
    .filter((block) => !block.includes('npm ci'))
    .flatMap((block) => block.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('README shell examples', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let bin: string;

  before(async function () {
    bin = mkdtempSync(join(tmpdir(), 'kreg-readme-'));
    writeFileSync(join(bin, 'kreg'), `#!/bin/sh\nexec node ${JSON.stringify(join(REPO_ROOT, 'bin/kreg.js'))} "$@"\n`);
    chmodSync(join(bin, 'kreg'), 0o755);
    // The demo cluster's keys, put into the test etcd as they are in the snapshot.
    const snapshot = await SnapshotSource.open(join(REPO_ROOT, 'examples/demo-cluster.db'));
    const client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    try {
      for await (const entry of snapshot.range({ prefix: '/' })) await client.put(entry.key).value(Buffer.from(entry.value));
    } finally {
      client.close();
      await snapshot.close();
    }
  });
  after(function () {
    if (bin !== undefined) rmSync(bin, { recursive: true, force: true });
  });

  const lines = readmeShellLines();
  it('has examples to run', function () {
    assert.ok(lines.length >= 8, `only ${lines.length} example lines`);
  });
  for (const line of lines) {
    it(line.replace(/\s+#.*$/, ''), function () {
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', line], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, ETCDCTL_ENDPOINTS: etcd.server.endpoint, ETCDCTL_API: '3' },
      });
      assert.equal(r.status, 0, `${line}\n${r.stderr}`);
      assert.ok(r.stdout.length > 0 || /\bcmp\b/.test(line), `${line}: printed nothing`);
    });
  }
});
