/**
 * kreg audit: how the registry is stored. `audit storage` and `audit encryption` run one audit;
 * `audit` alone runs every audit over one open store, exit 1 when any has findings.
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../io.js';
import { withStore } from '../open-store.js';
import { withEncryptionOption, withSourceOptions, type EncryptionArgs, type SourceArgs } from '../options.js';
import { COMMANDS } from '../command-index.js';
import { auditEncryption, encryptionCommand } from './audit-encryption.js';
import { printAudits } from './audit-outcome.js';
import { auditStorage, storageAuditOptions, storageCommand, withStorageAuditOptions } from './audit-storage.js';

interface AllAuditsArgs extends SourceArgs, EncryptionArgs {
  output: 'table' | 'json';
  'max-request-bytes': string;
  top: string;
}

export const auditCommand = (ctx: CommandContext): CommandModule<object, AllAuditsArgs> => ({
  command: COMMANDS.audit.usage,
  describe: COMMANDS.audit.describe,
  builder: (y) =>
    withStorageAuditOptions(withSourceOptions(withEncryptionOption(y.command(storageCommand(ctx)).command(encryptionCommand(ctx)))))
      .option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .example('$0 audit --snapshot backup.db', 'every audit: storage, then encryption (exit 1 when either finds something)'),
  handler: async (args) => {
    const options = storageAuditOptions(args);
    await withStore(ctx, args, async (store) => printAudits(ctx, args.output, [await auditStorage(ctx, store, options), await auditEncryption(ctx, store)]));
  },
});
