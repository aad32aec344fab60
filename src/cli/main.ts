/**
 * The kreg command line. Each command is a typed yargs CommandModule whose handler reads its
 * arguments, builds a source, calls the core and prints; errors are printed here, once, as one
 * line (with the stack only under --debug), and set a non-zero exit code.
 */
import yargs from 'yargs';
import { KregError } from '../errors.js';
import { decodeCommand } from './commands/decode.js';
import { diffCommand } from './commands/diff.js';
import { encodeCommand } from './commands/encode.js';
import { getCommand } from './commands/get.js';
import { historyCommand } from './commands/history.js';
import { keysCommand } from './commands/keys.js';
import { lsCommand } from './commands/ls.js';
import { snapshotCommand } from './commands/snapshot.js';

export function buildParser(argv: string[]) {
  return yargs(argv)
    .scriptName('kreg')
    .usage('$0 <command> [options]\n\nShows what Kubernetes really keeps in etcd.')
    .command(decodeCommand)
    .command(diffCommand)
    .command(encodeCommand)
    .command(getCommand)
    .command(historyCommand)
    .command(keysCommand)
    .command(lsCommand)
    .command(snapshotCommand)
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces with errors' })
    .demandCommand(1, 'name a command (kreg --help lists them)')
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail(false);
}

/** One line for an error: what failed and the key, file or endpoint it concerns. */
export function describeError(err: unknown): string {
  if (err instanceof KregError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Exit code for failures; kreg diff uses 1 for "differences found", so errors are 2 there. */
export async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  // A reader that goes away (kreg get ... | head) is not an error: stop quietly, as kubectl does.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await buildParser(argv).parseAsync();
  } catch (err) {
    process.stderr.write(`kreg: ${describeError(err)}\n`);
    if (debug && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof KregError && typeof (err as KregError & { exitCode?: number }).exitCode === 'number' ? (err as KregError & { exitCode: number }).exitCode : 1;
  }
}
