/**
 * kubectl's columns per kind, on objects built here, each expected row written from kubectl's
 * documented behaviour; and every upstream fixture printing a full row without error.
 */
import assert from 'node:assert/strict';
import type { JsonObject } from '../src/codec/json-value.js';
import { BUILTIN_PRINTERS, humanDuration, Printers } from '../src/format/columns/index.js';
import { storableFixtures } from './support/fixtures.js';
import { requireSharedFixtures } from './support/shared-data.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
const CREATED = ago(3600);

const printers = new Printers();
/** The header kubectl prints (-o wide when `wide`). */
function header(object: JsonObject, wide = false): string[] {
  return printers
    .for(object)
    .columns.filter((c) => wide || c.wide !== true)
    .map((c) => c.header);
}
/** The row kubectl prints. */
function row(object: JsonObject, wide = false): string[] {
  const printer = printers.for(object);
  const cells = printer.row(object, NOW, wide);
  return printer.columns.flatMap((c, i) => (wide || c.wide !== true ? [cells[i] as string] : []));
}

const meta = (name: string, extra: JsonObject = {}): JsonObject => ({ name, namespace: 'shop', creationTimestamp: CREATED, ...extra });
const pod = (status: JsonObject, spec: JsonObject = {}, metadata: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: meta('web-1', metadata),
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  status,
});
const running = (name = 'app', restartCount = 0): JsonObject => ({ name, ready: true, restartCount, state: { running: { startedAt: ago(600) } } });

describe('kubectl columns', function () {
  describe('ages (duration.HumanDuration)', function () {
    const cases: [number, string][] = [
      [-5, '<invalid>'],
      [-1, '0s'],
      [0, '0s'],
      [119, '119s'],
      [120, '2m'],
      [330, '5m30s'],
      [600, '10m'],
      [3 * 3600 - 1, '179m'],
      [3 * 3600, '3h'],
      [3 * 3600 + 90, '3h1m'],
      [8 * 3600, '8h'],
      [47 * 3600, '47h'],
      [50 * 3600, '2d2h'],
      [8 * 86400, '8d'],
      [400 * 86400, '400d'],
      [800 * 86400, '2y70d'],
      [365 * 9 * 86400, '9y'],
    ];
    for (const [seconds, text] of cases) it(`${seconds}s → ${text}`, () => assert.equal(humanDuration(seconds * 1000), text));
  });

  describe('pods: READY STATUS RESTARTS', function () {
    it('has kubectl header, and -o wide adds IP NODE NOMINATED NODE READINESS GATES', function () {
      assert.deepEqual(header(pod({})), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(header(pod({}), true), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    });
    const cases: [string, JsonObject, string[]][] = [
      ['Running', pod({ phase: 'Running', containerStatuses: [running()] }), ['web-1', '1/1', 'Running', '0', '60m']],
      ['Pending, nothing started', pod({ phase: 'Pending' }), ['web-1', '0/1', 'Pending', '0', '60m']],
      [
        'ContainerCreating',
        pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
        ['web-1', '0/1', 'ContainerCreating', '0', '60m'],
      ],
      [
        'CrashLoopBackOff, restarts with the last one’s age',
        pod({
          phase: 'Running',
          containerStatuses: [
            { name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } } },
          ],
        }),
        ['web-1', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '60m'],
      ],
      [
        'Completed',
        pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
        ['web-1', '0/1', 'Completed', '0', '60m'],
      ],
      ['Error', pod({ phase: 'Failed', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }), ['web-1', '0/1', 'Error', '0', '60m']],
      [
        'ExitCode:N without a reason',
        pod({ phase: 'Failed', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 137 } } }] }),
        ['web-1', '0/1', 'ExitCode:137', '0', '60m'],
      ],
      [
        'Signal:N without a reason',
        pod({ phase: 'Failed', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 0, signal: 9 } } }] }),
        ['web-1', '0/1', 'Signal:9', '0', '60m'],
      ],
      [
        'Init:0/2',
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [
              { name: 'i1', restartCount: 0, state: { running: {} } },
              { name: 'i2', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
            ],
          },
          { initContainers: [{ name: 'i1' }, { name: 'i2' }] },
        ),
        ['web-1', '0/1', 'Init:0/2', '0', '60m'],
      ],
      [
        'Init:1/2',
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [
              { name: 'i1', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
              { name: 'i2', restartCount: 0, state: { running: {} } },
            ],
          },
          { initContainers: [{ name: 'i1' }, { name: 'i2' }] },
        ),
        ['web-1', '0/1', 'Init:1/2', '0', '60m'],
      ],
      [
        'Init:CrashLoopBackOff',
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(40) } } }],
          },
          { initContainers: [{ name: 'i1' }] },
        ),
        ['web-1', '0/1', 'Init:CrashLoopBackOff', '3 (40s ago)', '60m'],
      ],
      [
        'Init:Error',
        pod({ phase: 'Failed', initContainerStatuses: [{ name: 'i1', restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }] }, { initContainers: [{ name: 'i1' }] }),
        ['web-1', '0/1', 'Init:Error', '0', '60m'],
      ],
      [
        'Init:ExitCode:N',
        pod({ phase: 'Failed', initContainerStatuses: [{ name: 'i1', restartCount: 0, state: { terminated: { exitCode: 2 } } }] }, { initContainers: [{ name: 'i1' }] }),
        ['web-1', '0/1', 'Init:ExitCode:2', '0', '60m'],
      ],
      ['Terminating (deletionTimestamp)', pod({ phase: 'Running', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(10) }), ['web-1', '1/1', 'Terminating', '0', '60m']],
      ['a finished pod being deleted is not Terminating', pod({ phase: 'Succeeded' }, {}, { deletionTimestamp: ago(10) }), ['web-1', '0/1', 'Succeeded', '0', '60m']],
      ['Unknown (deleted on a lost node)', pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(10) }), ['web-1', '0/1', 'Unknown', '0', '60m']],
      ['Evicted (status.reason)', pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), ['web-1', '0/1', 'Evicted', '0', '60m']],
      ['SchedulingGated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['web-1', '0/1', 'SchedulingGated', '0', '60m']],
      [
        'NotReady: one container completed, one running, pod not Ready',
        pod(
          { phase: 'Running', containerStatuses: [running('a'), { name: 'b', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
          { containers: [{ name: 'a' }, { name: 'b' }] },
        ),
        ['web-1', '1/2', 'NotReady', '0', '60m'],
      ],
      [
        'Running: one container completed, one running, pod Ready',
        pod(
          {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [running('a'), { name: 'b', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
          },
          { containers: [{ name: 'a' }, { name: 'b' }] },
        ),
        ['web-1', '1/2', 'Running', '0', '60m'],
      ],
      [
        'sidecar (restartable init container) counts in READY and RESTARTS',
        pod(
          {
            phase: 'Running',
            conditions: [{ type: 'Initialized', status: 'True' }],
            initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(120) } } }],
            containerStatuses: [running()],
          },
          { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
        ),
        ['web-1', '2/2', 'Running', '1 (2m ago)', '60m'],
      ],
    ];
    for (const [what, object, expected] of cases) it(what, () => assert.deepEqual(row(object), expected));

    it('-o wide: IP, node, nominated node, readiness gates', function () {
      const p = pod(
        { phase: 'Running', podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }], containerStatuses: [running()], conditions: [{ type: 'example.com/lb', status: 'True' }] },
        { nodeName: 'n1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      );
      assert.deepEqual(row(p, true), ['web-1', '1/1', 'Running', '0', '60m', '10.0.0.7', 'n1', '<none>', '1/2']);
      assert.deepEqual(row(pod({ phase: 'Pending' }), true).slice(5), ['<none>', '<none>', '<none>', '<none>']);
    });
  });

  describe('workloads', function () {
    const deployment: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'nginx:1' },
              { name: 'log', image: 'fluent' },
            ],
          },
        },
      },
      status: { replicas: 4, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
    };
    it('deployment mid-rollout', function () {
      assert.deepEqual(header(deployment), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.deepEqual(row(deployment, true), ['web', '2/3', '1', '2', '60m', 'app,log', 'nginx:1,fluent', 'app=web,tier in (be,fe)']);
    });
    it('deployment with no status yet', function () {
      assert.deepEqual(row({ ...deployment, status: {} }), ['web', '0/3', '0', '0', '60m']);
    });
    it('replicaset, statefulset, daemonset', function () {
      assert.deepEqual(row({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d8'), spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 1 } }), [
        'web-5d8',
        '3',
        '3',
        '1',
        '60m',
      ]);
      assert.deepEqual(header({ apiVersion: 'apps/v1', kind: 'StatefulSet' }), ['NAME', 'READY', 'AGE']);
      assert.deepEqual(row({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db'), spec: { replicas: 3 }, status: { readyReplicas: 2 } }), ['db', '2/3', '60m']);
      const ds: JsonObject = {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: meta('agent'),
        spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
        status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
      };
      assert.deepEqual(header(ds), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
      assert.deepEqual(row(ds), ['agent', '3', '3', '2', '3', '2', 'kubernetes.io/os=linux', '60m']);
    });
    it('jobs: STATUS COMPLETIONS DURATION', function () {
      const job = (spec: JsonObject, status: JsonObject, metadata: JsonObject = {}): JsonObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi', metadata), spec, status });
      assert.deepEqual(header(job({}, {})), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
      assert.deepEqual(row(job({ completions: 1 }, { succeeded: 1, startTime: ago(600), completionTime: ago(570), conditions: [{ type: 'Complete', status: 'True' }] })), [
        'pi',
        'Complete',
        '1/1',
        '30s',
        '60m',
      ]);
      assert.deepEqual(row(job({ parallelism: 3 }, { startTime: ago(90) })), ['pi', 'Running', '0/1 of 3', '90s', '60m']);
      assert.deepEqual(row(job({ completions: 2 }, { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] })), ['pi', 'Failed', '0/2', '', '60m']);
      assert.deepEqual(row(job({ suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] })), ['pi', 'Suspended', '0/1', '', '60m']);
      assert.deepEqual(row(job({}, {}, { deletionTimestamp: ago(1) })), ['pi', 'Terminating', '0/1', '', '60m']);
    });
    it('cronjobs', function () {
      const cj: JsonObject = {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: meta('backup'),
        spec: { schedule: '*/5 * * * *', suspend: false },
        status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(120) },
      };
      assert.deepEqual(header(cj), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
      assert.deepEqual(row(cj), ['backup', '*/5 * * * *', '<none>', 'False', '1', '2m', '60m']);
      assert.deepEqual(row({ ...cj, spec: { schedule: '@daily', timeZone: 'Etc/UTC' }, status: {} }), ['backup', '@daily', 'Etc/UTC', '<unset>', '0', '<none>', '60m']);
    });
  });

  describe('services', function () {
    const svc = (spec: JsonObject, status: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec, status });
    it('ClusterIP', function () {
      assert.deepEqual(header(svc({})), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.deepEqual(
        row(
          svc({
            type: 'ClusterIP',
            clusterIP: '10.96.0.10',
            ports: [
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ],
            selector: { app: 'dns' },
          }),
          true,
        ),
        ['web', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '60m', 'app=dns'],
      );
    });
    it('headless', function () {
      assert.deepEqual(row(svc({ type: 'ClusterIP', clusterIP: 'None' })), ['web', 'ClusterIP', 'None', '<none>', '<none>', '60m']);
    });
    it('NodePort', function () {
      const s = svc({
        type: 'NodePort',
        clusterIP: '10.96.1.1',
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 443, nodePort: 30443, protocol: 'TCP' },
        ],
      });
      assert.deepEqual(row(s), ['web', 'NodePort', '10.96.1.1', '<none>', '80:30080/TCP,443:30443/TCP', '60m']);
    });
    it('LoadBalancer: pending, an address, a long hostname cut unless wide, external IPs', function () {
      const spec = { type: 'LoadBalancer', clusterIP: '10.96.1.2', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] };
      assert.deepEqual(row(svc(spec))[3], '<pending>');
      assert.deepEqual(row(svc(spec, { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } }))[3], '203.0.113.5');
      const long = svc(spec, { loadBalancer: { ingress: [{ hostname: 'a1b2c3d4e5f6.elb.example.com' }] } });
      assert.equal(row(long)[3], 'a1b2c3d4e5f6....');
      assert.equal(row(long, true)[3], 'a1b2c3d4e5f6.elb.example.com');
      assert.equal(row(svc({ ...spec, externalIPs: ['198.51.100.1'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } }))[3], '203.0.113.5,198.51.100.1');
    });
    it('ExternalName', function () {
      assert.deepEqual(row(svc({ type: 'ExternalName', externalName: 'db.example.com' })), ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m']);
    });
    it('endpoints: at most three, then + N more...', function () {
      const ep: JsonObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] };
      assert.deepEqual(row(ep), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '60m']);
      assert.deepEqual(row({ ...ep, subsets: [] }), ['web', '<none>', '60m']);
    });
    it('ingresses', function () {
      const ing: JsonObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta('web'),
        spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }, { host: 'd.example' }], tls: [{ hosts: ['a.example'] }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } },
      };
      assert.deepEqual(header(ing), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
      assert.deepEqual(row(ing), ['web', 'nginx', 'a.example,b.example,c.example + 1 more...', '203.0.113.9', '80, 443', '60m']);
      assert.deepEqual(row({ ...ing, spec: { rules: [{}] }, status: {} }), ['web', '<none>', '*', '', '80', '60m']);
    });
  });

  describe('cluster and config kinds', function () {
    it('nodes: STATUS ROLES VERSION', function () {
      const node: JsonObject = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'cp-1', creationTimestamp: CREATED, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } },
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          nodeInfo: { kubeletVersion: 'v1.36.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://2.0' },
          addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
        },
      };
      assert.deepEqual(header(node), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      assert.deepEqual(row(node, true), ['cp-1', 'Ready,SchedulingDisabled', 'control-plane,master', '60m', 'v1.36.0', '192.168.1.10', '<none>', 'Debian', '6.1', 'containerd://2.0']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'w', creationTimestamp: CREATED }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), [
        'w',
        'NotReady',
        '<none>',
        '60m',
        '',
      ]);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'w', creationTimestamp: CREATED } }), ['w', 'Unknown', '<none>', '60m', '']);
    });
    it('namespaces, configmaps, secrets, serviceaccounts, leases', function () {
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', creationTimestamp: CREATED }, status: { phase: 'Terminating' } }), ['shop', 'Terminating', '60m']);
      assert.deepEqual(header({ apiVersion: 'v1', kind: 'ConfigMap' }), ['NAME', 'DATA', 'AGE']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cfg', '3', '60m']);
      assert.deepEqual(header({ apiVersion: 'v1', kind: 'Secret' }), ['NAME', 'TYPE', 'DATA', 'AGE']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Secret', metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': '***', 'tls.key': '***' } }), [
        'tls',
        'kubernetes.io/tls',
        '2',
        '60m',
      ]);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default') }), ['default', '0', '60m']);
      assert.deepEqual(row({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('lock'), spec: { holderIdentity: 'cp-1_abc' } }), ['lock', 'cp-1_abc', '60m']);
    });
    it('events: LAST SEEN TYPE REASON OBJECT MESSAGE, and wide', function () {
      const ev: JsonObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: meta('web-1.17a'),
        involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
        reason: 'BackOff',
        message: '  Back-off restarting failed container\n',
        type: 'Warning',
        firstTimestamp: ago(600),
        lastTimestamp: ago(30),
        count: 7,
        source: { component: 'kubelet', host: 'n1' },
      };
      assert.deepEqual(header(ev), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      assert.deepEqual(row(ev), ['30s', 'Warning', 'BackOff', 'pod/web-1', 'Back-off restarting failed container']);
      assert.deepEqual(header(ev, true), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
      assert.deepEqual(row(ev, true), ['30s', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{app}', 'kubelet, n1', 'Back-off restarting failed container', '10m', '7', 'web-1.17a']);
      const fresh: JsonObject = { apiVersion: 'v1', kind: 'Event', metadata: meta('x'), involvedObject: { kind: 'Node' }, eventTime: ago(5), type: 'Normal', reason: 'Ping', reportingComponent: 'me' };
      assert.deepEqual(row(fresh, true), ['5s', 'Normal', 'Ping', 'node', '', 'me', '', '5s', '1', 'x']);
    });
    it('persistent volumes and claims', function () {
      const pv: JsonObject = {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv1', creationTimestamp: CREATED },
        spec: {
          capacity: { storage: '10Gi' },
          accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          claimRef: { namespace: 'shop', name: 'data' },
          storageClassName: 'standard',
        },
        status: { phase: 'Bound' },
      };
      assert.deepEqual(header(pv), ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE']);
      assert.deepEqual(row(pv), ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'shop/data', 'standard', '<unset>', '', '60m']);
      const pvc: JsonObject = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta('data'),
        spec: { volumeName: 'pv1', storageClassName: 'standard', resources: { requests: { storage: '5Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
      };
      assert.deepEqual(header(pvc, true), ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE', 'VOLUMEMODE']);
      assert.deepEqual(row(pvc, true), ['data', 'Bound', 'pv1', '10Gi', 'RWO', 'standard', '<unset>', '60m', 'Filesystem']);
      assert.deepEqual(row({ ...pvc, spec: { storageClassName: 'standard' }, status: { phase: 'Pending' } }), ['data', 'Pending', '', '', '', 'standard', '<unset>', '60m']);
    });
    it('customresourcedefinitions: NAME CREATED AT', function () {
      const crd: JsonObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com', creationTimestamp: '2026-01-02T03:04:05Z' } };
      assert.deepEqual(header(crd), ['NAME', 'CREATED AT']);
      assert.deepEqual(row(crd), ['widgets.example.com', '2026-01-02T03:04:05Z']);
    });
    it('apiservices, podtemplates, volumeattachments', function () {
      const local: JsonObject = {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1.apps', creationTimestamp: CREATED },
        status: { conditions: [{ type: 'Available', status: 'True' }] },
      };
      assert.deepEqual(row(local), ['v1.apps', 'Local', 'True', '60m']);
      const down: JsonObject = {
        ...local,
        spec: { service: { namespace: 'kube-system', name: 'metrics-server' } },
        status: { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] },
      };
      assert.deepEqual(row(down), ['v1.apps', 'kube-system/metrics-server', 'False (FailedDiscoveryCheck)', '60m']);
      assert.deepEqual(row({ ...local, status: {} }), ['v1.apps', 'Local', 'Unknown', '60m']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'PodTemplate', metadata: meta('t'), template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } }), [
        't',
        'c',
        'i',
        'app=x',
      ]);
      assert.deepEqual(
        row({
          apiVersion: 'storage.k8s.io/v1',
          kind: 'VolumeAttachment',
          metadata: { name: 'va', creationTimestamp: CREATED },
          spec: { attacher: 'csi.example', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
          status: { attached: true },
        }),
        ['va', 'csi.example', 'pv1', 'n1', 'true', '60m'],
      );
    });
    it('certificatesigningrequests: CONDITION', function () {
      const csr = (status: JsonObject): JsonObject => ({
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name: 'csr-1', creationTimestamp: CREATED },
        spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:node:n1', expirationSeconds: 86400 },
        status,
      });
      assert.deepEqual(header(csr({})), ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
      assert.deepEqual(row(csr({})), ['csr-1', '60m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:n1', '24h', 'Pending']);
      assert.equal(row(csr({ conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0t' }))[5], 'Approved,Issued');
      assert.equal(
        row(
          csr({
            conditions: [
              { type: 'Denied', status: 'True' },
              { type: 'Failed', status: 'True' },
            ],
          }),
        )[5],
        'Denied,Failed',
      );
    });
    it('rolebindings, storageclasses, poddisruptionbudgets', function () {
      const rb: JsonObject = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('read'),
        roleRef: { kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', name: 'ann' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', namespace: 'shop', name: 'ci' },
          { kind: 'User', name: 'bob' },
        ],
      };
      assert.deepEqual(row(rb, true), ['read', 'ClusterRole/view', '60m', 'ann, bob', 'devs', 'shop/ci']);
      const sc: JsonObject = {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', creationTimestamp: CREATED, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'rancher.io/local-path',
      };
      assert.deepEqual(header(sc), ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
      assert.deepEqual(row(sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', 'false', '60m']);
      const pdb: JsonObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } };
      assert.deepEqual(row(pdb), ['web', '50%', 'N/A', '1', '60m']);
    });
    it('kinds stored under the group they moved from (extensions/v1beta1)', function () {
      assert.deepEqual(header({ apiVersion: 'extensions/v1beta1', kind: 'Ingress' }), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
      assert.deepEqual(header({ apiVersion: 'extensions/v1beta1', kind: 'Deployment' }), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    });
    it('a kind without a printer: NAME AGE', function () {
      assert.deepEqual(header({ apiVersion: 'example.com/v1', kind: 'Gadget' }), ['NAME', 'AGE']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Binding', metadata: meta('t') }), ['t', '60m']);
      assert.deepEqual(row({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 't' } }), ['t', '<unknown>']);
    });
  });

  describe('custom resources', function () {
    const crd: JsonObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            storage: true,
            additionalPrinterColumns: [
              { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
              { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
              { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
              { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
              { name: 'Flag', type: 'boolean', jsonPath: '.spec.flag', priority: 1 },
              { name: 'First-Port', type: 'integer', jsonPath: '.spec.ports[0].port', priority: 1 },
            ],
          },
          { name: 'v2', storage: false },
        ],
      },
    };
    const custom = new Printers([crd]);
    const widget = (apiVersion: string, spec: JsonObject, status: JsonObject = {}): JsonObject => ({ apiVersion, kind: 'Widget', metadata: meta('w1'), spec, status });
    const print = (o: JsonObject, wide = false) => {
      const p = custom.for(o);
      const cells = p.row(o, NOW, wide);
      return { header: p.columns.filter((c) => wide || !c.wide).map((c) => c.header), row: p.columns.flatMap((c, i) => (wide || !c.wide ? [cells[i]] : [])) };
    };
    it("prints the stored version's additionalPrinterColumns, typed", function () {
      const w = widget(
        'example.com/v1',
        { replicas: 3, ratio: 0.5, flag: true, ports: [{ port: 8080 }] },
        {
          conditions: [
            { type: 'Synced', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
        },
      );
      assert.deepEqual(print(w), { header: ['NAME', 'REPLICAS', 'READY', 'RATIO', 'AGE'], row: ['w1', '3', 'True', '0.5', '60m'] });
      assert.deepEqual(print(w, true).row, ['w1', '3', 'True', '0.5', '60m', 'true', '8080']);
    });
    it('shows <none> for what the path does not reach', function () {
      assert.deepEqual(print(widget('example.com/v1', {})).row, ['w1', '<none>', '<none>', '<none>', '60m']);
    });
    it('a version without printer columns, and a kind without a CRD: NAME AGE', function () {
      assert.deepEqual(print(widget('example.com/v2', { replicas: 1 })), { header: ['NAME', 'AGE'], row: ['w1', '60m'] });
      assert.deepEqual(print({ apiVersion: 'other.example/v1', kind: 'Widget', metadata: meta('x') }), { header: ['NAME', 'AGE'], row: ['x', '60m'] });
    });
  });

  describe('every upstream fixture', function () {
    let fixtures: ReturnType<typeof storableFixtures> = [];
    before(function () {
      requireSharedFixtures(this);
      fixtures = storableFixtures();
    });
    it('has fixtures to print', () => assert.ok(fixtures.length > 50, String(fixtures.length)));
    it('prints each one, a cell for every column, narrow and wide', function () {
      let withPrinter = 0;
      for (const fixture of fixtures) {
        const printer = printers.for(fixture.json);
        if (printer.columns.length > 2) withPrinter++;
        for (const wide of [false, true]) {
          const cells = printer.row(fixture.json, NOW, wide);
          assert.equal(cells.length, printer.columns.length, fixture.name);
          for (const cell of cells) assert.equal(typeof cell, 'string', fixture.name);
        }
      }
      assert.ok(withPrinter >= 25, `${withPrinter} fixtures have their own columns`);
    });
    it('has a printer for each kind this part names', function () {
      for (const kind of [
        '/Pod',
        'apps/Deployment',
        'apps/ReplicaSet',
        'apps/StatefulSet',
        'apps/DaemonSet',
        '/Service',
        '/Node',
        '/Namespace',
        '/ConfigMap',
        '/Secret',
        '/Event',
        'batch/Job',
        'batch/CronJob',
        '/PersistentVolume',
        '/PersistentVolumeClaim',
        'networking.k8s.io/Ingress',
        '/ServiceAccount',
        'coordination.k8s.io/Lease',
        '/Endpoints',
        'apiextensions.k8s.io/CustomResourceDefinition',
      ]) {
        assert.ok(BUILTIN_PRINTERS.has(kind), kind);
      }
    });
  });
});
