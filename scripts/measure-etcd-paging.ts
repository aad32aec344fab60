/**
 * How fast does a full paged listing run at different page sizes? Fills a throwaway local etcd
 * with N keys (values 1-7 KB under a few resource prefixes), then lists everything under
 * /registry/ with EtcdSource at each page size and prints keys/s and MB/s. Its result chose
 * DEFAULT_CHUNK_SIZE in src/sources/etcd-source.ts.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/measure-etcd-paging.js [--keys 100000] [--sizes 500,1000,2000,5000,10000] [--runs 2]
 *
 * About 2 minutes with the defaults on 2 cores.
 */
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { resolveEtcdConnection, type EtcdConnectionSettings } from '../src/sources/etcd-connection.js';
import { createEtcdSource, DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_SIZE } from '../src/sources/etcd-source.js';
import { startEtcd } from '../test/support/etcd.js';

const RESOURCE_PREFIXES = ['/registry/pods/', '/registry/configmaps/', '/registry/secrets/', '/registry/events/', '/registry/deployments/apps/'];
const NAMESPACES = ['default', 'kube-system', 'team-a', 'team-b', 'monitoring'];
/** etcd's default --max-txn-ops is 128; 100 puts of at most 7 KB also stay under its 1.5 MiB request limit. */
const PUTS_PER_TXN = 100;
const TXNS_IN_FLIGHT = 8;

interface Measurement {
  label: string;
  seconds: number;
  keys: number;
  bytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string', default: '100000' },
      sizes: { type: 'string', default: '500,1000,2000,5000,10000' },
      runs: { type: 'string', default: '2' },
    },
  });
  const keyCount = Number(values.keys);
  const pageSizes = values.sizes.split(',').map(Number);
  const runs = Number(values.runs);

  const server = await startEtcd();
  try {
    const settings = resolveEtcdConnection({ endpoints: server.endpoint, commandTimeout: '60s' }, {});
    // kreg only reads; etcd3 (a development dependency) writes the keys.
    const writer = new Etcd3({ hosts: settings.endpoints });
    try {
      const started = performance.now();
      const filledBytes = await fill(writer, keyCount);
      const seconds = (performance.now() - started) / 1000;
      console.log(`filled ${keyCount} keys, ${(filledBytes / 1e6).toFixed(1)} MB of values, in ${seconds.toFixed(1)} s (etcd ${server.endpoint})`);
    } finally {
      writer.close();
    }

    const results: Measurement[] = [];
    // One warm-up listing so the first measured size does not pay for a cold page cache.
    await listAll(settings, 1000, Infinity, false);
    for (const pageSize of pageSizes) {
      results.push(best(await repeat(runs, () => listAll(settings, pageSize, Infinity, false)), `${pageSize} keys/page`));
    }
    results.push(best(await repeat(runs, () => listAll(settings, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_BYTES, false)), `default (${DEFAULT_CHUNK_SIZE} keys, ${DEFAULT_CHUNK_BYTES >> 20} MiB)`));
    results.push(best(await repeat(runs, () => listAll(settings, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_BYTES, true)), 'default, keys only'));

    console.log(`\nfull listing of /registry/ (best of ${runs}; MB/s counts keys + values)`);
    console.log('page size                      seconds      keys/s      MB/s   peak page MB');
    for (const result of results) {
      const pageKeys = Number(/^(\d+)/.exec(result.label)?.[1] ?? DEFAULT_CHUNK_SIZE);
      const pageMegabytes = (Math.min(pageKeys, result.keys) * result.bytes) / result.keys / 1e6;
      console.log(
        `${result.label.padEnd(30)} ${result.seconds.toFixed(2).padStart(7)} ${Math.round(result.keys / result.seconds)
          .toString()
          .padStart(11)} ${(result.bytes / 1e6 / result.seconds).toFixed(1).padStart(9)} ${pageMegabytes.toFixed(1).padStart(14)}`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** Writes keyCount keys spread over resource prefixes and namespaces; returns the value bytes written. */
async function fill(client: Etcd3, keyCount: number): Promise<number> {
  let random = 0x2545f491; // xorshift: same data every run, and values that do not compress
  const nextRandom = (): number => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return random >>> 0;
  };
  let written = 0;
  let nextIndex = 0;
  const writeBatches = async (): Promise<void> => {
    while (nextIndex < keyCount) {
      const first = nextIndex;
      nextIndex = Math.min(keyCount, nextIndex + PUTS_PER_TXN);
      const success = [];
      for (let index = first; index < nextIndex; index++) {
        const prefix = RESOURCE_PREFIXES[index % RESOURCE_PREFIXES.length] ?? '/registry/pods/';
        const namespace = NAMESPACES[Math.floor(index / RESOURCE_PREFIXES.length) % NAMESPACES.length] ?? 'default';
        const value = Buffer.alloc(1024 + (nextRandom() % (6 * 1024)));
        for (let offset = 0; offset + 4 <= value.length; offset += 4) value.writeUInt32LE(nextRandom(), offset);
        written += value.length;
        success.push({ request_put: { key: Buffer.from(`${prefix}${namespace}/object-${String(index).padStart(7, '0')}`), value } });
      }
      await client.kv.txn({ success });
    }
  };
  await Promise.all(Array.from({ length: TXNS_IN_FLIGHT }, writeBatches));
  return written;
}

async function listAll(settings: EtcdConnectionSettings, chunkSize: number, chunkBytes: number, keysOnly: boolean): Promise<Omit<Measurement, 'label'>> {
  const source = createEtcdSource(settings, { chunkSize, chunkBytes });
  try {
    const started = performance.now();
    let keys = 0;
    let bytes = 0;
    for await (const entry of source.range({ prefix: '/registry/', keysOnly })) {
      keys += 1;
      bytes += entry.key.length + entry.value.length;
    }
    return { seconds: (performance.now() - started) / 1000, keys, bytes };
  } finally {
    await source.close();
  }
}

async function repeat<T>(times: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < times; index++) results.push(await run());
  return results;
}

function best(runs: Omit<Measurement, 'label'>[], label: string): Measurement {
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { label, ...fastest };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
