/**
 * What the first pass of a storage audit learns, so the second can check each object against
 * the rest: which namespaces exist, and in which namespace each uid lives. Only these small facts
 * are kept (no values), so memory grows with the number of objects, not their size.
 */
import type { AuditedEntry, ReadObject } from './audited-entry.js';

/** Stands for "cluster-scoped" in the uid index (no namespace is empty). */
export const CLUSTER_SCOPED = '';

export class StorageIndex {
  readonly namespaces = new Set<string>();
  /** uid → namespace of the object that has it (CLUSTER_SCOPED for cluster-scoped objects). */
  private readonly uids = new Map<string, string>();
  /** Kinds some of whose objects could not be read: references to them cannot be checked. */
  readonly unreadableKinds = new Set<string>();

  add(audited: AuditedEntry, read: () => ReadObject): void {
    const parsed = audited.parsed;
    if (parsed?.type !== 'object') return;
    if (parsed.group === '' && parsed.resource === 'namespaces') this.namespaces.add(parsed.name);
    const object = read();
    if (object.metadata === undefined) this.unreadableKinds.add(parsed.kind);
    else if (object.metadata.uid !== '') this.uids.set(object.metadata.uid, parsed.namespace ?? CLUSTER_SCOPED);
  }

  /** The namespace of the object with this uid (CLUSTER_SCOPED for a cluster-scoped one); undefined when none has it. */
  namespaceOfUid(uid: string): string | undefined {
    return this.uids.get(uid);
  }
}
