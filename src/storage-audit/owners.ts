/**
 * ownerReferences that point at a uid no object has. The garbage collector looks an owner up by
 * uid in the dependent's namespace (or among cluster-scoped objects), so an owner in another
 * namespace counts as absent too, as it does for the collector.
 */
import type { ObjectKey } from '../keys/index.js';
import type { StoredOwnerReference } from '../codec/stored-metadata.js';
import type { StorageFinding } from './findings.js';
import { CLUSTER_SCOPED, type StorageIndex } from './storage-index.js';

/** Findings for the object's owner references, and how many could not be checked (the owner kind had unreadable objects). */
export function checkOwners(parsed: ObjectKey, owners: readonly StoredOwnerReference[], index: StorageIndex): { findings: StorageFinding[]; unchecked: number } {
  const findings: StorageFinding[] = [];
  let unchecked = 0;
  for (const owner of owners) {
    if (owner.uid === '') continue;
    const ownerNamespace = index.namespaceOfUid(owner.uid);
    if (ownerNamespace === CLUSTER_SCOPED || (ownerNamespace !== undefined && ownerNamespace === parsed.namespace)) continue;
    if (ownerNamespace === undefined && index.unreadableKinds.has(owner.kind)) {
      unchecked++;
      continue;
    }
    const elsewhere = ownerNamespace === undefined ? '' : ` (an object in namespace "${ownerNamespace}" has that uid, which an owner in another namespace cannot be)`;
    findings.push({
      check: 'missing-owner',
      key: parsed.key,
      reason: `owner ${owner.kind} ${owner.name} (uid ${owner.uid}) does not exist${elsewhere}`,
      action: 'delete the object if it should have been collected with its owner, or remove the ownerReference to keep it',
    });
  }
  return { findings, unchecked };
}
