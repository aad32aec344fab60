/**
 * Shell completion. Every shell's script asks kreg itself, through yargs' hidden entry
 * `kreg --get-yargs-completions WORDS…`, so commands, flags and choices come from the same parser
 * the run uses. yargs writes bash and zsh scripts itself but picks between them from $SHELL; kreg
 * takes the shell as an argument and writes its own (fish included), so `kreg completion fish`
 * works from any shell.
 */
import type { CommandModule } from 'yargs';
import { BUILTIN_RESOURCES } from '../keys/builtin-resources.js';
import type { CommandContext } from './io.js';
import { GET_FORMATS } from './object-writers.js';
import { COMMANDS } from './command-index.js';

/** yargs' hidden flag that answers completion requests. */
export const COMPLETION_FLAG = '--get-yargs-completions';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const SCRIPTS: Record<Shell, string> = {
  bash: `# kreg completion for bash. Load it with: source <(kreg completion bash)
_kreg_completions() {
    local cur_word="\${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\\n'
    local words
    words=($(kreg ${COMPLETION_FLAG} "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null))
    COMPREPLY=($(compgen -W "\${words[*]}" -- "\${cur_word}"))
}
complete -o bashdefault -o default -F _kreg_completions kreg
`,
  zsh: `#compdef kreg
# kreg completion for zsh. Load it with: source <(kreg completion zsh)
_kreg_completions() {
  local -a reply
  reply=("\${(@f)$(kreg ${COMPLETION_FLAG} "\${words[@]:0:CURRENT}" 2>/dev/null)}")
  if [[ -n "\${reply[1]}" ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
compdef _kreg_completions kreg
`,
  fish: `# kreg completion for fish. Install with: kreg completion fish > ~/.config/fish/completions/kreg.fish
function __kreg_completions
    kreg ${COMPLETION_FLAG} (commandline -opc) (commandline -ct) 2>/dev/null
end
complete -c kreg -f -a '(__kreg_completions)'
`,
};

export const completionCommand = (ctx: CommandContext): CommandModule<object, { shell: Shell | undefined }> => ({
  command: COMMANDS.completion.usage,
  describe: COMMANDS.completion.describe,
  builder: (y) => y.positional('shell', { choices: SHELLS, describe: 'the shell to complete in' }).example('source <(kreg completion bash)', 'complete kreg in this bash session'),
  handler: (args) => {
    // <shell> is required and checked against the choices: never undefined here.
    ctx.io.stdout.write(SCRIPTS[args.shell ?? 'bash']);
  },
});

/** Resource names and short names, for the word after `kreg get`, `kreg history` and `kreg keys for`. */
function resourceWords(): string[] {
  const words = new Set<string>();
  for (const r of BUILTIN_RESOURCES) {
    words.add(r.resource);
    for (const s of r.shortNames) words.add(s);
  }
  return [...words].sort();
}

const OUTPUT_COMPLETIONS = [...GET_FORMATS, 'jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='];

const TAKES_RESOURCE = new Set(['get', 'history', 'diff', 'keys for']);

type Completer = (current: string, argv: { _: (string | number)[]; output?: unknown }, defaults: (done?: (err: unknown, list: string[]) => void) => void, done: (list: string[]) => void) => void;

/** yargs' completion, plus resource names where a command takes a resource as its first argument. */
export const completeWords: Completer = (current, argv, defaults, done) => {
  // argv._ holds the program name, the command words, then the word being completed.
  const words = argv._.map(String).slice(1);
  const typed = words[words.length - 1] === current ? words.slice(0, -1) : words;
  const command = typed[0] === 'keys' ? typed.slice(0, 2).join(' ') : typed[0];
  const positionals = typed.length - (command?.split(' ').length ?? 0);
  // get's -o takes templates (jsonpath=...), so it has no yargs choices to complete from.
  if (command === 'get' && argv.output === current) {
    done(OUTPUT_COMPLETIONS.filter((w) => w.startsWith(current)));
    return;
  }
  if (command !== undefined && TAKES_RESOURCE.has(command) && positionals === 0 && !current.startsWith('-')) {
    done(resourceWords().filter((w) => w.startsWith(current)));
    return;
  }
  defaults();
};
