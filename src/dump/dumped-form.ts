/**
 * One object as `kreg dump` writes it: Secret data masked unless asked, and with --for-apply cleaned
 * by the rules of apply-rules.ts, or left out. No I/O; the input is not changed.
 */
import type { JsonObject } from '../codec/json-value.js';
import { hasMaskedSecretData, maskSecret } from '../mask-secrets.js';
import { cleanForApply, skipForApply } from './apply-rules.js';
import type { SkipReason } from './dump-manifest.js';

export interface DumpOptions {
  forApply: boolean;
  showSecrets: boolean;
}

export type DumpedForm = { object: JsonObject } | { skip: SkipReason };

/**
 * What is written for the object. A masked Secret cannot be applied (its data would become the
 * text "***"), so with --for-apply and without --show-secrets Secrets are left out, not masked.
 */
export function dumpedForm(object: JsonObject, options: DumpOptions): DumpedForm {
  const masked = options.showSecrets ? object : maskSecret(object);
  if (!options.forApply) return { object: masked };
  const skip = skipForApply(object);
  if (skip !== undefined) return { skip };
  if (masked !== object && hasMaskedSecretData(masked)) return { skip: 'secret data masked' };
  return { object: cleanForApply(masked) };
}
