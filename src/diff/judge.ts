/**
 * Judgement: whether a normalised pair is identical, changed, or on one side only. Both sides are
 * compared as the kubectl-style YAML a user would read (keys sorted), which is also the text the
 * diff program is given. No I/O.
 */
import { formatYaml } from '../format/object-text.js';
import { encryptedValueOf } from '../sources/object-source.js';
import type { ObjectPair } from './pairs.js';
import { compareBytes } from '../codec/utf8.js';

/** touched: changed only in fields the server rewrites on its own (see touched.ts). */
export type Verdict = 'only-from' | 'only-to' | 'changed' | 'touched' | 'identical';

export const VERDICTS: readonly Verdict[] = ['only-from', 'only-to', 'changed', 'touched', 'identical'];

export interface Judged {
  pair: ObjectPair;
  verdict: Verdict;
  /** The YAML of each side, where the side has the object. */
  fromText?: string;
  toText?: string;
  /**
   * A side is encrypted at rest and could not be decrypted: "differs" when its object is on one
   * side only or both are encrypted with different ciphertexts (nothing to show), "uncomparable"
   * when the other side is a plain object.
   */
  encrypted?: 'differs' | 'uncomparable';
}

/**
 * The verdict on a pair where a side is a value encrypted at rest that could not be decrypted, or
 * undefined when neither is. Two encrypted values are the same when their stored bytes are (a
 * value re-encrypted with the same key has a new nonce, and so differs); an encrypted value
 * cannot be compared with a plain object.
 */
export function judgeEncrypted(pair: ObjectPair): Judged | undefined {
  const from = encryptedValueOf(pair.from);
  const to = encryptedValueOf(pair.to);
  if (from === undefined && to === undefined) return undefined;
  if (pair.to === undefined) return { pair, verdict: 'only-from', encrypted: 'differs' };
  if (pair.from === undefined) return { pair, verdict: 'only-to', encrypted: 'differs' };
  if (from !== undefined && to !== undefined) return compareBytes(from, to) === 0 ? { pair, verdict: 'identical' } : { pair, verdict: 'changed', encrypted: 'differs' };
  return { pair, verdict: 'changed', encrypted: 'uncomparable' };
}

export function judge(pair: ObjectPair): Judged {
  const fromText = pair.from === undefined ? undefined : formatYaml(pair.from);
  const toText = pair.to === undefined ? undefined : formatYaml(pair.to);
  const verdict: Verdict = fromText === undefined ? 'only-to' : toText === undefined ? 'only-from' : fromText === toText ? 'identical' : 'changed';
  const judged: Judged = { pair, verdict };
  if (fromText !== undefined) judged.fromText = fromText;
  if (toText !== undefined) judged.toText = toText;
  return judged;
}
