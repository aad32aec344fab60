/**
 * Judgement: whether a normalised pair is identical, changed, or on one side only. Both sides are
 * compared as the kubectl-style YAML a user would read (keys sorted), which is also the text the
 * diff program is given. No I/O.
 */
import { formatYaml } from '../format/object-text.js';
import type { ObjectPair } from './pairs.js';

export type Verdict = 'only-from' | 'only-to' | 'changed' | 'identical';

export const VERDICTS: readonly Verdict[] = ['only-from', 'only-to', 'changed', 'identical'];

export interface Judged {
  pair: ObjectPair;
  verdict: Verdict;
  /** The YAML of each side, where the side has the object. */
  fromText?: string;
  toText?: string;
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
