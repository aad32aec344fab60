/**
 * Every error kreg raises on purpose is a KregError: it names what it concerns (an etcd key,
 * a file, an endpoint, a byte offset, a field path) so the CLI can print one useful line.
 * Pure module: the codec and keys layers import it.
 */
export interface ErrorSubject {
  /** etcd key the value came from */
  key?: string;
  /** file the bytes came from */
  file?: string;
  /** etcd endpoint or API server URL */
  endpoint?: string;
  /** byte offset into the value where decoding failed */
  offset?: number;
  /** dotted JSON path of the field being decoded or encoded, e.g. spec.template.spec */
  path?: string;
}

/**
 * Base of every error kreg raises on purpose. `code` is stable and machine-readable, `subject`
 * names the key, file, endpoint, byte offset or field path, and describe() gives one line.
 *
 * @example
 *   try { decode(bytes); } catch (err) { if (err instanceof KregError) console.error(err.code, err.describe()); }
 */
export class KregError extends Error {
  override name = 'KregError';
  readonly subject: ErrorSubject;
  /** stable, machine-readable identifier of the failure, e.g. "truncated" or "unknown-kind" */
  readonly code: string;

  constructor(code: string, message: string, subject: ErrorSubject = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.subject = { ...subject };
  }

  /** The same error with more context filled in where it was missing (e.g. the key, once known). */
  withSubject(more: ErrorSubject): this {
    for (const [k, v] of Object.entries(more) as [keyof ErrorSubject, never][]) {
      if (this.subject[k] === undefined && v !== undefined) (this.subject as Record<string, unknown>)[k] = v;
    }
    return this;
  }

  /** One line for humans: "<where>: <message>". */
  describe(): string {
    const where: string[] = [];
    if (this.subject.file !== undefined) where.push(this.subject.file);
    if (this.subject.endpoint !== undefined) where.push(this.subject.endpoint);
    if (this.subject.key !== undefined) where.push(this.subject.key);
    let detail = this.message;
    const at: string[] = [];
    if (this.subject.path !== undefined && this.subject.path !== '') at.push(`field ${this.subject.path}`);
    if (this.subject.offset !== undefined) at.push(`byte ${this.subject.offset}`);
    if (at.length > 0) detail += ` (at ${at.join(', ')})`;
    return where.length > 0 ? `${where.join(': ')}: ${detail}` : detail;
  }
}

/** The bytes are not a value kreg can decode: truncated, bad magic, bad wire data, bad JSON. */
export class DecodeError extends KregError {
  override name = 'DecodeError';
}

/** An object cannot be turned into storage bytes: unknown kind, wrong field type. */
export class EncodeError extends KregError {
  override name = 'EncodeError';
}

/** Bad command-line or library input that is not a value: an unknown resource, bad flags. */
export class UsageError extends KregError {
  override name = 'UsageError';
}
