/**
 * Fills an etcd with a generated Kubernetes registry, for benchmarks and for trying kreg by hand:
 * N objects (default 100000) laid out as kube-apiserver writes them. Built-in kinds are encoded to
 * protobuf by kreg's own `encode` from plain objects; custom resources and their CRD are JSON, as
 * the apiserver stores them. Pods carry owner references, managed fields, probes, env and a status
 * (3-6 KB each); events are written with etcd leases as --event-ttl does.
 *
 *   node dist/scripts/make-registry.js --endpoints http://127.0.0.1:2379 [--count 100000] [--etcd-prefix /registry]
 *
 * Deterministic: a seeded PRNG, so every run writes the same keys and bytes. Writes go through
 * the etcd3 client as transactions of up to 100 puts (etcd's default --max-txn-ops is 128), 32 in
 * flight.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3, type IRequestOp } from 'etcd3';
import type { JsonObject } from '../src/codec/json-value.js';
import { stringifyGoJson } from '../src/codec/go-json.js';
import { encode } from '../src/index.js';

export interface MakeRegistryOptions {
  /** etcd endpoint(s), comma-separated, e.g. http://127.0.0.1:2379 */
  endpoints: string;
  /** Objects to write (default 100000); a few fixed keys (namespaces, the CRD, allocators) come on top. */
  count?: number;
  /** kube-apiserver's --etcd-prefix (default /registry). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface RegistryStats {
  keys: number;
  /** Sum of value sizes written. */
  valueBytes: number;
  keyBytes: number;
  /** Keys and value bytes per resource, e.g. "pods". */
  byResource: Record<string, { keys: number; bytes: number }>;
  seconds: number;
}

const PUTS_PER_TXN = 100;
const TXNS_IN_FLIGHT = 32;
const EVENT_TTL_SECONDS = 3 * 3600;
const EVENT_LEASES = 8;

/** Share of the objects per kind; pods take what rounding leaves. */
const SHARES = {
  events: 0.2,
  configmaps: 0.1,
  secrets: 0.08,
  replicasets: 0.06,
  deployments: 0.03,
  services: 0.03,
  endpoints: 0.03,
  widgets: 0.06,
} as const;

const NAMESPACE_NAMES = [
  'default',
  'kube-system',
  'monitoring',
  'ingress-nginx',
  'cert-manager',
  'logging',
  'payments',
  'checkout',
  'catalog',
  'search',
  'auth',
  'billing',
  'data-pipeline',
  'ml-serving',
  'staging',
  'ci',
];
const APPS = ['web', 'api', 'worker', 'cache', 'frontend', 'backend', 'scheduler', 'gateway', 'indexer', 'notifier', 'exporter', 'collector', 'proxy', 'sync', 'reporter', 'auth-service'];
const IMAGES = [
  'registry.k8s.io/pause:3.10',
  'nginx:1.27.3-alpine',
  'docker.io/library/redis:7.4.1',
  'ghcr.io/example/api-server:v2.14.3',
  'quay.io/prometheus/node-exporter:v1.8.2',
  'gcr.io/example-project/worker@sha256:4c1f3a0e9b1d6b2c8d7f5e4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c',
  'public.ecr.aws/example/indexer:2024.11.02-7f3c9e1',
];
const NODES = Array.from({ length: 24 }, (_, i) => `ip-10-0-${Math.floor(i / 8)}-${20 + i}.eu-west-1.compute.internal`);
const EVENT_REASONS = [
  ['Scheduled', 'Successfully assigned {ns}/{pod} to {node}'],
  ['Pulling', 'Pulling image "{image}"'],
  ['Pulled', 'Successfully pulled image "{image}" in 2.311s (2.311s including waiting). Image size: 48213504 bytes.'],
  ['Created', 'Created container {container}'],
  ['Started', 'Started container {container}'],
  ['Unhealthy', 'Readiness probe failed: Get "http://10.244.3.17:8080/readyz": dial tcp 10.244.3.17:8080: connect: connection refused'],
  ['BackOff', 'Back-off restarting failed container {container} in pod {pod}_{ns}({uid})'],
] as const;

/** Small seeded PRNG, so every run writes the same data (the other generators use it too). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builders of plausible objects, all drawing from one seeded PRNG. */
class ObjectFactory {
  private readonly random = mulberry32(0x6b726567);

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  alnum(length: number): string {
    const chars = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++) out += chars[this.int(chars.length)];
    return out;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(16)];
    return out;
  }
  uid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
  time(): string {
    const t = Date.UTC(2025, 0, 1) + this.int(300 * 24 * 3600) * 1000;
    return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  ip(): string {
    return `10.244.${this.int(64)}.${2 + this.int(250)}`;
  }
  base64(bytes: number): string {
    const raw = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) raw[i] = this.int(256);
    return raw.toString('base64');
  }

  labels(app: string): JsonObject {
    const labels: JsonObject = { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': this.pick(['shop', 'platform', 'observability', 'data']) };
    if (this.random() < 0.6) labels['app.kubernetes.io/version'] = `v${1 + this.int(4)}.${this.int(20)}.${this.int(10)}`;
    if (this.random() < 0.4) labels['tier'] = this.pick(['frontend', 'backend', 'cache', 'batch']);
    if (this.random() < 0.3) labels['team'] = this.pick(['core', 'growth', 'sre', 'ml', 'payments']);
    return labels;
  }

  container(app: string, index: number): JsonObject {
    const image = this.pick(IMAGES);
    const env = Array.from({ length: 4 + this.int(18) }, (_, i) =>
      i % 4 === 3
        ? { name: `SECRET_${i}`, valueFrom: { secretKeyRef: { name: `${app}-credentials`, key: `key-${i}` } } }
        : i % 4 === 2
          ? { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }
          : { name: `${app.toUpperCase().replace(/-/g, '_')}_SETTING_${i}`, value: this.pick(['true', 'info', '30s', `http://${app}.svc.cluster.local:8080`, this.alnum(24)]) },
    );
    const container: JsonObject = {
      name: index === 0 ? app : this.pick(['sidecar', 'envoy', 'log-shipper', 'metrics']),
      image,
      ports: [{ name: 'http', containerPort: 8080 + index, protocol: 'TCP' }],
      env,
      resources: {
        limits: { cpu: this.pick(['500m', '1', '2']), memory: this.pick(['256Mi', '512Mi', '1Gi']) },
        requests: { cpu: this.pick(['50m', '100m', '250m']), memory: this.pick(['64Mi', '128Mi', '256Mi']) },
      },
      volumeMounts: [{ name: `kube-api-access-${this.alnum(5)}`, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    };
    if (this.random() < 0.7) {
      container['livenessProbe'] = {
        httpGet: { path: '/healthz', port: 8080 + index, scheme: 'HTTP' },
        initialDelaySeconds: 10,
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      };
      container['readinessProbe'] = { httpGet: { path: '/readyz', port: 8080 + index, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 };
    }
    if (this.random() < 0.3) container['args'] = ['--log-level=info', `--listen=:${8080 + index}`, '--metrics'];
    return container;
  }

  podSpec(app: string, withNode: boolean): JsonObject {
    const spec: JsonObject = {
      volumes: [
        {
          name: `kube-api-access-${this.alnum(5)}`,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: Array.from({ length: 1 + (this.random() < 0.5 ? 1 : 0) + (this.random() < 0.1 ? 1 : 0) }, (_, i) => this.container(app, i)),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    };
    if (withNode) spec['nodeName'] = this.pick(NODES);
    return spec;
  }

  managedFields(manager: string, apiVersion: string, time: string, fields: JsonObject, subresource?: string): JsonObject {
    const entry: JsonObject = { manager, operation: 'Update', apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: fields };
    if (subresource !== undefined) entry['subresource'] = subresource;
    return entry;
  }

  pod(namespace: string, app: string): { name: string; object: JsonObject } {
    const hash = this.alnum(10);
    const name = `${app}-${hash}-${this.alnum(5)}`;
    const created = this.time();
    const spec = this.podSpec(app, true);
    const containers = spec['containers'] as JsonObject[];
    const podIP = this.ip();
    const labels = { ...this.labels(app), 'pod-template-hash': hash };
    const object: JsonObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${app}-${hash}-`,
        namespace,
        uid: this.uid(),
        creationTimestamp: created,
        labels,
        annotations:
          this.random() < 0.5
            ? { 'kubectl.kubernetes.io/restartedAt': created, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' }
            : { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: this.uid(), controller: true, blockOwnerDeletion: true }],
        managedFields: [
          this.managedFields('kube-controller-manager', 'v1', created, {
            'f:metadata': { 'f:generateName': {}, 'f:labels': Object.fromEntries(Object.keys(labels).map((k) => [`f:${k}`, {}])), 'f:ownerReferences': { '.': {}, [`k:{"uid":"${this.uid()}"}`]: {} } },
            'f:spec': {
              'f:containers': Object.fromEntries(
                containers.map((c) => [`k:{"name":"${String(c['name'])}"}`, { '.': {}, 'f:env': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} }]),
              ),
              'f:dnsPolicy': {},
              'f:enableServiceLinks': {},
              'f:restartPolicy': {},
              'f:schedulerName': {},
            },
          }),
          this.managedFields(
            'kubelet',
            'v1',
            created,
            {
              'f:status': {
                'f:conditions': {},
                'f:containerStatuses': {},
                'f:hostIP': {},
                'f:phase': {},
                'f:podIP': {},
                'f:podIPs': { '.': {}, [`k:{"ip":"${podIP}"}`]: { '.': {}, 'f:ip': {} } },
                'f:startTime': {},
              },
            },
            'status',
          ),
        ],
      },
      spec,
      status: {
        phase: 'Running',
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: created,
        })),
        hostIP: `10.0.${this.int(4)}.${20 + this.int(24)}`,
        hostIPs: [{ ip: `10.0.${this.int(4)}.${20 + this.int(24)}` }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: created,
        containerStatuses: containers.map((c) => ({
          name: c['name'] as string,
          state: { running: { startedAt: created } },
          lastState: {},
          ready: true,
          restartCount: this.int(3),
          image: c['image'] as string,
          imageID: `docker.io/library/image@sha256:${this.hex(64)}`,
          containerID: `containerd://${this.hex(64)}`,
          started: true,
        })),
        qosClass: 'Burstable',
      },
    };
    return { name, object };
  }

  event(namespace: string, app: string): JsonObject {
    const pod = `${app}-${this.alnum(10)}-${this.alnum(5)}`;
    const [reason, template] = this.pick(EVENT_REASONS);
    const uid = this.uid();
    const node = this.pick(NODES);
    const container = app;
    const message = template.replace('{ns}', namespace).replace('{pod}', pod).replace('{node}', node).replace('{image}', this.pick(IMAGES)).replace('{container}', container).replace('{uid}', uid);
    const first = this.time();
    const warning = reason === 'Unhealthy' || reason === 'BackOff';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod}.${this.hex(16)}`, namespace, uid: this.uid(), creationTimestamp: first },
      involvedObject: { kind: 'Pod', namespace, name: pod, uid, apiVersion: 'v1', resourceVersion: String(100000 + this.int(900000)), fieldPath: `spec.containers{${container}}` },
      reason,
      message,
      source: { component: 'kubelet', host: node },
      firstTimestamp: first,
      lastTimestamp: first,
      count: warning ? 1 + this.int(40) : 1,
      type: warning ? 'Warning' : 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: node,
    };
  }

  configMap(namespace: string, name: string): JsonObject {
    const data: JsonObject = {};
    const keys = 1 + this.int(5);
    for (let i = 0; i < keys; i++) {
      const lines = Array.from({ length: 2 + this.int(60) }, (_, l) => `setting_${l} = ${this.alnum(8 + this.int(40))}`);
      data[this.pick(['config.yaml', 'app.properties', 'nginx.conf', 'logging.json', 'rules.yml', `extra-${i}.ini`]) + (i === 0 ? '' : `.${i}`)] = lines.join('\n');
    }
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: this.uid(), creationTimestamp: this.time(), labels: this.labels(name.split('-')[0] ?? name) }, data };
  }

  secret(namespace: string, name: string): JsonObject {
    const tls = this.random() < 0.3;
    const data: JsonObject = tls
      ? { 'tls.crt': this.base64(1200 + this.int(800)), 'tls.key': this.base64(1700) }
      : Object.fromEntries(Array.from({ length: 1 + this.int(6) }, (_, i) => [`key-${i}`, this.base64(16 + this.int(200))]));
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, uid: this.uid(), creationTimestamp: this.time() }, type: tls ? 'kubernetes.io/tls' : 'Opaque', data };
  }

  deployment(namespace: string, app: string, name: string, kind: 'Deployment' | 'ReplicaSet'): JsonObject {
    const labels = this.labels(app);
    const replicas = 1 + this.int(5);
    const metadata: JsonObject = {
      name,
      namespace,
      uid: this.uid(),
      generation: 1 + this.int(20),
      creationTimestamp: this.time(),
      labels,
      annotations: { [kind === 'Deployment' ? 'deployment.kubernetes.io/revision' : 'deployment.kubernetes.io/desired-replicas']: String(1 + this.int(9)) },
    };
    if (kind === 'ReplicaSet') metadata['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: this.uid(), controller: true, blockOwnerDeletion: true }];
    const spec: JsonObject = { replicas, selector: { matchLabels: { app } }, template: { metadata: { labels: { ...labels } }, spec: this.podSpec(app, false) } };
    if (kind === 'Deployment')
      Object.assign(spec, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    const status: JsonObject = { observedGeneration: metadata['generation'] as number, replicas, readyReplicas: replicas, availableReplicas: replicas, fullyLabeledReplicas: replicas };
    if (kind === 'Deployment') {
      delete status['fullyLabeledReplicas'];
      status['updatedReplicas'] = replicas;
    }
    return { apiVersion: 'apps/v1', kind, metadata, spec, status };
  }

  service(namespace: string, app: string): JsonObject {
    const ip = `10.96.${this.int(256)}.${1 + this.int(254)}`;
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace, uid: this.uid(), creationTimestamp: this.time(), labels: this.labels(app) },
      spec: {
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app },
        clusterIP: ip,
        clusterIPs: [ip],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    };
  }

  endpoints(namespace: string, app: string): JsonObject {
    const addresses = Array.from({ length: 1 + this.int(6) }, () => ({
      ip: this.ip(),
      nodeName: this.pick(NODES),
      targetRef: { kind: 'Pod', namespace, name: `${app}-${this.alnum(10)}-${this.alnum(5)}`, uid: this.uid() },
    }));
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: app, namespace, uid: this.uid(), creationTimestamp: this.time(), labels: { app } },
      subsets: [{ addresses, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    };
  }

  widget(namespace: string, name: string): JsonObject {
    return {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name, namespace, uid: this.uid(), generation: 1, creationTimestamp: this.time(), labels: { app: name.split('-')[0] ?? name } },
      spec: {
        size: this.pick(['small', 'medium', 'large']),
        replicas: 1 + this.int(5),
        color: this.pick(['red', 'green', 'blue']),
        owner: `team-${this.alnum(4)}`,
        tags: Array.from({ length: this.int(6) }, () => this.alnum(6)),
      },
      status: { phase: 'Ready', observedGeneration: 1 },
    };
  }
}

const WIDGET_CRD: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com', uid: '6f1c0b8e-1d2a-4b7e-9c3d-5e6f7a8b9c0d', generation: 1, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: {
    group: 'example.com',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    conversion: { strategy: 'None' },
  },
  status: {
    conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    acceptedNames: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] },
    storedVersions: ['v1'],
  },
};

interface Put {
  key: string;
  value: Uint8Array;
  resource: string;
  /** Written with an etcd lease (events, master leases). */
  leased?: boolean;
}

/**
 * A custom resource as kube-apiserver stores it: Go's encoder over the unstructured object (keys
 * sorted at every level, HTML-safe escapes, a newline).
 */
function json(object: JsonObject): Uint8Array {
  return Buffer.from(stringifyGoJson(object));
}

/** Every put, generated lazily so memory holds only the batches in flight. */
function* registryPuts(count: number, prefix: string): Generator<Put> {
  const g = new ObjectFactory();
  const p = prefix;
  for (const name of NAMESPACE_NAMES) {
    yield {
      key: `${p}/namespaces/${name}`,
      resource: 'namespaces',
      value: encode({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: g.uid(), creationTimestamp: g.time(), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      }),
    };
  }
  yield { key: `${p}/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com`, resource: 'customresourcedefinitions', value: json(WIDGET_CRD) };
  yield {
    key: `${p}/ranges/serviceips`,
    resource: 'ranges',
    value: encode({ apiVersion: 'v1', kind: 'RangeAllocation', metadata: { creationTimestamp: null }, range: '10.96.0.0/12', data: g.base64(8192) }),
  };
  yield {
    key: `${p}/ranges/servicenodeports`,
    resource: 'ranges',
    value: encode({ apiVersion: 'v1', kind: 'RangeAllocation', metadata: { creationTimestamp: null }, range: '30000-32767', data: g.base64(345) }),
  };

  yield {
    key: `${p}/masterleases/10.0.0.10`,
    resource: 'masterleases',
    leased: true,
    value: encode({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: '10.0.0.10', creationTimestamp: null },
      subsets: [{ addresses: [{ ip: '10.0.0.10' }], ports: [{ port: 6443, protocol: 'TCP' }] }],
    }),
  };

  const counts = Object.fromEntries(Object.entries(SHARES).map(([k, share]) => [k, Math.floor(count * share)])) as Record<keyof typeof SHARES, number>;
  const pods = count - Object.values(counts).reduce((a, b) => a + b, 0);
  const order: [string, number][] = [['pods', pods], ...Object.entries(counts)];
  // Interleave kinds so that a partial run still looks like a cluster.
  const remaining = new Map(order);
  for (let i = 0; remaining.size > 0; i++) {
    for (const [resource, left] of remaining) {
      if (left === 0) {
        remaining.delete(resource);
        continue;
      }
      remaining.set(resource, left - 1);
      const namespace = NAMESPACE_NAMES[(i * 7 + resource.length) % NAMESPACE_NAMES.length] as string;
      const app = `${g.pick(APPS)}-${i % 97}`;
      switch (resource) {
        case 'pods': {
          const { name, object } = g.pod(namespace, app);
          yield { key: `${p}/pods/${namespace}/${name}`, resource, value: encode(object) };
          break;
        }
        case 'events': {
          const object = g.event(namespace, app);
          yield { key: `${p}/events/${namespace}/${(object['metadata'] as JsonObject)['name'] as string}`, resource, value: encode(object), leased: true };
          break;
        }
        case 'configmaps': {
          const name = `${app}-config-${i}`;
          yield { key: `${p}/configmaps/${namespace}/${name}`, resource, value: encode(g.configMap(namespace, name)) };
          break;
        }
        case 'secrets': {
          const name = `${app}-credentials-${i}`;
          yield { key: `${p}/secrets/${namespace}/${name}`, resource, value: encode(g.secret(namespace, name)) };
          break;
        }
        case 'deployments':
          yield { key: `${p}/deployments/${namespace}/${app}-${i}`, resource, value: encode(g.deployment(namespace, app, `${app}-${i}`, 'Deployment')) };
          break;
        case 'replicasets': {
          const name = `${app}-${i}-${g.alnum(10)}`;
          yield { key: `${p}/replicasets/${namespace}/${name}`, resource, value: encode(g.deployment(namespace, app, name, 'ReplicaSet')) };
          break;
        }
        case 'services':
          yield { key: `${p}/services/specs/${namespace}/${app}-${i}`, resource, value: encode(g.service(namespace, `${app}-${i}`)) };
          break;
        case 'endpoints':
          yield { key: `${p}/services/endpoints/${namespace}/${app}-${i}`, resource, value: encode(g.endpoints(namespace, `${app}-${i}`)) };
          break;
        case 'widgets':
          yield { key: `${p}/example.com/widgets/${namespace}/${app}-${i}`, resource, value: json(g.widget(namespace, `${app}-${i}`)) };
          break;
      }
    }
  }
}

/** Attempts at one transaction, a second apart, before the fill gives up. */
const WRITE_ATTEMPTS = 60;

/**
 * One transaction of puts, tried again on failure: on a busy machine etcd can fall behind a
 * million-key fill, and the client's circuit breaker then fails every request for a while (one run
 * stopped at 637,400 keys). The puts are plain writes, so writing them again is harmless.
 */
async function writeWithRetries(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (attempt >= WRITE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Writes the generated registry; resolves to what was written. */
export async function makeRegistry(options: MakeRegistryOptions): Promise<RegistryStats> {
  const log = options.log ?? ((line: string) => console.log(line));
  const count = options.count ?? 100_000;
  const prefix = options.prefix ?? '/registry';
  const started = Date.now();
  const client = new Etcd3({ hosts: options.endpoints.split(',') });
  const stats: RegistryStats = { keys: 0, valueBytes: 0, keyBytes: 0, byResource: {}, seconds: 0 };
  try {
    const leases: string[] = [];
    for (let i = 0; i < EVENT_LEASES; i++) leases.push(String((await client.leaseClient.leaseGrant({ TTL: EVENT_TTL_SECONDS, ID: 0 })).ID));
    const puts = registryPuts(count, prefix);
    let lastLog = Date.now();
    const nextBatch = (): IRequestOp[] | undefined => {
      const ops: IRequestOp[] = [];
      while (ops.length < PUTS_PER_TXN) {
        const next = puts.next();
        if (next.done === true) break;
        const put = next.value;
        const value = Buffer.from(put.value.buffer, put.value.byteOffset, put.value.byteLength);
        const request: NonNullable<IRequestOp['request_put']> = { key: Buffer.from(put.key), value };
        if (put.leased === true) request.lease = leases[stats.keys % leases.length] as string;
        ops.push({ request_put: request });
        stats.keys++;
        stats.valueBytes += value.length;
        stats.keyBytes += Buffer.byteLength(put.key);
        const tally = (stats.byResource[put.resource] ??= { keys: 0, bytes: 0 });
        tally.keys++;
        tally.bytes += value.length;
      }
      return ops.length === 0 ? undefined : ops;
    };
    const worker = async (): Promise<void> => {
      for (let ops = nextBatch(); ops !== undefined; ops = nextBatch()) {
        await writeWithRetries(() => client.kv.txn({ compare: [], success: ops, failure: [] }));
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`  ${stats.keys.toLocaleString('en-US')} keys written`);
        }
      }
    };
    await Promise.all(Array.from({ length: TXNS_IN_FLIGHT }, worker));
  } finally {
    client.close();
  }
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}

function parseArguments(argv: string[]): MakeRegistryOptions {
  let endpoints = process.env['ETCDCTL_ENDPOINTS'] ?? 'http://127.0.0.1:2379';
  const options: Omit<MakeRegistryOptions, 'endpoints'> = {};
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === '--endpoints') endpoints = value();
    else if (argument === '--count') options.count = Number(value());
    else if (argument === '--etcd-prefix') options.prefix = value().replace(/\/+$/, '');
    else throw new Error(`unknown argument ${argument}; usage: make-registry [--endpoints URL] [--count N] [--etcd-prefix /registry]`);
  }
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count > 0)) throw new Error('--count must be a positive integer');
  return { endpoints, ...options };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  Promise.resolve()
    .then(() => makeRegistry(parseArguments(process.argv.slice(2))))
    .then(
      (stats) => {
        for (const [resource, { keys, bytes }] of Object.entries(stats.byResource))
          console.log(`${resource.padEnd(28)} ${String(keys).padStart(8)} keys ${(bytes / keys).toFixed(0).padStart(6)} B average`);
        console.log(`${stats.keys} keys, ${(stats.valueBytes / 1e6).toFixed(1)} MB of values, in ${stats.seconds.toFixed(1)} s`);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      },
    );
}
