/**
 * Timing one command in a child process for the benchmarks (bench-etcd, bench-scale): wall time
 * and peak RSS from /usr/bin/time -f '%e %M' when present; otherwise the wall time measured here,
 * and node children report process.resourceUsage().maxRSS themselves through a preloaded module
 * (withRssReporter), other binaries' RSS being n/a. Also the table layout the benches print.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const TIME_BINARY = '/usr/bin/time';
const WC_BINARY = '/usr/bin/wc';

export interface Measurement {
  seconds: number;
  /** Peak resident set size in KiB; undefined when it cannot be read. */
  maxRssKiB: number | undefined;
  /** stdout when kept ('keep'), else empty. */
  stdout: string;
  /** Newlines on stdout when counted ('count'). */
  lines: number;
  exitCode: number;
  stderrTail: string;
}

export interface MeasureOptions {
  /**
   * stdout discarded (as `> /dev/null`, the default), kept, or only its newlines counted: by a
   * `wc -l` child the command writes to directly, so that this process takes no buffer per chunk and
   * collects no garbage on the same cores while the command is timed (counted here, the 700 MB of
   * `get -A -o ndjson --snapshot` took 0.5 s longer, 1.4 s with 1.2 GB live in this heap); counted
   * here only when wc is missing.
   */
  stdout?: 'ignore' | 'keep' | 'count';
  /** Exit codes that are an answer, not a failure (an audit exits 1 when it finds something). */
  acceptExit?: readonly number[];
  /** A module node children preload to report their peak RSS when /usr/bin/time is missing (see withRssReporter). */
  rssPreload?: string;
}

/** Runs one command as a child and measures it; rejects when it exits non-zero (unless accepted). */
export function measure(command: string[], options: MeasureOptions = {}): Promise<Measurement> {
  const useTime = existsSync(TIME_BINARY);
  const [binary, ...args] = command as [string, ...string[]];
  const argv = useTime ? [TIME_BINARY, '-f', 'kreg-bench %e %M', binary, ...args] : [binary, ...args];
  if (!useTime && options.rssPreload !== undefined && binary === process.execPath) argv.splice(1, 0, '--import', options.rssPreload);
  const stdoutMode = options.stdout ?? 'ignore';
  const counter = stdoutMode === 'count' && existsSync(WC_BINARY) ? spawn(WC_BINARY, ['-l'], { stdio: ['pipe', 'pipe', 'ignore'] }) : undefined;
  const counted = counter === undefined ? undefined : countOutput(counter);
  return new Promise((done, fail) => {
    const started = performance.now();
    const stdout = counter?.stdin ?? (stdoutMode === 'ignore' ? 'ignore' : 'pipe');
    const child = spawn(argv[0] as string, argv.slice(1), { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', stdout, 'pipe'] });
    // The child holds its own copy of the pipe's write end; wc sees the end of input when the child exits.
    counter?.stdin?.destroy();
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
      (counted ?? Promise.resolve(lines)).then((n) => finish(code, wall, n), fail);
    });
    const finish = (code: number | null, wall: number, newlines: number): void => {
      const exitCode = code ?? 1;
      if (exitCode !== 0 && !(options.acceptExit ?? []).includes(exitCode)) {
        fail(new Error(`${command.join(' ')} failed (exit ${exitCode}): ${err.trim()}`));
        return;
      }
      const timed = /kreg-bench ([\d.]+) (\d+)\s*$/.exec(err);
      const reported = /kreg-bench-maxrss (\d+)\s*$/.exec(err);
      const maxRssKiB = timed !== null ? Number(timed[2]) : reported !== null ? Number(reported[1]) : undefined;
      done({ seconds: timed !== null ? Number(timed[1]) : wall, maxRssKiB, stdout: Buffer.concat(out).toString('utf8'), lines: newlines, exitCode, stderrTail: err });
    };
  });
}

/** The number `wc -l` prints when its input ends. */
function countOutput(counter: ChildProcessByStdio<Writable, Readable, null>): Promise<number> {
  return new Promise((done, fail) => {
    let text = '';
    counter.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    counter.once('error', fail);
    counter.once('close', (code) => (code === 0 ? done(Number.parseInt(text.trim(), 10)) : fail(new Error(`wc -l exited with ${code}`))));
  });
}

/** Runs `body` with a temp module that makes a node child print its peak RSS on exit (for measure's rssPreload). */
export async function withRssReporter<T>(body: (preload: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kreg-bench-rss-'));
  try {
    const preload = join(dir, 'report-maxrss.mjs');
    await writeFile(preload, "process.on('exit', () => process.stderr.write(`kreg-bench-maxrss ${process.resourceUsage().maxRSS}\\n`));\n");
    return await body(preload);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fastest and slowest of a reader's runs, printed beside their median (a target near its line may be decided by one slow minute); empty for one run. */
export function spreadText(seconds: readonly number[]): string {
  return seconds.length < 2 ? '' : `${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)} s`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Peak RSS as the benches print it: MiB, or n/a. */
export function rssText(maxRssKiB: number | undefined): string {
  return maxRssKiB === undefined ? 'n/a' : `${(maxRssKiB / 1024).toFixed(0)} MiB`;
}

/** Rows under a header, the first column left-aligned and the others right-aligned. */
export function formatBenchTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}
