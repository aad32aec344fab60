/**
 * JSON paths such as `spec.template.spec.containers[0].ports[1]` or `metadata.labels["app"]`,
 * built as a linked list while walking a message and turned into text only when needed (an error,
 * an unknown field), so the hot path allocates nothing but small nodes.
 */
export interface FieldPath {
  readonly parent: FieldPath | undefined;
  /** A JSON field name, an array index, or a map key (wrapped so it is never mistaken for a field). */
  readonly segment: string | number | { mapKey: string };
}

export const ROOT_PATH: FieldPath | undefined = undefined;

export function childPath(parent: FieldPath | undefined, segment: FieldPath['segment']): FieldPath {
  return { parent, segment };
}

export function pathText(path: FieldPath | undefined): string {
  const segments: FieldPath['segment'][] = [];
  for (let p = path; p !== undefined; p = p.parent) segments.push(p.segment);
  let out = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i] as FieldPath['segment'];
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s.mapKey)}]`;
  }
  return out;
}
