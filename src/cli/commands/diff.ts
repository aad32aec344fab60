/**
 * kreg diff: what etcd stores against the live API, a backup, or a directory of manifests.
 *
 * This command parses, opens the two sides, calls the diff core and prints. The core, without I/O,
 * is in src/diff/: collect.ts picks and pairs the objects of both sides by (group, resource,
 * namespace, name), normalise.ts applies the comparison rules (no managedFields, --ignore paths,
 * no null fields, resourceVersion only where both sides have one, Secret data masked as kubectl
 * diff masks it), judge.ts calls each pair identical, changed or one-sided, summary.ts writes the
 * table. Differences are shown as kubectl diff shows them (src/cli/external-diff.ts): the two
 * versions in two temp dirs, files named <group.>version.Kind.namespace.name, and `diff -u -N FROM
 * TO` (or $KUBECTL_EXTERNAL_DIFF) run over the dirs. Exit codes are kubectl diff's: 0 no
 * differences, 1 differences, 2 an error.
 */
import type { CommandModule } from 'yargs';
import { collectPairs, onSide, select, type DiffSide, type SideLabel } from '../../diff/collect.js';
import { DiffError } from '../../diff/errors.js';
import { judge, judgeEncrypted, type Judged } from '../../diff/judge.js';
import { normalisePair, type NormaliseOptions } from '../../diff/normalise.js';
import { diffFileName, resourceName } from '../../diff/pairs.js';
import { SERVER_MANAGED_FIELDS, withTouched } from '../../diff/touched.js';
import { countVerdicts, formatSummary, hasDifferences } from '../../diff/summary.js';
import { KregError } from '../../errors.js';
import { builtinRegistry, type ResourceRegistry } from '../../keys/index.js';
import { runExternalDiff } from '../external-diff.js';
import { warn, type CliIo, type CommandContext } from '../io.js';
import { openObjectSource, SOURCE_SPECS, type ObjectSourceArgs } from '../open-object-source.js';
import { withEncryptionOption, withKubeVersionOption, withNamespaceOptions, withSourceOptions } from '../options.js';
import { COMMANDS } from '../command-index.js';

interface DiffArgs extends ObjectSourceArgs {
  resource: string | undefined;
  name: string | undefined;
  from: string;
  to: string;
  'show-managed-fields': boolean;
  'show-secrets': boolean;
  ignore: string[];
  summary: boolean;
  'ignore-status': boolean;
}

export const diffCommand = (ctx: CommandContext): CommandModule<object, DiffArgs> => ({
  command: COMMANDS.diff.usage,
  describe: COMMANDS.diff.describe,
  builder: (y) =>
    withSourceOptions(
      withKubeVersionOption(
        withEncryptionOption(withNamespaceOptions(y, { namespace: 'namespace (default: default); also where namespace-less manifests of a dir: side go', allNamespaces: 'every namespace' })),
      )
        .positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, deploy, widgets.example.com, a,b); all resources with -A or -n' })
        .positional('name', { type: 'string', describe: 'one object: print its unified diff' })
        .option('from', { type: 'string', requiresArg: true, default: 'etcd', describe: 'etcd (the etcd flags, or --snapshot/--data-dir), api, snapshot:FILE or dir:PATH' })
        .option('to', { type: 'string', requiresArg: true, default: 'api', describe: SOURCE_SPECS })
        .option('kubeconfig', { type: 'string', requiresArg: true, describe: 'kubeconfig for the api side [env KUBECONFIG] (default ~/.kube/config)' })
        .option('context', { type: 'string', requiresArg: true, describe: 'kubeconfig context for the api side' })
        .option('show-managed-fields', { type: 'boolean', default: false, describe: 'compare metadata.managedFields too' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of *** (as kubectl diff masks it)' })
        .option('ignore', { type: 'string', array: true, requiresArg: true, default: [] as string[], describe: 'a dotted path to leave out, e.g. status or metadata.generation (repeatable)' })
        .option('summary', { type: 'boolean', default: false, describe: 'print only the per-resource summary' })
        .option('ignore-status', {
          type: 'boolean',
          default: false,
          describe: "count objects whose status (or a Lease's renewTime) alone changed as touched, not changed",
        })
        .example('$0 diff -A', 'everything in etcd against what the API serves')
        .example('$0 diff deploy web -n shop --from etcd --to dir:manifests/', 'the stored Deployment against the manifest in git')
        .example('$0 diff -A --from snapshot:backup.db --to etcd --summary', 'what a restore would bring back, change or lose')
        .example('$0 diff -A --from snapshot:monday.db --to snapshot:tuesday.db --summary --ignore-status', 'what changed between two backups')
        .epilog(touchedRulesHelp()),
    ),
  handler: async (args) => {
    const sides: DiffSide[] = [];
    try {
      for (const [label, spec] of [
        ['from', args.from],
        ['to', args.to],
      ] as [SideLabel, string][]) {
        sides.push({ label, spec, source: await onSide({ label, spec }, () => openObjectSource(ctx, spec, args, `${label} side (${spec})`)) });
      }
      ctx.exitCode = await runDiff(ctx.io, args, sides[0] as DiffSide, sides[1] as DiffSide);
    } catch (err) {
      if (err instanceof DiffError) throw err;
      if (err instanceof KregError) throw new DiffError(err.code, err.message, err.subject, { cause: err });
      throw new DiffError('diff-failed', err instanceof Error ? err.message : String(err), {}, { cause: err });
    } finally {
      for (const side of sides) await side.source.close().catch(() => undefined);
    }
  },
});

/**
 * The registry both sides are read with: the one a side learned (etcd or a snapshot, with their
 * CRDs), else the built-in one, extended by what a side defines itself (a directory's CRDs).
 */
async function sharedRegistry(from: DiffSide, to: DiffSide): Promise<ResourceRegistry> {
  let registry = from.source.registry ?? to.source.registry ?? builtinRegistry();
  for (const side of [from, to]) {
    const use = side.source.useRegistry?.bind(side.source);
    const base = registry;
    if (use !== undefined) registry = await onSide(side, () => Promise.resolve(use(base)));
  }
  return registry;
}

async function runDiff(io: CliIo, args: DiffArgs, from: DiffSide, to: DiffSide): Promise<number> {
  const registry = await sharedRegistry(from, to);
  const selection = select({ resource: args.resource, name: args.name, namespace: args.namespace, allNamespaces: args['all-namespaces'] }, registry);
  const pairs = await collectPairs(selection, from, to, registry, (line) => warn(io, line));
  const options: NormaliseOptions = { showManagedFields: args['show-managed-fields'], showSecrets: args['show-secrets'], ignore: args.ignore };
  const touchedOptions = { ...options, ignoreStatus: args['ignore-status'] };
  // One object is shown whole, as kubectl diff shows it; in a listing, server-only changes count apart.
  const classify = (j: Judged): Judged => (selection.kind === 'object' ? j : withTouched(j, touchedOptions));
  const judged = pairs.map((pair) => judgeEncrypted(pair) ?? classify(judge({ ...pair, ...normalisePair(pair.from, pair.to, options) })));
  // An encrypted value against a plain one cannot be compared: the comparison is incomplete (exit 2).
  const uncomparable = judged.filter((j) => j.encrypted === 'uncomparable');
  // One object: its line; a listing: one line, the summary naming each object.
  if (selection.kind === 'object' || uncomparable.length === 1)
    for (const j of uncomparable) warn(io, `${describePair(j)}: encrypted at rest on one side only, not compared (give --encryption-config to decrypt it)`);
  else if (uncomparable.length > 1) warn(io, `${uncomparable.length} objects encrypted at rest on one side only were not compared (named above): give --encryption-config to decrypt them`);
  const incomplete = (code: number): number => (uncomparable.length > 0 ? 2 : problemsExit(from, to, code));

  if (selection.kind === 'object') {
    // One object: only its diff, as kubectl diff prints it.
    reportProblems(io, from, to);
    const changed = judged.filter((j) => j.verdict !== 'identical');
    return incomplete(changed.length === 0 ? 0 : await showDiffs(io, changed));
  }
  io.stdout.write(formatSummary(from.source.description, to.source.description, judged));
  reportProblems(io, from, to);
  let code = hasDifferences(countVerdicts(judged).total) ? 1 : 0;
  const changed = judged.filter((j) => j.verdict === 'changed');
  if (!args.summary && changed.length > 0) {
    io.stdout.write('\n');
    code = Math.max(code, await showDiffs(io, changed));
  }
  return incomplete(code);
}

/** The touched rules for --help, from the one table in src/diff/touched.ts. */
function touchedRulesHelp(): string {
  const rules = SERVER_MANAGED_FIELDS.map((rule) => `  ${rule.path}${rule.withIgnoreStatus ? ' (with --ignore-status)' : ''}: ${rule.why}`);
  return `In a listing, an object that differs only in these fields is counted as TOUCHED, not CHANGED, and is not a difference for the exit code:\n${rules.join('\n')}`;
}

function describePair(j: Judged): string {
  return `${resourceName(j.pair.entry)} ${j.pair.namespace === undefined ? '' : `${j.pair.namespace}/`}${j.pair.name}`;
}

/** The diffs of changed pairs; encrypted values that differ have none to show, and say so. */
async function showDiffs(io: CliIo, judged: readonly Judged[]): Promise<number> {
  const shown = judged.filter((j) => j.encrypted === undefined);
  for (const j of judged) if (j.encrypted === 'differs') io.stdout.write(`${describePair(j)}: differs (encrypted, cannot show)\n`);
  const code =
    shown.length === 0
      ? 0
      : await runExternalDiff(
          io,
          shown.map((j) => ({ name: diffFileName(j.pair), from: j.fromText, to: j.toText })),
        );
  return Math.max(code, judged.some((j) => j.encrypted === 'differs') ? 1 : 0);
}

/** Values a side could not read were left out: one line each, naming the side. */
function reportProblems(io: CliIo, from: DiffSide, to: DiffSide): void {
  for (const side of [from, to]) for (const line of side.source.problems) warn(io, `${side.label} side (${side.spec}): ${line}`);
}

/** Left-out values make the comparison incomplete: exit 2, as for an error. */
function problemsExit(from: DiffSide, to: DiffSide, code: number): number {
  return from.source.problems.length + to.source.problems.length > 0 ? 2 : code;
}
