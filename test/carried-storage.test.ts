/**
 * The storage record is carried generically: whatever a decoded value's storage holds (bytes,
 * bigints, floats, nested records, keys that look like its tags) comes back unchanged, so fields
 * added to StorageDetails later travel without changes here.
 */
import assert from 'node:assert/strict';
import { carriedStorageOf, parseCarriedStorage, restoreDecodedValue, serializeCarriedStorage } from '../src/codec/carried-storage.js';
import type { DecodedValue } from '../src/codec/decode-value.js';
import { GoFloat } from '../src/codec/json-value.js';
import { decode, encode, EncodeError } from '../src/index.js';

describe('carried storage record', function () {
  it('gives back every kind of value a storage record may hold, including fields it does not name', function () {
    const decoded = decode(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }));
    // What a later release of kreg might record about the bytes: nothing here names these fields.
    const extra = {
      presence: [{ path: 'metadata', absent: [15, 17], order: [1, 2, 3] }],
      raw: new Uint8Array([0, 1, 254, 255]),
      big: 2n ** 62n,
      float: new GoFloat(1),
      $bytes: 'a key that looks like a tag',
      nested: { $$x: 1, '': [true, null, 'x'] },
    };
    Object.assign(decoded.storage, { extra });
    const record = carriedStorageOf(decoded, decoded.object ?? {});
    assert.ok(record !== undefined);
    const back = parseCarriedStorage(serializeCarriedStorage(record));
    assert.deepEqual((back.value.storage as unknown as { extra: unknown }).extra, extra);
    assert.ok(((back.value.storage as unknown as { extra: typeof extra }).extra.float as unknown) instanceof GoFloat);
    assert.deepEqual(back.value.unknownFields, decoded.unknownFields);
  });

  it('is absent when the printed object alone encodes back to the stored bytes', function () {
    const decoded = decode(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }));
    assert.equal(carriedStorageOf(decoded, decoded.object ?? {}), undefined);
    // Hidden managedFields must travel.
    const managed = decode(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', managedFields: [{ manager: 'm', operation: 'Update' }] } }));
    const shown = { ...managed.object, metadata: { name: 'cm', resourceVersion: '5' } };
    const record = carriedStorageOf(managed, shown);
    assert.deepEqual(record?.metadata, { managedFields: [{ manager: 'm', operation: 'Update' }] });
    const restored = restoreDecodedValue(shown, record) as DecodedValue;
    assert.deepEqual(restored.object?.metadata, { name: 'cm', managedFields: [{ manager: 'm', operation: 'Update' }] });
  });

  it('is not applied to an object of another kind', function () {
    const managed = decode(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', managedFields: [{ manager: 'm', operation: 'Update' }] } }));
    const record = carriedStorageOf(managed, { ...managed.object, metadata: { name: 'cm' } });
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm', resourceVersion: '3' } };
    assert.deepEqual(restoreDecodedValue(secret, record), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm' } });
  });

  it('refuses what it cannot carry instead of losing it, and names a damaged record', function () {
    const decoded = decode(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }));
    Object.assign(decoded.storage, { index: new Map([[1, 2]]) });
    const record = carriedStorageOf(decoded, decoded.object ?? {});
    assert.ok(record !== undefined);
    assert.throws(
      () => serializeCarriedStorage(record),
      (err: unknown) => err instanceof EncodeError && /Map/.test(err.message),
    );
    assert.throws(() => parseCarriedStorage('bm90IGEgcmVjb3Jk'), /storage record .* is damaged/);
  });
});
