/**
 * The etcd v3 calls kreg makes, over gRPC: KV.Range, Watch.Watch, Lease.LeaseLeases and
 * LeaseTimeToLive, Maintenance.Status and Auth.Authenticate, with the message codecs of
 * etcd-messages.ts on grpc-js's generic client. kreg only reads, and needs no more than these.
 * A general etcd client (etcd3) parsed etcd's .proto files with proto-loader and protobufjs when
 * loaded: 150-200 ms of every live command's start, a third of `kreg get ns default`.
 *
 * Endpoints are used as etcdctl uses them (EndpointRouter); each call carries the auth token, got
 * once and again when etcd says it is no longer valid; unary calls have deadlines from the dial
 * and command timeouts.
 */
import type { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ChannelCredentials, Client, ClientDuplexStream, Metadata } from '@grpc/grpc-js';
import { UsageError } from '../errors.js';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, describeEndpoints, type EtcdConnectionSettings } from './etcd-connection.js';
import { importGrpc } from './etcd-dependency.js';
import { EtcdError } from './etcd-error-types.js';
import { GRPC_CANCELLED, GRPC_DEADLINE_EXCEEDED, GRPC_UNAVAILABLE, grpcCode } from './etcd-errors.js';
import {
  decodeAuthenticateResponse,
  decodeHeaderOnly,
  decodeLeaseLeasesResponse,
  decodeLeaseTimeToLiveResponse,
  decodeRangePage,
  decodeRangeResponse,
  decodeWatchResponse,
  encodeAuthenticateRequest,
  encodeEmptyRequest,
  encodeLeaseTimeToLiveRequest,
  encodeRangeRequest,
  encodeWatchRequest,
  type DecodedRangePage,
  type DecodedRangeResponse,
  type DecodedResponseHeader,
  type DecodedWatchResponse,
  type RangeRequest,
  type ValueRead,
  type WatchRequest,
} from './etcd-messages.js';
import { assembleGrpcMessagesInPlace } from './grpc-message-assembly.js';

// Optional dependency: importing this module without it fails with one clear KregError.
const grpc = await importGrpc();
// Large range pages are received without holding their chunks until a full GC (see the module).
await assembleGrpcMessagesInPlace();

/**
 * How much etcd may send before kreg reads it (HTTP/2 flow control, per stream and connection).
 * HTTP/2's default of 64 KiB held the page read ahead of a listing to the pace the reader took
 * entries, so the next page was seldom all there when wanted: at 100k keys, 1.2-1.4 s of page
 * waits with 64 KiB, 0.7-0.85 s with 1-16 MiB. Go's gRPC (etcdctl) grows its window up to 16 MiB;
 * 4 MiB covers a gigabit link at 30 ms, and bounds what a paused watch may still receive.
 */
const FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

const RANGE = '/etcdserverpb.KV/Range';
const WATCH = '/etcdserverpb.Watch/Watch';
const LEASE_LEASES = '/etcdserverpb.Lease/LeaseLeases';
const LEASE_TIME_TO_LIVE = '/etcdserverpb.Lease/LeaseTimeToLive';
const STATUS = '/etcdserverpb.Maintenance/Status';
const AUTHENTICATE = '/etcdserverpb.Auth/Authenticate';

/** A watch stream: WatchRequests written, WatchResponses read; grpc-js's duplex, a Node stream. */
export type WatchStream = ClientDuplexStream<WatchRequest, DecodedWatchResponse>;

export interface EtcdClientOptions {
  /** Largest response accepted, in bytes; DEFAULT_MAX_RECEIVE_MESSAGE_BYTES when absent. */
  maxReceiveMessageBytes?: number;
}

/**
 * Endpoint choice with failover, as etcdctl does it:
 *  - calls go to the endpoint that last answered, and stay off endpoints that could not be
 *    reached while another one may work;
 *  - a call that could not reach its endpoint is tried on the next one, at most once per endpoint;
 *  - an answer (compacted, permission denied, ...) is never retried elsewhere.
 */
class EndpointRouter {
  private preferred: string | undefined;
  private readonly failed = new Set<string>();

  constructor(private readonly endpoints: readonly string[]) {}

  /** The endpoint that answered the last call that reached etcd; undefined before any did. */
  answeredBy(): string | undefined {
    return this.preferred;
  }

  /** Runs the call on one endpoint after another until one answers (or fails with an answer). */
  async run<T>(call: (endpoint: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const endpoint of this.order()) {
      try {
        const result = await call(endpoint);
        this.answered(endpoint);
        return result;
      } catch (error) {
        this.observed(endpoint, error);
        if (!isUnreachable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The endpoints in the order to try them: the one that answered last, those not known down, those down. */
  order(): string[] {
    const others = this.endpoints.filter((endpoint) => endpoint !== this.preferred);
    const up = others.filter((endpoint) => !this.failed.has(endpoint));
    const down = others.filter((endpoint) => this.failed.has(endpoint));
    return this.preferred === undefined ? [...up, ...down] : [this.preferred, ...up, ...down];
  }

  /** What a call's failure says of its endpoint: down when it could not be reached, nothing when kreg cancelled it, else up. */
  observed(endpoint: string, error: unknown): void {
    if (grpcCode(error) === GRPC_CANCELLED) return;
    if (!isUnreachable(error)) {
      this.answered(endpoint); // an error from etcd itself: the endpoint is up
      return;
    }
    this.failed.add(endpoint);
    if (this.preferred === endpoint) this.preferred = undefined;
  }

  private answered(endpoint: string): void {
    this.preferred = endpoint;
    this.failed.delete(endpoint);
  }
}

/** The endpoint could not be reached (refused, reset, no leader, no answer in time); another one might. */
function isUnreachable(error: unknown): boolean {
  const code = grpcCode(error);
  return code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED;
}

/** etcd's answer to a token it no longer accepts (expired, or from before an auth change): authenticate again. */
function isStaleToken(error: unknown): boolean {
  return error instanceof Error && /invalid auth token|auth store is old/.test(error.message);
}

/** A deadline `timeoutMs` from now; Infinity for none. */
function deadlineIn(timeoutMs: number): number {
  return Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : Infinity;
}

/** A client of the etcd endpoints in the settings; nothing is dialled until the first call. */
export class EtcdClient {
  private readonly channels = new Map<string, Client>();
  private readonly credentials: ChannelCredentials;
  private readonly router: EndpointRouter;
  private readonly channelOptions: Record<string, number>;
  /** The auth token's metadata, asked for once (and again when etcd refuses it). */
  private metadata: Promise<Metadata> | undefined;
  private closed = false;

  constructor(
    private readonly settings: EtcdConnectionSettings,
    options: EtcdClientOptions = {},
  ) {
    this.router = new EndpointRouter(settings.endpoints);
    this.channelOptions = {
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    };
    this.credentials = channelCredentials(settings);
  }

  /** The endpoint that answered the last call that reached etcd; undefined before any did. */
  answeredBy(): string | undefined {
    return this.router.answeredBy();
  }

  /** KV.Range: one page (or one key). */
  range(request: RangeRequest): Promise<DecodedRangeResponse> {
    return this.unary(RANGE, encodeRangeRequest(request), decodeRangeResponse);
  }

  /** KV.Range: one page of a listing, read into entries carrying what `read` says of their values. */
  rangePage(request: RangeRequest, read: ValueRead): Promise<DecodedRangePage> {
    return this.unary(RANGE, encodeRangeRequest(request), (message) => decodeRangePage(message, read));
  }

  /** Maintenance.Status, of which kreg reads the header (the current revision). */
  status(options: { deadline?: number } = {}): Promise<{ header: DecodedResponseHeader | null }> {
    return this.unary(STATUS, encodeEmptyRequest(), decodeHeaderOnly, options.deadline);
  }

  /** Lease.LeaseLeases: every lease's ID. */
  leaseLeases(): Promise<{ leases: { ID: string }[] }> {
    return this.unary(LEASE_LEASES, encodeEmptyRequest(), decodeLeaseLeasesResponse);
  }

  /** Lease.LeaseTimeToLive: the lease's remaining TTL in seconds (-1 when it has expired). */
  leaseTimeToLive(request: { ID: string; keys?: boolean }): Promise<{ TTL: string }> {
    return this.unary(LEASE_TIME_TO_LIVE, encodeLeaseTimeToLiveRequest(request), decodeLeaseTimeToLiveResponse);
  }

  /** A new Watch stream, authenticated, to the endpoint calls go to. */
  async watch(): Promise<WatchStream> {
    this.checkOpen();
    const metadata = await this.authMetadata();
    const endpoint = this.router.order()[0] as string;
    const stream = this.channel(endpoint).makeBidiStreamRequest(WATCH, encodeWatchRequest, decodeWatchResponse, metadata, {});
    stream.on('error', (error) => this.router.observed(endpoint, error));
    return stream;
  }

  /**
   * Authenticate again before the next call. For a watch created again after its stream broke:
   * etcd forgets its tokens when it restarts, and cancels a watch created with one it no longer
   * knows ("invalid auth token"), which unary calls retry but a watch stream cannot.
   */
  renewToken(): void {
    this.metadata = undefined;
  }

  /** Closes every connection; calls after this fail with EtcdError('etcd-client-closed'). */
  close(): void {
    this.closed = true;
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private async unary<R>(path: string, request: Buffer, decode: (bytes: Buffer) => R, deadline?: number): Promise<R> {
    this.checkOpen();
    for (let attempt = 0; ; attempt++) {
      const metadata = await this.authMetadata();
      try {
        return await this.router.run((endpoint) => this.callOnce(endpoint, path, request, decode, metadata, deadline ?? deadlineIn(this.settings.commandTimeoutMs)));
      } catch (error) {
        if (attempt > 0 || this.settings.auth === undefined || !isStaleToken(error)) throw error;
        this.metadata = undefined;
      }
    }
  }

  private callOnce<R>(endpoint: string, path: string, request: Buffer, decode: (bytes: Buffer) => R, metadata: Metadata, deadline: number): Promise<R> {
    const channel = this.channel(endpoint);
    return new Promise<R>((resolve, reject) => {
      channel.makeUnaryRequest(
        path,
        (bytes: Buffer) => bytes,
        decode,
        request,
        metadata,
        Number.isFinite(deadline) ? { deadline } : {},
        (error, value) => {
          if (error !== null) reject(error);
          else resolve(value as R);
        },
      );
    });
  }

  /** The token's metadata (empty without auth); authenticating under the dial timeout the first time. */
  private authMetadata(): Promise<Metadata> {
    const auth = this.settings.auth;
    if (auth === undefined) return Promise.resolve(new grpc.Metadata());
    this.metadata ??= this.router
      .run((endpoint) =>
        this.callOnce(
          endpoint,
          AUTHENTICATE,
          encodeAuthenticateRequest({ name: auth.user, password: auth.password }),
          decodeAuthenticateResponse,
          new grpc.Metadata(),
          deadlineIn(this.settings.dialTimeoutMs),
        ),
      )
      .then((response) => {
        const metadata = new grpc.Metadata();
        metadata.set('token', response.token);
        return metadata;
      })
      .catch((error: unknown) => {
        this.metadata = undefined; // the next call tries again
        throw error;
      });
    return this.metadata;
  }

  private channel(endpoint: string): Client {
    this.checkOpen();
    let channel = this.channels.get(endpoint);
    if (channel === undefined) {
      // grpc-js takes host:port; the scheme only chose the credentials.
      channel = new grpc.Client(endpoint.replace(/^https?:\/\//, ''), this.credentials, this.channelOptions);
      this.channels.set(endpoint, channel);
    }
    return channel;
  }

  private checkOpen(): void {
    if (this.closed) throw new EtcdError('etcd-client-closed', 'the etcd client was already closed', { endpoint: describeEndpoints(this.settings) });
  }
}

/** A client for the settings; nothing is dialled (and no file read but the TLS files) until the first call. */
export function createEtcdClient(settings: EtcdConnectionSettings, options: EtcdClientOptions = {}): EtcdClient {
  return new EtcdClient(settings, options);
}

/** Plain, or TLS with the CA, client certificate and key read from disk, verification as asked. */
function channelCredentials(settings: EtcdConnectionSettings): ChannelCredentials {
  const tls = settings.tls;
  if (tls === undefined) return grpc.credentials.createInsecure();
  // null means "the system's roots" / "no client certificate" to grpc's createSsl.
  const rootCertificate = tls.caFile === undefined ? null : readCredentialFile(tls.caFile, settings);
  const privateKey = tls.keyFile === undefined ? null : readCredentialFile(tls.keyFile, settings);
  const certChain = tls.certFile === undefined ? null : readCredentialFile(tls.certFile, settings);
  const verify = tls.insecureSkipVerify ? { rejectUnauthorized: false } : {};
  return withoutIpServerName(grpc.credentials.createSsl(rootCertificate, privateKey, certChain, verify));
}

/**
 * grpc-js always sends the target host as TLS SNI, and for an IP endpoint (kubeadm's etcd is
 * always one) Node then warns DEP0123: RFC 6066 forbids an IP as ServerName. Go's TLS, hence
 * etcdctl, sends no SNI for an IP. So the connection options grpc builds per channel lose an IP
 * servername; Node then checks the certificate against `host`, the same IP, so IP SANs are still
 * verified. This reaches into grpc-js internals (_createSecureConnector, connectionOptions, as in
 * 1.14); if they change shape the credentials are left as they are (and the warning returns).
 */
export function withoutIpServerName(credentials: ChannelCredentials): ChannelCredentials {
  type Connector = { connectionOptions?: { servername?: unknown; host?: unknown } };
  const internals = credentials as unknown as { _createSecureConnector?: (...args: unknown[]) => Connector }; // cast: internal grpc-js method
  const original = internals._createSecureConnector;
  if (typeof original !== 'function') return credentials;
  internals._createSecureConnector = function (this: unknown, ...args: unknown[]): Connector {
    const connector = original.apply(this, args);
    const options = connector.connectionOptions;
    if (options !== undefined && typeof options.servername === 'string' && isIP(options.servername) !== 0 && options.host === options.servername) {
      delete options.servername;
    }
    return connector;
  };
  return credentials;
}

function readCredentialFile(file: string, settings: EtcdConnectionSettings): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError('bad-flags', `cannot read TLS file (${reason})`, { file, endpoint: describeEndpoints(settings) }, { cause: error });
  }
}
