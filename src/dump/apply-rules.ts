/**
 * `kreg dump --for-apply`: what is taken out of a stored object so that `kubectl apply` can
 * re-create it in an empty (or rebuilt) cluster, and which objects are not written at all.
 * Both are data tables, printed as they are in `kreg dump --help`. No I/O; the input is not changed.
 */
import { cloneJsonValue, isJsonObject, type JsonObject, type JsonValue } from '../codec/json-value.js';
import type { SkipReason } from './dump-manifest.js';

/** One field taken out: where, for which kinds (all when absent), unless its value is `keepWhen`, and why. */
export interface CleaningRule {
  /** Dotted path; after `labels.` the rest is one label key. */
  path: string;
  /** "group/Kind" ("/Service" for core); every kind when absent. */
  kinds?: readonly string[];
  /** The field stays when it holds exactly this value. */
  keepWhen?: string;
  /** Only for objects whose top-level field `field` is `equals` (a Secret's type). */
  onlyWhen?: { field: string; equals: string };
  why: string;
}

export const CLEANING_RULES: readonly CleaningRule[] = [
  { path: 'metadata.resourceVersion', why: 'set by the server; a create that carries one is refused' },
  { path: 'metadata.uid', why: 'set by the server on create' },
  { path: 'metadata.creationTimestamp', why: 'set by the server on create' },
  { path: 'metadata.generation', why: 'set by the server on create' },
  { path: 'metadata.managedFields', why: "the server's bookkeeping of who set which field" },
  { path: 'metadata.selfLink', why: 'set by the server (old releases)' },
  { path: 'metadata.deletionTimestamp', why: 'the object was being deleted; re-created, it is not' },
  { path: 'metadata.deletionGracePeriodSeconds', why: 'goes with deletionTimestamp' },
  {
    path: 'metadata.ownerReferences',
    why: 'owners get new uids when re-created: an old uid makes the garbage collector delete the object, and the API refuses a reference without one',
  },
  { path: 'status', why: 'written by controllers, not by apply' },
  { path: 'spec.clusterIP', kinds: ['/Service'], keepWhen: 'None', why: 'allocated by the server; the old address may be taken or outside the new range' },
  { path: 'spec.clusterIPs', kinds: ['/Service'], keepWhen: 'None', why: 'goes with spec.clusterIP' },
  {
    path: 'data',
    kinds: ['/Secret'],
    onlyWhen: { field: 'type', equals: 'kubernetes.io/service-account-token' },
    why: "the old cluster's signing key made the token; left empty, the token controller writes one the new cluster accepts",
  },
  { path: 'spec.claimRef.uid', kinds: ['/PersistentVolume'], why: 'the claim is re-created with a new uid: without the old one the volume binds to it again by namespace/name' },
  { path: 'spec.claimRef.resourceVersion', kinds: ['/PersistentVolume'], why: 'goes with spec.claimRef.uid' },
  {
    path: 'spec.selector',
    kinds: ['batch/Job'],
    why: 'generated from the old uid: the API refuses a Job that brings its own selector without spec.manualSelector',
  },
  { path: 'spec.template.metadata.labels.controller-uid', kinds: ['batch/Job'], why: 'generated from the old uid, as spec.selector' },
  { path: 'spec.template.metadata.labels.batch.kubernetes.io/controller-uid', kinds: ['batch/Job'], why: 'generated from the old uid, as spec.selector' },
];

/** Objects not written with --for-apply, and why. */
export interface SkipRule {
  /** A short name for the manifest's counts. */
  reason: SkipReason;
  why: string;
  applies: (object: JsonObject) => boolean;
}

export const SKIP_RULES: readonly SkipRule[] = [
  {
    reason: 'owned by a controller',
    why: 'it has a controller owner (a ReplicaSet, a Job, ...) that makes it again; a copy would run twice',
    applies: (object) => ownerReferences(object).some((ref) => isJsonObject(ref) && ref.controller === true),
  },
  {
    reason: 'event',
    why: 'Events are a record of what happened, not state to re-create',
    applies: (object) => object.kind === 'Event' && (object.apiVersion === 'v1' || object.apiVersion === 'events.k8s.io/v1'),
  },
];

/** The rules as the help prints them: one line per rule. */
export function describeApplyRules(): string {
  const lines = CLEANING_RULES.map((rule) => {
    const only = rule.onlyWhen === undefined ? '' : ` with ${rule.onlyWhen.field} ${rule.onlyWhen.equals}`;
    const kinds = rule.kinds === undefined ? '' : ` (${rule.kinds.map((k) => k.replace(/^\//, '')).join(', ')}${only}${rule.keepWhen === undefined ? '' : `; kept when "${rule.keepWhen}"`})`;
    return `  drop ${rule.path}${kinds}: ${rule.why}`;
  });
  for (const rule of SKIP_RULES) lines.push(`  leave out (${rule.reason}): ${rule.why}`);
  return lines.join('\n');
}

/** The reason --for-apply leaves the object out, or undefined when it is written. */
export function skipForApply(object: JsonObject): SkipReason | undefined {
  return SKIP_RULES.find((rule) => rule.applies(object))?.reason;
}

/** A copy of the object with every cleaning rule applied; nothing of the input is changed. */
export function cleanForApply(object: JsonObject): JsonObject {
  const copy = cloneJsonValue(object) as JsonObject;
  const kind = `${groupOf(copy)}/${String(copy.kind ?? '')}`;
  for (const rule of CLEANING_RULES) {
    if (rule.kinds !== undefined && !rule.kinds.includes(kind)) continue;
    if (rule.onlyWhen !== undefined && copy[rule.onlyWhen.field] !== rule.onlyWhen.equals) continue;
    if (rule.path === 'spec.selector' && isJsonObject(copy.spec) && copy.spec.manualSelector === true) continue;
    deleteRulePath(copy, rule);
  }
  return copy;
}

function groupOf(object: JsonObject): string {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/**
 * Removes the rule's field. Label keys hold dots and slashes (batch.kubernetes.io/controller-uid),
 * so after `labels` the rest of the path is one key.
 */
function deleteRulePath(object: JsonObject, rule: CleaningRule): void {
  const labels = rule.path.indexOf('.labels.');
  const parts = labels < 0 ? rule.path.split('.') : [...rule.path.slice(0, labels + '.labels'.length).split('.'), rule.path.slice(labels + '.labels.'.length)];
  let at: JsonObject | undefined = object;
  for (const part of parts.slice(0, -1)) {
    const next: JsonValue | undefined = at[part];
    if (!isJsonObject(next)) return;
    at = next;
  }
  const last = parts[parts.length - 1] as string;
  const value = at[last];
  if (value === undefined) return;
  if (rule.keepWhen !== undefined && (value === rule.keepWhen || (Array.isArray(value) && value.includes(rule.keepWhen)))) return;
  delete at[last];
}

function ownerReferences(object: JsonObject): readonly JsonValue[] {
  const refs = isJsonObject(object.metadata) ? object.metadata.ownerReferences : undefined;
  return Array.isArray(refs) ? refs : [];
}
