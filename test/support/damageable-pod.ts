/**
 * A stored Pod for the walks' damage tests (json-text.test.ts, yaml-text.test.ts): small, with a
 * bit of every kind of field they read, so that changing each of its bytes reaches every check.
 */
import { encode } from '../../src/index.js';

/** A stored Pod with a bit of everything the walks read: maps, lists, times, quantities, IntOrStrings, managedFields. */
export function damageablePod(): Uint8Array {
  const time = '2024-05-06T07:08:09Z';
  return encode({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: '0b5f5e9e-7a3c-4d6e-9a57-1c6f3f0e2a11',
      creationTimestamp: time,
      labels: { app: 'web', tier: 'front' },
      annotations: { note: 'caf\u00e9 "quoted"' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: '5d1c', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          args: ['-g', 'daemon off;'],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'prod' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: 8080 }, failureThreshold: 3 },
        },
      ],
      nodeName: 'node-1',
      priority: 0,
      enableServiceLinks: true,
      terminationGracePeriodSeconds: 30,
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: time }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 2, image: 'nginx:1.27', imageID: '', started: true, state: { running: { startedAt: time } } }],
      startTime: time,
    },
  });
}

/** One damaged copy of a value: which byte was changed, and to what. */
export interface OneByteDamage {
  at: number;
  change: number;
  damaged: Uint8Array;
}

/** Every copy of the value with one byte of [from, to) changed, five ways each: to 0x00, 0x7f, 0x80, 0xff, and one up. */
export function* oneByteDamaged(value: Uint8Array, from: number, to: number): Generator<OneByteDamage> {
  for (let at = from; at < to; at++) {
    for (const change of [0x00, 0x7f, 0x80, 0xff, ((value[at] as number) + 1) & 0xff]) {
      const damaged = Uint8Array.from(value);
      damaged[at] = change;
      yield { at, change, damaged };
    }
  }
}
