/**
 * kreg get's kubectl printers over an in-memory source: -o jsonpath and jsonpath-file,
 * -o custom-columns and custom-columns-file, --sort-by, and their errors (one line, non-zero
 * exit, before the source is touched).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../src/codec/json-value.js';
import { parseGoJson } from '../src/codec/go-json.js';
import { formatYaml } from '../src/format/object-text.js';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { EntrySource } from '../src/sources/source.js';
import { runKreg } from './support/run-cli.js';

const pod = (name: string, phase: string, nodeName: string | undefined, restarts: number, created: string, cpu: string): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', creationTimestamp: created, labels: { app: name.split('-')[0] ?? name } },
  spec: { ...(nodeName === undefined ? {} : { nodeName }), containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu } } }] },
  status: { phase, containerStatuses: [{ name: 'app', ready: phase === 'Running', restartCount: restarts, image: 'nginx' }] },
});

const lines = (text: Buffer | string): string[] => text.toString().trimEnd().split('\n');

/** A source that fails the test if anything is read from it. */
const untouchable = new Proxy({} as EntrySource, {
  get: (_t, name) => {
    if (name === 'then') return undefined;
    throw new Error(`the source was used: ${String(name)}`);
  },
});

describe('kreg get: jsonpath, custom columns, --sort-by', function () {
  let source: MemorySource;
  let dir: string;

  before(function () {
    source = new MemorySource({ description: 'memory' });
    // Keys sort web-10 < web-2 < web-9; creation times and restarts give other orders.
    source.put('/registry/pods/shop/web-10', encode(pod('web-10', 'Running', 'n2', 7, '2026-01-01T00:00:03Z', '1')));
    source.put('/registry/pods/shop/web-2', encode(pod('web-2', 'Pending', undefined, 0, '2026-01-01T00:00:01Z', '250m')));
    source.put('/registry/pods/shop/web-9', encode(pod('web-9', 'Running', 'n1', 12, '2026-01-01T00:00:02Z', '1500m')));
    dir = mkdtempSync(join(tmpdir(), 'kreg-output-'));
  });

  const get = (...args: string[]) => runKreg(['get', ...args], { source });

  describe('-o jsonpath', function () {
    it('runs the template over a List of the listing, as kubectl', async function () {
      const r = await get('pods', '-n', 'shop', '-o', 'jsonpath={.kind} {.items[*].metadata.name}');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'List web-10 web-2 web-9');
    });
    it('range, filters and escapes: which pods run where', async function () {
      const r = await get('pods', '-n', 'shop', '-o', 'jsonpath={range .items[?(@.status.phase=="Running")]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'web-10\tn2\nweb-9\tn1\n');
    });
    it('runs over the object itself for one named object', async function () {
      const r = await get('pod', 'web-9', '-n', 'shop', '-o', 'jsonpath={.metadata.name}:{.status.containerStatuses[0].restartCount}');
      assert.equal(r.stdout.toString(), 'web-9:12');
    });
    it('reads the template from -o jsonpath-file', async function () {
      const file = join(dir, 'names.jsonpath');
      writeFileSync(file, '{range .items[*]}{.metadata.name}{"\\n"}{end}');
      const r = await get('pods', '-n', 'shop', '-o', `jsonpath-file=${file}`);
      assert.deepEqual(lines(r.stdout), ['web-10', 'web-2', 'web-9']);
    });
    it('prints nothing for a missing field, or fails with --allow-missing-template-keys=false', async function () {
      const allowed = await get('pods', '-n', 'shop', '-o', 'jsonpath={.items[*].spec.nodeName}');
      assert.equal(allowed.stdout.toString(), 'n2 n1');
      const strict = await get('pods', '-n', 'shop', '-o', 'jsonpath={.items[*].spec.priorityClassName}', '--allow-missing-template-keys=false');
      assert.equal(strict.code, 1);
      assert.equal(strict.stderr, 'kreg: error executing jsonpath "{.items[*].spec.priorityClassName}": priorityClassName is not found\n');
      assert.equal(strict.stdout.length, 0);
    });
  });

  describe('-o custom-columns', function () {
    it("prints kubectl's columns, <none> for what is missing, at least 6 wide", async function () {
      const r = await get(
        'pods',
        '-n',
        'shop',
        '-o',
        'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,R:.status.containerStatuses[*].restartCount,CPU:{.spec.containers[0].resources.requests.cpu}',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), ['NAME     NODE     R     CPU', 'web-10   n2       7     1', 'web-2    <none>   0     250m', 'web-9    n1       12    1500m']);
    });
    it('--no-headers, and maps and lists as Go prints them', async function () {
      const r = await get('pod', 'web-2', '-n', 'shop', '--no-headers', '-o', 'custom-columns=L:metadata.labels,I:.spec.containers[*].image');
      assert.deepEqual(lines(r.stdout), ['map[app:web]   nginx']);
    });
    it('reads headers and paths from -o custom-columns-file', async function () {
      const file = join(dir, 'columns.txt');
      writeFileSync(file, 'NAME    PHASE\n.metadata.name   .status.phase\n');
      const r = await get('pods', '-n', 'shop', '-o', `custom-columns-file=${file}`);
      assert.deepEqual(lines(r.stdout), ['NAME     PHASE', 'web-10   Running', 'web-2    Pending', 'web-9    Running']);
    });
  });

  describe('--sort-by', function () {
    const names = async (...args: string[]) => lines((await get('pods', '-n', 'shop', '-o', 'name', ...args)).stdout);
    it('sorts strings naturally, numbers as numbers, timestamps as times, quantities as quantities', async function () {
      assert.deepEqual(await names('--sort-by', '.metadata.name'), ['pod/web-2', 'pod/web-9', 'pod/web-10']);
      assert.deepEqual(await names('--sort-by', '{.status.containerStatuses[0].restartCount}'), ['pod/web-2', 'pod/web-10', 'pod/web-9']);
      assert.deepEqual(await names('--sort-by=.metadata.creationTimestamp'), ['pod/web-2', 'pod/web-9', 'pod/web-10']);
      assert.deepEqual(await names('--sort-by', 'spec.containers[0].resources.requests.cpu'), ['pod/web-2', 'pod/web-10', 'pod/web-9']);
    });
    it('puts objects without the field first, and sorts tables and jsonpath too', async function () {
      assert.deepEqual(await names('--sort-by', '.spec.nodeName'), ['pod/web-2', 'pod/web-9', 'pod/web-10']);
      const table = await get('pods', '-n', 'shop', '--sort-by', '.metadata.creationTimestamp', '--no-headers');
      assert.deepEqual(
        lines(table.stdout).map((l) => l.split(/ +/)[0]),
        ['web-2', 'web-9', 'web-10'],
      );
      const jsonpath = await get('pods', '-n', 'shop', '--sort-by', '.status.containerStatuses[0].restartCount', '-o', 'jsonpath={.items[*].metadata.name}');
      assert.equal(jsonpath.stdout.toString(), 'web-2 web-10 web-9');
    });
    it('fails as kubectl when no object has the field', async function () {
      const r = await get('pods', '-n', 'shop', '--sort-by', '.spec.nope');
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'kreg: --sort-by {.spec.nope}: couldn\'t find any field with path "{.spec.nope}" in the list of objects\n');
    });
  });

  describe('bad expressions: one line, a non-zero exit, nothing read', function () {
    const cases: [string[], RegExp][] = [
      [['-o', 'jsonpath={.items[*}'], /^kreg: error parsing jsonpath \{\.items\[\*\}, unterminated array\n$/],
      [['-o', 'jsonpath={.kind'], /^kreg: error parsing jsonpath \{\.kind, unclosed action\n$/],
      [['-o', 'jsonpath={end}'], /^kreg: error parsing jsonpath \{end\}, not in range, nothing to end\n$/],
      [['-o', 'jsonpath='], /^kreg: template format specified but no template given\n$/],
      [['-o', 'jsonpath-file=/nonexistent/kreg.tmpl'], /^kreg: \/nonexistent\/kreg\.tmpl: no such file\n$/],
      [['-o', 'custom-columns=NAME'], /^kreg: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n$/],
      [['-o', 'custom-columns=N:{.a}{.b}'], /^kreg: unexpected path string, expected /],
      [['-o', 'custom-columns=N:.a[x]'], /^kreg: error parsing jsonpath \{\.a\[x\]\}, invalid array index x\n$/],
      [['-o', 'custom-columns='], /^kreg: custom-columns format specified but no custom columns given\n$/],
      [['-o', 'yamlish'], /^kreg: invalid output format "yamlish": use one of yaml, json, name, wide, ndjson, jsonpath=\.\.\., /],
      [['--sort-by', '{.a'], /^kreg: --sort-by \{\.a: unexpected path string/],
      [['--sort-by', '.a[?(@.b'], /^kreg: --sort-by \.a\[\?\(@\.b: unterminated filter\n$/],
    ];
    for (const [args, message] of cases) {
      it(args.join(' '), async function () {
        const r = await runKreg(['get', 'pods', ...args], { source: untouchable });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, message);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.equal(r.stdout.length, 0);
      });
    }
  });
});

/** kube-root-ca.crt's annotation: long enough to fold, at places that depend on its column. */
const LONG_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

describe('kreg get: YAML and JSON as kubectl prints them', function () {
  let source: MemorySource;
  const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }];

  before(function () {
    source = new MemorySource({ description: 'memory' });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', managedFields }, data: { a: 'b' } };
    source.put('/registry/configmaps/shop/c', encode(cm), { lease: String(0x694d7d8a4c1b1a05n) });
    const annotations = { 'kubernetes.io/description': LONG_DESCRIPTION };
    source.put('/registry/configmaps/fold/d', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'fold', annotations }, data: { a10: '1', a9: '2' } }));
  });

  const get = (...args: string[]) => runKreg(['get', 'cm', ...args, '-n', 'shop'], { source });

  it('hides managedFields unless --show-managed-fields, in every object format', async function () {
    for (const format of ['yaml', 'json', 'ndjson']) {
      for (const name of [['c'], []]) {
        const hidden = await get(...name, '-o', format);
        assert.equal(hidden.code, 0, hidden.stderr);
        assert.doesNotMatch(hidden.stdout.toString(), /managedFields/, `${format} ${name.join('')}`);
        assert.match(hidden.stdout.toString(), /"?namespace"?: ?"?shop/, 'the rest of metadata stays');
        const shown = await get(...name, '-o', format, '--show-managed-fields', '--workers', '0');
        assert.match(shown.stdout.toString(), /managedFields[\s\S]*kubectl-client-side-apply/, `${format} ${name.join('')}`);
      }
    }
    assert.equal((await get('c', '-o', 'jsonpath={.metadata.managedFields}')).stdout.toString(), '');
    assert.equal((await get('c', '-o', 'jsonpath={.metadata.managedFields[0].manager}', '--show-managed-fields')).stdout.toString(), 'kubectl-client-side-apply');
  });

  it('--show-etcd: the etcd section after the object, lease in hex as etcdctl prints it', async function () {
    const yamlText = (await get('c', '-o', 'yaml', '--show-etcd')).stdout.toString();
    const topLevel = yamlText.split('\n').filter((l) => /^[a-z]/i.test(l));
    assert.deepEqual(topLevel, ['apiVersion: v1', 'data:', 'kind: ConfigMap', 'metadata:', 'etcd:']);
    assert.match(yamlText, /\n {2}lease: 694d7d8a4c1b1a05\n/);
    const json = (await get('c', '-o', 'json', '--show-etcd')).stdout.toString();
    assert.deepEqual(Object.keys(JSON.parse(json) as object), ['apiVersion', 'data', 'kind', 'metadata', 'etcd']);
    const listed = JSON.parse((await get('-o', 'json', '--show-etcd')).stdout.toString()) as { items: { etcd: { key: string } }[] };
    assert.equal(listed.items[0]?.etcd.key, '/registry/configmaps/shop/c');
    const line = JSON.parse((await get('-o', 'ndjson', '--show-etcd')).stdout.toString()) as { etcd: { lease: string } };
    assert.equal(line.etcd.lease, '694d7d8a4c1b1a05');
    assert.equal((await get('c', '-o', 'jsonpath={.etcd.lease}', '--show-etcd')).stdout.toString(), '694d7d8a4c1b1a05');
  });

  it('-o json, -o ndjson and -o yaml of a listing are the same written on worker threads or not', async function () {
    source.put('/registry/secrets/shop/s', encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { token: 'c2VjcmV0' }, type: 'Opaque' }));
    const getAll = (...args: string[]) => runKreg(['get', 'cm,secrets', '-A', ...args], { source });
    for (const format of ['json', 'ndjson', 'yaml']) {
      for (const view of [[], ['--show-secrets', '--show-managed-fields']]) {
        const here = await getAll('-o', format, ...view, '--workers', '0');
        const threads = await getAll('-o', format, ...view, '--workers', '2');
        assert.equal(here.code, 0, here.stderr);
        assert.ok(here.stdout.length > 0);
        assert.equal(threads.stdout.toString(), here.stdout.toString(), `${format} ${view.join(' ')}`);
        assert.equal(here.stdout.toString().includes('c2VjcmV0'), view.length > 0, 'Secret data shown only when asked');
      }
    }
  });

  it('-o yaml of a listing is the YAML kubectl prints for the List: items folded at their own columns', async function () {
    const getAll = (...args: string[]) => runKreg(['get', 'cm', '-A', ...args], { source });
    for (const workers of ['0', '2']) {
      const listed = (await getAll('-o', 'yaml', '--workers', workers)).stdout.toString();
      const list = parseGoJson((await getAll('-o', 'json', '--workers', workers)).stdout.toString()) as JsonObject;
      assert.equal(listed, formatYaml(list), `--workers ${workers}`);
      // Two columns further right than on its own, the annotation folds elsewhere.
      const alone = (await runKreg(['get', 'cm', 'd', '-n', 'fold', '-o', 'yaml'], { source })).stdout.toString();
      assert.match(alone, /\n {6}or kubernetes\.default\.svc\. /);
      assert.match(listed, /\n {8}IP or kubernetes\.default\.svc\. /);
      assert.match(listed, /\n {4}a9: "2"\n {4}a10: "1"\n/);
    }
  });
});

describe('kreg get on worker threads: many batches, their shared slots used again', function () {
  let source: MemorySource;

  before(function () {
    source = new MemorySource({ description: 'memory' });
    // Enough entries for many more batches than are in flight, so that each batch's slot of shared
    // memory carries later batches; text of every kind of character.
    for (let i = 0; i < 3000; i++) {
      const name = `cm-${String(i).padStart(4, '0')}`;
      const text = `${'ü→✓ "quoted" \\ tab\t'.repeat(i % 40)}${'x'.repeat((i * 37) % 3000)}`;
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bulk', labels: { n: String(i) } }, data: { text } };
      // Every 50th stored as JSON (the object path in the worker), a few damaged (a note each, no object; two in one batch).
      if (i % 50 === 7) source.put(`/registry/configmaps/bulk/${name}`, Buffer.from(JSON.stringify(object)));
      else if (i === 1234 || i === 1240 || i === 2500) source.put(`/registry/configmaps/bulk/${name}`, Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x7f, 0x01])]));
      else source.put(`/registry/configmaps/bulk/${name}`, encode(object));
    }
    // One value larger than a batch's slot for values and its slot for text: memory of the batch's own then.
    source.put('/registry/configmaps/bulk/cm-big', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-big', namespace: 'bulk' }, data: { big: 'y'.repeat(9 * 1024 * 1024) } }));
  });

  for (const format of ['ndjson', 'json', 'yaml', 'name']) {
    it(`-o ${format}: the same as written on the main thread`, async function () {
      this.timeout(60_000);
      const getAll = (workers: string) => runKreg(['get', 'cm', '-n', 'bulk', '-o', format, '--workers', workers], { source, stdoutHoldsChunks: true });
      const here = await getAll('0');
      assert.equal(here.code, 1, 'the damaged value is a failure');
      // The note names the key: on stderr, or as a YAML comment in the output.
      for (const damaged of ['cm-1234', 'cm-1240', 'cm-2500']) assert.ok((here.stderr + here.stdout.toString()).includes(`configmaps/bulk/${damaged}:`), damaged);
      assert.ok(here.stdout.toString().includes(format === 'name' ? 'configmap/cm-2999' : 'ü→✓'));
      for (const workers of ['1', '2']) {
        const threads = await getAll(workers);
        assert.equal(threads.code, here.code, `--workers ${workers}`);
        assert.equal(threads.stderr, here.stderr, `--workers ${workers}`);
        assert.ok(threads.stdout.equals(here.stdout), `--workers ${workers}: ${threads.stdout.length} bytes against ${here.stdout.length}`);
      }
    });
  }
});
