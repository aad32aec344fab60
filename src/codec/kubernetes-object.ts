/**
 * The typed view of a decoded object: apiVersion, kind and the commonly read metadata fields get
 * their Kubernetes types, everything else stays a JsonValue. decode() checks the typed fields of
 * every object it returns (checkKubernetesObject), so the types hold at run time, not just on paper.
 *
 * Pure module: no Node APIs.
 */
import { DecodeError } from '../errors.js';
import { formatPath, GoFloat, isJsonObject, type JsonObject, type JsonValue, type PathSegment } from './json-value.js';

/**
 * One entry of metadata.ownerReferences. The four identifying fields are always present
 * (kube-apiserver writes them even when empty).
 */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
  /** Fields a newer Kubernetes may add. */
  [field: string]: JsonValue;
}

/**
 * metadata of a decoded object. The fields below are typed (and checked by decode()); any other
 * field, e.g. generation or managedFields, is an untyped JsonValue.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  selfLink?: string;
  /** RFC 3339 time; null when the object has none (Kubernetes writes the zero time as null). */
  creationTimestamp?: string | null;
  /** RFC 3339 time; null when the object has none (Kubernetes writes the zero time as null). */
  deletionTimestamp?: string | null;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  /** Every other metadata field (generation, managedFields, ...), untyped. */
  [field: string]: JsonValue;
}

/**
 * A decoded Kubernetes object: TypeMeta and ObjectMeta typed, every other field (spec, status,
 * data, ...) a JsonValue. It is a JsonObject, so anything that takes one (encode()) takes it.
 *
 * @example
 *   const { object } = decode(bytes);
 *   const where = `${object?.metadata?.namespace ?? ''}/${object?.metadata?.name ?? ''}`;
 */
export interface KubernetesObject {
  /** "v1", "apps/v1", ...; absent for kinds stored without TypeMeta. */
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  /** spec, status, data and every other field, untyped. */
  [field: string]: JsonValue;
}

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'selfLink'] as const;
const TIME_FIELDS = ['creationTimestamp', 'deletionTimestamp'] as const;
const STRING_MAP_FIELDS = ['labels', 'annotations'] as const;

/**
 * The object, typed, after checking that every field KubernetesObject types holds that type.
 * Throws DecodeError('bad-object-meta') naming the field otherwise: kube-apiserver writes these
 * fields with these types, so a mismatch means a value written to etcd by something else.
 */
export function checkKubernetesObject(object: JsonObject): KubernetesObject {
  expect(object, [], 'apiVersion', 'a string', isString);
  expect(object, [], 'kind', 'a string', isString);
  const metadata = object.metadata;
  if (metadata === undefined) return object;
  if (!isJsonObject(metadata)) throw mismatch(['metadata'], 'an object', metadata);
  const at = ['metadata'];
  for (const field of STRING_FIELDS) expect(metadata, at, field, 'a string', isString);
  for (const field of TIME_FIELDS) expect(metadata, at, field, 'a string or null', (v) => v === null || typeof v === 'string');
  for (const field of STRING_MAP_FIELDS) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (!isJsonObject(map)) throw mismatch([...at, field], 'an object of strings', map);
    for (const key of Object.keys(map)) expect(map, [...at, field], key, 'a string', isString);
  }
  const finalizers = metadata.finalizers;
  if (finalizers !== undefined) {
    if (!Array.isArray(finalizers)) throw mismatch([...at, 'finalizers'], 'a list of strings', finalizers);
    finalizers.forEach((value, index) => {
      if (typeof value !== 'string') throw mismatch([...at, 'finalizers', index], 'a string', value);
    });
  }
  const owners = metadata.ownerReferences;
  if (owners !== undefined) {
    if (!Array.isArray(owners)) throw mismatch([...at, 'ownerReferences'], 'a list of objects', owners);
    owners.forEach((owner, index) => {
      const ownerAt = [...at, 'ownerReferences', index];
      if (!isJsonObject(owner)) throw mismatch(ownerAt, 'an object', owner);
      for (const field of ['apiVersion', 'kind', 'name', 'uid']) {
        if (typeof owner[field] !== 'string') throw mismatch([...ownerAt, field], 'a string', owner[field]);
      }
      expect(owner, ownerAt, 'controller', 'a boolean', isBoolean);
      expect(owner, ownerAt, 'blockOwnerDeletion', 'a boolean', isBoolean);
    });
  }
  return object;
}

function isString(value: JsonValue): boolean {
  return typeof value === 'string';
}

function isBoolean(value: JsonValue): boolean {
  return typeof value === 'boolean';
}

/** Absent is fine; present must pass the test. */
function expect(object: JsonObject, at: readonly PathSegment[], field: string, what: string, test: (value: JsonValue) => boolean): void {
  const value = object[field];
  if (value !== undefined && !test(value)) throw mismatch([...at, field], what, value);
}

function mismatch(segments: readonly PathSegment[], what: string, value: JsonValue | undefined): DecodeError {
  const path = formatPath(segments);
  return new DecodeError('bad-object-meta', `${path} must be ${what}, not ${jsonTypeName(value)}`, { path });
}

function jsonTypeName(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof GoFloat || typeof value === 'bigint') return 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
