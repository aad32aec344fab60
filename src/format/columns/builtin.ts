/**
 * kubectl's columns for the built-in kinds, as kube-apiserver's table printers make them: one
 * entry per kind, its columns as data (wide ones marked) and a small function making a row's
 * cells, every column's including the wide ones. Pure: the time is passed in.
 */
import type { JsonObject, JsonValue } from '../../codec/json-value.js';
import { ageSince, humanDuration } from './age.js';
import {
  arr,
  at,
  bool,
  condition,
  conditionTrue,
  containerCells,
  formatLabels,
  formatLabelSelector,
  intText,
  joinHostPort,
  labelSelectorText,
  num,
  obj,
  orNone,
  printBoolPtr,
  str,
  stringMap,
} from './values.js';

export interface Column {
  /** As kubectl prints it, upper case. */
  header: string;
  /** Shown only with -o wide. */
  wide?: true;
  /** The object's name: prefixed with its kind when kinds are shown. */
  name?: true;
}

export interface KindPrinter {
  columns: readonly Column[];
  /** One cell per column, wide ones included; `wide` for the cells kubectl cuts short otherwise. */
  row(object: JsonObject, now: number, wide: boolean): string[];
}

const NAME: Column = { header: 'NAME', name: true };
const AGE: Column = { header: 'AGE' };
const wide = (...headers: string[]): Column[] => headers.map((header) => ({ header, wide: true }));
const cols = (...headers: string[]): Column[] => headers.map((header) => (header === 'NAME' ? NAME : header === 'AGE' ? AGE : { header }));

const name = (o: JsonObject): string => str(o, 'metadata', 'name');
const age = (o: JsonObject, now: number): string => ageSince(at(o, 'metadata', 'creationTimestamp'), now);
const deleting = (o: JsonObject): boolean => typeof at(o, 'metadata', 'deletionTimestamp') === 'string';
const createdAt = (o: JsonObject): string => {
  const t = Date.parse(str(o, 'metadata', 'creationTimestamp'));
  return Number.isNaN(t) ? '<unknown>' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/** The default for kinds without a printer (and custom resources without printer columns). */
export const DEFAULT_PRINTER: KindPrinter = { columns: [NAME, AGE], row: (o, now) => [name(o), age(o, now)] };

/** NAME CREATED AT, as the API shows CRDs and RBAC roles. */
const CREATED_AT_PRINTER: KindPrinter = { columns: [NAME, { header: 'CREATED AT' }], row: (o) => [name(o), createdAt(o)] };

// ---- pods -------------------------------------------------------------------------------------

function isRestartableInit(container: JsonValue | undefined): boolean {
  return str(container, 'restartPolicy') === 'Always';
}

function laterOf(current: number, terminated: JsonValue | undefined): number {
  const t = Date.parse(str(terminated, 'finishedAt'));
  return Number.isNaN(t) ? current : Math.max(current, t);
}

/** READY, STATUS, RESTARTS as kubectl works them out from a pod's spec and status. */
export function podSummary(pod: JsonObject, now: number): { ready: string; status: string; restarts: string } {
  const status = obj(pod, 'status');
  const initSpecs = new Map(arr(pod, 'spec', 'initContainers').map((c) => [str(c, 'name'), c]));
  let total = arr(pod, 'spec', 'containers').length;
  for (const c of initSpecs.values()) if (isRestartableInit(c)) total++;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;
  const phase = str(status, 'phase');
  let reason = str(status, 'reason') || phase;
  if (arr(status, 'conditions').some((c) => str(c, 'type') === 'PodScheduled' && str(c, 'reason') === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = arr(status, 'initContainerStatuses');
  for (const [i, c] of initStatuses.entries()) {
    restarts += num(c, 'restartCount');
    const lastTerminated = at(c, 'lastState', 'terminated');
    if (lastTerminated !== undefined) lastRestart = laterOf(lastRestart, lastTerminated);
    const sidecar = isRestartableInit(initSpecs.get(str(c, 'name')));
    if (sidecar) {
      sidecarRestarts += num(c, 'restartCount');
      if (lastTerminated !== undefined) lastSidecarRestart = laterOf(lastSidecarRestart, lastTerminated);
    }
    const terminated = at(c, 'state', 'terminated');
    const waitingReason = str(c, 'state', 'waiting', 'reason');
    if (terminated !== undefined && num(terminated, 'exitCode') === 0) continue;
    if (sidecar && bool(c, 'started') === true) {
      if (bool(c, 'ready') === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      const why = str(terminated, 'reason');
      reason = why !== '' ? `Init:${why}` : num(terminated, 'signal') !== 0 ? `Init:Signal:${intText(terminated, 'signal')}` : `Init:ExitCode:${intText(terminated, 'exitCode')}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += num(c, 'restartCount');
      const lastTerminated = at(c, 'lastState', 'terminated');
      if (lastTerminated !== undefined) lastRestart = laterOf(lastRestart, lastTerminated);
      const terminated = at(c, 'state', 'terminated');
      const waitingReason = str(c, 'state', 'waiting', 'reason');
      if (waitingReason !== '') reason = waitingReason;
      else if (terminated !== undefined && str(terminated, 'reason') !== '') reason = str(terminated, 'reason');
      else if (terminated !== undefined) reason = num(terminated, 'signal') !== 0 ? `Signal:${intText(terminated, 'signal')}` : `ExitCode:${intText(terminated, 'exitCode')}`;
      else if (bool(c, 'ready') === true && at(c, 'state', 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (deleting(pod) && str(status, 'reason') === 'NodeLost') reason = 'Unknown';
  else if (deleting(pod) && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartText = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

const pods: KindPrinter = {
  columns: [...cols('NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'), ...wide('IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES')],
  row(pod, now) {
    const { ready, status, restarts } = podSummary(pod, now);
    const gates = arr(pod, 'spec', 'readinessGates');
    const trueGates = gates.filter((g) => str(condition(pod, str(g, 'conditionType')), 'status') === 'True').length;
    return [
      name(pod),
      ready,
      status,
      restarts,
      age(pod, now),
      orNone(str(pod, 'status', 'podIPs', 0, 'ip') || str(pod, 'status', 'podIP')),
      orNone(str(pod, 'spec', 'nodeName')),
      orNone(str(pod, 'status', 'nominatedNodeName')),
      gates.length === 0 ? '<none>' : `${trueGates}/${gates.length}`,
    ];
  },
};

// ---- workloads --------------------------------------------------------------------------------

const template = (o: JsonObject): JsonValue | undefined => at(o, 'spec', 'template', 'spec');

const deployments: KindPrinter = {
  columns: [...cols('NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'), ...wide('CONTAINERS', 'IMAGES', 'SELECTOR')],
  row: (o, now) => [
    name(o),
    `${intText(o, 'status', 'readyReplicas')}/${intText(o, 'spec', 'replicas')}`,
    intText(o, 'status', 'updatedReplicas'),
    intText(o, 'status', 'availableReplicas'),
    age(o, now),
    ...containerCells(template(o)),
    labelSelectorText(at(o, 'spec', 'selector')),
  ],
};

const replicaSets: KindPrinter = {
  columns: [...cols('NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'), ...wide('CONTAINERS', 'IMAGES', 'SELECTOR')],
  row: (o, now) => [
    name(o),
    intText(o, 'spec', 'replicas'),
    intText(o, 'status', 'replicas'),
    intText(o, 'status', 'readyReplicas'),
    age(o, now),
    ...containerCells(template(o)),
    labelSelectorText(at(o, 'spec', 'selector')),
  ],
};

const replicationControllers: KindPrinter = {
  columns: replicaSets.columns,
  row: (o, now) => [
    name(o),
    intText(o, 'spec', 'replicas'),
    intText(o, 'status', 'replicas'),
    intText(o, 'status', 'readyReplicas'),
    age(o, now),
    ...containerCells(template(o)),
    stringMap(o, 'spec', 'selector')
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  ],
};

const statefulSets: KindPrinter = {
  columns: [...cols('NAME', 'READY', 'AGE'), ...wide('CONTAINERS', 'IMAGES')],
  row: (o, now) => [name(o), `${intText(o, 'status', 'readyReplicas')}/${intText(o, 'spec', 'replicas')}`, age(o, now), ...containerCells(template(o))],
};

const daemonSets: KindPrinter = {
  columns: [...cols('NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'), ...wide('CONTAINERS', 'IMAGES', 'SELECTOR')],
  row: (o, now) => [
    name(o),
    intText(o, 'status', 'desiredNumberScheduled'),
    intText(o, 'status', 'currentNumberScheduled'),
    intText(o, 'status', 'numberReady'),
    intText(o, 'status', 'updatedNumberScheduled'),
    intText(o, 'status', 'numberAvailable'),
    formatLabels(template(o), 'nodeSelector'),
    age(o, now),
    ...containerCells(template(o)),
    labelSelectorText(at(o, 'spec', 'selector')),
  ],
};

/** A job's STATUS column: its deciding condition. */
export function jobStatus(job: JsonObject): string {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (deleting(job)) return 'Terminating';
  if (conditionTrue(job, 'Suspended')) return 'Suspended';
  if (conditionTrue(job, 'FailureTarget')) return 'FailureTarget';
  if (conditionTrue(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

const jobs: KindPrinter = {
  columns: [...cols('NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'), ...wide('CONTAINERS', 'IMAGES', 'SELECTOR')],
  row(o, now) {
    const succeeded = intText(o, 'status', 'succeeded');
    const parallelism = num(o, 'spec', 'parallelism');
    const completions = at(o, 'spec', 'completions') !== undefined ? `${succeeded}/${intText(o, 'spec', 'completions')}` : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    const start = Date.parse(str(o, 'status', 'startTime'));
    const end = Date.parse(str(o, 'status', 'completionTime'));
    const duration = Number.isNaN(start) ? '' : humanDuration((Number.isNaN(end) ? now : end) - start);
    return [name(o), jobStatus(o), completions, duration, age(o, now), ...containerCells(template(o)), labelSelectorText(at(o, 'spec', 'selector'))];
  },
};

const cronJobs: KindPrinter = {
  columns: [...cols('NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'), ...wide('CONTAINERS', 'IMAGES', 'SELECTOR')],
  row(o, now) {
    const last = at(o, 'status', 'lastScheduleTime');
    return [
      name(o),
      str(o, 'spec', 'schedule'),
      orNone(str(o, 'spec', 'timeZone')),
      printBoolPtr(bool(o, 'spec', 'suspend')),
      String(arr(o, 'status', 'active').length),
      last === undefined ? '<none>' : ageSince(last, now),
      age(o, now),
      ...containerCells(at(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec')),
      formatLabelSelector(at(o, 'spec', 'jobTemplate', 'spec', 'selector')),
    ];
  },
};

// ---- services and networking ------------------------------------------------------------------

/** Load-balancer ingress points, cut to 16 characters (13 and ...) unless wide, as kubectl does. */
function loadBalancerText(status: JsonValue | undefined, wideOutput: boolean): string {
  const points = arr(status, 'ingress')
    .flatMap((i) => [str(i, 'ip'), str(i, 'hostname')])
    .filter((s) => s !== '');
  const text = points.join(',');
  return !wideOutput && text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

function serviceExternalIp(svc: JsonObject, wideOutput: boolean): string {
  const externalIps = arr(svc, 'spec', 'externalIPs').map((v) => String(v));
  switch (str(svc, 'spec', 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIps.length > 0 ? externalIps.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerText(at(svc, 'status', 'loadBalancer'), wideOutput);
      if (externalIps.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIps].join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return str(svc, 'spec', 'externalName');
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: JsonObject): string {
  const ports = arr(svc, 'spec', 'ports').map((p) => {
    const nodePort = num(p, 'nodePort');
    const protocol = str(p, 'protocol');
    return nodePort > 0 ? `${intText(p, 'port')}:${nodePort}/${protocol}` : `${intText(p, 'port')}/${protocol}`;
  });
  return ports.length === 0 ? '<none>' : ports.join(',');
}

/** Services: the EXTERNAL-IP cell is cut unless wide, so the row depends on the width. */
export function serviceRow(svc: JsonObject, now: number, wideOutput: boolean): string[] {
  return [name(svc), str(svc, 'spec', 'type'), orNone(str(svc, 'spec', 'clusterIP')), serviceExternalIp(svc, wideOutput), servicePorts(svc), age(svc, now), formatLabels(svc, 'spec', 'selector')];
}

const services: KindPrinter = {
  columns: [...cols('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'), ...wide('SELECTOR')],
  row: serviceRow,
};

const ingresses: KindPrinter = {
  columns: cols('NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'),
  row(o, now) {
    const rules = arr(o, 'spec', 'rules');
    const hosts: string[] = [];
    let more = false;
    for (const rule of rules) {
      if (hosts.length === 3) more = true;
      if (!more && str(rule, 'host') !== '') hosts.push(str(rule, 'host'));
    }
    const hostText = hosts.length === 0 ? '*' : more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
    return [name(o), orNone(str(o, 'spec', 'ingressClassName')), hostText, loadBalancerText(at(o, 'status', 'loadBalancer'), false), arr(o, 'spec', 'tls').length > 0 ? '80, 443' : '80', age(o, now)];
  },
};

/** Endpoints as kubectl lists them: ip:port, at most three, then "+ N more...". */
function endpointsText(o: JsonObject): string {
  const subsets = arr(o, 'subsets');
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses = arr(subset, 'addresses').map((a) => str(a, 'ip'));
    const ports = arr(subset, 'ports');
    const portTexts = ports.length === 0 ? [undefined] : ports.map((p) => intText(p, 'port'));
    for (const port of portTexts) {
      count += addresses.length;
      for (const ip of addresses) {
        if (list.length === 3) {
          more = true;
          break;
        }
        list.push(port === undefined ? ip : joinHostPort(ip, port));
      }
    }
  }
  return more ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

const endpoints: KindPrinter = { columns: cols('NAME', 'ENDPOINTS', 'AGE'), row: (o, now) => [name(o), endpointsText(o), age(o, now)] };

const endpointSlices: KindPrinter = {
  columns: cols('NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'),
  row(o, now) {
    const ports = arr(o, 'ports').map((p) => (at(p, 'port') === undefined ? '<unset>' : intText(p, 'port')));
    const addresses = arr(o, 'endpoints').flatMap((e) => arr(e, 'addresses').map((a) => String(a)));
    const portText = ports.length === 0 ? '<unset>' : ports.length > 3 ? `${ports.slice(0, 3).join(',')} + ${ports.length - 3} more...` : ports.join(',');
    const addressText = addresses.length === 0 ? '<unset>' : addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
    return [name(o), str(o, 'addressType'), portText, addressText, age(o, now)];
  },
};

const networkPolicies: KindPrinter = {
  columns: cols('NAME', 'POD-SELECTOR', 'AGE'),
  row: (o, now) => [name(o), labelSelectorText(at(o, 'spec', 'podSelector')), age(o, now)],
};

const ingressClasses: KindPrinter = {
  columns: cols('NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'),
  row(o, now) {
    const p = at(o, 'spec', 'parameters');
    const params = p === undefined ? '<none>' : `${str(p, 'kind')}${str(p, 'apiGroup') === '' ? '' : `.${str(p, 'apiGroup')}`}/${str(p, 'name')}`;
    return [name(o), str(o, 'spec', 'controller'), params, age(o, now)];
  },
};

// ---- cluster ----------------------------------------------------------------------------------

function nodeRoles(node: JsonObject): string {
  const roles = new Set<string>();
  for (const [k, v] of stringMap(node, 'metadata', 'labels')) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return orNone([...roles].sort().join(','));
}

function nodeAddress(node: JsonObject, type: string): string {
  return orNone(
    str(
      arr(node, 'status', 'addresses').find((a) => str(a, 'type') === type),
      'address',
    ),
  );
}

const nodes: KindPrinter = {
  columns: [...cols('NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'), ...wide('INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME')],
  row(o, now) {
    const ready = condition(o, 'Ready');
    const status = [ready === undefined ? 'Unknown' : str(ready, 'status') === 'True' ? 'Ready' : 'NotReady'];
    if (bool(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
    const info = obj(o, 'status', 'nodeInfo');
    const unknown = (s: string) => (s === '' ? '<unknown>' : s);
    return [
      name(o),
      status.join(','),
      nodeRoles(o),
      age(o, now),
      str(info, 'kubeletVersion'),
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      unknown(str(info, 'osImage')),
      unknown(str(info, 'kernelVersion')),
      unknown(str(info, 'containerRuntimeVersion')),
    ];
  },
};

const namespaces: KindPrinter = { columns: cols('NAME', 'STATUS', 'AGE'), row: (o, now) => [name(o), str(o, 'status', 'phase'), age(o, now)] };

/** Core v1 events: LAST SEEN is the last timestamp, else the series' or the first one. */
const events: KindPrinter = {
  columns: [
    { header: 'LAST SEEN' },
    { header: 'TYPE' },
    { header: 'REASON' },
    { header: 'OBJECT' },
    ...wide('SUBOBJECT', 'SOURCE'),
    { header: 'MESSAGE' },
    ...wide('FIRST SEEN', 'COUNT'),
    { header: 'NAME', wide: true, name: true },
  ],
  row(o, now) {
    const first = at(o, 'firstTimestamp') !== undefined ? ageSince(at(o, 'firstTimestamp'), now) : ageSince(at(o, 'eventTime'), now);
    let last = at(o, 'lastTimestamp') !== undefined ? ageSince(at(o, 'lastTimestamp'), now) : first;
    let count = num(o, 'count');
    if (at(o, 'series') !== undefined) {
      last = ageSince(at(o, 'series', 'lastObservedTime'), now);
      count = num(o, 'series', 'count');
    } else if (count === 0) count = 1;
    const involvedKind = str(o, 'involvedObject', 'kind').toLowerCase();
    const involvedName = str(o, 'involvedObject', 'name');
    const component = str(o, 'source', 'component') || str(o, 'reportingComponent');
    const host = str(o, 'source', 'host') || str(o, 'reportingInstance');
    return [
      last,
      str(o, 'type'),
      str(o, 'reason'),
      involvedName === '' ? involvedKind : `${involvedKind}/${involvedName}`,
      str(o, 'involvedObject', 'fieldPath'),
      host === '' ? component : `${component}, ${host}`,
      str(o, 'message').trim(),
      first,
      String(count),
      name(o),
    ];
  },
};

const configMaps: KindPrinter = {
  columns: cols('NAME', 'DATA', 'AGE'),
  row: (o, now) => [name(o), String(Object.keys(obj(o, 'data')).length + Object.keys(obj(o, 'binaryData')).length), age(o, now)],
};

const secrets: KindPrinter = {
  columns: cols('NAME', 'TYPE', 'DATA', 'AGE'),
  row: (o, now) => [name(o), str(o, 'type'), String(Object.keys(obj(o, 'data')).length), age(o, now)],
};

const serviceAccounts: KindPrinter = { columns: cols('NAME', 'SECRETS', 'AGE'), row: (o, now) => [name(o), String(arr(o, 'secrets').length), age(o, now)] };

const leases: KindPrinter = { columns: cols('NAME', 'HOLDER', 'AGE'), row: (o, now) => [name(o), str(o, 'spec', 'holderIdentity'), age(o, now)] };

// ---- storage ----------------------------------------------------------------------------------

function accessModes(modes: JsonValue[]): string {
  const given = new Set(modes.map((m) => String(m)));
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short
    .filter(([mode]) => given.has(mode))
    .map(([, s]) => s)
    .join(',');
}

const quantity = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : v === undefined ? '0' : String(v));

const persistentVolumes: KindPrinter = {
  columns: [...cols('NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'), ...wide('VOLUMEMODE')],
  row(o, now) {
    const claim = at(o, 'spec', 'claimRef');
    return [
      name(o),
      quantity(at(o, 'spec', 'capacity', 'storage')),
      accessModes(arr(o, 'spec', 'accessModes')),
      str(o, 'spec', 'persistentVolumeReclaimPolicy'),
      deleting(o) ? 'Terminating' : str(o, 'status', 'phase'),
      claim === undefined ? '' : `${str(claim, 'namespace')}/${str(claim, 'name')}`,
      str(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class') || str(o, 'spec', 'storageClassName'),
      str(o, 'spec', 'volumeAttributesClassName') || '<unset>',
      str(o, 'status', 'reason'),
      age(o, now),
      str(o, 'spec', 'volumeMode') || '<unset>',
    ];
  },
};

const persistentVolumeClaims: KindPrinter = {
  columns: [...cols('NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'), ...wide('VOLUMEMODE')],
  row(o, now) {
    const bound = str(o, 'spec', 'volumeName') !== '';
    return [
      name(o),
      deleting(o) ? 'Terminating' : str(o, 'status', 'phase'),
      str(o, 'spec', 'volumeName'),
      bound ? quantity(at(o, 'status', 'capacity', 'storage')) : '',
      bound ? accessModes(arr(o, 'status', 'accessModes')) : '',
      str(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class') || str(o, 'spec', 'storageClassName'),
      str(o, 'spec', 'volumeAttributesClassName') || '<unset>',
      age(o, now),
      str(o, 'spec', 'volumeMode') || '<unset>',
    ];
  },
};

const storageClasses: KindPrinter = {
  columns: cols('NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'),
  row(o, now) {
    const annotations = obj(o, 'metadata', 'annotations');
    const isDefault = annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${name(o)} (default)` : name(o),
      str(o, 'provisioner'),
      str(o, 'reclaimPolicy') || 'Delete',
      str(o, 'volumeBindingMode') || 'Immediate',
      String(bool(o, 'allowVolumeExpansion') === true),
      age(o, now),
    ];
  },
};

// ---- RBAC, policy, scheduling -----------------------------------------------------------------

function subjects(o: JsonObject, kind: string): string {
  return arr(o, 'subjects')
    .filter((s) => str(s, 'kind') === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s, 'namespace')}/${str(s, 'name')}` : str(s, 'name')))
    .join(', ');
}

const roleBindings: KindPrinter = {
  columns: [...cols('NAME', 'ROLE', 'AGE'), ...wide('USERS', 'GROUPS', 'SERVICEACCOUNTS')],
  row: (o, now) => [name(o), `${str(o, 'roleRef', 'kind')}/${str(o, 'roleRef', 'name')}`, age(o, now), subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')],
};

const intOrString = (v: JsonValue | undefined): string => (v === undefined ? 'N/A' : typeof v === 'string' ? v : intText(v));

const podDisruptionBudgets: KindPrinter = {
  columns: cols('NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'),
  row: (o, now) => [name(o), intOrString(at(o, 'spec', 'minAvailable')), intOrString(at(o, 'spec', 'maxUnavailable')), intText(o, 'status', 'disruptionsAllowed'), age(o, now)],
};

const priorityClasses: KindPrinter = {
  columns: cols('NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'),
  row: (o, now) => [name(o), intText(o, 'value'), String(bool(o, 'globalDefault') === true), age(o, now), str(o, 'preemptionPolicy')],
};

const controllerRevisions: KindPrinter = {
  columns: cols('NAME', 'CONTROLLER', 'REVISION', 'AGE'),
  row(o, now) {
    const owner = arr(o, 'metadata', 'ownerReferences').find((r) => bool(r, 'controller') === true);
    const controller = owner === undefined ? '<none>' : `${str(owner, 'kind').toLowerCase()}.${str(owner, 'apiVersion').split('/')[0]}/${str(owner, 'name')}`;
    return [name(o), controller, intText(o, 'revision'), age(o, now)];
  },
};

const resourceQuotas: KindPrinter = {
  columns: [...cols('NAME', 'AGE', 'REQUEST', 'LIMIT')],
  row(o, now) {
    const hard = stringMap(o, 'status', 'hard');
    const used = obj(o, 'status', 'used');
    const cell = (limits: boolean) =>
      hard
        .filter(([k]) => k.startsWith('limits.') === limits)
        .map(([k, v]) => `${k}: ${quantity(used[k])}/${v}`)
        .join(', ');
    return [name(o), age(o, now), cell(false), cell(true)];
  },
};

const runtimeClasses: KindPrinter = { columns: cols('NAME', 'HANDLER', 'AGE'), row: (o, now) => [name(o), str(o, 'handler'), age(o, now)] };

const webhookConfigurations: KindPrinter = { columns: cols('NAME', 'WEBHOOKS', 'AGE'), row: (o, now) => [name(o), String(arr(o, 'webhooks').length), age(o, now)] };

const podTemplates: KindPrinter = {
  columns: cols('NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'),
  row: (o) => [name(o), ...containerCells(at(o, 'template', 'spec')), formatLabels(o, 'template', 'metadata', 'labels')],
};

const apiServices: KindPrinter = {
  columns: cols('NAME', 'SERVICE', 'AVAILABLE', 'AGE'),
  row(o, now) {
    const service = at(o, 'spec', 'service');
    const available = condition(o, 'Available');
    const status = str(available, 'status');
    const availability = available === undefined ? 'Unknown' : status !== 'True' && str(available, 'reason') !== '' ? `${status} (${str(available, 'reason')})` : status;
    return [name(o), service === undefined ? 'Local' : `${str(service, 'namespace')}/${str(service, 'name')}`, availability, age(o, now)];
  },
};

const volumeAttachments: KindPrinter = {
  columns: cols('NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE'),
  row: (o, now) => [name(o), str(o, 'spec', 'attacher'), str(o, 'spec', 'source', 'persistentVolumeName'), str(o, 'spec', 'nodeName'), String(bool(o, 'status', 'attached') === true), age(o, now)],
};

/** A CSR's CONDITION: Denied, else Approved, else Pending; then ,Failed and ,Issued. */
function csrCondition(o: JsonObject): string {
  const types = new Set(arr(o, 'status', 'conditions').map((c) => str(c, 'type')));
  let text = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) text += ',Failed';
  if (str(o, 'status', 'certificate') !== '') text += ',Issued';
  return text;
}

const certificateSigningRequests: KindPrinter = {
  columns: cols('NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'),
  row: (o, now) => [
    name(o),
    age(o, now),
    str(o, 'spec', 'signerName'),
    str(o, 'spec', 'username'),
    at(o, 'spec', 'expirationSeconds') === undefined ? '<none>' : humanDuration(num(o, 'spec', 'expirationSeconds') * 1000),
    csrCondition(o),
  ],
};

const csiNodes: KindPrinter = { columns: cols('NAME', 'DRIVERS', 'AGE'), row: (o, now) => [name(o), String(arr(o, 'spec', 'drivers').length), age(o, now)] };

/** Printers by "group/Kind" of the object as stored (core group: "/Kind"). */
export const BUILTIN_PRINTERS: ReadonlyMap<string, KindPrinter> = new Map<string, KindPrinter>([
  ['/Pod', pods],
  ['/Service', services],
  ['/Endpoints', endpoints],
  ['/Node', nodes],
  ['/Namespace', namespaces],
  ['/Event', events],
  ['/ConfigMap', configMaps],
  ['/Secret', secrets],
  ['/ServiceAccount', serviceAccounts],
  ['/PersistentVolume', persistentVolumes],
  ['/PersistentVolumeClaim', persistentVolumeClaims],
  ['/ReplicationController', replicationControllers],
  ['/ResourceQuota', resourceQuotas],
  ['/PodTemplate', podTemplates],
  ['/LimitRange', CREATED_AT_PRINTER],
  ['apiregistration.k8s.io/APIService', apiServices],
  ['storage.k8s.io/VolumeAttachment', volumeAttachments],
  ['storage.k8s.io/CSINode', csiNodes],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequests],
  ['apps/Deployment', deployments],
  ['apps/ReplicaSet', replicaSets],
  ['apps/StatefulSet', statefulSets],
  ['apps/DaemonSet', daemonSets],
  ['apps/ControllerRevision', controllerRevisions],
  ['batch/Job', jobs],
  ['batch/CronJob', cronJobs],
  ['networking.k8s.io/Ingress', ingresses],
  ['networking.k8s.io/IngressClass', ingressClasses],
  ['networking.k8s.io/NetworkPolicy', networkPolicies],
  ['discovery.k8s.io/EndpointSlice', endpointSlices],
  ['coordination.k8s.io/Lease', leases],
  ['storage.k8s.io/StorageClass', storageClasses],
  ['rbac.authorization.k8s.io/Role', CREATED_AT_PRINTER],
  ['rbac.authorization.k8s.io/ClusterRole', CREATED_AT_PRINTER],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindings],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', roleBindings],
  ['policy/PodDisruptionBudget', podDisruptionBudgets],
  ['scheduling.k8s.io/PriorityClass', priorityClasses],
  ['node.k8s.io/RuntimeClass', runtimeClasses],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', webhookConfigurations],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', webhookConfigurations],
  ['apiextensions.k8s.io/CustomResourceDefinition', CREATED_AT_PRINTER],
]);

/** Groups a kind was stored under before it moved (an old cluster's keys may still hold them). */
export const FORMER_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['extensions', ['apps', 'networking.k8s.io', 'policy']],
  ['events.k8s.io', ['']],
]);
