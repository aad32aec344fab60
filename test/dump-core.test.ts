/** The pure core of kreg dump: file names, tiers, the --for-apply rules table, what is written. */
import assert from 'node:assert/strict';
import type { JsonObject } from '../src/codec/json-value.js';
import { CLEANING_RULES, cleanForApply, describeApplyRules, SKIP_RULES, skipForApply } from '../src/dump/apply-rules.js';
import { CLUSTER_DIR, objectPath, safeSegment, tierOf, TIERS } from '../src/dump/dump-layout.js';
import { dumpedForm } from '../src/dump/dumped-form.js';
import { forOverwrite, planRestore, restoreOrder } from '../src/dump/restore-plan.js';
import { mulberry32 } from '../scripts/make-registry.js';
import { builtinRegistry } from '../src/keys/index.js';
import { storedResources } from '../src/sources/object-source.js';

function valueAt(object: JsonObject, rule: { path: string }): unknown {
  const labels = rule.path.indexOf('.labels.');
  const parts = labels < 0 ? rule.path.split('.') : [...rule.path.slice(0, labels + 7).split('.'), rule.path.slice(labels + 8)];
  let at: unknown = object;
  for (const part of parts) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

/** An object of the rule's first kind holding `value` at the rule's path. */
function holding(rule: (typeof CLEANING_RULES)[number], value: unknown): JsonObject {
  const [group, kind] = (rule.kinds?.[0] ?? '/ConfigMap').split('/') as [string, string];
  const object: Record<string, unknown> = { apiVersion: group === '' ? 'v1' : `${group}/v1`, kind, metadata: { name: 'x', namespace: 'ns' } };
  if (rule.onlyWhen !== undefined) object[rule.onlyWhen.field] = rule.onlyWhen.equals;
  const labels = rule.path.indexOf('.labels.');
  const parts = labels < 0 ? rule.path.split('.') : [...rule.path.slice(0, labels + 7).split('.'), rule.path.slice(labels + 8)];
  let at = object;
  for (const part of parts.slice(0, -1)) {
    at[part] ??= {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1] as string] = value;
  return object as JsonObject;
}

describe('kreg dump core', function () {
  describe('safeSegment', function () {
    it('keeps DNS names as they are and encodes everything else as %XX', function () {
      assert.equal(safeSegment('web-7d9c8b6f5.x1'), 'web-7d9c8b6f5.x1');
      assert.equal(safeSegment('Web'), '%57eb');
      assert.equal(safeSegment('a/b:c_d%'), 'a%2Fb%3Ac%5Fd%25');
      assert.equal(safeSegment('.hidden'), '%2Ehidden');
      assert.equal(safeSegment('..'), '%2E.');
      assert.equal(safeSegment('é'), '%C3%A9');
      assert.equal(safeSegment('web', '.yaml'), 'web.yaml');
    });

    it('gives different names different segments, also on case-insensitive file systems and when cut', function () {
      const random = mulberry32(15);
      const alphabet = ['a', 'b', 'A', 'B', '.', '-', '_', '%', '~', '/', 'é', '0'];
      const names = new Set<string>(['x'.repeat(300), `${'x'.repeat(299)}y`]);
      while (names.size < 3000) {
        const length = 1 + Math.floor(random() * (random() < 0.1 ? 300 : 8));
        names.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
      }
      const seen = new Map<string, string>();
      for (const name of names) {
        const segment = safeSegment(name, '.yaml');
        assert.ok(Buffer.byteLength(segment) <= 255, `${segment.length} bytes for ${name}`);
        assert.match(segment, /^[a-z0-9%][a-z0-9.%A-F~-]*\.yaml$/);
        const folded = segment.toLowerCase();
        assert.equal(seen.get(folded), undefined, `${name} and ${seen.get(folded)} meet at ${segment}`);
        seen.set(folded, name);
      }
      assert.notEqual(safeSegment('_cluster'), CLUSTER_DIR);
    });
  });

  it('puts namespaces, then CRDs, then cluster objects, then what namespaces hold, webhooks last', function () {
    const order = [
      tierOf('', 'Namespace'),
      tierOf('apiextensions.k8s.io', 'CustomResourceDefinition'),
      tierOf('rbac.authorization.k8s.io', 'ClusterRole'),
      tierOf('', 'ServiceAccount'),
      tierOf('', 'Pod'),
      tierOf('example.com', 'Widget'),
      tierOf('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'),
    ];
    assert.deepEqual([...order].sort(), order, 'lexical order is apply order');
    assert.ok(tierOf('', 'ServiceAccount') < tierOf('', 'Pod'));
    assert.equal(new Set(TIERS.flatMap((t) => t.kinds)).size, TIERS.flatMap((t) => t.kinds).length, 'a kind is in one tier');
    assert.equal(objectPath({ group: 'apps', resource: 'deployments', kind: 'Deployment', namespace: 'shop', name: 'web' }), `${tierOf('apps', 'Deployment')}/shop/deployments.apps/web.yaml`);
    assert.equal(objectPath({ group: '', resource: 'namespaces', kind: 'Namespace', namespace: undefined, name: 'shop' }), `${tierOf('', 'Namespace')}/${CLUSTER_DIR}/namespaces/shop.yaml`);
  });

  describe('--for-apply', function () {
    for (const rule of CLEANING_RULES) {
      it(`drops ${rule.path}${rule.kinds === undefined ? '' : ` of ${rule.kinds.join(', ')}`}, and leaves the input alone`, function () {
        const object = holding(rule, 'some-value');
        const before = structuredClone(object);
        const cleaned = cleanForApply(object);
        assert.equal(valueAt(cleaned, rule), undefined);
        assert.deepEqual(object, before);
        assert.equal((cleaned.metadata as JsonObject).name, 'x', 'the rest is kept');
        if (rule.keepWhen !== undefined) assert.equal(valueAt(cleanForApply(holding(rule, rule.keepWhen)), rule), rule.keepWhen);
        if (rule.onlyWhen !== undefined) {
          const otherwise = { ...holding(rule, 'some-value'), [rule.onlyWhen.field]: 'something-else' };
          assert.equal(valueAt(cleanForApply(otherwise as JsonObject), rule), 'some-value', `only when ${rule.onlyWhen.field} is ${rule.onlyWhen.equals}`);
        }
        if (rule.kinds !== undefined) {
          const other = { ...holding(rule, 'some-value'), kind: 'SomethingElse' };
          assert.equal(valueAt(cleanForApply(other), rule), 'some-value', 'other kinds keep it');
        }
      });
    }

    it("keeps a Job's selector when it is manual, and the last-applied annotation always", function () {
      const job = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
        spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } } },
      };
      const cleaned = cleanForApply(job as unknown as JsonObject);
      assert.deepEqual((cleaned.spec as JsonObject).selector, { matchLabels: { a: 'b' } });
      assert.equal(((cleaned.metadata as JsonObject).annotations as JsonObject)['kubectl.kubernetes.io/last-applied-configuration'], '{}');
    });

    it('leaves out objects a controller makes and Events; the help lists every rule', function () {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] } };
      assert.equal(skipForApply(pod as unknown as JsonObject), 'owned by a controller');
      assert.equal(skipForApply({ ...pod, metadata: { name: 'p', ownerReferences: [{ kind: 'ConfigMap', name: 'c', uid: 'u' }] } } as unknown as JsonObject), undefined);
      assert.equal(skipForApply({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' } }), 'event');
      const help = describeApplyRules();
      for (const rule of CLEANING_RULES) assert.ok(help.includes(rule.path), rule.path);
      for (const rule of SKIP_RULES) assert.ok(help.includes(rule.reason), rule.reason);
    });

    it('masks Secrets unless asked, and leaves masked Secrets out of an apply dump', function () {
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', uid: 'u' }, data: { password: 'aHVudGVyMg==' } };
      assert.deepEqual(dumpedForm(secret, { forApply: false, showSecrets: false }), { object: { ...secret, data: { password: '***' } } });
      assert.deepEqual(dumpedForm(secret, { forApply: true, showSecrets: false }), { skip: 'secret data masked' });
      assert.deepEqual(dumpedForm(secret, { forApply: true, showSecrets: true }), { object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } } });
    });
  });

  describe('restore plan', function () {
    const backup = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop', uid: 'old', resourceVersion: '5' },
      spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] },
      status: {},
    };

    it('create when missing; unchanged when only server-set fields differ; conflict otherwise', function () {
      assert.equal(planRestore(backup, undefined).verdict, 'create');
      const live = {
        ...backup,
        metadata: { ...backup.metadata, uid: 'new', resourceVersion: '77', creationTimestamp: null },
        spec: { ...backup.spec, clusterIP: '10.9.9.9' },
        status: { loadBalancer: {} },
      };
      const same = planRestore(backup, live);
      assert.equal(same.verdict, 'unchanged');
      assert.equal(same.liveResourceVersion, '77');
      const changed = planRestore(backup, { ...live, spec: { clusterIP: '10.9.9.9', ports: [{ port: 81 }] } });
      assert.equal(changed.verdict, 'conflict');
      assert.equal((forOverwrite(changed).metadata as JsonObject).resourceVersion, '77', 'an overwrite carries the live resourceVersion');
      assert.equal((changed.wanted.metadata as JsonObject).resourceVersion, undefined);
    });

    it('orders namespaces, then CRDs, then the rest, by namespace and name', function () {
      const o = (group: string, kind: string, namespace: string | undefined, name: string) => ({ group, kind, namespace, name });
      const objects = [
        o('example.com', 'Widget', 'a', 'w'),
        o('', 'ConfigMap', 'b', 'c'),
        o('', 'Namespace', undefined, 'b'),
        o('apiextensions.k8s.io', 'CustomResourceDefinition', undefined, 'widgets.example.com'),
        o('', 'Namespace', undefined, 'a'),
      ];
      assert.deepEqual(
        restoreOrder(objects).map((x) => `${x.kind}/${x.name}`),
        ['Namespace/a', 'Namespace/b', 'CustomResourceDefinition/widgets.example.com', 'ConfigMap/c', 'Widget/w'],
      );
    });
  });
});

describe('storedResources (dump and restore resource lists)', () => {
  it('names each resource once, as stored, in the order first named', () => {
    const entries = storedResources('cm,configmaps,,deploy,events.events.k8s.io,ev', builtinRegistry());
    assert.deepEqual(
      entries.map((entry) => `${entry.resource}.${entry.group}`),
      ['configmaps.', 'deployments.apps', 'events.'],
    );
    assert.throws(() => storedResources('cm,nosuchthing', builtinRegistry()), /nosuchthing/);
  });
});
