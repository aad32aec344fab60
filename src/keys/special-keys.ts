/**
 * Keys that need a sentence of explanation, as data: etcd keys kube-apiserver writes that belong
 * to no API resource (compaction bookkeeping, endpoint leases, allocator bitmaps), and ordinary
 * object keys with a well-known role (events with a TTL, identity and heartbeat leases, ...).
 *
 * Patterns are paths with `<name>` placeholders that match within one path segment, so
 * `leases/kube-system/apiserver-<id>` matches `leases/kube-system/apiserver-7lqe3...`.
 * Pure module: no I/O.
 */

/** Where the key lives: at the root of the etcd keyspace, or under kube-apiserver's --etcd-prefix. */
export type SpecialKeyPlacement = 'root' | 'prefixed';

/**
 * 'reserved': the key is not an object of any API resource.
 * 'well-known-object': an ordinary object key whose role is worth a sentence.
 */
export type SpecialKeyRole = 'reserved' | 'well-known-object';

/** What the value holds, so a reader knows how to decode it. */
export type SpecialKeyValue =
  | { readonly format: 'object'; readonly apiVersion: string; readonly kind: string }
  | { readonly format: 'text'; readonly description: string }
  | { readonly format: 'none'; readonly description: string };

/** One entry of SPECIAL_KEYS: a key pattern and what keys matching it are. */
export interface SpecialKeyRule {
  /** Stable identifier, e.g. "master-lease". */
  readonly id: string;
  readonly placement: SpecialKeyPlacement;
  /** The whole key for 'root'; the path after the prefix for 'prefixed'. */
  readonly pattern: string;
  readonly role: SpecialKeyRole;
  /** One sentence; `{name}` is replaced by what `<name>` matched. */
  readonly description: string;
  readonly value: SpecialKeyValue;
  /** How the key goes away on its own, when it does. */
  readonly expiry?: string;
}

/** A key matched by a SPECIAL_KEYS rule, as parseKey reports it. */
export interface SpecialKeyMatch {
  readonly rule: SpecialKeyRule;
  /** What each `<name>` placeholder matched. */
  readonly captures: Readonly<Record<string, string>>;
  /** The rule's description with the captures filled in. */
  readonly description: string;
}

const ENDPOINTS = { format: 'object', apiVersion: 'v1', kind: 'Endpoints' } as const;
const RANGE_ALLOCATION = { format: 'object', apiVersion: 'v1', kind: 'RangeAllocation' } as const;
const LEASE = { format: 'object', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;
const CONFIG_MAP = { format: 'object', apiVersion: 'v1', kind: 'ConfigMap' } as const;
const ALLOCATOR_NOTE = 'Since ServiceCIDR/IPAddress allocation went GA (1.33) this legacy bitmap is only kept for dual-write and rollback, and may be stale or absent.';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
const SYSTEM_PRIORITY_CLASSES = ['system-node-critical', 'system-cluster-critical'] as const;

/** Keys that belong to no API resource, or have a well-known role, that parseKey recognises. */
export const SPECIAL_KEYS: readonly SpecialKeyRule[] = [
  // Outside the prefix: shared by every apiserver that uses this etcd, whatever its --etcd-prefix.
  {
    id: 'compact-revision',
    placement: 'root',
    pattern: 'compact_rev_key',
    role: 'reserved',
    description: "kube-apiserver's compactor records here the last revision it asked etcd to compact; the key's own version counts compactions and serves as the lock between apiservers.",
    value: { format: 'text', description: 'the compacted revision as a decimal number' },
  },
  {
    id: 'kine-compact-revision',
    placement: 'root',
    pattern: 'compact_rev_key_apiserver',
    role: 'reserved',
    description: 'kine (k3s) keeps here the value kube-apiserver wrote to compact_rev_key, because kine uses compact_rev_key for its own compaction.',
    value: { format: 'text', description: 'the compacted revision as a decimal number' },
  },

  // Under the prefix, but not API objects.
  {
    id: 'master-lease',
    placement: 'prefixed',
    pattern: 'masterleases/<ip>',
    role: 'reserved',
    description: 'Endpoint-reconciler lease of the kube-apiserver at {ip}: the default "lease" reconciler lists these keys to build the endpoints of the default/kubernetes Service.',
    value: ENDPOINTS,
    expiry: 'etcd lease with a 15s TTL, refreshed about every 10s while that apiserver runs',
  },
  {
    id: 'peer-server-lease',
    placement: 'prefixed',
    pattern: 'peerserverleases/<apiserver>',
    role: 'reserved',
    description:
      'Peer endpoint lease of apiserver {apiserver}: with the mixed-version proxy (UnknownVersionInteroperabilityProxy) each apiserver advertises here the address its peers proxy requests to.',
    value: ENDPOINTS,
    expiry: 'etcd lease, refreshed while that apiserver runs',
  },
  {
    id: 'service-ip-range',
    placement: 'prefixed',
    pattern: 'ranges/serviceips',
    role: 'reserved',
    description: `Allocation bitmap of ClusterIPs in the primary --service-cluster-ip-range. ${ALLOCATOR_NOTE}`,
    value: RANGE_ALLOCATION,
  },
  {
    id: 'secondary-service-ip-range',
    placement: 'prefixed',
    pattern: 'ranges/secondaryserviceips',
    role: 'reserved',
    description: `Allocation bitmap of ClusterIPs in the secondary (dual-stack) service CIDR. ${ALLOCATOR_NOTE}`,
    value: RANGE_ALLOCATION,
  },
  {
    id: 'service-node-port-range',
    placement: 'prefixed',
    pattern: 'ranges/servicenodeports',
    role: 'reserved',
    description: "Allocation bitmap of NodePorts in --service-node-port-range, kept by kube-apiserver's port allocator.",
    value: RANGE_ALLOCATION,
  },
  {
    id: 'health-probe',
    placement: 'prefixed',
    pattern: 'health',
    role: 'reserved',
    description: "Read, never written, by kube-apiserver's etcd health check (a GET of <prefix>/health); a value here was put by something else.",
    value: { format: 'none', description: 'normally absent' },
  },

  // Ordinary objects with a role.
  {
    id: 'event',
    placement: 'prefixed',
    pattern: 'events/<namespace>/<name>',
    role: 'well-known-object',
    description: 'Events are written with an etcd lease of --event-ttl (default 1h), so etcd deletes them on expiry; events.k8s.io Events are stored here too, as core/v1 Events.',
    value: { format: 'object', apiVersion: 'v1', kind: 'Event' },
    expiry: 'etcd lease of --event-ttl (default 1h) from the last write',
  },
  {
    id: 'apiserver-identity-lease',
    placement: 'prefixed',
    pattern: 'leases/kube-system/apiserver-<id>',
    role: 'well-known-object',
    description: 'Identity lease of one kube-apiserver (apiserver-{id}, named from a hash of its hostname): renewed every 10s and deleted by the other apiservers once it has expired (duration 1h).',
    value: LEASE,
  },
  {
    id: 'node-heartbeat-lease',
    placement: 'prefixed',
    pattern: 'leases/kube-node-lease/<node>',
    role: 'well-known-object',
    description: 'Heartbeat lease of node {node}, renewed by its kubelet; the node lifecycle controller marks the node NotReady when it goes stale.',
    value: LEASE,
  },
  {
    id: 'controller-manager-leader-lease',
    placement: 'prefixed',
    pattern: 'leases/kube-system/kube-controller-manager',
    role: 'well-known-object',
    description: 'Leader-election lease of kube-controller-manager: holderIdentity names the instance that is currently active.',
    value: LEASE,
  },
  {
    id: 'scheduler-leader-lease',
    placement: 'prefixed',
    pattern: 'leases/kube-system/kube-scheduler',
    role: 'well-known-object',
    description: 'Leader-election lease of kube-scheduler: holderIdentity names the instance that is currently active.',
    value: LEASE,
  },
  {
    id: 'kubernetes-service',
    placement: 'prefixed',
    pattern: 'services/specs/default/kubernetes',
    role: 'well-known-object',
    description: 'The default/kubernetes Service, created and kept by kube-apiserver so that pods can reach the API.',
    value: { format: 'object', apiVersion: 'v1', kind: 'Service' },
  },
  {
    id: 'kubernetes-endpoints',
    placement: 'prefixed',
    pattern: 'services/endpoints/default/kubernetes',
    role: 'well-known-object',
    description: "Endpoints of the default/kubernetes Service, written by kube-apiserver's endpoint reconciler from the live apiserver addresses.",
    value: ENDPOINTS,
  },
  {
    id: 'kubernetes-endpointslice',
    placement: 'prefixed',
    pattern: 'endpointslices/default/kubernetes',
    role: 'well-known-object',
    description: 'EndpointSlice of the default/kubernetes Service, written by kube-apiserver alongside its Endpoints.',
    value: { format: 'object', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  },
  {
    id: 'default-service-cidr',
    placement: 'prefixed',
    pattern: 'servicecidrs/kubernetes',
    role: 'well-known-object',
    description: 'The default ServiceCIDR, created by kube-apiserver from --service-cluster-ip-range.',
    value: { format: 'object', apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR' },
  },
  {
    id: 'extension-apiserver-authentication',
    placement: 'prefixed',
    pattern: 'configmaps/kube-system/extension-apiserver-authentication',
    role: 'well-known-object',
    description: 'Client CA and request-header settings that kube-apiserver publishes for extension API servers to trust.',
    value: CONFIG_MAP,
  },
  {
    id: 'legacy-token-tracking',
    placement: 'prefixed',
    pattern: 'configmaps/kube-system/kube-apiserver-legacy-service-account-token-tracking',
    role: 'well-known-object',
    description: 'Records since when kube-apiserver has tracked the use of legacy (Secret-based) service account tokens.',
    value: CONFIG_MAP,
  },
  {
    id: 'root-ca-bundle',
    placement: 'prefixed',
    pattern: 'configmaps/<namespace>/kube-root-ca.crt',
    role: 'well-known-object',
    description: "CA bundle of the API server, published into namespace {namespace} (as into every namespace) by kube-controller-manager's root-ca-cert-publisher.",
    value: CONFIG_MAP,
  },
  ...SYSTEM_NAMESPACES.map(
    (namespace): SpecialKeyRule => ({
      id: `system-namespace-${namespace}`,
      placement: 'prefixed',
      pattern: `namespaces/${namespace}`,
      role: 'well-known-object',
      description: `System namespace ${namespace}, created by kube-apiserver at start-up.`,
      value: { format: 'object', apiVersion: 'v1', kind: 'Namespace' },
    }),
  ),
  ...SYSTEM_PRIORITY_CLASSES.map(
    (name): SpecialKeyRule => ({
      id: `system-priority-class-${name}`,
      placement: 'prefixed',
      pattern: `priorityclasses/${name}`,
      role: 'well-known-object',
      description: `Built-in PriorityClass ${name}, created by kube-apiserver at start-up.`,
      value: { format: 'object', apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
    }),
  ),
];

interface CompiledRule {
  readonly rule: SpecialKeyRule;
  readonly matcher: RegExp;
  readonly placeholders: readonly string[];
}

const PLACEHOLDER = /<([a-zA-Z][a-zA-Z0-9]*)>/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `a/<x>-b` becomes /^a\/([^/]+)-b$/ with x as the first capture. */
function compileRule(rule: SpecialKeyRule): CompiledRule {
  const placeholders: string[] = [];
  let source = '';
  let last = 0;
  for (const found of rule.pattern.matchAll(PLACEHOLDER)) {
    const index = found.index ?? 0;
    source += escapeRegExp(rule.pattern.slice(last, index)) + '([^/]+)';
    placeholders.push(found[1] ?? '');
    last = index + found[0].length;
  }
  source += escapeRegExp(rule.pattern.slice(last));
  return { rule, matcher: new RegExp(`^${source}$`), placeholders };
}

const COMPILED_RULES: readonly CompiledRule[] = SPECIAL_KEYS.map(compileRule);

function fillDescription(description: string, captures: Readonly<Record<string, string>>): string {
  return description.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (whole, name: string) => captures[name] ?? whole);
}

function matchPlacement(placement: SpecialKeyPlacement, path: string, role?: SpecialKeyRole): SpecialKeyMatch | undefined {
  for (const compiled of COMPILED_RULES) {
    if (compiled.rule.placement !== placement) continue;
    if (role !== undefined && compiled.rule.role !== role) continue;
    const found = compiled.matcher.exec(path);
    if (found === null) continue;
    const captures: Record<string, string> = {};
    compiled.placeholders.forEach((name, i) => {
      captures[name] = found[i + 1] ?? '';
    });
    return { rule: compiled.rule, captures, description: fillDescription(compiled.rule.description, captures) };
  }
  return undefined;
}

/** The rule for a key at the root of the keyspace (outside any prefix), e.g. compact_rev_key. */
export function matchRootKey(key: string): SpecialKeyMatch | undefined {
  return matchPlacement('root', key);
}

/**
 * The rule for a path under the prefix (without the prefix and its slash), e.g.
 * "masterleases/10.0.0.1". With a role, only rules of that role are tried.
 */
export function matchPrefixedKey(relativePath: string, role?: SpecialKeyRole): SpecialKeyMatch | undefined {
  return matchPlacement('prefixed', relativePath, role);
}

/** Where a reserved key (or group of them) lives under the prefix, as `kreg get` reads it by name. */
export interface ReservedKeyPath {
  /** The path after the prefix and its slash: a directory ending in "/" or one whole key. */
  readonly path: string;
  readonly directory: boolean;
}

/**
 * The reserved keys a name stands for, as `kreg ls` shows them: "masterleases" (every
 * masterleases/<ip>), "ranges" (every ranges/ key), "ranges/serviceips" (that key); undefined when
 * the name is no reserved key. These are no API resources, so kubectl has no name for them.
 */
export function reservedKeyPath(name: string): ReservedKeyPath | undefined {
  for (const rule of SPECIAL_KEYS) {
    if (rule.placement !== 'prefixed' || rule.role !== 'reserved') continue;
    const fixed = rule.pattern.split('/<')[0] ?? rule.pattern;
    if (name === fixed) return fixed === rule.pattern ? { path: fixed, directory: false } : { path: `${fixed}/`, directory: true };
    if (fixed.startsWith(`${name}/`)) return { path: `${name}/`, directory: true };
  }
  return undefined;
}
