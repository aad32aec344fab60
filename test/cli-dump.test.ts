/**
 * kreg dump: the round trip on the demo snapshot (dump, then diff the snapshot against the tree),
 * the --for-apply tree read by a real kubectl against the loopback HTTPS stand-in for
 * kube-apiserver, streams, the manifest's skipped keys, and a live etcd at an old revision.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import type { DumpManifest } from '../src/dump/dump-manifest.js';
import { encode } from '../src/index.js';
import { builtinRegistry, learnFromStoredObjects, resolveKind } from '../src/keys/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { useEtcd } from './support/etcd.js';
import { startFakeApiServer, type FakeResource } from './support/fake-apiserver.js';
import { runKreg } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';
import { WIDGET_CRD } from './support/widget-crd.js';

const DEMO = join(REPO_ROOT, 'examples/demo-cluster.db');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function manifestOf(dir: string): DumpManifest['kregDump'] {
  return (JSON.parse(readFileSync(join(dir, 'kreg-dump.json'), 'utf8')) as DumpManifest).kregDump;
}

type Doc = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: unknown; data?: Record<string, string> };

function kubectlPresent(): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'kubectl')));
}

describe('kreg dump', function () {
  this.timeout(120_000);
  let work: string;
  before(function () {
    work = mkdtempSync(join(tmpdir(), 'kreg-dump-test-'));
  });
  after(function () {
    rmSync(work, { recursive: true, force: true });
  });
  const fresh = (name: string): string => join(work, name);

  it('round trip: a dump of the demo snapshot diffs as identical to the snapshot (exit 0)', async function () {
    const dir = fresh('round-trip');
    const dumped = await runKreg(['dump', '-A', '--show-secrets', '--snapshot', DEMO, '--to', dir]);
    assert.equal(dumped.code, 0, dumped.stderr);
    const diff = await runKreg(['diff', '-A', '--from', `snapshot:${DEMO}`, '--to', `dir:${dir}`]);
    assert.equal(diff.code, 0, diff.stdout.toString() + diff.stderr);
    assert.match(diff.stdout.toString(), /^TOTAL\s+0\s+0\s+0\s+0\s+\d+$/m);

    // The manifest counts what `kreg get -A` reads, resource by resource, and every file is counted.
    const listed = (await runKreg(['get', '-A', '-o', 'ndjson', '--snapshot', DEMO])).stdout.toString().trim().split('\n');
    const expected: Record<string, number> = {};
    for (const line of listed) {
      const object = JSON.parse(line) as Doc;
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
      const entry = resolveKind(object.kind, {
        group: group === '' ? 'core' : (group as string),
        registry: learnFromStoredObjects({ customResourceDefinitions: [WIDGET_CRD] }, builtinRegistry()).registry,
      });
      const id = entry.group === '' ? entry.resource : `${entry.resource}.${entry.group}`;
      expected[id] = (expected[id] ?? 0) + 1;
    }
    const manifest = manifestOf(dir);
    assert.deepEqual(manifest.counts, expected);
    assert.equal(manifest.written, listed.length);
    assert.equal(manifest.revision, 42);
    assert.equal(filesUnder(dir).length, listed.length + 1, 'one file per object, and the manifest');
  });

  it('masks Secret data by default: then the Secrets, and only they, differ from the snapshot', async function () {
    const dir = fresh('masked');
    assert.equal((await runKreg(['dump', '-A', '--snapshot', DEMO, '--to', dir])).code, 0);
    const secrets = filesUnder(dir).filter((f) => f.includes('/secrets/'));
    assert.ok(secrets.length > 0);
    for (const file of secrets) for (const value of Object.values((yaml.load(readFileSync(file, 'utf8')) as Doc).data ?? {})) assert.equal(value, '***');
    const diff = await runKreg(['diff', '-A', '--summary', '--from', `snapshot:${DEMO}`, '--to', `dir:${dir}`]);
    assert.equal(diff.code, 1);
    const changed = diff.stdout
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('changed: '));
    assert.equal(changed.length, secrets.length);
    assert.ok(changed.every((l) => l.startsWith('changed: secrets ')));
  });

  it('never writes into a non-empty directory without --force; --force replaces an earlier dump and keeps other files', async function () {
    const dir = fresh('force');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = await runKreg(['dump', 'ns', '--snapshot', DEMO, '--to', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /force.*not empty.*--force/);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
    assert.equal((await runKreg(['dump', 'ns', '--snapshot', DEMO, '--to', dir, '--force'])).code, 0);
    const stale = join(dir, '0-namespaces/_cluster/namespaces/gone.yaml');
    writeFileSync(stale, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gone\n');
    assert.equal((await runKreg(['dump', 'cm', '-A', '--snapshot', DEMO, '--to', dir, '--force'])).code, 0);
    assert.equal(existsSync(stale), false);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
    assert.deepEqual(Object.keys(manifestOf(dir).counts), ['configmaps']);
  });

  it('writes one stream with --to -: YAML documents or NDJSON, the same objects', async function () {
    const asYaml = await runKreg(['dump', 'deploy,cm', '-n', 'shop', '--snapshot', DEMO, '--to', '-']);
    const asJson = await runKreg(['dump', 'deploy,cm', '-n', 'shop', '--snapshot', DEMO, '--to', '-', '-o', 'ndjson']);
    assert.equal(asYaml.code, 0);
    const docs = yaml.loadAll(asYaml.stdout.toString()) as Doc[];
    const lines = asJson.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Doc);
    assert.deepEqual(docs, lines);
    assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), ['ConfigMap', 'Deployment']);
    assert.ok(docs.every((d) => d.metadata.namespace === 'shop'));
    const labelled = await runKreg(['dump', '-A', '-l', 'app=web', '--snapshot', DEMO, '--to', '-']);
    const selected = yaml.loadAll(labelled.stdout.toString()) as Doc[];
    const everything = yaml.loadAll((await runKreg(['dump', '-A', '--snapshot', DEMO, '--to', '-'])).stdout.toString()) as Doc[];
    assert.ok(selected.length > 0 && selected.length < everything.length);
    assert.ok(selected.every((d) => (d.metadata.labels as Record<string, string> | undefined)?.['app'] === 'web'));
    assert.equal(selected.length, everything.filter((d) => (d.metadata.labels as Record<string, string> | undefined)?.['app'] === 'web').length);
  });

  it('names every key it leaves out, and why, and exits 1 when the dump is incomplete', async function () {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', namespace: 'shop' }, data: { a: 'b' } };
    const source = MemorySource.fromEntries([
      { key: '/registry/configmaps/shop/ok', value: encode(configMap) },
      { key: '/registry/configmaps/shop/damaged', value: Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x7f])]) },
      { key: '/registry/secrets/shop/sealed', value: Buffer.from('k8s:enc:aescbc:v1:key1:0123456789abcdef0123456789abcdef') },
      { key: '/registry/ranges/serviceips', value: Buffer.from('k8s\0junk') },
    ]);
    const dir = fresh('skipped');
    const r = await runKreg(['dump', '-A', '--to', dir], { source });
    assert.equal(r.code, 1);
    const manifest = manifestOf(dir);
    const reasons = Object.fromEntries(manifest.skipped.map((s) => [s.key, s.reason]));
    assert.deepEqual(reasons, { '/registry/configmaps/shop/damaged': 'undecodable', '/registry/secrets/shop/sealed': 'encrypted', '/registry/ranges/serviceips': 'not an API object' });
    assert.deepEqual(manifest.counts, { configmaps: 1 });
    assert.match(r.stderr, /left out: .*1 undecodable/);
  });

  describe('--for-apply', function () {
    let dir: string;
    before(async function () {
      dir = fresh('for-apply');
      const r = await runKreg(['dump', '-A', '--for-apply', '--snapshot', DEMO, '--to', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Secrets were left out: .*--show-secrets/);
    });

    it('leaves out Events, objects a controller makes and masked Secrets, and cleans the rest', function () {
      const docs = filesUnder(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => yaml.load(readFileSync(f, 'utf8')) as Doc);
      assert.ok(docs.length > 0);
      const kinds = new Set(docs.map((d) => d.kind));
      for (const gone of ['Event', 'Pod', 'ReplicaSet', 'Secret']) assert.equal(kinds.has(gone), false, gone);
      for (const doc of docs) {
        for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'ownerReferences']) assert.equal(doc.metadata[field], undefined, `${doc.kind} ${field}`);
        assert.equal(doc.status, undefined);
        if (doc.kind === 'Service' && doc.spec?.clusterIP !== 'None') assert.equal(doc.spec?.clusterIP, undefined);
      }
      const skipped = manifestOf(dir).skippedCounts;
      assert.ok((skipped.event ?? 0) > 0 && (skipped['owned by a controller'] ?? 0) > 0 && (skipped['secret data masked'] ?? 0) > 0, JSON.stringify(skipped));
    });

    it('writes the files so that a plain walk meets namespaces and CRDs before what needs them', function () {
      const order = filesUnder(dir)
        .map((f) => relative(dir, f))
        .sort()
        .map((f) => (f.endsWith('.yaml') ? (yaml.load(readFileSync(join(dir, f), 'utf8')) as Doc).kind : 'manifest'));
      const lastNamespace = order.lastIndexOf('Namespace');
      const firstOther = order.findIndex((k) => k !== 'Namespace');
      assert.ok(lastNamespace < firstOther);
      assert.ok(order.indexOf('CustomResourceDefinition') < order.indexOf('Widget'));
      assert.ok(order.indexOf('ConfigMap') < order.indexOf('Deployment'));
    });

    it('is accepted by kubectl apply --dry-run=client against the loopback stand-in for kube-apiserver', async function () {
      // Debian's kubectl (kubernetes-client, 1.20) and 1.32 both pass. The stand-in answers discovery
      // (/api, /apis, resource lists) and GETs but not OpenAPI, so kubectl's schema check is off.
      if (!kubectlPresent()) {
        // CI installs it (scripts/install-kubectl.sh): there, a missing kubectl is a failure.
        assert.ok(process.env['CI'] === undefined, 'kubectl not found on PATH: run scripts/install-kubectl.sh');
        console.log('    kubectl not found on PATH: run scripts/install-kubectl.sh (Debian kubernetes-client) to run this check');
        this.skip();
      }
      const docs = filesUnder(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => yaml.load(readFileSync(f, 'utf8')) as Doc);
      const registry = learnFromStoredObjects({ customResourceDefinitions: docs.filter((d) => d.kind === 'CustomResourceDefinition') as never }, builtinRegistry()).registry;
      const served = new Map<string, FakeResource>();
      for (const doc of docs) {
        const [group, version] = doc.apiVersion.includes('/') ? (doc.apiVersion.split('/') as [string, string]) : ['', doc.apiVersion];
        const entry = resolveKind(doc.kind, { group: group === '' ? 'core' : group, registry });
        served.set(`${doc.apiVersion}/${doc.kind}`, { group, version, resource: entry.resource, kind: doc.kind, namespaced: entry.namespaced });
      }
      const api = await startFakeApiServer([...served.values()]);
      try {
        const kubeconfig = api.writeKubeconfig('kubeconfig');
        const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, 'apply', '--dry-run=client', '--validate=false', '-R', '-f', dir], { encoding: 'utf8' });
        const created = stdout.trim().split('\n');
        assert.equal(created.length, docs.length, stdout);
        assert.ok(
          created.every((l) => / created \(dry run\)$/.test(l)),
          stdout,
        );
        assert.match(created[0] as string, /^namespace\//);
        assert.ok(api.requests.some((r) => r.startsWith('GET /apis?')));
      } finally {
        await api.close();
      }
    });

    it('with --show-secrets, writes Secrets with their data', async function () {
      const withSecrets = fresh('for-apply-secrets');
      assert.equal((await runKreg(['dump', 'secrets', '-A', '--for-apply', '--show-secrets', '--snapshot', DEMO, '--to', withSecrets])).code, 0);
      const secrets = filesUnder(withSecrets)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => yaml.load(readFileSync(f, 'utf8')) as Doc);
      assert.ok(secrets.length > 0);
      for (const s of secrets) for (const value of Object.values(s.data ?? {})) assert.notEqual(value, '***');
    });
  });

  describe('from a live etcd', function () {
    const etcd = useEtcd();
    it('dumps as of --revision', async function () {
      const cm = (value: string): Uint8Array => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop' }, data: { value } });
      await etcd.server.etcdctl(['put', '/registry/configmaps/shop/web'], cm('old'));
      const revision = JSON.parse((await etcd.server.etcdctl(['get', '/registry/configmaps/shop/web', '-w', 'json'])).toString()) as { header: { revision: number } };
      await etcd.server.etcdctl(['put', '/registry/configmaps/shop/web'], cm('new'));
      const at = (extra: string[]): Promise<Doc[]> =>
        runKreg(['dump', 'cm', '-n', 'shop', '--to', '-', '--endpoints', etcd.server.endpoint, ...extra]).then((r) => yaml.loadAll(r.stdout.toString()) as Doc[]);
      assert.deepEqual(
        (await at(['--revision', String(revision.header.revision)])).map((d) => d.data?.value),
        ['old'],
      );
      assert.deepEqual(
        (await at([])).map((d) => d.data?.value),
        ['new'],
      );
    });
  });
});
