/**
 * Connection settings the way etcdctl takes them: flags first, then ETCDCTL_* variables, then
 * etcdctl's defaults. Resolution is a pure function (flags and environment in, plain settings
 * out) so it is unit-tested without etcd; building the client is a separate step.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Etcd3 as Etcd3Client, IOptions } from 'etcd3';
import { UsageError } from '../errors.js';
import { importEtcd3, importGrpc } from './etcd-dependency.js';
import { decodeRangeResponsesDirectly } from './etcd-range-response.js';
import { assembleGrpcMessagesInPlace } from './grpc-message-assembly.js';

// Optional dependencies: importing this module without them fails with one clear KregError.
const { Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError } = await importEtcd3();
const { credentials: grpcCredentials } = await importGrpc();
// Large range pages are received without holding their chunks until a full GC (see the module).
await assembleGrpcMessagesInPlace();

/** Connection flags as etcdctl spells them (camelCased); every one is optional. */
export interface EtcdConnectionFlags {
  /** Comma-separated list or array, with or without scheme, e.g. "10.0.0.1:2379,https://10.0.0.2:2379". */
  endpoints?: string | readonly string[];
  cacert?: string;
  cert?: string;
  key?: string;
  /** "user" or "user:password". */
  user?: string;
  password?: string;
  insecureSkipTlsVerify?: boolean;
  /** etcdctl duration, e.g. "2s", "500ms", "1m30s". */
  dialTimeout?: string;
  commandTimeout?: string;
}

/** Environment variables to read ETCDCTL_* settings from, e.g. process.env. */
export type EtcdEnvironment = Readonly<Record<string, string | undefined>>;

/** TLS files and verification of https endpoints. */
export interface EtcdTlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Accept any server certificate (etcdctl --insecure-skip-tls-verify). */
  insecureSkipVerify: boolean;
}

/** Resolved connection settings (resolveEtcdConnection), what createEtcdSource takes. */
export interface EtcdConnectionSettings {
  /** Endpoints with their scheme, e.g. ["https://127.0.0.1:2379"]; all http or all https. */
  endpoints: string[];
  /** Present exactly when the endpoints are https. */
  tls?: EtcdTlsSettings;
  auth?: { user: string; password: string };
  /** Bound on connecting and authenticating; Infinity for none (a "0" duration). */
  dialTimeoutMs: number;
  /** Bound on each request; Infinity for none. */
  commandTimeoutMs: number;
}

/** etcdctl's default endpoint. */
export const DEFAULT_ETCD_ENDPOINT = '127.0.0.1:2379';
/** etcdctl's default --dial-timeout (2s). */
export const DEFAULT_DIAL_TIMEOUT_MS = 2_000;
/** etcdctl's default --command-timeout (5s). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
/** gRPC's default of 4 MiB is far below one page of large values; etcd itself sends up to 2 GiB. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 256 * 1024 * 1024;
/**
 * How much etcd may send before kreg reads it (HTTP/2 flow control, per stream and connection).
 * HTTP/2's default of 64 KiB held the page read ahead of a listing to the pace the reader took
 * entries, so the next page was seldom all there when wanted: at 100k keys, 1.2-1.4 s of page
 * waits with 64 KiB, 0.7-0.85 s with 1-16 MiB. Go's gRPC (etcdctl) grows its window up to 16 MiB;
 * 4 MiB covers a gigabit link at 30 ms, and bounds what a paused watch may still receive.
 */
const FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Connection settings the way etcdctl resolves them: flags win over ETCDCTL_* variables, which
 * win over etcdctl's defaults; empty strings count as not given. Pure: reads no file and dials nothing.
 *
 * @throws UsageError('bad-flags') for a certificate without its key, mixed http/https endpoints,
 *   an unsupported scheme, a bad duration, or a user without a password (and the reverse).
 * @example
 *   resolveEtcdConnection({ endpoints: '10.0.0.1:2379', cacert: 'ca.crt' }, process.env).endpoints; // ['https://10.0.0.1:2379']
 */
export function resolveEtcdConnection(flags: EtcdConnectionFlags, env: EtcdEnvironment): EtcdConnectionSettings {
  const pick = (flag: string | undefined, variable: string): string | undefined => {
    if (flag !== undefined && flag !== '') return flag;
    const fromEnv = env[variable];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  };

  const caFile = pick(flags.cacert, 'ETCDCTL_CACERT');
  const certFile = pick(flags.cert, 'ETCDCTL_CERT');
  const keyFile = pick(flags.key, 'ETCDCTL_KEY');
  const insecureSkipVerify = flags.insecureSkipTlsVerify ?? parseBoolean(env['ETCDCTL_INSECURE_SKIP_TLS_VERIFY'], 'ETCDCTL_INSECURE_SKIP_TLS_VERIFY') ?? false;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('bad-flags', 'a client certificate needs both --cert and --key (or ETCDCTL_CERT and ETCDCTL_KEY)', {
      ...(certFile !== undefined ? { file: certFile } : keyFile !== undefined ? { file: keyFile } : {}),
    });
  }

  // Like etcdctl: an endpoint without a scheme is https as soon as any TLS setting is given.
  const wantsTls = caFile !== undefined || certFile !== undefined || insecureSkipVerify;
  // An empty flag or list counts as not given, as an empty string does everywhere else.
  const fromFlags = flags.endpoints === undefined ? [] : splitEndpoints(flags.endpoints);
  const endpointList = fromFlags.length > 0 ? fromFlags : splitEndpoints(pick(undefined, 'ETCDCTL_ENDPOINTS') ?? DEFAULT_ETCD_ENDPOINT);
  const endpoints = endpointList.map((endpoint) => normalizeEndpoint(endpoint, wantsTls ? 'https' : 'http'));
  if (endpoints.length === 0) throw new UsageError('bad-flags', 'no etcd endpoint given (--endpoints)');
  const secure = endpoints.filter((endpoint) => endpoint.startsWith('https://')).length;
  if (secure !== 0 && secure !== endpoints.length) {
    throw new UsageError('bad-flags', 'endpoints mix http:// and https://; use one scheme for all', { endpoint: endpoints.join(',') });
  }

  const settings: EtcdConnectionSettings = {
    endpoints,
    dialTimeoutMs: parseEtcdDuration(pick(flags.dialTimeout, 'ETCDCTL_DIAL_TIMEOUT'), 'dial timeout') ?? DEFAULT_DIAL_TIMEOUT_MS,
    commandTimeoutMs: parseEtcdDuration(pick(flags.commandTimeout, 'ETCDCTL_COMMAND_TIMEOUT'), 'command timeout') ?? DEFAULT_COMMAND_TIMEOUT_MS,
  };
  if (secure !== 0) {
    const tls: EtcdTlsSettings = { insecureSkipVerify };
    if (caFile !== undefined) tls.caFile = caFile;
    if (certFile !== undefined) tls.certFile = certFile;
    if (keyFile !== undefined) tls.keyFile = keyFile;
    settings.tls = tls;
  }

  const userText = pick(flags.user, 'ETCDCTL_USER');
  const password = pick(flags.password, 'ETCDCTL_PASSWORD');
  if (userText !== undefined) {
    // As in etcdctl: with an explicit password the whole --user is the name; otherwise split at the first ':'.
    if (password !== undefined) {
      settings.auth = { user: userText, password };
    } else {
      const colon = userText.indexOf(':');
      if (colon < 0) {
        throw new UsageError('bad-flags', `user "${userText}" has no password; give --user ${userText}:PASSWORD or --password`, {
          endpoint: endpoints.join(','),
        });
      }
      settings.auth = { user: userText.slice(0, colon), password: userText.slice(colon + 1) };
    }
  } else if (password !== undefined) {
    throw new UsageError('bad-flags', 'a password was given without a user; add --user (or ETCDCTL_USER)', { endpoint: endpoints.join(',') });
  }
  return settings;
}

/** "a:2379, b:2379" or ["a:2379", "b:2379,c:2379"] into single endpoints. */
function splitEndpoints(list: string | readonly string[]): string[] {
  const parts = typeof list === 'string' ? [list] : list;
  return parts
    .flatMap((part) => part.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function normalizeEndpoint(endpoint: string, defaultScheme: 'http' | 'https'): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${defaultScheme}://${endpoint}`;
  const scheme = withScheme.slice(0, withScheme.indexOf(':')).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw new UsageError('bad-flags', `unsupported endpoint scheme "${scheme}://"; use http:// or https://`, { endpoint });
  }
  return scheme + withScheme.slice(scheme.length).replace(/\/+$/, '');
}

const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go duration ("2s", "1.5s", "1m30s", "500ms") in milliseconds; undefined when not given.
 * "0" means no timeout and gives Infinity, as a zero dial timeout does in etcdctl.
 */
export function parseEtcdDuration(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '0') return Infinity;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  while (position < trimmed.length) {
    part.lastIndex = position;
    const match = part.exec(trimmed);
    const unit = match?.[2] === undefined ? undefined : DURATION_UNIT_MS[match[2]];
    if (match === null || match[1] === undefined || unit === undefined) {
      throw new UsageError('bad-flags', `invalid ${what} "${text}": expected a duration such as 2s, 500ms or 1m30s`);
    }
    total += Number(match[1]) * unit;
    position = part.lastIndex;
  }
  if (trimmed === '') throw new UsageError('bad-flags', `invalid ${what} "${text}": expected a duration such as 2s, 500ms or 1m30s`);
  return total === 0 ? Infinity : Math.max(1, Math.round(total));
}

/** Go's strconv.ParseBool, which etcdctl uses for boolean variables. */
function parseBoolean(text: string | undefined, variable: string): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  throw new UsageError('bad-flags', `${variable}="${text}" is not a boolean (use true or false)`);
}

/** How the settings name the server in messages: the endpoints, comma-separated. */
export function describeEndpoints(settings: EtcdConnectionSettings): string {
  return settings.endpoints.join(',');
}

export interface EtcdClientOptions {
  /** Largest response accepted, in bytes; DEFAULT_MAX_RECEIVE_MESSAGE_BYTES when absent. */
  maxReceiveMessageBytes?: number;
  /** Chooses the endpoint for each call and remembers which answered; a new one when absent. */
  router?: EndpointRouter;
}

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** A call the router kept away from an endpoint; etcd3 then tries the next one without counting it. */
class EndpointSkipped extends Error {
  override name = 'EndpointSkipped';
}

/**
 * Endpoint choice with failover, as etcdctl does it. etcd3 would do this through its retry policy
 * and per-host circuit breakers, but those retry behind our back and refuse a host for 5 s after
 * three failures (the etcd source retries itself, resuming a listing at its pinned revision), and
 * with a policy that just runs the call etcd3 gives up at the first endpoint that fails: with
 * `--endpoints a,b` and `a` down, half the calls failed. So the router:
 *  - sticks to the endpoint that last answered, and keeps calls off endpoints that failed to
 *    connect while another one may work (a host policy that refuses the call makes etcd3 move on
 *    to the next endpoint, for unary calls and watch streams alike);
 *  - retries a call that could not reach its endpoint on the next one, at most once per endpoint;
 *  - never retries an answer (compacted, permission denied, ...), only unreachable endpoints.
 */
export class EndpointRouter {
  private preferred: string | undefined;
  private readonly failed = new Set<string>();

  constructor(private readonly endpoints: readonly string[]) {}

  /** The endpoint that answered the last call that reached etcd; undefined before any did. */
  answeredBy(): string | undefined {
    return this.preferred;
  }

  /** etcd3's per-host policy for one endpoint (it passes the host as given, scheme included). */
  hostPolicy(endpoint: string): FaultPolicy {
    return asPolicy(async (call) => {
      const elsewhere = this.preferred !== undefined ? this.preferred !== endpoint : this.failed.has(endpoint) && this.failed.size < this.endpoints.length;
      if (elsewhere) throw new EndpointSkipped(`${endpoint} skipped`);
      try {
        const result = await call();
        this.answered(endpoint);
        return result;
      } catch (error) {
        if (!isUnreachable(error)) {
          this.answered(endpoint); // an error from etcd itself: the endpoint is up
        } else {
          this.failed.add(endpoint);
          if (this.preferred === endpoint) this.preferred = undefined;
        }
        throw error;
      }
    });
  }

  /** etcd3's global policy: run the call, and again on the next endpoint while it fails to reach one. */
  globalPolicy(): FaultPolicy {
    return asPolicy(async (call) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call();
        } catch (error) {
          // etcd3 hands every attempt of one call the same endpoint generator, so the next attempt gets the next endpoint.
          if (!isUnreachable(error) || attempt >= this.endpoints.length || this.failed.size >= this.endpoints.length) throw error;
        }
      }
    });
  }

  private answered(endpoint: string): void {
    this.preferred = endpoint;
    this.failed.delete(endpoint);
  }
}

/** The endpoint could not be reached (refused, reset, no leader, no answer in time); another one might. */
function isUnreachable(error: unknown): boolean {
  return error instanceof GRPCUnavailableError || error instanceof GRPCDeadlineExceededError;
}

/**
 * A cockatiel-shaped policy for etcd3: its pool only ever calls execute(). async, so that a call
 * that throws synchronously (etcd3's markFailed does) becomes a rejection.
 */
function asPolicy(execute: <T>(call: () => Promise<T>) => Promise<T>): FaultPolicy {
  return {
    execute: async <T>(call: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => execute(async () => call({ signal: new AbortController().signal })),
  } as unknown as FaultPolicy; // cast: cockatiel's IPolicy also declares events the pool never uses
}

/**
 * An etcd3 client for the settings: certificates read from disk, auth, deadlines from the
 * timeouts (etcd3 ignores its own dialTimeout option, so the dial timeout bounds the
 * authentication call and the source's first call instead), and a large receive limit.
 */
export function createEtcdClient(settings: EtcdConnectionSettings, options: EtcdClientOptions = {}): Etcd3Client {
  const client = createGenericEtcdClient(settings, options);
  // Range pages decoded without protobufjs (etcd-range-response.ts). The KV client class is one for
  // all hosts; reached through the first host's (etcd3 1.1's pool, as the module checks).
  const pool = (client as unknown as { pool?: { hosts?: { getServiceClient?: (name: string) => unknown }[] } }).pool;
  const host = pool?.hosts?.[0];
  if (typeof host?.getServiceClient === 'function') decodeRangeResponsesDirectly(host.getServiceClient('KV'));
  return client;
}

function createGenericEtcdClient(settings: EtcdConnectionSettings, options: EtcdClientOptions): Etcd3Client {
  const { dialTimeoutMs, commandTimeoutMs } = settings;
  const router = options.router ?? new EndpointRouter(settings.endpoints);
  const clientOptions: IOptions = {
    hosts: settings.endpoints,
    grpcOptions: {
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    },
    defaultCallOptions: (context) => {
      if (context.isStream) return {};
      const timeoutMs = context.method === 'authenticate' ? dialTimeoutMs : commandTimeoutMs;
      return Number.isFinite(timeoutMs) ? { deadline: Date.now() + timeoutMs } : {};
    },
    faultHandling: { host: (endpoint) => router.hostPolicy(endpoint), global: router.globalPolicy() },
  };
  if (settings.auth !== undefined) clientOptions.auth = { username: settings.auth.user, password: settings.auth.password };

  const tls = settings.tls;
  if (tls === undefined) return new Etcd3(clientOptions);
  // null means "the system's roots" / "no client certificate" to grpc's createSsl.
  const rootCertificate = tls.caFile === undefined ? null : readCredentialFile(tls.caFile, settings);
  const privateKey = tls.keyFile === undefined ? null : readCredentialFile(tls.keyFile, settings);
  const certChain = tls.certFile === undefined ? null : readCredentialFile(tls.certFile, settings);
  const verify = tls.insecureSkipVerify ? { rejectUnauthorized: false } : {};
  return constructWithCredentials(clientOptions, () => withoutIpServerName(grpcCredentials.createSsl(rootCertificate, privateKey, certChain, verify)));
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

/**
 * etcd3 builds its channel credentials in its constructor with grpc's createSsl(ca, key, cert)
 * and no way to pass verify options or adjust them, which skipping verification and leaving out
 * an IP servername need. So for the length of the
 * (synchronous) constructor call createSsl returns ours; etcd3 and we share one @grpc/grpc-js.
 */
function constructWithCredentials(clientOptions: IOptions, makeCredentials: () => ReturnType<typeof grpcCredentials.createSsl>): Etcd3Client {
  const originalCreateSsl = grpcCredentials.createSsl;
  const ours = makeCredentials();
  grpcCredentials.createSsl = () => ours;
  try {
    return new Etcd3({ ...clientOptions, credentials: { rootCertificate: Buffer.alloc(0) } });
  } finally {
    grpcCredentials.createSsl = originalCreateSsl;
  }
}

function readCredentialFile(file: string, settings: EtcdConnectionSettings): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError('bad-flags', `cannot read TLS file (${reason})`, { file, endpoint: describeEndpoints(settings) }, { cause: error });
  }
}
