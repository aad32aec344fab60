/**
 * The real binary, spawned as a user runs it: what only a whole process shows (exit codes, pipes
 * that close early, standard input, a live etcd reached over the network). Everything else is
 * tested in-process, where it is fast.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { useEtcd } from './support/etcd.js';
import { runKregBinary } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

const DEMO = `${REPO_ROOT}examples/demo-cluster.db`;
const VALUE = `${REPO_ROOT}examples/deployment.pb`;

describe('kreg binary (end to end)', function () {
  this.timeout(60_000);
  const etcd = useEtcd();

  it('prints its version and exits 0', async function () {
    const r = await runKregBinary(['--version']);
    assert.equal(r.code, 0, r.stderr);
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string };
    assert.ok(r.stdout.toString().includes(version), r.stdout.toString());
  });

  it('lists the demo snapshot', async function () {
    const r = await runKregBinary(['ls', '--snapshot', DEMO]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^deployments\s+apps\s+Deployment\s+1\s/m);
  });

  it('decodes a value piped to standard input, named - or not', async function () {
    for (const args of [['decode'], ['decode', '-']]) {
      const r = await runKregBinary(args, { input: readFileSync(VALUE) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /^kind: Deployment$/m);
    }
  });

  it('reads a live etcd over gRPC', async function () {
    await etcd.server.etcdctl(['put', '/registry/deployments/shop/web'], readFileSync(VALUE));
    const r = await runKregBinary(['get', 'deploy', '-n', 'shop', '-o', 'name', '--endpoints', etcd.server.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'deployment.apps/web\n');
  });

  it('ends an error with one line and exit 1', async function () {
    const r = await runKregBinary(['get', 'nosuchthings', '--snapshot', DEMO]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^kreg: .*nosuchthings/);
  });

  it('stops quietly with exit 0 when the reader of its output goes away', function () {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${REPO_ROOT}bin/kreg.js get -A -o yaml --snapshot ${DEMO} | head -c 10 >/dev/null`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  it('stops at once with exit 130 on Ctrl-C while the progress spinner shows', async function () {
    // Many keys read one per request keep the spinner up long enough to press Ctrl-C.
    const client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    try {
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => client.put(`/registry/configmaps/many/cm-${batch}-${i}`).value('x')));
      }
    } finally {
      client.close();
    }
    // script(1) runs kreg on a terminal (of a set size: a 0-column one confuses the spinner), so the
    // spinner shows and Ctrl-C goes through the tty driver, which turns it into SIGINT.
    const command = `stty cols 120 rows 40; exec node ${REPO_ROOT}bin/kreg.js ls --chunk-size 1 --endpoints ${etcd.server.endpoint}`;
    // ora draws no spinner when CI is set or TERM is dumb: this is a user's terminal, without either.
    const { CI: _ci, ...env } = process.env;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, TERM: 'xterm-256color' } });
    let seen = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no exit after Ctrl-C; the terminal showed: ${JSON.stringify(seen.slice(-300))}`));
      }, 30_000);
      let pressed = false;
      child.stdout.on('data', (chunk: Buffer) => {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        if (!pressed && /scanning .*keys/.test(seen)) {
          pressed = true;
          child.stdin.write('\u0003');
        }
      });
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 130, seen.slice(-300));
    assert.doesNotMatch(seen, /^TOTAL/m, 'the listing ran to its end');
  });
});
