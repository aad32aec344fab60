/**
 * The column layout yargs gives its help (through cliui and wrap-ansi), for plain ASCII text.
 * top-level-help.ts uses it to print `kreg --help` without loading yargs; a test checks that both
 * give the same text at every width.
 */

/** Top, right, bottom, left, as cliui takes them. */
export type Padding = readonly [number, number, number, number];

export interface HelpColumn {
  text: string;
  /** The width with padding; a column without one shares what the fixed columns leave. */
  width?: number;
  padding?: Padding;
  align?: 'right';
}

interface Row {
  columns: HelpColumn[];
  /** A span row lets the next row's text join its last line when it fits there (yargs' [boolean] hints). */
  span: boolean;
}

interface Line {
  text: string;
  span: boolean;
  hidden: boolean;
}

const NO_PADDING: Padding = [0, 0, 0, 0];
const LEFT = 3;
const RIGHT = 1;

export class HelpLayout {
  private readonly rows: Row[] = [];

  constructor(private readonly width: number) {}

  /** A row of columns; with no columns, a row that only ends a span (cliui's empty div). */
  div(...columns: (HelpColumn | string)[]): void {
    if (columns.length === 0) columns = [''];
    this.rows.push({ columns: columns.map((c) => (typeof c === 'string' ? { text: c } : c)), span: false });
  }

  span(...columns: (HelpColumn | string)[]): void {
    this.div(...columns);
    (this.rows[this.rows.length - 1] as Row).span = true;
  }

  toString(): string {
    const lines: Line[] = [];
    for (const row of this.rows) this.render(row, lines);
    return lines
      .filter((line) => !line.hidden)
      .map((line) => line.text)
      .join('\n');
  }

  private render(row: Row, lines: Line[]): void {
    const widths = this.columnWidths(row.columns);
    const cells: string[][] = [];
    row.columns.forEach((column, c) => {
      const padding = column.padding ?? NO_PADDING;
      const wrapped = wrapText(column.text, (widths[c] as number) - padding[LEFT] - padding[RIGHT]);
      const all = [...new Array<string>(padding[0]).fill(''), ...wrapped, ...new Array<string>(padding[2]).fill('')];
      all.forEach((text, r) => {
        const cellRow = cells[r] ?? [];
        cells[r] = cellRow;
        while (cellRow.length < c) cellRow.push('');
        cellRow.push(text);
      });
    });
    cells.forEach((cellRow, r) => {
      let text = '';
      cellRow.forEach((cell, c) => {
        const column = row.columns[c] as HelpColumn;
        const padding = column.padding ?? NO_PADDING;
        const width = widths[c] as number;
        const inner = width - padding[LEFT] - padding[RIGHT];
        let padded = cell.padEnd(inner);
        if (column.align === 'right') {
          padded = padded.trim().padStart(inner);
          if (padded.length < inner) padded += ' '.repeat(width - padded.length - 1);
        }
        text += ' '.repeat(padding[LEFT]) + padded + ' '.repeat(padding[RIGHT]);
        const previous = lines[lines.length - 1];
        if (r === 0 && previous !== undefined) text = joinInline(text, previous);
      });
      lines.push({ text: text.replace(/ +$/, ''), span: row.span, hidden: false });
    });
  }

  private columnWidths(columns: readonly HelpColumn[]): number[] {
    const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
    const unset = columns.filter((c) => c.width === undefined).length;
    const share = unset === 0 ? 0 : Math.floor((this.width - fixed) / unset);
    return columns.map((c) => c.width ?? Math.max(share, 1 + (c.padding ?? NO_PADDING)[LEFT] + (c.padding ?? NO_PADDING)[RIGHT]));
  }
}

/** A line whose leading blanks cover the previous span line's text is written onto that line. */
function joinInline(text: string, previous: Line): string {
  const leading = (/^ */.exec(text)?.[0] ?? '').length;
  const previousText = previous.text.trimEnd();
  if (!previous.span || leading < previousText.length) return text;
  previous.hidden = true;
  return previousText + ' '.repeat(leading - previousText.length) + text.trimStart();
}

/** Word wrap at `columns`, breaking words longer than a line, as wrap-ansi's hard mode does. */
export function wrapText(text: string, columns: number): string[] {
  return text.split('\n').flatMap((line) => wrapLine(line, columns));
}

function wrapLine(line: string, columns: number): string[] {
  if (line.trim() === '') return [''];
  const rows = [''];
  const last = (): string => rows[rows.length - 1] as string;
  for (const [index, word] of line.split(' ').entries()) {
    rows[rows.length - 1] = last().trimStart();
    let rowLength = last().trimEnd().length;
    if (index !== 0 && rowLength > 0) {
      rows[rows.length - 1] += ' ';
      rowLength++;
    }
    if (word.length > columns) {
      const breaksStartingThisLine = 1 + Math.floor((word.length - (columns - rowLength) - 1) / columns);
      const breaksStartingNextLine = Math.floor((word.length - 1) / columns);
      if (breaksStartingNextLine < breaksStartingThisLine) rows.push('');
      breakWord(rows, word, columns);
      continue;
    }
    if (rowLength + word.length > columns && rowLength > 0 && word.length > 0) rows.push('');
    rows[rows.length - 1] += word;
  }
  return rows.map((row) => row.trimEnd());
}

function breakWord(rows: string[], word: string, columns: number): void {
  let visible = (rows[rows.length - 1] as string).length;
  for (const [index, character] of [...word].entries()) {
    if (visible + 1 <= columns) rows[rows.length - 1] += character;
    else {
      rows.push(character);
      visible = 0;
    }
    visible++;
    if (visible === columns && index < word.length - 1) {
      rows.push('');
      visible = 0;
    }
  }
  // A word that ended exactly at the edge left an empty row behind; wrap-ansi folds the last row back.
  if (visible === 0 && (rows[rows.length - 1] as string).length > 0 && rows.length > 1) {
    const tail = rows.pop() as string;
    rows[rows.length - 1] += tail;
  }
}
