/**
 * What `kreg audit storage` reports: findings, each with the key, the reason and what to do,
 * grouped by check. The check ids are stable (they are what `-o json` prints).
 */

export const STORAGE_CHECKS = [
  'missing-namespace',
  'missing-crd',
  'crd-stored-versions',
  'custom-resource-version',
  'migration-candidate',
  'retired-resource',
  'missing-owner',
  'event-without-lease',
  'unused-lease',
  'near-request-limit',
  'managed-fields-heavy',
  'unmapped-key',
] as const;
export type StorageCheck = (typeof STORAGE_CHECKS)[number];

/** One thing that should not be stored the way it is. */
export interface StorageFinding {
  check: StorageCheck;
  key: string;
  reason: string;
  action: string;
}

/** A heading per check, for the human report. */
export const CHECK_TITLES: Readonly<Record<StorageCheck, string>> = {
  'missing-namespace': 'objects in namespaces that do not exist',
  'missing-crd': 'custom resources whose CustomResourceDefinition does not exist',
  'crd-stored-versions': 'CustomResourceDefinitions that still list old stored versions',
  'custom-resource-version': "custom resources not stored at their CRD's storage version",
  'migration-candidate': 'built-in objects not stored at the storage version (migrate before upgrading)',
  'retired-resource': 'objects of resources kube-apiserver no longer serves',
  'missing-owner': 'ownerReferences to objects that do not exist (garbage the collector missed)',
  'event-without-lease': 'Events stored without an etcd lease (they never expire)',
  'unused-lease': 'etcd leases whose objects are gone',
  'near-request-limit': "objects close to etcd's request size limit",
  'managed-fields-heavy': 'objects that are mostly metadata.managedFields',
  'unmapped-key': 'keys that map to no resource',
};

/** Findings in report order: by check (as STORAGE_CHECKS lists them), then by key. */
export function sortFindings(findings: StorageFinding[]): StorageFinding[] {
  const rank = new Map<StorageCheck, number>(STORAGE_CHECKS.map((check, i) => [check, i]));
  return findings.sort((a, b) => (rank.get(a.check) as number) - (rank.get(b.check) as number) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
