/**
 * A real KMS plugin for tests: a gRPC server on a unix socket serving the KMS plugin API (v2:
 * Status, Decrypt, Encrypt; v1beta1: Version, Decrypt, Encrypt), wrapping a local AES-256 key as
 * the KEK, the way upstream's mock plugin wraps a local key, or (mode "base64") decrypting by
 * base64-decoding, as the mock plugin that wrote the upstream KMS v2 vectors did. It counts the
 * calls it answers. Also: KMS v1 and v2 values made as kube-apiserver writes them.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { KMS_V1BETA1, KMS_V2 } from '../../src/codec/kms-plugin-messages.js';
import { WIRE_BYTES, WIRE_VARINT, WireWriter } from '../../src/codec/wire.js';

export interface KmsPluginOptions {
  /** "aes": the KEK is a local AES-256-GCM key; "base64": Decrypt base64-decodes (upstream's mock). */
  mode?: 'aes' | 'base64';
  /** The keyID Status and Encrypt report (v2). */
  keyID?: string;
}

export interface KmsPlugin {
  /** The unix socket it listens on. */
  readonly socketPath: string;
  /** `unix:///path`, as an EncryptionConfiguration's endpoint names it. */
  readonly endpoint: string;
  /** Calls answered, by method (v2 and v1beta1 together). */
  readonly calls: { Decrypt: number; Status: number; Version: number; Encrypt: number };
  /** What Encrypt would return for a DEK: the DEK sealed with the KEK. */
  seal(dek: Uint8Array): Uint8Array;
  /** Makes every Decrypt fail (INTERNAL), as a plugin whose KMS is down does. */
  failDecrypt: boolean;
  keyID: string;
  stop(): Promise<void>;
}

function method<Req, Res>(path: string, request: { encode(m: Req): Uint8Array; decode(b: Uint8Array): Req }, response: { encode(m: Res): Uint8Array; decode(b: Uint8Array): Res }) {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: Req) => Buffer.from(request.encode(m)),
    requestDeserialize: (b: Buffer) => request.decode(new Uint8Array(b)),
    responseSerialize: (m: Res) => Buffer.from(response.encode(m)),
    responseDeserialize: (b: Buffer) => response.decode(new Uint8Array(b)),
  };
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

export async function startKmsPlugin(options: KmsPluginOptions = {}): Promise<KmsPlugin> {
  const dir = mkdtempSync(join(tmpdir(), 'kreg-kms-'));
  const socketPath = join(dir, 'kms.sock');
  const kek = randomBytes(32);
  const mode = options.mode ?? 'aes';
  const server = new grpc.Server();
  const plugin: KmsPlugin = {
    socketPath,
    endpoint: `unix://${socketPath}`,
    calls: { Decrypt: 0, Status: 0, Version: 0, Encrypt: 0 },
    failDecrypt: false,
    keyID: options.keyID ?? 'kek-1',
    seal(dek) {
      if (mode === 'base64') return new Uint8Array(Buffer.from(Buffer.from(dek).toString('base64')));
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, nonce);
      return new Uint8Array(Buffer.concat([nonce, cipher.update(dek), cipher.final(), cipher.getAuthTag()]));
    },
    stop: () =>
      new Promise((resolve) => {
        server.tryShutdown(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
  const open = (sealed: Uint8Array): Uint8Array => {
    if (mode === 'base64') return new Uint8Array(Buffer.from(Buffer.from(sealed).toString(), 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]));
  };
  const decryptOrFail = <Res>(sealed: Uint8Array, wrap: (plain: Uint8Array) => Res, callback: grpc.sendUnaryData<Res>): void => {
    plugin.calls.Decrypt++;
    if (plugin.failDecrypt) {
      callback({ code: grpc.status.INTERNAL, details: 'KMS is down' });
      return;
    }
    try {
      callback(null, wrap(open(sealed)));
    } catch {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'cannot decrypt: not sealed with this KEK' });
    }
  };

  type V2 = typeof KMS_V2;
  type Msg<T extends { decode(b: Uint8Array): unknown }> = ReturnType<T['decode']>;
  server.addService(
    {
      Status: method(`/${KMS_V2.service}/Status`, KMS_V2.StatusRequest, KMS_V2.StatusResponse),
      Decrypt: method(`/${KMS_V2.service}/Decrypt`, KMS_V2.DecryptRequest, KMS_V2.DecryptResponse),
      Encrypt: method(`/${KMS_V2.service}/Encrypt`, KMS_V2.EncryptRequest, KMS_V2.EncryptResponse),
    },
    {
      Status: ((_call, callback) => {
        plugin.calls.Status++;
        callback(null, { version: 'v2', healthz: 'ok', keyId: plugin.keyID });
      }) as Handler<Msg<V2['StatusRequest']>, Msg<V2['StatusResponse']>>,
      Decrypt: ((call, callback) => decryptOrFail(call.request.ciphertext ?? new Uint8Array(), (plaintext) => ({ plaintext }), callback)) as Handler<
        Msg<V2['DecryptRequest']>,
        Msg<V2['DecryptResponse']>
      >,
      Encrypt: ((call, callback) => {
        plugin.calls.Encrypt++;
        callback(null, { ciphertext: plugin.seal(call.request.plaintext ?? new Uint8Array()), keyId: plugin.keyID });
      }) as Handler<Msg<V2['EncryptRequest']>, Msg<V2['EncryptResponse']>>,
    },
  );
  type V1 = typeof KMS_V1BETA1;
  server.addService(
    {
      Version: method(`/${KMS_V1BETA1.service}/Version`, KMS_V1BETA1.VersionRequest, KMS_V1BETA1.VersionResponse),
      Decrypt: method(`/${KMS_V1BETA1.service}/Decrypt`, KMS_V1BETA1.DecryptRequest, KMS_V1BETA1.DecryptResponse),
      Encrypt: method(`/${KMS_V1BETA1.service}/Encrypt`, KMS_V1BETA1.EncryptRequest, KMS_V1BETA1.EncryptResponse),
    },
    {
      Version: ((_call, callback) => {
        plugin.calls.Version++;
        callback(null, { version: 'v1beta1', runtimeName: 'kreg-test-kms', runtimeVersion: '0.1.0' });
      }) as Handler<Msg<V1['VersionRequest']>, Msg<V1['VersionResponse']>>,
      Decrypt: ((call, callback) => decryptOrFail(call.request.cipher ?? new Uint8Array(), (plain) => ({ plain }), callback)) as Handler<Msg<V1['DecryptRequest']>, Msg<V1['DecryptResponse']>>,
      Encrypt: ((call, callback) => {
        plugin.calls.Encrypt++;
        callback(null, { cipher: plugin.seal(call.request.plain ?? new Uint8Array()) });
      }) as Handler<Msg<V1['EncryptRequest']>, Msg<V1['EncryptResponse']>>,
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err === null ? resolve() : reject(err)));
  });
  return plugin;
}

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** A KMS v2 value as kube-apiserver writes it: the DEK (or seed) sealed by the plugin, the data by the DEK. */
export function kmsV2Value(
  pluginName: string,
  sealed: { encryptedDEKSource: Uint8Array; keyID: string; annotations?: Record<string, Uint8Array> },
  dek: { type: 'AES_GCM_KEY' | 'HKDF_SHA256_XNONCE_AES_GCM_SEED'; bytes: Uint8Array },
  plaintext: Uint8Array,
  etcdKey: string,
): Uint8Array {
  let encryptedData: Buffer;
  if (dek.type === 'AES_GCM_KEY') encryptedData = gcmSeal(dek.bytes, plaintext, etcdKey);
  else {
    const info = randomBytes(32);
    const key = createHmac('sha256', dek.bytes).update(info).update(Uint8Array.of(1)).digest();
    encryptedData = Buffer.concat([info, gcmSeal(key, plaintext, etcdKey)]);
  }
  const w = new WireWriter();
  w.tag(1, WIRE_BYTES);
  w.bytes(encryptedData);
  w.tag(2, WIRE_BYTES);
  w.bytes(Buffer.from(sealed.keyID));
  w.tag(3, WIRE_BYTES);
  w.bytes(sealed.encryptedDEKSource);
  for (const [k, v] of Object.entries(sealed.annotations ?? {})) {
    w.tag(4, WIRE_BYTES);
    const mark = w.beginDelimited();
    w.tag(1, WIRE_BYTES);
    w.bytes(Buffer.from(k));
    w.tag(2, WIRE_BYTES);
    w.bytes(v);
    w.finishDelimited(mark);
  }
  if (dek.type === 'HKDF_SHA256_XNONCE_AES_GCM_SEED') {
    w.tag(5, WIRE_VARINT);
    w.uint32(1);
  }
  return new Uint8Array(Buffer.concat([Buffer.from(`k8s:enc:kms:v2:${pluginName}:`), w.finish()]));
}

/** A KMS v1 value: 2-byte DEK length, the sealed DEK, the data (AES-GCM from Kubernetes 1.25, AES-CBC before). */
export function kmsV1Value(pluginName: string, sealedDek: Uint8Array, dek: Uint8Array, plaintext: Uint8Array, etcdKey: string, cipher: 'gcm' | 'cbc' = 'gcm'): Uint8Array {
  let data: Buffer;
  if (cipher === 'gcm') data = gcmSeal(dek, plaintext, etcdKey);
  else {
    const iv = randomBytes(16);
    const c = createCipheriv(`aes-${dek.length * 8}-cbc`, dek, iv);
    data = Buffer.concat([iv, c.update(plaintext), c.final()]);
  }
  const length = Buffer.alloc(2);
  length.writeUInt16BE(sealedDek.length);
  return new Uint8Array(Buffer.concat([Buffer.from(`k8s:enc:kms:v1:${pluginName}:`), length, sealedDek, data]));
}
