/**
 * Losslessness must not depend on the release chosen to decode with: upstream's fixtures of each
 * release, decoded as another release (older or newer than the writer), re-encode to their stored
 * bytes. Go writes every plain field its own release knows, so the decoder records which fields
 * the chosen release would write that the stored bytes lack; this checks that record (and only
 * it) turns the chosen release's encoder into the writer's.
 */
import assert from 'node:assert/strict';
import { decode, encode, type JsonObject } from '../src/index.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { FIXTURES_DIR, haveReleaseFixtures, haveSharedFixtures, K8S_VERSIONS_DIR, REPO_ROOT, releasesWithFixtures, requireReleaseFixtures } from './support/shared-data.js';
import { loadUpstreamFixtures, type UpstreamFixture } from './support/upstream-fixtures.js';

/** Releases to decode every release's fixtures with: the oldest, one in between and the newest. */
const DECODE_WITH = ['1.16', '1.19', '1.36'];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

interface PairTally {
  total: number;
  identical: number;
  failures: string[];
}

function reencodeAs(fixtures: readonly UpstreamFixture[], kubeVersion: string): PairTally {
  const t: PairTally = { total: 0, identical: 0, failures: [] };
  for (const fixture of fixtures) {
    t.total++;
    try {
      const decoded = decode(fixture.pb, { type: fixture.type, kubeVersion });
      if (sameBytes(encode(decoded), fixture.pb)) t.identical++;
      else t.failures.push(fixture.name);
    } catch (err) {
      t.failures.push(`${fixture.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return t;
}

describe('lossless re-encode whichever release decodes the value', function () {
  if (!haveReleaseFixtures() || !haveSharedFixtures()) {
    it('needs ../shared/kubernetes-versions', function () {
      requireReleaseFixtures(this);
    });
    return;
  }
  const releases = releasesWithFixtures();
  releases.push('1.36');
  const fixturesOf = new Map<string, UpstreamFixture[]>();
  const fixtures = (release: string): UpstreamFixture[] => {
    let list = fixturesOf.get(release);
    if (list === undefined) {
      list = loadUpstreamFixtures(release === '1.36' ? FIXTURES_DIR : `${K8S_VERSIONS_DIR}/v${release}/testdata`, 'go-json');
      fixturesOf.set(release, list);
    }
    return list;
  };

  for (const release of releases) {
    const pairs = [...DECODE_WITH.filter((r) => r !== release), ...(release === '1.35' ? ['1.21', '1.27'] : [])];
    it(`${release} data decoded as ${pairs.join(', ')} re-encodes byte for byte`, function () {
      const lines: string[] = [];
      const failures: string[] = [];
      for (const decodeAs of pairs) {
        const t = reencodeAs(fixtures(release), decodeAs);
        lines.push(`as ${decodeAs}: ${t.identical}/${t.total}`);
        failures.push(...t.failures.map((f) => `${release} as ${decodeAs}: ${f}`));
      }
      // Decoded as the release that wrote it, nothing deviates from Go's rules: no record at all.
      const ownRecords = fixtures(release).filter((f) => decode(f.pb, { type: f.type, kubeVersion: release }).storage.presence !== undefined);
      failures.push(...ownRecords.map((f) => `${release} as ${release}: ${f.name} has a presence record`));
      console.log(`      ${release} data: ${lines.join(', ')}; as ${release}: ${ownRecords.length} presence records`);
      for (const f of failures.slice(0, 10)) console.log(`        ${f}`);
      assert.equal(failures.length, 0, `${failures.length} values re-encode differently`);
    });
  }

  it('editing one field of a value decoded as another release changes only that field', function () {
    // A 1.35 Pod decoded as 1.19: managedFields entries lack fields 1.19 does not know, and 1.19
    // knows fields 1.35 no longer writes; a label added must be the only difference.
    const fixture = fixtures('1.35').find((f) => f.name === 'api/core.v1.Pod');
    assert.ok(fixture !== undefined);
    const edited = decode(fixture.pb, { type: fixture.type, kubeVersion: '1.19' });
    const unedited = decode(fixture.pb, { type: fixture.type, kubeVersion: '1.19' });
    assert.ok(
      (unedited.storage.presence ?? []).some((p) => p.absent !== undefined),
      'the 1.19 decoder finds fields 1.35 did not write',
    );
    assert.ok(unedited.unknownFields.length > 0, 'and fields 1.19 does not know');
    const metadata = edited.object?.metadata as JsonObject;
    const labels = metadata.labels as JsonObject;
    const [firstLabel] = Object.keys(labels).sort();
    assert.ok(firstLabel !== undefined);
    labels[firstLabel] = 'edited';
    const expectedObject = structuredClone(fixture.json) as JsonObject;
    ((expectedObject.metadata as JsonObject).labels as JsonObject)[firstLabel] = 'edited';
    // What the 1.35 apiserver would store for the edited object: encode its JSON as 1.35.
    const expected = encode(expectedObject, { kubeVersion: '1.35' });
    assert.ok(sameBytes(encode(unedited), fixture.pb), 'the unedited value re-encodes to the stored bytes');
    assert.ok(sameBytes(encode(edited), expected), 'only the label changed');
  });

  it('a field the stored bytes lacked is written once it is set', function () {
    // 1.17 wrote no managedFields[].subresource (added in 1.22); decoded as 1.36 it reads as "".
    const fixture = fixtures('1.17').find((f) => f.name === 'api/core.v1.Pod');
    assert.ok(fixture !== undefined);
    const decoded = decode(fixture.pb, { type: fixture.type, kubeVersion: '1.36' });
    const entry = ((decoded.object?.metadata as JsonObject).managedFields as JsonObject[])[0];
    assert.ok(entry !== undefined && entry.subresource === undefined);
    assert.ok(sameBytes(encode(decoded), fixture.pb));
    entry.subresource = 'status';
    const written = encode(decoded);
    assert.ok(!sameBytes(written, fixture.pb));
    const reread = decode(written, { type: fixture.type, kubeVersion: '1.36' });
    assert.equal(((reread.object?.metadata as JsonObject).managedFields as JsonObject[])[0]?.subresource, 'status');
    // Set back to the zero value, the field is left out again, as stored.
    entry.subresource = '';
    assert.ok(sameBytes(encode(decoded), fixture.pb));
  });

  it('the presence record is plain data that survives JSON', function () {
    const fixture = fixtures('1.17').find((f) => f.name === 'api/core.v1.Pod');
    assert.ok(fixture !== undefined);
    const decoded = decode(fixture.pb, { type: fixture.type, kubeVersion: '1.36' });
    const presence = decoded.storage.presence ?? [];
    assert.ok(presence.length > 0);
    decoded.storage.presence = JSON.parse(JSON.stringify(presence)) as typeof presence;
    assert.ok(sameBytes(encode(decoded), fixture.pb));
  });

  it('an empty []byte stored non-nil, which the JSON leaves out, is written back empty', function () {
    // `caBundle: ""` decodes in Go to an empty non-nil []byte, which protobuf writes and JSON omits.
    const object = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: { group: 'metrics.k8s.io', version: 'v1beta1', caBundle: '', groupPriorityMinimum: 100, versionPriority: 100 },
    };
    const stored = encode(object);
    const withoutField = encode({ ...object, spec: { ...object.spec, caBundle: null } });
    assert.equal(stored.length, withoutField.length + 2, 'the stored value holds caBundle as an empty field');
    for (const kubeVersion of ['1.16', '1.36']) {
      const decoded = decode(stored, { kubeVersion });
      assert.equal((decoded.object?.spec as JsonObject).caBundle, undefined);
      const spec = decoded.storage.presence?.find((p) => p.path === 'spec');
      assert.deepEqual(spec, { path: 'spec', message: 'k8s.io.kube_aggregator.pkg.apis.apiregistration.v1.APIServiceSpec', empty: [5] });
      assert.ok(sameBytes(encode(decoded), stored), `re-encoded as ${kubeVersion}`);
      // Once set, the field holds its new value.
      (decoded.object?.spec as JsonObject).caBundle = 'AAAA';
      assert.equal((decode(encode(decoded), { kubeVersion }).object?.spec as JsonObject).caBundle, 'AAAA');
    }
  });

  it('every protobuf value of the demo cluster snapshot re-encodes byte for byte as 1.16 and 1.19', async function () {
    const source = await SnapshotSource.open(`${REPO_ROOT}examples/demo-cluster.db`);
    const values: Uint8Array[] = [];
    try {
      for await (const entry of source.range({ prefix: '/registry/' })) values.push(entry.value);
    } finally {
      await source.close();
    }
    for (const kubeVersion of ['1.16', '1.19']) {
      const decoded = values.map((value) => ({ value, decoded: decode(value, { kubeVersion }) })).filter((v) => v.decoded.format === 'protobuf');
      const identical = decoded.filter((v) => sameBytes(encode(v.decoded), v.value)).length;
      console.log(`      demo cluster snapshot as ${kubeVersion}: ${identical}/${decoded.length}`);
      assert.ok(decoded.length >= 20, 'the snapshot holds protobuf values');
      assert.equal(identical, decoded.length);
    }
  });
});
