/**
 * A client for a KMS plugin's gRPC service on its unix socket, as kube-apiserver calls it:
 * v1beta1 (Version, Decrypt) and v2 (Status, Decrypt). The service is described by hand over
 * @grpc/grpc-js, its messages written and read by the codec (kms-plugin-messages.ts): no
 * generated code or protobuf runtime is needed for a handful of string and bytes fields.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { KMS_V1BETA1, KMS_V2 } from '../codec/kms-plugin-messages.js';
import { KregError } from '../errors.js';
import { importGrpc } from '../sources/etcd-dependency.js';

/** A plugin call that failed; the message says which plugin, where, and what gRPC said. */
export class KmsPluginError extends KregError {
  override name = 'KmsPluginError';
}

/** What a v2 plugin's Status says. */
export interface KmsStatus {
  version: string;
  healthz: string;
  /** The KEK it encrypts new DEKs with now. */
  keyID: string;
}

/** How long one call may take: a plugin is local, a hung one should not hang a listing. */
const CALL_TIMEOUT_MS = 10_000;

export class KmsPluginClient {
  private constructor(
    private readonly client: Client,
    /** The plugin's name in the configuration, for messages. */
    readonly name: string,
    readonly apiVersion: 'v1' | 'v2',
    /** The gRPC target, `unix:///path`. */
    readonly target: string,
  ) {}

  static async connect(name: string, apiVersion: 'v1' | 'v2', target: string): Promise<KmsPluginClient> {
    const grpc = await importGrpc(`KMS provider "${name}"`);
    return new KmsPluginClient(new grpc.Client(target, grpc.credentials.createInsecure()), name, apiVersion, target);
  }

  /** v2 Status: health and the current keyID. */
  status(): Promise<KmsStatus> {
    return this.call(`/${KMS_V2.service}/Status`, KMS_V2.StatusRequest.encode({}), KMS_V2.StatusResponse.decode).then((r) => ({
      version: r.version ?? '',
      healthz: r.healthz ?? '',
      keyID: r.keyId ?? '',
    }));
  }

  /** The DEK (or v2 seed) inside `ciphertext`; keyID and annotations are v2's, sent back as stored. */
  async decrypt(ciphertext: Uint8Array, keyID: string, annotations: Record<string, Uint8Array>): Promise<Uint8Array> {
    if (this.apiVersion === 'v1') {
      const r = await this.call(`/${KMS_V1BETA1.service}/Decrypt`, KMS_V1BETA1.DecryptRequest.encode({ version: 'v1beta1', cipher: ciphertext }), KMS_V1BETA1.DecryptResponse.decode);
      return r.plain ?? new Uint8Array();
    }
    const request = KMS_V2.DecryptRequest.encode({ ciphertext, uid: randomUUID(), keyId: keyID, annotations });
    const r = await this.call(`/${KMS_V2.service}/Decrypt`, request, KMS_V2.DecryptResponse.decode);
    return r.plaintext ?? new Uint8Array();
  }

  close(): void {
    this.client.close();
  }

  private call<T>(method: string, request: Uint8Array, decode: (bytes: Uint8Array) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method,
        (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
        (buffer: Buffer) => decode(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length)),
        request,
        { deadline: Date.now() + CALL_TIMEOUT_MS },
        (err, response) => {
          if (err !== null) {
            reject(new KmsPluginError('kms-plugin-failed', `its plugin at ${this.target} failed: ${err.details || err.message}`, {}, { cause: err }));
            return;
          }
          resolve(response as T);
        },
      );
    });
  }
}
