/** Reading a command's input: a file, or standard input for "-" or no argument. */
import { readFile } from 'node:fs/promises';
import { KregError, UsageError } from '../errors.js';
import type { CliIo } from './io.js';

export const STDIN_NAME = 'standard input';

export async function readInput(io: CliIo, file: string | undefined): Promise<{ bytes: Uint8Array; name: string }> {
  if (file === undefined || file === '-') {
    if (io.stdin.isTTY) {
      throw new UsageError('no-input', 'reading standard input, which is a terminal: pipe a value in (etcdctl get KEY --print-value-only | kreg decode) or name a file');
    }
    return { bytes: await io.stdin.readAll(), name: STDIN_NAME };
  }
  try {
    return { bytes: new Uint8Array(await readFile(file)), name: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KregError('read-failed', code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`, { file }, { cause: err });
  }
}
