/**
 * kreg's commands as help lists them: usage, one-line description, and how to load the module.
 * A run loads only the module of the command it names, so `kreg --help` and a mistyped command pay
 * for none of the codec, tables or sources the commands import.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from './io.js';

type CommandFactory = (ctx: CommandContext) => CommandModule<object, never>;

export interface CommandEntry {
  /** yargs' command string: the name and its positionals. */
  usage: string;
  describe: string;
  load: () => Promise<CommandFactory>;
}

const as = (make: unknown): CommandFactory => make as CommandFactory;

/** In the order help lists them. */
export const COMMANDS = {
  audit: {
    usage: 'audit [command]',
    describe: 'Audit how the registry is stored: orphans, versions to migrate, oversized objects, encryption at rest (every audit when none is named)',
    load: async () => as((await import('./commands/audit.js')).auditCommand),
  },
  completion: { usage: 'completion <shell>', describe: 'Print a shell completion script (bash, zsh or fish)', load: async () => as((await import('./completion.js')).completionCommand) },
  decode: {
    usage: 'decode [file]',
    describe: 'Decode stored values (protobuf, JSON, CBOR) into the objects the API would return',
    load: async () => as((await import('./commands/decode.js')).decodeCommand),
  },
  diff: {
    usage: 'diff [resource] [name]',
    describe: 'Compare what etcd stores with the live API, a snapshot, or a directory of manifests (exit 0 same, 1 differences, 2 error)',
    load: async () => as((await import('./commands/diff.js')).diffCommand),
  },
  dump: {
    usage: 'dump [resources..]',
    describe: 'Write objects out as manifests (a YAML tree or one stream), optionally cleaned for kubectl apply, with a manifest of what was left out',
    load: async () => as((await import('./commands/dump.js')).dumpCommand),
  },
  du: {
    usage: 'du [resource]',
    describe: 'What fills etcd: bytes per resource, namespace, kind or owner, how much is managedFields and status, and the largest objects',
    load: async () => as((await import('./commands/du.js')).duCommand),
  },
  encode: {
    usage: 'encode [file]',
    describe: 'Encode a Kubernetes object (YAML or JSON) into the protobuf bytes kube-apiserver stores',
    load: async () => as((await import('./commands/encode.js')).encodeCommand),
  },
  get: { usage: 'get [resource] [names..]', describe: 'Read objects from etcd, decoded as the API would return them', load: async () => as((await import('./commands/get.js')).getCommand) },
  history: {
    usage: 'history <resource> [name]',
    describe: 'Every revision of one object etcd still holds (created, updated, deleted), as diffs',
    load: async () => as((await import('./commands/history.js')).historyCommand),
  },
  keys: {
    usage: 'keys <command>',
    describe: 'Map etcd keys to resources and REST paths (offline; explain and for can learn CRDs from --endpoints or --snapshot)',
    load: async () => as((await import('./commands/keys.js')).keysCommand),
  },
  ls: { usage: 'ls [prefix]', describe: 'The registry as a tree of resources, with object counts and stored bytes', load: async () => as((await import('./commands/ls.js')).lsCommand) },
  restore: {
    usage: 'restore <resource> [names..]',
    describe: 'Put objects of a backup back through the Kubernetes API (dry run unless --apply): create, unchanged, or conflict with its diff',
    load: async () => as((await import('./commands/restore.js')).restoreCommand),
  },
  snapshot: { usage: 'snapshot <command>', describe: 'Inspect etcd snapshot files', load: async () => as((await import('./commands/snapshot.js')).snapshotCommand) },
} satisfies Record<string, CommandEntry>;

/**
 * The command a run names: its first word that is one (flags and their values may come before it,
 * as in `kreg -n shop get pods`), skipping the script name when completing.
 */
export function commandNamed(argv: readonly string[]): keyof typeof COMMANDS | undefined {
  const words = argv.includes('--get-yargs-completions') ? argv.slice(argv.indexOf('--get-yargs-completions') + 2) : argv;
  return words.find((word): word is keyof typeof COMMANDS => Object.hasOwn(COMMANDS, word));
}
