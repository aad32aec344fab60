/**
 * Where `kreg dump` puts each object in its directory tree:
 *
 *   DIR/<tier>/<namespace, or _cluster>/<resource[.group]>/<name>.yaml
 *
 * `kubectl apply -R -f DIR` reads files in lexical walk order, so the tier directories, numbered,
 * put what other objects need first: namespaces, then the definitions of custom resources, then
 * other cluster-wide objects, then the namespaced objects others refer to (service accounts before
 * the pods that run as them), then everything else, and admission webhooks and aggregated APIs last
 * (a webhook applied early would refuse every later create while its service is not yet running).
 *
 * Every path segment is made safe for any file system, and no two objects can share a path: see
 * safeSegment. No I/O.
 */

/** A tier: its directory name and the "group/Kind"s it holds; the tier named `rest` takes what no other does. */
export interface Tier {
  dir: string;
  kinds: readonly string[];
}

export const TIERS: readonly Tier[] = [
  { dir: '0-namespaces', kinds: ['/Namespace'] },
  { dir: '1-definitions', kinds: ['apiextensions.k8s.io/CustomResourceDefinition'] },
  {
    dir: '2-cluster',
    kinds: [
      'storage.k8s.io/StorageClass',
      '/PersistentVolume',
      'scheduling.k8s.io/PriorityClass',
      'rbac.authorization.k8s.io/ClusterRole',
      'rbac.authorization.k8s.io/ClusterRoleBinding',
      'networking.k8s.io/IngressClass',
      'node.k8s.io/RuntimeClass',
    ],
  },
  {
    dir: '3-namespace-setup',
    kinds: [
      '/ResourceQuota',
      '/LimitRange',
      'networking.k8s.io/NetworkPolicy',
      '/ServiceAccount',
      '/Secret',
      '/ConfigMap',
      '/PersistentVolumeClaim',
      'rbac.authorization.k8s.io/Role',
      'rbac.authorization.k8s.io/RoleBinding',
      '/Service',
    ],
  },
  { dir: '4-rest', kinds: [] },
  {
    dir: '5-admission',
    kinds: [
      'admissionregistration.k8s.io/MutatingWebhookConfiguration',
      'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
      'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
      'apiregistration.k8s.io/APIService',
    ],
  },
];

const REST_TIER = '4-rest';

/** The directory of cluster-scoped objects; `_` is never in a safe segment, so no namespace can be called that. */
export const CLUSTER_DIR = '_cluster';

/** The tier directory of a kind ("apps/Deployment", "/Namespace"). */
export function tierOf(group: string, kind: string): string {
  const id = `${group}/${kind}`;
  return TIERS.find((tier) => tier.kinds.includes(id))?.dir ?? REST_TIER;
}

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;

/**
 * A path segment that is safe on any file system and names exactly one input: every character
 * outside [a-z0-9.-] is written %XX (each byte of its UTF-8), and so is a leading dot or dash (no
 * hidden files, no "." or "..", nothing a shell command takes for a flag). Upper case is encoded too, so that case-insensitive file systems (macOS,
 * Windows) cannot fold two names into one: Kubernetes names are lower case, but some custom
 * resources allow any. The encoding is one-to-one ('%' itself is encoded), so no two names meet.
 *
 * A segment longer than the file system allows (names may have 253 characters, before encoding)
 * is cut and ends with `~` and a hash of the whole name; `~` is encoded everywhere else, so a cut
 * name cannot meet an uncut one.
 */
export function safeSegment(name: string, suffix = ''): string {
  let out = '';
  for (const [i, ch] of [...name].entries()) {
    if (/^[a-z0-9]$/.test(ch) || ((ch === '.' || ch === '-') && i > 0)) out += ch;
    else for (const byte of utf8(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length + suffix.length <= NAME_MAX) return out + suffix;
  const hash = fnv1a64(name);
  return `${out.slice(0, NAME_MAX - suffix.length - hash.length - 1).replace(/%[0-9A-F]?$/, '')}~${hash}${suffix}`;
}

/** The directory name of a resource: kubectl's resource[.group], "pods" or "deployments.apps". */
export function resourceDir(resource: string, group: string): string {
  return safeSegment(group === '' ? resource : `${resource}.${group}`);
}

/** Where one object goes, relative to the dump directory, with '/' between segments. */
export function objectPath(object: { group: string; resource: string; kind: string; namespace: string | undefined; name: string }): string {
  const scope = object.namespace === undefined ? CLUSTER_DIR : safeSegment(object.namespace);
  return [tierOf(object.group, object.kind), scope, resourceDir(object.resource, object.group), safeSegment(object.name, '.yaml')].join('/');
}

function utf8(ch: string): number[] {
  const code = ch.codePointAt(0) as number;
  if (code < 0x80) return [code];
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
  if (code < 0x10000) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  return [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}

/** 64-bit FNV-1a of the name, as 16 hex digits: enough to tell apart names that share 230 characters. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of [...text].flatMap(utf8)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}
