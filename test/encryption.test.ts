/**
 * Encryption at rest: the configuration read as kube-apiserver reads it, the upstream vectors, and
 * every reading command decrypting values written as kube-apiserver writes them (aescbc, aesgcm,
 * secretbox), with key rotation, a wrong key, and keys that never show in any output.
 */
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptError, type ValueDecryptor } from '../src/codec/decrypt.js';
import { parseEncryptionConfig, ruleFor, ruleTransformers } from '../src/codec/encryption-config.js';
import type { JsonObject } from '../src/codec/json-value.js';
import { createDecryptor, NODE_AES, parseEncryptionConfigText } from '../src/decryption/node-decryptor.js';
import { decode, encode, KregError } from '../src/index.js';
import { decryptKmsV2Object, parseKmsV2EncryptedObject } from '../src/codec/kms-v2.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { builtinRegistry } from '../src/keys/index.js';
import { decodeEntry } from '../src/stored-objects.js';
import { encryptAt, encryptionConfigYaml } from './support/encrypt.js';
import { main } from '../src/cli/main.js';
import { useEtcd } from './support/etcd.js';
import { runKreg } from './support/run-cli.js';
import { ENCRYPTION_VECTORS_DIR, requireEncryptionVectors } from './support/shared-data.js';
import { WIDGET_CRD } from './support/widget-crd.js';

const KEY1 = new Uint8Array(Buffer.alloc(32, 1));
const KEY2 = new Uint8Array(Buffer.alloc(32, 2));
const WRONG = new Uint8Array(Buffer.alloc(32, 9));
const PASSWORD = 'hunter2-TOPSECRET';

function secretBytes(name: string, namespace = 'x'): Uint8Array {
  return encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: { password: Buffer.from(PASSWORD).toString('base64') } });
}

/** Every form a key could take in output. */
function keyForms(...keys: Uint8Array[]): string[] {
  return keys.flatMap((k) => [Buffer.from(k).toString('base64'), Buffer.from(k).toString('hex')]);
}

describe('encryption configuration', function () {
  const yamlText = `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
      - aescbc:
          keys:
            - name: "key:with:colons"
              secret: ${Buffer.from(KEY1).toString('base64')}
            - name: key2
              secret: ${Buffer.from(KEY2).toString('base64')}
      - identity: {}
  - resources: ["*.apps"]
    providers:
      - secretbox:
          keys: [{ name: sb, secret: ${Buffer.from(KEY1).toString('base64')} }]
  - resources: ["*.*"]
    providers:
      - identity: {}
      - aesgcm:
          keys: [{ name: g1, secret: ${Buffer.from(KEY1).toString('base64')} }]
`;

  it('parses resources, providers in order, key names with ":" and base64 secrets', function () {
    const config = parseEncryptionConfigText(yamlText);
    assert.equal(config.rules.length, 3);
    const secrets = ruleFor(config, '', 'secrets');
    assert.deepEqual(
      ruleTransformers(secrets as NonNullable<typeof secrets>).map((t) => [t.prefix, t.provider, t.keyName]),
      [
        ['k8s:enc:aescbc:v1:key:with:colons:', 'aescbc', 'key:with:colons'],
        ['k8s:enc:aescbc:v1:key2:', 'aescbc', 'key2'],
        ['', 'identity', ''],
      ],
    );
    assert.deepEqual(ruleTransformers(secrets as NonNullable<typeof secrets>)[0]?.secret, KEY1);
  });

  it('picks the exact resource, then *.group, then *.*', function () {
    const config = parseEncryptionConfigText(yamlText);
    assert.equal(ruleFor(config, '', 'configmaps'), config.rules[0]);
    assert.equal(ruleFor(config, 'apps', 'deployments'), config.rules[1]);
    assert.equal(ruleFor(config, '', 'pods'), config.rules[2]);
    assert.equal(ruleFor(parseEncryptionConfigText(yamlText.replace('"*.*"', 'leases.coordination.k8s.io')), '', 'pods'), undefined);
  });

  it('reads the legacy EncryptionConfig kind', function () {
    const legacy = yamlText.replace('apiserver.config.k8s.io/v1', 'v1').replace('kind: EncryptionConfiguration', 'kind: EncryptionConfig');
    assert.equal(parseEncryptionConfigText(legacy).rules.length, 3);
  });

  it('rejects what kube-apiserver rejects, without printing a secret', function () {
    const secret = Buffer.from(KEY1).toString('base64');
    const cases: [string, RegExp][] = [
      [yamlText.replace('kind: EncryptionConfiguration', 'kind: Pod'), /expected kind EncryptionConfiguration/],
      [yamlText.replace(`secret: ${secret}\n            - name: key2`, `secret: ${secret.slice(0, 21)}\n            - name: key2`), /key "key:with:colons"\)\.secret: not valid base64/],
      [yamlText.replace(`{ name: sb, secret: ${secret} }`, `{ name: sb, secret: ${Buffer.alloc(16).toString('base64')} }`), /16 bytes; secretbox takes 32/],
      [yamlText.replace('      - identity: {}\n  - resources: ["*.apps"]', '      - identity: {}\n        aescbc: {keys: []}\n  - resources: ["*.apps"]'), /exactly one provider per element/],
      [`${yamlText}\n  bad: [`, /not valid YAML/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseEncryptionConfigText(text),
        (err: Error) => {
          assert.match(err.message, message);
          for (const form of keyForms(KEY1)) assert.ok(!err.message.includes(form) && !err.message.includes(form.slice(0, 20)), err.message);
          return true;
        },
      );
    }
  });

  it('takes kms providers with their endpoint; a KMS value needs its DEK asked of the plugin first', function () {
    const config = parseEncryptionConfig({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['secrets'], providers: [{ kms: { apiVersion: 'v2', name: 'vault', endpoint: 'unix:///x.sock' } }] }],
    });
    assert.deepEqual(config.rules[0]?.providers[0], { type: 'kms', name: 'vault', apiVersion: 'v2', endpoint: 'unix:///x.sock' });
    const decryptor = createDecryptor(config);
    // A well-formed EncryptedObject (encryptedData = field 1, encryptedDEKSource = field 3) whose DEK was never asked for.
    const object = Buffer.from([0x0a, 0x02, 1, 2, 0x1a, 0x01, 7]);
    const value = new Uint8Array(Buffer.concat([Buffer.from('k8s:enc:kms:v2:vault:'), object]));
    assert.throws(() => decryptor.decrypt(value, '/registry/secrets/x/s', { group: '', resource: 'secrets' }), /kms v2 provider "vault": its plugin was not asked/);
  });
});

describe('upstream encryption vectors', function () {
  it('every aesgcm vector decrypts to its plaintext, also through the aesgcm provider', function () {
    requireEncryptionVectors(this);
    const doc = JSON.parse(readFileSync(join(ENCRYPTION_VECTORS_DIR, 'apiserver-unit', 'vectors.json'), 'utf8')) as { vectors: Record<string, string>[] };
    const gcm = doc.vectors.filter((v) => v.key_hex !== undefined && /^AES-GCM/.test(v.algorithm ?? ''));
    assert.ok(gcm.length > 0);
    for (const v of gcm) {
      const key = new Uint8Array(Buffer.from(v.key_hex as string, 'hex'));
      const data = new Uint8Array(readFileSync(join(ENCRYPTION_VECTORS_DIR, 'apiserver-unit', v.ciphertext_file as string)));
      assert.equal(Buffer.from(data).toString('hex'), v.ciphertext_hex);
      const aad = new Uint8Array(Buffer.from(v.aad_ascii as string));
      assert.equal(Buffer.from(NODE_AES.aesGcmDecrypt(key, data.subarray(0, 12), data.subarray(12), aad)).toString(), v.plaintext_ascii);
      // As stored: behind the provider's prefix, the authenticated data being the etcd key.
      const config = parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['*.*'], providers: [{ type: 'aesgcm', keys: [{ name: 'k', secret: key }] }] }]));
      const stored = new Uint8Array(Buffer.concat([Buffer.from('k8s:enc:aesgcm:v1:k:'), data]));
      const out = createDecryptor(config).decrypt(stored, v.aad_ascii, undefined);
      assert.equal(Buffer.from(out.plaintext).toString(), v.plaintext_ascii);
      assert.throws(() => createDecryptor(config).decrypt(stored, 'other key', undefined), /aesgcm key "k": the key is wrong or the value is damaged/);
    }
  });
});

describe('decrypting what kube-apiserver writes', function () {
  it('a damaged KMS payload says what is wrong with it, naming provider and key', function () {
    const key = '/registry/secrets/x/s';
    const config = parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'kms', name: 'vault', apiVersion: 'v1', endpoint: 'unix:///nowhere.sock' }] }]));
    // A v1 payload whose DEK length (0x00ff) runs past the bytes after it.
    const value = new Uint8Array(Buffer.concat([Buffer.from('k8s:enc:kms:v1:vault:'), Buffer.from([0x00, 0xff, 1, 2, 3])]));
    assert.throws(
      () => createDecryptor(config).decrypt(value, key, { group: '', resource: 'secrets' }),
      (err: unknown) =>
        err instanceof DecryptError &&
        err.code === 'decrypt-failed' &&
        err.describe() === `${key}: cannot decrypt with kms v1 provider "vault": the value is damaged: KMS v1 value: DEK length 255 does not fit in the 3 bytes after it`,
    );
  });

  for (const provider of ['aescbc', 'aesgcm', 'secretbox'] as const) {
    it(`${provider}: decrypts with the right key, fails with a wrong one naming provider and key name`, function () {
      const key = '/registry/secrets/x/s';
      const plaintext = secretBytes('s');
      const value = encryptAt(provider, 'k1', KEY1, plaintext, key);
      const good = createDecryptor(parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: provider, keys: [{ name: 'k1', secret: KEY1 }] }] }])));
      assert.deepEqual(good.decrypt(value, key, { group: '', resource: 'secrets' }), { plaintext, provider, keyName: 'k1' });
      const stored = decodeEntry({ key, value, createRevision: 2, modRevision: 2, version: 1, lease: '0', valueSize: value.length }, builtinRegistry(), '/registry', { decryptor: good });
      assert.equal((stored.object?.metadata as JsonObject).name, 's');
      assert.deepEqual(stored.decryptedWith, { provider, keyName: 'k1' });
      const bad = createDecryptor(parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: provider, keys: [{ name: 'k1', secret: WRONG }] }] }])));
      const wrongKey = `${key}: cannot decrypt with ${provider} key "k1": the key is wrong or the value is damaged`;
      // aescbc is not authenticated: about 1 wrong key in 256 gives valid padding (the IV is random here), and
      // then the decryptor hands back garbage that decoding refuses (the test below). The authenticated ciphers
      // refuse in the decryptor itself.
      if (provider !== 'aescbc') {
        assert.throws(
          () => bad.decrypt(value, key, { group: '', resource: 'secrets' }),
          (err: unknown) => err instanceof DecryptError && err.code === 'decrypt-failed' && err.describe() === wrongKey,
        );
      }
      assert.throws(
        () => decodeEntry({ key, value, createRevision: 2, modRevision: 2, version: 1, lease: '0', valueSize: value.length }, builtinRegistry(), '/registry', { decryptor: bad }),
        (err: unknown) => err instanceof KregError && err.code === 'decrypt-failed' && err.describe().startsWith(wrongKey),
      );
    });
  }

  it('aescbc with a wrong key whose padding happens to check: still a decryption error, not garbage', function () {
    const key = '/registry/secrets/x/s';
    const plaintext = secretBytes('s');
    // Encrypt with KEY1 until decrypting with WRONG gives valid PKCS#7 padding (about 1 in 256).
    let value: Uint8Array | undefined;
    for (let i = 0; i < 20_000 && value === undefined; i++) {
      const candidate = encryptAt('aescbc', 'k1', KEY1, plaintext, key);
      const data = candidate.subarray('k8s:enc:aescbc:v1:k1:'.length);
      try {
        NODE_AES.aesCbcDecrypt(WRONG, data.subarray(0, 16), data.subarray(16));
        value = candidate;
      } catch {
        // padding did not check: try another IV
      }
    }
    assert.ok(value !== undefined);
    const bad = createDecryptor(parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'k1', secret: WRONG }] }] }])));
    assert.throws(
      () => decodeEntry({ key, value: value as Uint8Array, createRevision: 2, modRevision: 2, version: 1, lease: '0', valueSize: 0 }, builtinRegistry(), '/registry', { decryptor: bad }),
      (err: unknown) =>
        err instanceof KregError &&
        err.code === 'decrypt-failed' &&
        err.describe() === `${key}: cannot decrypt with aescbc key "k1": the key is wrong or the value is damaged (what it gives is no stored object)`,
    );
  });

  it('aescbc garbage that starts like a stored value (a "{") is a decryption error too, not a JSON error', function () {
    const key = '/registry/secrets/x/s';
    // What a wrong key gives when it happens to look like JSON: made here by encrypting it with that key.
    const value = encryptAt('aescbc', 'k1', WRONG, Buffer.from('{\u0007garbage'), key);
    const decryptor = createDecryptor(parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'k1', secret: WRONG }] }] }])));
    assert.throws(
      () => decodeEntry({ key, value, createRevision: 2, modRevision: 2, version: 1, lease: '0', valueSize: 0 }, builtinRegistry(), '/registry', { decryptor }),
      (err: unknown) => err instanceof KregError && err.code === 'decrypt-failed' && err.describe().includes('cannot decrypt with aescbc key "k1"'),
    );
  });

  it('a key name that is a prefix of another: the first configured key that matches reads it', function () {
    const value = encryptAt('aescbc', 'a:b', KEY2, secretBytes('s'), '/registry/secrets/x/s');
    const config = (first: string, second: string): ValueDecryptor =>
      createDecryptor(
        parseEncryptionConfigText(
          encryptionConfigYaml([
            {
              resources: ['secrets'],
              providers: [
                {
                  type: 'aescbc',
                  keys: [
                    { name: first, secret: first === 'a' ? KEY1 : KEY2 },
                    { name: second, secret: second === 'a' ? KEY1 : KEY2 },
                  ],
                },
              ],
            },
          ]),
        ),
      );
    assert.equal(config('a:b', 'a').decrypt(value, undefined, undefined).keyName, 'a:b');
    // kube-apiserver tries prefixes in order: "k8s:enc:aescbc:v1:a:" comes first and fails.
    assert.throws(() => config('a', 'a:b').decrypt(value, undefined, undefined), /aescbc key "a":/);
  });

  it('a value under a key the rule does not have says so', function () {
    const value = encryptAt('aescbc', 'old', KEY1, secretBytes('s'), '/registry/secrets/x/s');
    const d = createDecryptor(parseEncryptionConfigText(encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'new', secret: KEY2 }] }] }])));
    assert.throws(
      () => d.decrypt(value, '/registry/secrets/x/s', { group: '', resource: 'secrets' }),
      /encrypted with aescbc v1 key "old", which the encryption config's rule for secrets does not have/,
    );
    assert.throws(() => d.decrypt(value, '/registry/configmaps/x/s', { group: '', resource: 'configmaps' }), /has no rule for configmaps/);
  });
});

describe('kreg with --encryption-config', function () {
  let dir: string;
  let configFile: string;
  let rotatedFile: string;
  let wrongFile: string;
  let source: MemorySource;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-'));
    const write = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    configFile = write('config.yaml', encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'key1', secret: KEY1 }] }, { type: 'identity' }] }]));
    // Rotation: the new key writes, the old one (second) still reads.
    rotatedFile = write(
      'rotated.yaml',
      encryptionConfigYaml([
        { resources: ['secrets'], providers: [{ type: 'secretbox', keys: [{ name: 'key2', secret: KEY2 }] }, { type: 'aescbc', keys: [{ name: 'key1', secret: KEY1 }] }, { type: 'identity' }] },
      ]),
    );
    wrongFile = write('wrong.yaml', encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'key1', secret: WRONG }] }] }]));
    source = new MemorySource({ description: 'memory' });
    source.put('/registry/secrets/x/a', encryptAt('aescbc', 'key1', KEY1, secretBytes('a'), '/registry/secrets/x/a'));
    source.put('/registry/secrets/x/b', secretBytes('b'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  function assertNoKeys(text: string): void {
    for (const form of keyForms(KEY1, KEY2, WRONG)) assert.ok(!text.includes(form), `a key showed:\n${text}`);
  }

  it('get shows the decrypted Secret, data masked unless --show-secrets', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'yaml', '--encryption-config', configFile, '--workers', '0'], { source });
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /name: a\n/);
    assert.match(text, /name: b\n/);
    assert.match(text, /password: '?\*\*\*/);
    assert.ok(!text.includes(Buffer.from(PASSWORD).toString('base64')));
    const shown = await runKreg(['get', 'secrets', 'a', '-n', 'x', '-o', 'json', '--show-secrets', '--encryption-config', configFile], { source });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout.toString()) as { data: { password: string } }).data.password, Buffer.from(PASSWORD).toString('base64'));
    assertNoKeys(r.stdout.toString() + r.stderr + shown.stdout.toString() + shown.stderr);
  });

  it('decrypts on worker threads too', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'name', '--encryption-config', configFile, '--workers', '1'], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'secret/a\nsecret/b\n');
  });

  it('without the config: the encrypted value is listed as a stand-in, one hint, exit 0', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'name', '--workers', '0'], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'secret/a\nsecret/b\n');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /1 object\(s\) encrypted at rest .*--encryption-config/);
  });

  it('key rotation: values under the old key (second in the config) and the new one both read', async function () {
    const rotated = new MemorySource({ description: 'memory' });
    rotated.put('/registry/secrets/x/a', encryptAt('aescbc', 'key1', KEY1, secretBytes('a'), '/registry/secrets/x/a'));
    rotated.put('/registry/secrets/x/c', encryptAt('secretbox', 'key2', KEY2, secretBytes('c'), '/registry/secrets/x/c'));
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'name', '--encryption-config', rotatedFile, '--workers', '0'], { source: rotated });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'secret/a\nsecret/c\n');
  });

  it('a wrong key: one error line naming key, provider and key name; the listing goes on; exit 1', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'name', '--encryption-config', wrongFile, '--workers', '0'], { source });
    assert.equal(r.code, 1);
    // Still listed (as its stand-in), and said once as an error.
    assert.equal(r.stdout.toString(), 'secret/a\nsecret/b\n');
    const lines = r.stderr.split('\n').filter((l) => l.includes('/registry/secrets/x/a'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /\/registry\/secrets\/x\/a: cannot decrypt with aescbc key "key1": the key is wrong or the value is damaged/);
    assert.doesNotMatch(r.stderr, /give --encryption-config/);
    assertNoKeys(r.stderr);
  });

  it('a bad config file fails before reading, naming the file', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '--encryption-config', join(dir, 'missing.yaml')], { source });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /missing\.yaml.*cannot read the encryption config: ENOENT/);
  });

  it('history decrypts every revision', async function () {
    const h = new MemorySource({ description: 'memory' });
    const key = '/registry/secrets/x/h';
    h.put(key, encryptAt('aescbc', 'key1', KEY1, secretBytes('h'), key));
    h.put(key, encryptAt('aescbc', 'key1', KEY1, encode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'h', namespace: 'x', labels: { v: '2' } }, type: 'Opaque' }), key));
    const r = await runKreg(['history', 'secret', 'h', '-n', 'x', '-o', 'json', '--encryption-config', configFile], { source: h });
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout.toString()) as { object: JsonObject | null; note?: string }[];
    assert.equal(shown.length, 2);
    assert.deepEqual(
      shown.map((s) => ((s.object?.metadata as JsonObject | undefined)?.labels as JsonObject | undefined)?.v ?? null),
      [null, '2'],
    );
  });

  it('decode: --etcd-key names the authenticated etcd key of an aesgcm value', async function () {
    const key = '/registry/secrets/x/g';
    const gcmConfig = join(dir, 'gcm.yaml');
    writeFileSync(gcmConfig, encryptionConfigYaml([{ resources: ['*.*'], providers: [{ type: 'aesgcm', keys: [{ name: 'g', secret: KEY1 }] }] }]));
    const value = encryptAt('aesgcm', 'g', KEY1, secretBytes('g'), key);
    const without = await runKreg(['decode', '--encryption-config', gcmConfig], { input: value });
    assert.notEqual(without.code, 0);
    assert.match(without.stderr, /--etcd-key/);
    const r = await runKreg(['decode', '--encryption-config', gcmConfig, '--etcd-key', key], { input: value });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /# kreg: decrypted with aesgcm key "g"\n/);
    assert.match(r.stdout.toString(), /name: g\n/);
    // etcdctl's "KEY\nVALUE\n" output names the key itself.
    const listed = await runKreg(['decode', '--encryption-config', gcmConfig], { input: Buffer.concat([Buffer.from(`${key}\n`), value, Buffer.from('\n')]) });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout.toString(), /name: g\n/);
    const wrongKey = await runKreg(['decode', '--encryption-config', gcmConfig, '--etcd-key', '/registry/secrets/x/other'], { input: value });
    assert.notEqual(wrongKey.code, 0);
    assert.match(wrongKey.stderr, /cannot decrypt with aesgcm key "g"/);
  });
});

describe('kreg diff over values encrypted at rest', function () {
  const key = '/registry/secrets/x/a';
  const sealed = encryptAt('aescbc', 'key1', KEY1, secretBytes('a'), key);
  let dir: string;
  let configFile: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-diff-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aescbc', keys: [{ name: 'key1', secret: KEY1 }] }] }]));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** kreg diff --from etcd --to etcd, each side its own in-memory store. */
  async function diffStores(from: MemorySource, to: MemorySource, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const sides = [from, to];
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stream = (chunks: Buffer[]) => ({ write: (c: string | Uint8Array) => void chunks.push(Buffer.from(c)), isTTY: false, columns: undefined });
    const code = await main(
      ['diff', '--from', 'etcd', '--to', 'etcd', ...args],
      { stdout: stream(out), stderr: stream(err), stdin: { isTTY: false, readAll: () => Promise.resolve(new Uint8Array()) }, env: { ...process.env } },
      {
        openSource: () => Promise.resolve(sides.shift() as MemorySource),
      },
    );
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  }

  const store = (value: Uint8Array): MemorySource => MemorySource.fromEntries([{ key, value }]);

  it('the same ciphertext on both sides is identical: exit 0', async function () {
    const r = await diffStores(store(sealed), store(sealed), ['secrets', '-n', 'x']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /secrets\s+0\s+0\s+0\s+0\s+1/);
  });

  it('different ciphertexts: "differs (encrypted, cannot show)", exit 1', async function () {
    const other = encryptAt('aescbc', 'key1', KEY1, secretBytes('a'), key);
    const r = await diffStores(store(sealed), store(other), ['secrets', '-n', 'x']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /changed: secrets x\/a \(encrypted, cannot show\)/);
    assert.match(r.stdout, /secrets x\/a: differs \(encrypted, cannot show\)/);
    const one = await diffStores(store(sealed), store(other), ['secrets', 'a', '-n', 'x']);
    assert.equal(one.code, 1, one.stderr);
    assert.equal(one.stdout, 'secrets x/a: differs (encrypted, cannot show)\n');
  });

  it('an encrypted value against a plain one cannot be compared: exit 2 with one line', async function () {
    const r = await diffStores(store(sealed), store(secretBytes('a')), ['secrets', '-n', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /secrets x\/a: encrypted at rest on one side only, not compared/);
    // Many: one line, the summary names each.
    const b = '/registry/secrets/x/b';
    const encrypted = MemorySource.fromEntries([
      { key, value: sealed },
      { key: b, value: encryptAt('aescbc', 'key1', KEY1, secretBytes('b'), b) },
    ]);
    const plain = MemorySource.fromEntries([
      { key, value: secretBytes('a') },
      { key: b, value: secretBytes('b') },
    ]);
    const many = await diffStores(encrypted, plain, ['secrets', '-n', 'x']);
    assert.equal(many.code, 2);
    assert.equal(many.stderr, 'kreg: 2 objects encrypted at rest on one side only were not compared (named above): give --encryption-config to decrypt them\n');
    assert.match(many.stdout, /changed: secrets x\/b \(encrypted on one side only, cannot compare\)/);
  });

  it('with --encryption-config both sides are decrypted and compared as objects', async function () {
    const other = encryptAt('aescbc', 'key1', KEY1, secretBytes('a'), key);
    const same = await diffStores(store(sealed), store(other), ['secrets', '-n', 'x', '--encryption-config', configFile]);
    assert.equal(same.code, 0, same.stderr + same.stdout);
    const plain = await diffStores(store(sealed), store(secretBytes('a')), ['secrets', '-n', 'x', '--encryption-config', configFile]);
    assert.equal(plain.code, 0, plain.stderr + plain.stdout);
  });
});

describe('kreg audit encryption', function () {
  let dir: string;
  let configFile: string;
  let source: MemorySource;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-audit-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      encryptionConfigYaml([
        { resources: ['secrets'], providers: [{ type: 'secretbox', keys: [{ name: 'new', secret: KEY2 }] }, { type: 'aescbc', keys: [{ name: 'old:1', secret: KEY1 }] }, { type: 'identity' }] },
      ]),
    );
    source = new MemorySource({ description: 'memory' });
    source.put('/registry/secrets/x/a', encryptAt('aescbc', 'old:1', KEY1, secretBytes('a'), '/registry/secrets/x/a'));
    source.put('/registry/secrets/x/b', encryptAt('secretbox', 'new', KEY2, secretBytes('b'), '/registry/secrets/x/b'));
    source.put('/registry/secrets/x/c', secretBytes('c'));
    source.put('/registry/configmaps/x/d', encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'x' } }));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts objects per resource by provider and key name, and plaintext; no findings without a config', async function () {
    const r = await runKreg(['audit', 'encryption', '-o', 'json'], { source });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString()) as { resources: { resource: string; provider: string; keyName: string; count: number }[]; findings: unknown[] };
    assert.deepEqual(
      out.resources.map((x) => [x.resource, x.provider, x.keyName, x.count]),
      [
        ['configmaps', 'plaintext', '', 1],
        // Without the config a key name is read up to the next ":".
        ['secrets', 'aescbc', 'old', 1],
        ['secrets', 'plaintext', '', 1],
        ['secrets', 'secretbox', 'new', 1],
      ],
    );
    assert.deepEqual(out.findings, []);
  });

  it('against a config: plaintext objects it encrypts and objects under an old key, exit 1', async function () {
    const r = await runKreg(['audit', 'encryption', '--encryption-config', configFile], { source });
    assert.equal(r.code, 1, r.stderr);
    const text = r.stdout.toString();
    assert.match(text, /secrets\s+aescbc\s+old:1\s+1\n/);
    assert.match(text, /1 secrets under aescbc key "old:1", not the current write key \(secretbox key "new"\)/);
    assert.match(text, /1 secrets stored in plaintext; the config encrypts them with secretbox key "new"/);
    assert.doesNotMatch(text, /configmaps stored in plaintext/);
    for (const form of keyForms(KEY1, KEY2)) assert.ok(!(text + r.stderr).includes(form));
  });
});

describe('everything encrypted (*.*), custom resources included', function () {
  const crd = WIDGET_CRD;
  let dir: string;
  let configFile: string;
  let source: MemorySource;
  const put = (key: string, plaintext: Uint8Array): void => {
    source.put(key, encryptAt('aesgcm', 'all', KEY1, plaintext, key));
  };
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-all-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, encryptionConfigYaml([{ resources: ['*.*'], providers: [{ type: 'aesgcm', keys: [{ name: 'all', secret: KEY1 }] }] }]));
    source = new MemorySource({ description: 'memory' });
    put('/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', new Uint8Array(Buffer.from(JSON.stringify(crd))));
    put('/registry/example.com/widgets/shop/w1', new Uint8Array(Buffer.from(JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'shop' } }))));
    put('/registry/secrets/shop/s', secretBytes('s', 'shop'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns the CRDs through the keys, then reads their objects', async function () {
    const r = await runKreg(['get', 'widgets', '-n', 'shop', '-o', 'name', '--encryption-config', configFile], { source });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'widget.example.com/w1\n');
  });

  it('--debug prints no key either', async function () {
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, encryptionConfigYaml([{ resources: ['*.*'], providers: [{ type: 'aesgcm', keys: [{ name: 'all', secret: WRONG }] }] }]));
    const r = await runKreg(['--debug', 'get', '-A', '-o', 'yaml', '--workers', '0', '--encryption-config', wrong], { source });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot decrypt with aesgcm key "all"/);
    for (const form of keyForms(KEY1, WRONG)) assert.ok(!(r.stdout.toString() + r.stderr).includes(form));
  });

  it('decode reads an etcdctl -w json listing, each value authenticated by its own key', async function () {
    const kvs = [];
    for await (const e of source.range({ prefix: '/registry/', revision: await source.currentRevision() })) {
      kvs.push({ key: Buffer.from(e.key).toString('base64'), create_revision: e.createRevision, mod_revision: e.modRevision, version: e.version, value: Buffer.from(e.value).toString('base64') });
    }
    const r = await runKreg(['decode', '-o', 'json', '--encryption-config', configFile], { input: JSON.stringify({ header: { revision: 3 }, kvs, count: kvs.length }) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout.toString()) as { items: { kind: string }[] }).items.map((i) => i.kind),
      ['CustomResourceDefinition', 'Widget', 'Secret'],
    );
  });
});

describe('--encryption-config against a real etcd', function () {
  this.timeout(120_000);
  const etcd = useEtcd();
  let dir: string;
  let configFile: string;
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-enc-etcd-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, encryptionConfigYaml([{ resources: ['secrets'], providers: [{ type: 'aesgcm', keys: [{ name: 'k', secret: KEY1 }] }, { type: 'identity' }] }]));
    for (const name of ['a', 'b']) {
      const key = `/registry/secrets/x/${name}`;
      await etcd.server.etcdctl(['put', key], encryptAt('aesgcm', 'k', name === 'a' ? KEY1 : WRONG, secretBytes(name), key));
    }
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('get decrypts what it can, names what it cannot, exit 1', async function () {
    const r = await runKreg(['get', 'secrets', '-n', 'x', '-o', 'name', '--endpoints', etcd.server.endpoint, '--encryption-config', configFile]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.toString(), 'secret/a\nsecret/b\n');
    assert.match(r.stderr, /\/registry\/secrets\/x\/b: cannot decrypt with aesgcm key "k": the key is wrong or the value is damaged/);
  });
});

describe('KMS v2 values written by kube-apiserver (decrypted with the DEK the plugin would return)', function () {
  interface KmsVector {
    name: string;
    encryptedDEKSourceType: string;
    etcd_key_and_aad: string;
    prefix: string;
    etcd_value_file: string;
    encryptedDEKSource_ascii: string;
    dek_or_seed_hex: string;
    keyID: string;
    annotations: Record<string, string>;
    plaintext_file: string;
  }

  it('every real value parses to its EncryptedObject and decrypts to its plaintext', function () {
    requireEncryptionVectors(this);
    const base = join(ENCRYPTION_VECTORS_DIR, 'kms-v2-real');
    const { vectors } = JSON.parse(readFileSync(join(base, 'vectors.json'), 'utf8')) as { vectors: KmsVector[] };
    assert.equal(vectors.length, 2);
    for (const v of vectors) {
      const value = new Uint8Array(readFileSync(join(base, v.etcd_value_file)));
      assert.equal(Buffer.from(value.subarray(0, v.prefix.length)).toString(), v.prefix);
      const object = parseKmsV2EncryptedObject(value.subarray(v.prefix.length));
      assert.equal(object.keyID, v.keyID);
      assert.equal(Buffer.from(object.encryptedDEKSource).toString(), v.encryptedDEKSource_ascii);
      assert.ok(v.encryptedDEKSourceType.startsWith(object.encryptedDEKSourceType), `${v.encryptedDEKSourceType} vs ${object.encryptedDEKSourceType}`);
      assert.deepEqual(Object.fromEntries(Object.entries(object.annotations).map(([k, b]) => [k, Buffer.from(b).toString()])), v.annotations);
      const dek = new Uint8Array(Buffer.from(v.dek_or_seed_hex, 'hex'));
      const plaintext = decryptKmsV2Object(NODE_AES, object, dek, v.etcd_key_and_aad);
      assert.deepEqual(Buffer.from(plaintext), readFileSync(join(base, v.plaintext_file)));
      assert.throws(() => decryptKmsV2Object(NODE_AES, object, dek, `${v.etcd_key_and_aad}x`));
      // The plaintext is a stored Secret.
      assert.equal(decode(plaintext).kind, 'Secret');
    }
  });

  it('the upstream extended-nonce (HKDF seed) vector decrypts', function () {
    requireEncryptionVectors(this);
    const dir = join(ENCRYPTION_VECTORS_DIR, 'apiserver-unit');
    const { vectors } = JSON.parse(readFileSync(join(dir, 'vectors.json'), 'utf8')) as { vectors: Record<string, string>[] };
    const xnonce = vectors.filter((v) => v.seed_hex !== undefined);
    assert.equal(xnonce.length, 1);
    for (const v of xnonce) {
      const data = new Uint8Array(readFileSync(join(dir, v.ciphertext_file as string)));
      const object = { encryptedData: data, keyID: '', encryptedDEKSource: new Uint8Array(), annotations: {}, encryptedDEKSourceType: 'HKDF_SHA256_XNONCE_AES_GCM_SEED' as const };
      assert.equal(Buffer.from(decryptKmsV2Object(NODE_AES, object, new Uint8Array(Buffer.from(v.seed_hex as string, 'hex')), v.aad_ascii as string)).toString(), v.plaintext_ascii);
    }
  });
});
