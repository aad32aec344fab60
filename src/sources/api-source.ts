/**
 * A live Kubernetes API as a source of objects, for `kreg diff`.
 *
 * Configuration comes from kubeconfig (--kubeconfig, else $KUBECONFIG, else ~/.kube/config; a
 * --context or the current one): the server URL, its CA (or insecure-skip-tls-verify), and the
 * user's bearer token, token file, client certificate and key, basic auth, or an exec credential
 * plugin. @kubernetes/client-node would read all this, but its current release needs Node 22
 * (its undici dependency fails to load on Node 20), so this is a small reader of the same format.
 *
 * Objects are read with plain GETs built from the registry entry, at the version the resource is
 * stored in, so that version conversion never shows up as a difference; when that group/version
 * does not serve the resource, the preferred served version is used and stderr says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import yaml from 'js-yaml';
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { apiVersionOf, type ResourceEntry } from '../keys/index.js';

/** The API answered with an HTTP error (or could not be reached); the URL is the endpoint. */
function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ApiError extends KregError {
  override name = 'ApiError';
  constructor(
    code: string,
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(code, message, { endpoint: url });
  }
}

/** 401 or 403: the credentials were refused. */
export class ApiAuthError extends ApiError {
  override name = 'ApiAuthError';
}

/** 404: no such object (or path). */
export class ApiNotFoundError extends ApiError {
  override name = 'ApiNotFoundError';
}

/** kubeconfig missing, unreadable or lacking what is needed. */
export class KubeconfigError extends KregError {
  override name = 'KubeconfigError';
}

export interface ApiSourceOptions {
  kubeconfig?: string;
  context?: string;
  /** Where fallback notes go (stderr by default). */
  warn?: (line: string) => void;
}

interface Connection {
  server: string;
  ca?: Buffer;
  insecure: boolean;
  headers: Record<string, string>;
  cert?: Buffer;
  key?: Buffer;
}

type NamedList = { name?: unknown }[];

function named(list: unknown, name: string, what: string, file: string): JsonObject {
  const items = Array.isArray(list) ? (list as NamedList) : [];
  const found = items.find((i) => i.name === name) as JsonObject | undefined;
  const inner = found?.[what];
  if (!isJsonObject(inner)) throw new KubeconfigError('kubeconfig', `no ${what} named "${name}"`, { file });
  return inner;
}

function fileOrData(entry: JsonObject, field: string, base: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const path = entry[field];
  if (typeof path === 'string' && path !== '') return readFileSync(isAbsolute(path) ? path : join(base, path));
  return undefined;
}

/** The kubeconfig files to read, as kubectl picks them. */
function kubeconfigFiles(explicit: string | undefined): string[] {
  if (explicit !== undefined) return [explicit];
  const env = process.env['KUBECONFIG'];
  if (env !== undefined && env !== '') return env.split(':').filter((p) => p !== '');
  return [join(homedir(), '.kube', 'config')];
}

/** Reads kubeconfig (merging KUBECONFIG files, first wins) into what a request needs. */
export function loadConnection(options: ApiSourceOptions = {}): Connection {
  const files = kubeconfigFiles(options.kubeconfig);
  const merged: { clusters: unknown[]; users: unknown[]; contexts: unknown[]; current?: string; base: Map<unknown, string> } = { clusters: [], users: [], contexts: [], base: new Map() };
  let loaded = 0;
  for (const file of files) {
    let doc: unknown;
    try {
      doc = yaml.load(readFileSync(file, 'utf8'));
    } catch (err) {
      if (options.kubeconfig === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new KubeconfigError('kubeconfig', `cannot read kubeconfig: ${err instanceof Error ? err.message : String(err)}`, { file });
    }
    if (!isJsonObject(doc)) continue;
    loaded++;
    const config = doc as JsonObject;
    const base = dirname(resolvePath(file));
    for (const field of ['clusters', 'users', 'contexts'] as const) {
      const list = Array.isArray(config[field]) ? (config[field] as unknown[]) : [];
      for (const item of list) {
        merged[field].push(item);
        merged.base.set(item, base);
      }
    }
    if (merged.current === undefined && typeof config['current-context'] === 'string' && config['current-context'] !== '') merged.current = config['current-context'];
  }
  const where = files.join(':');
  if (loaded === 0) throw new KubeconfigError('kubeconfig', 'no kubeconfig found (use --kubeconfig or KUBECONFIG)', { file: where });
  const contextName = options.context ?? merged.current;
  if (contextName === undefined) throw new KubeconfigError('kubeconfig', 'no current-context; name one with --context', { file: where });
  const context = named(merged.contexts, contextName, 'context', where);
  const clusterItem = (merged.clusters as NamedList).find((c) => c.name === context.cluster);
  const cluster = named(merged.clusters, String(context.cluster), 'cluster', where);
  const clusterBase = merged.base.get(clusterItem) ?? '.';
  if (typeof cluster.server !== 'string') throw new KubeconfigError('kubeconfig', `cluster "${String(context.cluster)}" has no server`, { file: where });
  const conn: Connection = { server: cluster.server.replace(/\/+$/, ''), insecure: cluster['insecure-skip-tls-verify'] === true, headers: {} };
  const ca = fileOrData(cluster, 'certificate-authority', clusterBase);
  if (ca !== undefined) conn.ca = ca;
  if (context.user !== undefined) {
    const userItem = (merged.users as NamedList).find((u) => u.name === context.user);
    const user = named(merged.users, String(context.user), 'user', where);
    const userBase = merged.base.get(userItem) ?? '.';
    const cert = fileOrData(user, 'client-certificate', userBase);
    const key = fileOrData(user, 'client-key', userBase);
    if (cert !== undefined) conn.cert = cert;
    if (key !== undefined) conn.key = key;
    if (typeof user.token === 'string' && user.token !== '') conn.headers['Authorization'] = `Bearer ${user.token}`;
    else if (typeof user.tokenFile === 'string') conn.headers['Authorization'] = `Bearer ${readFileSync(isAbsolute(user.tokenFile) ? user.tokenFile : join(userBase, user.tokenFile), 'utf8').trim()}`;
    else if (typeof user.username === 'string') conn.headers['Authorization'] = `Basic ${Buffer.from(`${user.username}:${String(user.password ?? '')}`).toString('base64')}`;
    if (isJsonObject(user.exec)) applyExec(user.exec, conn, where);
  }
  return conn;
}

/** Runs a client-go exec credential plugin and takes its token or client certificate. */
function applyExec(exec: JsonObject, conn: Connection, file: string): void {
  const command = String(exec.command ?? '');
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env = { ...process.env };
  if (Array.isArray(exec.env)) for (const e of exec.env) if (isJsonObject(e)) env[String(e.name)] = String(e.value);
  const apiVersion = typeof exec.apiVersion === 'string' ? exec.apiVersion : 'client.authentication.k8s.io/v1';
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const run = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new KubeconfigError('exec-plugin', `exec plugin ${command} failed: ${(run.stderr ?? run.error?.message ?? '').trim()}`, { file });
  let status: JsonObject | undefined;
  try {
    const cred = JSON.parse(run.stdout) as JsonObject;
    status = isJsonObject(cred.status) ? cred.status : undefined;
  } catch {
    status = undefined;
  }
  if (status === undefined) throw new KubeconfigError('exec-plugin', `exec plugin ${command} printed no ExecCredential status`, { file });
  if (typeof status.token === 'string') conn.headers['Authorization'] = `Bearer ${status.token}`;
  if (typeof status.clientCertificateData === 'string') conn.cert = Buffer.from(status.clientCertificateData);
  if (typeof status.clientKeyData === 'string') conn.key = Buffer.from(status.clientKeyData);
}

/** Where and how one resource is read: its group/version path and whether that is the storage version. */
export interface ServedVersion {
  version: string;
  fallback: boolean;
}

export class ApiSource {
  readonly description: string;
  private readonly discovery = new Map<string, Promise<Set<string> | undefined>>();
  private readonly versions = new Map<string, Promise<ServedVersion | undefined>>();
  private readonly warn: (line: string) => void;

  private constructor(
    private readonly conn: Connection,
    options: ApiSourceOptions,
  ) {
    this.description = `api ${conn.server}`;
    this.warn = options.warn ?? ((line) => process.stderr.write(`${line}\n`));
  }

  static open(options: ApiSourceOptions = {}): ApiSource {
    return new ApiSource(loadConnection(options), options);
  }

  get server(): string {
    return this.conn.server;
  }

  /** GET a path; resolves to the parsed JSON body, throws typed errors naming the URL. */
  async getJson(path: string): Promise<JsonObject> {
    const url = new URL(this.conn.server + path);
    const options: RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json', 'User-Agent': 'kreg', ...this.conn.headers },
      rejectUnauthorized: !this.conn.insecure,
    };
    if (this.conn.ca !== undefined) options.ca = this.conn.ca;
    if (this.conn.cert !== undefined) options.cert = this.conn.cert;
    if (this.conn.key !== undefined) options.key = this.conn.key;
    const href = url.toString();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : request;
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timed out after 60s')));
      req.on('error', (err) => reject(new ApiError('unreachable', `cannot reach the API server: ${err.message}`, href)));
      req.end();
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const message = isJsonObject(parsed) && typeof (parsed as JsonObject).message === 'string' ? String((parsed as JsonObject).message) : body.trim().slice(0, 200);
    if (status === 401 || status === 403) {
      throw new ApiAuthError('forbidden', `${status === 401 ? 'Unauthorized (401)' : 'Forbidden (403)'}: ${message || 'credentials refused'}`, href, status);
    }
    if (status === 404) throw new ApiNotFoundError('not-found', `not found (404): ${message}`, href, status);
    if (status < 200 || status > 299) throw new ApiError('http-error', `HTTP ${status}: ${message}`, href, status);
    if (!isJsonObject(parsed)) throw new ApiError('bad-response', 'the answer is not a JSON object', href, status);
    return parsed as JsonObject;
  }

  /** Plural resource names a group/version serves, or undefined when it is not served at all. */
  private servedResources(group: string, version: string): Promise<Set<string> | undefined> {
    const gv = apiVersionOf(group, version);
    let known = this.discovery.get(gv);
    if (known === undefined) {
      known = this.getJson(group === '' ? `/api/${version}` : `/apis/${group}/${version}`).then(
        (list) => new Set((Array.isArray(list.resources) ? list.resources : []).filter(isJsonObject).map((r) => String(r.name))),
        (err: unknown) => {
          if (err instanceof ApiNotFoundError) return undefined;
          throw err;
        },
      );
      this.discovery.set(gv, known);
    }
    return known;
  }

  /** The version to read an entry at: its storage version if served, else the preferred one served. */
  servedVersion(entry: ResourceEntry): Promise<ServedVersion | undefined> {
    const id = `${entry.group}/${entry.resource}`;
    let found = this.versions.get(id);
    if (found === undefined) {
      found = (async () => {
        const candidates = [entry.storageVersion, ...entry.versions.filter((v) => v !== entry.storageVersion)];
        for (const version of candidates) {
          const served = await this.servedResources(entry.group, version);
          if (served?.has(entry.resource)) {
            const fallback = version !== entry.storageVersion;
            if (fallback) {
              this.warn(
                `kreg: ${this.conn.server}: ${entry.resource}${entry.group === '' ? '' : `.${entry.group}`} is not served at its storage version ${apiVersionOf(entry.group, entry.storageVersion)}; reading ${apiVersionOf(entry.group, version)} instead (conversion differences may show)`,
              );
            }
            return { version, fallback };
          }
        }
        return undefined;
      })();
      this.versions.set(id, found);
    }
    return found;
  }

  private path(entry: ResourceEntry, version: string, namespace: string | undefined, name: string | undefined): string {
    let path = entry.group === '' ? `/api/${version}` : `/apis/${entry.group}/${version}`;
    if (entry.namespaced && namespace !== undefined) path += `/namespaces/${encodeURIComponent(namespace)}`;
    path += `/${entry.resource}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    return path;
  }

  /** One object, or undefined when the API has no such object. */
  async get(entry: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const served = await this.servedVersion(entry);
    if (served === undefined) return undefined;
    try {
      const object = await this.getJson(this.path(entry, served.version, namespace, name));
      object.apiVersion ??= apiVersionOf(entry.group, served.version);
      object.kind ??= entry.kind;
      return object;
    } catch (err) {
      if (err instanceof ApiNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Every object of a resource (in one namespace, or all), with apiVersion and kind filled in as
   * list items lack them; undefined when the API does not serve the resource. Follows `continue`.
   */
  async list(entry: ResourceEntry, namespace: string | undefined): Promise<JsonObject[] | undefined> {
    const served = await this.servedVersion(entry);
    if (served === undefined) return undefined;
    const base = this.path(entry, served.version, namespace, undefined);
    const out: JsonObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.getJson(`${base}?limit=500${cont === undefined ? '' : `&continue=${encodeURIComponent(cont)}`}`);
      for (const item of Array.isArray(page.items) ? page.items : []) {
        if (!isJsonObject(item)) continue;
        const object: JsonObject = { apiVersion: apiVersionOf(entry.group, served.version), kind: entry.kind, ...item };
        out.push(object);
      }
      const meta = isJsonObject(page.metadata) ? page.metadata : {};
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    } while (cont !== undefined);
    return out;
  }
}
