/**
 * npm run bench, YAML part: `-o yaml` of 10,000 realistic pods in-process, the work `kreg get pods
 * -o yaml` does per object after decoding (KREG_BENCH_ONLY=yaml runs just this).
 */
import type { JsonObject } from '../src/codec/json-value.js';
import { formatYaml } from '../src/format/object-text.js';

/** A running pod as kube-apiserver stores it, managedFields aside; `i` varies names and addresses. */
export function pod(i: number): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d4b9c8f5-${i.toString(36)}`,
      namespace: 'default',
      uid: `6f1c2a4e-0d3b-4c1a-9e7f-${String(i).padStart(12, '0')}`,
      resourceVersion: String(100000 + i),
      creationTimestamp: '2026-03-14T09:26:53Z',
      generateName: 'web-7d4b9c8f5-',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5', tier: 'frontend' },
      annotations: { 'kubernetes.io/description': 'The web frontend serves the public site and talks to the API tier over the internal service mesh.' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f5', uid: 'a1b2c3d4-0000-0000-0000-000000000000', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: `node-${i % 50}`,
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.4.3',
          imagePullPolicy: 'IfNotPresent',
          args: ['--port=8080', '--log-level=info'],
          ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
          env: [
            { name: 'MODE', value: 'production' },
            { name: 'REPLICAS', value: '3' },
          ],
          resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [
        {
          name: 'kube-api-access-abcde',
          projected: {
            defaultMode: 420,
            sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
          },
        },
      ],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running',
      podIP: `10.244.${i % 250}.${i % 200}`,
      hostIP: '192.168.1.10',
      qosClass: 'Burstable',
      startTime: '2026-03-14T09:26:53Z',
      conditions: [
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-14T09:27:03Z' },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-03-14T09:26:53Z' },
      ],
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'registry.example.com/web:1.4.3',
          imageID: 'registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
          containerID: 'containerd://0123456789abcdef',
          state: { running: { startedAt: '2026-03-14T09:27:00Z' } },
        },
      ],
    },
  };
}

export function benchPodYaml(count = 10_000, rounds = 5): void {
  const pods = Array.from({ length: count }, (_, i) => pod(i));
  const times: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds + 1; round++) {
    const start = performance.now();
    bytes = 0;
    for (const p of pods) bytes += formatYaml(p).length;
    if (round > 0) times.push(performance.now() - start); // the first round warms the JIT
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)] as number;
  console.log(`yaml: ${count} pods (${(bytes / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms (median of ${rounds}), ${((count / ms) * 1000).toFixed(0)} pods/s`);
}
