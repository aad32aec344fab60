/**
 * kreg history: every revision of one object etcd (or a snapshot file) still holds: its creation,
 * each update and its deletion, each shown as a unified diff of the decoded YAML against the
 * revision before. resourceVersion is left out of the diffed YAML (it changes on every write).
 */
import type { CommandModule } from 'yargs';
import { GoFloat, type JsonObject } from '../../codec/json-value.js';
import { KregError, UsageError } from '../../errors.js';
import { keyForEntry, resolveResource } from '../../keys/index.js';
import { maskSecret, maskSecretPair } from '../../mask-secrets.js';
import type { EntrySource, HistoryRecord } from '../../sources/source.js';
import { type DecodeEntryOptions, decodeEntry } from '../../stored-objects.js';
import type { ResourceRegistry } from '../../keys/index.js';
import { warn, type CommandContext } from '../io.js';
import { unifiedDiff } from '../line-diff.js';
import { withStore } from '../open-store.js';
import { withEncryptionOption, withKubeVersionOption, withNamespaceOptions, withSourceOptions, type EncryptionArgs, type KubeVersionArgs, type SourceArgs } from '../options.js';
import { createHash } from 'node:crypto';
import { ValueDecryptor } from '../../codec/decrypt.js';
import { encryptedLabel, encryptedValueFacts, type EncryptedValueFacts } from '../../encrypted-object.js';
import { formatJson, formatYaml } from '../../format/object-text.js';
import { COMMANDS } from '../command-index.js';

interface HistoryArgs extends SourceArgs, EncryptionArgs, KubeVersionArgs {
  resource: string;
  name: string | undefined;
  namespace: string | undefined;
  output: 'json' | undefined;
  'show-secrets': boolean;
  follow: boolean;
}

export type HistoryEvent = 'created' | 'updated' | 'deleted';

/** One revision as shown: what happened, and the object as the API would have returned it. */
export interface ShownRevision {
  revision: number;
  event: HistoryEvent;
  size: number;
  /** The decoded object (resourceVersion included); null for a delete or a value that cannot be decoded. */
  object: JsonObject | null;
  /** Why the value could not be shown, when it could not. */
  note?: string;
  /** A value encrypted at rest that was not decrypted: what its prefix says. */
  encrypted?: EncryptedValueFacts;
  /** Its ciphertext's sha256 (first 16 hex digits), so two revisions that were not decrypted compare. */
  ciphertextSha256?: string;
  /** Decrypting it failed (a wrong key, a plugin that failed): an error, unlike having no keys. */
  failed?: boolean;
}

export const historyCommand = (ctx: CommandContext): CommandModule<object, HistoryArgs> => ({
  command: COMMANDS.history.usage,
  describe: COMMANDS.history.describe,
  builder: (y) =>
    withSourceOptions(
      withKubeVersionOption(withEncryptionOption(withNamespaceOptions(y)))
        .positional('resource', { type: 'string', demandOption: true, describe: 'kubectl-style resource (cm, deploy, widgets.example.com), or an etcd key starting with /' })
        .positional('name', { type: 'string', describe: 'object name' })
        .option('output', { alias: 'o', choices: ['json'] as const, describe: 'json: an array of {revision, event, size, object} (default: diffs)' })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of ***' })
        .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'live etcd: then show each new write as it happens, as a diff (until stopped)' })
        .example('$0 history cm app-config -n shop', 'each retained write of the ConfigMap, as a diff')
        .example('$0 history /registry/configmaps/shop/app-config --snapshot backup.db', 'every revision a snapshot file holds')
        .example('$0 history deploy web -n shop -o json', 'the revisions as JSON')
        .example('$0 history deploy web -n shop --revision 36', 'the revisions up to 36')
        .example('$0 history deploy web -n shop -f', 'then each write as it happens, as a diff (kubectl get -w, with the change shown)'),
      { revision: 'show the revisions up to this etcd revision' },
    ),
  handler: async (args) => {
    if (args.follow && args.output === 'json') throw new UsageError('bad-flags', '--follow shows diffs as they happen; -o json is one array: use one or the other');
    await withStore(ctx, args, async ({ source, prefix, learned, decodeOptions }) => {
      const key = targetKey(args, learned.registry, prefix);
      if (args.follow && source.watch === undefined) throw new UsageError('bad-flags', `${source.description} does not change: --follow needs a live etcd (--endpoints)`);
      const { records, start, revision } = await readHistory(source, key, args.revision);
      if (records.length === 0) throw new KregError('not-found', 'no retained revisions of this key', { key });
      for (const record of records) if (!record.deleted) await decodeOptions.decryptor?.prepare(record.value);
      const shown = records.map((record) => showRecord(record, learned.registry, prefix, decodeOptions));
      for (const s of shown) if (s.failed === true) warn(ctx.io, `${key} @ revision ${s.revision}: ${s.note ?? ''}`);
      if (shown.some((s) => s.failed === true)) ctx.exitCode = Math.max(ctx.exitCode, 1);
      const stubs = shown.filter((s) => s.encrypted !== undefined && s.failed !== true).length;
      if (stubs > 0) warn(ctx.io, `${stubs} revision(s) encrypted at rest are not shown: give --encryption-config FILE (kube-apiserver's EncryptionConfiguration) to decrypt them`);
      if (args.output === 'json') {
        if (start !== undefined) warn(ctx.io, start);
        // Each revision stands alone here: every Secret value is ***.
        const objects = args['show-secrets'] ? shown : shown.map((s) => (s.object === null ? s : { ...s, object: maskSecret(s.object) }));
        ctx.io.stdout.write(`${formatJson(objects as unknown as JsonObject[])}\n`);
        return;
      }
      if (start !== undefined) ctx.io.stdout.write(`${start}\n`);
      ctx.io.stdout.write(renderHistory(key, shown, { showSecrets: args['show-secrets'] }));
      if (!args.follow || source.watch === undefined) return;
      let before = shown[shown.length - 1];
      for await (const event of source.watch({ prefix: key, fromRevision: revision + 1 })) {
        // A watch on a key is a watch on every key it begins; only this one is followed.
        if (event.entry.key !== key) continue;
        const record: HistoryRecord = { ...event.entry, deleted: event.type === 'delete' };
        if (!record.deleted) await decodeOptions.decryptor?.prepare(record.value);
        const next = showRecord(record, learned.registry, prefix, decodeOptions);
        ctx.io.stdout.write(`\n${renderRevision(key, before, next, { showSecrets: args['show-secrets'] })}`);
        before = next;
      }
    });
  },
});

function targetKey(args: HistoryArgs, registry: ResourceRegistry, prefix: string): string {
  if (args.resource.startsWith('/')) {
    if (args.name !== undefined) throw new UsageError('bad-arguments', 'give an etcd key alone, or a resource and a name');
    return args.resource;
  }
  if (args.name === undefined) throw new UsageError('no-name', `name the object: kreg history ${args.resource} NAME`);
  if (args.resource.includes(',')) throw new UsageError('bad-arguments', 'history follows one object: name one resource');
  const entry = resolveResource(args.resource, { registry });
  const where = entry.namespaced ? { namespace: args.namespace ?? 'default', name: args.name } : { name: args.name };
  return keyForEntry(entry, where, prefix);
}

/** The records, oldest first (up to `revision` when given), and a line saying where the history begins. */
async function readHistory(source: EntrySource, key: string, revision?: number): Promise<{ records: HistoryRecord[]; start: string | undefined; revision: number }> {
  if (source.history === undefined) throw new UsageError('no-history', `${source.description} cannot list the revisions of a key`, { key });
  const history = await source.history(key, revision === undefined ? {} : { revision });
  const from = history.records[0]?.modRevision ?? history.compactedRevision + 1;
  const begins = Math.min(from, history.compactedRevision + 1);
  const compacted = history.compactedRevision > 0 ? `compacted at ${history.compactedRevision}` : 'never compacted';
  const upTo = revision === undefined ? `current revision ${history.revision}` : `up to revision ${history.revision}`;
  return { records: history.records, start: `history from revision ${begins} (${compacted}; ${upTo})`, revision: history.revision };
}

function eventOf(record: HistoryRecord): HistoryEvent {
  if (record.deleted) return 'deleted';
  return record.createRevision === record.modRevision ? 'created' : 'updated';
}

/** One revision decoded; Secret data is masked later, when it is known what it is compared with. */
function showRecord(record: HistoryRecord, registry: ResourceRegistry, prefix: string, decodeOptions: DecodeEntryOptions): ShownRevision {
  const shown: ShownRevision = { revision: record.modRevision, event: eventOf(record), size: record.valueSize, object: null };
  if (record.deleted) return shown;
  try {
    const stored = decodeEntry(record, registry, prefix, decodeOptions);
    if (stored.object !== undefined) shown.object = stored.object;
    else if (stored.decoded.format === 'encrypted') return notDecrypted(shown, record.value, undefined);
    else shown.note = `not a Kubernetes object (${stored.decoded.size} bytes)`;
  } catch (err) {
    const message = err instanceof KregError ? err.message : String(err);
    if (ValueDecryptor.isEncrypted(record.value)) return notDecrypted(shown, record.value, message, decodeOptions.decryptor);
    shown.note = message;
  }
  return shown;
}

/**
 * A revision encrypted at rest and not decrypted. Its note names a digest of the ciphertext, so
 * the diff between two such revisions shows whether the stored value changed.
 */
function notDecrypted(shown: ShownRevision, value: Uint8Array, failure: string | undefined, decryptor?: ValueDecryptor): ShownRevision {
  const facts = encryptedValueFacts(value, decryptor?.config);
  if (facts !== undefined) shown.encrypted = facts;
  shown.ciphertextSha256 = createHash('sha256').update(value).digest('hex').slice(0, 16);
  if (failure === undefined) shown.note = facts === undefined ? 'encrypted at rest' : `encrypted at rest (${encryptedLabel(facts)}${facts.kmsKeyID === undefined ? '' : `, keyID ${facts.kmsKeyID}`})`;
  else {
    shown.note = failure;
    shown.failed = true;
  }
  return shown;
}

/** The YAML a revision is diffed as: the object without resourceVersion, or a note, or nothing for a delete. */
function diffText(shown: ShownRevision, object: JsonObject | null): string {
  if (object !== null) {
    // A shallow copy: values may be GoFloat instances, which formatYaml must still recognise.
    const copy: JsonObject = { ...object };
    const metadata = copy.metadata;
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && !(metadata instanceof GoFloat)) {
      const { resourceVersion: _omitted, ...rest } = metadata as JsonObject;
      copy.metadata = rest;
    }
    return formatYaml(copy);
  }
  if (shown.note === undefined) return '';
  return shown.ciphertextSha256 === undefined ? `# ${shown.note}\n` : `# ${shown.note}\n# ciphertext sha256 ${shown.ciphertextSha256}…\n`;
}

/**
 * Text output: per revision a heading line, then the diff against the revision before. Unless
 * showSecrets, Secret data is masked per pair of revisions as kubectl diff masks it: a value that
 * changed shows as `*** (before)` / `*** (after)`, so the change is seen but neither value is.
 */
export function renderHistory(key: string, revisions: readonly ShownRevision[], options: { showSecrets?: boolean } = {}): string {
  let out = '';
  let before: ShownRevision | undefined;
  for (const shown of revisions) {
    out += `\n${renderRevision(key, before, shown, options)}`;
    before = shown;
  }
  return out.startsWith('\n') ? out.slice(1) : out;
}

/** One revision: its heading line and its diff against the revision before (none for the first). */
function renderRevision(key: string, before: ShownRevision | undefined, shown: ShownRevision, options: { showSecrets?: boolean } = {}): string {
  const [a, b] = options.showSecrets === true ? [before?.object ?? null, shown.object] : maskSecretPair(before?.object ?? null, shown.object);
  const previous = before === undefined ? '' : diffText(before, a);
  const text = diffText(shown, b);
  const diff = unifiedDiff(previous, text, {
    oldName: before === undefined ? `${key} (none)` : `${key} @ revision ${before.revision}`,
    newName: shown.event === 'deleted' ? `${key} (deleted)` : `${key} @ revision ${shown.revision}`,
  });
  return `revision ${shown.revision}: ${shown.event}, ${shown.size} bytes\n${diff === '' ? '(no change in the object apart from resourceVersion)\n' : diff}`;
}
