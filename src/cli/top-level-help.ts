/**
 * `kreg --help` without yargs: the list of commands and the global options, laid out as yargs lays
 * out its help. Loading yargs and building its help costs about a third of a bare node's start-up,
 * and this is the one screen a new user sees first. Every other help text still comes from yargs;
 * a test checks that this one matches it at every width.
 */
import { COMMANDS } from './command-index.js';
import { HelpLayout } from './help-layout.js';

export const TOP_LEVEL_USAGE = '$0 <command> [options]\n\nShows what Kubernetes really keeps in etcd.';
export const DEBUG_OPTION_DESCRIPTION = 'print stack traces with errors';

/** The global options as yargs lists them: switch, description, type and default. */
const GLOBAL_OPTIONS: readonly { switches: string; long: boolean; describe: string; extra: string }[] = [
  { switches: '--debug', long: true, describe: DEBUG_OPTION_DESCRIPTION, extra: '[boolean] [default: false]' },
  { switches: '-h, --help', long: false, describe: 'Show help', extra: '[boolean]' },
  { switches: '--version', long: true, describe: 'Show version number', extra: '[boolean]' },
];

/** Long-only switches are indented to line up with "-h, --help" (yargs: '-x, '.length). */
const LONG_ONLY_INDENT = 4;

export function topLevelHelp(width: number): string {
  const ui = new HelpLayout(width);
  const half = Math.floor(width * 0.5);
  ui.div({ text: TOP_LEVEL_USAGE.replace(/\$0/g, 'kreg') });
  ui.div();

  ui.div('Commands:');
  const commands = Object.values(COMMANDS).map((c) => [`kreg ${c.usage}`, c.describe] as const);
  const commandWidth = Math.min(half, Math.max(...commands.map(([usage]) => usage.length))) + 4;
  for (const [usage, describe] of commands) {
    ui.span({ text: usage, padding: [0, 2, 0, 2], width: commandWidth }, describe);
    ui.div();
  }
  ui.div();

  ui.div('Options:');
  const indentOf = (o: (typeof GLOBAL_OPTIONS)[number]): number => (o.long ? LONG_ONLY_INDENT : 0);
  const switchWidth = Math.min(half, Math.max(...GLOBAL_OPTIONS.map((o) => o.switches.length + indentOf(o)))) + 4;
  for (const option of GLOBAL_OPTIONS) {
    ui.span({ text: option.switches, padding: [0, 2, 0, 2 + indentOf(option)], width: switchWidth }, option.describe);
    ui.div({ text: option.extra, padding: [0, 0, 0, 2], align: 'right' });
  }
  ui.div();
  return ui.toString().replace(/\s*$/, '');
}
