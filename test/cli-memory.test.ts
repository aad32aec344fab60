/**
 * Commands over an in-memory source: the command logic (revisions, history, masking, listings,
 * errors) in-process, with no etcd, so it runs in npm run test:unit. The same behaviour against a
 * real etcd and snapshot files is tested in the cli-*.test.ts suites.
 */
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { runKreg } from './support/run-cli.js';

const cm = (name: string, value: string) => encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { k: value } });
const secret = (password: string) => encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { password } });

describe('commands over an in-memory source', function () {
  let source: MemorySource;
  const revisions: Record<string, number> = {};

  before(function () {
    source = new MemorySource({ description: 'memory' });
    revisions['a1'] = source.put('/registry/configmaps/shop/a', cm('a', 'one'));
    revisions['b'] = source.put('/registry/configmaps/shop/b', cm('b', 'two'));
    revisions['s1'] = source.put('/registry/secrets/shop/db', secret('aHVudGVyMg=='));
    revisions['a2'] = source.put('/registry/configmaps/shop/a', cm('a', 'changed'));
    revisions['s2'] = source.put('/registry/secrets/shop/db', secret('c3dvcmRmaXNo'));
    revisions['bDeleted'] = source.delete('/registry/configmaps/shop/b');
  });

  it('lists what exists now, and what existed at a past revision', async function () {
    const now = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'name'], { source });
    assert.equal(now.stdout.toString(), 'configmap/a\n');
    const then = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'name', '--revision', String(revisions['b'])], { source });
    assert.equal(then.stdout.toString(), 'configmap/a\nconfigmap/b\n');
  });

  it('fills resourceVersion from the mod revision and names the List revision', async function () {
    const r = await runKreg(['get', 'cm', '-n', 'shop', '-o', 'yaml'], { source });
    const list = yaml.load(r.stdout.toString()) as { items: { metadata: { resourceVersion: string }; data: { k: string } }[]; metadata: { resourceVersion: string } };
    assert.equal(list.items[0]?.metadata.resourceVersion, String(revisions['a2']));
    assert.equal(list.items[0]?.data.k, 'changed');
    assert.equal(list.metadata.resourceVersion, String(revisions['bDeleted']));
  });

  it('shows every revision of an object, up to --revision when given', async function () {
    const all = await runKreg(['history', 'cm', 'a', '-n', 'shop', '-o', 'json'], { source });
    assert.equal(all.code, 0, all.stderr);
    const shown = JSON.parse(all.stdout.toString()) as { revision: number; event: string }[];
    assert.deepEqual(
      shown.map((s) => [s.revision, s.event]),
      [
        [revisions['a1'], 'created'],
        [revisions['a2'], 'updated'],
      ],
    );
    const upTo = await runKreg(['history', 'cm', 'a', '-n', 'shop', '-o', 'json', '--revision', String(revisions['s1'])], { source });
    assert.deepEqual(
      (JSON.parse(upTo.stdout.toString()) as { revision: number }[]).map((s) => s.revision),
      [revisions['a1']],
    );
  });

  it('shows a deletion in history', async function () {
    const r = await runKreg(['history', 'cm', 'b', '-n', 'shop'], { source });
    assert.match(r.stdout.toString(), new RegExp(`^revision ${revisions['bDeleted']}: deleted`, 'm'));
  });

  it('masks a changed Secret in history as kubectl diff does, and hides both values', async function () {
    const r = await runKreg(['history', 'secret', 'db', '-n', 'shop'], { source });
    const text = r.stdout.toString();
    assert.match(text, /^-  password: '\*\*\* \(before\)'$/m);
    assert.match(text, /^\+  password: '\*\*\* \(after\)'$/m);
    assert.doesNotMatch(text, /aHVudGVyMg|c3dvcmRmaXNo/);
  });

  it('counts keys and bytes per resource', async function () {
    const r = await runKreg(['ls', '-o', 'json'], { source });
    const rows = JSON.parse(r.stdout.toString()) as { resource: string; count: number }[];
    assert.deepEqual(rows.map((row) => [row.resource, row.count]).sort(), [
      ['configmaps', 1],
      ['secrets', 1],
    ]);
  });

  it('refuses a revision that was compacted away, naming it', async function () {
    const compacted = new MemorySource();
    compacted.put('/registry/configmaps/shop/a', cm('a', 'one'));
    const latest = compacted.put('/registry/configmaps/shop/a', cm('a', 'two'));
    compacted.compact(latest);
    const r = await runKreg(['get', 'cm', '-n', 'shop', '--revision', '1'], { source: compacted });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /revision 1 has been compacted/);
  });
});
