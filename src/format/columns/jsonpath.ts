/**
 * The simple JSONPath CRDs' additionalPrinterColumns use: .a.b, ['a.b'], [0], [*], [-1] and
 * [?(@.type=="Ready")] filters. Pure.
 */
import { GoFloat, type JsonValue } from '../../codec/json-value.js';
import { at } from './values.js';

type Step = { field: string } | { index: number } | { all: true } | { filter: string[]; value: string; negate: boolean };

export class JsonPathError extends Error {}

/** Parses `.spec.replicas` or `{.spec.replicas}`. */
export function parseJsonPath(text: string): Step[] {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      const m = /^\.([^.[\]]*)/.exec(s.slice(i));
      const field = m?.[1] ?? '';
      if (field !== '') steps.push({ field });
      i += 1 + field.length;
    } else if (c === '[') {
      const close = findClose(s, i);
      const inner = s.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[^.=!\s]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+?))\s*\)$/.exec(inner);
        if (f === null) throw new JsonPathError(`unsupported JSONPath step [${inner}] in ${text}`);
        steps.push({ filter: (f[1] as string).slice(1).split('.'), value: f[3] ?? f[4] ?? f[5] ?? '', negate: f[2] === '!=' });
      }
    } else if (i === 0 && /[A-Za-z_]/.test(c ?? '')) {
      const m = /^([^.[\]]+)/.exec(s);
      steps.push({ field: m?.[1] ?? '' });
      i += (m?.[1] ?? '').length;
    } else {
      throw new JsonPathError(`unexpected "${c}" in JSONPath ${text}`);
    }
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new JsonPathError(`unclosed [ in JSONPath ${s}`);
}

export function scalarText(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : v instanceof GoFloat ? String(v.value) : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Every value the path reaches, in order. */
export function evaluateJsonPath(steps: readonly Step[], root: JsonValue): JsonValue[] {
  let current: JsonValue[] = [root];
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const v of current) {
      if ('field' in step) {
        const f = at(v, step.field);
        if (f !== undefined) next.push(f);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object' && !(v instanceof GoFloat)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const got = at(item, ...step.filter);
          if (got !== undefined && (scalarText(got) === step.value) !== step.negate) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
