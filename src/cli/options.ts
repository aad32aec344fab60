/**
 * The option groups commands share, each a small function over a yargs builder, and the one place
 * that turns connection flags into a source. Values are checked and normalised here, once:
 * `--revision` is a positive integer, `--etcd-prefix` has one leading and no trailing slash.
 */
import type { Argv } from 'yargs';
import { type KregError, UsageError } from '../errors.js';
import { DEFAULT_PREFIX, normalizePrefix } from '../keys/index.js';
import { parseRevision, type EntrySource } from '../sources/source.js';
import { NEWEST_RELEASE, normalizeRelease } from '../schema-bundle.js';
import type { CliIo, SourceOpening } from './io.js';

export interface SourceArgs {
  endpoints: string | undefined;
  cacert: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  user: string | undefined;
  password: string | undefined;
  'insecure-skip-tls-verify': boolean | undefined;
  'dial-timeout': string | undefined;
  'command-timeout': string | undefined;
  'retry-timeout': string | undefined;
  /** Normalised: "/registry", never "registry//". */
  'etcd-prefix': string;
  'chunk-size': number | undefined;
  revision: number | undefined;
  snapshot: string | undefined;
  'data-dir': string | undefined;
  'skip-hash-check': boolean;
  'best-effort': boolean;
}

const CONNECTION = 'etcd connection (as etcdctl; ETCDCTL_* variables apply):';
const OFFLINE = 'offline (no etcd running):';

/** The last of a repeated flag (yargs gives coerce functions every value), as kubectl takes it. */
export function lastValue(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function positiveCount(flag: string): (value: unknown) => number | undefined {
  return (given) => {
    const value = lastValue(given);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('bad-flags', `--${flag} must be a positive integer, not "${String(value)}"`);
    return n;
  };
}

/** The prefix option alone (keys for/list take it without a connection). */
export function withPrefixOption<T>(y: Argv<T>, group?: string): Argv<T & { 'etcd-prefix': string }> {
  return y.option('etcd-prefix', {
    type: 'string',
    ...(group === undefined ? {} : { group }),
    default: DEFAULT_PREFIX,
    requiresArg: true,
    coerce: (p: unknown) => normalizePrefix(String(lastValue(p))),
    describe: 'kube-apiserver --etcd-prefix (OpenShift: /kubernetes.io)',
  }) as unknown as Argv<T & { 'etcd-prefix': string }>;
}

/** etcdctl's connection flags, --revision, and the offline sources. */
export function withSourceOptions<T>(y: Argv<T>, describe: { revision?: string } = {}): Argv<T & SourceArgs> {
  const text = { type: 'string', requiresArg: true } as const;
  return withPrefixOption(y, CONNECTION)
    .option('endpoints', { ...text, group: CONNECTION, describe: 'comma-separated etcd endpoints [env ETCDCTL_ENDPOINTS] (default 127.0.0.1:2379)' })
    .option('cacert', { ...text, group: CONNECTION, describe: 'CA bundle to verify etcd with [env ETCDCTL_CACERT]' })
    .option('cert', { ...text, group: CONNECTION, describe: 'client certificate [env ETCDCTL_CERT]' })
    .option('key', { ...text, group: CONNECTION, describe: 'client key [env ETCDCTL_KEY]' })
    .option('user', { ...text, group: CONNECTION, describe: 'user[:password] [env ETCDCTL_USER]' })
    .option('password', { ...text, group: CONNECTION, describe: 'password [env ETCDCTL_PASSWORD]' })
    .option('insecure-skip-tls-verify', { type: 'boolean', group: CONNECTION, describe: 'do not verify the server certificate' })
    .option('dial-timeout', { ...text, group: CONNECTION, describe: 'time to connect, e.g. 2s [env ETCDCTL_DIAL_TIMEOUT]' })
    .option('command-timeout', { ...text, group: CONNECTION, describe: 'time per request, e.g. 5s [env ETCDCTL_COMMAND_TIMEOUT]' })
    .option('retry-timeout', { ...text, group: CONNECTION, describe: 'how long to keep retrying while etcd is unreachable or has no leader, e.g. 2m; 0: no retries (default 60s)' })
    .option('chunk-size', { ...text, coerce: positiveCount('chunk-size'), group: CONNECTION, describe: 'keys per range request (default 5000, bounded by 32 MiB)' })
    .option('revision', { ...text, coerce: (r: unknown) => parseRevision(lastValue(r)), group: CONNECTION, describe: describe.revision ?? 'read the keyspace as of this etcd revision' })
    .option('snapshot', { ...text, group: OFFLINE, describe: 'read an etcdctl snapshot save file instead of a live etcd' })
    .option('data-dir', { ...text, group: OFFLINE, describe: "read a member's data dir (DIR/member/snap/db) instead of a live etcd" })
    .option('skip-hash-check', { type: 'boolean', default: false, group: OFFLINE, describe: "do not verify the snapshot's sha256 trailer" })
    .option('best-effort', { type: 'boolean', default: false, group: OFFLINE, describe: 'skip damaged pages and report them instead of stopping' })
    .conflicts('snapshot', ['data-dir', 'endpoints']) as unknown as Argv<T & SourceArgs>;
}

export interface EncryptionArgs {
  'encryption-config': string | undefined;
  'kms-socket': string[] | undefined;
}

/** --encryption-config: kube-apiserver's EncryptionConfiguration, to decrypt values encrypted at rest. */
export const ENCRYPTION_CONFIG_OPTION = {
  type: 'string',
  requiresArg: true,
  coerce: (v: unknown): string | undefined => (v === undefined ? undefined : String(lastValue(v))),
  describe: "kube-apiserver's --encryption-provider-config file: decrypt values encrypted at rest (aescbc, aesgcm, secretbox, KMS v1 and v2 through their plugins)",
} as const;

/** --kms-socket NAME=PATH: the unix socket of the KMS plugin the config names NAME, over its endpoint. */
export const KMS_SOCKET_OPTION = {
  type: 'string',
  array: true,
  requiresArg: true,
  describe: "the KMS plugin of the config's kms provider NAME listens on PATH (overrides its endpoint; repeatable)",
} as const;

/** The --encryption-config and --kms-socket options on a command. */
export function withEncryptionOption<T>(y: Argv<T>): Argv<T & EncryptionArgs> {
  return y.option('encryption-config', ENCRYPTION_CONFIG_OPTION).option('kms-socket', KMS_SOCKET_OPTION) as unknown as Argv<T & EncryptionArgs>;
}

export interface KubeVersionArgs {
  /** Normalised to "1.N"; undefined: the newest release kreg knows. */
  'kube-version': string | undefined;
}

const SCHEMA = 'schema:';

/**
 * --kube-version: the Kubernetes release whose API server wrote the data. Checked here, so a bad
 * value is one usage error listing the releases kreg knows. When the flag is absent, stores tell the
 * release from the data (cli/detect-release.ts).
 */
export function withKubeVersionOption<T>(y: Argv<T>): Argv<T & KubeVersionArgs> {
  return y.option('kube-version', {
    type: 'string',
    requiresArg: true,
    group: SCHEMA,
    coerce: (v: unknown): string | undefined => (v === undefined ? undefined : normalizeRelease(String(lastValue(v)))),
    describe: `Kubernetes release that wrote the data, e.g. 1.19: decode with its kinds, fields and JSON rules (default: for etcd and snapshots, told from kubeadm-config and the Nodes' kubelet versions; else ${NEWEST_RELEASE}, the newest kreg knows)`,
  }) as unknown as Argv<T & KubeVersionArgs>;
}

export interface NamespaceArgs {
  namespace: string | undefined;
  'all-namespaces': boolean;
}

/** kubectl's -n and (unless a command follows one object) -A, with the command's own wording. */
export function withNamespaceOptions<T>(y: Argv<T>, describe: { namespace?: string; allNamespaces?: string } = {}): Argv<T & NamespaceArgs> {
  const withN = y.option('namespace', { alias: 'n', type: 'string', requiresArg: true, describe: describe.namespace ?? 'namespace (default: default)' });
  if (describe.allNamespaces === undefined) return withN as unknown as Argv<T & NamespaceArgs>;
  return withN.option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: describe.allNamespaces }) as unknown as Argv<T & NamespaceArgs>;
}

/** `-o FORMAT`, its choices taken from the printer registry of the command. */
export function withOutputOption<T, F extends string>(y: Argv<T>, formats: readonly F[], options: { default?: F; describe: string }): Argv<T & { output: F }> {
  return y.option('output', {
    alias: 'o',
    choices: formats,
    requiresArg: true,
    ...(options.default === undefined ? {} : { default: options.default }),
    describe: options.describe,
  }) as unknown as Argv<T & { output: F }>;
}

/** Whether the flags name a source at all (keys explain works without one). */
export function namesSource(args: SourceArgs): boolean {
  return args.endpoints !== undefined || args.snapshot !== undefined || args['data-dir'] !== undefined;
}

/** Opens the source the arguments name. The etcd client is imported only here, so --help stays fast. */
export async function openSource(args: SourceArgs, io: CliIo, opening: SourceOpening = {}): Promise<EntrySource> {
  const file = args.snapshot ?? args['data-dir'];
  if (file !== undefined) {
    const { SnapshotSource } = await import('../sources/snapshot/snapshot-source.js');
    // Under best effort each skipped page is said as it is met; openStore counts them at the end.
    return SnapshotSource.open(file, {
      skipHashCheck: args['skip-hash-check'],
      checkTrailerAlongside: opening.checksAlongside === true,
      bestEffort: args['best-effort'],
      onDamage: (damage) => io.stderr.write(`kreg: ${damage.message}\n`),
    });
  }
  const { parseEtcdDuration, resolveEtcdConnection } = await import('../sources/etcd-connection.js');
  const { createEtcdSource } = await import('../sources/etcd-source.js');
  const flags: Parameters<typeof resolveEtcdConnection>[0] = {};
  if (args.endpoints !== undefined) flags.endpoints = args.endpoints;
  if (args.cacert !== undefined) flags.cacert = args.cacert;
  if (args.cert !== undefined) flags.cert = args.cert;
  if (args.key !== undefined) flags.key = args.key;
  if (args.user !== undefined) flags.user = args.user;
  if (args.password !== undefined) flags.password = args.password;
  if (args['insecure-skip-tls-verify'] !== undefined) flags.insecureSkipTlsVerify = args['insecure-skip-tls-verify'];
  if (args['dial-timeout'] !== undefined) flags.dialTimeout = args['dial-timeout'];
  if (args['command-timeout'] !== undefined) flags.commandTimeout = args['command-timeout'];
  const settings = resolveEtcdConnection(flags, io.env);
  // etcdctl reads a 0 timeout as "none"; a 0 retry window means no retries.
  const windowMs = args['retry-timeout']?.trim() === '0' ? 0 : parseEtcdDuration(args['retry-timeout'], 'retry timeout');
  const retry = {
    ...(windowMs === undefined ? {} : { windowMs }),
    // Said once per failing request, so a long wait for a restarting member is not silent.
    onRetry: (error: KregError, waitedMs: number, window: number) => {
      if (waitedMs === 0) io.stderr.write(`kreg: ${error.describe()}; retrying for up to ${Math.round(window / 1000)}s (--retry-timeout)\n`);
    },
  };
  return createEtcdSource(settings, args['chunk-size'] === undefined ? { retry } : { chunkSize: args['chunk-size'], retry });
}
