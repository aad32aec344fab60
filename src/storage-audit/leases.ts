/**
 * etcd leases no key under the prefix is attached to: the objects written with them (Events,
 * mostly) are gone, and the lease only waits to expire. A lease can hold keys outside the prefix
 * too (another user of the same etcd), so the reason says where no key was found.
 */
import { leaseIdHex } from '../sources/source.js';
import type { StorageFinding } from './findings.js';

export function checkLease(id: string, usedLeases: ReadonlySet<string>, prefix: string): StorageFinding | undefined {
  if (usedLeases.has(id)) return undefined;
  const hex = leaseIdHex(id);
  return {
    check: 'unused-lease',
    key: `(lease ${hex})`,
    reason: `no key under ${prefix}/ is attached to etcd lease ${hex}: the objects written with it are gone`,
    action: `nothing, if it expires soon (etcdctl lease timetolive ${hex}); else revoke it once nothing outside ${prefix}/ uses it (etcdctl lease revoke ${hex})`,
  };
}
