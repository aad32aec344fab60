/**
 * kreg restore: objects of a backup (or etcd, or manifests) put back through the Kubernetes API of
 * the current kubeconfig, never into etcd. A dry run unless --apply.
 *
 * The handler reads the asked objects from the --from side, orders them dependencies first, asks
 * the pure core (src/dump/restore-plan.ts) what each needs against the live object, prints one
 * line per object, and with --apply creates (and with --overwrite replaces) through the API.
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { skipForApply } from '../../dump/apply-rules.js';
import { forOverwrite, planRestore, restoreOrder, type RestoreStep } from '../../dump/restore-plan.js';
import { KregError, UsageError } from '../../errors.js';
import { formatYaml } from '../../format/object-text.js';
import { builtinRegistry, type ResourceEntry } from '../../keys/index.js';
import { maskSecretPair } from '../../mask-secrets.js';
import type { ApiSource } from '../../sources/api-source.js';
import { type FoundObject, type ObjectSource, storedResources } from '../../sources/object-source.js';
import { COMMANDS } from '../command-index.js';
import { warn, type CommandContext } from '../io.js';
import { unifiedDiff } from '../line-diff.js';
import { openObjectSource, type ObjectSourceArgs } from '../open-object-source.js';
import { withEncryptionOption, withKubeVersionOption, withNamespaceOptions, withSourceOptions } from '../options.js';

interface RestoreArgs extends ObjectSourceArgs {
  resource: string;
  names: string[];
  from: string;
  apply: boolean;
  overwrite: boolean;
  'show-secrets': boolean;
}

export const restoreCommand = (ctx: CommandContext): CommandModule<object, RestoreArgs> => ({
  command: COMMANDS.restore.usage,
  describe: COMMANDS.restore.describe,
  builder: (y) =>
    withSourceOptions(
      withKubeVersionOption(withEncryptionOption(withNamespaceOptions(y, { namespace: 'namespace (default: default)', allNamespaces: 'every namespace' })))
        .positional('resource', { type: 'string', demandOption: true, describe: 'kubectl-style resource (deploy, cm, widgets.example.com, a,b)' })
        .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'object names (all of the resource when none)' })
        .option('from', { type: 'string', requiresArg: true, demandOption: true, describe: 'where the objects come from: snapshot:FILE, etcd (the etcd flags) or dir:PATH' })
        .option('kubeconfig', { type: 'string', requiresArg: true, describe: 'kubeconfig of the cluster to restore into [env KUBECONFIG] (default ~/.kube/config)' })
        .option('context', { type: 'string', requiresArg: true, describe: 'kubeconfig context' })
        .option('apply', { type: 'boolean', default: false, describe: 'create the missing objects (without it: a dry run that changes nothing)' })
        .option('overwrite', { type: 'boolean', default: false, describe: 'with --apply: also replace objects that differ, if they did not change since they were read' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data in the diffs instead of ***' })
        .example('$0 restore deploy web -n shop --from snapshot:backup.db', 'dry run: create, unchanged, or conflict with its diff')
        .example('$0 restore cm,secrets -n shop --from snapshot:backup.db --apply', 'create what is missing; leave the rest alone')
        .epilogue(
          'Objects are cleaned as by kreg dump --for-apply and written dependencies first (namespaces, then CRDs, then what needs them). ' +
            'Listing a resource leaves out Events and objects a controller makes; named objects are restored as asked. ' +
            '--overwrite sends the live resourceVersion: an object changed in between is not overwritten. Exit 1 if anything failed.',
        ),
    ),
  handler: async (args) => {
    if (args.overwrite && !args.apply) throw new UsageError('bad-flags', '--overwrite needs --apply');
    if (args['all-namespaces'] && args.names.length > 0) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
    const from = await openObjectSource(ctx, args.from, args, `from (${args.from})`);
    try {
      const { ApiSource: Api } = await import('../../sources/api-source.js');
      const api = Api.open({
        env: ctx.io.env,
        interactive: ctx.io.stdin.isTTY === true,
        warn: (line) => ctx.io.stderr.write(`${line}\n`),
        ...(args.kubeconfig === undefined ? {} : { kubeconfig: args.kubeconfig }),
        ...(args.context === undefined ? {} : { context: args.context }),
      });
      const objects = await chosenObjects(ctx, args, from);
      for (const line of from.problems) warn(ctx.io, `from (${args.from}): ${line}`);
      const failed = await restoreAll(ctx, args, api, objects);
      if (failed > 0 || from.problems.length > 0) ctx.exitCode = 1;
    } finally {
      await from.close().catch(() => undefined);
    }
  },
});

/** The objects asked for, read from the --from side; a named object the backup lacks counts as failed. */
async function chosenObjects(ctx: CommandContext, args: RestoreArgs, from: ObjectSource): Promise<FoundObject[]> {
  let registry = from.registry ?? builtinRegistry();
  if (from.useRegistry !== undefined) registry = from.useRegistry(registry);
  const entries = storedResources(args.resource, registry);
  if (args.names.length > 0 && entries.length !== 1) throw new UsageError('one-resource', 'names need exactly one resource');
  const out: FoundObject[] = [];
  for (const entry of entries) {
    const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
    if (args.names.length === 0) {
      for (const found of (await from.list(entry, namespace)) ?? []) {
        const skip = skipForApply(found.object);
        if (skip === undefined) out.push(found);
        else ctx.io.stdout.write(`${'skipped'.padEnd(9)} ${describe(entry, found.namespace, found.name)} (${skip})\n`);
      }
      continue;
    }
    for (const name of args.names) {
      const object = await from.get(entry, namespace, name);
      if (object !== undefined) out.push({ entry, namespace, name, object });
      else {
        ctx.io.stdout.write(`${'failed'.padEnd(9)} ${describe(entry, namespace, name)}: not in ${from.description}\n`);
        ctx.exitCode = 1;
      }
    }
  }
  return restoreOrder(out.map((f) => ({ ...f, group: f.entry.group, kind: f.entry.kind })));
}

/** kubectl's way of naming an object in its output lines: deployment.apps/web -n shop. */
function describe(entry: ResourceEntry, namespace: string | undefined, name: string): string {
  return `${entry.kind.toLowerCase()}${entry.group === '' ? '' : `.${entry.group}`}/${name}${namespace === undefined ? '' : ` -n ${namespace}`}`;
}

/** One line per object, diffs for conflicts; returns how many failed. */
async function restoreAll(ctx: CommandContext, args: RestoreArgs, api: ApiSource, objects: readonly FoundObject[]): Promise<number> {
  const say = (word: string, found: FoundObject, rest = ''): void => ctx.io.stdout.write(`${word.padEnd(9)} ${describe(found.entry, found.namespace, found.name)}${rest}\n`);
  const counts = { create: 0, conflict: 0 };
  let failed = 0;
  for (const found of objects) {
    try {
      const step = planRestore(found.object, await api.get(found.entry, found.namespace, found.name));
      if (step.verdict === 'unchanged') {
        say('unchanged', found);
        continue;
      }
      counts[step.verdict]++;
      if (!args.apply || (step.verdict === 'conflict' && !args.overwrite)) {
        say(step.verdict, found, step.verdict === 'conflict' && args.apply ? ' (left alone: --overwrite replaces it)' : '');
        if (step.verdict === 'conflict') ctx.io.stdout.write(conflictDiff(step, args['show-secrets']));
        continue;
      }
      if (step.verdict === 'create') await api.create(found.entry, step.wanted);
      else await api.replace(found.entry, forOverwrite(step));
      say(step.verdict === 'create' ? 'created' : 'updated', found);
    } catch (err) {
      failed++;
      say('failed', found, `: ${whyFailed(err)}`);
    }
  }
  if (!args.apply && counts.create + counts.conflict > 0) {
    warn(
      ctx.io,
      `dry run, nothing changed: --apply creates the ${counts.create} missing object(s)${counts.conflict > 0 ? `; --apply --overwrite also replaces the ${counts.conflict} in conflict` : ''}`,
    );
  }
  return failed;
}

function whyFailed(err: unknown): string {
  // By name: the API module is loaded lazily, only in the handler, so its classes are not imported here.
  const name = err instanceof Error ? err.name : '';
  if (name === 'ApiConflictError') return `${(err as Error).message}; it changed (or was made) since it was read, so it was left alone`;
  return err instanceof KregError ? err.describe() : String(err);
}

/** The live object against the backup's, as a unified diff (Secret data masked unless asked). */
function conflictDiff(step: RestoreStep, showSecrets: boolean): string {
  const [live, wanted] = showSecrets ? [step.live, step.wanted] : maskSecretPair(step.live, step.wanted);
  return unifiedDiff(formatYaml((live ?? {}) as JsonObject), formatYaml(wanted), { oldName: 'live', newName: 'backup' });
}
