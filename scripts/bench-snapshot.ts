/**
 * Snapshot-file benchmark: takes a snapshot of at least 1 GB (scripts/make-large-snapshot, reused
 * from its cache; KREG_BENCH_SNAPSHOT_MB picks another size, e.g. 2048) and times reading it,
 * each reader in its own child process under /usr/bin/time -f '%e %M':
 *   cat FILE > /dev/null (plain sequential read), etcdctl snapshot status -w json,
 *   kreg snapshot status, kreg ls, du and audit storage --snapshot, kreg get -A -o ndjson --snapshot (with
 *   --skip-hash-check, then without).
 * Prints seconds, MB/s (file size / wall time), peak RSS and, for get, objects/s; figures only.
 *
 *   node dist/scripts/bench-snapshot.js       (npm run bench runs it too, unless KREG_BENCH_SNAPSHOT=0)
 *
 * The file is read once by cat first, so every reader sees it in the page cache when RAM allows.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // findings: the command exits 1 when it finds something, which is its answer, not a failure.
  const readers: { label: string; command: string[]; stdout?: 'keep' | 'count'; skip?: boolean; findings?: boolean }[] = [
    { label: 'cat > /dev/null', command: ['cat', file] },
    { label: 'etcdctl snapshot status -w json', command: [ETCDCTL_BINARY, 'snapshot', 'status', file, '-w', 'json'], stdout: 'keep', skip: !existsSync(ETCDCTL_BINARY) },
    { label: 'kreg snapshot status', command: [...kreg, 'snapshot', 'status', file], stdout: 'keep' },
    { label: 'kreg ls --snapshot', command: [...kreg, 'ls', '--snapshot', file], stdout: 'keep' },
    { label: 'kreg du --snapshot', command: [...kreg, 'du', '--snapshot', file, '--skip-hash-check'] },
    { label: 'kreg audit storage --snapshot', command: [...kreg, 'audit', 'storage', '--snapshot', file, '--skip-hash-check'], findings: true },
    { label: 'kreg get -A -o ndjson --skip-hash-check', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file, '--skip-hash-check'], stdout: 'count' },
    { label: 'kreg get -A -o ndjson', command: [...kreg, 'get', '-A', '-o', 'ndjson', '--snapshot', file], stdout: 'count' },
  ];
  const rows: string[][] = [];
  const outputs: { label: string; text: string }[] = [];
  for (const reader of readers) {
    if (reader.skip === true) {
      rows.push([reader.label, 'skipped', '', '', '']);
      continue;
    }
    let m: Measurement;
    try {
      // get exits 1 when some values cannot be decoded (the generated snapshot holds filler bytes,
      // not Kubernetes objects): the full scan still ran, so its time is reported with a note.
      m = await measure(reader.command, reader.stdout ?? 'ignore', reader.stdout === 'count' || reader.findings === true);
      if (reader.findings === true && m.exitCode > 1) throw new Error(`exit ${m.exitCode}: ${m.stderrTail.trim()}`);
    } catch (error) {
      rows.push([reader.label, 'failed', '', '', '']);
      log(`  ${reader.label}: ${error instanceof Error ? error.message : String(error)}`);
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
  log('reading the snapshot file (one run each; MB/s = file size / wall time):');
  for (const r of [header, ...rows]) log(`  ${line(r)}`);
  for (const o of outputs) {
    log(`${o.label} output:`);
    for (const l of o.text.trimEnd().split('\n')) log(`  ${l}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSnapshot().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
