/**
 * Where a listing's next page is asked for. etcd 3.4 counts every key from a page's start to the
 * end of its range for each page it answers (its index lookup takes no limit), so a directory of N
 * keys read a page at a time costs etcd about N²/page. When a whole page lies within one path
 * segment below the listing's prefix (a namespace holding more than a page of objects), the next
 * pages are asked for up to that segment's end only, and past it the listing goes on to its own
 * end: etcd then counts the rest of the segment, not the rest of the directory. The ranges follow
 * each other without a gap or an overlap, so the keys read are the same.
 */

/** The range of a page: keys from `start` up to, not including, `end`. */
export interface PageRange {
  start: Buffer;
  end: Buffer;
}

const SLASH = 0x2f;

/**
 * The next page's range, or undefined when the listing is done.
 * @param listingEnd where the whole listing ends (its prefix's range end, or RangeOptions.before)
 * @param pageEnd where the page just read was asked to end (listingEnd, or a segment's end)
 * @param page its first and last keys, and whether etcd said its range holds more
 */
export function nextPageRange(
  prefix: Uint8Array,
  listingEnd: Buffer,
  pageEnd: Buffer,
  page: { firstKey: Uint8Array | undefined; lastKey: Uint8Array | undefined; more: boolean },
): PageRange | undefined {
  const bounded = !pageEnd.equals(listingEnd);
  if (!page.more || page.lastKey === undefined) {
    // The segment is read: on with the rest of the listing.
    return bounded ? { start: pageEnd, end: listingEnd } : undefined;
  }
  // Resume right after the last key: the smallest key greater than it is the key plus a zero byte.
  const start = Buffer.concat([page.lastKey, Buffer.from([0])]);
  if (bounded || page.firstKey === undefined) return { start, end: pageEnd };
  const segment = segmentEnd(prefix, page.lastKey);
  // A page of several segments: they are small, and bounding each would cost a request apiece. A
  // listing that ends inside the segment (RangeOptions.before) keeps its own end.
  const inOneSegment = segment !== undefined && segmentEnd(prefix, page.firstKey)?.equals(segment) === true && Buffer.compare(segment, listingEnd) < 0;
  return inOneSegment ? { start, end: segment } : { start, end: pageEnd };
}

/**
 * The end of the range of keys that share `key`'s first path segment below `prefix` and go
 * deeper: PREFIX + SEGMENT + "0" ("0" is the byte after "/"). Undefined for a key with no deeper
 * path (a cluster-scoped object's key) or an empty segment.
 */
export function segmentEnd(prefix: Uint8Array, key: Uint8Array): Buffer | undefined {
  const slash = key.indexOf(SLASH, prefix.length);
  if (slash <= prefix.length) return undefined;
  const end = Buffer.from(key.subarray(0, slash + 1));
  end[slash] = SLASH + 1;
  return end;
}
