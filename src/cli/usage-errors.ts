/**
 * Command-line mistakes said the way kubectl says them: `unknown command "gett" for "kreg"` with a
 * suggestion, `unknown flag: --foo`, `invalid output format "yml": use one of ...`, each with a
 * pointer to the right --help.
 *
 * yargs reports mistakes as English sentences. Rather than parse those, kreg replaces yargs'
 * strings (updateStrings) with fields separated by a control character, so each failure arrives
 * as a code and its values; the wording is made here.
 */
import { UsageError } from '../errors.js';

const SEP = '\u0001';
const marked = (code: string, fields: number): string => SEP + [code, ...Array<string>(fields).fill('%s')].join(SEP) + SEP;
const plural = (code: string, fields: number) => ({ one: marked(code, fields), other: marked(code, fields) });

/** For yargs' updateStrings: each failure message becomes "\u0001code\u0001field…". */
export const YARGS_FAILURE_STRINGS: Record<string, string | { one: string; other: string }> = {
  'Unknown argument: %s': plural('unknown', 1),
  'Unknown command: %s': plural('unknown', 1),
  'Not enough non-option arguments: got %s, need at least %s': plural('too-few', 2),
  'Too many non-option arguments: got %s, maximum of %s': plural('too-many', 2),
  'Missing required argument: %s': plural('required', 1),
  'Missing argument value: %s': plural('needs-value', 1),
  'Not enough arguments following: %s': marked('needs-value', 1),
  'Invalid values:': `${SEP}invalid`,
  'Argument: %s, Given: %s, Choices: %s': marked('choice', 3),
  'Arguments %s and %s are mutually exclusive': marked('conflict', 2),
};

/** The commands kreg has: each name's usage line ("history <resource> [name]") and subcommands. */
export interface CommandTree {
  usage: string;
  commands: ReadonlyMap<string, CommandTree>;
}

/** Where on the command line the mistake is: the command path the arguments reached. */
interface Place {
  path: string[];
  node: CommandTree;
  /** A word given where a subcommand was expected, and not one. */
  unknownCommand?: string;
}

function locate(argv: readonly string[], root: CommandTree): Place {
  const path = ['kreg'];
  let node = root;
  for (const arg of argv) {
    if (arg === '--') break;
    // Options before a command are only kreg's booleans (--debug), so a word is always positional.
    if (arg.startsWith('-') && arg !== '-') continue;
    if (node.commands.size === 0) break;
    const next = node.commands.get(arg);
    if (next === undefined) return { path, node, unknownCommand: arg };
    path.push(arg);
    node = next;
  }
  return { path, node };
}

/** Levenshtein distance; kreg has a handful of command names, so the plain table is plenty. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** Names close to what was typed, as cobra suggests them: within two edits, or starting with it. */
export function suggestions(typed: string, names: Iterable<string>): string[] {
  const lower = typed.toLowerCase();
  return [...names].filter((n) => editDistance(lower, n) <= 2 || (lower.length > 0 && n.startsWith(lower)));
}

function unknownCommand(word: string, place: Place): UsageError {
  const where = place.path.join(' ');
  const near = suggestions(word, place.node.commands.keys());
  const hint = near.length === 0 ? '' : `\n\nDid you mean this?\n${near.map((n) => `\t${n}\n`).join('')}`;
  return new UsageError('unknown-command', `unknown command "${word}" for "${where}"${hint}${near.length === 0 ? '\n' : ''}\nRun '${where} --help' for usage.`);
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/, '$1');
}

/**
 * For `--help`, which yargs answers before checking anything: the error for a mistyped command
 * (`kreg help gett`), or undefined when the words name a command.
 */
export function unknownCommandIn(argv: readonly string[], root: CommandTree): UsageError | undefined {
  const place = locate(argv, root);
  return place.unknownCommand === undefined ? undefined : unknownCommand(place.unknownCommand, place);
}

/**
 * The UsageError for a yargs failure message. `argv` is the command line as given (to find the
 * word or flag at fault); `root` the command tree.
 */
export function usageErrorFor(message: string, argv: readonly string[], root: CommandTree): UsageError {
  const place = locate(argv, root);
  // A mistyped command comes first: yargs would only say the argument is unknown, or name no command.
  if (place.unknownCommand !== undefined) return unknownCommand(place.unknownCommand, place);
  const seeHelp = `\nSee '${place.path.join(' ')} --help' for usage.`;
  const usage = `${['kreg', ...place.path.slice(1, -1)].join(' ')} ${place.node.usage}`.trim();
  if (!message.startsWith(SEP)) return new UsageError('usage', `${message}${seeHelp}`);
  const [head = '', ...fields] = message.slice(1).split(SEP);
  switch (head.trim()) {
    case 'unknown': {
      const first = (fields[0] ?? '').split(', ')[0] ?? '';
      return new UsageError('unknown-flag', `${describeUnknown(unquote(first), argv)}${seeHelp}`);
    }
    case 'too-few': {
      if (place.node.commands.size > 0) {
        return new UsageError('missing-command', `missing command: "${place.path.join(' ')}" needs one of ${[...place.node.commands.keys()].join(', ')}${seeHelp}`);
      }
      const positionals = [...place.node.usage.matchAll(/<([^>]+)>/g)].map((m) => m[1] as string);
      const missing = positionals.slice(Number(fields[0] ?? 0));
      const what = missing.length === 0 ? 'an argument' : missing.map((m) => `<${m}>`).join(' ');
      return new UsageError('missing-argument', `missing ${what}: usage is ${usage}${seeHelp}`);
    }
    case 'too-many':
      return new UsageError('extra-argument', `too many arguments: "${place.path.join(' ')}" takes at most ${fields[1] ?? '?'}${seeHelp}`);
    case 'required':
      return new UsageError(
        'missing-flag',
        `required flag(s) ${(fields[0] ?? '')
          .split(', ')
          .map((f) => `"${f}"`)
          .join(', ')} not set${seeHelp}`,
      );
    case 'needs-value': {
      const name = fields[0] ?? '';
      const long = argv.some((a) => a === `--${name}`);
      return new UsageError('missing-value', `flag needs an argument: ${long || name.length > 1 ? `--${name}` : `'${name}' in -${name}`}${seeHelp}`);
    }
    case 'invalid': {
      // Each bad value follows as "choice", key, given, choices; the first one is enough.
      const at = fields.indexOf('choice');
      const [key = '', given = '', choices = ''] = fields.slice(at + 1, at + 4);
      const allowed = choices.split(', ').map(unquote).join(', ');
      const positional = new RegExp(`[<[]${key}(\\.\\.)?[>\\]]`).test(place.node.usage);
      const what = key === 'output' ? `invalid output format ${given}` : positional ? `invalid <${key}> ${given}` : `invalid value ${given} for --${key}`;
      return new UsageError('invalid-value', `${what}: use one of ${allowed}`);
    }
    case 'conflict':
      return new UsageError('conflicting-flags', `--${fields[0] ?? ''} and --${fields[1] ?? ''} cannot be used together${seeHelp}`);
    default:
      return new UsageError('usage', `${message.split(SEP).join(' ').trim()}${seeHelp}`);
  }
}

/** "unknown flag: --foo", or as cobra says it for letters: "unknown shorthand flag: 'y' in -yaml". */
function describeUnknown(name: string, argv: readonly string[]): string {
  if (argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))) return `unknown flag: --${name}`;
  if (name.length === 1) {
    const token = argv.find((a) => /^-[^-]/.test(a) && a.includes(name));
    if (token !== undefined) return `unknown shorthand flag: '${name}' in ${token}`;
  }
  if (name.length > 1 && argv.some((a) => a === `-${name}`)) return `unknown flag: -${name} (long flags take two dashes: --${name})`;
  return `unexpected argument "${name}"`;
}
