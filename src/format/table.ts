/**
 * Columns as kubectl prints them: each column as wide as its widest cell, 3 spaces between columns,
 * no trailing spaces. Generic (any command's table); no I/O.
 */
export type Alignment = 'left' | 'right';

export interface TableOptions {
  /** Per column; left when not given (kubectl aligns everything left). */
  align?: readonly Alignment[];
  /** Spaces between columns: 3, as kubectl. */
  gap?: number;
  /** Characters each column but the last takes at the least, gap included (kubectl's tabwriter: 6). */
  minWidth?: number;
}

/**
 * The header (when given) and rows, one line each, every line ending in a newline. Rows may be
 * shorter than others; missing cells are empty. Width is counted in UTF-16 code units.
 */
export function formatTable(header: readonly string[] | undefined, rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = header === undefined ? rows : [header, ...rows];
  if (all.length === 0) return '';
  const columns = Math.max(...all.map((r) => r.length));
  const gapWidth = options.gap ?? 3;
  const minCell = (options.minWidth ?? 0) - gapWidth;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(i < columns - 1 ? minCell : 0, ...all.map((r) => (r[i] ?? '').length)));
  const gap = ' '.repeat(gapWidth);
  return all
    .map((row) => {
      const cells = widths.map((width, i) => {
        const cell = row[i] ?? '';
        return options.align?.[i] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      });
      return `${cells.join(gap).trimEnd()}\n`;
    })
    .join('');
}
