/**
 * The CLI round trip: what kreg decode and kreg get print, fed to kreg encode, gives the stored
 * bytes back; unknown fields, hidden managedFields and storage facts travel in the record printed
 * next to the object (a `# kreg:storage` comment in YAML, a "kreg.io/storage" member in JSON).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { FIXTURES_DIR, K8S_VERSIONS_DIR, REPO_ROOT, requireReleaseFixtures, requireSharedFixtures } from './support/shared-data.js';
import { runKreg } from './support/run-cli.js';

/** Every .pb fixture under a testdata directory (upstream keeps them per API group folder). */
function protobufFixtures(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.pb'))
    .sort()
    .map((name) => join(dir, name));
}

/** decode then encode through the CLI, in process; the bytes encode wrote, or why it failed. */
async function cliRoundTrip(stored: Uint8Array, decodeArgs: string[]): Promise<Buffer | string> {
  const decoded = await runKreg(['decode', '--show-secrets', ...decodeArgs], { input: stored });
  if (decoded.code !== 0) return `decode: ${decoded.stderr}`;
  const encoded = await runKreg(['encode'], { input: decoded.stdout });
  return encoded.code === 0 ? encoded.stdout : `encode: ${encoded.stderr}`;
}

/** What the library's encode(decode(x)) gives, the best the CLI can do; undefined when the library cannot decode x. */
function libraryRoundTrip(stored: Uint8Array, kubeVersion: string | undefined): Buffer | undefined {
  try {
    return Buffer.from(encode(decode(stored, kubeVersion === undefined ? {} : { kubeVersion })));
  } catch {
    return undefined;
  }
}

interface Tally {
  identical: number;
  total: number;
  failures: string[];
}

/** Round-trips every fixture of a directory through the CLI, as `kubeVersion`. */
async function roundTripAll(dir: string, kubeVersion: string | undefined, output: 'yaml' | 'json'): Promise<Tally> {
  const tally: Tally = { identical: 0, total: 0, failures: [] };
  const args = [...(kubeVersion === undefined ? [] : ['--kube-version', kubeVersion]), '-o', output];
  for (const file of protobufFixtures(dir)) {
    const stored = readFileSync(file);
    const library = libraryRoundTrip(stored, kubeVersion);
    if (library === undefined) continue; // a kind that release does not define: counted apart by the conformance test
    tally.total++;
    const cli = await cliRoundTrip(stored, args);
    if (typeof cli === 'string') tally.failures.push(`${file}: ${cli.trim()}`);
    else if (Buffer.compare(cli, library) !== 0) tally.failures.push(`${file}: the CLI gave other bytes than encode(decode(x))`);
    else if (Buffer.compare(cli, stored) === 0) tally.identical++;
  }
  return tally;
}

describe('CLI round trip: kreg decode | kreg encode, kreg get -o yaml | kreg encode', function () {
  this.timeout(120_000);

  it('gives back every upstream v1.36 fixture byte for byte, from YAML and from JSON', async function () {
    requireSharedFixtures(this);
    for (const output of ['yaml', 'json'] as const) {
      const tally = await roundTripAll(FIXTURES_DIR, undefined, output);
      console.log(`      v1.36 -o ${output}: ${tally.identical}/${tally.total} byte-identical`);
      assert.deepEqual(tally.failures, []);
      assert.equal(tally.identical, tally.total);
      assert.ok(tally.total >= 180, `only ${tally.total} fixtures`);
    }
  });

  // The oldest release with fixtures and a recent one: the carrier is the same for every release, and
  // test/lossless-across-releases.test.ts covers every pairing of releases in the library.
  for (const release of ['1.17', '1.29']) {
    it(`gives back every ${release} fixture byte for byte, decoded as ${release} and as 1.36 (whose schema differs)`, async function () {
      requireReleaseFixtures(this);
      const dir = `${K8S_VERSIONS_DIR}/v${release}/testdata`;
      for (const kubeVersion of [release, undefined]) {
        const tally = await roundTripAll(dir, kubeVersion, 'yaml');
        console.log(`      v${release} fixtures as ${kubeVersion ?? '1.36'}: ${tally.identical}/${tally.total} byte-identical`);
        assert.deepEqual(tally.failures, []);
        assert.equal(tally.identical, tally.total);
        assert.ok(tally.total > 100);
      }
    });
  }

  it('carries fields 1.36 does not know (a 1.19 clusterName) in the # kreg:storage line, and encode reads it back', async function () {
    const stored = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', clusterName: 'east' }, data: { a: 'b' } }, { kubeVersion: '1.19' });
    const decoded = await runKreg(['decode'], { input: stored });
    const text = decoded.stdout.toString('utf8');
    assert.match(text, /\n# kreg:storage [A-Za-z0-9+/=]+\n$/);
    assert.doesNotMatch(text, /clusterName: east/);
    const encoded = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(Buffer.compare(encoded.stdout, Buffer.from(stored)), 0);
    // Without the record, the field is gone: the record is what carries it.
    const withoutRecord = await runKreg(['encode'], { input: text.replace(/# kreg:storage .*\n/, '') });
    assert.notEqual(Buffer.compare(withoutRecord.stdout, Buffer.from(stored)), 0);
  });

  it('applies the record to an edited object: the edit is encoded, the unknown field kept', async function () {
    const stored = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', clusterName: 'east' }, data: { a: 'b' } }, { kubeVersion: '1.19' });
    const decoded = await runKreg(['decode'], { input: stored });
    const edited = decoded.stdout.toString('utf8').replace('  a: b', '  a: changed');
    const encoded = await runKreg(['encode'], { input: edited });
    const again = decode(encoded.stdout, { kubeVersion: '1.19' });
    assert.deepEqual(again.object?.data, { a: 'changed' });
    assert.equal((again.object?.metadata as { clusterName?: string }).clusterName, 'east');
  });

  it('gives back JSON values (custom resources) with their stored key order', async function () {
    const stored = Buffer.from(
      '{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w","namespace":"shop","uid":"u-1"},"spec":{"size":1,"ratio":0.5,"zeta":true,"alpha":[{"b":1,"a":2}]}}\n',
    );
    const decoded = await runKreg(['decode'], { input: stored });
    assert.match(decoded.stdout.toString('utf8'), /^apiVersion: example\.com\/v1\nkind: Widget$/m); // printed sorted, as kubectl does
    const encoded = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(encoded.stdout.toString('utf8'), stored.toString('utf8'));
    const source = new MemorySource({ description: 'memory' });
    source.put('/registry/example.com/widgets/shop/w', stored);
    const got = await runKreg(['get', '/registry/example.com/widgets/shop/w', '-o', 'yaml'], { source });
    assert.equal(got.code, 0, got.stderr);
    const back = await runKreg(['encode'], { input: got.stdout });
    assert.equal(back.stdout.toString('utf8'), stored.toString('utf8'));
  });

  it('reads int64 values beyond 2^53 exactly, from YAML and from JSON', async function () {
    const big = 9007199254740993n; // 2^53 + 1: a double would make it ...992
    const stored = encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', generation: big, deletionGracePeriodSeconds: big }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    for (const output of ['yaml', 'json']) {
      const decoded = await runKreg(['decode', '-o', output], { input: stored });
      assert.ok(decoded.stdout.toString('utf8').includes('9007199254740993'));
      const encoded = await runKreg(['encode'], { input: decoded.stdout });
      assert.equal(Buffer.compare(encoded.stdout, Buffer.from(stored)), 0, output);
    }
  });

  it('get KEY -o yaml and -o json: resourceVersion left out, hidden managedFields put back, the stored bytes given back', async function () {
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        namespace: 'shop',
        clusterName: 'east',
        managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
      },
      data: { a: 'b' },
    };
    const stored = encode(object, { kubeVersion: '1.19' });
    const source = new MemorySource({ description: 'memory' });
    source.put('/registry/configmaps/shop/cm', stored);
    for (const output of ['yaml']) {
      const got = await runKreg(['get', 'configmaps/cm', '-n', 'shop', '--kube-version', '1.19', '-o', output], { source });
      assert.equal(got.code, 0, got.stderr);
      const text = got.stdout.toString('utf8');
      assert.match(text, /resourceVersion/);
      assert.doesNotMatch(text, /managedFields/);
      const encoded = await runKreg(['encode'], { input: got.stdout });
      assert.equal(encoded.code, 0, encoded.stderr);
      assert.equal(Buffer.compare(encoded.stdout, Buffer.from(stored)), 0, output);
    }
  });

  it('get KEY -o yaml | encode gives back every value of the demo snapshot (protobuf, JSON custom resources, Secrets); get -o json stays the API object', async function () {
    const snapshotFile = join(REPO_ROOT, 'examples/demo-cluster.db');
    const snapshot = await SnapshotSource.open(snapshotFile);
    const entries: { key: string; value: Uint8Array }[] = [];
    try {
      for await (const entry of snapshot.range({ prefix: '/registry/' })) entries.push({ key: entry.key, value: entry.value });
    } finally {
      await snapshot.close();
    }
    assert.ok(entries.length > 20);
    const failures: string[] = [];
    for (const { key, value } of entries) {
      // JSON has no comments: get -o json prints the object as the API serves it, without the record.
      const json = await runKreg(['get', key, '--show-secrets', '-o', 'json', '--snapshot', snapshotFile]);
      if (json.stdout.toString('utf8').includes('kreg.io/storage')) failures.push(`${key} -o json carries a kreg.io/storage member`);
      for (const output of ['yaml']) {
        const got = await runKreg(['get', key, '--show-secrets', '-o', output, '--snapshot', snapshotFile]);
        const encoded = got.code === 0 ? await runKreg(['encode'], { input: got.stdout }) : got;
        if (encoded.code !== 0 || Buffer.compare(encoded.stdout, Buffer.from(value)) !== 0) failures.push(`${key} -o ${output}: ${encoded.stderr.trim() || 'other bytes'}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('encode leaves out resourceVersion and selfLink, as kube-apiserver does, when no record says they were stored', async function () {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  resourceVersion: "42"\n  selfLink: /api/v1/x\ndata:\n  a: b\n';
    const encoded = await runKreg(['encode'], { input: manifest });
    const plain = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
    assert.equal(Buffer.compare(encoded.stdout, Buffer.from(plain)), 0);
    // A value whose stored bytes had a resourceVersion keeps it through decode | encode.
    const odd = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', resourceVersion: '7' }, data: { a: 'b' } });
    const decoded = await runKreg(['decode'], { input: odd });
    const back = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(Buffer.compare(back.stdout, Buffer.from(odd)), 0);
  });
});
