/**
 * A bbolt leaf's keys and values as one run of bytes (bolt-page-layout.ts), which the sha256 worker
 * takes the CRC of and the walk only measures: the run must be exactly what etcdctl hashes, and
 * anything else (a nested bucket, elements out of order, bytes past the page) must say "no run".
 */
import assert from 'node:assert/strict';
import { type ByteSpan, leafKeyValueRun } from '../src/sources/snapshot/bolt-page-layout.js';
import { BoltPage } from '../src/sources/snapshot/bbolt-file.js';

const PAGE_SIZE = 4096;
const HEADER = 16;
const ELEMENT = 16;

interface Element {
  key: string;
  value: string;
  bucket?: boolean;
}

/** A leaf page laid out as bbolt writes one: header, element table, then key and value of each element in turn. */
function leafPage(id: number, elements: Element[], options: { gapAfter?: number } = {}): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  const view = new DataView(page.buffer);
  view.setUint32(0, id, true);
  view.setUint16(8, 0x02, true);
  view.setUint16(10, elements.length, true);
  let at = HEADER + elements.length * ELEMENT;
  elements.forEach((element, index) => {
    const entry = HEADER + index * ELEMENT;
    const key = Buffer.from(element.key);
    const value = Buffer.from(element.value);
    view.setUint32(entry, element.bucket === true ? 1 : 0, true);
    view.setUint32(entry + 4, at - entry, true);
    view.setUint32(entry + 8, key.length, true);
    view.setUint32(entry + 12, value.length, true);
    page.set(key, at);
    page.set(value, at + key.length);
    at += key.length + value.length + (options.gapAfter === index ? 3 : 0);
  });
  return page;
}

function runText(page: Uint8Array, pageEnd = page.length): string | undefined {
  const span: ByteSpan = { start: 0, end: 0 };
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  if (!leafKeyValueRun(view, 0, pageEnd, view.getUint16(10, true), span)) return undefined;
  return Buffer.from(page.subarray(span.start, span.end)).toString();
}

describe('a bbolt leaf as one run of keys and values', () => {
  it('is every key then its value, element after element, as etcdctl hashes them', () => {
    const page = leafPage(5, [
      { key: 'a', value: 'one' },
      { key: 'bb', value: '' },
      { key: 'c', value: 'three' },
    ]);
    assert.equal(runText(page), 'aonebbcthree');
    // The page object agrees, and measures the same run without a view of it.
    const bolt = new BoltPage(5, page, 5, false);
    assert.equal(Buffer.from(bolt.keyValueRun() ?? []).toString(), 'aonebbcthree');
    assert.equal(bolt.keyValueRunLength(), 'aonebbcthree'.length);
  });

  it('is found where the page lies inside a larger window', () => {
    const window = new Uint8Array(3 * PAGE_SIZE);
    window.set(leafPage(9, [{ key: 'k', value: 'v' }]), PAGE_SIZE);
    const span: ByteSpan = { start: 0, end: 0 };
    assert.ok(leafKeyValueRun(new DataView(window.buffer), PAGE_SIZE, 2 * PAGE_SIZE, 1, span));
    assert.equal(Buffer.from(window.subarray(span.start, span.end)).toString(), 'kv');
    assert.ok(span.start > PAGE_SIZE && span.end < 2 * PAGE_SIZE);
  });

  it('is none for a nested bucket (etcdctl hashes no value for it), a gap between elements, or bytes past the page', () => {
    assert.equal(
      runText(
        leafPage(5, [
          { key: 'a', value: 'one' },
          { key: 'b', value: 'bucket header', bucket: true },
        ]),
      ),
      undefined,
    );
    const gapped = leafPage(
      5,
      [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ],
      { gapAfter: 0 },
    );
    assert.equal(runText(gapped), undefined);
    assert.equal(new BoltPage(5, gapped, 5, false).keyValueRunLength(), -1);
    const page = leafPage(5, [{ key: 'a', value: 'one' }]);
    const runEnd = HEADER + ELEMENT + 4;
    assert.equal(runText(page, runEnd), 'aone');
    assert.equal(runText(page, runEnd - 1), undefined, 'a value running past the page end');
    assert.equal(runText(page, HEADER + ELEMENT - 1), undefined, 'an element table running past the page end');
  });
});
