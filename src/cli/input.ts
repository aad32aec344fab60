/** Reading a command's input: a file, or standard input for "-" or no argument. */
import { readFile } from 'node:fs/promises';
import { KregError, UsageError } from '../errors.js';

export async function readInput(file: string | undefined): Promise<{ bytes: Uint8Array; name: string }> {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) {
      throw new UsageError('no-input', 'reading standard input, which is a terminal: pipe a value in (etcdctl get KEY --print-value-only | kreg decode) or name a file');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { bytes: new Uint8Array(Buffer.concat(chunks)), name: 'standard input' };
  }
  try {
    return { bytes: new Uint8Array(await readFile(file)), name: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KregError('read-failed', code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`, { file }, { cause: err });
  }
}
