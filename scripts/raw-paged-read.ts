/**
 * The reference for `kreg ls` and `kreg du` (issue 13: "at 90% or more of a raw paged read of the
 * same keys with sizes"): reads every key under the prefix with its value, over the same etcd
 * client kreg uses (etcd-client.ts), paged as EtcdSource pages a listing (one top-level directory after
 * another, found as kreg finds them (stored-objects.ts's topLevelPrefixes, the built-in resources'
 * directories bounding its looks), all at one revision, 100 keys first, then up to 1000, and then up to DEFAULT_CHUNK_SIZE keys
 * per page within DEFAULT_CHUNK_BYTES, a namespace larger than a page bounded to its own end as
 * etcd-page-range.ts bounds it), and only sums key and value sizes: the same reading minus
 * kreg's per-key work and printing.
 *
 *   node dist/scripts/raw-paged-read.js --endpoints http://127.0.0.1:2379 [--prefix /registry/] [--history]
 *
 * With --history, then also every revision etcd still holds under the prefix, read as `kreg du`
 * reads them (EtcdSource.revisions: the listing at the compacted revision and one watch replaying
 * each change since), only counted: the reference for du, which reads them by default.
 *
 * Prints one line: keys, key bytes, value bytes, pages (not counting the looks for directories)
 * and top-level directories (and revisions).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEtcdClient } from '../src/sources/etcd-client.js';
import { nextPageRange, type PageRange } from '../src/sources/etcd-page-range.js';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { createEtcdSource, DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_SIZE, FIRST_PAGE_KEYS, nextPageLimit, prefixRangeEnd } from '../src/sources/etcd-source.js';
import { builtinRegistry } from '../src/keys/index.js';
import { registryDirectories, topLevelPrefixes } from '../src/stored-objects.js';

export interface RawReadTotals {
  keys: number;
  keyBytes: number;
  valueBytes: number;
  pages: number;
  directories: number;
  /** With the history: revisions read and their value bytes. */
  revisions?: number;
  revisionBytes?: number;
}

export async function rawPagedRead(endpoints: string, prefix = '/registry/', options: { history?: boolean } = {}): Promise<RawReadTotals> {
  const settings = resolveEtcdConnection({ endpoints, commandTimeout: '60s' }, {});
  const client = createEtcdClient(settings);
  const totals: RawReadTotals = { keys: 0, keyBytes: 0, valueBytes: 0, pages: 0, directories: 0 };
  // Looks for the directories go through kreg's source, the pages through the bare client.
  const looks = createEtcdSource(settings);
  try {
    const revision = await looks.currentRevision();
    const parent = prefix.replace(/\/$/, '');
    for await (const found of topLevelPrefixes(looks, parent, revision, registryDirectories(builtinRegistry(), parent))) {
      totals.directories++;
      const dir = Buffer.from(found, 'utf8');
      // A directory, or a key right under the prefix (read as the range of that key alone).
      await readRange(client, dir, found.endsWith('/') ? prefixRangeEnd(dir) : Buffer.concat([dir, Buffer.from([0])]), revision, totals);
    }
  } finally {
    client.close();
    await looks.close();
  }
  if (options.history === true) {
    const source = createEtcdSource(settings);
    try {
      totals.revisions = 0;
      totals.revisionBytes = 0;
      for await (const revision of source.revisions({ prefix })) {
        totals.revisions++;
        totals.revisionBytes += revision.valueSize;
      }
    } finally {
      await source.close();
    }
  }
  return totals;
}

async function readRange(client: ReturnType<typeof createEtcdClient>, key: Buffer, rangeEnd: Buffer, revision: number, totals: RawReadTotals): Promise<void> {
  let range: PageRange | undefined = { start: key, end: rangeEnd };
  let limit = FIRST_PAGE_KEYS;
  let seenBytes = 0;
  let seenEntries = 0;
  for (let pagesRead = 1; range !== undefined; pagesRead++) {
    const page = await client.range({ key: range.start, range_end: range.end, limit, revision });
    totals.pages++;
    for (const kv of page.kvs) {
      totals.keys++;
      totals.keyBytes += kv.key.length;
      totals.valueBytes += kv.value.length;
      seenBytes += kv.key.length + kv.value.length;
      seenEntries++;
    }
    // Paged as kreg pages: a segment larger than a page is read up to its end first.
    range = nextPageRange(key, rangeEnd, range.end, { firstKey: page.kvs[0]?.key, lastKey: page.kvs[page.kvs.length - 1]?.key, more: page.more });
    limit = nextPageLimit(DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_BYTES, seenBytes, seenEntries, pagesRead);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at < 0 ? undefined : argv[at + 1];
  };
  const endpoints = flag('--endpoints') ?? process.env['ETCDCTL_ENDPOINTS'] ?? 'http://127.0.0.1:2379';
  rawPagedRead(endpoints, flag('--prefix') ?? '/registry/', { history: argv.includes('--history') }).then(
    (t) =>
      console.log(
        `${t.keys} keys, ${t.keyBytes} key bytes, ${t.valueBytes} value bytes, ${t.pages} pages, ${t.directories} top-level directories${t.revisions === undefined ? '' : `; ${t.revisions} revisions, ${t.revisionBytes} bytes`}`,
      ),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
