/**
 * One line per target of issue 13, the same for every bench (codec, live, offline, scale):
 *   name: figures = value (target >= goal): met | NOT met
 * e.g. "get -A -o ndjson / etcdctl get --prefix: 9.1 / 112.0 MB/s = 0.08 (target >= 0.80): NOT met".
 */

export interface Target {
  /** What is compared, e.g. "get -A -o ndjson / etcdctl get --prefix". */
  name: string;
  /** The measured figures behind the value, e.g. "9.1 / 112.0 MB/s"; absent when the value is the figure. */
  figures?: string;
  /** The ratio (or figure) checked against the goal. */
  value: number;
  comparison: '>=' | '<=' | '<';
  goal: number;
  /** Appended to value and goal, e.g. "x", " MB/s", " MB". */
  unit?: string;
  /** Decimals of value and goal; 2 by default. */
  digits?: number;
}

export function isMet(target: Pick<Target, 'value' | 'comparison' | 'goal'>): boolean {
  switch (target.comparison) {
    case '>=':
      return target.value >= target.goal;
    case '<=':
      return target.value <= target.goal;
    case '<':
      return target.value < target.goal;
  }
}

export function targetLine(target: Target): string {
  const digits = target.digits ?? 2;
  const unit = target.unit ?? '';
  const value = `${target.value.toFixed(digits)}${unit}`;
  return `${target.name}: ${target.figures === undefined ? '' : `${target.figures} = `}${value} (target ${target.comparison} ${target.goal.toFixed(digits)}${unit}): ${isMet(target) ? 'met' : 'NOT met'}`;
}

/** A target on the ratio of a figure to its reference, both printed, e.g. "9.1 / 112.0 MB/s = 0.08". */
export function ratioTargetLine(name: string, figure: number, reference: number, unit: string, goal: number, figureDigits = 1): string {
  const text = (n: number): string => n.toLocaleString('en-US', { minimumFractionDigits: figureDigits, maximumFractionDigits: figureDigits });
  return targetLine({ name, figures: `${text(figure)} / ${text(reference)} ${unit}`, value: figure / reference, comparison: '>=', goal });
}

/** The line for a target whose figures are missing (a reader failed or was skipped). */
export function unmeasuredTargetLine(name: string, why: string): string {
  return `${name}: not measured (${why})`;
}

/** A titled block of target lines, indented like the benches' tables. */
export function logTargets(log: (line: string) => void, title: string, lines: readonly string[]): void {
  log(`${title}:`);
  for (const line of lines) log(`  ${line}`);
}
