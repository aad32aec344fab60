/**
 * Live-etcd benchmark: starts a private etcd, fills it with scripts/make-registry (100000 objects
 * by default, KREG_BENCH_ETCD_COUNT to change), then times reading it all back, each reader in
 * its own child process so that its peak RSS can be read:
 *   etcdctl get --prefix /registry/ (and --keys-only), kreg ls, kreg du, kreg audit storage,
 *   kreg get -A -o ndjson, and kreg dump -A as a tree of files (into a temp dir, removed after) and
 *   as one NDJSON stream.
 * Prints keys/s, MB/s (value bytes / wall time) and peak RSS side by side; figures only.
 *
 *   node dist/scripts/bench-etcd.js            (npm run bench runs it too, unless KREG_BENCH_ETCD=0)
 *
 * Peak RSS comes from /usr/bin/time -f '%e %M' when present; otherwise node children report
 * process.resourceUsage().maxRSS themselves and etcdctl's is shown as n/a.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ETCD_BINARY, ETCDCTL_BINARY, startEtcd } from '../test/support/etcd.js';
import { makeRegistry, type RegistryStats } from './make-registry.js';

const TIME_BINARY = '/usr/bin/time';
/** etcd's own recommended maximum, so a large fill never hits the default 2 GiB quota. */
const QUOTA_BACKEND_BYTES = 8589934592;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Measurement {
  seconds: number;
  /** Peak resident set size in KiB; undefined when it cannot be read. */
  maxRssKiB: number | undefined;
  stdout: string;
}

/**
 * Runs one command as a child and measures it. Its stdout is discarded (as `> /dev/null`) unless
 * `keepStdout`; stderr is kept for the figures and for errors.
 */
function measure(command: string[], options: { keepStdout?: boolean; rssPreload?: string; findingsExit?: boolean } = {}): Promise<Measurement> {
  const useTime = existsSync(TIME_BINARY);
  const [binary, ...args] = command as [string, ...string[]];
  const argv = useTime ? [TIME_BINARY, '-f', 'kreg-bench %e %M', binary, ...args] : [binary, ...args];
  if (!useTime && options.rssPreload !== undefined && binary === process.execPath) argv.splice(1, 0, '--import', options.rssPreload);
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(argv[0] as string, argv.slice(1), { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', options.keepStdout === true ? 'pipe' : 'ignore', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-8000);
    });
    child.once('error', fail);
    child.once('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      // An audit exits 1 when it finds something: that is its answer, not a failure.
      if (code !== 0 && !(options.findingsExit === true && code === 1)) {
        fail(new Error(`${command.join(' ')} failed (exit ${code}): ${err.trim()}`));
        return;
      }
      const timed = /kreg-bench ([\d.]+) (\d+)\s*$/.exec(err);
      const reported = /kreg-bench-maxrss (\d+)\s*$/.exec(err);
      const maxRssKiB = timed !== null ? Number(timed[2]) : reported !== null ? Number(reported[1]) : undefined;
      done({ seconds: timed !== null ? Number(timed[1]) : wall, maxRssKiB, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The bench, on a private etcd; `log` gets every line printed. */
export async function benchEtcd(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const count = Number(process.env['KREG_BENCH_ETCD_COUNT'] ?? 100_000);
  const runs = Math.max(1, Number(process.env['KREG_BENCH_ETCD_RUNS'] ?? 1));
  const { stdout: version } = await promisify(execFile)(ETCD_BINARY, ['--version']);
  log(`\nlive etcd: ${version.split('\n')[0] ?? 'etcd'}, ${count.toLocaleString('en-US')} generated objects`);
  const etcd = await startEtcd({ quotaBackendBytes: QUOTA_BACKEND_BYTES });
  const preloadDir = await mkdtemp(join(tmpdir(), 'kreg-bench-rss-'));
  try {
    const preload = join(preloadDir, 'report-maxrss.mjs');
    await writeFile(preload, "process.on('exit', () => process.stderr.write(`kreg-bench-maxrss ${process.resourceUsage().maxRSS}\\n`));\n");
    const stats: RegistryStats = await makeRegistry({ endpoints: etcd.endpoint, count, log });
    log(
      `filled in ${stats.seconds.toFixed(1)} s: ${stats.keys.toLocaleString('en-US')} keys, ${(stats.valueBytes / 1e6).toFixed(1)} MB of values (${(stats.valueBytes / stats.keys).toFixed(0)} B average; pods ${((stats.byResource['pods']?.bytes ?? 0) / (stats.byResource['pods']?.keys ?? 1)).toFixed(0)} B)`,
    );
    if (!existsSync(TIME_BINARY)) log(`(${TIME_BINARY} not found: peak RSS of node children is self-reported, etcdctl's is n/a)`);

    const kreg = [process.execPath, join(repoRoot, 'bin/kreg.js')];
    const readers: { label: string; command: string[]; keepStdout?: boolean; findingsExit?: boolean }[] = [
      { label: 'etcdctl get --prefix', command: [ETCDCTL_BINARY, `--endpoints=${etcd.endpoint}`, 'get', '--prefix', '/registry/'] },
      { label: 'etcdctl get --prefix --keys-only', command: [ETCDCTL_BINARY, `--endpoints=${etcd.endpoint}`, 'get', '--prefix', '--keys-only', '/registry/'] },
      { label: 'kreg ls', command: [...kreg, 'ls', '--endpoints', etcd.endpoint], keepStdout: true },
      { label: 'kreg du', command: [...kreg, 'du', '--endpoints', etcd.endpoint] },
      { label: 'kreg du --no-history', command: [...kreg, 'du', '--no-history', '--endpoints', etcd.endpoint] },
      { label: 'kreg audit storage', command: [...kreg, 'audit', 'storage', '--endpoints', etcd.endpoint], findingsExit: true },
      { label: 'kreg get -A -o ndjson', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--endpoints', etcd.endpoint] },
      { label: 'kreg dump -A --to DIR', command: [...kreg, 'dump', '-A', '--force', '--to', join(preloadDir, 'dump'), '--endpoints', etcd.endpoint] },
      { label: 'kreg dump -A --to - -o ndjson', command: [...kreg, 'dump', '-A', '--to', '-', '-o', 'ndjson', '--endpoints', etcd.endpoint] },
    ];
    const rows: string[][] = [];
    let lsTable = '';
    for (const reader of readers) {
      const measured: Measurement[] = [];
      for (let i = 0; i < runs; i++) measured.push(await measure(reader.command, { keepStdout: reader.keepStdout === true, rssPreload: preload, findingsExit: reader.findingsExit === true }));
      const seconds = median(measured.map((m) => m.seconds));
      const rss = measured.map((m) => m.maxRssKiB).filter((v): v is number => v !== undefined);
      if (reader.label === 'kreg ls') lsTable = measured[0]?.stdout ?? '';
      rows.push([
        reader.label,
        `${seconds.toFixed(2)} s`,
        `${Math.round(stats.keys / seconds).toLocaleString('en-US')}`,
        `${(stats.valueBytes / seconds / 1e6).toFixed(1)}`,
        rss.length === 0 ? 'n/a' : `${(Math.max(...rss) / 1024).toFixed(0)} MiB`,
      ]);
    }
    const header = ['reader', 'time', 'keys/s', 'MB/s', 'peak RSS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('   ');
    log(`reading it all back (${runs === 1 ? 'one run each' : `median of ${runs}`}; MB/s = value bytes / wall time):`);
    for (const r of [header, ...rows]) log(`  ${line(r)}`);
    const etcdPeak = etcd.pid === undefined || !existsSync(`/proc/${etcd.pid}/status`) ? undefined : /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${etcd.pid}/status`, 'utf8'))?.[1];
    if (etcdPeak !== undefined) log(`  (etcd server peak RSS over the whole run: ${(Number(etcdPeak) / 1024).toFixed(0)} MiB)`);
    log('kreg ls output:');
    for (const l of lsTable.trimEnd().split('\n')) log(`  ${l}`);
  } finally {
    await etcd.stop();
    await rm(preloadDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchEtcd().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
