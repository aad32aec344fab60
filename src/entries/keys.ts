/**
 * `kreg/keys`: etcd keys ⇄ resources ⇄ REST paths, with no etcd and no API server. Pure: it loads
 * no Node module, no schema and no etcd client.
 *
 * The resource registry knows every built-in resource of kube-apiserver v1.36 (and retired ones,
 * to explain old keys); `learnFromStoredObjects` adds custom resources and aggregated APIs from
 * the CRDs and APIServices stored in the same etcd.
 *
 * @example
 *   import { parseKey, keyFor } from 'kreg/keys';
 *   parseKey('/registry/deployments/shop/web');       // { type: 'object', group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', ... }
 *   keyFor({ resource: 'svc', namespace: 'default', name: 'kubernetes' }); // '/registry/services/specs/default/kubernetes'
 */
export {
  BUILTIN_RESOURCES,
  RETIRED_RESOURCES,
  UNSTORED_KINDS,
  type BuiltinResource,
  type GroupResource,
  type UnstoredKind,
} from '../keys/builtin-resources.js';
export {
  DEFAULT_PREFIX,
  KeyLayoutError,
  NotStoredResourceError,
  UnknownResourceError,
  apiVersionOf,
  builtinRegistry,
  createResourceRegistry,
  describeKey,
  extendRegistry,
  keyFor,
  keyForEntry,
  normalizePrefix,
  parseKey,
  resolveKind,
  resolveResource,
  resolveResourceCandidates,
  resourcesInCategory,
  scopeOf,
  type AggregatedAPIService,
  type AggregatedKey,
  type KeyOptions,
  type KeyTarget,
  type ListingKey,
  type ObjectKey,
  type ParsedKey,
  type RegistryContents,
  type ResolveOptions,
  type ResourceEntry,
  type ResourceIdentity,
  type ResourceOrigin,
  type ResourceRegistry,
  type ResourceScope,
  type SpecialKey,
} from '../keys/key-mapping.js';
export {
  aggregatedAPIServiceFrom,
  aggregatedAPIServicesFrom,
  customResourceFromDefinition,
  customResourcesFromDefinitions,
  learnFromStoredObjects,
  type SkippedDefinition,
} from '../keys/custom-resources.js';
export {
  SPECIAL_KEYS,
  reservedKeyPath,
  type ReservedKeyPath,
  type SpecialKeyMatch,
  type SpecialKeyPlacement,
  type SpecialKeyRole,
  type SpecialKeyRule,
  type SpecialKeyValue,
} from '../keys/special-keys.js';
export {
  parseRestPath,
  restPathForEntry,
  restPathForKey,
  type ParsedRestPath,
  type RestAggregatedPath,
  type RestLocation,
  type RestPathOptions,
  type RestResourcePath,
} from '../keys/rest-paths.js';
export { KregError, UsageError, type ErrorSubject } from '../errors.js';
