/**
 * npm run bench: speed figures, printed (tests assert behaviour, not timings).
 *   - start-up: bare node next to kreg --help, --version and decode (wall time, median of fresh processes);
 *   - schema bundle load time in a fresh process;
 *   - decode and encode throughput over the upstream fixtures (../shared) and a realistic Deployment;
 *   - install size of the packed package, for the CLI and for a library-only consumer.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonValue } from '../src/codec/json-value.js';
import { formatJson, formatYaml } from '../src/format/object-text.js';
import { median } from './bench-measure.js';
import { decode, encode } from '../src/index.js';
import { logTargets, ratioTargetLine } from './bench-targets.js';
import { protobufjsDecoders } from './protobufjs-reference.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixturesDir = fileURLToPath(new URL('../../../shared/kubernetes-v1.36/testdata/', import.meta.url));

/** Wall time of one fresh process: to its first byte on stdout, and to its exit. */
function timeProcess(args: string[]): Promise<{ firstOutput: number; exit: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstOutput: number | undefined;
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', () => {
      firstOutput ??= performance.now() - start;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const exit = performance.now() - start;
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}`));
      else resolve({ firstOutput: firstOutput ?? exit, exit });
    });
  });
}

/**
 * Start-up, next to bare node (the packaging goal: --help and --version within 1.5x of node -e '',
 * the first decoded object within 300 ms). Runs are interleaved, so that a busy machine slows all
 * alike, and the median of each is printed.
 */
async function benchStartup(runs = 11): Promise<void> {
  const kreg = `${repoRoot}bin/kreg.js`;
  const cases: { label: string; args: string[] }[] = [
    { label: "node -e ''", args: ['-e', ''] },
    { label: 'kreg --help', args: [kreg, '--help'] },
    { label: 'kreg --version', args: [kreg, '--version'] },
    { label: 'kreg decode examples/deployment.pb', args: [kreg, 'decode', 'examples/deployment.pb'] },
    { label: 'kreg decode --kube-version 1.19 (same)', args: [kreg, 'decode', '--kube-version', '1.19', 'examples/deployment.pb'] },
  ];
  const times = cases.map(() => ({ firstOutput: [] as number[], exit: [] as number[] }));
  for (let i = 0; i < runs + 1; i++) {
    for (const [c, { args }] of cases.entries()) {
      const t = await timeProcess(args);
      if (i === 0) continue; // the first round warms the file cache
      times[c]?.firstOutput.push(t.firstOutput);
      times[c]?.exit.push(t.exit);
    }
  }
  const node = median(times[0]?.exit ?? []);
  console.log(`start-up (wall time, median of ${runs} fresh processes; ratio to bare node):`);
  for (const [c, { label }] of cases.entries()) {
    const exit = median(times[c]?.exit ?? []);
    const first = median(times[c]?.firstOutput ?? []);
    const firstText = c === 0 ? '' : `, first output ${first.toFixed(0)} ms`;
    console.log(`  ${label.padEnd(36)} ${exit.toFixed(0).padStart(4)} ms  ${(exit / node).toFixed(2)}x${firstText}`);
  }
}

/**
 * Printing deeply nested values: time per output byte should stay flat as nesting grows (the
 * printers are linear in their output; YAML deeper than 400 levels is written as JSON).
 */
function benchDeepPrinting(): void {
  console.log('deep values (time per MB of output should stay flat as depth grows):');
  for (const depth of [100, 200, 400, 800, 1600, 3200]) {
    let value: JsonValue = 'bottom';
    for (let i = 0; i < depth; i++) value = { a: value };
    for (const [label, format] of [
      ['yaml', formatYaml],
      ['json', (v: JsonValue) => formatJson(v)],
    ] as const) {
      const start = performance.now();
      const text = format(value);
      const ms = performance.now() - start;
      console.log(`  ${label} depth ${String(depth).padStart(4)}: ${(text.length / 1e6).toFixed(2).padStart(6)} MB in ${ms.toFixed(0).padStart(5)} ms, ${(ms / (text.length / 1e6)).toFixed(1)} ms/MB`);
    }
  }
}

/** The newest release's bundle, and an older release rebuilt from it and the differences file, interleaved. */
function benchBundleLoad(): void {
  const loadTime = (release: string | undefined): number => {
    const call = release === undefined ? 'm.loadSchema()' : `m.loadSchema(${JSON.stringify(release)})`;
    const script = `const m = await import(${JSON.stringify(`${repoRoot}dist/src/schema-bundle.js`)}); const t1 = performance.now(); ${call}; console.log(performance.now() - t1);`;
    return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
  };
  const newest: number[] = [];
  const older: number[] = [];
  for (let i = 0; i < 7; i++) {
    newest.push(loadTime(undefined));
    older.push(loadTime('1.19'));
  }
  console.log(`schema load (fresh process, median of ${newest.length}): newest ${median(newest).toFixed(1)} ms, 1.19 ${median(older).toFixed(1)} ms`);
}

function benchCodec(label: string, values: Uint8Array[], types: ({ apiVersion: string; kind: string } | undefined)[]): void {
  const bytes = values.reduce((n, v) => n + v.length, 0);
  const decodeOnce = (): void => {
    values.forEach((v, i) => {
      const type = types[i];
      decode(v, type === undefined ? {} : { type });
    });
  };
  for (let i = 0; i < 3; i++) decodeOnce(); // warm up the JIT
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < 3000) {
    decodeOnce();
    rounds++;
  }
  const seconds = (performance.now() - start) / 1000;
  const objects = (values.length * rounds) / seconds;
  const mb = (bytes * rounds) / seconds / 1e6;
  console.log(`decode ${label}: ${objects.toFixed(0)} objects/s, ${mb.toFixed(1)} MB/s (${values.length} values, ${(bytes / values.length).toFixed(0)} B average)`);

  const decoded = values.map((v, i) => {
    const type = types[i];
    return decode(v, type === undefined ? {} : { type });
  });
  let encRounds = 0;
  const encStart = performance.now();
  while (performance.now() - encStart < 3000) {
    for (const d of decoded) encode(d);
    encRounds++;
  }
  const encSeconds = (performance.now() - encStart) / 1000;
  console.log(`encode ${label}: ${((values.length * encRounds) / encSeconds).toFixed(0)} objects/s, ${((bytes * encRounds) / encSeconds / 1e6).toFixed(1)} MB/s`);
}

function fixtureValues(): { values: Uint8Array[]; types: { apiVersion: string; kind: string }[] } | undefined {
  if (!existsSync(fixturesDir)) return undefined;
  const values: Uint8Array[] = [];
  const types: { apiVersion: string; kind: string }[] = [];
  for (const dir of ['api', 'apiextensions']) {
    for (const file of readdirSync(`${fixturesDir}${dir}`)) {
      if (!file.endsWith('.pb')) continue;
      values.push(new Uint8Array(readFileSync(`${fixturesDir}${dir}/${file}`)));
      const parts = file.slice(0, -3).split('.');
      const kind = parts.pop() as string;
      const version = parts.pop() as string;
      const group = parts.join('.');
      types.push({ apiVersion: group === 'core' ? version : `${group}/${version}`, kind });
    }
  }
  return { values, types };
}

/**
 * The codec's reference: protobufjs's generic decoder on the same stored values, in the same run
 * (the target: kreg's decode at or above it), rounds interleaved with kreg's so load hits both.
 */
function benchProtobufjsReference(values: Uint8Array[], types: { apiVersion: string; kind: string }[]): void {
  const decoders = protobufjsDecoders(fileURLToPath(new URL('../../../shared/kubernetes-v1.36/proto', import.meta.url)), types);
  const bytes = values.reduce((n, v) => n + v.length, 0);
  const kreg = (): void => values.forEach((v, i) => decode(v, { type: types[i] as { apiVersion: string; kind: string } }));
  const reference = (): void => values.forEach((v, i) => (decoders[i] as (value: Uint8Array) => unknown)(v));
  const seconds = { kreg: 0, reference: 0 };
  const time = (fn: () => void): number => {
    const start = performance.now();
    for (let i = 0; i < 20; i++) fn();
    return (performance.now() - start) / 1000;
  };
  for (let i = 0; i < 3; i++) [kreg(), reference()]; // warm up both
  for (let round = 0; round < 15; round++) {
    seconds.kreg += time(kreg);
    seconds.reference += time(reference);
  }
  const mbs = (s: number): number => (bytes * 20 * 15) / s / 1e6;
  logTargets(console.log, 'codec target (issue 13)', [ratioTargetLine('decode upstream fixtures, kreg / protobufjs (same values, interleaved)', mbs(seconds.kreg), mbs(seconds.reference), 'MB/s', 1)]);
}

/** Install sizes, as scripts/check-package.sh measures them (packs, installs from the npm registry). */
function benchInstallSize(): void {
  const out = execFileSync('bash', [`${repoRoot}scripts/check-package.sh`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  console.log('install size (npm pack, installed into an empty prefix with its dependencies):');
  for (const line of out.split('\n')) if (/^(packed|installed|library only)/.test(line)) console.log(`  ${line}`);
}

// KREG_BENCH_ONLY=startup, =codec or =yaml runs just that part (a few seconds each).
const only = process.env['KREG_BENCH_ONLY'];
if (only === 'yaml') {
  const { benchPodYaml } = await import('./bench-yaml.js');
  benchPodYaml();
  process.exit(0);
}
if (only !== 'codec') await benchStartup();
if (only === 'startup') process.exit(0);
// KREG_BENCH_PACKAGE=0 skips the install sizes (they need the npm registry).
if (only === undefined) {
  if (process.env['KREG_BENCH_PACKAGE'] !== '0') benchInstallSize();
  benchBundleLoad();
  benchDeepPrinting();
  (await import('./bench-yaml.js')).benchPodYaml();
}
const fixtures = fixtureValues();
if (fixtures === undefined) console.log(`decode fixtures: skipped, ${fixturesDir} not found`);
else {
  benchCodec('upstream fixtures', fixtures.values, fixtures.types);
  benchProtobufjsReference(fixtures.values, fixtures.types);
}
const deployment = new Uint8Array(readFileSync(`${repoRoot}examples/deployment.pb`));
benchCodec('examples/deployment.pb', [deployment], [undefined]);
if (only === 'codec') process.exit(0);

// Live etcd (scripts/bench-etcd.ts): a private etcd filled with 100k generated objects; KREG_BENCH_ETCD=0 skips it.
if (process.env['KREG_BENCH_ETCD'] !== '0' && existsSync('/usr/bin/etcd')) {
  const { benchEtcd } = await import('./bench-etcd.js');
  await benchEtcd();
}

// Snapshot file (scripts/bench-snapshot.ts): a cached ≥1 GB etcd snapshot read by cat, etcdctl and kreg; KREG_BENCH_SNAPSHOT=0 skips it.
if (process.env['KREG_BENCH_SNAPSHOT'] !== '0') {
  const { benchSnapshot } = await import('./bench-snapshot.js');
  await benchSnapshot();
}

// Scale (scripts/bench-scale.ts): a million generated objects live and as a snapshot, with peak RSS; opt-in, it takes minutes.
if (process.env['KREG_BENCH_1M'] === '1') {
  const { benchScale } = await import('./bench-scale.js');
  await benchScale();
}
