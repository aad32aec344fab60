/**
 * A member that restarts in the middle of a listing, on a real etcd: kreg keeps retrying for its
 * retry window (etcd is down 30 s here, as a large member can be; the old fixed budget was about
 * 9 s) and finishes the listing; with a
 * short window it gives up, and output already printed is marked incomplete, with its own exit code.
 */
import assert from 'node:assert/strict';
import { encode } from '../src/index.js';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const KEYS = 1500;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('an etcd restart during a listing', function () {
  this.timeout(120_000);
  const etcd = useEtcd();

  before(async function () {
    const client = createEtcdWriter(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    try {
      for (let batch = 0; batch < KEYS / 100; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) => {
            const name = `cm-${String(batch * 100 + i).padStart(5, '0')}`;
            return client.put(`/registry/configmaps/many/${name}`).value(Buffer.from(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'many' } })));
          }),
        );
      }
    } finally {
      client.close();
    }
  });

  /** Crashes etcd once the run is under way, and brings it back `downMs` later. */
  async function outage(downMs: number): Promise<void> {
    await sleep(400);
    await etcd.server.crash();
    await sleep(downMs);
    await etcd.server.restart();
  }

  it('finishes the listing when etcd comes back after 30 s, within the retry window, saying it is waiting', async function () {
    const [r] = await Promise.all([runKreg(['ls', '-o', 'json', '--chunk-size', '1', '--endpoints', etcd.server.endpoint]), outage(30_000)]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout.toString()) as { resource: string; count: number }[];
    assert.equal(rows.find((row) => row.resource === 'configmaps')?.count, KEYS);
    assert.match(r.stderr, /retrying for up to 60s \(--retry-timeout\)/);
  });

  it('gives up after --retry-timeout, and marks output already printed as incomplete (exit 3)', async function () {
    const [r] = await Promise.all([runKreg(['get', 'cm', '-n', 'many', '-o', 'name', '--chunk-size', '1', '--retry-timeout', '1s', '--endpoints', etcd.server.endpoint]), outage(3_000)]);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stdout.toString().startsWith('configmap/cm-00000\n'), r.stdout.toString().slice(0, 100));
    assert.ok(r.stdout.toString().split('\n').length < KEYS, 'the listing did not stop');
    assert.match(r.stderr, /^kreg: the output above is incomplete$/m);
  });
});
