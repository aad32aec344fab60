/**
 * kreg restore from the demo snapshot into the loopback HTTPS stand-in for kube-apiserver (there
 * is no kube-apiserver binary here), which takes creates and resourceVersion-checked updates as
 * kube-apiserver does: create, unchanged, conflict, overwrite, and a change racing the overwrite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer, type FakeResource, type Json } from './support/fake-apiserver.js';
import { runKreg, type CliResult } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

const DEMO = join(REPO_ROOT, 'examples/demo-cluster.db');
const NAMESPACES: FakeResource = { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false };
const CONFIGMAPS: FakeResource = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };
const SECRETS: FakeResource = { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true };
const DEPLOYMENTS: FakeResource = { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true };

/** The object as the snapshot holds it, read with kreg get. */
async function backedUp(resource: string, name: string): Promise<Json> {
  const r = await runKreg(['get', resource, name, '-n', 'shop', '-o', 'json', '--show-secrets', '--snapshot', DEMO]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString()) as Json;
}

/** The same object as a live cluster would serve it after a re-create: other uid, resourceVersion, status. */
function asLive(object: Json, resourceVersion: string, change: (o: Json) => void = () => undefined): Json {
  const live = structuredClone(object);
  const metadata = live.metadata as Json;
  metadata.uid = 'live-uid';
  metadata.resourceVersion = resourceVersion;
  metadata.creationTimestamp = '2027-01-01T00:00:00Z';
  change(live);
  return live;
}

function lines(r: CliResult): string[] {
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => /^(create|created|unchanged|conflict|updated|failed|skipped) /.test(l));
}

describe('kreg restore (loopback HTTPS stand-in for kube-apiserver)', function () {
  this.timeout(60_000);
  let api: FakeApiServer;
  let kubeconfig: string;
  let webConfig: Json;
  const restore = (args: string[]): Promise<CliResult> => runKreg(['restore', ...args, '--from', `snapshot:${DEMO}`, '--kubeconfig', kubeconfig]);
  const writes = (): string[] => api.requests.filter((r) => r.startsWith('POST') || r.startsWith('PUT'));

  beforeEach(async function () {
    api = await startFakeApiServer([NAMESPACES, CONFIGMAPS, SECRETS, DEPLOYMENTS]);
    kubeconfig = api.writeKubeconfig('kubeconfig');
    webConfig = await backedUp('cm', 'web-config');
  });
  afterEach(async function () {
    await api.close();
  });

  it('dry run: create for missing objects, unchanged for equal ones, conflict with its diff; nothing written', async function () {
    api.put(
      CONFIGMAPS,
      asLive(webConfig, '7', (o) => ((o.data as Json)['extra'] = 'x')),
    );
    const r = await restore(['cm', '-n', 'shop']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r), ['create    configmap/kube-root-ca.crt -n shop', 'conflict  configmap/web-config -n shop']);
    assert.match(r.stdout.toString(), /^--- live\n\+\+\+ backup\n@@ .* @@\n(?: .*\n)*-  extra: x\n/m);
    assert.match(r.stderr, /dry run, nothing changed: --apply creates the 1 missing object\(s\); --apply --overwrite also replaces the 1 in conflict/);
    assert.deepEqual(writes(), []);

    api.put(CONFIGMAPS, asLive(webConfig, '8'));
    assert.deepEqual(lines(await restore(['cm', 'web-config', '-n', 'shop'])), ['unchanged configmap/web-config -n shop']);
  });

  it('--apply creates what is missing (cleaned, Secrets with their data) and leaves conflicts alone', async function () {
    api.put(
      CONFIGMAPS,
      asLive(webConfig, '7', (o) => ((o.data as Json)['extra'] = 'x')),
    );
    const r = await restore(['cm,secrets', '-n', 'shop', '--apply']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r).sort(), [
      'conflict  configmap/web-config -n shop (left alone: --overwrite replaces it)',
      'created   configmap/kube-root-ca.crt -n shop',
      'created   secret/db-credentials -n shop',
    ]);
    const secret = await backedUp('secret', 'db-credentials');
    const created = api.object(SECRETS, 'shop', 'db-credentials') as Json;
    assert.deepEqual(created.data, secret.data);
    assert.notEqual((created.metadata as Json).uid, (secret.metadata as Json).uid);
    assert.match(String((created.metadata as Json).resourceVersion), /^10\d\d$/, "the stand-in's own resourceVersion: a create that sent one would have been refused");
    assert.equal(((api.object(CONFIGMAPS, 'shop', 'web-config') as Json).data as Json)['extra'], 'x');
  });

  it('--apply --overwrite replaces a conflicting object with the live resourceVersion', async function () {
    api.put(
      CONFIGMAPS,
      asLive(webConfig, '7', (o) => ((o.data as Json)['extra'] = 'x')),
    );
    const r = await restore(['cm', 'web-config', '-n', 'shop', '--apply', '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r), ['updated   configmap/web-config -n shop']);
    assert.deepEqual(writes(), ['PUT /api/v1/namespaces/shop/configmaps/web-config']);
    assert.deepEqual((api.object(CONFIGMAPS, 'shop', 'web-config') as Json).data, webConfig.data);
  });

  it('stops for an object that changed between reading and overwriting it (exit 1), and goes on with the rest', async function () {
    api.put(
      CONFIGMAPS,
      asLive(webConfig, '7', (o) => ((o.data as Json)['extra'] = 'x')),
    );
    api.onRequest = (method) => {
      // Someone else writes the object right before kreg's update reaches the server.
      if (method === 'PUT')
        api.put(
          CONFIGMAPS,
          asLive(webConfig, '9', (o) => ((o.data as Json)['extra'] = 'racing')),
        );
    };
    const r = await restore(['cm', '-n', 'shop', '--apply', '--overwrite']);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r), [
      'created   configmap/kube-root-ca.crt -n shop',
      'failed    configmap/web-config -n shop: conflict (409): Operation cannot be fulfilled on configmaps "web-config": the object has been modified; please apply your changes to the latest version and try again; it changed (or was made) since it was read, so it was left alone',
    ]);
    assert.equal(((api.object(CONFIGMAPS, 'shop', 'web-config') as Json).data as Json)['extra'], 'racing');
  });

  it('writes dependencies first and leaves out what a controller makes', async function () {
    const r = await restore(['deploy,rs,cm,ns', '-A', '--apply']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      lines(r).filter((l) => l.startsWith('skipped')),
      ['skipped   replicaset.apps/web-7d9c8b6f5 -n shop (owned by a controller)'],
    );
    const posts = writes();
    const firstNamespaced = posts.findIndex((p) => p.includes('/namespaces/') && !p.endsWith('/namespaces'));
    assert.ok(firstNamespaced > 0 && posts.slice(0, firstNamespaced).every((p) => p === 'POST /api/v1/namespaces'), posts.join('\n'));
    assert.ok(posts.indexOf('POST /api/v1/namespaces/shop/configmaps') < posts.indexOf('POST /apis/apps/v1/namespaces/shop/deployments'));
    const demoNamespaces = (await runKreg(['get', 'ns', '-o', 'name', '--snapshot', DEMO])).stdout.toString().trim().split('\n');
    assert.equal(posts.filter((p) => p === 'POST /api/v1/namespaces').length, demoNamespaces.length);
  });

  it('restores from a kreg dump tree (dir:), its manifest file read as no objects', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'kreg-restore-dir-'));
    try {
      assert.equal((await runKreg(['dump', 'cm,secrets', '-n', 'shop', '--for-apply', '--show-secrets', '--force', '--snapshot', DEMO, '--to', dir])).code, 0);
      const r = await runKreg(['restore', 'cm,secrets', '-n', 'shop', '--from', `dir:${dir}`, '--kubeconfig', kubeconfig, '--apply']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r).sort(), ['created   configmap/kube-root-ca.crt -n shop', 'created   configmap/web-config -n shop', 'created   secret/db-credentials -n shop']);
      assert.deepEqual((api.object(CONFIGMAPS, 'shop', 'web-config') as Json).data, webConfig.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which named object the backup lacks (exit 1), and refuses --overwrite without --apply', async function () {
    const r = await restore(['cm', 'nope', '-n', 'shop']);
    assert.equal(r.code, 1);
    assert.match(lines(r)[0] as string, /^failed {4}configmap\/nope -n shop: not in snapshot /);
    const bad = await restore(['cm', '-n', 'shop', '--overwrite']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--overwrite needs --apply/);
  });
});
