/**
 * What every reading command shares, through the one command layer: flags checked once
 * (--revision, --etcd-prefix, repeated flags), CRDs learned and their problems reported, and the
 * reserved keys `kreg ls` lists readable by name with `kreg get`. Against a real etcd and the demo snapshot.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../src/index.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';
import { WIDGET_CRD } from './support/widget-crd.js';

const DEMO = `${REPO_ROOT}examples/demo-cluster.db`;
const widgetCrd = WIDGET_CRD;
/** A definition with no names: kube-apiserver would never have stored it, but etcd holds what it is given. */
const brokenCrd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced' } };

describe('command layer', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let live: string[];

  before(async function () {
    live = ['--endpoints', etcd.server.endpoint];
    const put = (key: string, value: Uint8Array): Promise<Buffer> => etcd.server.etcdctl(['put', key], value);
    await put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', Buffer.from(JSON.stringify(widgetCrd)));
    await put('/registry/apiextensions.k8s.io/customresourcedefinitions/gadgets.example.com', Buffer.from(JSON.stringify(brokenCrd)));
    await put('/registry/example.com/widgets/shop/w1', Buffer.from(JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'shop' } })));
    await put('/registry/configmaps/shop/app', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'shop' }, data: { a: 'b' } }));
    for (const ip of ['10.0.0.1', '10.0.0.2']) {
      await put(`/registry/masterleases/${ip}`, encode({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: ip }, subsets: [{ addresses: [{ ip }] }] }));
    }
    await put('/registry/ranges/serviceips', encode({ apiVersion: 'v1', kind: 'RangeAllocation', metadata: { name: '' }, range: '10.96.0.0/12', data: 'AAE=' }));
  });

  for (const bad of ['0', 'abc', '-3', '1.5']) {
    it(`refuses --revision ${bad} the same way live and offline`, async function () {
      for (const source of [live, ['--snapshot', DEMO]]) {
        const r = await runKreg(['get', 'cm', '-A', `--revision=${bad}`, ...source]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr.split('\n')[0], `kreg: --revision must be a positive integer (etcd revisions start at 1), not "${bad}"`);
      }
    });
  }

  it('says a revision cannot be read without naming a key the user never asked for', async function () {
    const old = await runKreg(['get', 'deploy', '-n', 'shop', '--revision', '10', '--snapshot', DEMO]);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /^kreg: [^:]*demo-cluster\.db: revision 10 has been compacted \(the oldest readable revision is \d+\)\n$/);
    const future = await runKreg(['get', 'deploy', '-n', 'shop', '--revision', '100000', ...live]);
    assert.equal(future.code, 1);
    assert.match(future.stderr, /^kreg: [^ ]+: revision 100000 is newer than the current revision \d+\n$/);
    assert.doesNotMatch(future.stderr, /customresourcedefinitions/);
  });

  it('fails over to a live member, and --debug says which one answered', async function () {
    const down = 'http://127.0.0.1:1';
    const r = await runKreg(['get', 'cm', 'app', '-n', 'shop', '-o', 'name', '--debug', '--dial-timeout', '1s', '--endpoints', `${down},${etcd.server.endpoint}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'configmap/app\n');
    assert.match(r.stderr, new RegExp(`^kreg: .*read at revision \\d+ \\(answered by ${etcd.server.endpoint.replace(/[.]/g, '\\.')}\\)$`, 'm'));
  });

  it('says on stderr that --best-effort read past a snapshot whose sha256 does not match', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'kreg-hash-'));
    try {
      const copy = join(dir, 'damaged-trailer.db');
      const bytes = readFileSync(DEMO);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff; // the last byte of the sha256 trailer
      writeFileSync(copy, bytes);
      const strict = await runKreg(['ls', '--snapshot', copy]);
      assert.equal(strict.code, 1);
      // The trailer is hashed alongside the scan, and its verdict still comes before any output.
      assert.equal(strict.stdout.toString(), '');
      assert.match(strict.stderr, /^kreg: .*damaged-trailer\.db: sha256 trailer does not match the contents/m);
      const lenient = await runKreg(['ls', '--snapshot', copy, '--best-effort']);
      // It reads on, says so, and ends with exit 1: something was skipped (issue 16's rule).
      assert.equal(lenient.code, 1, lenient.stderr);
      assert.ok(lenient.stdout.toString().includes('TOTAL'), lenient.stdout.toString());
      assert.match(lenient.stderr, /^kreg: .*damaged-trailer\.db: sha256 trailer does not match the contents; reading anyway \(--best-effort\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends a usage mistake of kreg diff with exit 2, as kubectl diff does (1 means differences)', async function () {
    const r = await runKreg(['diff', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kreg: unknown flag: --bogus$/m);
  });

  it('normalises --etcd-prefix once, so keys for and get agree', async function () {
    for (const prefix of ['registry//', '/registry/', 'registry']) {
      const key = await runKreg(['keys', 'for', 'cm', 'app', '-n', 'shop', '-o', 'json', '--etcd-prefix', prefix]);
      assert.equal((JSON.parse(key.stdout.toString()) as { etcdKey: string }).etcdKey, '/registry/configmaps/shop/app', prefix);
      const got = await runKreg(['get', 'cm', 'app', '-n', 'shop', '-o', 'name', '--etcd-prefix', prefix, ...live]);
      assert.equal(got.stdout.toString(), 'configmap/app\n', `${prefix}: ${got.stderr}`);
    }
  });

  it('says which custom resource definition it could not learn, and why', async function () {
    const r = await runKreg(['get', 'widgets', '-n', 'shop', '-o', 'name', ...live]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'widget.example.com/w1\n');
    assert.match(r.stderr, /^kreg: definition "gadgets\.example\.com" not learned, its resources show as unknown: .+$/m);
  });

  it('keys for learns custom resources from a named etcd', async function () {
    const offline = await runKreg(['keys', 'for', 'widgets', 'w1', '-n', 'shop']);
    assert.equal(offline.code, 1);
    const r = await runKreg(['keys', 'for', 'widgets', 'w1', '-n', 'shop', '-o', 'json', ...live]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout.toString()) as { etcdKey: string }).etcdKey, '/registry/example.com/widgets/shop/w1');
  });

  it('reads the reserved keys kreg ls lists, by the names it lists them under', async function () {
    const leases = await runKreg(['get', 'masterleases', '-o', 'name', ...live]);
    assert.equal(leases.code, 0, leases.stderr);
    assert.equal(leases.stdout.toString(), 'endpoints/10.0.0.1\nendpoints/10.0.0.2\n');
    const one = await runKreg(['get', 'masterleases', '10.0.0.2', '-o', 'json', ...live]);
    assert.equal((JSON.parse(one.stdout.toString()) as { kind: string; metadata: { name: string } }).metadata.name, '10.0.0.2');
    for (const name of ['ranges/serviceips', 'ranges']) {
      const range = await runKreg(['get', name, '-o', 'json', ...live]);
      assert.equal(range.code, 0, range.stderr);
      assert.match(range.stdout.toString(), /"range": "10\.96\.0\.0\/12"/, name);
    }
  });

  it('takes the last of a repeated flag, as kubectl does', async function () {
    const r = await runKreg(['get', 'cm', 'app', '-n', 'nowhere', '-n', 'shop', '-o', 'yaml', '-o', 'name', ...live, ...live]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'configmap/app\n');
  });

  it('keeps every value of a flag that takes a list (--ignore)', async function () {
    const diff = ['diff', 'deploy', 'web', '-n', 'shop', '--from', `snapshot:${DEMO}`, '--to', `dir:${REPO_ROOT}examples/manifests`];
    const one = await runKreg([...diff, '--ignore', 'status']);
    assert.equal(one.code, 1, one.stderr);
    const all = await runKreg([...diff, '--ignore', 'metadata', '--ignore', 'spec', '--ignore', 'status']);
    assert.equal(all.code, 0, all.stdout.toString() + all.stderr);
  });

  it('takes flags before the command, kubectl-style (kreg -n shop get cm)', async function () {
    const r = await runKreg(['-n', 'shop', 'get', 'cm', 'app', '-o', 'name', ...live]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'configmap/app\n');
    const diff = await runKreg(['--bogus', 'diff']);
    assert.equal(diff.code, 2, 'a usage error of kreg diff is exit 2 wherever the command word is');
  });

  it('prints the objects it found before saying which named ones do not exist (exit 1)', async function () {
    const r = await runKreg(['get', 'cm', 'app', 'nope', '-n', 'shop', ...live]);
    assert.equal(r.code, 1);
    assert.match(r.stdout.toString(), /^app\s/m);
    assert.match(r.stderr, /configmaps "nope" not found/);
    const none = await runKreg(['get', 'cm', 'nope', '-n', 'shop', ...live]);
    assert.equal(none.code, 1);
    // (this etcd also holds a broken CRD, said first)
    assert.ok(none.stderr.endsWith('kreg: /registry/configmaps/shop/nope: configmaps "nope" not found\n'), none.stderr);
  });

  it('checks --workers', async function () {
    for (const bad of ['abc', '-1', '1.5']) {
      const r = await runKreg(['get', 'cm', '-A', `--workers=${bad}`, ...live]);
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, /--workers must be a whole number/);
    }
  });

  it('reads values glued to short flags, as kubectl does', async function () {
    const r = await runKreg(['get', 'cm', 'app', '-nshop', '-oname', ...live]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'configmap/app\n');
  });
});
