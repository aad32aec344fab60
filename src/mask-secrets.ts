/**
 * Secret data hidden the way kubectl diff hides it, so output can be shared: the one masker used by
 * `kreg get`, `kreg history` and `kreg diff`.
 *
 * kubectl diff's masker works on a pair (the object before and after): a value that is the same on
 * both sides becomes `***`, a value that differs becomes `*** (before)` and `*** (after)`, so a
 * change stays visible without showing either value. One object alone (get) is the pair's special
 * case with nothing to compare against: every value is `***`.
 *
 * Every copy of the data is masked the same way: kubectl apply keeps the whole Secret as applied in
 * the last-applied-configuration annotation, so its data and stringData are masked inside it too.
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

/** kubectl apply's copy of the object as applied, a JSON string. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** A before/after pair with Secret data masked as kubectl diff masks it; either side may be missing (created or deleted). */
export function maskSecretPair<A extends JsonObject | null | undefined, B extends JsonObject | null | undefined>(before: A, after: B): [A, B] {
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const from: JsonObject | undefined = isSecret(before) ? { ...before } : undefined;
  const to: JsonObject | undefined = isSecret(after) ? { ...after } : undefined;
  maskDataPair(from, to);
  maskLastAppliedPair(from, to);
  return [(from ?? before) as A, (to ?? after) as B];
}

/** data and stringData of both (already copied) objects, masked in place as a pair. */
function maskDataPair(from: JsonObject | undefined, to: JsonObject | undefined): void {
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
}

/**
 * The last-applied annotation of both objects, its own data masked as a pair and written back as
 * JSON. An annotation that is not a JSON object cannot be masked field by field: it is replaced whole.
 */
function maskLastAppliedPair(from: JsonObject | undefined, to: JsonObject | undefined): void {
  const annotations = [copyAnnotations(from), copyAnnotations(to)];
  const applied = annotations.map((a) => (a === undefined ? undefined : a[LAST_APPLIED_ANNOTATION]));
  if (applied.every((text) => text === undefined)) return;
  const parsed = applied.map((text) => (typeof text === 'string' ? parseObject(text) : undefined));
  const copies = parsed.map((p) => (isSecret(p) ? { ...p } : undefined));
  maskDataPair(copies[0], copies[1]);
  annotations.forEach((a, i) => {
    if (a === undefined || applied[i] === undefined) return;
    const copy = copies[i];
    // kubectl writes the annotation as compact JSON with a trailing newline.
    a[LAST_APPLIED_ANNOTATION] = copy === undefined ? MASKED_SECRET_VALUE : `${JSON.stringify(copy)}\n`;
  });
}

/** metadata.annotations of the object, both replaced there by copies (the annotations are returned). */
function copyAnnotations(object: JsonObject | undefined): JsonObject | undefined {
  const metadata = copyMap(object, 'metadata');
  return metadata === undefined ? undefined : copyMap(metadata, 'annotations');
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value as JsonObject) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
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

/** Whether a Secret's data holds the values this masker writes: such an object is no longer the stored one. */
export function hasMaskedSecretData(object: JsonObject): boolean {
  if (!isSecret(object)) return false;
  return SECRET_FIELDS.some((field) => {
    const map = object[field];
    return isJsonObject(map) && Object.values(map).some((v) => v === MASKED_SECRET_VALUE || v === BEFORE || v === AFTER);
  });
}
