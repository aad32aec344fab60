/**
 * kreg ls against a real etcd: counts and value bytes per resource, namespaces at depth 2, sort
 * orders, a custom resource named by its CRD, services/specs apart from services/endpoints, and
 * keys that are no API object (special or unknown).
 */
import assert from 'node:assert/strict';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';
import type { LsNode } from '../src/registry-tally.js';

type Row = LsNode;

const podYaml = (name: string, namespace: string, image: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: {app: ${name}}
spec:
  containers:
  - name: main
    image: ${image}
`;

const yamlObjects: { key: string; yaml: string }[] = [
  { key: '/registry/pods/shop/web-0', yaml: podYaml('web-0', 'shop', 'nginx:1.27') },
  { key: '/registry/pods/shop/web-1', yaml: podYaml('web-1', 'shop', 'nginx:1.27-alpine-with-a-longer-tag') },
  { key: '/registry/pods/default/probe', yaml: podYaml('probe', 'default', 'busybox') },
  { key: '/registry/configmaps/shop/settings', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {color: blue}\n' },
  {
    key: '/registry/services/specs/shop/web',
    yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports:\n  - {port: 80, protocol: TCP}\n',
  },
  {
    key: '/registry/services/endpoints/shop/web',
    yaml: 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: web, namespace: shop}\nsubsets:\n- addresses:\n  - {ip: 10.1.2.3}\n  ports:\n  - {port: 80}\n',
  },
];

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com', uid: 'crd-uid' },
  spec: {
    group: 'example.com',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true }],
  },
};
const widgets = ['alpha', 'beta', 'gamma'].map((name, i) => ({
  key: `/registry/example.com/widgets/${i < 2 ? 'shop' : 'lab'}/${name}`,
  value: Buffer.from(`${JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: i < 2 ? 'shop' : 'lab' }, spec: { size: name.length } })}\n`),
}));
/** Not API objects: ls does not decode, so any bytes do. */
const rawKeys = [
  { key: '/registry/ranges/serviceips', value: Buffer.alloc(40, 1) },
  { key: '/registry/masterleases/10.0.0.1', value: Buffer.alloc(25, 2) },
  { key: '/registry/masterleases/10.0.0.2', value: Buffer.alloc(26, 3) },
  { key: '/registry/mystery/thing', value: Buffer.alloc(7, 4) },
];

describe('kreg ls', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  /** Value bytes written per key. */
  const sizes = new Map<string, number>();

  const ls = async (...args: string[]): Promise<Row[]> => {
    const r = await runKreg(['ls', '-o', 'json', '--endpoints', etcd.server.endpoint, ...args]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.toString()) as Row[];
  };
  const bytesUnder = (prefix: string): number => [...sizes].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  const resourceRow = (rows: Row[], resource: string, group = ''): Row => {
    const row = rows.find((r) => r.resource === resource && r.group === group && r.namespace === undefined);
    assert.ok(row, `no row for ${resource}.${group} in ${JSON.stringify(rows)}`);
    return row;
  };

  before(async function () {
    const put = async (key: string, value: Buffer): Promise<void> => {
      await etcd.server.etcdctl(['put', key], value);
      sizes.set(key, value.length);
    };
    for (const { key, yaml } of yamlObjects) {
      const encoded = await runKreg(['encode'], { input: yaml });
      assert.equal(encoded.code, 0, encoded.stderr);
      await put(key, encoded.stdout);
    }
    await put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', Buffer.from(`${JSON.stringify(crd)}\n`));
    for (const { key, value } of [...widgets, ...rawKeys]) await put(key, value);
  });

  it('counts objects and sums value bytes per resource', async function () {
    const rows = await ls();
    const pods = resourceRow(rows, 'pods');
    assert.deepEqual(
      { type: pods.type, kind: pods.kind, prefix: pods.prefix, count: pods.count, bytes: pods.bytes },
      { type: 'resource', kind: 'Pod', prefix: '/registry/pods/', count: 3, bytes: bytesUnder('/registry/pods/') },
    );
    assert.equal(pods.keyBytes, ['/registry/pods/shop/web-0', '/registry/pods/shop/web-1', '/registry/pods/default/probe'].join('').length);
    assert.equal(resourceRow(rows, 'configmaps').bytes, bytesUnder('/registry/configmaps/'));
    const crds = resourceRow(rows, 'customresourcedefinitions', 'apiextensions.k8s.io');
    assert.equal(crds.kind, 'CustomResourceDefinition');
    assert.equal(crds.count, 1);
    const total = rows.filter((r) => r.namespace === undefined).reduce((n, r) => ({ count: n.count + r.count, bytes: n.bytes + r.bytes }), { count: 0, bytes: 0 });
    assert.deepEqual(total, { count: sizes.size, bytes: bytesUnder('/') });
  });

  it('maps a custom resource to its kind through the stored CRD', async function () {
    const row = resourceRow(await ls(), 'widgets', 'example.com');
    assert.deepEqual(
      { type: row.type, kind: row.kind, prefix: row.prefix, count: row.count, bytes: row.bytes },
      { type: 'resource', kind: 'Widget', prefix: '/registry/example.com/widgets/', count: 3, bytes: bytesUnder('/registry/example.com/widgets/') },
    );
  });

  it('keeps services/specs and services/endpoints apart', async function () {
    const rows = await ls();
    const services = resourceRow(rows, 'services');
    const endpoints = resourceRow(rows, 'endpoints');
    assert.deepEqual([services.kind, services.prefix, services.count, services.bytes], ['Service', '/registry/services/specs/', 1, bytesUnder('/registry/services/specs/')]);
    assert.deepEqual([endpoints.kind, endpoints.prefix, endpoints.count, endpoints.bytes], ['Endpoints', '/registry/services/endpoints/', 1, bytesUnder('/registry/services/endpoints/')]);
  });

  it('shows special keys as such and unplaceable keys as unknown', async function () {
    const rows = await ls();
    const range = rows.find((r) => r.special === 'service-ip-range');
    assert.deepEqual(range && [range.type, range.resource, range.prefix, range.count, range.bytes], ['special', 'ranges/serviceips', '/registry/ranges/serviceips', 1, 40]);
    const leases = rows.find((r) => r.special === 'master-lease');
    assert.deepEqual(leases && [leases.type, leases.resource, leases.prefix, leases.count, leases.bytes], ['special', 'masterleases', '/registry/masterleases/', 2, 51]);
    const unknown = rows.find((r) => r.type === 'unknown');
    assert.deepEqual(unknown && [unknown.resource, unknown.prefix, unknown.count, unknown.bytes], ['mystery', '/registry/mystery/', 1, 7]);
  });

  it('lists namespaces under their resource at depth 2', async function () {
    const rows = await ls('--depth', '2', '--sort', 'name');
    const at = rows.findIndex((r) => r.resource === 'pods' && r.namespace === undefined);
    const children = rows.slice(at + 1, at + 3);
    assert.deepEqual(
      children.map((r) => [r.resource, r.namespace, r.prefix, r.count, r.bytes]),
      [
        ['pods', 'default', '/registry/pods/default/', 1, bytesUnder('/registry/pods/default/')],
        ['pods', 'shop', '/registry/pods/shop/', 2, bytesUnder('/registry/pods/shop/')],
      ],
    );
    const widgetNamespaces = rows.filter((r) => r.resource === 'widgets' && r.namespace !== undefined);
    assert.deepEqual(
      widgetNamespaces.map((r) => [r.namespace, r.kind, r.count]),
      [
        ['lab', 'Widget', 1],
        ['shop', 'Widget', 2],
      ],
    );
    // Cluster-scoped resources have no namespace rows.
    assert.equal(rows.filter((r) => r.resource === 'customresourcedefinitions' && r.namespace !== undefined).length, 0);
  });

  it('sorts by size (default), count or name', async function () {
    const bySize = (await ls()).map((r) => r.bytes);
    assert.deepEqual(
      bySize,
      [...bySize].sort((a, b) => b - a),
    );
    const byCount = await ls('--sort', 'count');
    assert.deepEqual(
      byCount.map((r) => r.count),
      byCount.map((r) => r.count).sort((a, b) => b - a),
    );
    assert.equal(byCount[0]?.count, 3);
    const names = (await ls('--sort', 'name')).map((r) => r.resource);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b, 'en')),
    );
  });

  it('restricts to a resource or a key prefix', async function () {
    const pods = await ls('pods');
    assert.deepEqual(
      pods.map((r) => [r.resource, r.count]),
      [['pods', 3]],
    );
    const some = await ls('po,widgets');
    assert.deepEqual(some.map((r) => [r.resource, r.count]).sort(), [
      ['pods', 3],
      ['widgets', 3],
    ]);
    const shop = await ls('/registry/pods/shop/', '--depth', '2');
    assert.deepEqual(
      shop.map((r) => [r.resource, r.namespace, r.count, r.bytes]),
      [
        ['pods', undefined, 2, bytesUnder('/registry/pods/shop/')],
        ['pods', 'shop', 2, bytesUnder('/registry/pods/shop/')],
      ],
    );
  });

  it('prints an aligned table with human sizes and a total', async function () {
    const r = await runKreg(['ls', '--endpoints', etcd.server.endpoint, '--depth', '2']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^RESOURCE\s+GROUP\s+KIND\s+COUNT\s+BYTES$/);
    assert.match(r.stdout.toString(), /^widgets\s+example\.com\s+Widget\s+3\s+\d+ B$/m);
    assert.match(r.stdout.toString(), /^ {2}shop\s+2\s+\d+ B$/m);
    assert.match(r.stdout.toString(), /^masterleases\s+\(special: Endpoints\)\s+2\s+51 B$/m);
    assert.match(lines.at(-1) ?? '', new RegExp(`^TOTAL\\s+${sizes.size}\\s+\\d+(\\.\\d)? (B|KiB)$`));
    // COUNT and BYTES are right-aligned: every row ends at the same column.
    assert.equal(new Set(lines.map((l) => l.length)).size, 1, r.stdout.toString());
  });

  it('rejects a prefix outside the etcd prefix and a bad depth, in one line', async function () {
    for (const args of [['/kubernetes.io/pods/'], ['--depth', '3']]) {
      const r = await runKreg(['ls', '--endpoints', etcd.server.endpoint, ...args]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^kreg: /);
    }
  });
});
