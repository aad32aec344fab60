/**
 * Nothing disappears: values encrypted at rest that kreg cannot decrypt (no keys given, or keys
 * that do not fit) are still listed, as clearly marked EncryptedObject stand-ins, in every output
 * format of get and in history; having no keys is no error (one hint), a wrong key is (exit 1).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { randomBytes } from 'node:crypto';
import { encryptAt, encryptionConfigYaml } from './support/encrypt.js';
import { useEtcd } from './support/etcd.js';
import { kmsV2Value, startKmsPlugin, type KmsPlugin } from './support/kms-plugin.js';
import { runKreg } from './support/run-cli.js';
import { ENCRYPTION_VECTORS_DIR, requireEncryptionVectors } from './support/shared-data.js';

const KEY1 = new Uint8Array(Buffer.alloc(32, 1));
const WRONG = new Uint8Array(Buffer.alloc(32, 9));

function secretBytes(name: string, namespace: string, labels: Record<string, string> = {}): Uint8Array {
  return encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, type: 'Opaque', data: { password: Buffer.from('pw').toString('base64') } });
}

describe('encrypted values without keys are listed, not dropped', function () {
  let dir: string;
  let wrongFile: string;
  let source: MemorySource;
  let kmsKeyID: string;
  const sizes = new Map<string, number>();
  const aKey = '/registry/secrets/x/a';
  const kmsKey = '/registry/secrets/y/k';

  before(function () {
    requireEncryptionVectors(this);
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-list-'));
    wrongFile = join(dir, 'wrong.yaml');
    writeFileSync(wrongFile, encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'key1', secret: WRONG }] }, { type: 'identity' }] }]));
    // A real KMS v2 value (its keyID is readable without the plugin), stored under a key of ours.
    const vectors = JSON.parse(readFileSync(join(ENCRYPTION_VECTORS_DIR, 'kms-v2-real', 'vectors.json'), 'utf8')) as { vectors: { etcd_value_file: string; keyID: string }[] };
    const vector = vectors.vectors[0] as { etcd_value_file: string; keyID: string };
    kmsKeyID = vector.keyID;
    source = new MemorySource({ description: 'memory' });
    const put = (key: string, value: Uint8Array): void => {
      source.put(key, value);
      sizes.set(key, value.length);
    };
    put(aKey, encryptAt('aescbc', 'key1', KEY1, secretBytes('a', 'x', { app: 'web' }), aKey));
    put('/registry/secrets/x/b', secretBytes('b', 'x', { app: 'web' }));
    put(kmsKey, new Uint8Array(readFileSync(join(ENCRYPTION_VECTORS_DIR, 'kms-v2-real', vector.etcd_value_file))));
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a table has a row per object: the name from the key, the provider and key name in the columns', async function () {
    const r = await runKreg(['get', 'secrets', '-A', '--workers', '0'], { source });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trimEnd().split('\n');
    assert.match(lines[0] as string, /^NAMESPACE\s+NAME\s+TYPE\s+DATA\s+AGE$/);
    assert.match(lines[1] as string, /^x\s+a\s+<encrypted aescbc:key1>\s+<encrypted aescbc:key1>\s+<encrypted aescbc:key1>$/);
    assert.match(lines[2] as string, /^x\s+b\s+Opaque\s+1\s+/);
    assert.match(lines[3] as string, /^y\s+k\s+<encrypted kms:kms-provider>\s+/);
    assert.equal(lines.length, 4);
    assert.equal(
      r.stderr,
      "kreg: 2 object(s) encrypted at rest are listed as <encrypted PROVIDER:KEY> stand-ins: give --encryption-config FILE (kube-apiserver's EncryptionConfiguration) to decrypt them\n",
    );
  });

  it('-o name, yaml, json and ndjson list the stand-ins too, on worker threads as well', async function () {
    for (const workers of ['0', '1']) {
      const name = await runKreg(['get', 'secrets', '-A', '-o', 'name', '--workers', workers], { source });
      assert.equal(name.code, 0, name.stderr);
      assert.equal(name.stdout.toString(), 'secret/a\nsecret/b\nsecret/k\n');
      const json = await runKreg(['get', 'secrets', '-A', '-o', 'json', '--workers', workers], { source });
      assert.equal(json.code, 0, json.stderr);
      const items = (JSON.parse(json.stdout.toString()) as { items: JsonObject[] }).items;
      assert.deepEqual(items[0], {
        apiVersion: 'kreg/v1',
        kind: 'EncryptedObject',
        metadata: { name: 'a', namespace: 'x' },
        encrypted: { key: aKey, provider: 'aescbc', providerVersion: 'v1', keyName: 'key1', size: sizes.get(aKey) as number, storedAs: { apiVersion: 'v1', kind: 'Secret' } },
      });
      assert.equal(items[1]?.kind, 'Secret');
      assert.deepEqual(items[2]?.encrypted, {
        key: kmsKey,
        provider: 'kms',
        providerVersion: 'v2',
        keyName: 'kms-provider',
        kmsKeyID,
        size: sizes.get(kmsKey) as number,
        storedAs: { apiVersion: 'v1', kind: 'Secret' },
      });
      const ndjson = await runKreg(['get', 'secrets', '-A', '-o', 'ndjson', '--workers', workers], { source });
      // Both stand-ins counted in the hint, wherever they were rendered.
      assert.match(ndjson.stderr, /^kreg: 2 object\(s\) encrypted at rest are listed as <encrypted PROVIDER:KEY> stand-ins/, `--workers ${workers}`);
      assert.deepEqual(
        ndjson.stdout
          .toString()
          .trimEnd()
          .split('\n')
          .map((l) => (JSON.parse(l) as JsonObject).kind),
        ['EncryptedObject', 'Secret', 'EncryptedObject'],
      );
      const yaml = await runKreg(['get', 'secrets', 'a', '-n', 'x', '-o', 'yaml', '--workers', workers], { source });
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.match(yaml.stdout.toString(), /^apiVersion: kreg\/v1\n/);
      assert.match(yaml.stdout.toString(), /\nkind: EncryptedObject\n/);
      assert.match(yaml.stdout.toString(), /keyName: key1\n/);
      assert.equal(yaml.stderr.split('\n').filter((l) => l !== '').length, 1);
    }
  });

  it('a selector cannot look inside an encrypted object: it is left out, and the hint says so', async function () {
    const r = await runKreg(['get', 'secrets', '-A', '-o', 'name', '-l', 'app=web'], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'secret/b\n');
    assert.match(r.stderr, /2 encrypted object\(s\) were not matched against the selector and are not listed: give --encryption-config/);
  });

  it('a wrong key is an error for that object alone: still listed, one line, exit 1', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '--workers', '0', '--encryption-config', wrongFile], { source });
    assert.equal(r.code, 1);
    assert.match(r.stdout.toString(), /\na\s+<encrypted aescbc:key1>/);
    assert.match(r.stdout.toString(), /\nb\s+Opaque/);
    const about = r.stderr.split('\n').filter((l) => l.includes(aKey));
    // One line; its end says so when the wrong key's output happened to pass aescbc's padding check
    // (about 1 in 256 of the random IVs here) and decoding refused it instead.
    assert.equal(about.length, 1, r.stderr);
    assert.match(about[0] as string, new RegExp(`^kreg: ${aKey}: cannot decrypt with aescbc key "key1": the key is wrong or the value is damaged( \\(what it gives is no stored object\\))?$`));
  });

  it('history without keys: each revision says how it is encrypted, a change of ciphertext shows, exit 0', async function () {
    const h = new MemorySource({ description: 'memory' });
    h.put(aKey, encryptAt('aescbc', 'key1', KEY1, secretBytes('a', 'x'), aKey));
    h.put(aKey, encryptAt('aescbc', 'key1', KEY1, secretBytes('a', 'x', { v: '2' }), aKey));
    const r = await runKreg(['history', 'secret', 'a', '-n', 'x'], { source: h });
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /revision 3: updated/);
    assert.match(text, /\+# encrypted at rest \(<encrypted aescbc:key1>\)/);
    assert.match(text, /-# ciphertext sha256 [0-9a-f]{16}…\n\+# ciphertext sha256 [0-9a-f]{16}…\n/);
    assert.match(r.stderr, /2 revision\(s\) encrypted at rest are not shown: give --encryption-config/);
    const json = await runKreg(['history', 'secret', 'a', '-n', 'x', '-o', 'json'], { source: h });
    const shown = JSON.parse(json.stdout.toString()) as { encrypted?: JsonObject }[];
    assert.deepEqual(
      shown.map((s) => s.encrypted?.keyName),
      ['key1', 'key1'],
    );
    const wrong = await runKreg(['history', 'secret', 'a', '-n', 'x', '--encryption-config', wrongFile], { source: h });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.split('\n').filter((l) => l.includes('cannot decrypt with aescbc key "key1"')).length, 2, wrong.stderr);
  });
});

describe('kreg get secrets -A on a real etcd holding every provider', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let plugin: KmsPlugin;
  let dir: string;
  let configFile: string;
  const KEYS = { aescbc: new Uint8Array(Buffer.alloc(32, 3)), aesgcm: new Uint8Array(Buffer.alloc(32, 4)), secretbox: new Uint8Array(Buffer.alloc(32, 5)) };
  const written = ['aescbc', 'aesgcm', 'secretbox', 'kms', 'plain'];

  before(async function () {
    plugin = await startKmsPlugin({ keyID: 'kek-1' });
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-mixed-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      encryptionConfigYaml([
        {
          resources: ['secrets'],
          providers: [
            { type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: plugin.endpoint },
            { type: 'aescbc', keys: [{ name: 'cbc1', secret: KEYS.aescbc }] },
            { type: 'aesgcm', keys: [{ name: 'gcm1', secret: KEYS.aesgcm }] },
            { type: 'secretbox', keys: [{ name: 'box1', secret: KEYS.secretbox }] },
            { type: 'identity' },
          ],
        },
      ]),
    );
    const dek = randomBytes(32);
    const sealed = { encryptedDEKSource: plugin.seal(dek), keyID: 'kek-1' };
    for (const name of written) {
      const key = `/registry/secrets/ns-${name}/${name}`;
      const plaintext = secretBytes(name, `ns-${name}`);
      const value =
        name === 'plain'
          ? plaintext
          : name === 'kms'
            ? kmsV2Value('vault', sealed, { type: 'AES_GCM_KEY', bytes: dek }, plaintext, key)
            : encryptAt(name as 'aescbc' | 'aesgcm' | 'secretbox', `${name === 'aescbc' ? 'cbc' : name === 'aesgcm' ? 'gcm' : 'box'}1`, KEYS[name as keyof typeof KEYS], plaintext, key);
      await etcd.server.etcdctl(['put', key], value);
    }
  });
  after(async function () {
    await plugin?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('with keys: every object decrypted, exit 0', async function () {
    const r = await runKreg(['get', 'secrets', '-A', '--endpoints', etcd.server.endpoint, '--encryption-config', configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.toString().trimEnd().split('\n').slice(1);
    assert.deepEqual(
      rows.map((row) => row.split(/\s+/).slice(0, 4)),
      [...written].sort().map((name) => [`ns-${name}`, name, 'Opaque', '1']),
    );
    assert.equal(plugin.calls.Decrypt, 1);
  });

  it('without keys: every object listed (stand-ins for the encrypted ones), one hint, exit 0', async function () {
    const table = await runKreg(['get', 'secrets', '-A', '--endpoints', etcd.server.endpoint]);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.toString().trimEnd().split('\n').slice(1);
    assert.deepEqual(
      rows.map((row) => row.split(/\s{2,}/).slice(0, 3)),
      [
        ['ns-aescbc', 'aescbc', '<encrypted aescbc:cbc1>'],
        ['ns-aesgcm', 'aesgcm', '<encrypted aesgcm:gcm1>'],
        ['ns-kms', 'kms', '<encrypted kms:vault>'],
        ['ns-plain', 'plain', 'Opaque'],
        ['ns-secretbox', 'secretbox', '<encrypted secretbox:box1>'],
      ],
    );
    assert.equal(table.stderr.split('\n').filter((l) => l !== '').length, 1);
    assert.match(table.stderr, /4 object\(s\) encrypted at rest .*--encryption-config/);
    const name = await runKreg(['get', 'secrets', '-A', '-o', 'name', '--endpoints', etcd.server.endpoint]);
    assert.equal(name.code, 0, name.stderr);
    assert.equal(name.stdout.toString(), 'secret/aescbc\nsecret/aesgcm\nsecret/kms\nsecret/plain\nsecret/secretbox\n');
  });

  it('a wrong key and a failing plugin: one line each, the rest decrypted, exit 1', async function () {
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(
      wrong,
      encryptionConfigYaml([
        {
          resources: ['secrets'],
          providers: [
            { type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: plugin.endpoint },
            { type: 'aescbc', keys: [{ name: 'cbc1', secret: KEYS.secretbox }] },
            { type: 'aesgcm', keys: [{ name: 'gcm1', secret: KEYS.aesgcm }] },
            { type: 'secretbox', keys: [{ name: 'box1', secret: KEYS.secretbox }] },
            { type: 'identity' },
          ],
        },
      ]),
    );
    plugin.failDecrypt = true;
    try {
      const r = await runKreg(['get', 'secrets', '-A', '-o', 'name', '--endpoints', etcd.server.endpoint, '--encryption-config', wrong]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout.toString(), 'secret/aescbc\nsecret/aesgcm\nsecret/kms\nsecret/plain\nsecret/secretbox\n');
      const errors = r.stderr.split('\n').filter((l) => l.includes('cannot decrypt'));
      assert.equal(errors.length, 2, r.stderr);
      assert.match(errors[0] as string, /\/registry\/secrets\/ns-aescbc\/aescbc: cannot decrypt with aescbc key "cbc1"/);
      assert.match(errors[1] as string, /\/registry\/secrets\/ns-kms\/kms: cannot decrypt with kms v2 provider "vault": its plugin at .* failed: KMS is down/);
    } finally {
      plugin.failDecrypt = false;
    }
  });

  it('audit encryption against a config whose write key is new lists exactly the stale and plaintext objects', async function () {
    const rotated = join(dir, 'rotated.yaml');
    const NEW = new Uint8Array(Buffer.alloc(32, 6));
    writeFileSync(
      rotated,
      encryptionConfigYaml([
        {
          resources: ['secrets'],
          providers: [
            { type: 'secretbox', keys: [{ name: 'box2', secret: NEW }] },
            { type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: plugin.endpoint },
            { type: 'aescbc', keys: [{ name: 'cbc1', secret: KEYS.aescbc }] },
            { type: 'aesgcm', keys: [{ name: 'gcm1', secret: KEYS.aesgcm }] },
            { type: 'secretbox', keys: [{ name: 'box1', secret: KEYS.secretbox }] },
            { type: 'identity' },
          ],
        },
      ]),
    );
    plugin.keyID = 'kek-2';
    try {
      const r = await runKreg(['audit', 'encryption', '-o', 'json', '--endpoints', etcd.server.endpoint, '--encryption-config', rotated]);
      assert.equal(r.code, 1, r.stderr);
      const { findings } = JSON.parse(r.stdout.toString()) as { findings: { resource: string; problem: string; provider: string; keyName: string; count: number }[] };
      assert.deepEqual(
        findings.filter((f) => f.resource === 'secrets').map((f) => [f.problem, f.provider, f.keyName, f.count]),
        [
          ['not-write-key', 'aescbc', 'cbc1', 1],
          ['not-write-key', 'aesgcm', 'gcm1', 1],
          ['not-write-key', 'kms v2', 'vault', 1],
          ['plaintext', 'plaintext', '', 1],
          ['not-write-key', 'secretbox', 'box1', 1],
          ['stale-kms-key-id', 'kms v2', 'vault', 1],
        ],
      );
    } finally {
      plugin.keyID = 'kek-1';
    }
  });
});
