/**
 * Snapshot-file benchmark: takes a snapshot of at least 1 GB (scripts/make-large-snapshot, reused
 * from its cache; KREG_BENCH_SNAPSHOT_MB picks another size, e.g. 2048) and times reading it,
 * each reader in its own child process under /usr/bin/time -f '%e %M':
 *   cat FILE > /dev/null (plain sequential read), etcdctl snapshot status -w json,
 *   kreg snapshot status, kreg ls, du and audit storage --snapshot, kreg get -A -o ndjson --snapshot (with
 *   --skip-hash-check, then without).
 * Prints seconds, MB/s (file size / wall time), peak RSS and, for get, objects/s; then the issue's
 * offline targets as ratios against references measured in the same run: kreg snapshot status
 * against etcdctl snapshot status (time), kreg's sha256 trailer check against node's own crypto
 * sha256 over the file, kreg ls in MB/s of file size, get -A -o ndjson in MB/s of value bytes.
 * The machine may be shared: every reader runs once per round, rounds interleaved
 * (KREG_BENCH_ROUNDS, 3 by default), and the median time counts.
 *
 *   node dist/scripts/bench-snapshot.js       (npm run bench runs it too, unless KREG_BENCH_SNAPSHOT=0)
 *
 * The file is read once by cat first, so every reader sees it in the page cache when RAM allows.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeLargeSnapshot } from './make-large-snapshot.js';

const ETCDCTL_BINARY = process.env['KREG_TEST_ETCDCTL'] ?? '/usr/bin/etcdctl';
const TIME_BINARY = '/usr/bin/time';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Measurement {
  seconds: number;
  /** Peak resident set size in KiB; undefined when it cannot be read. */
  maxRssKiB: number | undefined;
  /** Newlines seen on stdout when counted. */
  lines: number;
  stdout: string;
  /** The command's exit code (only non-zero when `allowFailure`), and the tail of its stderr. */
  exitCode: number;
  stderrTail: string;
}

/**
 * Runs one command as a child under /usr/bin/time. stdout is discarded (as `> /dev/null`), kept
 * (`keep`), or only its newlines counted (`count`, streamed, so a large output is never held).
 */
function measure(command: string[], stdoutMode: 'ignore' | 'keep' | 'count' = 'ignore', allowFailure = false): Promise<Measurement> {
  const useTime = existsSync(TIME_BINARY);
  const argv = useTime ? [TIME_BINARY, '-f', 'kreg-bench %e %M', ...command] : command;
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: { ...process.env, ETCDCTL_API: '3' },
      stdio: ['ignore', stdoutMode === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let lines = 0;
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutMode === 'keep') out.push(chunk);
      else for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-8000);
    });
    child.once('error', fail);
    child.once('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0 && !allowFailure) {
        fail(new Error(`${command.join(' ')} failed (exit ${code}): ${err.trim()}`));
        return;
      }
      const timed = /kreg-bench ([\d.]+) (\d+)\s*$/.exec(err);
      done({
        seconds: timed !== null ? Number(timed[1]) : wall,
        maxRssKiB: timed !== null ? Number(timed[2]) : undefined,
        lines,
        stdout: Buffer.concat(out).toString('utf8'),
        exitCode: code ?? 1,
        stderrTail: err,
      });
    });
  });
}

/** The bench over a cached (or freshly made) large snapshot; `log` gets every line printed. */
export async function benchSnapshot(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const sizeMb = Number(process.env['KREG_BENCH_SNAPSHOT_MB'] ?? 1024);
  log(`\nsnapshot file: at least ${sizeMb} MiB (scripts/make-large-snapshot; cached, else ~4 minutes to make)`);
  const { manifest } = await makeLargeSnapshot({ sizeMb, log });
  const file = manifest.file;
  const bytes = manifest.bytes;
  log(`${file}: ${(bytes / 1e6).toFixed(0)} MB, ${manifest.keysLive.toLocaleString('en-US')} live keys, ${manifest.writes.toLocaleString('en-US')} revisions (${manifest.etcdVersion})`);
  if (!existsSync(TIME_BINARY)) log(`(${TIME_BINARY} not found: times are wall times, peak RSS n/a)`);

  const kreg = [process.execPath, join(repoRoot, 'bin/kreg.js')];
  const rounds = Math.max(1, Number(process.env['KREG_BENCH_ROUNDS'] ?? 3));
  // The references for the trailer check: node's crypto over the file in 8 MiB reads, and kreg's own check alone.
  const nodeSha256 = `const h=require('crypto').createHash('sha256'),fs=require('fs'),fd=fs.openSync(process.argv[1]),b=Buffer.allocUnsafe(8<<20);let n;while((n=fs.readSync(fd,b))>0)h.update(b.subarray(0,n));console.log(h.digest('hex'))`;
  const trailerCheck = `import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/src/sources/snapshot/bbolt-file.js')).href)}).then(async({BoltFile})=>{const f=await BoltFile.open(process.argv[1]);console.log((await f.checkSha256Trailer()).state);await f.close()})`;
  // findings: the command exits 1 when it finds something, which is its answer, not a failure.
  const readers: { label: string; command: string[]; stdout?: 'keep' | 'count'; skip?: boolean; findings?: boolean }[] = [
    { label: 'cat > /dev/null', command: ['cat', file] },
    { label: 'etcdctl snapshot status -w json', command: [ETCDCTL_BINARY, 'snapshot', 'status', file, '-w', 'json'], stdout: 'keep', skip: !existsSync(ETCDCTL_BINARY) },
    { label: 'node crypto sha256 (8 MiB reads)', command: [process.execPath, '-e', nodeSha256, file] },
    { label: 'kreg sha256 trailer check', command: [process.execPath, '-e', trailerCheck, file] },
    { label: 'kreg snapshot status', command: [...kreg, 'snapshot', 'status', file], stdout: 'keep' },
    { label: 'kreg ls --snapshot', command: [...kreg, 'ls', '--snapshot', file, '-o', 'json'], stdout: 'keep' },
    { label: 'kreg du --snapshot', command: [...kreg, 'du', '--snapshot', file, '--skip-hash-check'] },
    { label: 'kreg audit storage --snapshot', command: [...kreg, 'audit', 'storage', '--snapshot', file, '--skip-hash-check'], findings: true },
    { label: 'kreg get -A -o ndjson --skip-hash-check', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file, '--skip-hash-check'], stdout: 'count' },
    { label: 'kreg get -A -o ndjson', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file], stdout: 'count' },
  ];
  const rows: string[][] = [];
  const outputs: { label: string; text: string }[] = [];
  const runs = new Map<string, Measurement[]>();
  const failed = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    for (const reader of readers) {
      if (reader.skip === true || failed.has(reader.label)) continue;
      try {
        // get exits 1 when some values cannot be decoded (the generated snapshot holds filler bytes,
        // not Kubernetes objects): the full scan still ran, so its time is reported with a note.
        const m = await measure(reader.command, reader.stdout ?? 'ignore', reader.stdout === 'count' || reader.findings === true);
        if (reader.findings === true && m.exitCode > 1) throw new Error(`exit ${m.exitCode}: ${m.stderrTail.trim()}`);
        runs.set(reader.label, [...(runs.get(reader.label) ?? []), m]);
      } catch (error) {
        failed.add(reader.label);
        log(`  ${reader.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  /** The run with the median time (the lower middle one for an even count). */
  const median = (label: string): Measurement | undefined => {
    const sorted = [...(runs.get(label) ?? [])].sort((a, b) => a.seconds - b.seconds);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };
  for (const reader of readers) {
    if (reader.skip === true) {
      rows.push([reader.label, 'skipped', '', '', '']);
      continue;
    }
    const m = median(reader.label);
    if (m === undefined || failed.has(reader.label)) {
      rows.push([reader.label, 'failed', '', '', '']);
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
    rows.push([reader.label, `${m.seconds.toFixed(2)} s`, `${(bytes / m.seconds / 1e6).toFixed(0)}`, m.maxRssKiB === undefined ? 'n/a' : `${(m.maxRssKiB / 1024).toFixed(0)} MiB`, objects]);
  }
  const header = ['reader', 'time', 'MB/s', 'peak RSS', 'objects'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  log(`reading the snapshot file (median of ${rounds} interleaved runs each; MB/s = file size / wall time):`);
  for (const r of [header, ...rows]) log(`  ${line(r)}`);
  logTargets(log, bytes, median);
  for (const o of outputs) {
    log(`${o.label} output:`);
    for (const l of o.text.trimEnd().split('\n')) log(`  ${l}`);
  }
}

/** The issue's offline targets, each as a figure and a ratio against its reference from the same run. */
function logTargets(log: (line: string) => void, fileBytes: number, median: (label: string) => Measurement | undefined): void {
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
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  log('offline targets (issue 13):');
  if (status !== undefined && etcdctl !== undefined) {
    const ratio = status / etcdctl;
    log(`  snapshot status: ${ratio.toFixed(2)}x etcdctl snapshot status's time (target <= 1.5x): ${verdict(ratio <= 1.5)}`);
  }
  if (trailer !== undefined && sha256 !== undefined) {
    const ratio = trailer / sha256;
    log(`  sha256 trailer check: ${ratio.toFixed(2)}x node crypto's time over the file (target ~1x): ${verdict(ratio <= 1.1)}`);
  }
  if (ls !== undefined) {
    const rate = fileBytes / ls.seconds / 1e6;
    log(`  ls --snapshot: ${rate.toFixed(0)} MB/s of file size (target >= 500): ${verdict(rate >= 500)}`);
  }
  if (get !== undefined && valueBytes !== undefined) {
    const rate = valueBytes / get / 1e6;
    log(`  get -A -o ndjson --snapshot: ${rate.toFixed(0)} MB/s of value bytes (${(valueBytes / 1e6).toFixed(0)} MB; target >= 80): ${verdict(rate >= 80)}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSnapshot().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
