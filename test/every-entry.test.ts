/**
 * everyEntry lists a registry one top-level directory at a time, with the next directory found and
 * its first page asked for while the current one is read: the same entries in the same order, a
 * denied directory skipped and named, and nothing left open when the reader stops early.
 */
import assert from 'node:assert/strict';
import { builtinRegistry } from '../src/keys/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { Entry, RangeOptions } from '../src/sources/source.js';
import { KregError } from '../src/errors.js';
import { everyEntry } from '../src/stored-objects.js';

/** A source that splits listings by directory (as etcd does) and logs what is read, in order. */
function loggedSource(keysPerDirectory: number, withKey = false): { source: MemorySource; log: string[]; open: Set<string> } {
  const source = new MemorySource({ splitsListingsByPrefix: true });
  for (const dir of ['configmaps', 'pods', 'secrets']) for (let i = 0; i < keysPerDirectory; i++) source.put(`/registry/${dir}/ns/k${String(i).padStart(4, '0')}`, `${dir}-${i}`);
  // A key directly under the prefix is read on its own (a get), between the directories.
  if (withKey) source.put('/registry/health', 'ok');
  const log: string[] = [];
  const open = new Set<string>();
  const range = source.range.bind(source);
  source.range = async function* (options: RangeOptions): AsyncGenerator<Entry> {
    // Probes for the next directory are keys-only ranges over the whole registry.
    if (options.keysOnly === true) {
      yield* range(options);
      return;
    }
    log.push(`open ${options.prefix}`);
    open.add(options.prefix);
    try {
      for await (const entry of range(options)) yield entry;
    } finally {
      open.delete(options.prefix);
    }
  };
  return { source, log, open };
}

describe('everyEntry', function () {
  it('gives every entry in key order, with the next directory opened before this one is done', async function () {
    const { source, log } = loggedSource(50);
    const revision = await source.currentRevision();
    const keys: string[] = [];
    for await (const entry of everyEntry(source, '/registry', revision, builtinRegistry(), [])) {
      log.push(`entry ${entry.key}`);
      keys.push(entry.key);
      // A reader that works on each entry (as a printer does) gives the read ahead its turns.
      await new Promise(setImmediate);
    }
    const all: string[] = [];
    for await (const entry of source.range({ prefix: '/registry/', revision })) all.push(entry.key);
    assert.deepEqual(keys, all);
    assert.equal(keys.length, 150);
    // The pods directory was opened while configmaps were still being handed out.
    const podsOpened = log.indexOf('open /registry/pods/');
    const lastConfigMap = log.lastIndexOf('entry /registry/configmaps/ns/k0049');
    assert.ok(podsOpened >= 0 && podsOpened < lastConfigMap, `pods opened at ${podsOpened}, last configmap at ${lastConfigMap}`);
  });

  it('skips and names a denied directory, and goes on with the next', async function () {
    const { source } = loggedSource(3, true);
    const range = source.range.bind(source);
    source.range = async function* (options: RangeOptions): AsyncGenerator<Entry> {
      if (options.prefix === '/registry/pods/') throw new KregError('etcd-permission-denied', 'etcd: permission denied', { key: options.prefix });
      yield* range(options);
    };
    const denied: string[] = [];
    const keys: string[] = [];
    for await (const entry of everyEntry(source, '/registry', await source.currentRevision(), builtinRegistry(), denied)) keys.push(entry.key);
    assert.deepEqual(denied, ['/registry/pods/']);
    assert.deepEqual(
      keys.map((key) => key.split('/')[2]),
      ['configmaps', 'configmaps', 'configmaps', 'health', 'secrets', 'secrets', 'secrets'],
    );
  });

  it('fails with the first error that is not a denial, after the entries before it', async function () {
    const { source } = loggedSource(3, true);
    const range = source.range.bind(source);
    source.range = async function* (options: RangeOptions): AsyncGenerator<Entry> {
      if (options.prefix === '/registry/pods/') throw new KregError('etcd-unavailable', 'etcd went away (test)', { key: options.prefix });
      yield* range(options);
    };
    const keys: string[] = [];
    await assert.rejects(async () => {
      for await (const entry of everyEntry(source, '/registry', await source.currentRevision(), builtinRegistry(), [])) keys.push(entry.key);
    }, /etcd went away/);
    assert.deepEqual(keys, ['/registry/configmaps/ns/k0000', '/registry/configmaps/ns/k0001', '/registry/configmaps/ns/k0002', '/registry/health']);
  });

  it('closes the directory being read and the one opened ahead when the reader stops', async function () {
    const { source, open } = loggedSource(20);
    let taken = 0;
    for await (const _ of everyEntry(source, '/registry', await source.currentRevision(), builtinRegistry(), [])) {
      await new Promise(setImmediate);
      if (++taken === 5) {
        assert.ok(open.size >= 2, `${[...open].join(', ')} open while reading`);
        break;
      }
    }
    assert.deepEqual([...open], []);
  });
});
