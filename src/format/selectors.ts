/**
 * kubectl's label selectors (-l) and field selectors (--field-selector): parsed once, before
 * anything is read, and matched against decoded objects. Pure.
 *
 * Label selectors: comma-separated requirements, all of which must hold: `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not exist), `k>1`, `k<1`.
 * Field selectors: `field=v`, `field==v`, `field!=v`, comma = AND.
 */
import type { JsonObject, JsonValue } from '../codec/json-value.js';
import { at } from './columns/values.js';

export class SelectorError extends Error {}

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) throw new SelectorError(`invalid label key "${key}": the prefix must be a DNS subdomain`);
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    throw new SelectorError(`invalid label key "${key}": a name must be 63 characters or fewer, alphanumeric, '-', '_' or '.', beginning and ending with an alphanumeric character`);
  }
}

function checkValue(value: string): void {
  if (value !== '' && (value.length > 63 || !NAME_PART.test(value))) {
    throw new SelectorError(`invalid label value "${value}": must be 63 characters or fewer, alphanumeric, '-', '_' or '.', beginning and ending with an alphanumeric character`);
  }
}

type Token = { t: 'id'; v: string } | { t: 'op'; v: string } | { t: '(' } | { t: ')' } | { t: ',' };

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c });
      i++;
    } else if (text.startsWith('==', i) || text.startsWith('!=', i)) {
      tokens.push({ t: 'op', v: text.slice(i, i + 2) });
      i += 2;
    } else if (c === '=' || c === '!' || c === '>' || c === '<') {
      tokens.push({ t: 'op', v: c });
      i++;
    } else {
      const m = /^[^\s(),=!<>]+/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Parses a label selector; "" selects everything. Throws SelectorError saying what is wrong. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const tokens = lex(text);
  const requirements: LabelRequirement[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const describe = (t: Token | undefined) => (t === undefined ? 'end of selector' : t.t === 'id' || t.t === 'op' ? `"${t.v}"` : `"${t.t}"`);
  const expectId = (what: string): string => {
    const t = tokens[i++];
    if (t?.t !== 'id') throw new SelectorError(`${what} expected, found ${describe(t)}`);
    return t.v;
  };
  while (i < tokens.length) {
    let t = peek();
    if (t?.t === 'op' && t.v === '!') {
      i++;
      const key = expectId('a label key after "!"');
      checkKey(key);
      requirements.push({ key, operator: '!', values: [] });
    } else {
      const key = expectId('a label key');
      checkKey(key);
      t = peek();
      if (t === undefined || t.t === ',') {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (t.t === 'op') {
        i++;
        const operator: LabelOperator = t.v === '==' || t.v === '=' ? '=' : t.v === '!=' ? '!=' : t.v === '>' ? '>' : t.v === '<' ? '<' : '!';
        if (operator === '!') throw new SelectorError(`unexpected "!" after label key "${key}"`);
        const next = peek();
        let value = '';
        if (next?.t === 'id') {
          value = next.v;
          i++;
        }
        if (operator === '>' || operator === '<') {
          if (!/^-?\d+$/.test(value)) throw new SelectorError(`label selector "${key}${operator}${value}": ${operator} needs an integer value`);
        } else checkValue(value);
        requirements.push({ key, operator, values: [value] });
      } else if (t.t === 'id' && (t.v === 'in' || t.v === 'notin')) {
        i++;
        if (peek()?.t !== '(') throw new SelectorError(`"(" expected after "${t.v}", found ${describe(peek())}`);
        i++;
        const values: string[] = [];
        for (;;) {
          const v = peek();
          if (v?.t === 'id') {
            checkValue(v.v);
            values.push(v.v);
            i++;
          } else values.push('');
          const sep = tokens[i++];
          if (sep?.t === ')') break;
          if (sep?.t !== ',') throw new SelectorError(`"," or ")" expected in the values of "${key}", found ${describe(sep)}`);
        }
        requirements.push({ key, operator: t.v, values: values.length === 1 && values[0] === '' ? [] : values });
        if (requirements.at(-1)?.values.length === 0) throw new SelectorError(`"${key} ${t.v} ()" needs at least one value`);
      } else {
        throw new SelectorError(`an operator (=, ==, !=, in, notin) expected after label key "${key}", found ${describe(t)}`);
      }
    }
    const sep = tokens[i];
    if (sep === undefined) break;
    if (sep.t !== ',') throw new SelectorError(`"," expected between requirements, found ${describe(sep)}`);
    i++;
    if (i === tokens.length) throw new SelectorError('a requirement expected after the last ","');
  }
  return requirements;
}

export function labelsOf(object: JsonObject): Record<string, string> {
  const labels = at(object, 'metadata', 'labels');
  const out: Record<string, string> = {};
  if (labels !== null && typeof labels === 'object' && !Array.isArray(labels)) {
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.hasOwn(labels, key);
    const value = labels[key] ?? '';
    switch (operator) {
      case '=':
      case 'in':
        return has && values.includes(value);
      case '!=':
      case 'notin':
        return !has || !values.includes(value);
      case 'exists':
        return has;
      case '!':
        return !has;
      case '>':
      case '<': {
        if (!has || !/^-?\d+$/.test(value)) return false;
        const a = BigInt(value);
        const b = BigInt(values[0] as string);
        return operator === '>' ? a > b : a < b;
      }
    }
  });
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Parses a field selector: `a=b,c!=d` (== is =). Backslash escapes ',', '=' and '\' in values, as kubectl's does. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[++i] as string);
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((part) => {
    const m = /^([^=!\\]+?)\s*(==|!=|=)\s*(.*)$/s.exec(part.trim());
    if (m === null) throw new SelectorError(`invalid field selector "${part}": expected field=value, field==value or field!=value`);
    const value = (m[3] as string).replace(/\\(.)/g, '$1');
    return { field: (m[1] as string).trim(), operator: m[2] === '!=' ? '!=' : '=', value };
  });
}

/** The fields kube-apiserver lets a field selector use, by "group/Kind", besides metadata.name and metadata.namespace. */
export const SELECTABLE_FIELDS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['/Pod', ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName']],
  [
    '/Event',
    [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  ],
  ['/Secret', ['type']],
  ['/Namespace', ['status.phase']],
  ['/Node', ['spec.unschedulable']],
  ['/ReplicationController', ['status.replicas']],
  ['/Service', ['spec.clusterIP', 'spec.type']],
  ['apps/ReplicaSet', ['status.replicas']],
  ['batch/Job', ['status.successful']],
  ['certificates.k8s.io/CertificateSigningRequest', ['spec.signerName']],
]);

/** The fields one kind can be selected by (custom resources: the CRD's selectableFields, given). */
export function selectableFields(groupKind: string, extra: readonly string[] = []): string[] {
  return ['metadata.name', 'metadata.namespace', ...(SELECTABLE_FIELDS.get(groupKind) ?? []), ...extra];
}

function fieldText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** A field's value as the apiserver compares it: the text of the value, "" when absent. */
export function fieldValue(object: JsonObject, field: string): string {
  switch (field) {
    case 'metadata.namespace':
      return fieldText(at(object, 'metadata', 'namespace'));
    case 'source': // events: the reporting component
      return fieldText(at(object, 'source', 'component'));
    case 'status.successful': // jobs: the count of succeeded pods
      return fieldText(at(object, 'status', 'succeeded') ?? 0);
    case 'spec.unschedulable':
    case 'spec.hostNetwork':
      return String(at(object, ...field.split('.')) === true);
    case 'status.replicas':
      return fieldText(at(object, 'status', 'replicas') ?? 0);
    default:
      return fieldText(at(object, ...field.split('.')));
  }
}

export function matchesFields(requirements: readonly FieldRequirement[], object: JsonObject): boolean {
  return requirements.every(({ field, operator, value }) => (fieldValue(object, field) === value) === (operator === '='));
}
