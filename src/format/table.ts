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
}

/**
 * The header (when given) and rows, one line each, every line ending in a newline. Rows may be
 * shorter than others; missing cells are empty. Width is counted in UTF-16 code units.
 */
export function formatTable(header: readonly string[] | undefined, rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = header === undefined ? rows : [header, ...rows];
  if (all.length === 0) return '';
  const columns = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const gap = ' '.repeat(options.gap ?? 3);
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
