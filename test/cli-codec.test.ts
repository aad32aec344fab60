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
import { parseEtcdctlOutput } from '../src/cli/etcdctl-output.js';
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
    const r = await runKreg(['decode', '--show-secrets', join(dir, 'secret.pb')]);
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

  it('round-trips decode --show-secrets | encode to the same bytes', async function () {
    const decoded = await runKreg(['decode', '--show-secrets', join(dir, 'secret.pb')]);
    const encoded = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(encoded.code, 0, encoded.stderr);
    assert.equal(Buffer.compare(encoded.stdout, stored), 0);
  });

  it('masks Secret data by default, and encode says why a masked Secret cannot be stored', async function () {
    const decoded = await runKreg(['decode', join(dir, 'secret.pb')]);
    assert.match(decoded.stdout.toString(), /^ {2}password: '\*\*\*'$/m);
    const encoded = await runKreg(['encode'], { input: decoded.stdout });
    assert.equal(encoded.code, 1);
    assert.match(encoded.stderr, /^kreg: standard input: the Secret's data is masked \(\*\*\*\).*--show-secrets/);
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

  it('says standard input is empty, and exits 1', async function () {
    const r = await runKreg(['decode'], { input: '' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^kreg: standard input is empty/);
    assert.equal(r.stdout.length, 0);
  });

  it('says what non-values are: a few bytes, or YAML meant for kreg encode', async function () {
    const hello = await runKreg(['decode'], { input: 'hello' });
    assert.equal(hello.code, 1);
    assert.equal(hello.stderr, 'kreg: not a Kubernetes storage value (5 bytes, starts 68656c6c6f)\n');
    const manifest = await runKreg(['decode', join(dir, 'secret.yaml')]);
    assert.equal(manifest.code, 1);
    assert.match(manifest.stderr, /secret\.yaml: the file holds YAML\/JSON text of an object, not a stored value: did you mean kreg encode\?\n$/);
    const piped = await runKreg(['decode'], { input: secretYaml });
    assert.match(piped.stderr, /^kreg: standard input holds YAML\/JSON text of an object/);
  });

  it('decodes etcdctl get -w json output, every pair, named by key', async function () {
    const kv = (key: string, value: Buffer): object => ({ key: Buffer.from(key).toString('base64'), create_revision: 5, mod_revision: 7, version: 2, value: value.toString('base64') });
    // cluster_id is beyond 2^53: read as an object, it would lose digits.
    const response = `{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":9,"raft_term":2},"kvs":[${JSON.stringify(kv('/registry/secrets/shop/a', stored))},${JSON.stringify(kv('/registry/secrets/shop/b', stored))}],"count":2}`;
    const r = await runKreg(['decode'], { input: response });
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /^# \/registry\/secrets\/shop\/a\napiVersion: v1\n/);
    assert.match(text, /\n---\n# \/registry\/secrets\/shop\/b\napiVersion: v1\n/);
    assert.equal(yaml.loadAll(text).length, 2);
    const list = await runKreg(['decode', '-o', 'json'], { input: response });
    assert.equal(list.code, 0, list.stderr);
    const parsed = JSON.parse(list.stdout.toString()) as { kind: string; items: { kind: string }[] };
    assert.equal(parsed.kind, 'List');
    assert.deepEqual(
      parsed.items.map((i) => i.kind),
      ['Secret', 'Secret'],
    );
  });

  it('decodes an etcdctl get --prefix listing, marking values it cannot decode and exiting 1', async function () {
    const listing = Buffer.concat([
      Buffer.from('/registry/secrets/shop/a\n'),
      stored,
      Buffer.from('\n'),
      Buffer.from('/registry/odd\nhello\n'),
      Buffer.from('/registry/secrets/shop/b\n'),
      stored,
      Buffer.from('\n'),
    ]);
    const r = await runKreg(['decode'], { input: listing });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'kreg: /registry/odd: not a Kubernetes storage value (5 bytes, starts 68656c6c6f)\n');
    const docs = r.stdout.toString().split('---\n');
    assert.equal(docs.length, 3);
    assert.equal(docs[1], '# /registry/odd\n# kreg: not a Kubernetes storage value (5 bytes, starts 68656c6c6f)\n');
    assert.match(docs[2] ?? '', /^# \/registry\/secrets\/shop\/b\napiVersion: v1\n/);
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

describe('etcdctl output parsing', function () {
  const magic = Buffer.from('k8s\0');
  /** A protobuf envelope: typeMeta (field 1) and raw (field 2), each length-delimited. */
  function envelope(raw: Buffer): Buffer {
    const typeMeta = Buffer.from('\x0a\x02v1\x12\x06Secret', 'latin1');
    return Buffer.concat([magic, Buffer.from([0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, raw.length]), raw]);
  }
  const keys = (input: Buffer) => parseEtcdctlOutput(input)?.pairs.map((p) => p.key);

  it('leaves a bare value alone', function () {
    assert.equal(parseEtcdctlOutput(envelope(Buffer.from('x'))), undefined);
    assert.equal(parseEtcdctlOutput(Buffer.from('{"apiVersion":"v1","kind":"ConfigMap"}')), undefined);
    assert.equal(parseEtcdctlOutput(Buffer.from('hello')), undefined);
  });

  it('reads -w json output, base64 keys and values, and an empty response', function () {
    const out = parseEtcdctlOutput(Buffer.from('{"header":{"cluster_id":14841639068965178418},"kvs":[{"key":"L2E=","value":"aGk="}],"count":1}'));
    assert.equal(out?.form, 'json');
    assert.deepEqual(
      out?.pairs.map((p) => [p.key, Buffer.from(p.value).toString()]),
      [['/a', 'hi']],
    );
    assert.deepEqual(parseEtcdctlOutput(Buffer.from('{"header":{"revision":3}}\n'))?.pairs, []);
  });

  it('splits protobuf values by their fields, even when a value holds a key line and a magic', function () {
    // The first value's payload looks exactly like the start of another pair.
    const trap = envelope(Buffer.from('\n/registry/secrets/x/y\nk8s\0\n', 'latin1'));
    const plain = envelope(Buffer.from('ok'));
    const input = Buffer.concat([Buffer.from('/registry/secrets/shop/a\n'), trap, Buffer.from('\n/registry/secrets/shop/b\n'), plain, Buffer.from('\n')]);
    const out = parseEtcdctlOutput(input);
    assert.equal(out?.form, 'lines');
    assert.deepEqual(
      out?.pairs.map((p) => p.key),
      ['/registry/secrets/shop/a', '/registry/secrets/shop/b'],
    );
    assert.equal(Buffer.compare(Buffer.from(out?.pairs[0]?.value ?? []), trap), 0);
    assert.equal(Buffer.compare(Buffer.from(out?.pairs[1]?.value ?? []), plain), 0);
  });

  it("keeps json.Encoder's newline with a JSON value", function () {
    const out = parseEtcdctlOutput(Buffer.from('/registry/a\n{"kind":"X","s":"}\\n/registry/b"}\n\n/registry/b\n{"kind":"Y"}\n'));
    assert.deepEqual(
      out?.pairs.map((p) => [p.key, Buffer.from(p.value).toString()]),
      [
        ['/registry/a', '{"kind":"X","s":"}\\n/registry/b"}\n'],
        ['/registry/b', '{"kind":"Y"}'],
      ],
    );
  });

  it('splits opaque values at the next key line under the same prefix', function () {
    assert.deepEqual(keys(Buffer.from('/registry/a\nhello\n/registry/b\nworld\n/etc/c\n')), ['/registry/a', '/registry/b']);
    assert.deepEqual(keys(Buffer.from('/registry/a\nvalue without final newline')), ['/registry/a']);
  });
});
