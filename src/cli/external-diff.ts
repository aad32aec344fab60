/**
 * The diff program, run as kubectl diff runs it: each object written into a FROM and a TO temp dir
 * under the same file name, then `diff -u -N FROM TO`, or $KUBECTL_EXTERNAL_DIFF split on spaces
 * (its arguments kept only when they pass kubectl's check) with the two dirs appended. Its output
 * goes to the run's own streams (ctx.io), coloured on a terminal as a colouring pager would.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiffError } from '../diff/errors.js';
import type { CliIo } from './io.js';

/** One file pair: its name in both dirs and the text on each side (absent: no file on that side). */
export interface DiffFile {
  name: string;
  from?: string | undefined;
  to?: string | undefined;
}

/** kubectl's check on the words of KUBECTL_EXTERNAL_DIFF after the command. */
const SAFE_ARG = /^[a-zA-Z0-9-=]+$/;

/** The program and its arguments (the two dirs still to be appended). */
export function diffProgram(env: CliIo['env']): { command: string; args: string[]; external: boolean } {
  const external = env['KUBECTL_EXTERNAL_DIFF'];
  if (external === undefined || external.trim() === '') return { command: 'diff', args: ['-u', '-N'], external: false };
  const words = external.trim().split(/\s+/);
  return { command: words[0] as string, args: words.slice(1).filter((w) => SAFE_ARG.test(w)), external: true };
}

/**
 * Writes the files and runs the diff program over the two dirs; resolves to its exit code, 0 (no
 * differences) or 1 (differences). A program that cannot start or exits above 1 is a DiffError.
 */
export async function runExternalDiff(io: CliIo, files: readonly DiffFile[]): Promise<number> {
  const base = await mkdtemp(join(tmpdir(), 'kreg-diff-'));
  try {
    const fromDir = join(base, 'from');
    const toDir = join(base, 'to');
    await mkdir(fromDir);
    await mkdir(toDir);
    for (const file of files) {
      if (file.from !== undefined) await writeFile(join(fromDir, file.name), file.from);
      if (file.to !== undefined) await writeFile(join(toDir, file.name), file.to);
    }
    const program = diffProgram(io.env);
    // On a terminal, diff's own output is coloured here (as kubectl diff with a colouring pager).
    const colour = io.stdout.isTTY && !program.external && io.env['NO_COLOR'] === undefined;
    const code = await run(io, program.command, [...program.args, fromDir, toDir], colour);
    if (code > 1) throw new DiffError('diff-program', `${program.command} exited with status ${code}`);
    return code;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

function run(io: CliIo, command: string, args: string[], colour: boolean): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // Both streams pass through the run's own, so the output lands where kreg's does.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...io.env } });
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!colour) {
        io.stdout.write(chunk);
        return;
      }
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      io.stdout.write(lines.map((l) => `${colourLine(l)}\n`).join(''));
    });
    child.stdout.on('end', () => {
      if (pending !== '') io.stdout.write(colourLine(pending));
    });
    child.on('error', (err) => reject(new DiffError('diff-program', `cannot run ${command}: ${err.message}`)));
    child.on('close', (c, signal) => resolve(c ?? (signal === null ? 2 : 128)));
  });
}

function colourLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ')) return `\u001b[1m${line}\u001b[0m`;
  if (line.startsWith('+')) return `\u001b[32m${line}\u001b[0m`;
  if (line.startsWith('-')) return `\u001b[31m${line}\u001b[0m`;
  if (line.startsWith('@@')) return `\u001b[36m${line}\u001b[0m`;
  return line;
}
