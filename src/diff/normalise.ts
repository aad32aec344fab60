/**
 * Normalisation, in one place: what is left out or rewritten on both sides of a pair before they
 * are compared, so that only differences a user cares about remain. No I/O; the inputs are not
 * changed (the pair is copied first).
 *
 * The rules, in order:
 * 1. metadata.managedFields is dropped (unless --show-managed-fields): bookkeeping of who set what.
 * 2. Each --ignore path is dropped.
 * 3. Fields whose value is null are dropped (see dropNullFields).
 * 4. metadata.resourceVersion is compared only when both sides have one (a manifest has none).
 * 5. Secret data is masked as kubectl diff masks it (unless --show-secrets).
 */
import { cloneJsonValue, isJsonObject, type JsonObject, type JsonValue } from '../codec/json-value.js';
import { maskSecretPair } from '../mask-secrets.js';

export interface NormaliseOptions {
  showManagedFields: boolean;
  showSecrets: boolean;
  /** Dotted paths to leave out, e.g. status or metadata.generation. */
  ignore: readonly string[];
}

export interface NormalisedPair {
  from: JsonObject | undefined;
  to: JsonObject | undefined;
}

/** Removes the field at a dotted path, if it is there. */
export function deletePath(object: JsonObject, path: string): void {
  const parts = path.split('.').filter((p) => p !== '');
  if (parts.length === 0) return;
  let at: JsonValue | undefined = object;
  for (const part of parts.slice(0, -1)) {
    if (!isJsonObject(at)) return;
    at = at[part];
  }
  if (isJsonObject(at)) delete at[parts[parts.length - 1] as string];
}

/**
 * Removes, at every depth, the fields of objects whose value is null (elements of lists stay).
 *
 * Why: null and absent mean the same to the API server. Go decodes both into the zero value (a nil
 * pointer, slice or map), so the stored object cannot tell them apart; what differs is only how a
 * writer spelled "nothing". The API serves fields without omitempty as null (an Event's
 * `eventTime: null`, `creationTimestamp: null`), while a manifest simply leaves them out, so without
 * this rule every such object would show as changed (12 of the 16 "changed" Events of the demo
 * snapshot against its manifests differed only by `eventTime: null`).
 */
export function dropNullFields(value: JsonValue): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNullFields(item);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, field] of Object.entries(value)) {
    if (field === null) delete value[key];
    else dropNullFields(field);
  }
}

function resourceVersionOf(object: JsonObject | undefined): JsonValue | undefined {
  return object !== undefined && isJsonObject(object.metadata) ? object.metadata.resourceVersion : undefined;
}

/** The pair as it is compared and shown: copies of both sides with the rules above applied. */
export function normalisePair(fromObject: JsonObject | undefined, toObject: JsonObject | undefined, options: NormaliseOptions): NormalisedPair {
  const from = fromObject === undefined ? undefined : (cloneJsonValue(fromObject) as JsonObject);
  const to = toObject === undefined ? undefined : (cloneJsonValue(toObject) as JsonObject);
  const both = [from, to].filter((o): o is JsonObject => o !== undefined);
  for (const o of both) {
    if (!options.showManagedFields) deletePath(o, 'metadata.managedFields');
    for (const path of options.ignore) deletePath(o, path);
    dropNullFields(o);
  }
  if (from !== undefined && to !== undefined && (resourceVersionOf(from) === undefined || resourceVersionOf(to) === undefined)) {
    for (const o of both) if (isJsonObject(o.metadata)) delete o.metadata.resourceVersion;
  }
  if (options.showSecrets) return { from, to };
  const [maskedFrom, maskedTo] = maskSecretPair(from, to);
  return { from: maskedFrom, to: maskedTo };
}
