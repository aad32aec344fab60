/**
 * The DEKs of KMS values, asked of their plugins over gRPC: once per distinct encrypted DEK (a
 * listing of 10,000 Secrets sharing a few DEKs makes a few calls), the answer or the failure kept
 * for every value that shares it. A plugin that cannot be reached is not asked again.
 */
import { resolve } from 'node:path';
import type { EncryptionConfig } from '../codec/encryption-config.js';
import { kmsDekRequest, kmsPrefixes, type KmsDekLookup, type KmsDekRequest, type KmsPrefixes } from '../codec/kms-dek-request.js';
import { UsageError } from '../errors.js';
import { KmsPluginClient, KmsPluginError, type KmsStatus } from './kms-plugin-client.js';

/** gRPC's UNAVAILABLE: nothing listens on the socket. */
const GRPC_UNAVAILABLE = 14;

/** --kms-socket NAME=PATH, each made a gRPC target. */
export function parseKmsSockets(values: readonly string[]): Map<string, string> {
  const sockets = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new UsageError('bad-flags', `--kms-socket takes NAME=PATH (the KMS provider's name in the config and its plugin's unix socket), not "${value}"`);
    sockets.set(value.slice(0, eq), `unix://${resolve(value.slice(eq + 1))}`);
  }
  return sockets;
}

export class KmsDekResolver implements KmsDekLookup {
  private readonly deks = new Map<string, Uint8Array | Error>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly clients = new Map<string, KmsPluginClient>();
  private readonly unreachable = new Map<string, Error>();
  /** Decrypt calls made, per plugin name (tests and --debug count them). */
  readonly decryptCalls = new Map<string, number>();
  private readonly prefixes: KmsPrefixes;

  constructor(
    private readonly config: EncryptionConfig,
    /** --kms-socket: plugin name → gRPC target, over the config's endpoint. */
    private readonly sockets: ReadonlyMap<string, string> = new Map(),
  ) {
    this.prefixes = kmsPrefixes(config);
  }

  /** Whether the configuration has a KMS provider at all. */
  static needed(config: EncryptionConfig): boolean {
    return config.rules.some((rule) => rule.providers.some((p) => p.type === 'kms'));
  }

  dek(cacheKey: string): Uint8Array | Error | undefined {
    return this.deks.get(cacheKey);
  }

  async prepare(value: Uint8Array): Promise<void> {
    let request: KmsDekRequest | undefined;
    try {
      request = kmsDekRequest(this.prefixes, value);
    } catch {
      return; // a damaged value: decrypting it says so, for it alone
    }
    if (request === undefined || this.deks.has(request.cacheKey)) return;
    let pending = this.pending.get(request.cacheKey);
    if (pending === undefined) {
      pending = this.ask(request);
      this.pending.set(request.cacheKey, pending);
    }
    await pending;
  }

  /** The plugin's Status (v2); undefined for a v1 plugin or a name the config does not have. */
  async status(pluginName: string): Promise<KmsStatus | undefined> {
    const provider = this.config.rules.flatMap((r) => r.providers).find((p) => p.type === 'kms' && p.name === pluginName);
    if (provider?.type !== 'kms' || provider.apiVersion !== 'v2') return undefined;
    return (await this.client(pluginName, 'v2', provider.endpoint)).status();
  }

  async currentKeyID(pluginName: string): Promise<string | undefined> {
    const status = await this.status(pluginName);
    return status === undefined || status.keyID === '' ? undefined : status.keyID;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private async ask(request: KmsDekRequest): Promise<void> {
    const { pluginName } = request;
    try {
      const down = this.unreachable.get(pluginName);
      if (down !== undefined) throw down;
      const client = await this.client(pluginName, request.apiVersion, request.endpoint);
      this.decryptCalls.set(pluginName, (this.decryptCalls.get(pluginName) ?? 0) + 1);
      const dek = await client.decrypt(request.ciphertext, request.keyID, request.annotations);
      if (dek.length === 0) throw new KmsPluginError('kms-plugin-failed', `its plugin at ${client.target} returned no DEK`);
      this.deks.set(request.cacheKey, dek);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if ((error.cause as { code?: number } | undefined)?.code === GRPC_UNAVAILABLE) this.unreachable.set(pluginName, error);
      this.deks.set(request.cacheKey, error);
    } finally {
      this.pending.delete(request.cacheKey);
    }
  }

  private async client(pluginName: string, apiVersion: 'v1' | 'v2', endpoint: string | undefined): Promise<KmsPluginClient> {
    const existing = this.clients.get(pluginName);
    if (existing !== undefined) return existing;
    const target = this.sockets.get(pluginName) ?? endpoint;
    if (target === undefined) throw new KmsPluginError('kms-plugin-failed', `the config names no endpoint for it: give --kms-socket ${pluginName}=PATH`);
    if (!target.startsWith('unix:')) throw new KmsPluginError('kms-plugin-failed', `its endpoint ${target} is not a unix socket (unix:///path): give --kms-socket ${pluginName}=PATH`);
    const client = await KmsPluginClient.connect(pluginName, apiVersion, target);
    this.clients.set(pluginName, client);
    return client;
  }
}
