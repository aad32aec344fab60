/**
 * The summary of a diff: per resource, how many objects are only in from, only in to, changed,
 * touched (server-managed fields only) and identical, with a TOTAL row; then one line per object
 * that changed or is on one side only (touched ones are counted, not listed). No I/O.
 */
import { formatTable } from '../format/table.js';
import { VERDICTS, type Judged, type Verdict } from './judge.js';
import { resourceName } from './pairs.js';

export type Counts = Record<Verdict, number>;

const LABEL: Record<Verdict, string> = { 'only-from': 'only in from', 'only-to': 'only in to', changed: 'changed', touched: 'touched', identical: 'identical' };

const ENCRYPTED_NOTE: Record<string, string> = { '': '', differs: ' (encrypted, cannot show)', uncomparable: ' (encrypted on one side only, cannot compare)' };

/** Counts per resource name (sorted), and the total. */
export function countVerdicts(judged: readonly Judged[]): { rows: [string, Counts][]; total: Counts } {
  const zero = (): Counts => ({ 'only-from': 0, 'only-to': 0, changed: 0, touched: 0, identical: 0 });
  const rows = new Map<string, Counts>();
  const total = zero();
  for (const j of judged) {
    const name = resourceName(j.pair.entry);
    const row = rows.get(name) ?? zero();
    row[j.verdict]++;
    total[j.verdict]++;
    rows.set(name, row);
  }
  return { rows: [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), total };
}

/** Whether anything differs (exit 1 in kubectl diff's terms); touched objects changed nothing a user set. */
export function hasDifferences(total: Counts): boolean {
  return total['only-from'] + total['only-to'] + total.changed > 0;
}

/** The text: the two sides, the table, and a line for each object that is not identical. */
export function formatSummary(fromDescription: string, toDescription: string, judged: readonly Judged[]): string {
  const { rows, total } = countVerdicts(judged);
  const cells = (c: Counts): string[] => VERDICTS.map((v) => String(c[v]));
  const table = formatTable(['RESOURCE', 'ONLY-IN-FROM', 'ONLY-IN-TO', 'CHANGED', 'TOUCHED', 'IDENTICAL'], [...rows.map(([name, c]) => [name, ...cells(c)]), ['TOTAL', ...cells(total)]]);
  const objects = judged
    .filter((j) => j.verdict !== 'identical' && j.verdict !== 'touched')
    .map((j) => `${LABEL[j.verdict]}: ${resourceName(j.pair.entry)} ${j.pair.namespace === undefined ? '' : `${j.pair.namespace}/`}${j.pair.name}${ENCRYPTED_NOTE[j.encrypted ?? '']}\n`);
  return `from: ${fromDescription}\nto:   ${toDescription}\n${table}${objects.join('')}`;
}
