/**
 * Reads the few stored objects that tell which Kubernetes release wrote the data (kubeadm's
 * ConfigMap, else some Nodes; see release-detection.ts) and chooses the release to decode as.
 * Cheap: one key, or one key and the first Nodes; never a listing of everything. Best effort: what
 * cannot be read or decoded says nothing.
 */
import { builtinRegistry } from '../keys/index.js';
import { chooseRelease, kubeadmVersionOf, kubeletVersionOf, type ReleaseChoice, type ReleaseEvidence } from '../release-detection.js';
import { knownReleases } from '../schema-bundle.js';
import type { Entry, EntrySource } from '../sources/source.js';
import { type DecodeEntryOptions, decodeEntry } from '../stored-objects.js';

/** Nodes read for their kubelet versions: enough to see a skewed upgrade, few enough to stay cheap. */
const NODES_READ = 100;

export async function detectRelease(source: EntrySource, prefix: string, revision: number, decodeOptions: DecodeEntryOptions): Promise<ReleaseChoice | undefined> {
  // Decoded as the newest release: the fields read here are in every release kreg knows.
  const options: DecodeEntryOptions = decodeOptions.decryptor === undefined ? {} : { decryptor: decodeOptions.decryptor };
  const registry = builtinRegistry();
  const objectOf = async (entry: Entry) => {
    try {
      await options.decryptor?.prepare(entry.value);
      return decodeEntry(entry, registry, prefix, options).decoded.object;
    } catch {
      return undefined;
    }
  };
  const evidence: ReleaseEvidence = { kubeletVersions: [] };
  try {
    const kubeadm = await source.get(`${prefix}/configmaps/kube-system/kubeadm-config`, { revision });
    const configMap = kubeadm === undefined ? undefined : await objectOf(kubeadm);
    const version = configMap === undefined ? undefined : kubeadmVersionOf(configMap);
    if (version !== undefined) evidence.kubeadmVersion = version;
  } catch {
    // permission denied or the like: the Nodes may still tell
  }
  // kubeadm's record is the control plane's own version; the Nodes are read only without it, which
  // saves a second pass over a snapshot file (each read scans it: about 1 s per GiB).
  if (evidence.kubeadmVersion !== undefined) return chooseRelease(evidence, knownReleases());
  try {
    for await (const entry of source.range({ prefix: `${prefix}/minions/`, revision })) {
      const node = await objectOf(entry);
      const version = node === undefined ? undefined : kubeletVersionOf(node);
      if (version !== undefined) evidence.kubeletVersions.push(version);
      if (evidence.kubeletVersions.length >= NODES_READ) break;
    }
  } catch {
    // as above
  }
  if (evidence.kubeletVersions.length === 0) return undefined;
  return chooseRelease(evidence, knownReleases());
}
