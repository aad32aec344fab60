/**
 * Events without an etcd lease. kube-apiserver writes every Event with a lease of --event-ttl
 * (1h by default) so that etcd deletes it; one written without a lease stays until deleted.
 */
import type { Entry } from '../sources/source.js';
import type { ObjectKey } from '../keys/index.js';
import type { StorageFinding } from './findings.js';

export function checkEventLease(parsed: ObjectKey, entry: Entry): StorageFinding | undefined {
  if (parsed.group !== '' || parsed.resource !== 'events' || entry.lease !== '0') return undefined;
  return {
    check: 'event-without-lease',
    key: parsed.key,
    reason: 'stored with no etcd lease, so etcd never expires it (kube-apiserver writes Events with a lease of --event-ttl)',
    action: `delete it (kubectl delete event -n ${parsed.namespace ?? ''} ${parsed.name}, or etcdctl del ${parsed.key})`,
  };
}
