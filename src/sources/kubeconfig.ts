/**
 * kubeconfig as kubectl reads it, for `kreg diff --to api`: our own small loader instead of
 * @kubernetes/client-node (57 MB installed, for the few hundred lines used here).
 *
 * Three layers, so that most of it is testable without files or processes:
 *   - parseKubeconfig / mergeKubeconfigs / selectContext: pure (text in, objects out);
 *   - loadKubeconfig: which files (--kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the
 *     in-cluster service account) and reading them;
 *   - Credentials: the TLS options and Authorization header of the chosen user, running exec
 *     credential plugins (and reading token files) when asked, cached as kubectl caches them.
 *
 * What kubectl does and this does too: the KUBECONFIG files are merged with the first file to set
 * a cluster, user or context name (or current-context) winning and missing files skipped; relative
 * paths (certificate-authority, client-certificate, client-key, tokenFile, and an exec command
 * with a slash in it) are resolved against the directory of the file that names them; *-data wins
 * over a file only where kubectl allows both. Not supported, with an error saying so:
 * auth-provider (use an exec plugin, as kubectl itself requires for gcp and azure) and proxy-url.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import { KregError } from '../errors.js';

/** kubeconfig missing, unreadable or lacking what is needed. */
export class KubeconfigError extends KregError {
  override name = 'KubeconfigError';
}

export interface KubeCluster {
  server: string;
  /** A PEM file (absolute once parsed). */
  certificateAuthority?: string;
  /** PEM bytes (decoded from certificate-authority-data). */
  certificateAuthorityData?: Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** The cluster's extension for exec plugins (extensions[name=client.authentication.k8s.io/exec]). */
  execExtension?: unknown;
}

export interface ExecConfig {
  apiVersion: string;
  /** Absolute when it named a path; a bare name is looked up on PATH. */
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: 'Never' | 'IfAvailable' | 'Always';
}

export interface KubeUser {
  clientCertificate?: string;
  clientCertificateData?: Buffer;
  clientKey?: string;
  clientKeyData?: Buffer;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  /** The name of a legacy auth-provider (gcp, azure, oidc): refused when used. */
  authProvider?: string;
}

export interface KubeContext {
  cluster: string;
  user: string;
  namespace?: string;
}

/** One kubeconfig file, or several merged. Maps keep the first-seen order. */
export interface Kubeconfig {
  currentContext: string;
  clusters: Map<string, KubeCluster>;
  users: Map<string, KubeUser>;
  contexts: Map<string, KubeContext>;
}

/** What a context resolves to. */
export interface SelectedContext {
  contextName: string;
  clusterName: string;
  cluster: KubeCluster;
  userName: string;
  user: KubeUser;
}

const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Base64 as Go decodes []byte fields (standard alphabet; kubectl rejects anything else). */
function base64Field(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(value)) throw new Error(`${field} is not base64`);
  return Buffer.from(value, 'base64');
}

function stringField(o: Obj, field: string, where: string): string | undefined {
  const value = o[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: ${field} must be a string`);
  return value;
}

/** kubectl's ResolvePaths: a relative path is relative to the directory of the kubeconfig naming it. */
function resolvePath(path: string | undefined, base: string): string | undefined {
  if (path === undefined) return undefined;
  return isAbsolute(path) ? path : join(base, path);
}

/** The named list entries of a kubeconfig (clusters, users, contexts); the first of a repeated name wins. */
function namedEntries(config: Obj, list: string, field: string): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const raw = config[list];
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new Error(`${list} must be a list`);
  for (const item of raw) {
    if (!isObj(item) || typeof item.name !== 'string') throw new Error(`every entry of ${list} needs a name`);
    const body = item[field] ?? {};
    if (!isObj(body)) throw new Error(`${list} "${item.name}": ${field} must be a map`);
    if (!out.has(item.name)) out.set(item.name, body);
  }
  return out;
}

function parseCluster(name: string, c: Obj, base: string): KubeCluster {
  const where = `cluster "${name}"`;
  const cluster: KubeCluster = { server: stringField(c, 'server', where) ?? '', insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true };
  const ca = resolvePath(stringField(c, 'certificate-authority', where), base);
  if (ca !== undefined) cluster.certificateAuthority = ca;
  if (stringField(c, 'certificate-authority-data', where) !== undefined) cluster.certificateAuthorityData = base64Field(c['certificate-authority-data'], `${where}: certificate-authority-data`);
  const serverName = stringField(c, 'tls-server-name', where);
  if (serverName !== undefined) cluster.tlsServerName = serverName;
  const proxy = stringField(c, 'proxy-url', where);
  if (proxy !== undefined) cluster.proxyUrl = proxy;
  if (Array.isArray(c.extensions)) {
    const ext = c.extensions.find((e): e is Obj => isObj(e) && e.name === 'client.authentication.k8s.io/exec');
    if (ext !== undefined) cluster.execExtension = ext.extension;
  }
  return cluster;
}

function parseExec(name: string, e: Obj, base: string): ExecConfig {
  const where = `user "${name}": exec`;
  const apiVersion = stringField(e, 'apiVersion', where);
  if (apiVersion === undefined) throw new Error(`${where}: apiVersion is required`);
  let command = stringField(e, 'command', where);
  if (command === undefined) throw new Error(`${where}: command is required`);
  // As client-go: only a command naming a path is resolved; a bare name is looked up on PATH.
  if (command.includes(sep) || command.includes('/')) command = resolvePath(command, base) as string;
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new Error(`${where}: args must be a list of strings`);
  const env = e.env ?? [];
  if (!Array.isArray(env) || !env.every((v) => isObj(v) && typeof v.name === 'string' && typeof (v.value ?? '') === 'string')) {
    throw new Error(`${where}: env must be a list of {name, value}`);
  }
  const mode = stringField(e, 'interactiveMode', where) ?? 'IfAvailable';
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') throw new Error(`${where}: interactiveMode must be Never, IfAvailable or Always, not "${mode}"`);
  const exec: ExecConfig = {
    apiVersion,
    command,
    args: args as string[],
    env: (env as Obj[]).map((v) => ({ name: v.name as string, value: String(v.value ?? '') })),
    provideClusterInfo: e.provideClusterInfo === true,
    interactiveMode: mode,
  };
  const hint = stringField(e, 'installHint', where);
  if (hint !== undefined) exec.installHint = hint;
  return exec;
}

function parseUser(name: string, u: Obj, base: string): KubeUser {
  const where = `user "${name}"`;
  const user: KubeUser = {};
  const set = <K extends keyof KubeUser>(key: K, value: KubeUser[K] | undefined): void => {
    if (value !== undefined) user[key] = value;
  };
  set('clientCertificate', resolvePath(stringField(u, 'client-certificate', where), base));
  set('clientKey', resolvePath(stringField(u, 'client-key', where), base));
  if (stringField(u, 'client-certificate-data', where) !== undefined) user.clientCertificateData = base64Field(u['client-certificate-data'], `${where}: client-certificate-data`);
  if (stringField(u, 'client-key-data', where) !== undefined) user.clientKeyData = base64Field(u['client-key-data'], `${where}: client-key-data`);
  set('token', stringField(u, 'token', where));
  set('tokenFile', resolvePath(stringField(u, 'tokenFile', where), base));
  set('username', stringField(u, 'username', where));
  set('password', stringField(u, 'password', where));
  if (u.exec !== undefined && u.exec !== null) {
    if (!isObj(u.exec)) throw new Error(`${where}: exec must be a map`);
    user.exec = parseExec(name, u.exec, base);
  }
  if (u['auth-provider'] !== undefined && u['auth-provider'] !== null) {
    const provider = u['auth-provider'];
    user.authProvider = isObj(provider) && typeof provider.name === 'string' ? provider.name : 'unnamed';
  }
  return user;
}

/**
 * One kubeconfig file's text (YAML or JSON) as a Kubeconfig; relative paths resolved against
 * `file`'s directory. Throws a plain Error saying what is wrong (the loader names the file).
 */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  const doc = yaml.load(text);
  const empty: Kubeconfig = { currentContext: '', clusters: new Map(), users: new Map(), contexts: new Map() };
  if (doc === undefined || doc === null) return empty; // an empty file is an empty config, as for kubectl
  if (!isObj(doc)) throw new Error('not a kubeconfig (a YAML map)');
  const base = dirname(resolve(file));
  const config = empty;
  const current = doc['current-context'];
  if (typeof current === 'string') config.currentContext = current;
  for (const [name, c] of namedEntries(doc, 'clusters', 'cluster')) config.clusters.set(name, parseCluster(name, c, base));
  for (const [name, u] of namedEntries(doc, 'users', 'user')) config.users.set(name, parseUser(name, u, base));
  for (const [name, c] of namedEntries(doc, 'contexts', 'context')) {
    const context: KubeContext = { cluster: typeof c.cluster === 'string' ? c.cluster : '', user: typeof c.user === 'string' ? c.user : '' };
    if (typeof c.namespace === 'string' && c.namespace !== '') context.namespace = c.namespace;
    config.contexts.set(name, context);
  }
  return config;
}

/** kubectl's merge of the KUBECONFIG files: the first file to set a name, or current-context, wins. */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { currentContext: '', clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const config of configs) {
    if (merged.currentContext === '') merged.currentContext = config.currentContext;
    for (const kind of ['clusters', 'users', 'contexts'] as const) {
      const into = merged[kind] as Map<string, unknown>;
      for (const [name, value] of config[kind]) if (!into.has(name)) into.set(name, value);
    }
  }
  return merged;
}

/**
 * The context to use (--context, else current-context) with its cluster and user, checked as
 * kubectl checks them before it connects. Throws KubeconfigError naming `where`.
 */
export function selectContext(config: Kubeconfig, contextName: string | undefined, where: string): SelectedContext {
  const fail = (message: string): never => {
    throw new KubeconfigError('kubeconfig', message, { file: where });
  };
  const name = contextName ?? config.currentContext;
  if (name === '') return fail('no current-context; name one with --context');
  const context = config.contexts.get(name) ?? fail(`no context named "${name}"`);
  const cluster = config.clusters.get(context.cluster) ?? fail(`no cluster named "${context.cluster}"`);
  let user: KubeUser = {};
  if (context.user !== '') user = config.users.get(context.user) ?? fail(`no user named "${context.user}"`);
  const about = `context "${name}"`;
  if (cluster.server === '') fail(`${about}: cluster "${context.cluster}" has no server`);
  if (cluster.proxyUrl !== undefined) fail(`${about}: cluster "${context.cluster}" sets proxy-url, which kreg does not support; reach the server directly (or through kubectl proxy)`);
  if (cluster.insecureSkipTlsVerify && (cluster.certificateAuthority !== undefined || cluster.certificateAuthorityData !== undefined)) {
    fail(`${about}: cluster "${context.cluster}" sets both insecure-skip-tls-verify and a certificate authority; kubectl refuses that too`);
  }
  if (user.authProvider !== undefined) {
    fail(
      `${about}: user "${context.user}" uses auth-provider "${user.authProvider}", which kreg does not support (kubectl dropped the gcp and azure ones); use an exec credential plugin instead (gke-gcloud-auth-plugin, kubelogin, or an OIDC exec plugin)`,
    );
  }
  const hasToken = user.token !== undefined || user.tokenFile !== undefined;
  const hasBasic = user.username !== undefined || user.password !== undefined;
  if (hasToken && hasBasic) fail(`${about}: user "${context.user}" has both a token and basic auth; kubectl allows only one`);
  if (user.exec !== undefined && !EXEC_API_VERSIONS.includes(user.exec.apiVersion)) {
    fail(`${about}: user "${context.user}": exec apiVersion "${user.exec.apiVersion}" is not supported; use ${EXEC_API_VERSIONS.join(' or ')}`);
  }
  return { contextName: name, clusterName: context.cluster, cluster, userName: context.user, user };
}

export interface LoadOptions {
  /** --kubeconfig: this file only (it must exist). */
  kubeconfig?: string;
  /** --context: else the current-context. */
  context?: string;
  /** Where KUBECONFIG, HOME and in-cluster variables are read from (the process's by default). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The service account directory for the in-cluster fallback (tests change it). */
  serviceAccountDir?: string;
}

export interface LoadedKubeconfig extends SelectedContext {
  /** The files read, for messages: "a:b", or ~/.kube/config. */
  where: string;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim().split('\n')[0] || 'failed with no message';
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The in-cluster config (a pod's service account), as kubectl and client libraries use it when
 * there is no kubeconfig; undefined outside a pod.
 */
function inClusterConfig(env: Readonly<Record<string, string | undefined>>, dir: string): Kubeconfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  const tokenFile = join(dir, 'token');
  if (host === undefined || host === '' || port === undefined || port === '' || !existsSync(tokenFile)) return undefined;
  const cluster: KubeCluster = { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, insecureSkipTlsVerify: false };
  if (existsSync(join(dir, 'ca.crt'))) cluster.certificateAuthority = join(dir, 'ca.crt');
  return {
    currentContext: 'in-cluster',
    clusters: new Map([['in-cluster', cluster]]),
    users: new Map([['in-cluster', { tokenFile }]]),
    contexts: new Map([['in-cluster', { cluster: 'in-cluster', user: 'in-cluster' }]]),
  };
}

/**
 * The kubeconfig as kubectl picks it: --kubeconfig, else the $KUBECONFIG files (merged, missing
 * ones skipped), else ~/.kube/config (HOME from env), else the in-cluster service account.
 */
export function loadKubeconfig(options: LoadOptions = {}): LoadedKubeconfig {
  const env = options.env ?? process.env;
  const list = env['KUBECONFIG'];
  const files = options.kubeconfig !== undefined ? [options.kubeconfig] : list !== undefined && list !== '' ? list.split(delimiter).filter((p) => p !== '') : [];
  let where = files.length > 0 ? files.join(delimiter) : '~/.kube/config';
  let config: Kubeconfig;
  try {
    if (files.length === 0) {
      const home = env['HOME'] ?? env['USERPROFILE'];
      const file = home === undefined || home === '' ? undefined : join(home, '.kube', 'config');
      const inCluster = file !== undefined && existsSync(file) ? undefined : inClusterConfig(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
      if (inCluster !== undefined) {
        config = inCluster;
        where = 'in-cluster service account';
      } else {
        if (file === undefined || !existsSync(file)) throw new Error('no kubeconfig found (use --kubeconfig or KUBECONFIG)');
        config = parseKubeconfig(readFileSync(file, 'utf8'), file);
      }
    } else {
      const present = options.kubeconfig !== undefined ? files : files.filter((f) => existsSync(f));
      if (present.length === 0) throw new Error('no kubeconfig found (use --kubeconfig or KUBECONFIG)');
      config = mergeKubeconfigs(
        present.map((file) => {
          try {
            return parseKubeconfig(readFileSync(file, 'utf8'), file);
          } catch (err) {
            // With several files, say which one is bad.
            throw new Error(present.length > 1 ? `${file}: ${messageOf(err)}` : messageOf(err));
          }
        }),
      );
    }
  } catch (err) {
    throw new KubeconfigError('kubeconfig', `cannot read kubeconfig: ${messageOf(err)}`, { file: where });
  }
  return { ...selectContext(config, options.context, where), where };
}

/** What a request needs from the kubeconfig: TLS material and an Authorization header. */
export interface RequestCredentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
  headers: Record<string, string>;
}

/** The status of an ExecCredential, as far as kreg uses it. */
export interface ExecResult {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** ms since the epoch; undefined means valid for as long as the process lives. */
  expires?: number;
}

export interface CredentialOptions {
  /** The environment exec plugins start from (the process's by default). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether an exec plugin may talk to the user (stdin is a terminal). */
  interactive?: boolean;
  /** The clock, for expiry (tests move it). */
  now?: () => number;
}

/** The ExecCredential a plugin printed, checked as client-go checks it. */
export function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error('the exec plugin printed no ExecCredential JSON');
  }
  if (!isObj(doc) || doc.kind !== 'ExecCredential') throw new Error('the exec plugin printed no ExecCredential');
  if (doc.apiVersion !== apiVersion) throw new Error(`the exec plugin is configured to use API version ${apiVersion}, but printed ${String(doc.apiVersion)}`);
  const status = doc.status;
  if (!isObj(status)) throw new Error('the exec plugin printed an ExecCredential without status');
  const result: ExecResult = {};
  if (typeof status.token === 'string' && status.token !== '') result.token = status.token;
  const cert = typeof status.clientCertificateData === 'string' && status.clientCertificateData !== '' ? status.clientCertificateData : undefined;
  const key = typeof status.clientKeyData === 'string' && status.clientKeyData !== '' ? status.clientKeyData : undefined;
  if ((cert === undefined) !== (key === undefined)) throw new Error('the exec plugin printed only one of clientCertificateData and clientKeyData');
  if (cert !== undefined && key !== undefined) {
    result.clientCertificateData = cert;
    result.clientKeyData = key;
  }
  if (result.token === undefined && cert === undefined) throw new Error('the exec plugin printed neither a token nor a client certificate');
  if (typeof status.expirationTimestamp === 'string' && status.expirationTimestamp !== '') {
    const expires = Date.parse(status.expirationTimestamp);
    if (Number.isNaN(expires)) throw new Error(`the exec plugin printed a bad expirationTimestamp "${status.expirationTimestamp}"`);
    result.expires = expires;
  }
  return result;
}

/** What KUBERNETES_EXEC_INFO holds for a plugin. */
export function execInfo(exec: ExecConfig, cluster: KubeCluster, interactive: boolean): string {
  const spec: Obj = { interactive };
  if (exec.provideClusterInfo) {
    const info: Obj = { server: cluster.server };
    if (cluster.tlsServerName !== undefined) info['tls-server-name'] = cluster.tlsServerName;
    if (cluster.insecureSkipTlsVerify) info['insecure-skip-tls-verify'] = true;
    const ca = cluster.certificateAuthorityData ?? (cluster.certificateAuthority === undefined ? undefined : readFileSync(cluster.certificateAuthority));
    if (ca !== undefined) info['certificate-authority-data'] = ca.toString('base64');
    if (cluster.execExtension !== undefined) info.config = cluster.execExtension;
    spec.cluster = info;
  }
  return JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
}

/** Runs an exec plugin; resolves to its stdout, rejects with a one-line reason. */
function runExec(exec: ExecConfig, cluster: KubeCluster, options: CredentialOptions): Promise<string> {
  const interactive = exec.interactiveMode !== 'Never' && options.interactive === true;
  if (exec.interactiveMode === 'Always' && !interactive) {
    return Promise.reject(new Error(`exec plugin ${exec.command} needs an interactive terminal (interactiveMode: Always)`));
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) env[k] = v;
  for (const { name, value } of exec.env) env[name] = value;
  env['KUBERNETES_EXEC_INFO'] = execInfo(exec, cluster, interactive);
  return new Promise((resolvePromise, reject) => {
    // An interactive plugin gets the terminal (it may ask for a password); otherwise stderr is kept for the error.
    const child = spawn(exec.command, exec.args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = exec.installHint === undefined ? '' : ` (${exec.installHint.trim().split('\n').join(' ')})`;
      reject(new Error(e.code === 'ENOENT' ? `exec plugin ${exec.command} not found${hint}` : `exec plugin ${exec.command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise(Buffer.concat(out).toString('utf8'));
      const said = Buffer.concat(err)
        .toString('utf8')
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .pop();
      reject(new Error(`exec plugin ${exec.command} ${signal !== null ? `was killed by ${signal}` : `exited with ${code}`}${said === undefined ? '' : `: ${said}`}`));
    });
  });
}

/** How long a token file is trusted before it is read again (client-go re-reads every minute). */
const TOKEN_FILE_TTL = 60_000;

/**
 * The credentials of one user against one cluster. `get()` is cheap after the first call: files
 * are read once (token files once a minute), exec plugins run again only once their credential
 * has expired.
 */
export class Credentials {
  private base: Promise<RequestCredentials> | undefined;
  private exec: { result: Promise<ExecResult>; expires: number } | undefined;
  private tokenFile: { token: string; read: number } | undefined;
  private readonly now: () => number;

  constructor(
    readonly selected: SelectedContext,
    private readonly options: CredentialOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The TLS options and headers for the next request. */
  async get(): Promise<RequestCredentials> {
    this.base ??= Promise.resolve().then(() => this.fixed());
    const base = await this.base;
    const out: RequestCredentials = { ...base, headers: { ...base.headers } };
    const { user } = this.selected;
    // As kubeconfig: token wins over tokenFile; a static token or basic auth wins over an exec plugin.
    if (user.token === undefined && user.tokenFile !== undefined) out.headers['Authorization'] = `Bearer ${this.readTokenFile(user.tokenFile)}`;
    if (user.exec !== undefined) {
      const result = await this.execResult(user.exec);
      if (result.token !== undefined && out.headers['Authorization'] === undefined) out.headers['Authorization'] = `Bearer ${result.token}`;
      if (result.clientCertificateData !== undefined && out.cert === undefined) {
        out.cert = Buffer.from(result.clientCertificateData, 'utf8');
        out.key = Buffer.from(result.clientKeyData ?? '', 'utf8');
      }
    }
    return out;
  }

  /** Forget a cached exec credential (after the server refused it). */
  invalidate(): void {
    this.exec = undefined;
    this.tokenFile = undefined;
  }

  private fixed(): RequestCredentials {
    const { cluster, user } = this.selected;
    const out: RequestCredentials = { rejectUnauthorized: !cluster.insecureSkipTlsVerify, headers: {} };
    const read = (file: string, what: string): Buffer => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
      }
    };
    // *-data wins over the file when both are set (kubectl warns so).
    const ca = cluster.certificateAuthorityData ?? (cluster.certificateAuthority === undefined ? undefined : read(cluster.certificateAuthority, 'certificate-authority'));
    if (ca !== undefined) out.ca = ca;
    if (cluster.tlsServerName !== undefined) out.servername = cluster.tlsServerName;
    const cert = user.clientCertificateData ?? (user.clientCertificate === undefined ? undefined : read(user.clientCertificate, 'client-certificate'));
    const key = user.clientKeyData ?? (user.clientKey === undefined ? undefined : read(user.clientKey, 'client-key'));
    if ((cert === undefined) !== (key === undefined)) throw new Error(cert === undefined ? 'client-key without client-certificate' : 'client-certificate without client-key');
    if (cert !== undefined) out.cert = cert;
    if (key !== undefined) out.key = key;
    if (user.token !== undefined) out.headers['Authorization'] = `Bearer ${user.token}`;
    else if (user.username !== undefined || user.password !== undefined) {
      out.headers['Authorization'] = `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`, 'utf8').toString('base64')}`;
    }
    return out;
  }

  private readTokenFile(file: string): string {
    const now = this.now();
    if (this.tokenFile === undefined || now - this.tokenFile.read >= TOKEN_FILE_TTL) {
      let token: string;
      try {
        token = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new Error(`cannot read tokenFile ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
      }
      if (token === '') throw new Error(`tokenFile ${file} is empty`);
      this.tokenFile = { token, read: now };
    }
    return this.tokenFile.token;
  }

  private execResult(exec: ExecConfig): Promise<ExecResult> {
    if (this.exec !== undefined && this.now() < this.exec.expires) return this.exec.result;
    const result = runExec(exec, this.selected.cluster, this.options).then((stdout) => parseExecCredential(stdout, exec.apiVersion));
    const entry = { result, expires: Number.POSITIVE_INFINITY };
    this.exec = entry;
    result.then(
      (r) => {
        if (r.expires !== undefined) entry.expires = r.expires;
      },
      () => {
        if (this.exec === entry) this.exec = undefined; // a failure is not cached
      },
    );
    return result;
  }
}
