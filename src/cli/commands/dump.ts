/**
 * kreg dump: a backup (or a live etcd) written out as manifests, a tree of YAML files or one stream.
 *
 * The handler parses, opens the store and, for each item the reader gives (src/cli/dump-reader.ts),
 * asks the pure core (src/dump/) what to write and where, and hands it to a writer
 * (src/cli/dump-writer.ts). Objects are written as they are read.
 */
import type { CommandModule } from 'yargs';
import { describeApplyRules } from '../../dump/apply-rules.js';
import { TIERS, objectPath, resourceDir } from '../../dump/dump-layout.js';
import { DumpTally } from '../../dump/dump-manifest.js';
import { dumpedForm } from '../../dump/dumped-form.js';
import { UsageError } from '../../errors.js';
import { labelsOf, matchesLabels } from '../../format/selectors.js';
import { parseLabelSelection } from '../get-selection.js';
import type { ResourceRegistry } from '../../keys/index.js';
import { storedResources } from '../../sources/object-source.js';
import { COMMANDS } from '../command-index.js';
import { dumpItems, type DumpScope } from '../dump-reader.js';
import { DUMP_FORMATS, MANIFEST_FILE, streamWriter, treeWriter, type DumpFormat, type DumpWriter } from '../dump-writer.js';
import { warn, type CommandContext } from '../io.js';
import { withStore } from '../open-store.js';
import {
  type EncryptionArgs,
  type KubeVersionArgs,
  type NamespaceArgs,
  type SourceArgs,
  withEncryptionOption,
  withKubeVersionOption,
  withNamespaceOptions,
  withOutputOption,
  withSourceOptions,
} from '../options.js';
import { startProgress } from '../progress.js';

interface DumpArgs extends SourceArgs, EncryptionArgs, NamespaceArgs, KubeVersionArgs {
  resources: string[];
  to: string;
  output: DumpFormat;
  selector: string | undefined;
  'for-apply': boolean;
  'show-secrets': boolean;
  force: boolean;
  manifest: string | undefined;
}

const LAYOUT = `DIR/<tier>/<namespace or _cluster>/<resource[.group]>/<name>.yaml; tiers in apply order: ${TIERS.map((t) => t.dir).join(', ')}`;

const EPILOGUE = `Tree: ${LAYOUT}.
Names are written with every character outside [a-z0-9.-] (upper case included, for case-insensitive file systems) as %XX, so no two objects share a file. ${MANIFEST_FILE} holds the source, revision, counts per resource and every key left out and why; it is an empty v1 List, so \`kubectl apply -R -f DIR\` and \`kreg diff --to dir:DIR\` read it as no objects.
kubectl maps every file to its resource before it applies any, so custom resources whose CRD the cluster lacks need two steps: \`kubectl apply -R -f DIR/0-namespaces -f DIR/1-definitions\`, \`kubectl wait --for condition=established crd --all\`, then \`kubectl apply -R -f DIR\`.

--for-apply writes objects as \`kubectl apply\` needs them to re-create them:
${describeApplyRules()}
  Secrets are left out unless --show-secrets (masked data cannot be applied).

Exit 1 when keys could not be read (encrypted without --encryption-config, undecodable): the dump is incomplete.`;

export const dumpCommand = (ctx: CommandContext): CommandModule<object, DumpArgs> => ({
  command: COMMANDS.dump.usage,
  describe: COMMANDS.dump.describe,
  builder: (y) =>
    withSourceOptions(
      withOutputOption(
        withKubeVersionOption(
          withEncryptionOption(withNamespaceOptions(y, { namespace: 'one namespace (default with resources: default)', allNamespaces: 'every namespace, and cluster-scoped objects' })),
        ),
        DUMP_FORMATS,
        { default: 'yaml', describe: 'with --to -: multi-document YAML or one JSON object per line' },
      )
        .positional('resources', { type: 'string', array: true, default: [] as string[], describe: 'kubectl-style resources (pods deploy widgets.example.com, or a,b); everything with -A or -n' })
        .option('to', { type: 'string', requiresArg: true, demandOption: true, describe: 'a directory (new or empty), or - for one stream on stdout' })
        .option('selector', { alias: 'l', type: 'string', requiresArg: true, describe: "label selector, as kubectl's: app=web, tier!=db, env in (a,b)" })
        .option('for-apply', { type: 'boolean', default: false, describe: 'clean objects for kubectl apply to re-create them (rules below)' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'write Secret data instead of ***' })
        .option('force', { type: 'boolean', default: false, describe: 'write into a non-empty directory, replacing an earlier dump there' })
        .option('manifest', { type: 'string', requiresArg: true, describe: `with --to -: write the manifest (${MANIFEST_FILE}) to this file` })
        .example('$0 dump -A --snapshot backup.db --to backup/', 'every object of a snapshot, one YAML file each')
        .example('$0 dump -n shop --snapshot backup.db --for-apply --show-secrets --to shop/ && kubectl apply -R -f shop/', 'put one namespace back')
        .example('$0 dump deploy,svc -A --to - -o ndjson', 'kubectl get deploy,svc -A -o json, straight from etcd, as a stream')
        .epilogue(EPILOGUE),
    ),
  handler: (args) => {
    const selector = parseLabelSelection(args.selector);
    if (args.resources.length === 0 && !args['all-namespaces'] && args.namespace === undefined) {
      throw new UsageError('no-resource', 'name resources (kreg dump deploy,svc), or use -A (everything) or -n NS (everything in a namespace)');
    }
    if (args.to !== '-' && args.output !== 'yaml') throw new UsageError('bad-flags', '-o ndjson writes one stream: use it with --to -');
    if (args.to !== '-' && args.manifest !== undefined) throw new UsageError('bad-flags', `--manifest is for --to -; a tree keeps its manifest as DIR/${MANIFEST_FILE}`);
    return withStore(ctx, args, async (store) => {
      const scope = scopeOf(args, store.registry);
      const writer: DumpWriter = args.to === '-' ? streamWriter(ctx.io.stdout, args.output, args.manifest) : treeWriter(args.to, args.force);
      const tally = new DumpTally();
      const progress = await startProgress(ctx.io, 'dumping');
      const options = { forApply: args['for-apply'], showSecrets: args['show-secrets'] };
      try {
        for await (const item of dumpItems(store, scope)) {
          if (item.kind === 'skipped') {
            tally.skip(item.key, item.reason, item.detail);
            continue;
          }
          if (selector.length > 0 && !matchesLabels(selector, labelsOf(item.object))) continue;
          const form = dumpedForm(item.object, options);
          if ('skip' in form) {
            tally.skip(item.key, form.skip);
            continue;
          }
          const { group, resource, kind } = item.entry;
          writer.write(objectPath({ group, resource, kind, namespace: item.namespace, name: item.name }), form.object);
          tally.wrote(resourceDir(resource, group));
          // Dumped to a pipe whose reader is slower: wait for room rather than fill memory.
          const room = (args.to === '-' ? ctx.io.stdout.ready?.() : undefined) ?? ctx.io.stderr.ready?.();
          if (room !== undefined) await room;
          if (tally.written % 500 === 0) progress.update(() => `dumping: ${tally.written} objects written`);
        }
      } finally {
        progress.stop();
      }
      const manifest = tally.manifest({
        source: store.source.description,
        revision: store.revision,
        selection: {
          resources: args.resources,
          ...(scope.namespace === undefined ? {} : { namespace: scope.namespace }),
          ...(args.selector === undefined ? {} : { selector: args.selector }),
        },
        forApply: options.forApply,
        secretsMasked: !options.showSecrets,
        layout: args.to === '-' ? 'stream' : LAYOUT,
      });
      writer.finish(manifest);
      const counts = manifest.kregDump.skippedCounts;
      const skipped = Object.entries(counts).map(([reason, n]) => `${n} ${reason}`);
      warn(
        ctx.io,
        `dumped ${tally.written} object(s) at revision ${store.revision}${args.to === '-' ? '' : ` to ${args.to}`}${skipped.length === 0 ? '' : `; left out: ${skipped.join(', ')} (see ${args.to === '-' ? (args.manifest ?? '--manifest') : MANIFEST_FILE})`}`,
      );
      if ((counts['secret data masked'] ?? 0) > 0) warn(ctx.io, 'Secrets were left out: masked data cannot be applied; give --show-secrets to dump them for apply');
      if ((counts.encrypted ?? 0) + (counts.undecodable ?? 0) > 0) ctx.exitCode = Math.max(ctx.exitCode, 1);
    });
  },
});

/** The resources and namespace asked for: kubectl's rules (resources without -n or -A: the default namespace). */
function scopeOf(args: DumpArgs, registry: ResourceRegistry): DumpScope {
  if (args.resources.length === 0) return { resources: 'everything', namespace: args['all-namespaces'] ? undefined : args.namespace };
  return { resources: storedResources(args.resources.join(','), registry), namespace: args['all-namespaces'] ? undefined : (args.namespace ?? 'default') };
}
