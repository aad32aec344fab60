/**
 * KMS v1 and v2 values decrypted through a real KMS plugin: a gRPC server on a unix socket
 * (test/support/kms-plugin.ts) that holds the KEK. The plugin counts its calls: one Decrypt per
 * distinct DEK, however many values share it. Also the upstream KMS v2 values written by
 * kube-apiserver, through the plugin in the mode of the mock plugin that wrote them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../src/codec/json-value.js';
import { KMS_V2 } from '../src/codec/kms-plugin-messages.js';
import { KmsDekResolver, parseKmsSockets } from '../src/decryption/kms-dek-resolver.js';
import { parseEncryptionConfigText } from '../src/decryption/node-decryptor.js';
import { decode, encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { encryptionConfigYaml } from './support/encrypt.js';
import { kmsV1Value, kmsV2Value, startKmsPlugin, type KmsPlugin } from './support/kms-plugin.js';
import { runKreg, runKregBinary } from './support/run-cli.js';
import { ENCRYPTION_VECTORS_DIR, requireEncryptionVectors } from './support/shared-data.js';

const PASSWORD = 'kms-TOPSECRET';

function secretBytes(name: string, namespace: string): Uint8Array {
  return encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: { password: Buffer.from(PASSWORD).toString('base64') } });
}

function names(stdout: Buffer): string[] {
  return stdout.toString().trimEnd().split('\n');
}

describe('KMS plugin messages', function () {
  it('write and read back every field, maps included; proto3 defaults are left out', function () {
    const request = { ciphertext: Uint8Array.of(1, 2, 3), uid: 'u-1', keyId: 'k', annotations: { 'a.example.com': Uint8Array.of(9), 'b.example.com': Uint8Array.of() } };
    assert.deepEqual(KMS_V2.DecryptRequest.decode(KMS_V2.DecryptRequest.encode(request)), request);
    assert.equal(KMS_V2.StatusRequest.encode({}).length, 0);
    assert.deepEqual(KMS_V2.StatusResponse.decode(KMS_V2.StatusResponse.encode({ version: 'v2', healthz: 'ok', keyId: '' })), { version: 'v2', healthz: 'ok' });
  });
});

describe('KMS v1 and v2 through a real plugin on its unix socket', function () {
  this.timeout(60_000);
  let plugin: KmsPlugin;
  let v1Plugin: KmsPlugin;
  let dir: string;
  let configFile: string;
  let source: MemorySource;
  const SHARED = 200;

  before(async function () {
    plugin = await startKmsPlugin({ keyID: 'kek-1' });
    v1Plugin = await startKmsPlugin();
    dir = mkdtempSync(join(tmpdir(), 'kreg-kms-test-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      encryptionConfigYaml([
        {
          resources: ['secrets'],
          providers: [
            { type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: plugin.endpoint },
            { type: 'kms', name: 'legacy', apiVersion: 'v1', endpoint: v1Plugin.endpoint },
            { type: 'identity' },
          ],
        },
      ]),
    );
    source = new MemorySource({ description: 'memory' });
    // 200 Secrets under one DEK, 50 under one seed (both DEK source types), KMS v1 in GCM and CBC, one plaintext.
    const dek = randomBytes(32);
    const dekSealed = { encryptedDEKSource: plugin.seal(dek), keyID: 'kek-1', annotations: { 'local-kek.kms.kubernetes.io': Uint8Array.of(1, 2) } };
    for (let i = 0; i < SHARED; i++) {
      const key = `/registry/secrets/a/s${String(i).padStart(3, '0')}`;
      source.put(key, kmsV2Value('vault', dekSealed, { type: 'AES_GCM_KEY', bytes: dek }, secretBytes(`s${String(i).padStart(3, '0')}`, 'a'), key));
    }
    const seed = randomBytes(32);
    const seedSealed = { encryptedDEKSource: plugin.seal(seed), keyID: 'kek-0' };
    for (let i = 0; i < 50; i++) {
      const key = `/registry/secrets/b/x${String(i).padStart(2, '0')}`;
      source.put(key, kmsV2Value('vault', seedSealed, { type: 'HKDF_SHA256_XNONCE_AES_GCM_SEED', bytes: seed }, secretBytes(`x${String(i).padStart(2, '0')}`, 'b'), key));
    }
    const v1Dek = randomBytes(32);
    const v1Sealed = v1Plugin.seal(v1Dek);
    for (const cipher of ['gcm', 'cbc'] as const) {
      const key = `/registry/secrets/c/${cipher}`;
      source.put(key, kmsV1Value('legacy', v1Sealed, v1Dek, secretBytes(cipher, 'c'), key, cipher));
    }
    source.put('/registry/secrets/c/plain', secretBytes('plain', 'c'));
  });
  after(async function () {
    await plugin?.stop();
    await v1Plugin?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(function () {
    for (const p of [plugin, v1Plugin]) {
      p.calls.Decrypt = 0;
      p.failDecrypt = false;
    }
  });

  it('lists every Secret decrypted, with one Decrypt call per distinct DEK', async function () {
    const r = await runKreg(['get', 'secrets', '-A', '-o', 'json', '--encryption-config', configFile, '--workers', '2'], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const items = (JSON.parse(r.stdout.toString()) as { items: JsonObject[] }).items;
    assert.equal(items.length, SHARED + 50 + 3);
    assert.deepEqual(new Set(items.map((i) => i.kind)), new Set(['Secret']));
    assert.equal((items[0]?.metadata as JsonObject).name, 's000');
    assert.equal((items.find((i) => (i.metadata as JsonObject).name === 'cbc')?.data as JsonObject).password, '***');
    // Two DEKs behind the v2 plugin (one DEK, one seed), one behind the v1 plugin.
    assert.equal(plugin.calls.Decrypt, 2);
    assert.equal(v1Plugin.calls.Decrypt, 1);
  });

  it('10,000 Secrets under 3 DEKs: 3 plugin calls', async function () {
    const many = new MemorySource({ description: 'memory' });
    const deks = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const sealed = deks.map((dek) => ({ encryptedDEKSource: plugin.seal(dek), keyID: 'kek-1' }));
    for (let i = 0; i < 10_000; i++) {
      const name = `s${String(i).padStart(5, '0')}`;
      const key = `/registry/secrets/many/${name}`;
      many.put(key, kmsV2Value('vault', sealed[i % 3] as (typeof sealed)[number], { type: 'AES_GCM_KEY', bytes: deks[i % 3] as Buffer }, secretBytes(name, 'many'), key));
    }
    const started = process.hrtime.bigint();
    const r = await runKreg(['get', 'secrets', '-n', 'many', '-o', 'name', '--encryption-config', configFile], { source: many });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(names(r.stdout).length, 10_000);
    assert.equal(plugin.calls.Decrypt, 3);
    console.log(`      10,000 KMS v2 Secrets listed in ${Math.round(ms)} ms with ${plugin.calls.Decrypt} plugin calls`);
  });

  it('--show-secrets shows what the plugin-decrypted DEK opened', async function () {
    const r = await runKreg(['get', 'secrets', 'x07', '-n', 'b', '-o', 'json', '--show-secrets', '--encryption-config', configFile], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Buffer.from(((JSON.parse(r.stdout.toString()) as JsonObject).data as JsonObject).password as string, 'base64').toString(), PASSWORD);
  });

  it('--kms-socket NAME=PATH overrides the endpoint of the config', async function () {
    const moved = join(dir, 'moved.yaml');
    writeFileSync(moved, encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: 'unix:///nonexistent/kms.sock' }] }]));
    const r = await runKreg(['get', 'secrets', '-n', 'b', '-o', 'name', '--encryption-config', moved, '--kms-socket', `vault=${plugin.socketPath}`], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(names(r.stdout).length, 50);
    assert.equal(plugin.calls.Decrypt, 1);
  });

  it('--kms-socket needs NAME=PATH and the config it belongs to', async function () {
    const alone = await runKreg(['get', 'secrets', '-A', '--kms-socket', `vault=${plugin.socketPath}`], { source });
    assert.notEqual(alone.code, 0);
    assert.match(alone.stderr, /--kms-socket names the plugin of a kms provider of --encryption-config: give the config too/);
    const bad = await runKreg(['get', 'secrets', '-A', '--encryption-config', configFile, '--kms-socket', plugin.socketPath], { source });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--kms-socket takes NAME=PATH/);
  });

  it('a plugin that fails: one line per object naming key, provider and plugin; the rest listed; exit 1; asked once per DEK', async function () {
    plugin.failDecrypt = true;
    const r = await runKreg(['get', 'secrets', '-n', 'b', '-o', 'name', '--encryption-config', configFile], { source });
    assert.equal(r.code, 1);
    assert.equal(names(r.stdout).length, 50, 'still listed, as stand-ins');
    const lines = r.stderr.split('\n').filter((l) => l.includes('/registry/secrets/b/'));
    assert.equal(lines.length, 50);
    assert.match(lines[0] as string, /^kreg: \/registry\/secrets\/b\/x00: cannot decrypt with kms v2 provider "vault": its plugin at unix:\/\/.*kms\.sock failed: KMS is down$/);
    assert.equal(plugin.calls.Decrypt, 1);
    // Values the other plugin reads are unaffected.
    const c = await runKreg(['get', 'secrets', '-n', 'c', '-o', 'name', '--encryption-config', configFile], { source });
    assert.equal(c.code, 0, c.stderr);
  });

  it('a plugin that is not running: an error per object, the rest listed, the plugin tried once', async function () {
    const r = await runKreg(['get', 'secrets', '-A', '-o', 'name', '--encryption-config', configFile, '--kms-socket', `vault=${join(dir, 'nothing.sock')}`], { source });
    assert.equal(r.code, 1);
    assert.equal(names(r.stdout).length, SHARED + 50 + 3);
    const failed = r.stderr.split('\n').filter((l) => / cannot decrypt with kms v2 provider "vault": its plugin at unix:\/\/.*nothing\.sock failed/.test(l));
    assert.equal(failed.length, SHARED + 50);
    // Two distinct DEKs, but an unreachable plugin is not asked again.
    const config = parseEncryptionConfigText(readFileSync(configFile, 'utf8'));
    const resolver = new KmsDekResolver(config, parseKmsSockets([`vault=${join(dir, 'nothing.sock')}`]));
    try {
      for (const key of ['/registry/secrets/a/s000', '/registry/secrets/b/x00']) await resolver.prepare((await source.get(key))?.value as Uint8Array);
      assert.equal(resolver.decryptCalls.get('vault'), 1);
    } finally {
      resolver.close();
    }
  });

  it('diff decrypts both sides through the plugin and compares the objects', async function () {
    const r = await runKreg(['diff', 'secrets', '-n', 'b', '--from', 'etcd', '--to', 'etcd', '--encryption-config', configFile], { source });
    assert.equal(r.code, 0, r.stderr + r.stdout.toString());
    assert.match(r.stdout.toString(), /secrets\s+0\s+0\s+0\s+0\s+50/);
    // Each side has its own decryptor: one call per side for the one seed.
    assert.equal(plugin.calls.Decrypt, 2);
  });

  it('history and decode decrypt through the plugin too', async function () {
    const h = await runKreg(['history', 'secret', 'gcm', '-n', 'c', '-o', 'json', '--encryption-config', configFile], { source });
    assert.equal(h.code, 0, h.stderr);
    assert.equal(((JSON.parse(h.stdout.toString()) as { object: JsonObject }[])[0]?.object.metadata as JsonObject).name, 'gcm');
    const key = '/registry/secrets/a/s001';
    const value = (await source.get(key))?.value as Uint8Array;
    const d = await runKreg(['decode', '--encryption-config', configFile, '--etcd-key', key, '-o', 'json'], { input: value });
    assert.equal(d.code, 0, d.stderr);
    assert.equal((JSON.parse(d.stdout.toString()) as { metadata: JsonObject }).metadata.name, 's001');
    // The real binary closes its plugin connection and exits.
    const bin = await runKregBinary(['decode', '--encryption-config', configFile, '--etcd-key', key, '-o', 'json'], { input: value });
    assert.equal(bin.code, 0, bin.stderr);
    assert.equal((JSON.parse(bin.stdout.toString()) as { metadata: JsonObject }).metadata.name, 's001');
  });

  it('dump and audit storage read every Secret through the plugin, asking it once per DEK', async function () {
    const out = join(dir, 'dump');
    const d = await runKreg(['dump', 'secrets', '-A', '--show-secrets', '--to', out, '--encryption-config', configFile], { source });
    assert.equal(d.code, 0, d.stderr);
    const manifest = (JSON.parse(readFileSync(join(out, 'kreg-dump.json'), 'utf8')) as { kregDump: { written: number; skipped: unknown[] } }).kregDump;
    assert.deepEqual(manifest.skipped, []);
    assert.equal(manifest.written, SHARED + 50 + 3);
    assert.deepEqual([plugin.calls.Decrypt, v1Plugin.calls.Decrypt], [2, 1]);

    const a = await runKreg(['audit', 'storage', '-o', 'json', '--encryption-config', configFile], { source });
    assert.equal(a.stderr, '');
    const report = JSON.parse(a.stdout.toString()) as { notes: string[]; counts: Record<string, number> };
    assert.deepEqual(
      report.notes.filter((n) => n.includes('encrypted')),
      [],
    );
    // Each Secret read as an object (no Namespace objects are stored: every one is in a missing namespace).
    assert.equal(report.counts['missing-namespace'], SHARED + 50 + 3);
    // Its own decryptor, read twice (index, then checks): the DEKs are asked for once.
    assert.deepEqual([plugin.calls.Decrypt, v1Plugin.calls.Decrypt], [4, 2]);
  });

  it("audit encryption: KMS v2 values whose keyID is not the plugin's current one (from Status)", async function () {
    plugin.calls.Status = 0;
    const r = await runKreg(['audit', 'encryption', '-o', 'json', '--encryption-config', configFile], { source });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as { resources: JsonObject[]; findings: { problem: string; keyName: string; count: number; message: string }[] };
    assert.deepEqual(
      out.resources.map((x) => [x.provider, x.keyName, x.kmsKeyID ?? null, x.count]),
      [
        ['kms v1', 'legacy', null, 2],
        ['kms v2', 'vault', 'kek-0', 50],
        ['kms v2', 'vault', 'kek-1', SHARED],
        ['plaintext', '', null, 1],
      ],
    );
    assert.deepEqual(
      out.findings.map((f) => [f.problem, f.keyName, f.count]),
      [
        ['not-write-key', 'legacy', 2],
        ['plaintext', '', 1],
        ['stale-kms-key-id', 'vault', 50],
      ],
    );
    assert.match(out.findings[2]?.message as string, /50 secrets under kms v2 provider "vault" with keyID "kek-0", not the plugin's current keyID "kek-1"/);
    assert.equal(plugin.calls.Status, 1);
    assert.equal(plugin.calls.Decrypt, 0, 'auditing decrypts nothing');
    // A plugin that does not answer: said once, its keyIDs not judged.
    const down = await runKreg(['audit', 'encryption', '-o', 'json', '--encryption-config', configFile, '--kms-socket', `vault=${join(dir, 'nothing.sock')}`], { source });
    assert.match(down.stderr, /kms provider "vault": .*nothing\.sock failed.*keyIDs are not checked/);
    assert.ok(!(JSON.parse(down.stdout.toString()) as { findings: { problem: string }[] }).findings.some((f) => f.problem === 'stale-kms-key-id'));
  });

  it('the KMS v2 values kube-apiserver wrote (upstream vectors), through the plugin in the mock plugin mode', async function () {
    requireEncryptionVectors(this);
    const base = join(ENCRYPTION_VECTORS_DIR, 'kms-v2-real');
    const { vectors } = JSON.parse(readFileSync(join(base, 'vectors.json'), 'utf8')) as { vectors: { etcd_key_and_aad: string; etcd_value_file: string; plaintext_file: string }[] };
    const mock = await startKmsPlugin({ mode: 'base64' });
    try {
      const file = join(dir, 'vectors.yaml');
      writeFileSync(file, encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'kms', name: 'kms-provider', apiVersion: 'v2', endpoint: mock.endpoint }] }]));
      const upstream = new MemorySource({ description: 'memory' });
      for (const v of vectors) upstream.put(v.etcd_key_and_aad, new Uint8Array(readFileSync(join(base, v.etcd_value_file))));
      const prefix = (vectors[0]?.etcd_key_and_aad as string).replace(/\/secrets\/.*$/, '');
      const r = await runKreg(['get', 'secrets', '-A', '-o', 'json', '--show-secrets', '--etcd-prefix', prefix, '--encryption-config', file], { source: upstream });
      assert.equal(r.code, 0, r.stderr);
      const items = (JSON.parse(r.stdout.toString()) as { items: JsonObject[] }).items;
      assert.equal(items.length, vectors.length);
      for (const [i, v] of vectors.entries()) {
        const expected = decode(new Uint8Array(readFileSync(join(base, v.plaintext_file)))).object as JsonObject;
        assert.deepEqual((items[i]?.metadata as JsonObject).name, (expected.metadata as JsonObject).name);
        assert.deepEqual(items[i]?.data, expected.data);
      }
      assert.equal(mock.calls.Decrypt, vectors.length);
    } finally {
      await mock.stop();
    }
  });
});
