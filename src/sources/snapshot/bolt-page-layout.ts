/**
 * The byte layout of a bbolt page, and the one fact about it that both the reader (bbolt-file.ts)
 * and the sha256 worker (leaf-run-crcs.ts) need: where a leaf's keys and values lie as one run. Kept
 * apart from the reader so that the worker, which starts on the critical path of `snapshot status`,
 * loads this and not the whole reader. The on-disk format is described once, at the top of
 * bbolt-file.ts.
 */

export const PAGE_FLAG_BRANCH = 0x01;
export const PAGE_FLAG_LEAF = 0x02;
export const PAGE_FLAG_META = 0x04;
export const PAGE_FLAG_FREELIST = 0x10;

export const PAGE_HEADER_SIZE = 16;
/** Branch and leaf elements happen to be the same size. */
export const ELEMENT_SIZE = 16;
export const BUCKET_LEAF_FLAG = 0x01;

/** Where a leaf's run of keys and values lies, relative to the DataView's start. */
export interface ByteSpan {
  start: number;
  end: number;
}

/**
 * Whether the `count` elements of the leaf page at `page` in `view` lie as bbolt writes them, key
 * then value, element after element, as one run of bytes that ends by `pageEnd`; when they do, the
 * run is put in `into`. False when an element is a nested bucket (etcdctl hashes no value for one),
 * the elements lie otherwise, or anything runs past `pageEnd`. Safe on unchecked bytes.
 */
export function leafKeyValueRun(view: DataView, page: number, pageEnd: number, count: number, into: ByteSpan): boolean {
  if (page + PAGE_HEADER_SIZE + count * ELEMENT_SIZE > pageEnd) return false;
  let start = 0;
  let end = 0;
  for (let index = 0; index < count; index++) {
    const element = page + PAGE_HEADER_SIZE + index * ELEMENT_SIZE;
    if ((view.getUint32(element, true) & BUCKET_LEAF_FLAG) !== 0) return false;
    const at = element + view.getUint32(element + 4, true);
    if (index === 0) start = at;
    else if (at !== end) return false;
    end = at + view.getUint32(element + 8, true) + view.getUint32(element + 12, true);
  }
  if (end > pageEnd) return false;
  into.start = start;
  into.end = end;
  return true;
}
