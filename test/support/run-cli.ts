/**
 * Runs kreg as a user would. `runKreg` runs the real parser and commands in this process, with
 * buffers for the streams (fast: no Node start-up per call); `runKregBinary` spawns bin/kreg.js,
 * for the few tests that are about the process itself (exit codes, signals, pipes).
 */
import { spawn } from 'node:child_process';
import type { CliIo, OutputStream } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { EntrySource } from '../../src/sources/source.js';
import { REPO_ROOT } from './shared-data.js';

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  input?: Uint8Array | string;
  env?: NodeJS.ProcessEnv;
  /** Pretend stdout is a terminal of this width. */
  stdoutColumns?: number;
  /** Read this source instead of the etcd or file the flags name (e.g. a MemorySource). */
  source?: EntrySource;
  /**
   * Keep what is written to stdout as given, read only once kreg is done, as a pipe's stream
   * holds its queued chunks (by default each chunk is copied when written, and said to be
   * written): bytes kreg lends to stdout and changes or hands away afterwards show up as wrong
   * output.
   */
  stdoutHoldsChunks?: boolean;
}

function bufferStream(chunks: Buffer[], columns: number | undefined, holdsChunks = false): OutputStream {
  return {
    // A chunk copied is done with at once; one held never is (as a pipe that is not read).
    write: (chunk, written) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, 'utf8'));
      else if (holdsChunks) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      else {
        chunks.push(Buffer.from(chunk));
        written?.();
      }
    },
    isTTY: columns !== undefined,
    columns,
  };
}

export async function runKreg(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const input = options.input ?? '';
  const io: CliIo = {
    stdout: bufferStream(out, options.stdoutColumns, options.stdoutHoldsChunks),
    stderr: bufferStream(err, undefined),
    stdin: { isTTY: false, readAll: () => Promise.resolve(typeof input === 'string' ? new Uint8Array(Buffer.from(input, 'utf8')) : input) },
    env: { ...process.env, ...options.env },
  };
  const { source } = options;
  const code = await main(args, io, source === undefined ? {} : { openSource: () => Promise.resolve(source) });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

export function runKregBinary(args: string[], options: { input?: Uint8Array | string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}bin/kreg.js`, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(options.input ?? '');
  });
}
