/**
 * etcd leases no key under the prefix is attached to: the objects written with them (Events,
 * mostly) are gone, and the lease only waits to expire. A lease can hold keys outside the prefix
 * too (another user of the same etcd), so the reason says where no key was found.
 */
import type { StorageFinding } from './findings.js';

/** etcdctl's spelling of a lease ID: 16 hexadecimal digits (%016x). */
export function leaseHex(id: string): string {
  return BigInt(id).toString(16).padStart(16, '0');
}

export function checkLease(id: string, usedLeases: ReadonlySet<string>, prefix: string): StorageFinding | undefined {
  if (usedLeases.has(id)) return undefined;
  const hex = leaseHex(id);
  return {
    check: 'unused-lease',
    key: `(lease ${hex})`,
    reason: `no key under ${prefix}/ is attached to etcd lease ${hex}: the objects written with it are gone`,
    action: `nothing, if it expires soon (etcdctl lease timetolive ${hex}); else revoke it once nothing outside ${prefix}/ uses it (etcdctl lease revoke ${hex})`,
  };
}
