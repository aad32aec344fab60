/** kreg keys explain / for / list as a user runs them: offline, built-in resources. */
import assert from 'node:assert/strict';
import { runKreg } from './support/run-cli.js';

interface Explained {
  etcdKey: string;
  kind?: string;
  restPath?: string;
  namespace?: string;
  name?: string;
}

describe('kreg keys', function () {
  it('explains an etcd key: kind Service and the REST path serving it', async function () {
    const r = await runKreg(['keys', 'explain', '/registry/services/specs/default/kubernetes', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as Explained;
    assert.equal(out.kind, 'Service');
    assert.equal(out.restPath, 'GET /api/v1/namespaces/default/services/kubernetes');
    assert.equal(out.namespace, 'default');
    assert.equal(out.name, 'kubernetes');
  });

  it('explains by default as a readable field: value block', async function () {
    const r = await runKreg(['keys', 'explain', '/registry/services/specs/default/kubernetes']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /^etcdKey: +\/registry\/services\/specs\/default\/kubernetes$/m);
    assert.match(text, /^kind: +Service$/m);
  });

  it('explains an API URL by giving back the etcd key', async function () {
    const r = await runKreg(['keys', 'explain', 'https://127.0.0.1:6443/api/v1/namespaces/default/services/kubernetes?pretty', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as Explained;
    assert.equal(out.etcdKey, '/registry/services/specs/default/kubernetes');
    assert.equal(out.kind, 'Service');
  });

  it('gives the key of a deployment by short name and namespace', async function () {
    const r = await runKreg(['keys', 'for', 'deploy', '-n', 'shop', 'web', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as Explained;
    assert.equal(out.etcdKey, '/registry/deployments/shop/web');
    assert.equal(out.restPath, 'GET /apis/apps/v1/namespaces/shop/deployments/web');
  });

  it('gives the /registry/minions/ listing prefix for nodes', async function () {
    const r = await runKreg(['keys', 'for', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^etcdKey: +\/registry\/minions\/$/m);
  });

  it('lists built-in resources as JSON, services under /registry/services/specs/', async function () {
    const r = await runKreg(['keys', 'list', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout.toString()) as { resource: string; group: string; kind: string; etcdPrefix: string }[];
    const services = rows.find((row) => row.resource === 'services' && row.group === '');
    assert.ok(services !== undefined);
    assert.equal(services.etcdPrefix, '/registry/services/specs/');
    assert.equal(services.kind, 'Service');
  });

  it('lists built-in resources as a table', async function () {
    const r = await runKreg(['keys', 'list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^RESOURCE +GROUP +KIND +NAMESPACED +STORAGE VERSION +ETCD PREFIX$/);
    assert.ok(lines.some((line) => /^nodes +Node +false +v1 +\/registry\/minions\/$/.test(line)));
  });

  it('an unknown resource exits 1 with one line on stderr', async function () {
    const r = await runKreg(['keys', 'for', 'widgets', 'w1']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.length, 0);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^kreg: unknown resource "widgets"/);
  });

  it('a key outside the prefix exits 1 with one line on stderr', async function () {
    const r = await runKreg(['keys', 'explain', '/other/services/x']);
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /not under the etcd prefix/);
  });
});
