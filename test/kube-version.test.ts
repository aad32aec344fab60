/**
 * Decoding as a chosen Kubernetes release: its kinds (including group/versions removed later), its
 * fields, its JSON rules; fields another release defines are labelled with what kreg knows of them.
 * The values are built here with kreg's own encoder for that release, so no upstream data is needed.
 */
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { formatReleaseRanges, releaseRangesInclude } from '../src/codec/schema-releases.js';
import { decode, encode, UsageError } from '../src/index.js';
import { knownReleases, loadSchema, normalizeRelease } from '../src/schema-bundle.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { runKreg } from './support/run-cli.js';

/** A 1.19 ConfigMap that still carries ObjectMeta.clusterName (removed in 1.25). */
const clusterNamed = () => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', clusterName: 'east' }, data: { a: 'b' } }, { kubeVersion: '1.19' });

describe('--kube-version and decode({ kubeVersion })', function () {
  it('knows every release from 1.16 to 1.36 and reads release names loosely', function () {
    assert.deepEqual(
      knownReleases(),
      Array.from({ length: 21 }, (_, i) => `1.${16 + i}`),
    );
    assert.equal(normalizeRelease('v1.19.16'), '1.19');
    assert.equal(normalizeRelease('1.36'), '1.36');
    assert.equal(formatReleaseRanges([16, 17, 18, 21, 23, 24]), '1.16-1.18,1.21,1.23-1.24');
    assert.equal(releaseRangesInclude('1.16-1.18,1.21', 17), true);
    assert.equal(releaseRangesInclude('1.16-1.18,1.21', 19), false);
  });

  it('rejects a release it does not know with a usage error listing the known ones', function () {
    assert.throws(
      () => decode(clusterNamed(), { kubeVersion: '1.15' }),
      (err: unknown) => err instanceof UsageError && err.code === 'unknown-kube-version' && /1\.16 to 1\.36/.test(err.message) && err.message.includes('1.25'),
    );
  });

  it('decodes a field the release has, and labels one it dropped by when it was removed', function () {
    const stored = clusterNamed();
    const as119 = decode(stored, { kubeVersion: '1.19' });
    assert.deepEqual(as119.unknownFields, []);
    assert.equal((as119.object?.metadata as { clusterName?: string }).clusterName, 'east');
    const as136 = decode(stored);
    assert.equal(as136.unknownFields.length, 1);
    assert.equal(as136.unknownFields[0]?.known, 'removed in 1.25 (clusterName)');
    // Losslessness does not depend on the release: both give the stored bytes back.
    assert.ok(Buffer.compare(encode(as119), stored) === 0);
    assert.ok(Buffer.compare(encode(as136), stored) === 0);
  });

  it('labels fields a newer release added by the release that added them', function () {
    const pod = encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const labels = decode(pod, { kubeVersion: '1.19' }).unknownFields.map((f) => `${f.path} ${f.known ?? '?'}`);
    assert.ok(labels.includes('status added in 1.33 (observedGeneration)'), labels.join('; '));
    assert.deepEqual(decode(pod).unknownFields, []);
  });

  it('leaves unlabelled only fields no known release defines', function () {
    const schema = loadSchema();
    assert.equal(schema.describeUnknownField('k8s.io.api.core.v1.ConfigMap', 99), undefined);
    assert.equal(schema.describeUnknownField('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', 15), 'removed in 1.25 (clusterName)');
  });

  it("follows the release's JSON rules: creationTimestamp: null until apimachinery's omitzero", function () {
    const stored = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    const metaOf = (kubeVersion?: string) => decode(stored, kubeVersion === undefined ? {} : { kubeVersion }).object?.metadata as Record<string, unknown>;
    assert.equal(metaOf('1.19').creationTimestamp, null);
    assert.equal('creationTimestamp' in metaOf(), false);
  });

  it('decodes kinds at group/versions removed later, which the newest release does not know', function () {
    for (const [kubeVersion, apiVersion, kind] of [
      ['1.20', 'policy/v1beta1', 'PodSecurityPolicy'],
      ['1.19', 'extensions/v1beta1', 'PodSecurityPolicy'],
      ['1.22', 'autoscaling/v2beta1', 'HorizontalPodAutoscaler'],
    ] as const) {
      const stored = encode({ apiVersion, kind, metadata: { name: 'old' } }, { kubeVersion });
      const decoded = decode(stored, { kubeVersion });
      assert.equal(decoded.knownKind, true, `${apiVersion} ${kind} in ${kubeVersion}`);
      assert.equal((decoded.object?.metadata as { name: string }).name, 'old');
      assert.equal(decode(stored).knownKind, false, `${apiVersion} ${kind} is not in 1.36`);
      assert.ok(Buffer.compare(encode(decoded), stored) === 0);
    }
  });
});

describe('kreg commands with --kube-version', function () {
  const source = new MemorySource({ description: 'memory' });
  before(function () {
    source.put('/registry/configmaps/shop/cm', clusterNamed());
  });

  it('decode: as the release, and without it the note names the release that removed the field', async function () {
    const as119 = await runKreg(['decode', '--kube-version', '1.19'], { input: clusterNamed() });
    assert.equal(as119.code, 0, as119.stderr);
    assert.doesNotMatch(as119.stdout.toString(), /unknown fields/);
    assert.equal((yaml.load(as119.stdout.toString()) as { metadata: { clusterName: string } }).metadata.clusterName, 'east');
    const newest = await runKreg(['decode'], { input: clusterNamed() });
    assert.match(newest.stdout.toString(), /defined by other Kubernetes releases/);
    assert.match(newest.stdout.toString(), /removed in 1\.25 \(clusterName\)/);
  });

  it('a bad value is one usage error listing the known releases, on every command that decodes', async function () {
    for (const command of [['decode'], ['encode'], ['get', 'cm', '-A'], ['history', 'cm', 'cm', '-n', 'shop'], ['diff', '--to', 'etcd', '-A'], ['du']]) {
      const r = await runKreg([...command, '--kube-version', '2.0'], { input: clusterNamed(), source });
      assert.notEqual(r.code, 0, command.join(' '));
      assert.match(r.stderr, /unknown Kubernetes release "2\.0": kreg knows 1\.16 to 1\.36 \(1\.16, 1\.17/, command.join(' '));
      assert.equal(r.stdout.length, 0, command.join(' '));
    }
  });

  it('get, history, du and diff decode the store as the release', async function () {
    const got = await runKreg(['get', 'cm', 'cm', '-n', 'shop', '-o', 'json', '--kube-version', '1.19'], { source });
    assert.equal(got.code, 0, got.stderr);
    const object = JSON.parse(got.stdout.toString()) as { metadata: { clusterName?: string; creationTimestamp?: null } };
    assert.equal(object.metadata.clusterName, 'east');
    assert.equal(object.metadata.creationTimestamp, null);
    const newest = JSON.parse((await runKreg(['get', 'cm', 'cm', '-n', 'shop', '-o', 'json'], { source })).stdout.toString()) as { metadata: Record<string, unknown> };
    assert.equal('clusterName' in newest.metadata, false);

    // Listings decode on worker threads too: they are told the release.
    const listed = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'json', '--workers', '1', '--kube-version', '1.19'], { source });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout.toString()) as { items: { metadata: { clusterName?: string } }[] }).items[0]?.metadata.clusterName, 'east');

    const history = await runKreg(['history', 'cm', 'cm', '-n', 'shop', '-o', 'json', '--kube-version', '1.19'], { source });
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout.toString(), /"clusterName": "east"/);

    const du = await runKreg(['du', '--kube-version', '1.19', '-o', 'json'], { source });
    assert.equal(du.code, 0, du.stderr);

    const diff = await runKreg(['diff', 'cm', 'cm', '-n', 'shop', '--from', 'etcd', '--to', 'etcd', '--kube-version', '1.19', '--summary'], { source });
    assert.equal(diff.code, 0, diff.stderr);
  });

  it('encode writes only the fields the release has', async function () {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: shop\n  clusterName: east\ndata:\n  a: b\n';
    const old = await runKreg(['encode', '--kube-version', '1.19'], { input: manifest });
    assert.equal(old.code, 0, old.stderr);
    assert.ok(Buffer.compare(old.stdout, clusterNamed()) === 0);
    const newest = await runKreg(['encode'], { input: manifest });
    assert.notEqual(newest.code, 0);
  });
});
