/**
 * Decoding for kubectl's default view, which hides metadata.managedFields: their fieldsV1 are not
 * parsed (left null), and everything else decodes exactly as in a full decode.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeValue } from '../src/codec/decode-value.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { loadSchema } from '../src/schema-bundle.js';
import { storableFixtures } from './support/fixtures.js';
import { requireSharedFixtures } from './support/shared-data.js';

/** The object with every managedFields entry's fieldsV1 null, as the hidden view decodes it. */
function withFieldsV1Null(object: JsonObject): JsonObject {
  const metadata = object.metadata;
  if (!isJsonObject(metadata) || !Array.isArray(metadata.managedFields)) return object;
  const managedFields = metadata.managedFields.map((entry: JsonValue) => (isJsonObject(entry) && 'fieldsV1' in entry ? { ...entry, fieldsV1: null } : entry));
  return { ...object, metadata: { ...metadata, managedFields } };
}

describe('decoding with managedFields hidden', function () {
  const schema = loadSchema();

  it('leaves fieldsV1 null and decodes the rest as in full', function () {
    const managedFields = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    const bytes = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', managedFields }, data: { a: 'b' } });
    const full = decodeValue(schema, bytes).object as JsonObject;
    const hidden = decodeValue(schema, bytes, { managedFieldsHidden: true }).object as JsonObject;
    assert.deepEqual((full.metadata as JsonObject).managedFields, managedFields);
    assert.deepEqual(hidden, withFieldsV1Null(full));
  });

  it('for every upstream fixture with managedFields', function () {
    requireSharedFixtures(this);
    let withManagedFields = 0;
    for (const fixture of storableFixtures()) {
      const bytes = new Uint8Array(readFileSync(fixture.file));
      const full = decodeValue(schema, bytes).object as JsonObject;
      if (Array.isArray((full.metadata as JsonObject | undefined)?.managedFields)) withManagedFields++;
      assert.deepEqual(decodeValue(schema, bytes, { managedFieldsHidden: true }).object, withFieldsV1Null(full), fixture.name);
    }
    assert.ok(withManagedFields > 50, `${withManagedFields} fixtures with managedFields`);
  });
});
