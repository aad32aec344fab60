/**
 * Snapshot-file benchmark: takes a snapshot of at least 1 GB (scripts/make-large-snapshot, reused
 * from its cache; KREG_BENCH_SNAPSHOT_MB picks another size, e.g. 2048) and times reading it,
 * each reader in its own child process under /usr/bin/time -f '%e %M':
 *   cat FILE > /dev/null (plain sequential read), etcdctl snapshot status -w json,
 *   kreg snapshot status (and with --skip-hash-check: etcdctl's work alone), kreg ls, du and audit
 *   storage --snapshot, kreg get -A -o ndjson --snapshot (with --skip-hash-check, then without).
 * Prints seconds, MB/s (file size / wall time), peak RSS and, for get, objects/s; then the issue's
 * offline targets as ratios against references measured in the same run: kreg snapshot status
 * against etcdctl snapshot status (time), kreg's sha256 trailer check against node's own crypto
 * sha256 over the file, kreg ls in MB/s of file size, get -A -o ndjson in MB/s of value bytes.
 * The machine may be shared: every reader runs once per round, rounds interleaved
 * (KREG_BENCH_ROUNDS, 5 by default), and the median time counts.
 *
 *   node dist/scripts/bench-snapshot.js       (npm run bench runs it too, unless KREG_BENCH_SNAPSHOT=0)
 *
 * The page cache is put in one known state at the start of every round: etcdctl maps the file, so
 * its time depends on how the cache holds it (0.7 s in the 2 MiB pages a fresh sequential read
 * leaves here, 1.1-1.9 s in the 4 KiB pages a write leaves, 26 s when the file is not cached at all,
 * since bbolt asks the kernel not to read ahead), while kreg, which reads with read() in large
 * sequential runs, takes about the same time in all three. The file's cached pages are dropped
 * (`dd iflag=nocache`, no root needed) and read back by cat, etcdctl's best case, which the target
 * holds kreg against. For context lines, etcdctl also runs on a copy written by cat (the state right
 * after `etcdctl snapshot save`), and both tools run once a round on the file just dropped from the
 * cache (a backup on disk, not read since), last in the round.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatBenchTable, type Measurement, measure, spreadText, TIME_BINARY } from './bench-measure.js';
import { logTargets, targetLine, unmeasuredTargetLine } from './bench-targets.js';
import { makeLargeSnapshot } from './make-large-snapshot.js';

const ETCDCTL_BINARY = process.env['KREG_TEST_ETCDCTL'] ?? '/usr/bin/etcdctl';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The bench over a cached (or freshly made) large snapshot; `log` gets every line printed. */
export async function benchSnapshot(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const sizeMb = Number(process.env['KREG_BENCH_SNAPSHOT_MB'] ?? 1024);
  log(`\nsnapshot file: at least ${sizeMb} MiB (scripts/make-large-snapshot; cached, else ~4 minutes to make)`);
  const { manifest } = await makeLargeSnapshot({ sizeMb, log });
  const file = manifest.file;
  const bytes = manifest.bytes;
  log(`${file}: ${(bytes / 1e6).toFixed(0)} MB, ${manifest.keysLive.toLocaleString('en-US')} live keys, ${manifest.writes.toLocaleString('en-US')} revisions (${manifest.etcdVersion})`);
  if (!existsSync(TIME_BINARY)) log(`(${TIME_BINARY} not found: times are wall times, peak RSS n/a)`);

  // A copy as a write leaves it in the cache, then the file as a fresh read leaves it (see above).
  const writtenCopy = `${file}.as-written`;
  const copied = writeCopy(file, writtenCopy);
  const readBack = readBackFresh(file);
  log(
    readBack
      ? `page cache: the file dropped and read back by cat at the start of each round (FileHugePages ${fileHugePagesMiB() ?? 'n/a'} MiB)${copied ? '; etcdctl also on a copy as cat wrote it' : ''}; etcdctl and kreg status also on the file dropped from the cache, last in each round`
      : '(page cache state not set: dd iflag=nocache failed here; etcdctl times depend on it; the uncached runs are skipped)',
  );
  const kreg = [process.execPath, join(repoRoot, 'bin/kreg.js')];
  const etcdctlStatus = (of: string): string[] => [ETCDCTL_BINARY, 'snapshot', 'status', of, '-w', 'json'];
  const hasEtcdctl = existsSync(ETCDCTL_BINARY);
  const rounds = Math.max(1, Number(process.env['KREG_BENCH_ROUNDS'] ?? 5));
  // The references for the trailer check: node's crypto over the file in 8 MiB reads, and kreg's own check alone.
  const nodeSha256 = `const h=require('crypto').createHash('sha256'),fs=require('fs'),fd=fs.openSync(process.argv[1]),b=Buffer.allocUnsafe(8<<20);let n;while((n=fs.readSync(fd,b))>0)h.update(b.subarray(0,n));console.log(h.digest('hex'))`;
  const trailerCheck = `import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/src/sources/snapshot/bbolt-file.js')).href)}).then(async({BoltFile})=>{const f=await BoltFile.open(process.argv[1]);console.log((await f.checkSha256Trailer()).state);await f.close()})`;
  // findings: the command exits 1 when it finds something, which is its answer, not a failure.
  // uncached: the file's pages are dropped from the cache just before the run (these come last in a round).
  const readers: { label: string; command: string[]; stdout?: 'keep' | 'count'; skip?: boolean; findings?: boolean; uncached?: boolean }[] = [
    { label: 'cat > /dev/null', command: ['cat', file] },
    { label: 'etcdctl snapshot status -w json', command: etcdctlStatus(file), stdout: 'keep', skip: !hasEtcdctl },
    {
      label: 'etcdctl snapshot status, a copy as written',
      command: etcdctlStatus(writtenCopy),
      skip: !hasEtcdctl || !copied,
    },
    { label: 'node crypto sha256 (8 MiB reads)', command: [process.execPath, '-e', nodeSha256, file] },
    { label: 'kreg sha256 trailer check', command: [process.execPath, '-e', trailerCheck, file] },
    { label: 'kreg snapshot status', command: [...kreg, 'snapshot', 'status', file], stdout: 'keep' },
    // etcdctl's work alone (it does not check the trailer): the like-for-like figure beside the target's.
    { label: 'kreg snapshot status --skip-hash-check', command: [...kreg, 'snapshot', 'status', file, '--skip-hash-check'] },
    { label: 'kreg ls --snapshot', command: [...kreg, 'ls', '--snapshot', file, '-o', 'json'], stdout: 'keep' },
    { label: 'kreg du --snapshot', command: [...kreg, 'du', '--snapshot', file, '--skip-hash-check'] },
    { label: 'kreg audit storage --snapshot', command: [...kreg, 'audit', 'storage', '--snapshot', file, '--skip-hash-check'], findings: true },
    { label: 'kreg get -A -o ndjson --skip-hash-check', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file, '--skip-hash-check'], stdout: 'count' },
    { label: 'kreg get -A -o ndjson', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file], stdout: 'count' },
    {
      label: 'etcdctl snapshot status, file not cached',
      command: etcdctlStatus(file),
      skip: !hasEtcdctl || !readBack,
      uncached: true,
    },
    { label: 'kreg snapshot status, file not cached', command: [...kreg, 'snapshot', 'status', file], skip: !readBack, uncached: true },
  ];
  const rows: string[][] = [];
  const outputs: { label: string; text: string }[] = [];
  const runs = new Map<string, Measurement[]>();
  const failed = new Set<string>();
  // The copy is as large as the file: removed however the rounds end.
  try {
    for (let round = 0; round < rounds; round++) {
      // The previous round ended with the file dropped from the cache.
      if (round > 0 && readBack) readBackFresh(file);
      for (const reader of readers) {
        if (reader.skip === true || failed.has(reader.label)) continue;
        if (reader.uncached === true && !dropFromCache(file)) {
          // A run on a cached file would be timed under the wrong label.
          failed.add(reader.label);
          log(`  ${reader.label}: dd iflag=nocache failed, so the file could not be dropped from the page cache`);
          continue;
        }
        try {
          // get exits 1 when some values cannot be decoded (the generated snapshot holds filler bytes,
          // not Kubernetes objects): the full scan still ran, so its time is reported with a note.
          const m = await measure(reader.command, { stdout: reader.stdout ?? 'ignore', acceptExit: reader.stdout === 'count' || reader.findings === true ? [1] : [] });
          runs.set(reader.label, [...(runs.get(reader.label) ?? []), m]);
        } catch (error) {
          failed.add(reader.label);
          log(`  ${reader.label}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    rmSync(writtenCopy, { force: true });
  }
  /** The run with the median time (the lower middle one for an even count). */
  const median = (label: string): Measurement | undefined => {
    const sorted = [...(runs.get(label) ?? [])].sort((a, b) => a.seconds - b.seconds);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };
  for (const reader of readers) {
    if (reader.skip === true) {
      rows.push([reader.label, 'skipped', '', '', '', '']);
      continue;
    }
    const m = median(reader.label);
    if (m === undefined || failed.has(reader.label)) {
      rows.push([reader.label, 'failed', '', '', '', '']);
      continue;
    }
    if (reader.stdout === 'keep') outputs.push({ label: reader.label, text: m.stdout });
    let objects = '';
    if (reader.stdout === 'count') {
      objects = `${m.lines.toLocaleString('en-US')} (${Math.round(m.lines / m.seconds).toLocaleString('en-US')}/s)`;
      if (m.exitCode !== 0) {
        const undecodable = /(\d+) value\(s\) could not be shown/.exec(m.stderrTail)?.[1];
        objects += ` exit ${m.exitCode}${undecodable === undefined ? '' : `, ${Number(undecodable).toLocaleString('en-US')} undecodable (${Math.round(Number(undecodable) / m.seconds).toLocaleString('en-US')}/s)`}`;
      }
    }
    rows.push([
      reader.label,
      `${m.seconds.toFixed(2)} s`,
      spreadText((runs.get(reader.label) ?? []).map((r) => r.seconds)),
      `${(bytes / m.seconds / 1e6).toFixed(0)}`,
      m.maxRssKiB === undefined ? 'n/a' : `${(m.maxRssKiB / 1024).toFixed(0)} MiB`,
      objects,
    ]);
  }
  log(`reading the snapshot file (median of ${rounds} interleaved runs each; MB/s = file size / wall time):`);
  for (const line of formatBenchTable(['reader', 'time', 'runs', 'MB/s', 'peak RSS', 'objects'], rows)) log(`  ${line}`);
  logTargets(log, 'offline targets (issue 13)', offlineTargetLines(bytes, median));
  for (const o of outputs) {
    log(`${o.label} output:`);
    for (const l of o.text.trimEnd().split('\n')) log(`  ${l}`);
  }
}

/** The issue's offline targets, each as a figure and a ratio against its reference from the same run. */
function offlineTargetLines(fileBytes: number, median: (label: string) => Measurement | undefined): string[] {
  const seconds = (label: string): number | undefined => median(label)?.seconds;
  const status = seconds('kreg snapshot status');
  const etcdctl = seconds('etcdctl snapshot status -w json');
  const trailer = seconds('kreg sha256 trailer check');
  const sha256 = seconds('node crypto sha256 (8 MiB reads)');
  const ls = median('kreg ls --snapshot');
  const get = seconds('kreg get -A -o ndjson');
  // Value bytes of the live keys: what kreg ls -o json sums per resource.
  let valueBytes: number | undefined;
  try {
    const listing = JSON.parse(ls?.stdout ?? '') as { type?: string; bytes?: number }[];
    valueBytes = listing.filter((row) => row.type === 'resource').reduce((sum, row) => sum + (row.bytes ?? 0), 0);
  } catch {
    valueBytes = undefined;
  }
  const times = (a: number, b: number): string => `${a.toFixed(2)} / ${b.toFixed(2)} s`;
  const lines: string[] = [];
  const statusName = 'snapshot status time / etcdctl snapshot status time';
  if (status === undefined || etcdctl === undefined) lines.push(unmeasuredTargetLine(statusName, 'a reader failed or was skipped'));
  else lines.push(targetLine({ name: statusName, figures: times(status, etcdctl), value: status / etcdctl, comparison: '<=', goal: 1.5, unit: 'x' }));
  // Context, not targets: kreg's status checks the sha256 trailer, etcdctl's does not. Hashing the
  // file alone costs what node's crypto does, and the rest is etcdctl's own work.
  const etcdctlWritten = seconds('etcdctl snapshot status, a copy as written');
  if (status !== undefined && etcdctlWritten !== undefined) {
    lines.push(`(context) snapshot status / etcdctl snapshot status of a copy as written (4 KiB pages): ${times(status, etcdctlWritten)} = ${(status / etcdctlWritten).toFixed(2)}x`);
  }
  const statusUncached = seconds('kreg snapshot status, file not cached');
  const etcdctlUncached = seconds('etcdctl snapshot status, file not cached');
  if (statusUncached !== undefined && etcdctlUncached !== undefined) {
    lines.push(`(context) snapshot status / etcdctl snapshot status, the file not in the page cache: ${times(statusUncached, etcdctlUncached)} = ${(statusUncached / etcdctlUncached).toFixed(2)}x`);
  }
  const statusUnhashed = seconds('kreg snapshot status --skip-hash-check');
  if (etcdctl !== undefined && sha256 !== undefined) lines.push(`(context) node crypto sha256 alone / etcdctl snapshot status: ${times(sha256, etcdctl)} = ${(sha256 / etcdctl).toFixed(2)}x`);
  if (etcdctl !== undefined && statusUnhashed !== undefined) {
    lines.push(`(context) snapshot status --skip-hash-check (etcdctl's work) / etcdctl snapshot status: ${times(statusUnhashed, etcdctl)} = ${(statusUnhashed / etcdctl).toFixed(2)}x`);
  }
  // The issue asks for "the speed of node's own crypto hash"; within 10% counts as that.
  const trailerName = 'sha256 trailer check time / node crypto sha256 time';
  if (trailer === undefined || sha256 === undefined) lines.push(unmeasuredTargetLine(trailerName, 'a reader failed'));
  else lines.push(targetLine({ name: trailerName, figures: times(trailer, sha256), value: trailer / sha256, comparison: '<=', goal: 1.1, unit: 'x' }));
  const lsName = 'ls --snapshot, file size / time';
  if (ls === undefined) lines.push(unmeasuredTargetLine(lsName, 'kreg ls --snapshot failed'));
  else
    lines.push(
      targetLine({
        name: lsName,
        figures: `${(fileBytes / 1e6).toFixed(0)} MB / ${ls.seconds.toFixed(2)} s`,
        value: fileBytes / ls.seconds / 1e6,
        comparison: '>=',
        goal: 500,
        unit: ' MB/s',
        digits: 0,
      }),
    );
  const getName = 'get -A -o ndjson --snapshot, value bytes / time';
  if (get === undefined || valueBytes === undefined) lines.push(unmeasuredTargetLine(getName, 'kreg get or kreg ls --snapshot failed'));
  else
    lines.push(
      targetLine({ name: getName, figures: `${(valueBytes / 1e6).toFixed(0)} MB / ${get.toFixed(2)} s`, value: valueBytes / get / 1e6, comparison: '>=', goal: 80, unit: ' MB/s', digits: 0 }),
    );
  return lines;
}

/** Copies `from` to `to` with cat, so that the copy's cached pages are as a write leaves them; false when that failed. */
function writeCopy(from: string, to: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(to, 'w');
    return spawnSync('cat', [from], { stdio: ['ignore', fd, 'ignore'] }).status === 0;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Drops the file's cached pages (posix_fadvise DONTNEED through GNU dd); false when that failed. */
function dropFromCache(file: string): boolean {
  return spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { stdio: 'ignore' }).status === 0;
}

/** Drops the file's cached pages and reads it back with cat; false when the drop failed. */
function readBackFresh(file: string): boolean {
  const dropped = dropFromCache(file);
  spawnSync('cat', [file], { stdio: 'ignore' });
  return dropped;
}

/** The kernel's FileHugePages (file pages cached in 2 MiB pages), in MiB; undefined where /proc/meminfo does not say. */
function fileHugePagesMiB(): number | undefined {
  try {
    const kib = /^FileHugePages:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
  } catch {
    return undefined;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSnapshot().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
