/**
 * A small line diff: Myers' O(ND) shortest edit script over lines, written as a unified diff
 * (`---`/`+++` headers, `@@ -a,b +c,d @@` hunks, 3 lines of context by default), as `diff -u`
 * prints it. Pure module, no dependencies (the `diff` package in node_modules is only mocha's).
 */

export type LineOp = ' ' | '-' | '+';

export interface LineEdit {
  op: LineOp;
  line: string;
}

/** Splits text into lines; a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script turning `a` into `b` (deletions before insertions within a change). */
export function diffLines(a: readonly string[], b: readonly string[]): LineEdit[] {
  // Common prefix and suffix cost nothing to find and keep the search small.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: LineEdit[] = [];
  for (let i = 0; i < start; i++) edits.push({ op: ' ', line: a[i] as string });
  edits.push(...myers(a.slice(start, endA), b.slice(start, endB)));
  for (let i = endA; i < a.length; i++) edits.push({ op: ' ', line: a[i] as string });
  return edits;
}

/** Bound on the saved frontiers (4 bytes each), so a pathological diff cannot exhaust memory. */
const MAX_TRACE_CELLS = 32 * 1024 * 1024;

function myers(a: readonly string[], b: readonly string[]): LineEdit[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ op: '+', line }));
  if (m === 0) return a.map((line) => ({ op: '-', line }));
  const max = n + m;
  const offset = max;
  let v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    // Each step keeps a frontier; for two huge, very different texts, say "all of it changed".
    if (d * v.length > MAX_TRACE_CELLS) return [...a.map((line): LineEdit => ({ op: '-', line })), ...b.map((line): LineEdit => ({ op: '+', line }))];
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) x = v[offset + k + 1] as number;
      else x = (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v);
  // Walk back from (n, m) through the saved frontiers; trace[d + 1] holds the frontier after step d.
  const reversed: LineEdit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const before = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (d === 0) prevK = 0;
    else if (k === -d || (k !== d && (before[offset + k - 1] as number) < (before[offset + k + 1] as number))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : (before[offset + prevK] as number);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      reversed.push({ op: ' ', line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) reversed.push({ op: '+', line: b[y - 1] as string });
      else reversed.push({ op: '-', line: a[x - 1] as string });
    }
    x = prevX;
    y = prevY;
  }
  return reversed.reverse();
}

/**
 * A unified diff of two texts, or '' when they are equal. Hunks keep `context` unchanged lines
 * around each change and merge when their context would touch.
 */
export function unifiedDiff(oldText: string, newText: string, options: { oldName?: string; newName?: string; context?: number } = {}): string {
  const context = options.context ?? 3;
  const edits = diffLines(splitLines(oldText), splitLines(newText));
  if (edits.every((e) => e.op === ' ')) return '';
  const out: string[] = [`--- ${options.oldName ?? 'a'}`, `+++ ${options.newName ?? 'b'}`];
  // Old and new line numbers (0-based) before each edit.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 0;
  let w = 0;
  for (const e of edits) {
    oldAt.push(o);
    newAt.push(w);
    if (e.op !== '+') o++;
    if (e.op !== '-') w++;
  }
  let i = 0;
  while (i < edits.length) {
    while (i < edits.length && (edits[i] as LineEdit).op === ' ') i++;
    if (i >= edits.length) break;
    const first = Math.max(0, i - context);
    // Extend over changes whose gap of unchanged lines is at most 2 × context.
    let last = i;
    let j = i;
    while (j < edits.length) {
      if ((edits[j] as LineEdit).op !== ' ') {
        last = j;
        j++;
        continue;
      }
      let run = j;
      while (run < edits.length && (edits[run] as LineEdit).op === ' ') run++;
      if (run >= edits.length || run - j > 2 * context) break;
      j = run;
    }
    const end = Math.min(edits.length, last + 1 + context);
    const hunk = edits.slice(first, end);
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    out.push(`@@ -${range(oldAt[first] as number, oldCount)} +${range(newAt[first] as number, newCount)} @@`);
    for (const e of hunk) out.push(`${e.op}${e.line}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}

/** diff -u's hunk range: 1-based start, count omitted when 1, and the line before when empty. */
function range(start0: number, count: number): string {
  if (count === 0) return `${start0},0`;
  if (count === 1) return `${start0 + 1}`;
  return `${start0 + 1},${count}`;
}
