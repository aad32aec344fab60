/**
 * Typed etcd errors, and the one place where raw gRPC errors become them. Everything above
 * the etcd source sees these classes only; each names the endpoint and the key or prefix and
 * describes itself in one line.
 */
import { KregError, type ErrorSubject } from '../errors.js';
import {
  EtcdAuthError,
  EtcdError,
  EtcdMessageTooLargeError,
  EtcdPermissionError,
  EtcdRequestError,
  EtcdTimeoutError,
  EtcdTlsError,
  EtcdUnavailableError,
  type EtcdFailure,
} from './etcd-error-types.js';
import { RevisionCompactedError, RevisionFutureError } from './source.js';

export * from './etcd-error-types.js';

/** gRPC status codes of the errors told apart by code (grpc-js's Status; the enum itself is not loaded here). */
export const GRPC_CANCELLED = 1;
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_RESOURCE_EXHAUSTED = 8;
export const GRPC_UNAVAILABLE = 14;

/** The status code of a grpc-js ServiceError, if the value is one. */
export function grpcCode(raw: unknown): number | undefined {
  const code = (raw as { code?: unknown } | null | undefined)?.code;
  return raw instanceof Error && typeof code === 'number' ? code : undefined;
}

/** What was being done when the error happened; it fills in the error's subject and wording. */
export interface EtcdErrorContext {
  /** The endpoint(s), as given to the client. */
  endpoint: string;
  /** The key read, or the prefix listed. */
  key?: string;
  /** The revision asked for, if any (for compacted / future revision errors). */
  revision?: number;
  /** The user we authenticate as, if any. */
  user?: string;
  /** 'connect' while dialing and authenticating (bounded by the dial timeout), else 'request'. */
  phase?: 'connect' | 'request';
  /** The timeout that bounded the failing call, for the message. */
  timeoutMs?: number;
}

/**
 * The boundary: turns whatever gRPC threw into one of the classes above, by etcd's stable
 * "etcdserver: ..." texts and, where the text is gRPC's own, by the status code.
 */
export function toEtcdError(raw: unknown, context: EtcdErrorContext): EtcdFailure {
  const subject: ErrorSubject = { endpoint: context.endpoint };
  if (context.key !== undefined) subject.key = context.key;
  if (raw instanceof KregError) {
    if (raw instanceof EtcdError || raw instanceof RevisionCompactedError || raw instanceof RevisionFutureError) return raw.withSubject(subject);
    return new EtcdRequestError('etcd-request-failed', raw.message, subject, { cause: raw });
  }
  const text = raw instanceof Error ? raw.message : String(raw);
  const reason = grpcReason(text);
  const cause = { cause: raw };

  const code = grpcCode(raw);
  if (/authentication failed/.test(text)) {
    const who = context.user === undefined ? '' : ` for user "${context.user}"`;
    return new EtcdAuthError('etcd-auth-failed', `authentication failed${who}: wrong user name or password`, subject, cause);
  }
  if (/user name is empty/.test(text)) {
    return new EtcdAuthError('etcd-auth-required', 'etcd has authentication enabled; give a user (--user or ETCDCTL_USER)', subject, cause);
  }
  if (/permission denied/.test(text)) {
    const who = context.user === undefined ? 'this client' : `user "${context.user}"`;
    return new EtcdPermissionError('etcd-permission-denied', `permission denied: ${who} may not read this key range`, subject, cause);
  }
  if (/required revision has been compacted/.test(text)) {
    return new RevisionCompactedError(context.revision ?? 0, undefined, subject, cause);
  }
  if (/required revision is a future revision/.test(text)) {
    return new RevisionFutureError(context.revision ?? 0, undefined, subject, cause);
  }
  if (code === GRPC_RESOURCE_EXHAUSTED && /larger than max/.test(text)) {
    const sizes = /larger than max \((\d+) vs\.? (\d+)\)/.exec(text);
    const parsed = sizes?.[1] !== undefined && sizes[2] !== undefined ? { messageBytes: Number(sizes[1]), limitBytes: Number(sizes[2]) } : undefined;
    return new EtcdMessageTooLargeError(parsed, subject, cause);
  }
  const tlsProblem = describeTlsProblem(text);
  if (tlsProblem !== undefined) {
    return new EtcdTlsError('etcd-tls', tlsProblem, subject, cause);
  }
  if (code === GRPC_DEADLINE_EXCEEDED || /DEADLINE_EXCEEDED|request timed out/.test(text)) {
    const within = context.timeoutMs === undefined ? '' : ` within ${formatMilliseconds(context.timeoutMs)}`;
    if (context.phase === 'connect') {
      return new EtcdUnavailableError('etcd-unavailable', `cannot reach etcd: no answer${within} (dial timeout)`, subject, cause);
    }
    return new EtcdTimeoutError('etcd-timeout', `etcd did not answer${within} (command timeout)`, subject, cause);
  }
  if (code === GRPC_UNAVAILABLE || /UNAVAILABLE|no leader|leader changed|not capable|too many requests/.test(text)) {
    const refused = /ECONNREFUSED/.test(text) ? 'connection refused' : reason;
    return new EtcdUnavailableError('etcd-unavailable', `cannot reach etcd: ${refused}`, subject, cause);
  }
  return new EtcdRequestError('etcd-request-failed', `etcd request failed: ${reason}`, subject, cause);
}

/** An error worth retrying after a pause: the connection dropped or etcd was briefly leaderless. */
export function isTransientEtcdError(error: unknown): boolean {
  return error instanceof EtcdUnavailableError || error instanceof EtcdTimeoutError;
}

/** The same error, told that the endpoint speaks TLS while the client used http://. */
export function plainClientToTlsServerError(endpoint: string, key: string | undefined, cause: unknown): EtcdTlsError {
  const subject: ErrorSubject = { endpoint };
  if (key !== undefined) subject.key = key;
  return new EtcdTlsError('etcd-tls', 'the server speaks TLS but the endpoint is http://; use https:// with --cacert (and --cert/--key if it requires client certificates)', subject, { cause });
}

/** The same error, told that the endpoint does not speak TLS while the client used https://. */
export function tlsClientToPlainServerError(endpoint: string, key: string | undefined, cause: unknown): EtcdTlsError {
  const subject: ErrorSubject = { endpoint };
  if (key !== undefined) subject.key = key;
  return new EtcdTlsError('etcd-tls', TLS_TO_PLAIN, subject, { cause });
}

const TLS_TO_PLAIN = 'TLS handshake failed: the server does not speak TLS at this endpoint; use http://';

/** One clear sentence for a TLS failure, or undefined when the text is not about TLS. */
function describeTlsProblem(text: string): string | undefined {
  const detail = tlsDetail(text);
  if (/secure TLS connection was established|wrong version number|packet length too long|WRONG_VERSION_NUMBER/i.test(text)) {
    return TLS_TO_PLAIN;
  }
  if (/unable to verify|self[- ]signed certificate|unable to get (local )?issuer|certificate has expired|CERT_/i.test(text)) {
    return `the server's TLS certificate is not trusted (${detail}); check --cacert`;
  }
  if (/Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME/i.test(text)) {
    return `the server's TLS certificate does not name this host (${detail})`;
  }
  if (/alert (bad certificate|certificate required|unknown ca|certificate unknown|handshake failure)/i.test(text)) {
    return `the server refused the client certificate (${detail}); give --cert and --key signed by a CA the server trusts`;
  }
  if (/SSL routines|ERR_SSL|\bTLS\b/i.test(text)) {
    return `TLS failed (${detail})`;
  }
  return undefined;
}

/** The short human part of an OpenSSL/Node TLS message, e.g. "sslv3 alert bad certificate". */
function tlsDetail(text: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(text);
  if (openssl?.[1] !== undefined) return openssl[1].trim();
  return grpcReason(text);
}

/** A gRPC message without its status prefix, etcd's "etcdserver:" tag and grpc-js's connection boilerplate. */
function grpcReason(text: string): string {
  return text
    .replace(/^\w*Error:\s*/, '')
    .replace(/^\d+ [A-Z_]+:\s*/, '')
    .replace(/No connection established\. Last error:\s*/, '')
    .replace(/\s*Resolution note:.*$/s, '')
    .replace(/^(Error:\s*)+/, '')
    .replace(/etcdserver:\s*/g, '')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '');
}

function formatMilliseconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
