/**
 * The yargs parser with kreg's commands. Loaded by main only when a run needs it (everything but
 * a bare --version), so the binary's start-up does not pay for yargs and the commands then.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { auditCommand } from './commands/audit.js';
import { decodeCommand } from './commands/decode.js';
import { completeWords, completionCommand } from './completion.js';
import { diffCommand } from './commands/diff.js';
import { encodeCommand } from './commands/encode.js';
import { getCommand } from './commands/get.js';
import { historyCommand } from './commands/history.js';
import { keysCommand } from './commands/keys.js';
import { lsCommand } from './commands/ls.js';
import { snapshotCommand } from './commands/snapshot.js';
import type { CommandContext } from './io.js';
import { helpWidth } from './main.js';
import { unknownCommandIn, usageErrorFor, YARGS_FAILURE_STRINGS, type CommandTree } from './usage-errors.js';
import { versionText } from './version.js';

/** kreg's commands, in the order help lists them. */
export function commandModules(ctx: CommandContext): CommandModule<object, never>[] {
  return [auditCommand, completionCommand, decodeCommand, diffCommand, encodeCommand, getCommand, historyCommand, keysCommand, lsCommand, snapshotCommand].map((make) =>
    (make as (c: CommandContext) => CommandModule<object, never>)(ctx),
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
  return (
    parser
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
    const mistake = unknownCommandIn(args, commandTree(commandModules(ctx)));
    if (mistake !== undefined) throw mistake;
  }
  let output = '';
  await buildParser(ctx, args).parseAsync(protectStdinDash(args), {}, (err, _args, text) => {
    if (err !== null && err !== undefined) throw err;
    output = text;
  });
  return output;
}
