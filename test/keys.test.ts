import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { KregError, UsageError } from '../src/errors.js';
import { FIXTURES_DIR, requireSharedFixtures } from './support/shared-data.js';
import {
  BUILTIN_RESOURCES,
  COHABITING_LEGACY_KINDS,
  KeyLayoutError,
  NotStoredResourceError,
  RETIRED_RESOURCES,
  SPECIAL_KEYS,
  UNSTORED_KINDS,
  UnknownResourceError,
  apiPathOf,
  builtinRegistry,
  compareKubeAwareVersions,
  createResourceRegistry,
  customResourceFromDefinition,
  describeKey,
  keyFor,
  learnFromStoredObjects,
  normalizePrefix,
  parseKey,
  parseRestPath,
  resolveResource,
  resolveResourceCandidates,
  resourcesInCategory,
  restPathForKey,
  type BuiltinResource,
  type ObjectKey,
  type ParsedKey,
} from '../src/keys/index.js';

const fixturesRoot = FIXTURES_DIR;

function expectObject(parsed: ParsedKey): ObjectKey {
  assert.equal(parsed.type, 'object', `expected an object key, got ${parsed.type}`);
  return parsed as ObjectKey;
}

function qualified(row: BuiltinResource): string {
  return row.group === '' ? row.resource : `${row.resource}.${row.group}`;
}

/** Asserts fn throws an error of the class, with the code, and returns it. */
function throwsTyped<T extends KregError>(fn: () => unknown, errorClass: new (...args: never[]) => T, code: string): T {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    assert.ok(error instanceof UsageError || !(errorClass.prototype instanceof UsageError));
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${errorClass.name} (${code})`);
}

describe('keys: built-in resource table', () => {
  it('has one row per group/resource and a storage version among (or beside) the served versions', () => {
    const seen = new Set<string>();
    for (const row of [...BUILTIN_RESOURCES, ...RETIRED_RESOURCES]) {
      const id = `${row.group}/${row.resource}`;
      assert.ok(!seen.has(id), `duplicate row ${id}`);
      seen.add(id);
      assert.ok(row.versions.length > 0, `${id} serves no version`);
      assert.equal(row.singular, row.kind.toLowerCase(), `${id} singular`);
      assert.ok(!row.storagePath.startsWith('/') && !row.storagePath.endsWith('/'), `${id} storage path`);
    }
    // Two live resources may share a storage path only when one is declared as stored with the other.
    const owners = new Map<string, string>();
    for (const row of BUILTIN_RESOURCES.filter((r) => r.storedAs === undefined)) {
      assert.ok(!owners.has(row.storagePath), `${row.storagePath} owned twice`);
      owners.set(row.storagePath, `${row.group}/${row.resource}`);
    }
    for (const row of BUILTIN_RESOURCES.filter((r) => r.storedAs !== undefined)) {
      const target = row.storedAs;
      assert.equal(owners.get(row.storagePath), `${target?.group}/${target?.resource}`);
    }
  });

  for (const row of BUILTIN_RESOURCES) {
    it(`round-trips ${qualified(row)} (key → identity → key)`, () => {
      const name = `example-${row.resource}`;
      const target = row.namespaced ? { namespace: 'team-a', name } : { name };
      const key = keyFor({ resource: row.resource, group: row.group, ...target });
      assert.equal(key, `/registry/${row.storagePath}/${row.namespaced ? 'team-a/' : ''}${name}`);

      const parsed = expectObject(parseKey(key));
      const owner = row.storedAs ?? row;
      assert.equal(parsed.group, owner.group);
      assert.equal(parsed.resource, owner.resource);
      assert.equal(parsed.namespaced, row.namespaced);
      assert.equal(parsed.scope, row.namespaced ? 'Namespaced' : 'Cluster');
      assert.equal(parsed.namespace, row.namespaced ? 'team-a' : undefined);
      assert.equal(parsed.name, name);
      if (row.storedAs === undefined) {
        assert.equal(parsed.kind, row.kind);
        assert.equal(parsed.version, row.storageVersion);
      }
      assert.equal(keyFor({ resource: parsed.resource, group: parsed.group, ...target }), key);
      assert.equal(keyFor({ kind: parsed.kind, group: parsed.group, ...target }), key);

      // The same under another --etcd-prefix, and as a listing prefix.
      const custom = keyFor({ resource: qualified(row), ...target }, { prefix: 'custom/' });
      assert.equal(custom, `/custom/${row.storagePath}/${row.namespaced ? 'team-a/' : ''}${name}`);
      assert.equal(expectObject(parseKey(custom, { prefix: '/custom' })).name, name);
      const listing = parseKey(`/registry/${row.storagePath}/`);
      assert.equal(listing.type, 'listing');
    });
  }
});

describe('keys: storage layout quirks and storage versions', () => {
  // [resource argument, key of an object, expected storage apiVersion] — from kube-apiserver v1.36.
  const cases: [string, string, string][] = [
    ['services', '/registry/services/specs/default/kubernetes', 'v1'],
    ['endpoints', '/registry/services/endpoints/default/kubernetes', 'v1'],
    ['nodes', '/registry/minions/node-1', 'v1'],
    ['replicationcontrollers', '/registry/controllers/default/rc1', 'v1'],
    ['ingresses.networking.k8s.io', '/registry/ingress/default/web', 'networking.k8s.io/v1'],
    ['deployments', '/registry/deployments/default/web', 'apps/v1'],
    ['horizontalpodautoscalers', '/registry/horizontalpodautoscalers/default/web', 'autoscaling/v2'],
    ['events', '/registry/events/default/web.17a', 'v1'],
    ['leases', '/registry/leases/kube-node-lease/node-1', 'coordination.k8s.io/v1'],
    ['apiservices', '/registry/apiregistration.k8s.io/apiservices/v1.apps', 'apiregistration.k8s.io/v1'],
    ['customresourcedefinitions', '/registry/apiextensions.k8s.io/customresourcedefinitions/foos.cr.bar.com', 'apiextensions.k8s.io/v1beta1'],
    ['storageversionmigrations', '/registry/storageversionmigrations/m1', 'storagemigration.k8s.io/v1beta1'],
    ['ipaddresses', '/registry/ipaddresses/10.96.0.1', 'networking.k8s.io/v1'],
    ['servicecidrs', '/registry/servicecidrs/kubernetes', 'networking.k8s.io/v1'],
    ['resourceclaims', '/registry/resourceclaims/default/claim', 'resource.k8s.io/v1'],
    ['resourceslices', '/registry/resourceslices/node-1-gpu', 'resource.k8s.io/v1'],
    ['deviceclasses', '/registry/deviceclasses/gpu', 'resource.k8s.io/v1'],
    ['devicetaintrules', '/registry/devicetaintrules/t1', 'resource.k8s.io/v1alpha3'],
    ['resourcepoolstatusrequests', '/registry/resourcepoolstatusrequests/r1', 'resource.k8s.io/v1alpha3'],
    ['flowschemas', '/registry/flowschemas/exempt', 'flowcontrol.apiserver.k8s.io/v1'],
    ['prioritylevelconfigurations', '/registry/prioritylevelconfigurations/exempt', 'flowcontrol.apiserver.k8s.io/v1'],
    ['validatingadmissionpolicies', '/registry/validatingadmissionpolicies/p1', 'admissionregistration.k8s.io/v1'],
    ['mutatingadmissionpolicies', '/registry/mutatingadmissionpolicies/p1', 'admissionregistration.k8s.io/v1beta1'],
    ['mutatingwebhookconfigurations', '/registry/mutatingwebhookconfigurations/hook', 'admissionregistration.k8s.io/v1'],
    ['clusterroles', '/registry/clusterroles/admin', 'rbac.authorization.k8s.io/v1'],
    ['csidrivers', '/registry/csidrivers/ebs.csi.aws.com', 'storage.k8s.io/v1'],
    ['volumeattachments', '/registry/volumeattachments/csi-123', 'storage.k8s.io/v1'],
    ['volumeattributesclasses', '/registry/volumeattributesclasses/gold', 'storage.k8s.io/v1'],
    ['priorityclasses', '/registry/priorityclasses/system-node-critical', 'scheduling.k8s.io/v1'],
    ['runtimeclasses', '/registry/runtimeclasses/gvisor', 'node.k8s.io/v1'],
    ['podgroups', '/registry/podgroups/default/pg1', 'scheduling.k8s.io/v1alpha2'],
    ['workloads', '/registry/workloads/default/w1', 'scheduling.k8s.io/v1alpha2'],
    ['leasecandidates', '/registry/leasecandidates/kube-system/kcm-1', 'coordination.k8s.io/v1beta1'],
    ['clustertrustbundles', '/registry/clustertrustbundles/example.com:signer:abc', 'certificates.k8s.io/v1beta1'],
    ['podcertificaterequests', '/registry/podcertificaterequests/default/req-1', 'certificates.k8s.io/v1beta1'],
    ['storageversions', '/registry/storageversions/apps.deployments', 'internal.apiserver.k8s.io/v1alpha1'],
  ];
  for (const [argument, key, apiVersion] of cases) {
    it(`${argument} ⇄ ${key} (${apiVersion})`, () => {
      const parsed = expectObject(parseKey(key));
      const entry = resolveResource(argument);
      assert.equal(parsed.entry, entry);
      assert.equal(parsed.group === '' ? parsed.version : `${parsed.group}/${parsed.version}`, apiVersion);
      const where = parsed.namespace === undefined ? { name: parsed.name } : { namespace: parsed.namespace, name: parsed.name };
      assert.equal(keyFor({ resource: argument, ...where }), key);
    });
  }

  it('keeps events.k8s.io Events under the core events path, as core/v1 Events', () => {
    const key = keyFor({ resource: 'events.events.k8s.io', namespace: 'default', name: 'e1' });
    assert.equal(key, '/registry/events/default/e1');
    const parsed = expectObject(parseKey(key));
    assert.equal(parsed.group, '');
    assert.equal(parsed.kind, 'Event');
    assert.equal(parsed.special?.rule.id, 'event');
  });

  it('explains keys left by retired resources', () => {
    const parsed = expectObject(parseKey('/registry/podsecuritypolicy/restricted'));
    assert.equal(parsed.origin, 'retired');
    assert.equal(parsed.kind, 'PodSecurityPolicy');
    assert.match(describeKey(parsed), /no longer served since 1\.25/);
    assert.equal(resolveResource('psp').resource, 'podsecuritypolicies');
    assert.equal(createResourceRegistry({ includeRetired: false }).byStoragePath.has('podsecuritypolicy'), false);
  });

  it('records the legacy kinds that cohabit with live resources', () => {
    for (const legacy of COHABITING_LEGACY_KINDS) {
      const owner = [...BUILTIN_RESOURCES, ...RETIRED_RESOURCES].find((row) => row.group === legacy.storedWith.group && row.resource === legacy.storedWith.resource);
      assert.ok(owner, `${legacy.group} ${legacy.kind} cohabits with an unknown resource`);
      assert.equal(owner.kind, legacy.kind);
    }
  });
});

describe('keys: listings and layout errors', () => {
  const listings: [string, string, string | undefined][] = [
    ['/registry/pods/', 'pods', undefined],
    ['/registry/pods', 'pods', undefined],
    ['/registry/pods/kube-system/', 'pods', 'kube-system'],
    ['/registry/pods/kube-system', 'pods', 'kube-system'],
    ['/registry/services/specs/', 'services', undefined],
    ['/registry/minions/', 'nodes', undefined],
  ];
  for (const [key, resource, namespace] of listings) {
    it(`${key} is a listing of ${resource}${namespace === undefined ? '' : ` in ${namespace}`}`, () => {
      const parsed = parseKey(key);
      assert.equal(parsed.type, 'listing');
      if (parsed.type !== 'listing') return;
      assert.equal(parsed.resource, resource);
      assert.equal(parsed.namespace, namespace);
    });
  }

  it('builds listing prefixes with a trailing slash', () => {
    assert.equal(keyFor({ resource: 'svc' }), '/registry/services/specs/');
    assert.equal(keyFor({ resource: 'po', namespace: 'default' }), '/registry/pods/default/');
    assert.equal(keyFor({ resource: 'no' }), '/registry/minions/');
  });

  it('normalizes --etcd-prefix spellings', () => {
    assert.equal(normalizePrefix(), '/registry');
    assert.equal(normalizePrefix('registry'), '/registry');
    assert.equal(normalizePrefix('/registry/'), '/registry');
    assert.equal(normalizePrefix('/'), '');
    assert.equal(keyFor({ resource: 'ns', name: 'default' }, { prefix: '/' }), '/namespaces/default');
    assert.equal(expectObject(parseKey('/namespaces/default', { prefix: '' })).name, 'default');
  });

  const bad: [string, string][] = [
    ['/other/pods/default/x', 'outside-prefix'],
    ['/registry/pods/default/x/extra', 'bad-key'],
    ['/registry/namespaces/default/extra', 'bad-key'],
    ['/registry/pods//x', 'bad-key'],
    ['/registry/pods/default/x/', 'bad-key'],
    ['/registry/', 'bad-key'],
  ];
  for (const [key, code] of bad) {
    it(`rejects ${key} (${code})`, () => {
      const error = throwsTyped(() => parseKey(key), KeyLayoutError, code);
      assert.equal(error.subject.key, key);
    });
  }

  it('rejects key targets that do not fit the scope', () => {
    throwsTyped(() => keyFor({ resource: 'nodes', namespace: 'default', name: 'n1' }), KeyLayoutError, 'not-namespaced');
    throwsTyped(() => keyFor({ resource: 'pods', name: 'x' }), KeyLayoutError, 'namespace-required');
    throwsTyped(() => keyFor({ resource: 'pods', namespace: 'a/b', name: 'x' }), KeyLayoutError, 'bad-name');
    throwsTyped(() => keyFor({}), UsageError, 'empty-resource');
  });

  it('gives a typed error for an unknown resource', () => {
    const fromKey = throwsTyped(() => parseKey('/registry/widgets/default/w1'), UnknownResourceError, 'unknown-resource');
    assert.equal(fromKey.subject.key, '/registry/widgets/default/w1');
    const fromGroup = throwsTyped(() => parseKey('/registry/cr.example.com/widgets/default/w1'), UnknownResourceError, 'unknown-resource');
    assert.match(fromGroup.message, /CustomResourceDefinition/);
    throwsTyped(() => resolveResource('widgets'), UnknownResourceError, 'unknown-resource');
    throwsTyped(() => keyFor({ resource: 'widgets', name: 'w' }), UnknownResourceError, 'unknown-resource');
    assert.ok(new UnknownResourceError('unknown-resource', 'x') instanceof UsageError);
  });
});

describe('keys: kubectl-style resource arguments', () => {
  // [argument, expected group/resource]
  const cases: [string, string][] = [
    ['po', '/pods'],
    ['pod', '/pods'],
    ['pods', '/pods'],
    ['Pod', '/pods'],
    ['PODS', '/pods'],
    ['deploy', 'apps/deployments'],
    ['deployment', 'apps/deployments'],
    ['Deployment', 'apps/deployments'],
    ['deployments.apps', 'apps/deployments'],
    ['deployments.v1.apps', 'apps/deployments'],
    ['deploy.apps', 'apps/deployments'],
    ['Deployment.v1.apps', 'apps/deployments'],
    ['svc', '/services'],
    ['cm', '/configmaps'],
    ['ns', '/namespaces'],
    ['no', '/nodes'],
    ['ep', '/endpoints'],
    ['crd', 'apiextensions.k8s.io/customresourcedefinitions'],
    ['crds', 'apiextensions.k8s.io/customresourcedefinitions'],
    ['hpa', 'autoscaling/horizontalpodautoscalers'],
    ['horizontalpodautoscalers.v1.autoscaling', 'autoscaling/horizontalpodautoscalers'],
    ['ing', 'networking.k8s.io/ingresses'],
    ['netpol', 'networking.k8s.io/networkpolicies'],
    ['pdb', 'policy/poddisruptionbudgets'],
    ['pc', 'scheduling.k8s.io/priorityclasses'],
    ['sc', 'storage.k8s.io/storageclasses'],
    ['storageclasses.storage', 'storage.k8s.io/storageclasses'],
    ['vac', 'storage.k8s.io/volumeattributesclasses'],
    ['ip', 'networking.k8s.io/ipaddresses'],
    ['ev', '/events'],
    ['events', '/events'],
    ['events.events.k8s.io', 'events.k8s.io/events'],
    ['events.v1.events.k8s.io', 'events.k8s.io/events'],
    ['services.core', '/services'],
    ['csr', 'certificates.k8s.io/certificatesigningrequests'],
  ];
  for (const [argument, expected] of cases) {
    it(`${argument} → ${expected}`, () => {
      const entry = resolveResource(argument);
      assert.equal(`${entry.group}/${entry.resource}`, expected);
    });
  }

  it('prefers the core group when a name is ambiguous, and lists the alternatives', () => {
    const candidates = resolveResourceCandidates('ev');
    assert.deepEqual(
      candidates.map((entry) => entry.group),
      ['', 'events.k8s.io'],
    );
  });

  it('refuses a version the group does not serve', () => {
    throwsTyped(() => resolveResource('deployments.v1beta1.apps'), UnknownResourceError, 'unknown-resource');
  });

  it('says why kinds that are never stored have no keys', () => {
    for (const argument of ['tokenreviews', 'cs', 'componentstatuses', 'bindings', 'scale', 'Eviction', 'subjectaccessreviews']) {
      const error = throwsTyped(() => resolveResource(argument), NotStoredResourceError, 'not-stored');
      assert.match(error.message, /never stored/);
    }
  });

  it('knows the "all" category', () => {
    const all = resourcesInCategory('all')
      .map((entry) => entry.resource)
      .sort();
    assert.deepEqual(all, ['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  });
});

// Shaped like what etcd holds: the namespaced CRD as apiextensions v1, the cluster-scoped one as
// the v1beta1 encoding kube-apiserver still writes.
const widgetDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.cr.example.com' },
  spec: {
    group: 'cr.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all', 'gadgets'] },
    versions: [
      { name: 'v1alpha1', served: true, storage: false },
      { name: 'v1', served: true, storage: true },
      { name: 'v2beta1', served: true, storage: false },
      { name: 'v0', served: false, storage: false },
    ],
  },
  status: {
    conditions: [{ type: 'Established', status: 'True' }],
    storedVersions: ['v1alpha1', 'v1'],
  },
};
const pantDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1beta1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'pants.custom.fancy.com' },
  spec: {
    group: 'custom.fancy.com',
    version: 'v2',
    scope: 'Cluster',
    names: { plural: 'pants', kind: 'Pant' },
  },
  status: { acceptedNames: { plural: 'pants', kind: 'Pant', shortNames: ['pt'] } },
};
const metricsService = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1beta1.metrics.k8s.io' },
  spec: {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    groupPriorityMinimum: 100,
    versionPriority: 100,
    service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
  },
};
const localService = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1.apps' },
  spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15, service: null },
};

describe('keys: custom resources learned from CRDs and APIServices', () => {
  const learned = learnFromStoredObjects({
    customResourceDefinitions: [widgetDefinition, pantDefinition, { kind: 'CustomResourceDefinition', metadata: { name: 'broken.example.com' }, spec: {} }],
    apiServices: [metricsService, localService],
  });
  const registry = learned.registry;

  it('reports definitions it cannot use instead of throwing', () => {
    assert.equal(learned.skipped.length, 1);
    const skipped = learned.skipped[0];
    assert.equal(skipped?.name, 'broken.example.com');
    assert.equal(skipped?.error.code, 'invalid-crd');
    assert.equal(skipped?.error.subject.path, 'spec.group');
  });

  it('maps a namespaced custom resource key to its kind', () => {
    const parsed = expectObject(parseKey('/registry/cr.example.com/widgets/default/w1', { registry }));
    assert.equal(parsed.kind, 'Widget');
    assert.equal(parsed.group, 'cr.example.com');
    assert.equal(parsed.version, 'v1');
    assert.equal(parsed.namespace, 'default');
    assert.equal(parsed.name, 'w1');
    assert.equal(parsed.origin, 'custom');
    assert.deepEqual(parsed.entry.versions, ['v1', 'v2beta1', 'v1alpha1']);
    assert.deepEqual(parsed.entry.storedVersions, ['v1alpha1', 'v1']);
    assert.equal(keyFor({ resource: 'wd', namespace: 'default', name: 'w1' }, { registry }), '/registry/cr.example.com/widgets/default/w1');
    assert.equal(keyFor({ resource: 'widgets.v2beta1.cr.example.com', namespace: 'default', name: 'w1' }, { registry }), '/registry/cr.example.com/widgets/default/w1');
    assert.ok(resourcesInCategory('all', registry).some((entry) => entry.kind === 'Widget'));
  });

  it('maps a cluster-scoped custom resource (v1beta1 definition) key to its kind', () => {
    const parsed = expectObject(parseKey('/registry/custom.fancy.com/pants/cr2pant', { registry }));
    assert.equal(parsed.kind, 'Pant');
    assert.equal(parsed.scope, 'Cluster');
    assert.equal(parsed.version, 'v2');
    assert.equal(parsed.entry.singular, 'pant');
    assert.deepEqual(parsed.entry.shortNames, ['pt']);
    assert.match(parsed.entry.note ?? '', /not Established/);
    assert.equal(keyFor({ resource: 'pt', name: 'cr2pant' }, { registry }), '/registry/custom.fancy.com/pants/cr2pant');
  });

  it('never lets a custom resource take over a built-in one', () => {
    const impostor = customResourceFromDefinition({
      ...widgetDefinition,
      spec: { ...widgetDefinition.spec, group: 'apps', names: { plural: 'deployments', kind: 'Deployment' } },
    });
    const { registry: withImpostor } = learnFromStoredObjects({ customResourceDefinitions: [] }, createResourceRegistry({ custom: [impostor] }));
    assert.equal(resolveResource('deployments.apps', { registry: withImpostor }).origin, 'builtin');
  });

  it('explains keys under an aggregated API group', () => {
    const parsed = parseKey('/registry/metrics.k8s.io/nodes/node-1', { registry });
    assert.equal(parsed.type, 'aggregated');
    if (parsed.type !== 'aggregated') return;
    assert.equal(parsed.resource, 'nodes');
    assert.equal(parsed.name, 'node-1');
    assert.deepEqual(parsed.versions, ['v1beta1']);
    assert.match(describeKey(parsed), /kube-system\/metrics-server/);
    assert.equal(registry.aggregated.length, 1, 'a Local APIService is not aggregated');
    const rest = parseRestPath('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web', { registry });
    assert.equal(rest.type, 'aggregated');
    assert.equal(rest.namespace, 'default');
    assert.equal(restPathForKey('/registry/metrics.k8s.io/nodes/node-1', { registry }), '/apis/metrics.k8s.io/v1beta1/nodes/node-1');
  });

  it('orders versions the Kubernetes way', () => {
    const sorted = ['v1alpha1', 'foo', 'v1', 'v2', 'v1beta2', 'v10', 'v1beta1', 'v2alpha1'].sort(compareKubeAwareVersions);
    assert.deepEqual(sorted, ['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'foo']);
  });

  it('rejects objects that are not CRDs', () => {
    assert.throws(
      () => customResourceFromDefinition({ kind: 'ConfigMap' }),
      (error: unknown) => error instanceof KregError && error.code === 'invalid-crd',
    );
    assert.throws(
      () => customResourceFromDefinition('nope'),
      (error: unknown) => error instanceof KregError && error.code === 'invalid-crd',
    );
    assert.throws(
      () => customResourceFromDefinition({ ...widgetDefinition, spec: { ...widgetDefinition.spec, versions: [{ name: 'v1', served: true }] } }),
      (error: unknown) => error instanceof KregError && error.subject.path === 'spec.versions',
    );
  });
});

describe('keys: special keys', () => {
  // [key, rule id, type of the parse, captures]
  const cases: [string, string, ParsedKey['type'], Record<string, string>][] = [
    ['compact_rev_key', 'compact-revision', 'special', {}],
    ['compact_rev_key_apiserver', 'kine-compact-revision', 'special', {}],
    ['/registry/masterleases/10.0.0.1', 'master-lease', 'special', { ip: '10.0.0.1' }],
    ['/registry/peerserverleases/apiserver-x7f3', 'peer-server-lease', 'special', { apiserver: 'apiserver-x7f3' }],
    ['/registry/ranges/serviceips', 'service-ip-range', 'special', {}],
    ['/registry/ranges/secondaryserviceips', 'secondary-service-ip-range', 'special', {}],
    ['/registry/ranges/servicenodeports', 'service-node-port-range', 'special', {}],
    ['/registry/health', 'health-probe', 'special', {}],
    ['/registry/events/default/web.17a2b', 'event', 'object', { namespace: 'default', name: 'web.17a2b' }],
    ['/registry/leases/kube-system/apiserver-7lqe3xsvdnbcyrwmdazcfz3pnm', 'apiserver-identity-lease', 'object', { id: '7lqe3xsvdnbcyrwmdazcfz3pnm' }],
    ['/registry/leases/kube-node-lease/node-1', 'node-heartbeat-lease', 'object', { node: 'node-1' }],
    ['/registry/leases/kube-system/kube-scheduler', 'scheduler-leader-lease', 'object', {}],
    ['/registry/services/specs/default/kubernetes', 'kubernetes-service', 'object', {}],
    ['/registry/services/endpoints/default/kubernetes', 'kubernetes-endpoints', 'object', {}],
    ['/registry/configmaps/team-a/kube-root-ca.crt', 'root-ca-bundle', 'object', { namespace: 'team-a' }],
    ['/registry/namespaces/kube-system', 'system-namespace-kube-system', 'object', {}],
    ['/registry/priorityclasses/system-node-critical', 'system-priority-class-system-node-critical', 'object', {}],
  ];
  for (const [key, id, type, captures] of cases) {
    it(`${key} → ${id}`, () => {
      const parsed = parseKey(key);
      assert.equal(parsed.type, type);
      const special = parsed.type === 'special' ? parsed.special : parsed.type === 'object' ? parsed.special : undefined;
      assert.equal(special?.rule.id, id);
      assert.deepEqual(special?.captures, captures);
      assert.doesNotMatch(special?.description ?? '', /\{[a-z]+\}/, 'placeholders filled');
      assert.ok(describeKey(parsed).length > 20);
    });
  }

  it('finds root keys whatever the prefix, and prefixed ones under a custom prefix', () => {
    assert.equal(parseKey('compact_rev_key', { prefix: '/kubernetes.io' }).type, 'special');
    const lease = parseKey('/kubernetes.io/masterleases/10.0.0.2', { prefix: '/kubernetes.io' });
    assert.equal(lease.type === 'special' ? lease.special.rule.id : undefined, 'master-lease');
  });

  it('leaves ordinary objects unannotated', () => {
    assert.equal(expectObject(parseKey('/registry/leases/kube-system/my-operator')).special, undefined);
    assert.equal(expectObject(parseKey('/registry/namespaces/team-a')).special, undefined);
  });

  it('has unique ids, one sentence each, and values of kinds kreg knows', () => {
    const ids = new Set<string>();
    const kinds = new Set([...BUILTIN_RESOURCES.map((row) => row.kind), ...UNSTORED_KINDS.map((kind) => kind.kind)]);
    for (const rule of SPECIAL_KEYS) {
      assert.ok(!ids.has(rule.id), `duplicate id ${rule.id}`);
      ids.add(rule.id);
      assert.match(rule.description, /\.$/, `${rule.id} ends its sentence`);
      if (rule.value.format === 'object') assert.ok(kinds.has(rule.value.kind), `${rule.id}: unknown kind ${rule.value.kind}`);
    }
  });
});

describe('keys: REST paths', () => {
  // [etcd key, REST path] pairs that map both ways.
  const pairs: [string, string][] = [
    ['/registry/services/specs/default/kubernetes', '/api/v1/namespaces/default/services/kubernetes'],
    ['/registry/services/endpoints/default/kubernetes', '/api/v1/namespaces/default/endpoints/kubernetes'],
    ['/registry/minions/node-1', '/api/v1/nodes/node-1'],
    ['/registry/namespaces/default', '/api/v1/namespaces/default'],
    ['/registry/deployments/default/web', '/apis/apps/v1/namespaces/default/deployments/web'],
    ['/registry/ingress/default/web', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/web'],
    ['/registry/horizontalpodautoscalers/default/web', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web'],
    ['/registry/clusterroles/admin', '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/foos.cr.bar.com', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/foos.cr.bar.com'],
    ['/registry/apiregistration.k8s.io/apiservices/v1.apps', '/apis/apiregistration.k8s.io/v1/apiservices/v1.apps'],
    ['/registry/clustertrustbundles/example.com:signer:abc', '/apis/certificates.k8s.io/v1beta1/clustertrustbundles/example.com:signer:abc'],
    ['/registry/mutatingadmissionpolicies/p1', '/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies/p1'],
    ['/registry/pods/', '/api/v1/pods'],
    ['/registry/pods/kube-system/', '/api/v1/namespaces/kube-system/pods'],
    ['/registry/deployments/', '/apis/apps/v1/deployments'],
  ];
  for (const [key, path] of pairs) {
    it(`${key} ⇄ ${path}`, () => {
      assert.equal(restPathForKey(key), path);
      const parsed = parseRestPath(path);
      assert.equal(parsed.type, 'resource');
      if (parsed.type !== 'resource') return;
      assert.equal(parsed.etcdKey, key);
      assert.equal(parsed.restPath, path);
      assert.equal(parsed.versionServed, true);
    });
  }

  it('reads a full URL, with port and query', () => {
    const parsed = parseRestPath('https://10.0.0.1:6443/api/v1/namespaces/default/pods/web-0?timeout=32s');
    assert.equal(parsed.type === 'resource' ? parsed.etcdKey : undefined, '/registry/pods/default/web-0');
    assert.equal(parsed.restPath, '/api/v1/namespaces/default/pods/web-0');
  });

  it('reads a kubectl get --raw path, subresource included', () => {
    const parsed = parseRestPath('kubectl get --raw /apis/apps/v1/namespaces/kube-system/deployments/coredns/scale');
    assert.equal(parsed.type, 'resource');
    if (parsed.type !== 'resource') return;
    assert.equal(parsed.kind, 'Deployment');
    assert.equal(parsed.subresource, 'scale');
    assert.equal(parsed.etcdKey, '/registry/deployments/kube-system/coredns');
    assert.equal(parseRestPath("'/api/v1/namespaces/default/pods/web-0/log'").subresource, 'log');
  });

  it('handles watch paths, namespace subresources, proxies and other prefixes', () => {
    const watch = parseRestPath('/api/v1/watch/namespaces/default/pods/web-0');
    assert.equal(watch.type === 'resource' && watch.watch, true);
    const finalize = parseRestPath('/api/v1/namespaces/team-a/finalize');
    assert.equal(finalize.type === 'resource' ? finalize.etcdKey : undefined, '/registry/namespaces/team-a');
    assert.equal(finalize.subresource, 'finalize');
    const proxied = parseRestPath('https://rancher.example.com/k8s/clusters/c-1/api/v1/namespaces/default/configmaps/x');
    assert.equal(proxied.type === 'resource' ? proxied.etcdKey : undefined, '/registry/configmaps/default/x');
    const other = parseRestPath('/api/v1/nodes/n1', { prefix: '/kubernetes.io' });
    assert.equal(other.type === 'resource' ? other.etcdKey : undefined, '/kubernetes.io/minions/n1');
    assert.equal(apiPathOf('kubectl get --raw=/api/v1/pods?limit=1'), '/api/v1/pods');
  });

  it('maps events.k8s.io paths to the shared events key, and notes versions not served', () => {
    const events = parseRestPath('/apis/events.k8s.io/v1/namespaces/default/events/e1');
    assert.equal(events.type === 'resource' ? events.etcdKey : undefined, '/registry/events/default/e1');
    const old = parseRestPath('/apis/apps/v1beta1/namespaces/default/deployments/web');
    assert.equal(old.type === 'resource' ? old.versionServed : undefined, false);
    assert.equal(restPathForKey('/registry/horizontalpodautoscalers/default/web', { version: 'v1' }), '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
  });

  it('gives typed errors for paths that name no stored resource', () => {
    throwsTyped(() => parseRestPath('/healthz'), UsageError, 'bad-rest-path');
    throwsTyped(() => parseRestPath('/api/v1'), UsageError, 'bad-rest-path');
    throwsTyped(() => parseRestPath('/apis/apps'), UsageError, 'bad-rest-path');
    throwsTyped(() => parseRestPath('/api/v1/pods/web-0'), UsageError, 'bad-rest-path');
    throwsTyped(() => parseRestPath('/api/v1/namespaces/default/pods/%zz'), UsageError, 'bad-rest-path');
    throwsTyped(() => parseRestPath('/apis/apps/v1/namespaces/default/widgets/w'), UnknownResourceError, 'unknown-resource');
    throwsTyped(() => restPathForKey('compact_rev_key'), UsageError, 'no-rest-path');
  });
});

describe('keys: table against the upstream v1.36 fixtures', () => {
  const apiDir = join(fixturesRoot, 'api');
  const extensionsDir = join(fixturesRoot, 'apiextensions');

  /** "<group>.<version>.<Kind>" triples from fixture file names; group "core" is the legacy group. */
  function fixtureTypes(): { group: string; version: string; kind: string }[] {
    const names = [...readdirSync(apiDir), ...(existsSync(extensionsDir) ? readdirSync(extensionsDir) : [])];
    const types = new Map<string, { group: string; version: string; kind: string }>();
    for (const file of names) {
      const found = /^(.+)\.(v\d+(?:alpha\d+|beta\d+)?)\.([A-Za-z0-9]+)\.(?:pb|json|yaml)$/.exec(file);
      if (found === null) continue;
      const [, group = '', version = '', kind = ''] = found;
      types.set(`${group}.${version}.${kind}`, { group: group === 'core' ? '' : group, version, kind });
    }
    return [...types.values()];
  }

  before(function () {
    if (!existsSync(apiDir)) requireSharedFixtures(this);
  });

  it('accounts for every fixture kind: stored (table row), cohabiting legacy, or never stored', () => {
    const stored = new Set([...BUILTIN_RESOURCES, ...RETIRED_RESOURCES].map((row) => `${row.group}|${row.kind}`));
    const legacy = new Set(COHABITING_LEGACY_KINDS.map((kind) => `${kind.group}|${kind.kind}`));
    const unstored = new Set(UNSTORED_KINDS.map((kind) => `${kind.group}|${kind.kind}`));
    const unaccounted = fixtureTypes()
      .map((type) => `${type.group}|${type.kind}`)
      .filter((id) => !stored.has(id) && !legacy.has(id) && !unstored.has(id));
    assert.deepEqual([...new Set(unaccounted)], []);
  });

  it('has a fixture for every storage version and served version of every row', () => {
    const types = fixtureTypes();
    const present = new Set(types.map((type) => `${type.group}|${type.version}|${type.kind}`));
    const groupsWithFixtures = new Set(types.map((type) => type.group));
    const missing: string[] = [];
    for (const row of BUILTIN_RESOURCES) {
      const storageGroup = row.storedAs?.group ?? row.group;
      if (!groupsWithFixtures.has(storageGroup)) continue; // e.g. apiregistration.k8s.io ships none
      if (!present.has(`${storageGroup}|${row.storageVersion}|${row.kind}`)) missing.push(`${row.resource}: storage ${storageGroup}/${row.storageVersion}`);
      for (const version of row.versions) {
        if (!present.has(`${row.group}|${version}|${row.kind}`)) missing.push(`${row.resource}: served ${row.group}/${version}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('maps every stored kind at its storage version back to a table row', () => {
    const registry = builtinRegistry();
    for (const row of BUILTIN_RESOURCES.filter((r) => r.storedAs === undefined)) {
      const entry = registry.byGroupResource.get(`${row.group}/${row.resource}`);
      assert.equal(entry?.storageVersion, row.storageVersion);
    }
  });
});
