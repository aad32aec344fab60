/**
 * `kreg restore`: what putting one object of a backup back would do, decided without I/O from the
 * backed-up object and the live one (if any). Both are cleaned by the --for-apply rules before
 * they are compared, so what the server sets (uid, resourceVersion, status, a Service's clusterIP)
 * never counts as a difference.
 */
import type { JsonObject } from '../codec/json-value.js';
import { dropNullFields } from '../diff/normalise.js';
import { cleanForApply } from './apply-rules.js';
import { tierOf } from './dump-layout.js';

export type RestoreVerdict = 'create' | 'unchanged' | 'conflict';

export interface RestoreStep {
  verdict: RestoreVerdict;
  /** The object to write: the backup's, cleaned. */
  wanted: JsonObject;
  /** The live object, cleaned the same way (absent for create): the other side of a conflict's diff. */
  live?: JsonObject;
  /** The live resourceVersion, which an overwrite must carry (absent for create). */
  liveResourceVersion?: string;
}

function comparable(object: JsonObject): JsonObject {
  const cleaned = cleanForApply(object);
  dropNullFields(cleaned);
  return cleaned;
}

/** Deep equality of JSON values, key order ignored. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function planRestore(backup: JsonObject, live: JsonObject | undefined): RestoreStep {
  const wanted = comparable(backup);
  if (live === undefined) return { verdict: 'create', wanted };
  const current = comparable(live);
  const metadata = live.metadata as JsonObject | undefined;
  const liveResourceVersion = typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
  const step: RestoreStep = { verdict: same(wanted, current) ? 'unchanged' : 'conflict', wanted, live: current };
  return liveResourceVersion === undefined ? step : { ...step, liveResourceVersion };
}

/** The object an overwrite sends: the wanted one with the live resourceVersion, so a change in between is refused. */
export function forOverwrite(step: RestoreStep): JsonObject {
  const metadata = { ...((step.wanted.metadata as JsonObject | undefined) ?? {}) };
  if (step.liveResourceVersion !== undefined) metadata.resourceVersion = step.liveResourceVersion;
  return { ...step.wanted, metadata };
}

/** Dependencies first: by tier (namespaces, then CRDs, ... as a dump lays them out), then namespace and name. */
export function restoreOrder<T extends { group: string; kind: string; namespace: string | undefined; name: string }>(objects: readonly T[]): T[] {
  const key = (o: T): string => `${tierOf(o.group, o.kind)}\u0000${o.namespace ?? ''}\u0000${o.group}\u0000${o.kind}\u0000${o.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
