/**
 * The yargs parser with kreg's commands. Loaded by main only when a run needs it (everything but
 * a bare --version), so the binary's start-up does not pay for yargs and the commands then.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { COMMANDS, commandNamed, type CommandEntry } from './command-index.js';
import type { CommandContext } from './io.js';
import { helpWidth } from './io.js';
import { unknownCommandIn, usageErrorFor, YARGS_FAILURE_STRINGS, type CommandTree } from './usage-errors.js';
import { DEBUG_OPTION_DESCRIPTION, TOP_LEVEL_USAGE } from './top-level-help.js';
import { versionText } from './version.js';

const COMPLETION_REQUEST = '--get-yargs-completions';

/**
 * kreg's commands, in the order help lists them: the module of the command the run names (all of
 * them when completing), and for the others only their usage and description, which is all that
 * help and "did you mean" need.
 */
export async function commandModules(ctx: CommandContext, argv: readonly string[]): Promise<CommandModule<object, never>[]> {
  const named = commandNamed(argv);
  const completing = argv.includes(COMPLETION_REQUEST);
  return Promise.all(
    (Object.entries(COMMANDS) as [string, CommandEntry][]).map(async ([name, entry]) =>
      completing || name === named ? (await entry.load())(ctx) : { command: entry.usage, describe: entry.describe, handler: () => undefined },
    ),
  );
}

export async function buildParser(ctx: CommandContext, argv: readonly string[] = []): Promise<Argv> {
  const modules = await commandModules(ctx, argv);
  // The hidden entry the completion scripts call (kreg completion SHELL prints them), when asked.
  const completeWords = argv.includes(COMPLETION_REQUEST) ? (await import('./completion.js')).completeWords : undefined;
  let parser = yargs()
    .scriptName('kreg')
    .usage(TOP_LEVEL_USAGE)
    // Messages in one language, so that usage-errors can read them.
    .detectLocale(false)
    .updateStrings(YARGS_FAILURE_STRINGS as Record<string, string>);
  for (const m of modules) parser = parser.command(m);
  if (completeWords !== undefined) parser = parser.completion('__yargs-completion-script', false, completeWords as never);
  return (
    parser
      .middleware(restoreStdinDash, true)
      .middleware(lastOfRepeatedFlags, true)
      .option('debug', { type: 'boolean', default: false, describe: DEBUG_OPTION_DESCRIPTION })
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
      })
  );
}

/**
 * The command names and usage lines, read from the modules: each builder is run against a
 * stand-in that only records the subcommands it declares. Done only when a mistake is reported.
 */
export function commandTree(modules: readonly CommandModule<object, never>[]): CommandTree {
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

/**
 * A lone "-" (standard input) as a positional: yargs re-parses positionals as "--file -", and
 * yargs-parser takes that "-" for a flag and leaves "" (yargs/yargs#1312, still open). So "-" is
 * passed through the parser as a token no argument can hold (NUL cannot be in a file name or
 * flag) and put back before validation.
 */
const STDIN_DASH = '\u0000-';

export function protectStdinDash(argv: readonly string[]): string[] {
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

/** What main needs of this module, in one call: it is imported dynamically. */
export async function parse(ctx: CommandContext, args: string[]): Promise<string> {
  if (args.includes('--help') || args.includes('-h')) {
    const mistake = unknownCommandIn(args, commandTree(await commandModules(ctx, args)));
    if (mistake !== undefined) throw mistake;
  }
  let output = '';
  await (await buildParser(ctx, args)).parseAsync(protectStdinDash(args), {}, (err, _args, text) => {
    if (err !== null && err !== undefined) throw err;
    output = text;
  });
  return output;
}
