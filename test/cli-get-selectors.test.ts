/**
 * kreg get's kubectl views over an in-memory source: per-kind columns, -o wide, --show-etcd,
 * selectors, TYPE/NAME arguments, the table flags and kubectl's "No resources found" wording.
 */
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import type { JsonObject } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { EntrySource } from '../src/sources/source.js';
import { runKreg } from './support/run-cli.js';

/** An hour before the fixtures are written (not before the module loads: AGE must read 60m however long earlier test files ran). */
let hourAgo = '';

const pod = (name: string, labels: Record<string, string>, phase: string, nodeName: string): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels, creationTimestamp: hourAgo },
  spec: { nodeName, containers: [{ name: 'app', image: 'nginx' }] },
  status: { phase, podIP: '10.0.0.1', containerStatuses: phase === 'Running' ? [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] : [] },
});

const lines = (text: Buffer | string): string[] => text.toString().trimEnd().split('\n');

describe('kreg get: kubectl views', function () {
  let source: MemorySource;

  before(function () {
    hourAgo = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    source = new MemorySource({ description: 'memory' });
    source.put('/registry/pods/shop/web-1', encode(pod('web-1', { app: 'web', tier: 'fe' }, 'Running', 'n1')));
    source.put('/registry/pods/shop/web-2', encode(pod('web-2', { app: 'web', tier: 'be' }, 'Pending', '')));
    source.put('/registry/pods/shop/db-0', encode(pod('db-0', { app: 'db' }, 'Running', 'n2')));
    source.put(
      '/registry/deployments/shop/web',
      encode({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop', creationTimestamp: hourAgo, labels: { app: 'web' } },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
        status: { replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
      }),
    );
    source.put(
      '/registry/secrets/shop/tls',
      encode({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'tls', namespace: 'shop', creationTimestamp: hourAgo },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' },
      }),
    );
    source.put(
      '/registry/minions/n1',
      encode({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1', creationTimestamp: hourAgo },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.36.0' } },
      }),
    );
    source.put(
      '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com', creationTimestamp: '2026-01-02T03:04:05Z' },
        spec: {
          group: 'example.com',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              additionalPrinterColumns: [
                { name: 'Color', type: 'string', jsonPath: '.spec.color' },
                { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
              ],
              selectableFields: [{ jsonPath: '.spec.color' }],
            },
          ],
        },
      }),
    );
    for (const [name, color] of [
      ['w1', 'red'],
      ['w2', 'blue'],
    ]) {
      source.put(
        `/registry/example.com/widgets/shop/${name}`,
        JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'shop', creationTimestamp: hourAgo }, spec: { color, size: 3 } }),
      );
    }
  });

  const get = (...args: string[]) => runKreg(['get', ...args], { source });

  describe('columns', function () {
    it("prints kubectl's pod columns", async function () {
      const r = await get('pods', '-n', 'shop');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), [
        'NAME    READY   STATUS    RESTARTS   AGE',
        'db-0    1/1     Running   0          60m',
        'web-1   1/1     Running   0          60m',
        'web-2   0/1     Pending   0          60m',
      ]);
    });
    it("-o wide means kubectl's wide columns, not etcd's", async function () {
      const r = await get('pods', 'web-1', '-n', 'shop', '-o', 'wide');
      assert.deepEqual(lines(r.stdout), [
        'NAME    READY   STATUS    RESTARTS   AGE   IP         NODE   NOMINATED NODE   READINESS GATES',
        'web-1   1/1     Running   0          60m   10.0.0.1   n1     <none>           <none>',
      ]);
    });
    it('--show-etcd appends SIZE ENCODING REVISION KEY', async function () {
      const r = await get('secrets', '-n', 'shop', '--show-etcd');
      const [head, row] = lines(r.stdout);
      assert.match(head ?? '', /^NAME +TYPE +DATA +AGE +SIZE +ENCODING +REVISION +KEY$/);
      assert.match(row ?? '', /^tls +kubernetes\.io\/tls +2 +60m +\d+ +protobuf +\d+ +\/registry\/secrets\/shop\/tls$/);
    });
    it("prints a custom resource with its CRD's printer columns", async function () {
      const r = await get('widgets', '-n', 'shop');
      assert.deepEqual(lines(r.stdout), ['NAME   COLOR   SIZE', 'w1     red     3', 'w2     blue    3']);
    });
    it('prints CRDs as NAME CREATED AT', async function () {
      const r = await get('crd');
      assert.deepEqual(lines(r.stdout), ['NAME                  CREATED AT', 'widgets.example.com   2026-01-02T03:04:05Z']);
    });
    it('prints each kind as its own table, names with their kind', async function () {
      const r = await get('deploy,secrets', '-n', 'shop');
      assert.deepEqual(lines(r.stdout), [
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/web   1/2     2            1           60m',
        '',
        'NAME         TYPE                DATA   AGE',
        'secret/tls   kubernetes.io/tls   2      60m',
      ]);
    });
    it('-A: a NAMESPACE column for namespaced kinds only', async function () {
      const r = await get('secrets,nodes', '-A');
      assert.deepEqual(lines(r.stdout), [
        'NAMESPACE   NAME         TYPE                DATA   AGE',
        'shop        secret/tls   kubernetes.io/tls   2      60m',
        '',
        'NAME      STATUS   ROLES    AGE   VERSION',
        'node/n1   Ready    <none>   60m   v1.36.0',
      ]);
    });
  });

  describe('table flags', function () {
    it('--no-headers, --show-labels, -L, --show-kind', async function () {
      const r = await get('pods', '-n', 'shop', '-l', 'app=web', '--no-headers', '--show-labels', '-L', 'tier', '--show-kind');
      // kubectl's tabwriter makes every column but the last at least 6 wide, gap included: "0     ".
      assert.deepEqual(lines(r.stdout), ['pod/web-1   1/1   Running   0     60m   fe    app=web,tier=fe', 'pod/web-2   0/1   Pending   0     60m   be    app=web,tier=be']);
    });
    it('-L repeated, headers from the label key', async function () {
      const r = await get('-L', 'app', 'pods', 'web-1', '-n', 'shop', '-L', 'example.com/tier');
      assert.deepEqual(lines(r.stdout)[0], 'NAME    READY   STATUS    RESTARTS   AGE   APP   TIER');
    });
  });

  describe('selection', function () {
    it('-l with kubectl syntax, in every format', async function () {
      const names = async (...args: string[]) => lines((await get('pods', '-n', 'shop', '-o', 'name', ...args)).stdout);
      assert.deepEqual(await names('-l', 'app=web'), ['pod/web-1', 'pod/web-2']);
      assert.deepEqual(await names('-l', 'app in (db,cache)'), ['pod/db-0']);
      assert.deepEqual(await names('-l', 'app=web,tier!=fe'), ['pod/web-2']);
      assert.deepEqual(await names('-l', '!tier'), ['pod/db-0']);
      assert.deepEqual(await names('--selector', 'tier'), ['pod/web-1', 'pod/web-2']);
      const listed = yaml.load((await get('pods', '-n', 'shop', '-o', 'yaml', '-l', 'app notin (web)', '--workers', '2')).stdout.toString()) as { items: { metadata: { name: string } }[] };
      assert.deepEqual(
        listed.items.map((i) => i.metadata.name),
        ['db-0'],
      );
    });
    it('--field-selector on names and per-kind fields', async function () {
      const names = async (...args: string[]) => lines((await get(...args, '-o', 'name')).stdout);
      assert.deepEqual(await names('pods', '-n', 'shop', '--field-selector', 'status.phase=Running'), ['pod/db-0', 'pod/web-1']);
      assert.deepEqual(await names('pods', '-n', 'shop', '--field-selector', 'spec.nodeName=n1'), ['pod/web-1']);
      assert.deepEqual(await names('pods', '-n', 'shop', '--field-selector', 'metadata.name!=web-1,status.phase==Running'), ['pod/db-0']);
      assert.deepEqual(await names('secrets', '-A', '--field-selector', 'type=kubernetes.io/tls'), ['secret/tls']);
      assert.deepEqual(await names('widgets', '-n', 'shop', '--field-selector', 'spec.color=blue'), ['widget.example.com/w2']);
    });
    it('refuses a field the kind cannot be selected by', async function () {
      const r = await get('deploy', '-n', 'shop', '--field-selector', 'status.phase=Running');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /^kreg: field label not supported for "deployments": status\.phase/);
      assert.equal(lines(r.stderr).length, 1);
    });
    it('says what is wrong with a bad selector, in one line, before anything is read', async function () {
      const untouchable = new Proxy({} as EntrySource, {
        get: (_t, name) => {
          if (name === 'then') return undefined;
          throw new Error(`the source was used: ${String(name)}`);
        },
      });
      for (const [flag, text, message] of [
        ['-l', 'app in (web', /^kreg: bad label selector "app in \(web": "," or "\)" expected/],
        ['-l', 'app==-x', /^kreg: bad label selector "app==-x": invalid label value "-x"/],
        ['--field-selector', 'status.phase', /^kreg: bad field selector "status\.phase": /],
      ] as const) {
        const r = await runKreg(['get', 'pods', flag, text], { source: untouchable });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, message);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.equal(r.stdout.length, 0);
      }
    });
    it('TYPE/NAME arguments, and -o name fed back in', async function () {
      const r = await get('deploy/web', 'po/web-1', '-n', 'shop', '-o', 'name');
      assert.deepEqual(lines(r.stdout), ['deployment.apps/web', 'pod/web-1']);
      const again = await get(...lines(r.stdout), '-n', 'shop');
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout.toString(), /^NAME +READY +UP-TO-DATE +AVAILABLE +AGE\ndeployment\.apps\/web +1\/2 /);
      assert.match(again.stdout.toString(), /\n\nNAME +READY +STATUS +RESTARTS +AGE\npod\/web-1 +1\/1 +Running /);
    });
    it('refuses a name with a label selector, as kubectl does', async function () {
      const r = await get('pods', 'web-1', '-n', 'shop', '-l', 'app=web');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /^kreg: a name cannot be given with a label selector/);
    });
    it('refuses TYPE/NAME mixed with a bare name', async function () {
      const r = await get('deploy', 'pod/web-1', '-n', 'shop');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /all must be/);
    });
    it('says "No resources found" as kubectl words it, on stderr', async function () {
      const inNamespace = await get('pods', '-n', 'empty');
      assert.equal(inNamespace.code, 0);
      assert.equal(inNamespace.stdout.length, 0);
      assert.equal(inNamespace.stderr, 'No resources found in empty namespace.\n');
      assert.equal((await get('pods', '-n', 'shop', '-l', 'app=none')).stderr, 'No resources found in shop namespace.\n');
      assert.equal((await get('pods', '-A', '-l', 'app=none')).stderr, 'No resources found\n');
      assert.equal((await get('pv')).stderr, 'No resources found\n');
    });
  });
});
