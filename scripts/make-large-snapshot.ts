/**
 * Makes a large etcd snapshot (1 GiB by default) through a real etcd, for the snapshot benchmark:
 * many keys under a few /registry/ prefixes, values of 1-10 KiB, a quarter of the keys updated 1-3
 * times (several revisions each), some deleted (tombstones), one compaction in the middle.
 *
 *   node dist/scripts/make-large-snapshot.js [--cache-dir DIR] [--size-mb 1024] [--force]
 *
 * Idempotent: the snapshot and a manifest are kept in the cache dir (default $KREG_BENCH_CACHE or
 * $TMPDIR/kreg-bench) and reused when present. Writes go through the etcd3 client (one revision
 * per put, 64 in flight); the snapshot itself is `etcdctl snapshot save`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { encode, type JsonObject } from '../src/index.js';
import { mulberry32 } from './make-registry.js';
import { ETCD_BINARY, ETCDCTL_BINARY, startEtcd, type EtcdServer } from '../test/support/etcd.js';

/** etcd's own recommended maximum; the default 2 GiB quota would stop the writes near the target. */
const QUOTA_BACKEND_BYTES = 8 * 1024 * 1024 * 1024;
const WRITES_IN_FLIGHT = 64;
const PREFIXES = [
  { prefix: '/registry/pods/', share: 0.45, name: 'pod' },
  { prefix: '/registry/configmaps/', share: 0.25, name: 'cm' },
  { prefix: '/registry/secrets/', share: 0.15, name: 'secret' },
  { prefix: '/registry/events/', share: 0.15, name: 'event' },
] as const;
const NAMESPACES = 20;
/** Keys per round; rounds repeat until the db holds the target size. */
const KEYS_PER_ROUND = 20_000;

export interface LargeSnapshotManifest {
  file: string;
  bytes: number;
  /** Distinct keys written, keys still live, and writes (= revisions) in total. */
  keysWritten: number;
  keysLive: number;
  writes: number;
  revision: number;
  compactedRevision: number;
  /** How long making it took, in seconds. */
  seconds: number;
  etcdVersion: string;
}

export interface LargeSnapshotOptions {
  cacheDir?: string;
  /** Minimum snapshot size in MiB. */
  sizeMb?: number;
  /** Make it again even when the cache has one. */
  force?: boolean;
  log?: (line: string) => void;
}

export function defaultCacheDir(): string {
  return process.env['KREG_BENCH_CACHE'] ?? join(tmpdir(), 'kreg-bench');
}

/** The snapshot path and its manifest: reused from the cache when there, made otherwise. */
export async function makeLargeSnapshot(options: LargeSnapshotOptions = {}): Promise<{ manifest: LargeSnapshotManifest; reused: boolean }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const sizeMb = options.sizeMb ?? 1024;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  // v2: values are real Kubernetes objects (v1 held filler bytes); v3: custom resources as kube-apiserver
  // writes them (keys sorted). The version keeps old caches from being reused.
  const file = join(cacheDir, `large-snapshot-${sizeMb}mb-v3.db`);
  const manifestFile = `${file}.json`;
  if (options.force !== true && existsSync(file) && existsSync(manifestFile)) {
    // The cache dir may have moved since: the file is where it was found now.
    const manifest = { ...(JSON.parse(await readFile(manifestFile, 'utf8')) as LargeSnapshotManifest), file };
    if ((await stat(file)).size === manifest.bytes) {
      log(`reusing ${file} (${formatMb(manifest.bytes)}, made in ${manifest.seconds.toFixed(1)} s)`);
      return { manifest, reused: true };
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const started = Date.now();
  // The etcd data dir sits in the cache dir (the db grows to the target size); the harness removes
  // it on stop, on exit and on Ctrl-C, so no etcd or half-made data dir is left behind.
  const etcd = await startEtcd({ quotaBackendBytes: QUOTA_BACKEND_BYTES, parentDir: cacheDir });
  try {
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const stats = await writeUntil(client, etcd, sizeMb * 1024 * 1024, log);
      log('saving the snapshot');
      const partial = `${file}.part`;
      await run(ETCDCTL_BINARY, [`--endpoints=${etcd.endpoint}`, 'snapshot', 'save', partial]);
      await rename(partial, file);
      const bytes = (await stat(file)).size;
      const manifest: LargeSnapshotManifest = {
        file,
        bytes,
        ...stats,
        seconds: (Date.now() - started) / 1000,
        etcdVersion: (await run(ETCD_BINARY, ['--version'])).split('\n')[0] ?? '',
      };
      await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
      log(`made ${file}: ${formatMb(bytes)}, ${manifest.keysWritten} keys (${manifest.keysLive} live), ${manifest.writes} revisions, in ${manifest.seconds.toFixed(1)} s`);
      return { manifest, reused: false };
    } finally {
      client.close();
    }
  } finally {
    await etcd.stop();
  }
}

/** Writes rounds of keys (creates, updates, deletes) until the db uses at least `targetBytes`. */
async function writeUntil(client: Etcd3, etcd: EtcdServer, targetBytes: number, log: (line: string) => void): Promise<Omit<LargeSnapshotManifest, 'file' | 'bytes' | 'seconds' | 'etcdVersion'>> {
  const random = mulberry32(0x6b726567); // fixed seed: the same data every time
  let keysWritten = 0;
  let keysDeleted = 0;
  let writes = 0;
  let compactedRevision = 0;
  let lastReport = Date.now();
  const report = (phase: string): void => {
    if (Date.now() - lastReport < 10_000) return;
    lastReport = Date.now();
    log(`  ${phase}: ${keysWritten} keys, ${writes} writes`);
  };
  // Sizes come from the key, not the PRNG: writes finish in any order, the data must not depend on it.
  const valueFor = (key: string, generation: number): Buffer => {
    const hash = fnv1a32(`${key}#${generation}`);
    const size = 1024 + (hash % (9 * 1024));
    return Buffer.from(encode(benchObject(key, generation, size)));
  };
  for (let round = 0; ; round++) {
    const status = await endpointStatus(etcd.endpoint);
    if (status.dbSizeInUse >= targetBytes) return { keysWritten, keysLive: keysWritten - keysDeleted, writes, revision: status.revision, compactedRevision };
    log(`round ${round}: db uses ${formatMb(status.dbSizeInUse)} of ${formatMb(targetBytes)}`);
    const keys: string[] = [];
    for (let i = 0; i < KEYS_PER_ROUND; i++) {
      let pick = random();
      const kind = PREFIXES.find((candidate) => (pick -= candidate.share) < 0) ?? PREFIXES[0];
      const serial = keysWritten + i;
      keys.push(`${kind.prefix}ns-${String(serial % NAMESPACES).padStart(2, '0')}/${kind.name}-${serial}`);
    }
    await inParallel(keys, async (key) => {
      await client.put(key).value(valueFor(key, 0));
      writes++;
      report('creating');
    });
    keysWritten += keys.length;
    if (round === 0) {
      // Compact once, after the first creates: the file has a compacted revision, and the
      // updates and deletes after it keep their history.
      compactedRevision = (await endpointStatus(etcd.endpoint)).revision;
      await run(ETCDCTL_BINARY, [`--endpoints=${etcd.endpoint}`, 'compact', String(compactedRevision), '--physical']);
    }
    // A quarter of the keys get 1-3 more revisions.
    const updates = keys.filter((_, i) => i % 4 === 0).flatMap((key, i) => Array.from({ length: 1 + (i % 3) }, (_, generation) => ({ key, generation: generation + 1 })));
    await inParallel(updates, async ({ key, generation }) => {
      await client.put(key).value(valueFor(key, generation));
      writes++;
      report('updating');
    });
    const deletes = keys.filter((_, i) => i % 40 === 39);
    await inParallel(deletes, async (key) => {
      await client.delete().key(key);
      writes++;
    });
    keysDeleted += deletes.length;
  }
}

async function endpointStatus(endpoint: string): Promise<{ dbSizeInUse: number; revision: number }> {
  const parsed = JSON.parse(await run(ETCDCTL_BINARY, [`--endpoints=${endpoint}`, 'endpoint', 'status', '-w', 'json'])) as {
    Status: { dbSizeInUse?: number; dbSize: number; header: { revision: number } };
  }[];
  const status = parsed[0]?.Status;
  if (status === undefined) throw new Error(`etcdctl endpoint status: no status for ${endpoint}`);
  return { dbSizeInUse: status.dbSizeInUse ?? status.dbSize, revision: status.header.revision };
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, items.length) }, worker));
}

function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${binary} ${args.join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}

/**
 * A real Kubernetes object for the key, about `size` bytes, so that benchmarks decode what they
 * would in a cluster: padding sits where real bulk sits (annotations, config data).
 */
function benchObject(key: string, generation: number, size: number): JsonObject {
  const [, , resource = '', namespace = '', name = ''] = key.split('/');
  const padding = `${key}#${generation}:`.padEnd(size, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const metadata: JsonObject = {
    name,
    namespace,
    uid: `00000000-0000-4000-8000-${fnv1a32(key).toString(16).padStart(12, '0')}`,
    generation: generation + 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { app: name.replace(/-\d+$/, ''), bench: 'large-snapshot' },
  };
  switch (resource) {
    case 'pods':
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...metadata, annotations: { 'bench.kreg/padding': padding } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }], nodeName: 'node-1' },
        status: { phase: 'Running', podIP: '10.0.0.1' },
      };
    case 'configmaps':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'config.txt': padding } };
    case 'secrets':
      return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: { blob: Buffer.from(padding).toString('base64') } };
    default:
      return {
        apiVersion: 'v1',
        kind: 'Event',
        metadata,
        involvedObject: { kind: 'Pod', namespace, name },
        reason: 'Bench',
        message: padding,
        type: 'Normal',
        count: generation + 1,
      };
  }
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function parseArguments(argv: string[]): LargeSnapshotOptions {
  const options: LargeSnapshotOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === '--cache-dir') options.cacheDir = value();
    else if (argument === '--size-mb') options.sizeMb = Number(value());
    else if (argument === '--force') options.force = true;
    else throw new Error(`unknown argument ${argument}; usage: make-large-snapshot [--cache-dir DIR] [--size-mb N] [--force]`);
  }
  if (options.sizeMb !== undefined && !(options.sizeMb > 0)) throw new Error('--size-mb must be a positive number');
  return options;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  Promise.resolve()
    .then(() => makeLargeSnapshot(parseArguments(process.argv.slice(2))))
    .then(
      ({ manifest }) => {
        console.log(`${manifest.file} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      },
    );
}
