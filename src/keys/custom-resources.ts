/**
 * Learn custom resources and aggregated API groups from objects stored in the same etcd, so that
 * <prefix>/<group>/<plural>/[<namespace>/]<name> keys map to their kind with no API server.
 *
 * Inputs are decoded objects (plain Kubernetes JSON). CustomResourceDefinitions are read in both
 * apiextensions.k8s.io/v1 and v1beta1 shape, because etcd still holds them as v1beta1.
 * A definition that cannot be used is reported, not thrown, so one bad object does not hide the rest.
 * Pure module: no I/O.
 */
import { DecodeError, KregError } from '../errors.js';
import { CUSTOM_RESOURCE_GROUP_PRIORITY, builtinRegistry, extendRegistry, type AggregatedAPIService, type ResourceEntry, type ResourceRegistry } from './key-mapping.js';

type JsonObject = Readonly<Record<string, unknown>>;

/** A stored object that could not be learned from, and why. */
export interface SkippedDefinition {
  /** metadata.name, or "(unnamed)". */
  readonly name: string;
  readonly error: KregError;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: JsonObject | undefined, field: string): JsonObject | undefined {
  const value = parent?.[field];
  return isObject(value) ? value : undefined;
}

function stringAt(parent: JsonObject | undefined, field: string): string | undefined {
  const value = parent?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberAt(parent: JsonObject | undefined, field: string): number | undefined {
  const value = parent?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function objectsAt(parent: JsonObject | undefined, field: string): JsonObject[] {
  const value = parent?.[field];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function stringsAt(parent: JsonObject | undefined, field: string): string[] {
  const value = parent?.[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function nameOf(object: unknown): string {
  return stringAt(objectAt(isObject(object) ? object : undefined, 'metadata'), 'name') ?? '(unnamed)';
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Orders versions the way Kubernetes prioritizes them: GA before beta before alpha, higher
 * numbers first, anything that is not a Kubernetes-style version last (alphabetically).
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (ma === null || mb === null) {
    if (ma !== null) return -1;
    if (mb !== null) return 1;
    return a.localeCompare(b);
  }
  const stability = (m: RegExpExecArray): number => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  return stability(mb) - stability(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/**
 * The registry entry a CustomResourceDefinition describes. Throws DecodeError (code
 * "invalid-crd") when the object is not a usable definition.
 */
export function customResourceFromDefinition(definition: unknown): ResourceEntry {
  const name = nameOf(definition);
  const invalid = (why: string, path?: string): DecodeError => new DecodeError('invalid-crd', `CustomResourceDefinition ${name}: ${why}`, path === undefined ? {} : { path });
  if (!isObject(definition)) throw invalid('not a JSON object');

  const kind = stringAt(definition, 'kind');
  if (kind !== undefined && kind !== 'CustomResourceDefinition') throw invalid(`kind is ${kind}`, 'kind');
  const apiVersion = stringAt(definition, 'apiVersion');
  if (apiVersion !== undefined && !apiVersion.startsWith('apiextensions.k8s.io/')) {
    throw invalid(`apiVersion is ${apiVersion}`, 'apiVersion');
  }
  const isV1beta1 = apiVersion === 'apiextensions.k8s.io/v1beta1';

  const spec = objectAt(definition, 'spec');
  const status = objectAt(definition, 'status');
  const group = stringAt(spec, 'group');
  if (group === undefined) throw invalid('spec.group is missing', 'spec.group');

  // status.acceptedNames are what the server actually serves; spec.names are what was asked for.
  const names = objectAt(spec, 'names');
  const accepted = objectAt(status, 'acceptedNames');
  const plural = stringAt(names, 'plural') ?? stringAt(accepted, 'plural');
  const resourceKind = stringAt(names, 'kind') ?? stringAt(accepted, 'kind');
  if (plural === undefined) throw invalid('spec.names.plural is missing', 'spec.names.plural');
  if (resourceKind === undefined) throw invalid('spec.names.kind is missing', 'spec.names.kind');
  const singular = stringAt(names, 'singular') ?? stringAt(accepted, 'singular') ?? resourceKind.toLowerCase();
  const shortNames = stringsAt(names, 'shortNames').length > 0 ? stringsAt(names, 'shortNames') : stringsAt(accepted, 'shortNames');
  const categories = stringsAt(names, 'categories').length > 0 ? stringsAt(names, 'categories') : stringsAt(accepted, 'categories');

  const scope = stringAt(spec, 'scope') ?? (isV1beta1 ? 'Namespaced' : undefined);
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    throw invalid(scope === undefined ? 'spec.scope is missing' : `spec.scope is ${scope}`, 'spec.scope');
  }

  const declared = objectsAt(spec, 'versions');
  const served = declared
    .filter((version) => version['served'] !== false)
    .map((version) => stringAt(version, 'name'))
    .filter((version): version is string => version !== undefined)
    .sort(compareKubeAwareVersions);
  const legacyVersion = stringAt(spec, 'version'); // v1beta1's single-version field
  const storageVersion = declared.filter((version) => version['storage'] === true).map((version) => stringAt(version, 'name'))[0] ?? legacyVersion;
  if (storageVersion === undefined) throw invalid('no version is marked storage: true', 'spec.versions');
  const versions = served.length > 0 ? served : legacyVersion !== undefined && declared.length === 0 ? [legacyVersion] : [];

  const storedVersions = stringsAt(status, 'storedVersions');
  const notes: string[] = [];
  const conditions = objectsAt(status, 'conditions');
  const established = conditions.some((c) => stringAt(c, 'type') === 'Established' && stringAt(c, 'status') === 'True');
  if (!established) notes.push('The definition is not Established, so the API server may not serve it.');
  if (stringAt(objectAt(definition, 'metadata'), 'deletionTimestamp') !== undefined) {
    notes.push('The definition is being deleted.');
  }

  return {
    group,
    resource: plural,
    singular,
    kind: resourceKind,
    shortNames,
    categories,
    namespaced: scope === 'Namespaced',
    versions,
    storageVersion,
    // apiextensions-apiserver keys custom resources by group and plural.
    storagePath: `${group}/${plural}`,
    origin: 'custom',
    groupPriority: CUSTOM_RESOURCE_GROUP_PRIORITY,
    ...(storedVersions.length > 0 ? { storedVersions } : {}),
    ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
  };
}

/** Every usable definition as a registry entry, and the ones skipped with the reason. */
export function customResourcesFromDefinitions(definitions: Iterable<unknown>): {
  readonly resources: readonly ResourceEntry[];
  readonly skipped: readonly SkippedDefinition[];
} {
  const resources: ResourceEntry[] = [];
  const skipped: SkippedDefinition[] = [];
  for (const definition of definitions) {
    try {
      resources.push(customResourceFromDefinition(definition));
    } catch (error) {
      if (!(error instanceof KregError)) throw error;
      skipped.push({ name: nameOf(definition), error });
    }
  }
  return { resources, skipped };
}

/**
 * The aggregated group/version an APIService describes, or undefined for a Local one (served by
 * kube-apiserver itself: built-in groups and CRD groups). Throws DecodeError (code
 * "invalid-apiservice") when the object is not usable.
 */
export function aggregatedAPIServiceFrom(apiService: unknown): AggregatedAPIService | undefined {
  const name = nameOf(apiService);
  const invalid = (why: string, path?: string): DecodeError => new DecodeError('invalid-apiservice', `APIService ${name}: ${why}`, path === undefined ? {} : { path });
  if (!isObject(apiService)) throw invalid('not a JSON object');
  const kind = stringAt(apiService, 'kind');
  if (kind !== undefined && kind !== 'APIService') throw invalid(`kind is ${kind}`, 'kind');

  const spec = objectAt(apiService, 'spec');
  const service = objectAt(spec, 'service');
  if (service === undefined) return undefined;
  const rawGroup = spec?.['group'];
  const group = typeof rawGroup === 'string' ? rawGroup : undefined;
  const version = stringAt(spec, 'version');
  if (group === undefined) throw invalid('spec.group is missing', 'spec.group');
  if (version === undefined) throw invalid('spec.version is missing', 'spec.version');
  const serviceNamespace = stringAt(service, 'namespace');
  const serviceName = stringAt(service, 'name');
  if (serviceNamespace === undefined || serviceName === undefined) {
    throw invalid('spec.service needs a namespace and a name', 'spec.service');
  }
  const port = numberAt(service, 'port');
  return {
    name: name === '(unnamed)' ? `${version}.${group}` : name,
    group,
    version,
    service: { namespace: serviceNamespace, name: serviceName, ...(port === undefined ? {} : { port }) },
    groupPriorityMinimum: numberAt(spec, 'groupPriorityMinimum') ?? 0,
    versionPriority: numberAt(spec, 'versionPriority') ?? 0,
  };
}

/** Every aggregated group/version among the APIServices, and the ones skipped with the reason. */
export function aggregatedAPIServicesFrom(apiServices: Iterable<unknown>): {
  readonly aggregated: readonly AggregatedAPIService[];
  readonly skipped: readonly SkippedDefinition[];
} {
  const aggregated: AggregatedAPIService[] = [];
  const skipped: SkippedDefinition[] = [];
  for (const apiService of apiServices) {
    try {
      const found = aggregatedAPIServiceFrom(apiService);
      if (found !== undefined) aggregated.push(found);
    } catch (error) {
      if (!(error instanceof KregError)) throw error;
      skipped.push({ name: nameOf(apiService), error });
    }
  }
  return { aggregated, skipped };
}

/**
 * A registry that also knows what the given CRDs and APIServices describe (typically the values
 * under <prefix>/apiextensions.k8s.io/customresourcedefinitions/ and
 * <prefix>/apiregistration.k8s.io/apiservices/, decoded).
 */
export function learnFromStoredObjects(
  objects: { readonly customResourceDefinitions?: Iterable<unknown>; readonly apiServices?: Iterable<unknown> },
  registry: ResourceRegistry = builtinRegistry(),
): { readonly registry: ResourceRegistry; readonly skipped: readonly SkippedDefinition[] } {
  const custom = customResourcesFromDefinitions(objects.customResourceDefinitions ?? []);
  const aggregated = aggregatedAPIServicesFrom(objects.apiServices ?? []);
  return {
    registry: extendRegistry(registry, { custom: custom.resources, aggregated: aggregated.aggregated }),
    skipped: [...custom.skipped, ...aggregated.skipped],
  };
}
