/**
 * The kreg command line. Each command is a yargs CommandModule made for one run (it closes over the
 * run's context: streams, environment, exit code); handlers parse, open a source, call the core
 * and print. Errors are printed here, once, as one line (with the stack only under --debug).
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { KregError } from '../errors.js';
import { decodeCommand } from './commands/decode.js';
import { completeWords, completionCommand } from './completion.js';
import { diffCommand } from './commands/diff.js';
import { encodeCommand } from './commands/encode.js';
import { getCommand } from './commands/get.js';
import { historyCommand } from './commands/history.js';
import { keysCommand } from './commands/keys.js';
import { lsCommand } from './commands/ls.js';
import { snapshotCommand } from './commands/snapshot.js';
import type { CliIo, CommandContext } from './io.js';
import { openSource } from './options.js';
import { unknownCommandIn, usageErrorFor, YARGS_FAILURE_STRINGS, type CommandTree } from './usage-errors.js';
import { versionText } from './version.js';

/** kreg's commands, in the order help lists them. */
function commandModules(ctx: CommandContext): CommandModule<object, never>[] {
  return [completionCommand, decodeCommand, diffCommand, encodeCommand, getCommand, historyCommand, keysCommand, lsCommand, snapshotCommand].map(
    (make) => (make as (c: CommandContext) => CommandModule<object, never>)(ctx),
  );
}

export function buildParser(ctx: CommandContext, argv: readonly string[] = []): Argv {
  const modules = commandModules(ctx);
  let parser = yargs()
    .scriptName('kreg')
    .usage('$0 <command> [options]\n\nShows what Kubernetes really keeps in etcd.')
    // Messages in one language, so that usage-errors can read them.
    .detectLocale(false)
    .updateStrings(YARGS_FAILURE_STRINGS as Record<string, string>);
  for (const m of modules) parser = parser.command(m);
  return parser
    // The hidden entry the completion scripts call (kreg completion SHELL prints them).
    .completion('__yargs-completion-script', false, completeWords as never)
    .middleware(restoreStdinDash, true)
    .middleware(lastOfRepeatedFlags, true)
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces with errors' })
    .demandCommand(1, 'no command given')
    .strict()
    .help()
    .alias('help', 'h')
    // Read only when asked: it reads package.json and the bundle's header.
    .version(argv.includes('--version') ? versionText() : 'kreg')
    .wrap(helpWidth(ctx.io))
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      // Errors from handlers pass through; yargs' own (YError: a flag without its value) are usage mistakes.
      if (error !== undefined && error !== null && error.name !== 'YError') throw error;
      throw usageErrorFor(message ?? error?.message ?? '', argv, commandTree(modules));
    });
}

/**
 * The command names and usage lines, read from the modules: each builder is run against a
 * stand-in that only records the subcommands it declares. Done only when a mistake is reported.
 */
function commandTree(modules: readonly CommandModule<object, never>[]): CommandTree {
  const commands = new Map<string, CommandTree>();
  for (const m of modules) {
    const usage = String(Array.isArray(m.command) ? m.command[0] : m.command);
    const nested: CommandModule<object, never>[] = [];
    if (typeof m.builder === 'function') {
      const recorder: object = new Proxy(() => undefined, {
        get: (_target, name) =>
          name === 'command'
            ? (sub: CommandModule<object, never>) => {
                nested.push(sub);
                return recorder;
              }
            : () => recorder,
      });
      try {
        (m.builder as (y: unknown) => unknown)(recorder);
      } catch {
        // A builder that needs a real parser just has no subcommands listed.
      }
    }
    commands.set(usage.split(' ')[0] as string, { usage, commands: commandTree(nested).commands });
  }
  return { usage: '<command>', commands };
}

/** Help fits the terminal (at most 120 columns); piped, a fixed 100. */
function helpWidth(io: CliIo): number {
  return Math.min(120, io.stdout.columns ?? 100);
}

const HINTS = /^(.*\S)(\[(?:string|boolean|number|array|count|required|default|choices|aliases|deprecated)\b.*\])$/;

/**
 * cliui (under yargs) joins a description that fills its column to the "[string] [default: …]"
 * hints with no space ("errors[boolean]"). Such hints go on their own line, right-aligned, as
 * cliui does when they do not fit.
 */
export function separateGluedHints(help: string, width: number): string {
  return help
    .split('\n')
    .map((line) => {
      const m = HINTS.exec(line);
      return m === null ? line : `${m[1] as string}\n${(m[2] as string).padStart(width)}`;
    })
    .join('\n');
}

/** One line for an error: what failed and the key, file or endpoint it concerns. */
export function describeError(err: unknown): string {
  if (err instanceof KregError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The exit code an error ends the run with: its own, else 1; but any error of kreg diff is 2, as
 * kubectl diff's are, since 1 there means "differences found" to a script.
 */
function exitCodeOf(err: unknown, argv: readonly string[]): number {
  const own = err instanceof KregError ? (err as KregError & { exitCode?: unknown }).exitCode : undefined;
  if (typeof own === 'number') return own;
  return argv.find((arg) => !arg.startsWith('-')) === 'diff' ? 2 : 1;
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

/**
 * kubectl and etcdctl take the last of a repeated single-valued flag (-o yaml -o json is json);
 * flags that take lists (--ignore) keep every value. yargs collects both kinds into arrays.
 */
function lastOfRepeatedFlags(args: Record<string, unknown>, parser?: unknown): void {
  // yargs passes itself as the second argument; its typings leave both that and getOptions out.
  const lists = new Set((parser as { getOptions?: () => { array: string[] } } | undefined)?.getOptions?.().array ?? []);
  for (const [name, value] of Object.entries(args)) {
    if (Array.isArray(value) && !lists.has(name) && name !== '_' && name !== '$0') args[name] = value[value.length - 1];
  }
}

/** `kreg help [command…]` is `kreg [command…] --help`, as in kubectl. */
function helpCommandAsFlag(argv: string[]): string[] {
  return argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
}

export interface MainOptions {
  /** Where entries come from instead of the etcd or file the flags name (tests: a MemorySource). */
  openSource?: CommandContext['openSource'];
}

/** Runs kreg with these arguments; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, options: MainOptions = {}): Promise<number> {
  const ctx: CommandContext = { io, exitCode: 0, debug: argv.includes('--debug'), openSource: options.openSource ?? openSource };
  try {
    let output = '';
    const args = helpCommandAsFlag(splitGluedShortOptions(argv));
    if (args.includes('--help') || args.includes('-h')) {
      const mistake = unknownCommandIn(args, commandTree(commandModules(ctx)));
      if (mistake !== undefined) throw mistake;
    }
    await buildParser(ctx, args).parseAsync(protectStdinDash(args), {}, (err, _args, text) => {
      if (err !== null && err !== undefined) throw err;
      output = text;
    });
    output = separateGluedHints(output, helpWidth(io));
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return ctx.exitCode;
  } catch (err) {
    io.stderr.write(`kreg: ${describeError(err)}\n`);
    if (ctx.debug && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err, argv);
  }
}
