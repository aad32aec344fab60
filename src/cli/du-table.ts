/** kreg du's table: the groups with their parts (and history, when read), then the largest objects and histories. */
import { humanBytes } from '../format/sizes.js';
import { formatTable } from '../format/table.js';
import type { KeyHistoryUsage, LargeObject, UsageGroup, UsageGrouping } from '../storage-usage.js';

/** Whether past revisions were read, and why not. */
export type HistoryAvailability = { available: true } | { available: false; reason: string };

export interface UsageReport {
  by: UsageGrouping;
  history: HistoryAvailability;
  groups: UsageGroup[];
  total: UsageGroup;
  largest: LargeObject[];
  largestHistory: KeyHistoryUsage[];
}

export function usageTable(report: UsageReport): string {
  const { by, history, groups, total, largest, largestHistory } = report;
  const withHistory = history.available;
  const row = (g: UsageGroup): string[] => [
    g.group,
    g.count.toLocaleString('en-US'),
    humanBytes(g.bytes),
    humanBytes(g.managedFieldsBytes),
    humanBytes(g.statusBytes),
    humanBytes(g.otherBytes),
    ...(withHistory ? [humanBytes(g.historyBytes), g.revisions.toLocaleString('en-US')] : []),
  ];
  const headers = [by.toUpperCase(), 'COUNT', 'BYTES', 'MANAGED-FIELDS', 'STATUS', 'OTHER', ...(withHistory ? ['HISTORY', 'REVISIONS'] : [])];
  let out = formatTable(headers, [...groups.map(row), row(total)], { align: ['left', ...headers.slice(1).map(() => 'right' as const)] });
  if (total.unmeasuredBytes > 0) out += `(${humanBytes(total.unmeasuredBytes)} in CBOR, encrypted or opaque values count as OTHER: their parts are not measured)\n`;
  if (withHistory) out += '(HISTORY: the values of every retained revision, the live ones included; REVISIONS: writes and deletes retained)\n';
  else out += `(history: not available: ${history.reason})\n`;
  if (largest.length > 0)
    out += `\nLARGEST OBJECTS\n${formatTable(
      ['BYTES', 'KEY'],
      largest.map((o) => [humanBytes(o.bytes), o.key]),
      { align: ['right', 'left'] },
    )}`;
  if (largestHistory.length > 0)
    out += `\nLARGEST HISTORIES\n${formatTable(
      ['HISTORY', 'REVISIONS', 'KEY'],
      largestHistory.map((k) => [humanBytes(k.bytes), k.revisions.toLocaleString('en-US'), k.key]),
      { align: ['right', 'right', 'left'] },
    )}`;
  return out;
}
