/**
 * Which Kubernetes release wrote the data, told from a few stored objects: the version kubeadm
 * recorded for the control plane, and the kubelet versions Nodes report. kube-apiserver is never
 * older than a kubelet (the version skew policy), so the newest of these is the best lower bound
 * of the release whose API server wrote the data. Pure: the caller reads the objects.
 */
import { isJsonObject, type JsonObject } from './codec/json-value.js';

/** What the stored objects say about the release. */
export interface ReleaseEvidence {
  /** status.nodeInfo.kubeletVersion of the Nodes read, e.g. "v1.29.3". */
  kubeletVersions: string[];
  /** kubernetesVersion of kube-system/kubeadm-config's ClusterConfiguration, e.g. "v1.29.3". */
  kubeadmVersion?: string;
}

/** The release chosen, and the line that says why (undefined when there is nothing worth saying). */
export interface ReleaseChoice {
  release: string;
  /** Why, e.g. "kubelet v1.29 on 3 of 3 Nodes"; for the stderr note. */
  reason: string;
  /** Said on stderr once: set when the release is not the newest, or the data is beyond what kreg knows. */
  note?: string;
}

/** Minor version of "v1.29.3", "1.29", "v1.29.3-eks-1234": 29; undefined for anything else. */
export function minorOfVersion(text: string): number | undefined {
  const m = /^v?1\.(\d{1,3})(?:[.+-]|$)/.exec(text.trim());
  return m === null ? undefined : Number(m[1]);
}

/**
 * The release to decode as, from `releases` (oldest first, the newest last); undefined when the
 * evidence says nothing (decode as the newest, silently). A release beyond the known ones gives
 * the newest, one before them the oldest, each with a note saying so.
 */
export function chooseRelease(evidence: ReleaseEvidence, releases: readonly string[]): ReleaseChoice | undefined {
  const candidates: { minor: number; reason: string }[] = [];
  const kubeadmMinor = evidence.kubeadmVersion === undefined ? undefined : minorOfVersion(evidence.kubeadmVersion);
  if (kubeadmMinor !== undefined) candidates.push({ minor: kubeadmMinor, reason: `kubeadm-config says kubernetesVersion ${evidence.kubeadmVersion}` });
  const kubeletMinors = evidence.kubeletVersions.map(minorOfVersion).filter((m): m is number => m !== undefined);
  if (kubeletMinors.length > 0) {
    const newest = Math.max(...kubeletMinors);
    const count = kubeletMinors.filter((m) => m === newest).length;
    const of = kubeletMinors.length === count ? `${count} Node${count === 1 ? '' : 's'}` : `${count} of ${kubeletMinors.length} Nodes`;
    candidates.push({ minor: newest, reason: `kubelet v1.${newest} on ${of}` });
  }
  // The API server is at least as new as any of them.
  const best = candidates.reduce<{ minor: number; reason: string } | undefined>((a, b) => (a === undefined || b.minor > a.minor ? b : a), undefined);
  const oldest = releases[0];
  const newest = releases[releases.length - 1];
  if (best === undefined || oldest === undefined || newest === undefined) return undefined;
  const oldestMinor = minorOfVersion(oldest) ?? 0;
  const newestMinor = minorOfVersion(newest) ?? 0;
  const override = '--kube-version to override';
  if (best.minor > newestMinor) {
    return {
      release: newest,
      reason: best.reason,
      note: `the data is from Kubernetes 1.${best.minor} (${best.reason}), newer than ${newest}, the newest release kreg knows: decoding as ${newest}; fields it does not know are kept as unknown fields`,
    };
  }
  if (best.minor < oldestMinor) {
    return {
      release: oldest,
      reason: best.reason,
      note: `the data is from Kubernetes 1.${best.minor} (${best.reason}), older than ${oldest}, the oldest release kreg knows: decoding as ${oldest}; ${override}`,
    };
  }
  const release = `1.${best.minor}`;
  const choice: ReleaseChoice = { release, reason: best.reason };
  if (release !== newest) choice.note = `decoding as Kubernetes ${release} (${best.reason}); ${override}`;
  return choice;
}

/** status.nodeInfo.kubeletVersion of a decoded Node. */
export function kubeletVersionOf(node: JsonObject): string | undefined {
  const status = node.status;
  const info = isJsonObject(status) ? status.nodeInfo : undefined;
  const version = isJsonObject(info) ? info.kubeletVersion : undefined;
  return typeof version === 'string' && version !== '' ? version : undefined;
}

/** kubernetesVersion in the ClusterConfiguration YAML of kubeadm's ConfigMap. */
export function kubeadmVersionOf(configMap: JsonObject): string | undefined {
  const data = configMap.data;
  const text = isJsonObject(data) ? data.ClusterConfiguration : undefined;
  if (typeof text !== 'string') return undefined;
  // A top-level key of that YAML; a regular expression saves loading a YAML parser for one line.
  const m = /^kubernetesVersion:\s*["']?([^\s"'#]+)/m.exec(text);
  return m?.[1];
}
