/**
 * Live-etcd benchmark: starts a private etcd, fills it with scripts/make-registry (100000 objects
 * by default, KREG_BENCH_ETCD_COUNT to change), then times reading it all back, each reader in
 * its own child process so that its peak RSS can be read:
 *   etcdctl get --prefix /registry/ (and --keys-only), kreg ls, kreg du, kreg audit storage,
 *   kreg get -A -o ndjson and -o yaml, and kreg dump -A as a tree of files (into a temp dir, removed
 *   after) and as one NDJSON stream; and the reference for ls and du, a raw paged read of every key
 *   with its value over kreg's own etcd client (scripts/raw-paged-read).
 * Prints keys/s, MB/s (value bytes / wall time) and peak RSS side by side, then issue 13's live
 * targets, each a ratio against its reference from the same run (scripts/bench-targets).
 * The machine may be shared: the readers run in rounds, each once per round
 * (KREG_BENCH_ETCD_RUNS rounds, 5 by default), and the median time counts; the slow readers no
 * target looks at (audit, dump) run in the first round only.
 *
 *   node dist/scripts/bench-etcd.js            (npm run bench runs it too, unless KREG_BENCH_ETCD=0)
 *
 * Peak RSS comes from /usr/bin/time -f '%e %M' when present; otherwise node children report
 * process.resourceUsage().maxRSS themselves and etcdctl's is shown as n/a.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ETCD_BINARY, ETCDCTL_BINARY, startEtcd } from '../test/support/etcd.js';
import { formatBenchTable, type Measurement, measure, median, rssText, spreadText, TIME_BINARY, withRssReporter } from './bench-measure.js';
import { logTargets, ratioTargetLine, unmeasuredTargetLine } from './bench-targets.js';
import { makeRegistry, type RegistryStats } from './make-registry.js';

/** etcd's own recommended maximum, so a large fill never hits the default 2 GiB quota. */
const QUOTA_BACKEND_BYTES = 8589934592;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Reader {
  label: string;
  command: string[];
  keepStdout?: boolean;
  /** An audit exits 1 when it finds something: that is its answer, not a failure. */
  findingsExit?: boolean;
  /** Run in the first round only: no target looks at it, and it is slow. */
  once?: boolean;
}

/** The bench, on a private etcd; `log` gets every line printed. */
export async function benchEtcd(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const count = Number(process.env['KREG_BENCH_ETCD_COUNT'] ?? 100_000);
  const runs = Math.max(1, Number(process.env['KREG_BENCH_ETCD_RUNS'] ?? 5));
  const { stdout: version } = await promisify(execFile)(ETCD_BINARY, ['--version']);
  log(`\nlive etcd: ${version.split('\n')[0] ?? 'etcd'}, ${count.toLocaleString('en-US')} generated objects`);
  const etcd = await startEtcd({ quotaBackendBytes: QUOTA_BACKEND_BYTES });
  try {
    await withRssReporter(async (preload) => {
      const stats: RegistryStats = await makeRegistry({ endpoints: etcd.endpoint, count, log });
      log(
        `filled in ${stats.seconds.toFixed(1)} s: ${stats.keys.toLocaleString('en-US')} keys, ${(stats.valueBytes / 1e6).toFixed(1)} MB of values (${(stats.valueBytes / stats.keys).toFixed(0)} B average; pods ${((stats.byResource['pods']?.bytes ?? 0) / (stats.byResource['pods']?.keys ?? 1)).toFixed(0)} B)`,
      );
      if (!existsSync(TIME_BINARY)) log(`(${TIME_BINARY} not found: peak RSS of node children is self-reported, etcdctl's is n/a)`);

      const kreg = [process.execPath, join(repoRoot, 'bin/kreg.js')];
      // A generous request timeout: on a busy shared machine du's history replay can stall past the default 5 s.
      const at = ['--endpoints', etcd.endpoint, '--command-timeout', '120s'];
      // The tree dump goes into the reporter's temp dir, removed with it.
      const dumpDir = join(dirname(preload), 'dump');
      const readers: Reader[] = [
        { label: 'etcdctl get --prefix', command: [ETCDCTL_BINARY, `--endpoints=${etcd.endpoint}`, 'get', '--prefix', '/registry/'] },
        { label: 'etcdctl get --prefix --keys-only', command: [ETCDCTL_BINARY, `--endpoints=${etcd.endpoint}`, 'get', '--prefix', '--keys-only', '/registry/'] },
        { label: 'raw paged read (keys + sizes)', command: [process.execPath, join(repoRoot, 'dist/scripts/raw-paged-read.js'), ...at] },
        { label: 'raw paged read + history replay', command: [process.execPath, join(repoRoot, 'dist/scripts/raw-paged-read.js'), '--history', ...at] },
        { label: 'kreg ls', command: [...kreg, 'ls', ...at], keepStdout: true },
        { label: 'kreg du', command: [...kreg, 'du', ...at] },
        { label: 'kreg du --no-history', command: [...kreg, 'du', '--no-history', ...at] },
        { label: 'kreg audit storage', command: [...kreg, 'audit', 'storage', ...at], findingsExit: true, once: true },
        { label: 'kreg get -A -o ndjson', command: [...kreg, 'get', '-A', '-o', 'ndjson', ...at] },
        { label: 'kreg get -A -o yaml', command: [...kreg, 'get', '-A', '-o', 'yaml', ...at] },
        { label: 'kreg dump -A --to DIR', command: [...kreg, 'dump', '-A', '--force', '--to', dumpDir, ...at], once: true },
        { label: 'kreg dump -A --to - -o ndjson', command: [...kreg, 'dump', '-A', '--to', '-', '-o', 'ndjson', ...at], once: true },
      ];
      const rows: string[][] = [];
      const seconds = new Map<string, number>();
      let lsTable = '';
      const failures: string[] = [];
      // Interleaved: a slow minute on the shared machine lands on every reader of a round alike.
      const measuredBy = new Map<string, Measurement[]>(readers.map((reader) => [reader.label, []]));
      const failed = new Set<string>();
      for (let round = 0; round < runs; round++) {
        for (const reader of readers) {
          if (failed.has(reader.label) || (reader.once === true && round > 0)) continue;
          try {
            const m = await measure(reader.command, { stdout: reader.keepStdout === true ? 'keep' : 'ignore', rssPreload: preload, acceptExit: reader.findingsExit === true ? [1] : [] });
            measuredBy.get(reader.label)?.push(m);
          } catch (error) {
            // One reader failing (a timeout on a busy machine) leaves the others' figures standing.
            failed.add(reader.label);
            failures.push(`${reader.label}: ${(error instanceof Error ? error.message : String(error)).split('\n').slice(0, 2).join(' ')}`);
          }
        }
      }
      for (const reader of readers) {
        const measured = measuredBy.get(reader.label) ?? [];
        if (failed.has(reader.label)) {
          rows.push([reader.label, 'failed', '', '', '', '']);
          continue;
        }
        const time = median(measured.map((m) => m.seconds));
        seconds.set(reader.label, time);
        const rss = measured.map((m) => m.maxRssKiB).filter((v): v is number => v !== undefined);
        if (reader.label === 'kreg ls') lsTable = measured[0]?.stdout ?? '';
        rows.push([
          reader.label,
          `${time.toFixed(2)} s`,
          spreadText(measured.map((m) => m.seconds)),
          `${Math.round(stats.keys / time).toLocaleString('en-US')}`,
          `${(stats.valueBytes / time / 1e6).toFixed(1)}`,
          rssText(rss.length === 0 ? undefined : Math.max(...rss)),
        ]);
      }
      log(`reading it all back (${runs === 1 ? 'one run each' : `median of ${runs} interleaved rounds; audit and dump once`}; MB/s = value bytes / wall time):`);
      for (const line of formatBenchTable(['reader', 'time', 'runs', 'keys/s', 'MB/s', 'peak RSS'], rows)) log(`  ${line}`);
      for (const failure of failures) log(`  ${failure}`);
      const etcdPeak = etcd.pid === undefined || !existsSync(`/proc/${etcd.pid}/status`) ? undefined : /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${etcd.pid}/status`, 'utf8'))?.[1];
      if (etcdPeak !== undefined) log(`  (etcd server peak RSS over the whole run: ${(Number(etcdPeak) / 1024).toFixed(0)} MiB)`);
      logTargets(log, 'live targets (issue 13)', liveTargetLines(stats.valueBytes, seconds));
      log('kreg ls output:');
      for (const l of lsTable.trimEnd().split('\n')) log(`  ${l}`);
    });
  } finally {
    await etcd.stop();
  }
}

/** The issue's live targets: each reader's MB/s against its reference's, both measured on the same data in this run. */
function liveTargetLines(valueBytes: number, seconds: ReadonlyMap<string, number>): string[] {
  const pairs: [reader: string, reference: string, goal: number][] = [
    ['kreg get -A -o ndjson', 'etcdctl get --prefix', 0.8],
    ['kreg get -A -o yaml', 'kreg get -A -o ndjson', 0.5],
    ['kreg ls', 'raw paged read (keys + sizes)', 0.9],
    // du reads the same keys, and by default every retained revision too (a second listing and a
    // watch replay): each is held to the raw read of what it reads.
    ['kreg du --no-history', 'raw paged read (keys + sizes)', 0.9],
    ['kreg du', 'raw paged read + history replay', 0.9],
  ];
  return pairs.map(([reader, reference, goal]) => {
    const name = `${reader.replace(/^kreg /, '')} / ${reference.replace(/^kreg /, '')}`;
    const time = seconds.get(reader);
    const referenceTime = seconds.get(reference);
    if (time === undefined || referenceTime === undefined) return unmeasuredTargetLine(name, 'a reader did not run');
    return ratioTargetLine(name, valueBytes / time / 1e6, valueBytes / referenceTime / 1e6, 'MB/s', goal);
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchEtcd().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
