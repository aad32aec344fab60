/**
 * Which release the stored data comes from, when --kube-version is not given: told from kubeadm's
 * ConfigMap and the Nodes' kubelet versions, said once on stderr unless it is the newest, and
 * overridden by --kube-version without a word.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../src/index.js';
import { chooseRelease, kubeadmVersionOf, minorOfVersion } from '../src/release-detection.js';
import { knownReleases, NEWEST_RELEASE } from '../src/schema-bundle.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';

const node = (name: string, kubeletVersion: string, kubeVersion: string) =>
  encode({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { nodeInfo: { kubeletVersion, kubeProxyVersion: kubeletVersion } } }, { kubeVersion });

const kubeadmConfig = (version: string) =>
  encode({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
    data: { ClusterConfiguration: `apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\nkubernetesVersion: ${version}\n` },
  });

/** A 1.19 ConfigMap still carrying ObjectMeta.clusterName (removed in 1.25): a 1.19 field, unknown to 1.36. */
const clusterNamed = () => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', clusterName: 'east' }, data: { a: 'b' } }, { kubeVersion: '1.19' });

describe('release detection', function () {
  const releases = knownReleases();

  it('chooses the newest of the kubelet versions and kubeadm, clamped to the releases kreg knows', function () {
    assert.equal(minorOfVersion('v1.29.3-eks-4a2c3b1'), 29);
    assert.equal(minorOfVersion('v1.19.16'), 19);
    assert.equal(minorOfVersion('2.0'), undefined);
    const nodes = chooseRelease({ kubeletVersions: ['v1.19.16', 'v1.19.16', 'v1.19.16'] }, releases);
    assert.deepEqual(nodes, { release: '1.19', reason: 'kubelet v1.19 on 3 Nodes', note: 'decoding as Kubernetes 1.19 (kubelet v1.19 on 3 Nodes); --kube-version to override' });
    // Mid-upgrade: kube-apiserver is at least as new as its newest kubelet.
    assert.equal(chooseRelease({ kubeletVersions: ['v1.27.1', 'v1.28.2', 'v1.27.1'] }, releases)?.reason, 'kubelet v1.28 on 1 of 3 Nodes');
    const kubeadm = chooseRelease({ kubeletVersions: ['v1.28.2'], kubeadmVersion: 'v1.29.0' }, releases);
    assert.equal(kubeadm?.release, '1.29');
    assert.match(kubeadm?.note ?? '', /kubeadm-config says kubernetesVersion v1\.29\.0/);
    // The newest release is the default: nothing to say.
    const current = chooseRelease({ kubeletVersions: [`v${NEWEST_RELEASE}.1`] }, releases);
    assert.equal(current?.release, NEWEST_RELEASE);
    assert.equal(current?.note, undefined);
    const newer = chooseRelease({ kubeletVersions: ['v1.99.0'] }, releases);
    assert.equal(newer?.release, NEWEST_RELEASE);
    assert.match(newer?.note ?? '', /Kubernetes 1\.99 .*newer than 1\.36/);
    const older = chooseRelease({ kubeletVersions: ['v1.14.10'] }, releases);
    assert.equal(older?.release, '1.16');
    assert.match(older?.note ?? '', /Kubernetes 1\.14 .*older than 1\.16/);
    assert.equal(chooseRelease({ kubeletVersions: [] }, releases), undefined);
  });

  it('reads kubernetesVersion from kubeadm ClusterConfiguration text', function () {
    assert.equal(kubeadmVersionOf({ data: { ClusterConfiguration: 'kind: ClusterConfiguration\nkubernetesVersion: "v1.25.4"\nnetworking: {}\n' } }), 'v1.25.4');
    assert.equal(kubeadmVersionOf({ data: { other: 'kubernetesVersion: v1.2.3' } }), undefined);
  });

  it('decodes a store of 1.19 Nodes as 1.19, says so once, and --kube-version overrides it silently', async function () {
    const source = new MemorySource({ description: 'memory' });
    for (const name of ['n1', 'n2', 'n3']) source.put(`/registry/minions/${name}`, node(name, 'v1.19.16', '1.19'));
    source.put('/registry/configmaps/shop/cm', clusterNamed());
    const detected = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml'], { source });
    assert.equal(detected.code, 0, detected.stderr);
    assert.equal(detected.stderr, 'kreg: decoding as Kubernetes 1.19 (kubelet v1.19 on 3 Nodes); --kube-version to override\n');
    // clusterName is a field of 1.19's ObjectMeta.
    assert.match(detected.stdout.toString('utf8'), /^ {2}clusterName: east$/m);
    const listed = await runKreg(['get', 'nodes'], { source });
    assert.equal(listed.stderr.split('decoding as').length - 1, 1);
    // A listing, decoded on worker threads, is decoded as the detected release too.
    const all = await runKreg(['get', 'configmaps', '-A', '-o', 'yaml', '--workers', '2'], { source });
    assert.match(all.stdout.toString('utf8'), /^ {4}clusterName: east$/m);
    // Commands that decode nothing do not look.
    const keys = await runKreg(['ls'], { source });
    assert.equal(keys.code, 0, keys.stderr);
    assert.equal(keys.stderr, '');

    const overridden = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml', '--kube-version', '1.36'], { source });
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.equal(overridden.stderr, '');
    assert.doesNotMatch(overridden.stdout.toString('utf8'), /clusterName: east/);
  });

  it('takes the release kubeadm recorded, and says nothing for a store of the newest release', async function () {
    const source = new MemorySource({ description: 'memory' });
    source.put('/registry/configmaps/kube-system/kubeadm-config', kubeadmConfig('v1.25.16'));
    source.put('/registry/configmaps/shop/cm', clusterNamed());
    const detected = await runKreg(['get', 'configmaps', '-A'], { source });
    assert.equal(detected.stderr, 'kreg: decoding as Kubernetes 1.25 (kubeadm-config says kubernetesVersion v1.25.16); --kube-version to override\n');

    const current = new MemorySource({ description: 'memory' });
    current.put(`/registry/minions/n1`, node('n1', `v${NEWEST_RELEASE}.0`, NEWEST_RELEASE));
    const quiet = await runKreg(['get', 'nodes', '-o', 'name'], { source: current });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.equal(quiet.stdout.toString('utf8'), 'node/n1\n');
  });

  it('a get -o yaml of detected old data round-trips through kreg encode without --kube-version', async function () {
    const source = new MemorySource({ description: 'memory' });
    source.put('/registry/minions/n1', node('n1', 'v1.19.16', '1.19'));
    const stored = clusterNamed();
    source.put('/registry/configmaps/shop/cm', stored);
    const got = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml'], { source });
    const encoded = await runKreg(['encode'], { input: got.stdout });
    assert.equal(encoded.code, 0, encoded.stderr);
    assert.equal(Buffer.compare(encoded.stdout, Buffer.from(stored)), 0);
  });

  describe('from a live etcd', function () {
    const etcd = useEtcd();
    it('detects 1.21 from the Nodes a real etcd holds, and get | encode gives the stored bytes back', async function () {
      for (const name of ['a', 'b']) await etcd.server.etcdctl(['put', `/registry/minions/${name}`], node(name, 'v1.21.14', '1.21'));
      const stored = clusterNamed();
      await etcd.server.etcdctl(['put', '/registry/configmaps/shop/cm'], stored);
      const got = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml', '--endpoints', etcd.server.endpoint]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stderr, 'kreg: decoding as Kubernetes 1.21 (kubelet v1.21 on 2 Nodes); --kube-version to override\n');
      const encoded = await runKreg(['encode'], { input: got.stdout });
      assert.equal(Buffer.compare(encoded.stdout, Buffer.from(stored)), 0);
    });

    it('detects the same from an etcdctl snapshot of it, and kubeadm-config wins over the Nodes', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'kreg-detect-'));
      try {
        const nodesOnly = join(dir, 'nodes.db');
        await etcd.server.etcdctl(['snapshot', 'save', nodesOnly]);
        const fromFile = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml', '--snapshot', nodesOnly]);
        assert.equal(fromFile.code, 0, fromFile.stderr);
        assert.equal(fromFile.stderr, 'kreg: decoding as Kubernetes 1.21 (kubelet v1.21 on 2 Nodes); --kube-version to override\n');
        await etcd.server.etcdctl(['put', '/registry/configmaps/kube-system/kubeadm-config'], kubeadmConfig('v1.23.17'));
        const withKubeadm = join(dir, 'kubeadm.db');
        await etcd.server.etcdctl(['snapshot', 'save', withKubeadm]);
        const kubeadm = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '-o', 'yaml', '--snapshot', withKubeadm]);
        assert.equal(kubeadm.code, 0, kubeadm.stderr);
        assert.match(kubeadm.stderr, /^kreg: decoding as Kubernetes 1\.23 \(.*kubeadm.*\); --kube-version to override\n$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
