/**
 * kreg audit encryption: how the registry is encrypted at rest, per resource (objects by provider
 * and key name, and in plaintext), and, given kube-apiserver's EncryptionConfiguration, what does
 * not match it: plaintext objects of a resource it encrypts, objects under a key that is not the
 * current write key, objects no configured key can read. Exit 1 when there are such findings.
 * Values are only looked at for their prefix: nothing is decrypted or decoded.
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { EncryptionAudit } from '../../encryption-audit.js';
import { tryParseKey } from '../../keys/index.js';
import { everyEntry } from '../../stored-objects.js';
import { formatTable } from '../../format/table.js';
import type { ValueDecryptor } from '../../codec/decrypt.js';
import { warn, type CommandContext } from '../io.js';
import { withStore, type Store } from '../open-store.js';
import { withEncryptionOption, withSourceOptions, type EncryptionArgs, type SourceArgs } from '../options.js';
import { startProgress } from '../progress.js';
import { printAudits, type AuditOutcome } from './audit-outcome.js';

export interface EncryptionAuditArgs extends SourceArgs, EncryptionArgs {
  output: 'table' | 'json';
}

export const encryptionCommand = (ctx: CommandContext): CommandModule<object, EncryptionAuditArgs> => ({
  command: 'encryption',
  describe:
    "Objects per resource by encryption provider and key name (KMS v2: keyID); with --encryption-config, what does not match it, and KMS v2 keyIDs that are not the plugin's current one (exit 1)",
  builder: (y) =>
    withSourceOptions(withEncryptionOption(y))
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .example('$0 audit encryption', 'how each resource is stored: aescbc key1, secretbox key2, plaintext')
      .example('$0 audit encryption --encryption-config /etc/kubernetes/enc.yaml', 'plaintext Secrets, objects not yet rewritten with the current key')
      .example('$0 audit encryption --snapshot backup.db --encryption-config enc.yaml --kms-socket vault=/run/kms.sock', "a backup, KMS v2 keyIDs checked against the plugin's current one"),
  handler: async (args) => {
    await withStore(ctx, args, async (store) => printAudits(ctx, args.output, [await auditEncryption(ctx, store)], store), { detectRelease: false, checksAlongside: true });
  },
});

/** Reads every value's prefix and counts how the registry is encrypted. */
export async function auditEncryption(ctx: CommandContext, store: Store): Promise<AuditOutcome> {
  const { source, prefix, revision, registry, denied } = store;
  const audit = new EncryptionAudit(store.decryptor?.config);
  const progress = await startProgress(ctx.io, `encryption: reading ${prefix}/`);
  let n = 0;
  try {
    for await (const entry of everyEntry(source, prefix, revision, registry, denied)) {
      const parsed = tryParseKey(entry.key, { prefix, registry });
      if (parsed?.type === 'object') audit.add(entry.value, parsed.group, parsed.resource);
      if (++n % 1000 === 0) progress.update(() => `encryption: reading ${prefix}/: ${n.toLocaleString('en-US')} keys`);
    }
  } finally {
    progress.stop();
  }
  const rows = audit.rows();
  const findings = audit.findings(await currentKeyIDs(ctx, store.decryptor, audit.kmsV2Providers()));
  // The KMS KEYID column only where KMS v2 values were found.
  const withKeyIDs = rows.some((r) => r.kmsKeyID !== undefined);
  let text = formatTable(
    ['RESOURCE', 'PROVIDER', 'KEY', ...(withKeyIDs ? ['KMS KEYID'] : []), 'COUNT'],
    rows.map((r) => [r.resource, r.provider, r.keyName === '' ? '-' : r.keyName, ...(withKeyIDs ? [r.kmsKeyID ?? '-'] : []), r.count.toLocaleString('en-US')]),
    { align: ['left', 'left', 'left', ...(withKeyIDs ? ['left' as const] : []), 'right'] },
  );
  if (findings.length > 0) text += `\nfindings:\n${findings.map((f) => `  ${f.message}\n`).join('')}`;
  return { name: 'encryption', json: { resources: rows as unknown as JsonObject[], findings: findings as unknown as JsonObject[] }, text, findings: findings.length };
}

/**
 * The current keyID of each KMS v2 plugin whose values were counted, from its Status, when its
 * socket answers; one line for a plugin that does not (its keyIDs are then not checked).
 */
async function currentKeyIDs(ctx: CommandContext, decryptor: ValueDecryptor | undefined, plugins: readonly string[]): Promise<Map<string, string>> {
  const current = new Map<string, string>();
  if (decryptor === undefined) return current;
  for (const name of plugins) {
    try {
      const keyID = await decryptor.kmsCurrentKeyID(name);
      if (keyID !== undefined) current.set(name, keyID);
    } catch (err) {
      warn(ctx.io, `kms provider "${name}": ${err instanceof Error ? err.message : String(err)}; its keyIDs are not checked against the plugin's current one`);
    }
  }
  return current;
}
