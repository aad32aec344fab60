/**
 * Custom resources and their definitions: objects whose CRD is gone, CRDs that still list old
 * versions in status.storedVersions, and objects not stored at their CRD's storage version (each
 * keeps the version it was last written in until something rewrites it).
 */
import { apiVersionOf, keyForEntry, type ObjectKey, type ResourceRegistry } from '../keys/index.js';
import type { StoredMetadata } from '../codec/stored-metadata.js';
import type { StorageFinding } from './findings.js';

const CRD_PATH = 'apiextensions.k8s.io/customresourcedefinitions';

/**
 * A key under <prefix>/<group>/<resource>/ that no learned CRD explains, when its path looks
 * like a custom resource's (a dotted group, then a resource); undefined otherwise. `crd` names
 * the definition (<plural>.<group>) it would need.
 */
export function checkMissingDefinition(key: string, prefix: string): { crd: string; finding: StorageFinding } | undefined {
  if (!key.startsWith(`${prefix}/`)) return undefined;
  const [group, resource, ...rest] = key.slice(prefix.length + 1).split('/');
  if (group === undefined || resource === undefined || !group.includes('.') || rest.length === 0 || rest.length > 2) return undefined;
  const crd = `${resource}.${group}`;
  return {
    crd,
    finding: {
      check: 'missing-crd',
      key,
      reason: `no CustomResourceDefinition ${crd} is stored, so kube-apiserver does not serve these objects`,
      action: `create the CRD again to read or delete them through the API, or delete the keys (etcdctl del --prefix ${prefix}/${group}/${resource}/)`,
    },
  };
}

/** CRDs whose status.storedVersions lists more than the storage version. */
export function checkStoredVersions(registry: ResourceRegistry, prefix: string): StorageFinding[] {
  const findings: StorageFinding[] = [];
  const crdEntry = registry.byStoragePath.get(CRD_PATH);
  for (const entry of registry.resources) {
    const stored = entry.storedVersions ?? [];
    if (entry.origin !== 'custom' || stored.length <= 1) continue;
    const old = stored.filter((version) => version !== entry.storageVersion);
    const name = `${entry.resource}.${entry.group}`;
    findings.push({
      check: 'crd-stored-versions',
      key: crdEntry === undefined ? `${prefix}/${CRD_PATH}/${name}` : keyForEntry(crdEntry, { name }, prefix),
      reason: `status.storedVersions is [${stored.join(', ')}]: objects may still be stored as ${old.join(', ')}; the storage version is ${entry.storageVersion}`,
      action: `rewrite every ${entry.resource}.${entry.group} object at ${entry.storageVersion} (kube-storage-version-migrator, or a no-op update of each), then set status.storedVersions to [${entry.storageVersion}]`,
    });
  }
  return findings;
}

/** A custom resource whose stored apiVersion is not its CRD's storage version. */
export function checkCustomResourceVersion(parsed: ObjectKey, metadata: StoredMetadata): StorageFinding | undefined {
  const expected = apiVersionOf(parsed.group, parsed.entry.storageVersion);
  if (metadata.apiVersion === '' || metadata.apiVersion === expected) return undefined;
  return {
    check: 'custom-resource-version',
    key: parsed.key,
    reason: `stored as ${metadata.apiVersion}; the CRD's storage version is ${parsed.entry.storageVersion}`,
    action: `rewrite it at ${expected} (a no-op update, or kube-storage-version-migrator) before ${metadata.apiVersion} is removed from the CRD`,
  };
}
