/**
 * What every reading command does first and last, done once: open the source the flags name, pin
 * the revision, learn the custom resources stored in it, say what could not be learned, and close.
 */
import type { ValueDecryptor } from '../codec/decrypt.js';
import type { EncryptionConfig } from '../codec/encryption-config.js';
import type { ResourceRegistry } from '../keys/index.js';
import { type ErrorSubject, type KregError, UsageError } from '../errors.js';
import { RevisionCompactedError, RevisionFutureError, type EntrySource } from '../sources/source.js';
import { type DecodeEntryOptions, interleavesReadsWith, isPermissionDenied, learnFromDefinitions, type LearnedRegistry, readStoredDefinitions, type StoredDefinitions } from '../stored-objects.js';
import { warn, type CommandContext, type SourceOpening } from './io.js';
import { minorOfVersion } from '../release-detection.js';
import { NEWEST_RELEASE } from '../schema-files.js';
import type { EncryptionArgs, KubeVersionArgs, SourceArgs } from './options.js';

/** An open source, read at one revision, with the resources it defines. */
export interface Store {
  readonly source: EntrySource;
  /** The normalised --etcd-prefix. */
  readonly prefix: string;
  /** --revision, or the source's current revision when none was given: every read uses it. */
  readonly revision: number;
  readonly registry: ResourceRegistry;
  readonly learned: LearnedRegistry;
  /** Prefixes a listing could not read (permission denied) and went on without; said at the end. */
  readonly denied: string[];
  /** From --encryption-config: decrypts values encrypted at rest. */
  readonly decryptor?: ValueDecryptor;
  /** How to decode its entries: the decryptor and the --kube-version release. */
  readonly decodeOptions: DecodeEntryOptions;
  /** What worker threads need to decrypt too (spread into their setup): the parsed configuration. */
  readonly workerDecryption: { encryption?: EncryptionConfig };
}

/** Runs `fn` with the store the flags name, closing it however `fn` ends. */
export async function withStore<T>(
  ctx: CommandContext,
  args: SourceArgs & Partial<EncryptionArgs> & Partial<KubeVersionArgs>,
  fn: (store: Store) => Promise<T>,
  /**
   * Commands that decode no value (ls, keys explain, audit encryption) skip release detection;
   * those that print only at the end may have the source's checks run alongside (see SourceOpening).
   */
  opening: { detectRelease?: boolean } & SourceOpening = {},
): Promise<T> {
  const decryptor = await decryptorFor(args);
  const kubeVersion = args['kube-version'];
  const sourceOpening: SourceOpening = opening.checksAlongside === true ? { checksAlongside: true } : {};
  const store = await openStore(ctx, await ctx.openSource(args, ctx.io, sourceOpening), {
    prefix: args['etcd-prefix'],
    revision: args.revision,
    ...(opening.detectRelease === false ? { detectRelease: false } : {}),
    ...(decryptor === undefined ? {} : { decryptor }),
    ...(kubeVersion === undefined ? {} : { kubeVersion }),
  });
  try {
    let result: T;
    try {
      result = await fn(store);
    } catch (error) {
      throw await preferCheckFailure(store.source, error);
    }
    // A command that opened for checks alongside settles them before it prints; this is the backstop.
    await settleStoreChecks(ctx, store);
    for (const line of store.source.afterReadWarnings ?? []) warn(ctx.io, line);
    if ((store.source.afterReadWarnings?.length ?? 0) > 0) ctx.exitCode = Math.max(ctx.exitCode, 1);
    const skipped = store.source.damage?.length ?? 0;
    if (skipped > 0) {
      warn(ctx.io, `${store.source.description}: best effort: ${skipped} problem(s) skipped (named above); the output may be incomplete`);
      ctx.exitCode = Math.max(ctx.exitCode, 1);
    }
    if (store.denied.length > 0) {
      warn(ctx.io, `permission denied, not read: ${store.denied.join(', ')}`);
      ctx.exitCode = Math.max(ctx.exitCode, 1);
    }
    return result;
  } finally {
    store.decryptor?.close();
    await store.source.close();
  }
}

/**
 * Waits for the source's checks that ran alongside the reads (withStore's checksAlongside) and
 * throws what they found; a problem read past under best effort is said like an opening warning.
 */
export async function settleStoreChecks(ctx: CommandContext, store: Store): Promise<void> {
  const said = store.source.warnings?.length ?? 0;
  await store.source.settleChecks?.();
  for (const line of store.source.warnings?.slice(said) ?? []) warn(ctx.io, line);
}

export interface StoreOptions {
  prefix: string;
  /** The revision to read at; the source's current one when undefined. */
  revision: number | undefined;
  /** Put before each warning when several stores are open (kreg diff: "from side (etcd)"). */
  label?: string;
  decryptor?: ValueDecryptor;
  /** --kube-version: the release that wrote the data; default: told from the data (detect-release.ts), else the newest. */
  kubeVersion?: string;
  /** Tell the release from the data when kubeVersion is not given; default true. */
  detectRelease?: boolean;
}

/** How entries of a store opened with these options are decoded. */
function decodeOptionsOf(options: StoreOptions): DecodeEntryOptions {
  const out: DecodeEntryOptions = {};
  if (options.decryptor !== undefined) out.decryptor = options.decryptor;
  // The newest release is the default: naming it would only make every decoded value remember it.
  if (options.kubeVersion !== undefined && minorOfVersion(options.kubeVersion) !== minorOfVersion(NEWEST_RELEASE)) out.kubeVersion = options.kubeVersion;
  return out;
}

/** The decryptor --encryption-config names, read before any source is opened (a bad file fails first). */
export async function decryptorFor(args: Partial<EncryptionArgs>): Promise<ValueDecryptor | undefined> {
  const file = args['encryption-config'];
  const sockets = args['kms-socket'] ?? [];
  if (file === undefined) {
    if (sockets.length > 0) throw new UsageError('bad-flags', '--kms-socket names the plugin of a kms provider of --encryption-config: give the config too');
    return undefined;
  }
  const { loadEncryptionConfig } = await import('../decryption/node-decryptor.js');
  const { parseKmsSockets } = await import('../decryption/kms-dek-resolver.js');
  return loadEncryptionConfig(file, parseKmsSockets(sockets));
}

/**
 * An open source made a store: its warnings said, the revision pinned, its CRDs learned (and what
 * could not be learned said). The caller closes `store.source`; on failure here it is closed.
 */
export async function openStore(ctx: CommandContext, source: EntrySource, options: StoreOptions): Promise<Store> {
  try {
    const say = (line: string): void => warn(ctx.io, options.label === undefined ? line : `${options.label}: ${line}`);
    for (const line of source.warnings ?? []) say(line);
    const revision = options.revision ?? (await source.currentRevision());
    if (options.revision !== undefined) await checkRevision(source, options.prefix, revision);
    const decodeOptions = decodeOptionsOf(options);
    let definitions: Promise<StoredDefinitions> | undefined;
    if (options.kubeVersion === undefined && options.detectRelease !== false) {
      // The definitions are decoded as the release found, but read meanwhile where the source lets
      // reads run at once: a round trip to etcd less before the first answer. Handled at once too,
      // so that a failure waits for learnFrom rather than going unhandled.
      if (interleavesReadsWith(source, options.decryptor)) {
        definitions = readStoredDefinitions(source, options.prefix, revision, options.decryptor);
        definitions.catch(() => undefined);
      }
      // No --kube-version: the data tells which release wrote it; said once unless it is the newest.
      const { detectRelease } = await import('./detect-release.js');
      const choice = await detectRelease(source, options.prefix, revision, decodeOptions);
      if (choice !== undefined && choice.release !== NEWEST_RELEASE) decodeOptions.kubeVersion = choice.release;
      if (choice?.note !== undefined) say(choice.note);
    }
    const learned = await learnFrom(say, source, options.prefix, revision, decodeOptions, definitions);
    if (ctx.debug) say(`${source.description}: read at revision ${revision}${answeredBy(source)}`);
    const store: Store = { source, prefix: options.prefix, revision, registry: learned.registry, learned, denied: [], decodeOptions, workerDecryption: {} };
    return options.decryptor === undefined ? store : { ...store, decryptor: options.decryptor, workerDecryption: { encryption: options.decryptor.config } };
  } catch (err) {
    options.decryptor?.close();
    const failure = await preferCheckFailure(source, err);
    await source.close().catch(() => undefined);
    throw failure;
  }
}

/**
 * The error to report when a read failed: the failure of a check that ran alongside it (a
 * snapshot whose sha256 trailer does not match explains the damage the read met) when there is
 * one, else the read's own. A usage mistake is reported at once, without waiting for the checks.
 */
async function preferCheckFailure(source: EntrySource, error: unknown): Promise<unknown> {
  if (error instanceof UsageError || source.settleChecks === undefined) return error;
  try {
    await source.settleChecks();
  } catch (checkFailure) {
    return checkFailure;
  }
  return error;
}

/**
 * A revision the source cannot read fails here, before anything else is read, so the error is
 * about the revision alone and not about the first key read at it (the CRD prefix).
 */
async function checkRevision(source: EntrySource, prefix: string, revision: number): Promise<void> {
  try {
    await source.get(prefix, { revision });
  } catch (err) {
    if (isPermissionDenied(err)) return; // a scoped user: the first read it may make will tell
    if (err instanceof RevisionCompactedError) throw new RevisionCompactedError(err.requestedRevision, err.compactedRevision, withoutKey(err), { cause: err });
    if (err instanceof RevisionFutureError) throw new RevisionFutureError(err.requestedRevision, err.currentRevision, withoutKey(err), { cause: err });
    throw err;
  }
}

function withoutKey(err: KregError): ErrorSubject {
  const { key: _probe, ...rest } = err.subject;
  return rest;
}

/** Which member answered, for --debug: the live source knows, after failing over if it had to. */
function answeredBy(source: EntrySource): string {
  const member = (source as EntrySource & { answeredBy?: () => string | undefined }).answeredBy?.();
  return member === undefined ? '' : ` (answered by ${member})`;
}

/**
 * The registry, saying on stderr what could not be learned and why. A user allowed to read only
 * some prefixes (an auditor's scoped etcd user) still gets the built-in resources.
 */
async function learnFrom(
  say: (line: string) => void,
  source: EntrySource,
  prefix: string,
  revision: number,
  decodeOptions: DecodeEntryOptions,
  definitions: Promise<StoredDefinitions> | undefined,
): Promise<LearnedRegistry> {
  const read = await (definitions ?? readStoredDefinitions(source, prefix, revision, decodeOptions.decryptor));
  const learned = learnFromDefinitions(read, prefix, decodeOptions);
  for (const path of learned.denied) say(`${path}: permission denied: the resources it defines are not known (built-in resources only)`);
  for (const bad of learned.undecodable) say(`${bad.key}: cannot learn from this definition: ${bad.reason}`);
  for (const skipped of learned.skipped) say(describeSkipped(skipped));
  return learned;
}

function describeSkipped(skipped: LearnedRegistry['skipped'][number]): string {
  return `definition "${skipped.name}" not learned, its resources show as unknown: ${skipped.error.describe()}`;
}
