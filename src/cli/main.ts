/**
 * The kreg command line. Each command is a yargs CommandModule made for one run (it closes over the
 * run's context: streams, environment, exit code); handlers parse, open a source, call the core
 * and print. Errors are printed here, once, as one line (with the stack only under --debug).
 */
import { KregError, UsageError } from '../errors.js';
import { commandNamed } from './command-index.js';
import { helpWidth, type CliIo, type CommandContext, type OutputStream } from './io.js';
import { topLevelHelp } from './top-level-help.js';
import { versionText } from './version.js';
import { warmStart } from './warm-start.js';

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
  return commandNamed(argv) === 'diff' ? 2 : 1;
}

/**
 * Short options glued to their value, as kubectl takes them (-nshop, -oyaml): yargs would read
 * "-nshop" as -n -s -h -o -p, i.e. a request for help. Split them before yargs sees them.
 */
const SHORT_OPTIONS_WITH_VALUES = new Set(['n', 'o', 'l', 'L']);
/** Every short flag kreg has; a glued group starting with another letter is a mistake (kubectl: -yaml). */
const SHORT_FLAGS = new Set([...SHORT_OPTIONS_WITH_VALUES, 'A', 'h']);

export function splitGluedShortOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const letter = arg.length > 2 && arg[0] === '-' && arg[1] !== '-' && !/^-\d/.test(arg) ? arg[1] : undefined;
    if (letter !== undefined && SHORT_OPTIONS_WITH_VALUES.has(letter)) out.push(`-${letter}`, arg[2] === '=' ? arg.slice(3) : arg.slice(2));
    else if (letter !== undefined && !SHORT_FLAGS.has(letter)) {
      const command = argv.slice(0, i).find((word) => !word.startsWith('-'));
      throw new UsageError('usage', `unknown shorthand flag: '${letter}' in ${arg}\nSee 'kreg${command === undefined ? '' : ` ${command}`} --help' for usage.`);
    } else out.push(arg);
  }
  return out;
}

/** `kreg help [command…]` is `kreg [command…] --help`, as in kubectl. */
function helpCommandAsFlag(argv: string[]): string[] {
  return argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
}

export interface MainOptions {
  /** Where entries come from instead of the etcd or file the flags name (tests: a MemorySource). */
  openSource?: CommandContext['openSource'];
}

/** The etcd, snapshot or file the flags name; options.js is loaded with the commands, not for --version. */
const openSourceNamedByFlags: CommandContext['openSource'] = async (args, io, opening) => (await import('./options.js')).openSource(args, io, opening);

/** Runs kreg with these arguments; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], given: CliIo, options: MainOptions = {}): Promise<number> {
  const { io, written } = countingStdout(given);
  const ctx: CommandContext = { io, exitCode: 0, debug: argv.includes('--debug'), openSource: options.openSource ?? openSourceNamedByFlags };
  try {
    const args = helpCommandAsFlag(splitGluedShortOptions(argv));
    // A bare --version is answered here: yargs and the commands are not loaded for it.
    let output: string;
    if (args.length === 1 && args[0] === '--version') output = versionText();
    // So is a bare --help: the first screen a new user sees is laid out without loading yargs.
    else if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) output = topLevelHelp(helpWidth(io));
    else {
      // Sources a test hands in are not files: nothing to start early for them.
      if (options.openSource === undefined) warmStart(args);
      output = await (await import('./parser.js')).parse(ctx, args);
    }
    output = separateGluedHints(output, helpWidth(io));
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return ctx.exitCode;
  } catch (err) {
    io.stderr.write(`kreg: ${describeError(err)}\n`);
    if (ctx.debug && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
    const code = exitCodeOf(err, argv);
    // A listing that failed half-way has printed part of its output: say so, with its own exit code.
    if (written() > 0 && code === 1) {
      io.stderr.write('kreg: the output above is incomplete\n');
      return PARTIAL_OUTPUT_EXIT_CODE;
    }
    return code;
  }
}

/** The exit code of a run that failed after printing part of its output (1 is a failure with none). */
export const PARTIAL_OUTPUT_EXIT_CODE = 3;

/** The streams with stdout counted, so that a failure can tell whether output had begun. */
function countingStdout(io: CliIo): { io: CliIo; written: () => number } {
  let bytes = 0;
  const { stdout } = io;
  const counted: OutputStream = {
    write: (chunk, written) => {
      bytes += chunk.length;
      stdout.write(chunk, written);
    },
    get isTTY() {
      return stdout.isTTY;
    },
    get columns() {
      return stdout.columns;
    },
    ready: () => stdout.ready?.(),
    ...(stdout.terminal === undefined ? {} : { terminal: stdout.terminal }),
  };
  return { io: { ...io, stdout: counted }, written: () => bytes };
}
