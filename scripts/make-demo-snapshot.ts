/**
 * Makes examples/demo-cluster.db, a small etcd snapshot of a demo cluster, through a real etcd:
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/make-demo-snapshot.js [--out FILE]
 *
 * Every manifest in examples/manifests/*.yaml is written at the key kube-apiserver would use:
 * built-in kinds as protobuf (kreg's encode, byte for byte what kube-apiserver stores), the
 * CustomResourceDefinition and its custom resources as JSON with the trailing newline of
 * kube-apiserver's JSON encoder (custom resources with sorted keys, as Go marshals a map), Events
 * under one etcd lease of 3600 s (kube-apiserver's --event-ttl). kube-apiserver's compactor then
 * records a compaction in compact_rev_key and compacts, and some history follows: the Deployment
 * is updated twice, a ConfigMap once, a Pod and a Secret are deleted. Finally `etcdctl snapshot
 * save`. The content is fixed (uids, timestamps, order); only etcd's own ids (cluster, member,
 * lease) differ between runs.
 *
 * writeDemoCluster() is exported so tests can write the same cluster into their own etcd.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import type { JsonObject, JsonValue } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { builtinRegistry, customResourceFromDefinition, extendRegistry, keyForEntry, type ResourceEntry, type ResourceRegistry } from '../src/keys/index.js';

/** The repository root: this file runs from dist/scripts/. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_MANIFESTS_DIR = join(REPO_ROOT, 'examples', 'manifests');
export const DEMO_SNAPSHOT_FILE = join(REPO_ROOT, 'examples', 'demo-cluster.db');
const PREFIX = '/registry';
/** The key kube-apiserver's compactor keeps its compaction round in (outside --etcd-prefix). */
export const COMPACT_REV_KEY = 'compact_rev_key';
const EVENT_TTL_SECONDS = 3600;

/** Runs etcdctl against one etcd and resolves to its stdout (as EtcdServer.etcdctl does). */
export type Etcdctl = (args: string[], input?: Uint8Array) => Promise<Buffer>;

export interface DemoObject {
  file: string;
  key: string;
  object: JsonObject;
  encoding: 'protobuf' | 'json';
}

export interface WrittenRecord {
  /** What happened, e.g. "put", "update: image web:1.4.3", "delete". */
  action: string;
  key: string;
  /** The etcd revision of the write. */
  revision: number;
  encoding?: 'protobuf' | 'json' | 'text';
  bytes?: number;
  lease?: string;
}

export interface DemoWriteResult {
  records: WrittenRecord[];
  /** Revision after every manifest is written, before any history. */
  loadedRevision: number;
  /** Revision compacted at (and written to compact_rev_key), when a compaction was asked for. */
  compactedRevision?: number;
  /** Revision after each history step, in order (HISTORY_STEPS). */
  stepRevisions: number[];
  /** The last revision written. */
  revision: number;
  /** The lease the events are attached to (hex, as etcdctl prints it). */
  eventLease: string;
}

export interface DemoWriteOptions {
  manifestsDir?: string;
  /**
   * Compact as kube-apiserver does (compact_rev_key, then compact): 'load' right after the
   * manifests are written, a number n after the n-th history step (1-based); none when absent.
   */
  compactAfter?: 'load' | number;
  log?: (line: string) => void;
}

/** Go's encoding/json marshals a map with its keys sorted; custom resources are maps. */
function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && value.constructor === Object) {
    const out: JsonObject = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as JsonObject)[k] as JsonValue);
    return out;
  }
  return value;
}

function registryFor(objects: readonly JsonObject[]): ResourceRegistry {
  const custom = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => customResourceFromDefinition(o));
  return extendRegistry(builtinRegistry(), { custom });
}

function entryFor(registry: ResourceRegistry, object: JsonObject): ResourceEntry {
  const apiVersion = String(object.apiVersion);
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  const entry = registry.resources.find((e) => e.group === group && e.kind === object.kind && e.storedAs === undefined && e.origin !== 'retired');
  if (entry === undefined) throw new Error(`no resource stores ${apiVersion} ${String(object.kind)}`);
  return entry;
}

/** Every manifest of the demo, in file order, with its etcd key and how it is stored. */
export function loadDemoObjects(manifestsDir: string = DEMO_MANIFESTS_DIR): DemoObject[] {
  const docs: { file: string; object: JsonObject }[] = [];
  for (const file of readdirSync(manifestsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of yaml.loadAll(readFileSync(join(manifestsDir, file), 'utf8'))) {
      if (doc !== null && doc !== undefined) docs.push({ file, object: doc as JsonObject });
    }
  }
  const registry = registryFor(docs.map((d) => d.object));
  return docs.map(({ file, object }) => {
    const entry = entryFor(registry, object);
    const metadata = object.metadata as JsonObject;
    const name = String(metadata.name);
    const key = keyForEntry(entry, entry.namespaced ? { namespace: String(metadata.namespace), name } : { name }, PREFIX);
    const encoding = entry.origin === 'custom' || entry.kind === 'CustomResourceDefinition' ? 'json' : 'protobuf';
    return { file, key, object, encoding };
  });
}

/** The bytes kube-apiserver would store for the object. */
export function storedBytes(item: Pick<DemoObject, 'object' | 'encoding' | 'key'>): Buffer {
  if (item.encoding === 'protobuf') return Buffer.from(encode(item.object));
  const object = item.key.startsWith(`${PREFIX}/apiextensions.k8s.io/`) ? item.object : sortKeys(item.object);
  return Buffer.from(`${JSON.stringify(object)}\n`);
}

function revisionOf(output: Buffer): number {
  const match = /"revision":(\d+)/.exec(output.toString('utf8'));
  if (match === null) throw new Error(`etcdctl printed no revision: ${output.toString('utf8').slice(0, 200)}`);
  return Number(match[1]);
}

interface HistoryStep {
  what: string;
  key: string;
  /** Changes the object in place; absent for a delete. */
  update?: (object: JsonObject) => void;
}

/** What happens after the manifests are written, in order. */
export const HISTORY_STEPS: readonly HistoryStep[] = [
  {
    what: 'update deployment shop/web: image web:1.4.2 → web:1.4.3',
    key: '/registry/deployments/shop/web',
    update: (deploy) => {
      const metadata = deploy.metadata as JsonObject;
      metadata.generation = 2;
      (metadata.annotations as JsonObject)['kubernetes.io/change-cause'] = 'kubectl set image deployment/web web=registry.example.com/shop/web:1.4.3';
      const spec = deploy.spec as JsonObject;
      const containers = ((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[];
      (containers[0] as JsonObject).image = 'registry.example.com/shop/web:1.4.3';
    },
  },
  {
    what: 'update configmap shop/web-config: LOG_LEVEL info → debug',
    key: '/registry/configmaps/shop/web-config',
    update: (cm) => {
      (cm.data as JsonObject).LOG_LEVEL = 'debug';
    },
  },
  {
    what: 'update deployment shop/web: replicas 3 → 4',
    key: '/registry/deployments/shop/web',
    update: (deploy) => {
      (deploy.metadata as JsonObject).generation = 3;
      (deploy.spec as JsonObject).replicas = 4;
    },
  },
  { what: 'delete pod shop/web-7d9c8b6f5-kt7wd', key: '/registry/pods/shop/web-7d9c8b6f5-kt7wd' },
  { what: 'delete secret shop/web-tls', key: '/registry/secrets/shop/web-tls' },
];

/**
 * kube-apiserver's compactor: a transaction that records the round in compact_rev_key (its value
 * is the revision to compact, as a decimal string), then a compaction at that revision.
 */
export async function compactLikeApiserver(etcdctl: Etcdctl, revision: number): Promise<number> {
  const written = revisionOf(await etcdctl(['put', '-w', 'json', COMPACT_REV_KEY, String(revision)]));
  await etcdctl(['compact', String(revision)]);
  return written;
}

/** Writes the demo cluster and its history into the etcd behind `etcdctl`. */
export async function writeDemoCluster(etcdctl: Etcdctl, options: DemoWriteOptions = {}): Promise<DemoWriteResult> {
  const log = options.log ?? (() => undefined);
  const objects = loadDemoObjects(options.manifestsDir);
  const records: WrittenRecord[] = [];
  const grant = (await etcdctl(['lease', 'grant', String(EVENT_TTL_SECONDS)])).toString('utf8');
  const eventLease = /lease ([0-9a-f]+) granted/.exec(grant)?.[1];
  if (eventLease === undefined) throw new Error(`etcdctl lease grant said: ${grant}`);
  const current = new Map<string, DemoObject>();
  let revision = 0;
  let compactedRevision: number | undefined;
  const put = async (item: DemoObject, action: string): Promise<void> => {
    const bytes = storedBytes(item);
    const leased = item.object.kind === 'Event' && item.object.apiVersion === 'v1';
    const args = leased ? ['put', '-w', 'json', '--lease', eventLease, item.key] : ['put', '-w', 'json', item.key];
    revision = revisionOf(await etcdctl(args, bytes));
    const record: WrittenRecord = { action, key: item.key, revision, encoding: item.encoding, bytes: bytes.length };
    if (leased) record.lease = eventLease;
    records.push(record);
    current.set(item.key, item);
    log(`${String(revision).padStart(4)}  ${action.padEnd(8)} ${item.key}  (${item.encoding}, ${bytes.length} B${leased ? `, lease ${eventLease}` : ''})`);
  };
  const compact = async (): Promise<void> => {
    const at = revision;
    revision = await compactLikeApiserver(etcdctl, at);
    compactedRevision = at;
    records.push({ action: `compact at ${at}`, key: COMPACT_REV_KEY, revision, encoding: 'text', bytes: String(at).length });
    log(`${String(revision).padStart(4)}  put      ${COMPACT_REV_KEY} = "${at}", then etcdctl compact ${at}`);
  };

  for (const item of objects) await put(item, 'put');
  const loadedRevision = revision;
  if (options.compactAfter === 'load') await compact();
  const stepRevisions: number[] = [];
  for (const [index, step] of HISTORY_STEPS.entries()) {
    const before = current.get(step.key);
    if (before === undefined) throw new Error(`history step "${step.what}": ${step.key} was never written`);
    if (step.update !== undefined) {
      const object = structuredClone(before.object);
      step.update(object);
      await put({ ...before, object }, 'update');
    } else {
      revision = revisionOf(await etcdctl(['del', '-w', 'json', step.key]));
      current.delete(step.key);
      records.push({ action: 'delete', key: step.key, revision });
      log(`${String(revision).padStart(4)}  delete   ${step.key}`);
    }
    stepRevisions.push(revision);
    if (options.compactAfter === index + 1) await compact();
  }
  const result: DemoWriteResult = { records, loadedRevision, stepRevisions, revision, eventLease };
  if (compactedRevision !== undefined) result.compactedRevision = compactedRevision;
  return result;
}

async function main(argv: string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const out = resolve((outIndex >= 0 ? argv[outIndex + 1] : undefined) ?? DEMO_SNAPSHOT_FILE);
  const { startEtcd } = await import('../test/support/etcd.js');
  const server = await startEtcd();
  try {
    console.log(`etcd ${server.endpoint}: writing ${DEMO_MANIFESTS_DIR}`);
    const result = await writeDemoCluster(server.etcdctl, { compactAfter: 'load', log: (line) => console.log(line) });
    // etcdctl writes FILE.part and renames it; a second name keeps the old file until the end.
    const partial = `${out}.new`;
    await rm(partial, { force: true });
    await server.etcdctl(['snapshot', 'save', partial]);
    await chmod(partial, 0o644); // etcdctl makes it 0600; this one is meant to be shared
    await rename(partial, out);
    const puts = result.records.filter((r) => r.action === 'put').length;
    const size = (await stat(out)).size;
    console.log(
      `wrote ${out}: ${size.toLocaleString('en-US')} bytes; ${puts} objects loaded by revision ${result.loadedRevision}, ` +
        `compacted at ${result.compactedRevision ?? 'none'}, ${HISTORY_STEPS.length} history steps, revision ${result.revision}`,
    );
    console.log(`try: node bin/kreg.js ls --snapshot ${relative(process.cwd(), out)}`);
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
