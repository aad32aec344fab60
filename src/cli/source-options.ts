/**
 * The connection options every reading command shares, named and defaulted like etcdctl's
 * (with ETCDCTL_* environment variables), and the one place that turns them into a source.
 */
import type { Argv } from 'yargs';
import type { EntrySource } from '../sources/source.js';

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
  'etcd-prefix': string;
  'chunk-size': number | undefined;
  revision: number | undefined;
  snapshot: string | undefined;
  'data-dir': string | undefined;
  'skip-hash-check': boolean;
  'best-effort': boolean;
}

const GROUP = 'etcd connection (as etcdctl; ETCDCTL_* variables apply):';
const OFFLINE = 'offline (no etcd running):';

export function withSourceOptions<T>(y: Argv<T>): Argv<T & SourceArgs> {
  return y
    .option('endpoints', { type: 'string', group: GROUP, describe: 'comma-separated etcd endpoints [env ETCDCTL_ENDPOINTS] (default 127.0.0.1:2379)' })
    .option('cacert', { type: 'string', group: GROUP, describe: 'CA bundle to verify etcd with [env ETCDCTL_CACERT]' })
    .option('cert', { type: 'string', group: GROUP, describe: 'client certificate [env ETCDCTL_CERT]' })
    .option('key', { type: 'string', group: GROUP, describe: 'client key [env ETCDCTL_KEY]' })
    .option('user', { type: 'string', group: GROUP, describe: 'user[:password] [env ETCDCTL_USER]' })
    .option('password', { type: 'string', group: GROUP, describe: 'password [env ETCDCTL_PASSWORD]' })
    .option('insecure-skip-tls-verify', { type: 'boolean', group: GROUP, describe: 'do not verify the server certificate' })
    .option('dial-timeout', { type: 'string', group: GROUP, describe: 'time to connect, e.g. 2s [env ETCDCTL_DIAL_TIMEOUT]' })
    .option('command-timeout', { type: 'string', group: GROUP, describe: 'time per request, e.g. 5s [env ETCDCTL_COMMAND_TIMEOUT]' })
    .option('etcd-prefix', { type: 'string', default: '/registry', group: GROUP, describe: 'kube-apiserver --etcd-prefix (OpenShift: /kubernetes.io)' })
    .option('chunk-size', { type: 'number', group: GROUP, describe: 'keys per range request (default 5000, bounded by 32 MiB)' })
    .option('revision', { type: 'number', group: GROUP, describe: 'read the keyspace as of this etcd revision' })
    .option('snapshot', { type: 'string', group: OFFLINE, describe: 'read an etcdctl snapshot save file instead of a live etcd' })
    .option('data-dir', { type: 'string', group: OFFLINE, describe: "read a member's data dir (DIR/member/snap/db) instead of a live etcd" })
    .option('skip-hash-check', { type: 'boolean', default: false, group: OFFLINE, describe: "do not verify the snapshot's sha256 trailer" })
    .option('best-effort', { type: 'boolean', default: false, group: OFFLINE, describe: 'skip damaged pages and report them instead of stopping' })
    .conflicts('snapshot', ['data-dir', 'endpoints']) as unknown as Argv<T & SourceArgs>;
}

/** The prefix without a trailing slash, as kube-apiserver's --etcd-prefix is written. */
export function etcdPrefix(args: SourceArgs): string {
  const p = args['etcd-prefix'];
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Opens the source the arguments name. The etcd client is imported only here, so --help stays fast. */
export async function openSource(args: SourceArgs): Promise<EntrySource> {
  const file = args.snapshot ?? args['data-dir'];
  if (file !== undefined) {
    const { SnapshotSource } = await import('../sources/snapshot/snapshot-source.js');
    return SnapshotSource.open(file, { skipHashCheck: args['skip-hash-check'], bestEffort: args['best-effort'] });
  }
  const { resolveEtcdConnection } = await import('../sources/etcd-connection.js');
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
  const settings = resolveEtcdConnection(flags, process.env);
  return createEtcdSource(settings, args['chunk-size'] === undefined ? {} : { chunkSize: args['chunk-size'] });
}
