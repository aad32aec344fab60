/**
 * kreg audit: how the registry is stored. `audit storage` and `audit encryption` run one audit;
 * `audit` alone runs every audit over one open store, exit 1 when any has findings.
 */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../io.js';
import { suggestions } from '../usage-errors.js';
import { withStore } from '../open-store.js';
import { withEncryptionOption, withSourceOptions, type EncryptionArgs, type SourceArgs } from '../options.js';
import { COMMANDS } from '../command-index.js';
import { auditEncryption, encryptionCommand } from './audit-encryption.js';
import { printAudits } from './audit-outcome.js';
import { auditStorage, storageAuditOptions, storageCommand, withStorageAuditOptions } from './audit-storage.js';

/** The audits `kreg audit` names and runs, in order. */
const AUDITS = ['storage', 'encryption'] as const;

interface AllAuditsArgs extends SourceArgs, EncryptionArgs {
  /** A word that named no audit (yargs hands it to this command's optional positional). */
  command: string | undefined;
  output: 'table' | 'json';
  'max-request-bytes': string;
  top: string;
}

export const auditCommand = (ctx: CommandContext): CommandModule<object, AllAuditsArgs> => ({
  command: COMMANDS.audit.usage,
  describe: COMMANDS.audit.describe,
  builder: (y) =>
    withStorageAuditOptions(
      withSourceOptions(
        withEncryptionOption(y.positional('command', { type: 'string', describe: 'the audit to run; every audit when none is named' }).command(storageCommand(ctx)).command(encryptionCommand(ctx))),
      ),
      // Not inherited: each audit declares the options it takes.
      { global: false },
    )
      .option('output', { global: false, alias: 'o', choices: ['table', 'json'] as const, default: 'table' as const, describe: 'output format' })
      .example('$0 audit --snapshot backup.db', 'every audit: storage, then encryption (exit 1 when either finds something)'),
  handler: async (args) => {
    if (args.command !== undefined) {
      const near = suggestions(args.command, AUDITS);
      throw new UsageError(
        'unknown-command',
        `unknown command "${args.command}" for "kreg audit"${near.length === 0 ? '' : ` (did you mean ${near.join(' or ')}?)`}; the audits are ${AUDITS.join(', ')}`,
      );
    }
    const options = storageAuditOptions(args);
    await withStore(ctx, args, async (store) => printAudits(ctx, args.output, [await auditStorage(ctx, store, options), await auditEncryption(ctx, store)], store), {
      checksAlongside: true,
    });
  },
});
