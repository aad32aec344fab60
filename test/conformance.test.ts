/**
 * Kubernetes' own serialization fixtures: for every API type, the same object as .pb (storage
 * protobuf), .json and .yaml. kreg must decode each .pb to exactly the .json object, and encode
 * both the decoded value and the parsed .json back to exactly the .pb bytes.
 */
import assert from 'node:assert/strict';
import { decode, encode } from '../src/index.js';
import type { JsonObject } from '../src/index.js';
import { FIXTURES_DIR, haveSharedFixtures, requireSharedFixtures } from './support/shared-data.js';
import { firstDifference, loadUpstreamFixtures, type UpstreamFixture } from './support/upstream-fixtures.js';

function loadFixtures(): (UpstreamFixture & { json: JsonObject })[] {
  return loadUpstreamFixtures(FIXTURES_DIR).map((f) => {
    if (f.json === undefined) throw new Error(`${f.name}.json is not valid JSON`);
    return { ...f, json: f.json };
  });
}

describe('conformance: upstream Kubernetes v1.36 serialization fixtures', function () {
  const counts = { fixtures: 0, decodeEqualsJson: 0, reencodeEqualsPb: 0, jsonEncodesToPb: 0 };
  if (!haveSharedFixtures()) {
    it('needs ../shared/kubernetes-v1.36/testdata', function () {
      requireSharedFixtures(this);
    });
    return;
  }
  const fixtures = loadFixtures();
  counts.fixtures = fixtures.length;

  after(function () {
    console.log(
      `      conformance over ${counts.fixtures} fixtures: decode = .json ${counts.decodeEqualsJson}/${counts.fixtures}, ` +
        `encode(decode(pb)) = .pb ${counts.reencodeEqualsPb}/${counts.fixtures}, encode(.json) = .pb ${counts.jsonEncodesToPb}/${counts.fixtures}`,
    );
  });

  it('finds the fixtures of every API group', function () {
    assert.ok(fixtures.length > 150, `expected the full fixture set, found ${fixtures.length}`);
  });

  for (const fixture of fixtures) {
    describe(fixture.name, function () {
      it('decodes .pb to the .json object', function () {
        const decoded = decode(fixture.pb, { type: fixture.type });
        assert.equal(decoded.format, 'protobuf');
        assert.equal(decoded.knownKind, true);
        assert.deepEqual(decoded.unknownFields, []);
        assert.deepStrictEqual(decoded.object, fixture.json);
        counts.decodeEqualsJson++;
      });
      it('re-encodes the decoded value to the same .pb bytes', function () {
        const bytes = encode(decode(fixture.pb, { type: fixture.type }));
        assert.ok(Buffer.compare(bytes, fixture.pb) === 0, firstDifference(bytes, fixture.pb));
        counts.reencodeEqualsPb++;
      });
      it('encodes the .json object to the .pb bytes', function () {
        const bytes = encode(fixture.json, { type: fixture.type });
        assert.ok(Buffer.compare(bytes, fixture.pb) === 0, firstDifference(bytes, fixture.pb));
        counts.jsonEncodesToPb++;
      });
    });
  }
});
