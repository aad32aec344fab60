/**
 * Secret data hidden the way kubectl diff hides it, so output can be shared: the one masker used by
 * `kreg get`, `kreg history` and `kreg diff`.
 *
 * kubectl diff's masker works on a pair (the object before and after): a value that is the same on
 * both sides becomes `***`, a value that differs becomes `*** (before)` and `*** (after)`, so a
 * change stays visible without showing either value. One object alone (get) is the pair's special
 * case with nothing to compare against: every value is `***`.
 *
 * The inputs are never changed: the results are copies of the top level and of the masked maps,
 * sharing everything else with the inputs.
 */
import { isJsonObject, type JsonObject } from './codec/json-value.js';

export const MASKED_SECRET_VALUE = '***';
const BEFORE = `${MASKED_SECRET_VALUE} (before)`;
const AFTER = `${MASKED_SECRET_VALUE} (after)`;

/** The fields whose values are masked. */
const SECRET_FIELDS = ['data', 'stringData'] as const;

/** A core v1 Secret (a manifest may leave apiVersion out). */
function isSecret(object: JsonObject | null | undefined): object is JsonObject {
  return object !== undefined && object !== null && object.kind === 'Secret' && (object.apiVersion === 'v1' || object.apiVersion === undefined);
}

/** A before/after pair with Secret data masked as kubectl diff masks it; either side may be missing (created or deleted). */
export function maskSecretPair<A extends JsonObject | null | undefined, B extends JsonObject | null | undefined>(before: A, after: B): [A, B] {
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const from: JsonObject | undefined = isSecret(before) ? { ...before } : undefined;
  const to: JsonObject | undefined = isSecret(after) ? { ...after } : undefined;
  for (const field of SECRET_FIELDS) {
    const a = copyMap(from, field);
    const b = copyMap(to, field);
    for (const key of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
      const inA = a !== undefined && key in a;
      const inB = b !== undefined && key in b;
      if (inA && inB && a[key] !== b[key]) {
        a[key] = BEFORE;
        b[key] = AFTER;
      } else {
        if (inA) a[key] = MASKED_SECRET_VALUE;
        if (inB) b[key] = MASKED_SECRET_VALUE;
      }
    }
  }
  return [(from ?? before) as A, (to ?? after) as B];
}

/** The map at `field` of the object, replaced there by a copy (which is returned); undefined when it holds no map. */
function copyMap(object: JsonObject | undefined, field: string): JsonObject | undefined {
  const map = object?.[field];
  if (object === undefined || !isJsonObject(map)) return undefined;
  const copy = { ...map };
  object[field] = copy;
  return copy;
}

/** One object with its Secret data masked: every value `***` (nothing to compare against). */
export function maskSecret(object: JsonObject): JsonObject {
  return maskSecretPair(object, undefined)[0];
}
