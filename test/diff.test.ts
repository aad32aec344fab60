/**
 * kreg diff against a real etcd holding the upstream .pb fixtures at their keys, and a loopback
 * HTTPS server answering like kube-apiserver with the matching .json fixtures.
 *
 * resourceVersion: the fake API serves each object with resourceVersion = the mod_revision of its
 * key in the etcd of the test, which is what a kube-apiserver in front of that etcd would answer
 * (it takes resourceVersion from mod_revision). kreg then compares resourceVersion, as both sides
 * have one; a stale API cache would show as a difference. Manifests have none, so for dir: sides
 * it is dropped.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { JsonObject } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { builtinRegistry, type ResourceEntry } from '../src/keys/index.js';
import { useEtcd } from './support/etcd.js';
import { startFakeApiServer, type FakeApiServer, type FakeResource, type Json } from './support/fake-apiserver.js';
import { runKreg, type CliResult } from './support/run-cli.js';
import { storableFixtures, type StoredFixture } from './support/fixtures.js';
import { FIXTURES_DIR, haveSharedFixtures, requireSharedFixtures } from './support/shared-data.js';

function fakeResource(entry: ResourceEntry): FakeResource {
  return { group: entry.group, version: entry.storageVersion, resource: entry.resource, kind: entry.kind, namespaced: entry.namespaced };
}

/** The summary table's rows: resource → [only in from, only in to, changed, identical]. */
function summaryRows(r: CliResult): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of r.stdout.toString().split('\n')) {
    // ONLY-IN-FROM ONLY-IN-TO CHANGED TOUCHED IDENTICAL
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
    if (m !== null) rows.set(m[1] as string, [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])]);
  }
  return rows;
}

function listed(r: CliResult, label: string): string[] {
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.startsWith(`${label}: `))
    .map((l) => l.slice(label.length + 2))
    .sort();
}

describe('kreg diff (loopback HTTPS server answering like kube-apiserver; no kube-apiserver binary here)', function () {
  this.timeout(300_000);
  const etcd = useEtcd();
  if (!haveSharedFixtures()) {
    it('needs ../shared/kubernetes-v1.36/testdata', function () {
      requireSharedFixtures(this);
    });
    return;
  }
  const fixtures = storableFixtures();
  const registry = builtinRegistry();
  const served = registry.resources.filter((e) => e.origin !== 'retired' && e.storedAs === undefined).map(fakeResource);
  let api: FakeApiServer;
  let kubeconfig: string;
  let work: string;
  const modRevisions = new Map<string, number>();
  const byResource = (resource: string): StoredFixture => fixtures.find((f) => f.entry.resource === resource && f.entry.group === '') as StoredFixture;
  const served1 = (f: StoredFixture): Json => {
    const object = structuredClone(f.json) as Json;
    (object.metadata as Json).resourceVersion = String(modRevisions.get(f.key));
    return object;
  };
  const kreg = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runKreg(['diff', ...args, '--endpoints', etcd.server.endpoint, '--kubeconfig', kubeconfig], { env });

  before(async function () {
    work = mkdtempSync(join(tmpdir(), 'kreg-diff-test-'));
    for (const fixture of fixtures) await etcd.server.etcdctl(['put', fixture.key], readFileSync(fixture.file));
    const listing = JSON.parse((await etcd.server.etcdctl(['get', '--prefix', '/registry/', '--keys-only', '-w', 'json'])).toString()) as { kvs: { key: string; mod_revision: number }[] };
    for (const kv of listing.kvs) modRevisions.set(Buffer.from(kv.key, 'base64').toString(), kv.mod_revision);
    api = await startFakeApiServer(served);
    for (const fixture of fixtures) api.put(fakeResource(fixture.entry), served1(fixture));
    kubeconfig = api.writeKubeconfig('kubeconfig');
  });

  after(async function () {
    await api?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('reports no difference for any unchanged object: etcd (.pb) against the API (.json), exit 0', async function () {
    const r = await kreg(['-A']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.toString()}`);
    const total = summaryRows(r).get('TOTAL');
    assert.deepEqual(total, [0, 0, 0, 0, fixtures.length], r.stdout.toString());
    // Every request asked for the storage version of its resource, with the token.
    assert.ok(api.requests.some((q) => q.startsWith('GET /apis/apps/v1/deployments')));
    console.log(`      ${fixtures.length} objects identical on both sides`);
  });

  it('one object: the unified diff of kubectl diff (diff -u -N over two dirs), exit 1; identical is exit 0', async function () {
    const cm = byResource('configmaps');
    const meta = cm.json.metadata as JsonObject;
    const same = await kreg(['cm', String(meta.name), '-n', String(meta.namespace)]);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout.toString(), '');
    const changed = served1(cm);
    (changed.data as Json).dataKey = 'changedValue';
    api.put(fakeResource(cm.entry), changed);
    try {
      const r = await kreg(['cm', String(meta.name), '-n', String(meta.namespace)]);
      assert.equal(r.code, 1, r.stderr);
      const out = r.stdout.toString();
      assert.match(out, /^--- .*\/from\/v1\.ConfigMap\.namespaceValue\.nameValue\t/m);
      assert.match(out, /^\+\+\+ .*\/to\/v1\.ConfigMap\.namespaceValue\.nameValue\t/m);
      assert.match(out, /^-  dataKey: dataValue$/m);
      assert.match(out, /^\+  dataKey: changedValue$/m);
      assert.doesNotMatch(out, /managedFields/, 'managedFields are dropped by default');

      // KUBECTL_EXTERNAL_DIFF: split on spaces, the two dirs appended, exit 1 means differences.
      const script = join(work, 'record-diff.sh');
      const record = join(work, 'recorded.txt');
      writeFileSync(script, `#!/bin/sh\necho "$@" > ${record}\nls "$2" "$3" >> ${record}\nexit 1\n`);
      chmodSync(script, 0o755);
      const ext = await kreg(['cm', String(meta.name), '-n', String(meta.namespace)], { KUBECTL_EXTERNAL_DIFF: `${script} --flag-ok` });
      assert.equal(ext.code, 1, ext.stderr);
      const recorded = readFileSync(record, 'utf8').split('\n');
      const [flag, fromDir, toDir] = (recorded[0] as string).split(' ');
      assert.equal(flag, '--flag-ok');
      assert.match(fromDir as string, /\/from$/);
      assert.match(toDir as string, /\/to$/);
      assert.equal(recorded.filter((l) => l === 'v1.ConfigMap.namespaceValue.nameValue').length, 2, recorded.join('\n'));

      // A diff program that fails (exit > 1) is an error: exit 2.
      const failing = join(work, 'fail-diff.sh');
      writeFileSync(failing, '#!/bin/sh\nexit 3\n');
      chmodSync(failing, 0o755);
      const bad = await kreg(['cm', String(meta.name), '-n', String(meta.namespace)], { KUBECTL_EXTERNAL_DIFF: failing });
      assert.equal(bad.code, 2, bad.stderr);

      // --show-managed-fields brings them back (identical here, so not in the diff, but compared).
      const ignore = await kreg(['cm', String(meta.name), '-n', String(meta.namespace), '--ignore', 'data']);
      assert.equal(ignore.code, 0, `--ignore data hides the only change: ${ignore.stdout.toString()}`);
    } finally {
      api.put(fakeResource(cm.entry), served1(cm));
    }
  });

  it('masks Secret data as kubectl diff does: ***, *** (before), *** (after); --show-secrets shows it', async function () {
    const secret = byResource('secrets');
    const meta = secret.json.metadata as JsonObject;
    const changed = served1(secret);
    (changed.data as Json).dataKey = Buffer.from('new').toString('base64');
    (changed.data as Json).addedKey = Buffer.from('added').toString('base64');
    api.put(fakeResource(secret.entry), changed);
    try {
      const r = await kreg(['secret', String(meta.name), '-n', String(meta.namespace)]);
      assert.equal(r.code, 1, r.stderr);
      const out = r.stdout.toString();
      assert.match(out, /^-  dataKey: '\*\*\* \(before\)'$/m);
      assert.match(out, /^\+  dataKey: '\*\*\* \(after\)'$/m);
      assert.match(out, /^\+  addedKey: '\*\*\*'$/m);
      assert.doesNotMatch(out, /Ag==|bmV3/);
      const shown = await kreg(['secret', String(meta.name), '-n', String(meta.namespace), '--show-secrets']);
      assert.equal(shown.code, 1, shown.stderr);
      assert.match(shown.stdout.toString(), /^-  dataKey: Ag==$/m);
      assert.match(shown.stdout.toString(), /^\+  dataKey: bmV3$/m);
    } finally {
      api.remove(fakeResource(secret.entry), String(meta.namespace), String(meta.name));
      api.put(fakeResource(secret.entry), served1(secret));
    }
  });

  it('a refused token is exit 2 with one line naming the URL', async function () {
    const badConfig = api.writeKubeconfig('bad-kubeconfig', 'wrong-token');
    const r = await runKreg(['diff', '-A', '--endpoints', etcd.server.endpoint, '--kubeconfig', badConfig]);
    assert.equal(r.code, 2, r.stderr);
    // The fixture CRD holds placeholder values that cannot be learned; that warning is not the error.
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.includes(' not learned, '));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, new RegExp(`^kreg: ${api.url.replace(/[.]/g, '\\.')}/api\\S*: to side \\(api\\): Forbidden \\(403\\)`));
  });

  it('dir-vs-etcd: manifests (multi-document YAML, a JSON List, namespace defaulted) against the stored objects', async function () {
    const dir = join(work, 'manifests');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    const cm = structuredClone(byResource('configmaps').json) as Json;
    const ns = structuredClone(byResource('namespaces').json) as Json;
    const svc = structuredClone(byResource('services').json) as Json;
    for (const o of [cm, ns, svc]) delete (o.metadata as Json).resourceVersion; // manifests have none
    (svc.spec as Json).sessionAffinity = 'Changed';
    const extra = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-in-dir' }, data: { a: 'b' } };
    writeFileSync(join(dir, 'objects.yaml'), `${yaml.dump(cm)}---\n${yaml.dump(ns)}\n---\n`);
    writeFileSync(join(dir, 'nested', 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc, extra] }));
    const r = await kreg(['configmaps,namespaces,services', '-A', '--from', 'etcd', '--to', `dir:${dir}`]);
    assert.equal(r.code, 1, `${r.stderr}\n${r.stdout.toString()}`);
    const rows = summaryRows(r);
    assert.deepEqual(rows.get('configmaps'), [0, 1, 0, 0, 1]);
    assert.deepEqual(rows.get('namespaces'), [0, 0, 0, 0, 1]);
    assert.deepEqual(rows.get('services'), [0, 0, 1, 0, 0]);
    assert.deepEqual(listed(r, 'only in to'), ['configmaps default/only-in-dir']);
    assert.match(r.stdout.toString(), /^\+  sessionAffinity: Changed$/m);
    assert.match(r.stdout.toString(), /^\+\+\+ .*\/to\/v1\.Service\.namespaceValue\.nameValue\t/m);
  });

  it('kubeconfig: KUBECONFIG, --context and an exec credential plugin; storage version not served → preferred, said on stderr', async function () {
    const mapFixture = fixtures.find((f) => f.entry.resource === 'mutatingadmissionpolicies');
    if (mapFixture === undefined) this.skip();
    const entry = (mapFixture as StoredFixture).entry;
    assert.equal(entry.storageVersion, 'v1beta1');
    // A second server that serves the resource only at its preferred version v1.
    const v1Only: FakeResource = { ...fakeResource(entry), version: 'v1' };
    const other = await startFakeApiServer([v1Only], 'exec-token');
    try {
      const v1Json = JSON.parse(readFileSync(`${FIXTURES_DIR}/api/admissionregistration.k8s.io.v1.MutatingAdmissionPolicy.json`, 'utf8')) as Json;
      other.put(v1Only, v1Json);
      const plugin = join(work, 'exec-plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'\n`);
      chmodSync(plugin, 0o755);
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'other', cluster: { server: other.url, 'certificate-authority': other.caFile } }],
        users: [
          { name: 'nobody', user: { token: 'wrong' } },
          { name: 'exec', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: [] } } },
        ],
        contexts: [
          { name: 'refused', context: { cluster: 'other', user: 'nobody' } },
          { name: 'good', context: { cluster: 'other', user: 'exec' } },
        ],
        'current-context': 'refused',
      };
      const file = join(work, 'multi-kubeconfig.yaml');
      writeFileSync(file, yaml.dump(config));
      const env = { KUBECONFIG: `${join(work, 'absent')}:${file}` };
      const refused = await runKreg(['diff', 'mutatingadmissionpolicies', '-A', '--endpoints', etcd.server.endpoint], { env });
      assert.equal(refused.code, 2, refused.stderr);
      const r = await runKreg(['diff', 'mutatingadmissionpolicies', '-A', '--context', 'good', '--endpoints', etcd.server.endpoint], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /mutatingadmissionpolicies\.admissionregistration\.k8s\.io is not served at its storage version admissionregistration\.k8s\.io\/v1beta1; reading admissionregistration\.k8s\.io\/v1 instead/,
      );
      assert.ok(
        other.requests.some((q) => q.startsWith('GET /apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies')),
        other.requests.join('\n'),
      );
      assert.match(r.stdout.toString(), /^-apiVersion: admissionregistration\.k8s\.io\/v1beta1$/m);
      assert.match(r.stdout.toString(), /^\+apiVersion: admissionregistration\.k8s\.io\/v1$/m);
    } finally {
      await other.close();
    }
  });

  it('after changes on one side, objects added to one side only and some deleted, reports exactly those (exit 1)', async function () {
    const snapshot = join(work, 'before.db');
    await etcd.server.etcdctl(['snapshot', 'save', snapshot]);

    // API side: one changed object, one added, one deleted.
    const cm = byResource('configmaps');
    const changed = served1(cm);
    (changed.metadata as Json).labels = { changed: 'yes' };
    api.put(fakeResource(cm.entry), changed);
    const added = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-only', namespace: 'default', resourceVersion: '5' }, data: { k: 'v' } };
    api.put(fakeResource(cm.entry), added);
    const apiDeleted = byResource('serviceaccounts');
    const adMeta = apiDeleted.json.metadata as JsonObject;
    assert.ok(api.remove(fakeResource(apiDeleted.entry), adMeta.namespace as string, adMeta.name as string));
    // etcd side: one object added, one deleted.
    const etcdOnly = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'etcd-only', namespace: 'default', uid: 'u1' }, data: { k: 'v' } };
    await etcd.server.etcdctl(['put', '/registry/configmaps/default/etcd-only'], Buffer.from(JSON.stringify(etcdOnly)));
    const etcdDeleted = byResource('namespaces');
    await etcd.server.etcdctl(['del', etcdDeleted.key]);

    const r = await kreg(['-A']);
    assert.equal(r.code, 1, `${r.stderr}\n${r.stdout.toString()}`);
    const rows = summaryRows(r);
    assert.deepEqual(rows.get('TOTAL'), [2, 2, 1, 0, fixtures.length - 3], r.stdout.toString());
    assert.deepEqual(rows.get('configmaps'), [1, 1, 1, 0, 0]);
    assert.deepEqual(listed(r, 'only in from'), ['configmaps default/etcd-only', 'serviceaccounts namespaceValue/nameValue']);
    assert.deepEqual(listed(r, 'only in to'), ['configmaps default/api-only', 'namespaces nameValue']);
    assert.deepEqual(listed(r, 'changed'), ['configmaps namespaceValue/nameValue']);
    // kubectl (go-yaml) double-quotes a string that would read back as a bool.
    assert.match(r.stdout.toString(), /^\+    changed: "yes"$/m);

    const summary = await kreg(['-A', '--summary']);
    assert.equal(summary.code, 1, summary.stderr);
    assert.doesNotMatch(summary.stdout.toString(), /^(---|\+\+\+) /m, '--summary prints no diffs');

    // -n limits everything to one namespace.
    const inDefault = await kreg(['-n', 'default']);
    assert.equal(inDefault.code, 1, inDefault.stderr);
    assert.deepEqual(summaryRows(inDefault).get('TOTAL'), [1, 1, 0, 0, 0]);

    // snapshot-vs-etcd: the backup brings back the deleted namespace and loses the added configmap.
    const fromSnapshot = await runKreg(['diff', '-A', '--from', `snapshot:${snapshot}`, '--to', 'etcd', '--endpoints', etcd.server.endpoint]);
    assert.equal(fromSnapshot.code, 1, `${fromSnapshot.stderr}\n${fromSnapshot.stdout.toString()}`);
    assert.deepEqual(listed(fromSnapshot, 'only in from'), ['namespaces nameValue']);
    assert.deepEqual(listed(fromSnapshot, 'only in to'), ['configmaps default/etcd-only']);
    assert.deepEqual(summaryRows(fromSnapshot).get('TOTAL'), [1, 1, 0, 0, fixtures.length - 1]);

    // Backup against backup: a rewrite of the same object only moves its resourceVersion (touched,
    // not a difference); a change of status alone is a change, or touched with --ignore-status.
    const pod = (phase: string): Buffer =>
      Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'pod-uid' }, spec: { containers: [] }, status: { phase } }));
    await etcd.server.etcdctl(['put', '/registry/pods/default/p'], pod('Pending'));
    const monday = join(work, 'monday.db');
    await etcd.server.etcdctl(['snapshot', 'save', monday]);
    await etcd.server.etcdctl(['put', '/registry/configmaps/default/etcd-only'], Buffer.from(JSON.stringify(etcdOnly)));
    const tuesday = join(work, 'tuesday.db');
    await etcd.server.etcdctl(['snapshot', 'save', tuesday]);
    const touchedOnly = await runKreg(['diff', '-A', '--from', `snapshot:${monday}`, '--to', `snapshot:${tuesday}`, '--summary']);
    assert.equal(touchedOnly.code, 0, `${touchedOnly.stderr}\n${touchedOnly.stdout.toString()}`);
    assert.deepEqual(summaryRows(touchedOnly).get('configmaps')?.slice(0, 4), [0, 0, 0, 1]);
    assert.deepEqual(listed(touchedOnly, 'changed'), []);
    await etcd.server.etcdctl(['put', '/registry/pods/default/p'], pod('Running'));
    const wednesday = join(work, 'wednesday.db');
    await etcd.server.etcdctl(['snapshot', 'save', wednesday]);
    const statusChange = await runKreg(['diff', '-A', '--from', `snapshot:${monday}`, '--to', `snapshot:${wednesday}`, '--summary']);
    assert.equal(statusChange.code, 1, statusChange.stderr);
    assert.deepEqual(listed(statusChange, 'changed'), ['pods default/p']);
    const ignoringStatus = await runKreg(['diff', '-A', '--from', `snapshot:${monday}`, '--to', `snapshot:${wednesday}`, '--summary', '--ignore-status']);
    assert.equal(ignoringStatus.code, 0, ignoringStatus.stdout.toString());
    assert.deepEqual(summaryRows(ignoringStatus).get('pods')?.[3], 1);
    assert.deepEqual(summaryRows(ignoringStatus).get('TOTAL')?.slice(0, 4), [0, 0, 0, 2]);
  });
  it('null and absent fields are the same (the API server cannot tell them apart): an Event without eventTime against its stored eventTime: null', async function () {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-1.182c9aa10f00d01', namespace: 'shop', uid: 'e-1', creationTimestamp: '2026-03-14T09:26:53Z' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'shop' },
      reason: 'Pulled',
      message: 'Container image already present on machine',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-03-14T09:26:53Z',
      lastTimestamp: '2026-03-14T09:26:53Z',
      count: 1,
      type: 'Normal',
      // Strings without omitempty are stored and served as '': only eventTime is left out.
      reportingComponent: '',
      reportingInstance: '',
    };
    const key = '/registry/events/shop/web-1.182c9aa10f00d01';
    const put = JSON.parse((await etcd.server.etcdctl(['put', key, '-w', 'json'], encode(event))).toString()) as { header: { revision: number } };
    const revision = put.header.revision;
    const dir = join(work, 'events');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'event.yaml'), yaml.dump(event));
    try {
      // What is stored reads back with eventTime: null (MicroTime has no omitempty), the manifest has none.
      const got = await runKreg(['get', 'events', event.metadata.name, '-n', 'shop', '-o', 'json', '--endpoints', etcd.server.endpoint]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal((JSON.parse(got.stdout.toString()) as Json).eventTime, null);
      const one = await kreg(['events', event.metadata.name, '-n', 'shop', '--from', 'etcd', '--to', `dir:${dir}`]);
      assert.equal(one.code, 0, `${one.stderr}\n${one.stdout.toString()}`);
      assert.equal(one.stdout.toString(), '');
      const all = await kreg(['events', '-n', 'shop', '--from', 'etcd', '--to', `dir:${dir}`]);
      assert.equal(all.code, 0, `${all.stderr}\n${all.stdout.toString()}`);
      assert.deepEqual(summaryRows(all).get('events'), [0, 0, 0, 0, 1]);

      // The same against the API, which here serves the Event without the field.
      const events = registry.resources.find((e) => e.group === '' && e.resource === 'events') as ResourceEntry;
      api.put(fakeResource(events), { ...event, metadata: { ...event.metadata, resourceVersion: String(revision) } });
      try {
        const r = await kreg(['events', event.metadata.name, '-n', 'shop']);
        assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.toString()}`);
      } finally {
        api.remove(fakeResource(events), 'shop', event.metadata.name);
      }
    } finally {
      await etcd.server.etcdctl(['del', key]);
    }
  });

  it('a namespace-less manifest goes to the -n namespace, as kubectl apply -n puts it (default without -n)', async function () {
    const stored = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'shop', uid: 'c-1', creationTimestamp: '2026-03-14T09:26:40Z' }, data: { LOG_LEVEL: 'info' } };
    const key = '/registry/configmaps/shop/app-config';
    await etcd.server.etcdctl(['put', key], encode(stored));
    const dir = join(work, 'namespace-less');
    mkdirSync(dir, { recursive: true });
    const manifest = structuredClone(stored) as Json;
    delete (manifest.metadata as Json).namespace;
    writeFileSync(join(dir, 'cm.yaml'), yaml.dump(manifest));
    try {
      const one = await kreg(['cm', 'app-config', '-n', 'shop', '--from', 'etcd', '--to', `dir:${dir}`]);
      assert.equal(one.code, 0, `${one.stderr}\n${one.stdout.toString()}`);
      const listing = await kreg(['cm', '-n', 'shop', '--from', 'etcd', '--to', `dir:${dir}`]);
      assert.equal(listing.code, 0, `${listing.stderr}\n${listing.stdout.toString()}`);
      assert.deepEqual(summaryRows(listing).get('configmaps'), [0, 0, 0, 0, 1]);
      const everything = await kreg(['-n', 'shop', '--from', `dir:${dir}`, '--to', 'etcd']);
      assert.deepEqual(listed(everything, 'only in from'), []);
      // Without -n it is default's, as kubectl apply would place it.
      const all = await kreg(['cm', '-A', '--from', 'etcd', '--to', `dir:${dir}`, '--summary']);
      assert.equal(all.code, 1, all.stderr);
      assert.deepEqual(listed(all, 'only in to'), ['configmaps default/app-config']);
      assert.ok(listed(all, 'only in from').includes('configmaps shop/app-config'), all.stdout.toString());
    } finally {
      await etcd.server.etcdctl(['del', key]);
    }
  });
});
