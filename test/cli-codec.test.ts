/**
 * kreg decode and kreg encode as a user runs them: pipes from etcdctl, files, output formats, and
 * one clear line with a non-zero exit for bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { runKreg } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db-password
  namespace: shop
  labels: {app: db}
type: Opaque
data:
  password: aHVudGVyMg==
`;

describe('kreg decode / kreg encode', function () {
  let dir: string;
  let stored: Buffer;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-cli-'));
    writeFileSync(join(dir, 'secret.yaml'), secretYaml);
    const encoded = await runKreg(['encode', join(dir, 'secret.yaml')]);
    assert.equal(encoded.code, 0, encoded.stderr);
    stored = encoded.stdout;
    writeFileSync(join(dir, 'secret.pb'), stored);
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('encodes YAML into the protobuf envelope', function () {
    assert.equal(stored.subarray(0, 4).toString('latin1'), 'k8s\0');
    assert.ok(stored.includes(Buffer.from('db-password')));
  });

  it('decodes a file to YAML laid out like kubectl get -o yaml', async function () {
    const r = await runKreg(['decode', join(dir, 'secret.pb')]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /^apiVersion: v1\ndata:\n {2}password: aHVudGVyMg==\nkind: Secret\nmetadata:\n/);
    assert.deepEqual(yaml.load(text), yaml.load(secretYaml));
  });

  it('decodes etcdctl output from standard input: key line and trailing newline', async function () {
    const etcdctlGet = Buffer.concat([Buffer.from('/registry/secrets/shop/db-password\n'), stored, Buffer.from('\n')]);
    const r = await runKreg(['decode', '-o', 'json'], { input: etcdctlGet });
    assert.equal(r.code, 0, r.stderr);
    const object = JSON.parse(r.stdout.toString()) as { metadata: { name: string } };
    assert.equal(object.metadata.name, 'db-password');
    assert.match(r.stdout.toString(), /^\{\n {4}"apiVersion": "v1",/);
  });

  it('round-trips decode | encode to the same bytes', async function () {
    const decoded = await runKreg(['decode', join(dir, 'secret.pb')]);
    const encoded = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(encoded.code, 0, encoded.stderr);
    assert.equal(Buffer.compare(encoded.stdout, stored), 0);
  });

  it('reports a truncated protobuf value in one line with the byte offset', async function () {
    const r = await runKreg(['decode'], { input: stored.subarray(0, stored.length - 7) });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^kreg: .*truncated.*byte \d+/);
  });

  it('names the file in the error', async function () {
    writeFileSync(join(dir, 'cut.pb'), stored.subarray(0, 30));
    const r = await runKreg(['decode', join(dir, 'cut.pb')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^kreg: ${join(dir, 'cut.pb').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('rejects a wrong magic', async function () {
    const r = await runKreg(['decode'], { input: Buffer.concat([Buffer.from('k8s\x01'), stored.subarray(4)]) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^kreg: wrong magic/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('rejects invalid JSON', async function () {
    const r = await runKreg(['decode'], { input: '{"apiVersion": "v1", "kind": ' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^kreg: /);
  });

  it('refuses to encode an unknown kind', async function () {
    const r = await runKreg(['encode'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^kreg: standard input: unknown kind Widget in example.com\/v1/);
    assert.equal(r.stdout.length, 0);
  });

  it('refuses to encode a field the kind does not have, naming it', async function () {
    const r = await runKreg(['encode'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nspec: {}\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "spec" in ConfigMap \(at field spec\)/);
  });

  it('describes an encrypted value instead of decoding it', async function () {
    const r = await runKreg(['decode'], { input: Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.alloc(32, 7)]) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /encrypted at rest by the aescbc v1 provider with key "key1"/);
  });

  it('refuses to write binary to a terminal', function () {
    // script(1) gives the command a pseudo-terminal as its standard output.
    const probe = spawnSync('script', ['--version']);
    if (probe.error !== undefined) this.skip();
    const r = spawnSync('script', ['-qec', `${process.execPath} ${REPO_ROOT}bin/kreg.js encode ${join(dir, 'secret.yaml')}`, '/dev/null'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /refusing to write binary storage bytes to a terminal/);
  });

  it('prints help without loading the schema bundle', function () {
    // A fresh process: other tests in this one have loaded the bundle already.
    const script = `
      const { main } = await import(${JSON.stringify(`${REPO_ROOT}dist/src/cli/main.js`)});
      const { processIo } = await import(${JSON.stringify(`${REPO_ROOT}dist/src/cli/io.js`)});
      const { isSchemaLoaded } = await import(${JSON.stringify(`${REPO_ROOT}dist/src/schema-bundle.js`)});
      await main(['--help'], processIo());
      console.log('schema loaded: ' + isSchemaLoaded());`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /kreg decode \[file\]/);
    assert.match(r.stdout, /schema loaded: false/);
  });
});
