import { availableParallelism } from 'node:os';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { createObjectWriter, itemRenderer, type ObjectWriter, type WriterOptions } from '../object-writers.js';
import { RenderPool } from '../render-pool.js';
import type { RenderWorkerSetup } from '../render-worker.js';
import type { CommandContext } from '../io.js';
import { settleStoreChecks, withStore } from '../open-store.js';
import { ENCRYPTION_CONFIG_OPTION, KMS_SOCKET_OPTION, lastValue, withKubeVersionOption, withNamespaceOptions, withSourceOptions } from '../options.js';
import { COMMANDS } from '../command-index.js';
import { EntryPrinter } from '../entry-printer.js';
import type { GetArgs } from '../get-args.js';
import { checkFieldSelector, parseSelection } from '../get-selection.js';
import { emptyMessage, readTarget, resolveTargets, targetType } from '../get-targets.js';
import { OUTPUT_CHOICES, type OutputSpec, parseOutput, parseSortBy } from '../get-output.js';
import { CustomColumnsWriter, JsonPathWriter } from '../template-writers.js';
import { SortingWriter } from '../sorting-writer.js';
import { servedShape } from '../served-shape.js';
import { DocumentPerObjectWriter, followChanges, watchedTarget } from '../get-watch.js';
import { StoredText } from '../stored-text.js';
import { loadSchema } from '../../schema-bundle.js';

export const getCommand = (ctx: CommandContext): CommandModule<object, GetArgs> => ({
  command: COMMANDS.get.usage,
  describe: COMMANDS.get.describe,
  builder: (y) =>
    withSourceOptions(
      withKubeVersionOption(
        withNamespaceOptions(
          y
            .positional('resource', { type: 'string', describe: 'kubectl-style resource (pods, deploy, deployments.apps, widgets.example.com, a,b), or an etcd key starting with /' })
            .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'object names' }),
          { allNamespaces: 'every namespace; with no resource, every key under the prefix' },
        )
          .option('output', {
            alias: 'o',
            type: 'string',
            requiresArg: true,
            coerce: (v: unknown) => (v === undefined ? undefined : String(lastValue(v))),
            describe: `output format (default: a table): ${OUTPUT_CHOICES.join(', ')}; yaml prints the bytes kubectl get -o yaml prints`,
          })
          .option('sort-by', {
            type: 'string',
            requiresArg: true,
            describe: "sort by a JSONPath, as kubectl's (.metadata.creationTimestamp, {.status.containerStatuses[0].restartCount}); holds the whole listing in memory",
          })
          .option('allow-missing-template-keys', { type: 'boolean', default: true, describe: 'jsonpath: a missing field prints nothing (false: an error), as kubectl' })
          .option('show-managed-fields', {
            type: 'boolean',
            default: false,
            describe: 'objects printed (yaml, json, ndjson, jsonpath, custom-columns): keep metadata.managedFields (hidden by default, as kubectl)',
          })
          .option('show-etcd', {
            type: 'boolean',
            default: false,
            describe:
              'tables: add SIZE, ENCODING, REVISION and KEY columns; other formats: an etcd: section after the object (key, revisions, version, lease ID in hex as etcdctl prints it, its TTL, size, encoding), .etcd to jsonpath',
          })
          .option('selector', { alias: 'l', type: 'string', requiresArg: true, describe: "label selector, as kubectl's: app=web, tier!=db, env in (a,b), env notin (c), key, !key (comma: and)" })
          .option('field-selector', { type: 'string', requiresArg: true, describe: 'field selector: metadata.name=x, status.phase!=Running, spec.nodeName=n1 (=, ==, !=; comma: and)' })
          .option('show-labels', { type: 'boolean', default: false, describe: 'tables: a LABELS column last' })
          .option('label-columns', {
            alias: 'L',
            type: 'string',
            // A list taking one value per -L, so `-L app pods` leaves pods a positional.
            array: true,
            nargs: 1,
            coerce: (v: unknown) => [v].flat().map(String).join(','),
            describe: 'tables: a column for each of these label keys (comma-separated, or repeat -L)',
          })
          .option('show-kind', { type: 'boolean', default: false, describe: 'tables: names as kind/name, even for one kind' })
          // yargs reads --no-headers as "headers: false": declared both ways, --no-headers shows in the help.
          .option('headers', { type: 'boolean', default: true, hidden: true })
          .option('no-headers', { type: 'boolean', describe: 'tables: no header line' })
          .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of ***' })
          .option('workers', {
            type: 'string',
            requiresArg: true,
            coerce: parseWorkers,
            describe: 'worker threads decoding listings (default: cores minus 2; 0 decodes on the main thread; at most the cores)',
          })
          .option('encryption-config', ENCRYPTION_CONFIG_OPTION)
          .option('kms-socket', KMS_SOCKET_OPTION)
          .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'live etcd: after the listing, print each change as it happens (DELETED ones too), as kubectl get -w' })
          .option('watch-only', { type: 'boolean', default: false, describe: 'live etcd: print the changes only, not the listing first' })
          .option('output-watch-events', { type: 'boolean', default: false, describe: "with -w: say ADDED, MODIFIED or DELETED (an EVENT column; other formats: kubectl's {type, object})" })
          .example('$0 get pods -n kube-system', 'kubectl get pods -n kube-system, straight from etcd')
          .example('$0 get deploy web -n shop -o yaml --show-etcd', 'one object with its etcd revisions')
          .example('$0 get pods -A -l app=web --field-selector status.phase!=Running', "kubectl's selectors")
          .example('$0 get deploy/web pod/web-1 -n shop', 'TYPE/NAME, as -o name prints them')
          .example('$0 get /registry/services/specs/default/kubernetes', 'etcdctl get KEY | kreg decode, with resourceVersion filled in')
          .example('$0 get -A -o ndjson', 'every object in the registry, one JSON object per line')
          .example(`$0 get pods -A -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}'`, 'kubectl get pods -A -o jsonpath=...')
          .example('$0 get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName --sort-by=.spec.nodeName', 'kubectl get pods -o custom-columns=... --sort-by=...')
          .example('$0 get pods -n shop -w --output-watch-events', 'kubectl get pods -n shop -w --output-watch-events'),
      ),
    ),
  handler: async (args) => {
    const selection = parseSelection(args);
    const output = await parseOutput(args.output);
    const sortBy = parseSortBy(args['sort-by']);
    const format = output.format;
    return withStore(
      ctx,
      args,
      async (store) => {
        const { source, prefix, revision, learned } = store;
        const targets = resolveTargets(args, learned.registry, prefix);
        checkFieldSelector(selection.fields, targets, learned.definitions.customResourceDefinitions);
        if (selection.labels.length > 0 && targets.some((t) => t.kind === 'names' || t.kind === 'key')) {
          throw new UsageError('name-with-selector', 'a name cannot be given with a label selector (-l): list the resource and select, or name the objects');
        }
        const single = targets.length === 1 && (targets[0]?.kind === 'key' || (targets[0]?.kind === 'names' && targets[0].names.length === 1));
        const table = format === 'table' || format === 'wide';
        const labelColumns = (args['label-columns'] ?? '').split(',').filter((l) => l !== '');
        const writerOptions: WriterOptions = {
          single,
          revision,
          showNamespace: args['all-namespaces'],
          showKind: args['show-kind'] || new Set(targets.map(targetType)).size > 1 || targets.some((t) => t.kind === 'everything' || t.kind === 'key' || t.kind === 'keys'),
          showEtcd: args['show-etcd'],
          noHeaders: !args.headers,
          showLabels: args['show-labels'],
          labelColumns,
          customResourceDefinitions: learned.definitions.customResourceDefinitions,
          emptyMessage: emptyMessage(targets),
          out: (t, written) => ctx.io.stdout.write(t, written),
          err: (t) => ctx.io.stderr.write(t),
        };
        const allowMissing = args['allow-missing-template-keys'];
        const watching = args.watch || args['watch-only'];
        const watched = watching ? watchedTarget(targets, source) : undefined;
        const events = args['output-watch-events'];
        // Watching, objects print one document each (kubectl's way), tables as rows without "No resources found".
        const documents =
          watching && !table
            ? new DocumentPerObjectWriter(() => createWriter(output, { ...writerOptions, single: true }, allowMissing), format === 'yaml', writerOptions.out, writerOptions.err)
            : undefined;
        if (documents !== undefined && events) documents.eventType = 'ADDED';
        const listingOptions: WriterOptions = watching ? { ...writerOptions, emptyMessage: '', ...(events ? { eventType: 'ADDED' } : {}) } : writerOptions;
        const printing = documents ?? createWriter(output, listingOptions, allowMissing);
        const writer = sortBy === undefined ? printing : new SortingWriter(printing, sortBy);
        // Worker threads pay off for listings in a streaming format; --show-etcd needs the source for
        // lease TTLs, and selectors look at each decoded object here.
        const workers = args.workers ?? RenderPool.defaultSize();
        const selecting = selection.labels.length > 0 || selection.fields.length > 0;
        // KMS DEKs are asked of the plugin on the main thread, before decoding, so KMS values decode there too.
        const streamed = format === 'jsonpath' || format === 'custom-columns' ? undefined : format;
        const renders = streamed !== undefined && itemRenderer(streamed, single) !== undefined;
        // Worker threads render what is stored, each object alone; a resource served in another shape is
        // converted here, and a watch's documents are written here.
        const converting = targets.some((t) => (t.kind === 'list' || t.kind === 'names') && servedShape(t.resource) !== undefined);
        const parallel =
          workers > 0 &&
          store.decryptor?.usesKms !== true &&
          !single &&
          !watching &&
          !args['show-etcd'] &&
          !selecting &&
          sortBy === undefined &&
          !converting &&
          renders &&
          targets.some((t) => t.kind === 'list' || t.kind === 'everything');
        const workerSetup: RenderWorkerSetup | undefined =
          parallel && streamed !== undefined
            ? {
                format: streamed,
                single,
                prefix,
                showSecrets: args['show-secrets'],
                showManagedFields: args['show-managed-fields'],
                ...learned.definitions,
                ...store.workerDecryption,
                // The release worker threads decode as (--kube-version, or told from the data).
                ...(store.decodeOptions.kubeVersion === undefined ? {} : { kubeVersion: store.decodeOptions.kubeVersion }),
              }
            : undefined;
        const printer = new EntryPrinter(ctx.io, writer, learned.registry, prefix, args, source, workerSetup, selection, !table, store.decodeOptions);
        printer.carryStorage /* what kreg encode reads back */ = single && !watching && !args['show-etcd'] && format === 'yaml';
        // Selectors look at each object, and --show-etcd adds to it: those go the object path.
        // (A single object's YAML carries its storage record for kreg encode: that is the object path's.)
        if ((format === 'json' || format === 'ndjson' || (format === 'yaml' && !printer.carryStorage)) && !selecting && !args['show-etcd']) {
          printer.storedText = new StoredText(loadSchema(store.decodeOptions.kubeVersion), { showSecrets: args['show-secrets'], showManagedFields: args['show-managed-fields'] });
        }
        // A snapshot's trailer is hashed while kreg learns the CRDs and indexes the file; its verdict
        // comes before the first object is printed (and before "not found", when none is).
        printer.beforeOutput = () => settleStoreChecks(ctx, store);
        try {
          if (!args['watch-only']) for (const target of targets) await readTarget(store, target, printer);
        } finally {
          await printer.close();
        }
        await settleStoreChecks(ctx, store);
        // Named objects that do not exist: alone, the run's error; next to found ones, said after them (kubectl's way).
        const lastMissing = printer.missing[printer.missing.length - 1];
        if (lastMissing !== undefined && printer.shown === 0 && printer.failures === 0) {
          for (const missing of printer.missing.slice(0, -1)) ctx.io.stderr.write(`kreg: ${missing.describe()}\n`);
          throw lastMissing;
        }
        writer.end();
        for (const missing of printer.missing) ctx.io.stderr.write(`kreg: ${missing.describe()}\n`);
        if (printer.missing.length > 0) ctx.exitCode = 1;
        const hint = encryptedHint(printer.encryptedStubs, printer.encryptedUnselected);
        if (hint !== undefined) ctx.io.stderr.write(`kreg: ${hint}\n`);
        if (printer.failures > 0) {
          ctx.io.stderr.write(`kreg: ${printer.failures} value(s) could not be shown (see above)\n`);
          ctx.exitCode = 1;
        }
        if (watched === undefined) return;
        const servedAs = servedShape(watched.resource);
        // Changes bypass --sort-by's buffer: each is printed as it comes.
        const documentPrinter = documents === undefined ? undefined : new EntryPrinter(ctx.io, documents, learned.registry, prefix, args, source, undefined, selection, true, store.decodeOptions);
        if (documentPrinter !== undefined) documentPrinter.servedAs = servedAs;
        let headerDue = args['watch-only'] && args.headers;
        // A watch resumes from the revision after the one the listing was read at.
        await followChanges(source, watched, prefix, revision + 1, async (entry, type) => {
          if (documents !== undefined && documentPrinter !== undefined) {
            documents.eventType = events ? type : undefined;
            await documentPrinter.print(entry);
            return;
          }
          // Each change is a row of its own, as kubectl prints them (its header only before the first, with --watch-only).
          const row = createWriter(output, { ...writerOptions, noHeaders: !headerDue, emptyMessage: '', ...(events ? { eventType: type } : {}) }, allowMissing);
          const rowPrinter = new EntryPrinter(ctx.io, row, learned.registry, prefix, args, source, undefined, selection, false, store.decodeOptions);
          rowPrinter.servedAs = servedAs;
          await rowPrinter.print(entry);
          row.end();
          if (rowPrinter.shown > 0) headerDue = false;
        });
      },
      { checksAlongside: true },
    );
  },
});

/**
 * The one line said when encrypted values were listed as stand-ins (or left out by a selector):
 * not an error, since the keys were not given, but how to read them.
 */
function encryptedHint(listed: number, unselected: number): string | undefined {
  if (listed + unselected === 0) return undefined;
  const parts: string[] = [];
  if (listed > 0) parts.push(`${listed} object(s) encrypted at rest are listed as <encrypted PROVIDER:KEY> stand-ins`);
  if (unselected > 0) parts.push(`${unselected} encrypted object(s) were not matched against the selector and are not listed`);
  return `${parts.join('; ')}: give --encryption-config FILE (kube-apiserver's EncryptionConfiguration) to decrypt them`;
}

function createWriter(output: OutputSpec, options: WriterOptions, allowMissingKeys: boolean): ObjectWriter {
  if (output.format === 'jsonpath' && 'template' in output) return new JsonPathWriter(options, output.template, allowMissingKeys);
  if (output.format === 'custom-columns' && 'columns' in output) return new CustomColumnsWriter(options, output.columns);
  return createObjectWriter(output.format as Exclude<OutputSpec['format'], 'jsonpath' | 'custom-columns'>, options);
}

/** --workers: a whole number, and no more threads than cores (more only cost memory). */
function parseWorkers(value: unknown): number | undefined {
  const given = lastValue(value);
  if (given === undefined) return undefined;
  if (!/^\d+$/.test(String(given).trim())) throw new UsageError('bad-flags', `--workers must be a whole number, not "${String(given)}"`);
  return Math.min(Number(given), availableParallelism());
}
