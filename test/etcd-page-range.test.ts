/**
 * Where a listing's next page is asked for (etcd-page-range.ts): a page wholly inside one
 * namespace bounds the next ones to that namespace's end, and the listing goes on past it; the
 * ranges always follow each other without a gap. (That the keys read stay the same against a real
 * etcd is tested in etcd-source.test.ts.)
 */
import assert from 'node:assert/strict';
import { nextPageRange, segmentEnd } from '../src/sources/etcd-page-range.js';
import { prefixRangeEnd } from '../src/sources/etcd-source.js';

const prefix = Buffer.from('/registry/pods/');
const listingEnd = prefixRangeEnd(prefix);
const key = (text: string): Buffer => Buffer.from(text);
const text = (range: { start: Buffer; end: Buffer } | undefined): [string, string] | undefined => (range === undefined ? undefined : [range.start.toString('latin1'), range.end.toString('latin1')]);

describe('nextPageRange', () => {
  it('ends a namespace that holds a whole page at the namespace, then goes on to the listing end', () => {
    const first = nextPageRange(prefix, listingEnd, listingEnd, { firstKey: key('/registry/pods/shop/a'), lastKey: key('/registry/pods/shop/m'), more: true });
    assert.deepEqual(text(first), ['/registry/pods/shop/m\0', '/registry/pods/shop0']);
    assert.ok(first !== undefined);
    // Within the namespace, the bound stays.
    const second = nextPageRange(prefix, listingEnd, first.end, { firstKey: key('/registry/pods/shop/n'), lastKey: key('/registry/pods/shop/t'), more: true });
    assert.deepEqual(text(second), ['/registry/pods/shop/t\0', '/registry/pods/shop0']);
    assert.ok(second !== undefined);
    // Its last page: on from where the namespace's range ended, to the listing's end.
    const third = nextPageRange(prefix, listingEnd, second.end, { firstKey: key('/registry/pods/shop/u'), lastKey: key('/registry/pods/shop/z'), more: false });
    assert.deepEqual(text(third), ['/registry/pods/shop0', '/registry/pods0']);
  });

  it('keeps a listing end that falls inside the namespace (RangeOptions.before)', () => {
    const before = key('/registry/pods/shop/p');
    // The namespace's end lies past the listing's: the next page stops where the listing does.
    assert.deepEqual(text(nextPageRange(prefix, before, before, { firstKey: key('/registry/pods/shop/a'), lastKey: key('/registry/pods/shop/m'), more: true })), [
      '/registry/pods/shop/m\0',
      '/registry/pods/shop/p',
    ]);
    assert.equal(nextPageRange(prefix, before, before, { firstKey: key('/registry/pods/shop/n'), lastKey: key('/registry/pods/shop/o'), more: false }), undefined);
    // A listing end past the namespace still lets the namespace bound the pages.
    const later = key('/registry/pods/web/');
    assert.deepEqual(text(nextPageRange(prefix, later, later, { firstKey: key('/registry/pods/shop/a'), lastKey: key('/registry/pods/shop/m'), more: true })), [
      '/registry/pods/shop/m\0',
      '/registry/pods/shop0',
    ]);
  });

  it('leaves the listing end as it is for a page of several namespaces, or of keys with no namespace', () => {
    assert.deepEqual(text(nextPageRange(prefix, listingEnd, listingEnd, { firstKey: key('/registry/pods/a/x'), lastKey: key('/registry/pods/b/y'), more: true })), [
      '/registry/pods/b/y\0',
      '/registry/pods0',
    ]);
    const nodes = Buffer.from('/registry/minions/');
    const nodesEnd = prefixRangeEnd(nodes);
    assert.deepEqual(text(nextPageRange(nodes, nodesEnd, nodesEnd, { firstKey: key('/registry/minions/node-1'), lastKey: key('/registry/minions/node-9'), more: true })), [
      '/registry/minions/node-9\0',
      '/registry/minions0',
    ]);
    // A prefix without its slash: the first segment is empty, and bounds nothing.
    const bare = Buffer.from('/registry/pods');
    const bareEnd = prefixRangeEnd(bare);
    assert.deepEqual(text(nextPageRange(bare, bareEnd, bareEnd, { firstKey: key('/registry/pods/a/x'), lastKey: key('/registry/pods/a/y'), more: true })), ['/registry/pods/a/y\0', '/registry/podt']);
  });

  it('ends the listing only when its own range holds no more', () => {
    assert.equal(nextPageRange(prefix, listingEnd, listingEnd, { firstKey: key('/registry/pods/a/x'), lastKey: key('/registry/pods/a/y'), more: false }), undefined);
    assert.equal(nextPageRange(prefix, listingEnd, listingEnd, { firstKey: undefined, lastKey: undefined, more: false }), undefined);
    const bound = key('/registry/pods/a0');
    assert.deepEqual(text(nextPageRange(prefix, listingEnd, bound, { firstKey: undefined, lastKey: undefined, more: false })), ['/registry/pods/a0', '/registry/pods0']);
  });

  it('gives a namespace end that takes in exactly the keys under the namespace', () => {
    const end = segmentEnd(prefix, key('/registry/pods/ns/name'));
    assert.equal(end?.toString(), '/registry/pods/ns0');
    assert.ok(end !== undefined);
    const start = Buffer.from('/registry/pods/ns/');
    const keys = [
      '/registry/pods/ns/',
      '/registry/pods/ns/name',
      '/registry/pods/ns/\u00ff\u00ff',
      '/registry/pods/ns',
      '/registry/pods/ns.b/x',
      '/registry/pods/ns-2/x',
      '/registry/pods/ns0',
      '/registry/pods/ns0/x',
      '/registry/pods/nsa/x',
      '/registry/pods/ns~',
      '/registry/pods/n/x',
    ];
    for (const k of keys) {
      const bytes = Buffer.from(k);
      const inRange: boolean = Buffer.compare(bytes, start) >= 0 && Buffer.compare(bytes, end) < 0;
      assert.equal(inRange, bytes.subarray(0, start.length).equals(start), k);
    }
    assert.equal(segmentEnd(prefix, key('/registry/pods/name-only')), undefined);
    assert.equal(segmentEnd(prefix, key('/registry/pods//x')), undefined);
  });
});
