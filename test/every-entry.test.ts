/**
 * everyEntry lists a registry one top-level directory at a time, with the next directory found and
 * its first page asked for while the current one is read: the same entries in the same order, a
 * denied directory skipped and named, and nothing left open when the reader stops early. The
 * directories are found by looks at the first key of stretches of the keyspace (topLevelPrefixes),
 * each bounded by a directory kreg knows, since etcd 3.4 counts every key to a look's range end.
 */
import assert from 'node:assert/strict';
import { builtinRegistry } from '../src/keys/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { Entry, RangeOptions } from '../src/sources/source.js';
import { KregError } from '../src/errors.js';
import { compareUtf8 } from '../src/codec/utf8.js';
import { everyEntry, everyEntryBatches, prefixEnd, topLevelPrefixes } from '../src/stored-objects.js';

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
  it('gives the same entries in batches (everyEntryBatches), one entry each from a source without batches of its own', async function () {
    const { source } = loggedSource(20, true);
    const revision = await source.currentRevision();
    const keys: string[] = [];
    for await (const entry of everyEntry(source, '/registry', revision, builtinRegistry(), [])) keys.push(entry.key);
    const batched: string[] = [];
    for await (const batch of everyEntryBatches(source, '/registry', revision, builtinRegistry(), [])) {
      assert.equal(batch.length, 1);
      for (const entry of batch) batched.push(entry.key);
    }
    assert.equal(keys.length, 61);
    assert.deepEqual(batched, keys);
  });

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

  it("goes on with the registry's prefixes past the directories found when the user may not look further", async function () {
    const { source } = loggedSource(3, true);
    const range = source.range.bind(source);
    source.range = async function* (options: RangeOptions): AsyncGenerator<Entry> {
      // A user who may read every directory but look for them only up to the end of configmaps.
      if (options.keysOnly === true && (options.from ?? options.prefix) >= '/registry/configmaps0') throw new KregError('etcd-permission-denied', 'etcd: permission denied', { key: options.prefix });
      yield* range(options);
    };
    const denied: string[] = [];
    const keys: string[] = [];
    for await (const entry of everyEntry(source, '/registry', await source.currentRevision(), builtinRegistry(), denied)) keys.push(entry.key);
    assert.deepEqual(denied, []);
    // The key right under the prefix is no resource's: only a look finds it.
    assert.deepEqual(
      keys.map((key) => key.split('/')[2]),
      ['configmaps', 'configmaps', 'configmaps', 'pods', 'pods', 'pods', 'secrets', 'secrets', 'secrets'],
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

describe('topLevelPrefixes', function () {
  const known = ['/registry/apiextensions.k8s.io/', '/registry/configmaps/', '/registry/pods/'];
  // Keys before, between, inside and after the known directories, named close to them.
  const keys = [
    '/registry/aaa/x',
    '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
    '/registry/configmaps-old/ns/a',
    '/registry/configmaps/ns/a',
    '/registry/configmaps/ns/b',
    '/registry/configmaps0/x',
    '/registry/health',
    '/registry/pod/z',
    '/registry/pods',
    '/registry/pods/ns/p',
    '/registry/pods/ns/q',
    '/registry/podsx/y',
    '/registry/zzz/last',
    '/registry/\u00e9t\u00e9/x',
    '/registryx/not-under-the-prefix',
  ];

  /** What a full read gives: each key's directory (or the key itself, directly under the prefix), in key order. */
  function fromEveryKey(): string[] {
    const dirs: string[] = [];
    for (const key of keys.filter((k) => k.startsWith('/registry/')).sort(compareUtf8)) {
      const slash = key.indexOf('/', '/registry/'.length);
      const dir = slash < 0 ? key : key.slice(0, slash + 1);
      if (dirs[dirs.length - 1] !== dir) dirs.push(dir);
    }
    return dirs;
  }

  function lookedAt(): { source: MemorySource; looks: { from: string; before: string | undefined }[] } {
    const source = new MemorySource({ splitsListingsByPrefix: true });
    for (const key of keys) source.put(key, 'v');
    const looks: { from: string; before: string | undefined }[] = [];
    const range = source.range.bind(source);
    source.range = async function* (options: RangeOptions): AsyncGenerator<Entry> {
      looks.push({ from: options.from ?? options.prefix, before: options.before });
      yield* range(options);
    };
    return { source, looks };
  }

  it('finds every directory and every key directly under the prefix, in key order, known to kreg or not', async function () {
    // The last holds a stretch with no key at all (quotas to secrets).
    for (const knownHere of [known, [], ['/registry/pods/'], [...known, '/registry/quotas/', '/registry/secrets/', '/registry/zzz/']]) {
      const { source } = lookedAt();
      const dirs: string[] = [];
      for await (const dir of topLevelPrefixes(source, '/registry', await source.currentRevision(), knownHere)) dirs.push(dir);
      assert.deepEqual(dirs, fromEveryKey(), `known: ${knownHere.join(' ')}`);
    }
  });

  it('bounds each look by the end of the next directory it knows, and asks for every stretch at once', async function () {
    const { source, looks } = lookedAt();
    const found = topLevelPrefixes(source, '/registry', await source.currentRevision(), known)[Symbol.asyncIterator]();
    await found.next();
    // One stretch per known directory and the rest after them, all asked for before the first answer is used.
    assert.deepEqual(
      looks.map((look) => look.before),
      [...known.map(prefixEnd), undefined],
    );
    while ((await found.next()).done !== true);
    // No look's range holds keys of two known directories: etcd counts one directory per look.
    for (const { from, before } of looks) {
      const inRange = keys.filter((key) => key.startsWith('/registry/') && compareUtf8(key, from) >= 0 && (before === undefined || compareUtf8(key, before) < 0));
      const dirs = new Set(inRange.flatMap((key) => known.filter((dir) => key.startsWith(dir))));
      assert.ok(dirs.size <= 1, `${from} .. ${before ?? 'end'} holds ${[...dirs].join(', ')}`);
    }
  });
});
