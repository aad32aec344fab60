/**
 * The storage audit reads apiVersion, kind, uid and ownerReferences from the stored bytes without
 * decoding objects: for every upstream fixture kube-apiserver would store, in protobuf and as
 * JSON, what it reads must equal what a full decode gives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeValue } from '../src/codec/decode-value.js';
import type { JsonObject } from '../src/codec/json-value.js';
import { readStoredMetadata, storedMetadataOf } from '../src/codec/stored-metadata.js';
import { loadSchema } from '../src/schema-bundle.js';
import { storableFixtures } from './support/fixtures.js';
import { requireSharedFixtures } from './support/shared-data.js';

describe('stored metadata without decoding', function () {
  const schema = loadSchema();
  let fixtures: ReturnType<typeof storableFixtures> = [];
  before(function () {
    requireSharedFixtures(this);
    fixtures = storableFixtures();
  });

  it('has fixtures with uids and ownerReferences to compare', function () {
    const withOwners = fixtures.filter((f) => storedMetadataOf(f.json).ownerReferences.length > 0);
    assert.ok(fixtures.length > 50, `${fixtures.length} fixtures`);
    assert.ok(withOwners.length > 50, `${withOwners.length} with ownerReferences`);
  });

  it('reads from protobuf what a full decode gives, for every fixture', function () {
    for (const fixture of fixtures) {
      const bytes = new Uint8Array(readFileSync(fixture.file));
      const decoded = decodeValue(schema, bytes).object as JsonObject;
      const read = readStoredMetadata(schema, bytes);
      assert.deepEqual(read, storedMetadataOf(decoded), fixture.name);
      assert.notEqual(read?.uid, '', fixture.name);
    }
  });

  it('reads from JSON text what JSON.parse gives, for every fixture', function () {
    for (const fixture of fixtures) {
      const text = Buffer.from(JSON.stringify(fixture.json, null, 1));
      assert.deepEqual(readStoredMetadata(schema, text), storedMetadataOf(fixture.json), fixture.name);
    }
  });
});
