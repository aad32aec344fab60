/**
 * The kreg command line. Each command is a yargs CommandModule made for one run (it closes over the
 * run's context: streams, environment, exit code); handlers parse, open a source, call the core
 * and print. Errors are printed here, once, as one line (with the stack only under --debug).
 */
import yargs, { type Argv } from 'yargs';
import { KregError, UsageError } from '../errors.js';
import { decodeCommand } from './commands/decode.js';
import { diffCommand } from './commands/diff.js';
import { encodeCommand } from './commands/encode.js';
import { getCommand } from './commands/get.js';
import { historyCommand } from './commands/history.js';
import { keysCommand } from './commands/keys.js';
import { lsCommand } from './commands/ls.js';
import { snapshotCommand } from './commands/snapshot.js';
import type { CliIo, CommandContext } from './io.js';

export function buildParser(ctx: CommandContext): Argv {
  return yargs()
    .scriptName('kreg')
    .usage('$0 <command> [options]\n\nShows what Kubernetes really keeps in etcd.')
    .command(decodeCommand(ctx))
    .command(diffCommand(ctx))
    .command(encodeCommand(ctx))
    .command(getCommand(ctx))
    .command(historyCommand(ctx))
    .command(keysCommand(ctx))
    .command(lsCommand(ctx))
    .command(snapshotCommand(ctx))
    .middleware(restoreStdinDash, true)
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces with errors' })
    .demandCommand(1, 'name a command (kreg --help lists them)')
    // kubectl and etcdctl take the last of a repeated flag (-o yaml -o json is json).
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(120, ctx.io.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError('usage', message);
    });
}

/** One line for an error: what failed and the key, file or endpoint it concerns. */
export function describeError(err: unknown): string {
  if (err instanceof KregError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The exit code an error ends the run with: its own (kreg diff uses 2), else 1. */
function exitCodeOf(err: unknown): number {
  const own = err instanceof KregError ? (err as KregError & { exitCode?: unknown }).exitCode : undefined;
  return typeof own === 'number' ? own : 1;
}

/**
 * Short options glued to their value, as kubectl takes them (-nshop, -oyaml): yargs would read
 * "-nshop" as -n -s -h -o -p, i.e. a request for help. Split them before yargs sees them.
 */
const SHORT_OPTIONS_WITH_VALUES = new Set(['n', 'o']);

export function splitGluedShortOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const letter = arg.length > 2 && arg[0] === '-' && arg[1] !== '-' ? arg[1] : undefined;
    if (letter !== undefined && SHORT_OPTIONS_WITH_VALUES.has(letter)) out.push(`-${letter}`, arg[2] === '=' ? arg.slice(3) : arg.slice(2));
    else out.push(arg);
  }
  return out;
}

/**
 * A lone "-" (standard input) as a positional: yargs re-parses positionals as "--file -", and
 * yargs-parser takes that "-" for a flag and leaves "" (yargs/yargs#1312, still open). So "-" is
 * passed through the parser as a token no argument can hold (NUL cannot be in a file name or
 * flag) and put back before validation.
 */
const STDIN_DASH = '\u0000-';

function protectStdinDash(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => (arg === '-' && (end < 0 || i < end) ? STDIN_DASH : arg));
}

function restoreStdinDash(args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) {
    if (value === STDIN_DASH) args[name] = '-';
    else if (Array.isArray(value) && value.includes(STDIN_DASH)) args[name] = value.map((v: unknown) => (v === STDIN_DASH ? '-' : v));
  }
}

/** Runs kreg with these arguments; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0, debug: argv.includes('--debug') };
  try {
    let output = '';
    await buildParser(ctx).parseAsync(protectStdinDash(splitGluedShortOptions(argv)), {}, (err, _args, text) => {
      if (err !== null && err !== undefined) throw err;
      output = text;
    });
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return ctx.exitCode;
  } catch (err) {
    io.stderr.write(`kreg: ${describeError(err)}\n`);
    if (ctx.debug && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}
