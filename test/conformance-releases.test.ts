/**
 * Upstream's serialization fixtures of older Kubernetes releases (1.17, 1.19, ... 1.35), each
 * decoded with its own release's schema: the decoded object must equal the release's .json, and
 * re-encoding it, or encoding the .json, must give the .pb bytes. Fixtures of types the release's protos do not define
 * (stale upstream files, see ../shared/kubernetes-versions/README.md) are counted apart. The same
 * fixtures decoded with the newest schema are counted too, to show what the versioned schemas gain.
 */
import assert from 'node:assert/strict';
import { decode, encode } from '../src/index.js';
import { haveReleaseFixtures, K8S_VERSIONS_DIR, releasesWithFixtures, requireReleaseFixtures } from './support/shared-data.js';
import { loadUpstreamFixtures, type UpstreamFixture } from './support/upstream-fixtures.js';

/**
 * Stale upstream fixtures of types absent from that release's protos: the versions README lists
 * them, except core.v1.ExportOptions, whose message meta/v1 dropped in 1.21 while its fixture stayed.
 */
const NOT_IN_RELEASE: Record<string, string[]> = {
  '1.21': ['batch.v1.JobTemplate', 'batch.v2alpha1.CronJob', 'batch.v2alpha1.JobTemplate', 'core.v1.ExportOptions', 'discovery.k8s.io.v1alpha1.EndpointSlice', 'settings.k8s.io.v1alpha1.PodPreset'],
  '1.23': ['batch.v1.JobTemplate', 'batch.v2alpha1.CronJob', 'batch.v2alpha1.JobTemplate', 'core.v1.EphemeralContainers', 'core.v1.ExportOptions', 'discovery.k8s.io.v1alpha1.EndpointSlice'],
};

/**
 * Floors per release where not every fixture passes: [decode = .json, encode(decode(pb)) = .pb,
 * encode(.json) = .pb] with the release's own schema, as reached; they may only go up. 1.23's autoscaling.v2
 * HorizontalPodAutoscaler .pb names autoscaling/v2beta2 in its envelope while its .json says
 * autoscaling/v2 (upstream wrote that fixture through the v2beta2 protobuf codec), so the decoded
 * apiVersion cannot equal the .json's.
 */
const FLOORS: Record<string, [number, number, number]> = { '1.23': [139, 140, 139] };

interface Tally {
  fixtures: number;
  apart: number;
  decodeEqual: number;
  reencodeEqual: number;
  /** encode(.json) = .pb: the release's JSON carries everything its protobuf has for these fixtures. */
  jsonEncodesToPb: number;
  failures: string[];
}

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function tally(fixtures: UpstreamFixture[], kubeVersion: string | undefined, apart: ReadonlySet<string>): Tally {
  const t: Tally = { fixtures: 0, apart: 0, decodeEqual: 0, reencodeEqual: 0, jsonEncodesToPb: 0, failures: [] };
  for (const fixture of fixtures) {
    if (apart.has(fixture.name.slice(fixture.name.indexOf('/') + 1))) {
      t.apart++;
      continue;
    }
    t.fixtures++;
    const options = kubeVersion === undefined ? { type: fixture.type } : { type: fixture.type, kubeVersion };
    let decodedOk = false;
    let reencodedOk = false;
    try {
      const decoded = decode(fixture.pb, options);
      decodedOk = decoded.knownKind && decoded.unknownFields.length === 0 && deepEqual(decoded.object, fixture.json);
      reencodedOk = sameBytes(encode(decoded), fixture.pb);
    } catch (err) {
      t.failures.push(`${fixture.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      if (fixture.json !== undefined && sameBytes(encode(fixture.json, options), fixture.pb)) t.jsonEncodesToPb++;
    } catch {
      // counted as not equal
    }
    if (decodedOk) t.decodeEqual++;
    else t.failures.push(`${fixture.name}: decode differs from .json`);
    if (reencodedOk) t.reencodeEqual++;
    else t.failures.push(`${fixture.name}: re-encode differs from .pb`);
  }
  return t;
}

describe('conformance: upstream fixtures of older Kubernetes releases, each decoded as its release', function () {
  if (!haveReleaseFixtures()) {
    it('needs ../shared/kubernetes-versions', function () {
      requireReleaseFixtures(this);
    });
    return;
  }
  const releases = releasesWithFixtures();

  it('finds the fixtures of ten releases', function () {
    assert.deepEqual(releases, ['1.17', '1.19', '1.21', '1.23', '1.25', '1.27', '1.29', '1.31', '1.33', '1.35']);
  });

  for (const release of releases) {
    it(`${release}: decodes as ${release} to the .json and re-encodes to the .pb`, function () {
      const fixtures = loadUpstreamFixtures(`${K8S_VERSIONS_DIR}/v${release}/testdata`, 'go-json');
      const apart = new Set(NOT_IN_RELEASE[release] ?? []);
      const before = tally(fixtures, undefined, apart);
      const after = tally(fixtures, release, apart);
      console.log(
        `      ${release}: ${after.fixtures} fixtures (+${after.apart} of types not in ${release}): ` +
          `decode = .json ${after.decodeEqual}/${after.fixtures} (with 1.36: ${before.decodeEqual}), ` +
          `encode(decode(pb)) = .pb ${after.reencodeEqual}/${after.fixtures} (with 1.36: ${before.reencodeEqual}), ` +
          `encode(.json) = .pb ${after.jsonEncodesToPb}/${after.fixtures} (with 1.36: ${before.jsonEncodesToPb})`,
      );
      for (const failure of after.failures) console.log(`        ${failure}`);
      // The stale fixtures really are of types the release does not define.
      for (const name of apart) {
        const fixture = fixtures.find((f) => f.name === `api/${name}`);
        assert.ok(fixture !== undefined, `expected the stale fixture ${name}`);
        assert.equal(decode(fixture.pb, { type: fixture.type, kubeVersion: release }).knownKind, false, `${name} should not be in ${release}`);
      }
      const [decodeFloor, reencodeFloor, jsonFloor] = FLOORS[release] ?? [after.fixtures, after.fixtures, after.fixtures];
      assert.ok(after.decodeEqual >= decodeFloor, `decode-equal fell below ${decodeFloor}`);
      assert.ok(after.reencodeEqual >= reencodeFloor, `re-encode fell below ${reencodeFloor}`);
      assert.ok(after.jsonEncodesToPb >= jsonFloor, `encode(.json) = .pb fell below ${jsonFloor}`);
    });
  }
});
