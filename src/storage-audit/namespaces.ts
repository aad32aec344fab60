/** Namespaced objects whose Namespace object is gone: kube-apiserver deletes a namespace only once it is empty, so these were missed. */
import type { ObjectKey } from '../keys/index.js';
import type { StorageFinding } from './findings.js';
import type { StorageIndex } from './storage-index.js';

export function checkNamespace(parsed: ObjectKey, index: StorageIndex): StorageFinding | undefined {
  const namespace = parsed.namespace;
  if (!parsed.namespaced || namespace === undefined || index.namespaces.has(namespace)) return undefined;
  return {
    check: 'missing-namespace',
    key: parsed.key,
    reason: `${parsed.kind} ${namespace}/${parsed.name} is in namespace "${namespace}", which does not exist`,
    action: `delete the key (etcdctl del ${parsed.key}), or create namespace "${namespace}" again and delete the object through the API`,
  };
}
