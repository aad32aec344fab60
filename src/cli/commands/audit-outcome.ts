/** What each audit hands back, so one run can print one audit or several (kreg audit) the same way. */
import type { JsonObject } from '../../codec/json-value.js';
import { formatJson } from '../../format/object-text.js';
import type { CommandContext } from '../io.js';
import { settleStoreChecks, type Store } from '../open-store.js';

export interface AuditOutcome {
  /** The subcommand's name: the key of its report in combined JSON. */
  name: string;
  json: JsonObject;
  text: string;
  /** How many findings: any makes the exit code 1. */
  findings: number;
}

/**
 * Prints the outcomes (one report, or one per audit headed by its name; JSON: the report, or an
 * object keyed by audit) and sets exit code 1 when any has findings. The store's checks that ran
 * alongside the reads (a snapshot's sha256 trailer) are settled first: a bad file prints no report.
 */
export async function printAudits(ctx: CommandContext, output: 'table' | 'json', outcomes: readonly AuditOutcome[], store: Store): Promise<void> {
  await settleStoreChecks(ctx, store);
  const only = outcomes.length === 1 ? outcomes[0] : undefined;
  if (output === 'json') {
    const json = only?.json ?? Object.fromEntries(outcomes.map((o) => [o.name, o.json]));
    ctx.io.stdout.write(`${formatJson(json)}\n`);
  } else {
    ctx.io.stdout.write(only?.text ?? outcomes.map((o) => `== ${o.name} ==\n${o.text}`).join('\n'));
  }
  if (outcomes.some((o) => o.findings > 0)) ctx.exitCode = Math.max(ctx.exitCode, 1);
}
