/** Keys under the prefix that are no object of any resource kreg knows: not kube-apiserver's layout. */
import type { AuditedEntry } from './audited-entry.js';
import type { StorageFinding } from './findings.js';

export function checkUnmapped(audited: AuditedEntry): StorageFinding | undefined {
  const { parsed, parseError, entry } = audited;
  if (parsed !== undefined && parsed.type !== 'listing') return undefined;
  const reason = parsed?.type === 'listing' ? `a value stored at ${parsed.resource}'s listing path, where kube-apiserver writes none` : (parseError ?? 'maps to no resource');
  return {
    check: 'unmapped-key',
    key: entry.key,
    reason,
    action: `find what wrote it (kube-apiserver does not); delete it if nothing uses it (etcdctl del ${entry.key})`,
  };
}
