/**
 * The typed etcd errors themselves, with no dependency on gRPC: code that only tells them apart
 * (open-store's permission fallback) imports them from here and so does not load the etcd client
 * and gRPC at start-up. etcd-errors.ts re-exports them next to the conversion from gRPC's errors.
 */
import { KregError, type ErrorSubject } from '../errors.js';
import type { RevisionCompactedError, RevisionFutureError } from './source.js';

/** Base of every error raised while talking to etcd. */
export class EtcdError extends KregError {
  override name = 'EtcdError';
}

/** etcd could not be reached, dropped the connection, or has no leader right now. */
export class EtcdUnavailableError extends EtcdError {
  override name = 'EtcdUnavailableError';
}

/** A request was sent but got no answer within the command timeout. */
export class EtcdTimeoutError extends EtcdError {
  override name = 'EtcdTimeoutError';
}

/** TLS failed: wrong scheme, untrusted server certificate, or the server refused our client certificate. */
export class EtcdTlsError extends EtcdError {
  override name = 'EtcdTlsError';
}

/** Authentication failed: wrong user or password, or no user given to an etcd with auth enabled. */
export class EtcdAuthError extends EtcdError {
  override name = 'EtcdAuthError';
}

/** The user is authenticated but may not read the key or range. */
export class EtcdPermissionError extends EtcdError {
  override name = 'EtcdPermissionError';
}

/** A response was larger than the client accepts (gRPC max receive message size). */
export class EtcdMessageTooLargeError extends EtcdError {
  override name = 'EtcdMessageTooLargeError';
  constructor(
    /** Size of the refused message and the limit, in bytes, when gRPC reported them. */
    readonly sizes: { messageBytes: number; limitBytes: number } | undefined,
    subject: ErrorSubject,
    options?: { cause?: unknown },
  ) {
    const detail = sizes === undefined ? '' : ` (${sizes.messageBytes} bytes, limit ${sizes.limitBytes})`;
    super('etcd-message-too-large', `etcd response too large for the client${detail}; use a smaller page size`, subject, options);
  }
}

/** Any other failure of an etcd request; the message keeps etcd's own words. */
export class EtcdRequestError extends EtcdError {
  override name = 'EtcdRequestError';
}

/**
 * What a failed etcd request becomes: an EtcdError, or one of the revision errors every source
 * shares (a compacted or future revision is about the request, not about talking to etcd).
 */
export type EtcdFailure = EtcdError | RevisionCompactedError | RevisionFutureError;
