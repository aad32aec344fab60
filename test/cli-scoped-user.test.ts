/**
 * An auditor's etcd user, allowed to read only /registry/pods/, on a real etcd with auth: every
 * command that can do its job with that does it, and says once what it could not read.
 */
import assert from 'node:assert/strict';
import { encode } from '../src/index.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const pod = (name: string) => encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

describe('a user who may read only /registry/pods/', function () {
  this.timeout(120_000);
  const etcd = useEtcd({ auth: true });
  let as: string[];

  before(async function () {
    const root = (args: string[], input?: Uint8Array): Promise<Buffer> => etcd.server.etcdctl(args, input);
    await root(['put', '/registry/pods/a/p1'], pod('p1'));
    await root(['put', '/registry/pods/a/p1'], pod('p1'));
    await root(['put', '/registry/configmaps/a/c1'], encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'a' } }));
    await root(['role', 'add', 'pods-reader']);
    await root(['role', 'grant-permission', 'pods-reader', 'read', '/registry/pods/', '--prefix=true']);
    await root(['user', 'add', 'auditor', '--new-user-password=audit-pw']);
    await root(['user', 'grant-role', 'auditor', 'pods-reader']);
    as = ['--endpoints', etcd.server.endpoint, '--user', 'auditor', '--password', 'audit-pw'];
  });

  it('lists pods, saying once that custom resources are not known', async function () {
    const r = await runKreg(['get', 'pods', '-n', 'a', '-o', 'name', ...as]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'pod/p1\n');
    assert.match(r.stderr, /customresourcedefinitions\/: permission denied: the resources it defines are not known/);
    assert.equal(r.stderr.match(/customresourcedefinitions/g)?.length, 1, r.stderr);
  });

  it('reads one pod by key and its history', async function () {
    const byKey = await runKreg(['get', '/registry/pods/a/p1', '-o', 'name', ...as]);
    assert.equal(byKey.code, 0, byKey.stderr);
    assert.equal(byKey.stdout.toString(), 'pod/p1\n');
    const history = await runKreg(['history', 'pod', 'p1', '-n', 'a', '-o', 'json', ...as]);
    assert.equal(history.code, 0, history.stderr);
    assert.equal((JSON.parse(history.stdout.toString()) as unknown[]).length, 2);
  });

  it('reads what it may of the whole registry, says what it could not, and exits 1', async function () {
    for (const args of [
      ['ls', '-o', 'json'],
      ['get', '-A', '-o', 'name'],
    ]) {
      const r = await runKreg([...args, ...as]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout.toString(), /pod/);
      assert.doesNotMatch(r.stdout.toString(), /configmap/);
      assert.match(r.stderr, /^kreg: permission denied, not read: .*\/registry\/configmaps\//m);
    }
  });

  it('still fails plainly when the one thing asked for is denied', async function () {
    const r = await runKreg(['get', 'cm', '-n', 'a', ...as]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /permission denied/);
  });
});
