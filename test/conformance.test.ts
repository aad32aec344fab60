/**
 * Kubernetes' own serialization fixtures: for every API type, the same object as .pb (storage
 * protobuf), .json and .yaml. kreg must decode each .pb to exactly the .json object, and encode
 * both the decoded value and the parsed .json back to exactly the .pb bytes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { decode, encode } from '../src/index.js';
import type { JsonObject } from '../src/index.js';
import { FIXTURES_DIR, haveSharedFixtures, requireSharedFixtures } from './support/shared-data.js';

interface Fixture {
  name: string;
  pb: Uint8Array;
  json: JsonObject;
  /** From the file name <group>.<version>.<Kind>, for the few kinds stored without TypeMeta. */
  type: { apiVersion: string; kind: string };
}

function typeFromFileName(base: string): { apiVersion: string; kind: string } {
  const parts = base.split('.');
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join('.');
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const dir of ['api', 'apiextensions']) {
    for (const file of readdirSync(`${FIXTURES_DIR}/${dir}`).sort()) {
      if (!file.endsWith('.pb')) continue;
      const base = `${FIXTURES_DIR}/${dir}/${file.slice(0, -3)}`;
      fixtures.push({
        name: `${dir}/${file.slice(0, -3)}`,
        pb: new Uint8Array(readFileSync(`${base}.pb`)),
        json: JSON.parse(readFileSync(`${base}.json`, 'utf8')) as JsonObject,
        type: typeFromFileName(file.slice(0, -3)),
      });
    }
  }
  return fixtures;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Where two byte strings first differ, for a readable failure. */
function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return `lengths ${a.length} vs ${b.length}, first difference at byte ${i}: …${hex(a.subarray(Math.max(0, i - 8), i + 16))} vs …${hex(b.subarray(Math.max(0, i - 8), i + 16))}`;
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
