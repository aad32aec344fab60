/**
 * Secret data never shows without --show-secrets: every command and output format, over Secrets
 * stored as protobuf (with kubectl's last-applied annotation holding the data again), JSON and
 * CBOR, a changed Secret (history and diff compare two values), and a non-Kubernetes value under
 * the Secret prefix. The test looks for the values, their base64 and their hex anywhere in
 * stdout and stderr.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCbor } from '../src/codec/cbor.js';
import type { JsonObject } from '../src/codec/json-value.js';
import { decode, encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { runKreg, type CliResult } from './support/run-cli.js';

const FIRST = 'hunter2-TOPSECRET-first';
const SECOND = 'swordfish-TOPSECRET-second';
const JUNK = 'opaque-TOPSECRET-junk';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

function secret(name: string, value: string, lastApplied: boolean): JsonObject {
  const object: JsonObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, type: 'Opaque', data: { password: b64(value) } };
  if (lastApplied) {
    const applied = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, type: 'Opaque', data: { password: b64(value) }, stringData: { plain: value } };
    (object.metadata as JsonObject).annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` };
  }
  return object;
}

/** Every form the secret values could take in output. */
const FORBIDDEN = [FIRST, SECOND, JUNK].flatMap((v) => [v, b64(v), Buffer.from(v).toString('hex'), b64(b64(v))]);

function assertNoLeak(what: string, r: CliResult): void {
  const text = r.stdout.toString('utf8') + r.stderr;
  for (const form of FORBIDDEN) assert.ok(!text.includes(form), `${what} printed ${form}:\n${text}`);
}

describe('Secret data is masked in every output', function () {
  let source: MemorySource;
  let dir: string;

  before(function () {
    source = new MemorySource({ description: 'memory' });
    source.put('/registry/secrets/shop/s-pb', encode(secret('s-pb', FIRST, true)));
    source.put('/registry/secrets/shop/s-json', `${JSON.stringify(secret('s-json', FIRST, true))}\n`);
    const cbor = encodeCbor(secret('s-cbor', FIRST, false));
    assert.equal(decode(cbor).format, 'cbor');
    source.put('/registry/secrets/shop/s-cbor', cbor);
    source.put('/registry/secrets/shop/junk', Buffer.from(JUNK));
    source.put('/registry/secrets/shop/s-pb', encode(secret('s-pb', SECOND, true)));
    dir = mkdtempSync(join(tmpdir(), 'kreg-masking-'));
    writeFileSync(join(dir, 's-pb.json'), JSON.stringify(secret('s-pb', FIRST, true)));
    writeFileSync(join(dir, 'value.pb'), encode(secret('s-pb', FIRST, true)));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const runs: [string, string[]][] = [];
  for (const output of ['yaml', 'json', 'ndjson', 'name', 'wide']) {
    runs.push([`get secrets -o ${output}`, ['get', 'secrets', '-n', 'shop', '-o', output]]);
    runs.push([`get -A -o ${output}`, ['get', '-A', '-o', output]]);
    for (const name of ['s-pb', 's-json', 's-cbor']) runs.push([`get secret ${name} -o ${output}`, ['get', 'secret', name, '-n', 'shop', '-o', output]]);
  }
  runs.push(['get secrets (table)', ['get', 'secrets', '-n', 'shop']]);
  runs.push(['get by key', ['get', '/registry/secrets/shop/s-pb', '/registry/secrets/shop/junk', '-o', 'yaml']]);
  runs.push(['history', ['history', 'secret', 's-pb', '-n', 'shop']]);
  runs.push(['history -o json', ['history', 'secret', 's-pb', '-n', 'shop', '-o', 'json']]);
  runs.push(['history of the junk key', ['history', '/registry/secrets/shop/junk']]);

  for (const [what, args] of runs) {
    it(what, async function () {
      const r = await runKreg(args, { source });
      assert.ok(r.stdout.length > 0 || r.stderr.length > 0, `${what}: no output at all`);
      assertNoLeak(what, r);
    });
  }

  it('diff against a manifest of the Secret', async function () {
    const r = await runKreg(['diff', 'secrets', '-n', 'shop', '--from', 'etcd', '--to', `dir:${dir}`], { source });
    // 2: the junk value could not be compared (diff says so and still shows the rest).
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\/registry\/secrets\/shop\/junk: value is opaque/);
    assert.match(r.stdout.toString(), /\*\*\* \(before\)/);
    assertNoLeak('diff', r);
  });

  it('decode of a stored Secret', async function () {
    const r = await runKreg(['decode', join(dir, 'value.pb')]);
    assert.equal(r.code, 0, r.stderr);
    assertNoLeak('decode', r);
  });

  it('shows the values with --show-secrets, and only then', async function () {
    const r = await runKreg(['get', 'secret', 's-pb', '-n', 'shop', '-o', 'yaml', '--show-secrets'], { source });
    assert.ok(r.stdout.toString().includes(b64(SECOND)));
    const d = await runKreg(['decode', '--show-secrets', join(dir, 'value.pb')]);
    assert.ok(d.stdout.toString().includes(b64(FIRST)));
  });
});
