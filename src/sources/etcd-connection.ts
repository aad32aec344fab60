/**
 * Connection settings the way etcdctl takes them: flags first, then ETCDCTL_* variables, then
 * etcdctl's defaults. Resolution is a pure function (flags and environment in, plain settings
 * out) so it is unit-tested without etcd; building the client is a separate step (etcd-client.ts).
 */
import { UsageError } from '../errors.js';

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
