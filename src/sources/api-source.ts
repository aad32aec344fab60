/**
 * A live Kubernetes API as a source of objects (an ObjectSource), for `kreg diff`. It cannot list
 * everything at once: callers list each resource they want.
 *
 * Configuration comes from kubeconfig, read by our own loader (./kubeconfig.ts) as kubectl reads it:
 * --kubeconfig, else the files in $KUBECONFIG (merged), else ~/.kube/config, else the in-cluster
 * service account; a --context or the current one. The loader gives the CA (or
 * insecure-skip-tls-verify), tls-server-name, client certificate and key, bearer token (or token
 * file), basic auth and exec credential plugin output for each request.
 *
 * Objects are read with plain GETs built from the registry entry, at the version the resource is
 * stored in, so that version conversion never shows up as a difference; when that group/version
 * does not serve the resource, the preferred served version is used and stderr says so.
 */
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { apiVersionOf, type ResourceEntry } from '../keys/index.js';
import { Credentials, KubeconfigError, loadKubeconfig } from './kubeconfig.js';
import type { FoundObject, ObjectSource } from './object-source.js';

export { KubeconfigError } from './kubeconfig.js';

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

/** 409: the object exists already (a create), or changed since it was read (an update with its resourceVersion). */
export class ApiConflictError extends ApiError {
  override name = 'ApiConflictError';
}

export interface ApiSourceOptions {
  kubeconfig?: string;
  context?: string;
  /** Where fallback notes go (stderr by default). */
  warn?: (line: string) => void;
  /** The environment KUBECONFIG and HOME are read from, and exec plugins run in (the process's by default). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether exec plugins may use the terminal (whether stdin is one, by default). */
  interactive?: boolean;
}

function messageOf(err: unknown): string {
  // An exec plugin that exits non-zero rejects with its stderr, which may be empty.
  return (err instanceof Error ? err.message : String(err)).trim().split('\n')[0] || 'failed with no message (an exec credential plugin that exited non-zero?)';
}

/** Where and how one resource is read: its group/version path and whether that is the storage version. */
export interface ServedVersion {
  version: string;
  fallback: boolean;
}

export class ApiSource implements ObjectSource {
  readonly description: string;
  /** Failed reads are errors here, never skipped: nothing is ever left out silently. */
  readonly problems: string[] = [];
  private readonly discovery = new Map<string, Promise<Set<string> | undefined>>();
  private readonly versions = new Map<string, Promise<ServedVersion | undefined>>();
  private readonly warn: (line: string) => void;

  /** The CA, client cert, token or exec plugin credential of the context; a failure is kept. */
  private readonly credentials: Credentials;
  private credentialFailure: KubeconfigError | undefined;
  /** The kubeconfig file(s), for messages. */
  private readonly where: string;

  private constructor(
    loaded: ReturnType<typeof loadKubeconfig>,
    readonly server: string,
    options: ApiSourceOptions,
  ) {
    this.description = `api ${server}`;
    this.warn = options.warn ?? ((line) => process.stderr.write(`${line}\n`));
    const env = options.env ?? process.env;
    this.credentials = new Credentials(loaded, { env, interactive: options.interactive ?? process.stdin.isTTY === true });
    this.where = loaded.where;
  }

  static open(options: ApiSourceOptions = {}): ApiSource {
    const load: Parameters<typeof loadKubeconfig>[0] = {};
    if (options.kubeconfig !== undefined) load.kubeconfig = options.kubeconfig;
    if (options.context !== undefined) load.context = options.context;
    if (options.env !== undefined) load.env = options.env;
    const loaded = loadKubeconfig(load);
    return new ApiSource(loaded, loaded.cluster.server.replace(/\/+$/, ''), options);
  }

  /** The request options of the kubeconfig's credentials (exec plugins rerun once expired). */
  private async authOptions(): Promise<RequestOptions> {
    if (this.credentialFailure !== undefined) throw this.credentialFailure;
    try {
      const c = await this.credentials.get();
      const options: RequestOptions = { rejectUnauthorized: c.rejectUnauthorized, headers: c.headers };
      if (c.ca !== undefined) options.ca = c.ca;
      if (c.cert !== undefined) options.cert = c.cert;
      if (c.key !== undefined) options.key = c.key;
      if (c.servername !== undefined) options.servername = c.servername;
      return options;
    } catch (err) {
      this.credentialFailure ??= new KubeconfigError('kubeconfig', `cannot apply the credentials of context "${this.credentials.selected.contextName}": ${messageOf(err)}`, { file: this.where });
      throw this.credentialFailure;
    }
  }

  /** GET a path; resolves to the parsed JSON body, throws typed errors naming the URL. */
  getJson(path: string): Promise<JsonObject> {
    return this.requestJson('GET', path);
  }

  /** One request with an optional JSON body; resolves to the parsed JSON answer, throws typed errors naming the URL. */
  private async requestJson(method: 'GET' | 'POST' | 'PUT', path: string, body?: JsonObject): Promise<JsonObject> {
    const url = new URL(this.server + path);
    const auth = await this.authOptions();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = {
      ...auth,
      method,
      headers: { Accept: 'application/json', 'User-Agent': 'kreg', ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }), ...auth.headers },
    };
    const href = url.toString();
    const { status, body: text } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : request;
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timed out after 60s')));
      req.on('error', (err) => reject(new ApiError('unreachable', `cannot reach the API server: ${err.message}`, href)));
      req.end(payload);
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const message = isJsonObject(parsed) && typeof (parsed as JsonObject).message === 'string' ? String((parsed as JsonObject).message) : text.trim().slice(0, 200);
    if (status === 401 || status === 403) {
      throw new ApiAuthError('forbidden', `${status === 401 ? 'Unauthorized (401)' : 'Forbidden (403)'}: ${message || 'credentials refused'}`, href, status);
    }
    if (status === 404) throw new ApiNotFoundError('not-found', `not found (404): ${message}`, href, status);
    if (status === 409) throw new ApiConflictError('conflict', `conflict (409): ${message}`, href, status);
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
                `kreg: ${this.server}: ${entry.resource}${entry.group === '' ? '' : `.${entry.group}`} is not served at its storage version ${apiVersionOf(entry.group, entry.storageVersion)}; reading ${apiVersionOf(entry.group, version)} instead (conversion differences may show)`,
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
  async list(entry: ResourceEntry, namespace: string | undefined): Promise<FoundObject[] | undefined> {
    const served = await this.servedVersion(entry);
    if (served === undefined) return undefined;
    const base = this.path(entry, served.version, namespace, undefined);
    const out: FoundObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.getJson(`${base}?limit=500${cont === undefined ? '' : `&continue=${encodeURIComponent(cont)}`}`);
      for (const item of Array.isArray(page.items) ? page.items : []) {
        if (!isJsonObject(item)) continue;
        const object: JsonObject = { apiVersion: apiVersionOf(entry.group, served.version), kind: entry.kind, ...item };
        const metadata = isJsonObject(object.metadata) ? object.metadata : {};
        out.push({ entry, namespace: entry.namespaced ? String(metadata.namespace ?? '') : undefined, name: String(metadata.name ?? ''), object });
      }
      const meta = isJsonObject(page.metadata) ? page.metadata : {};
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    } while (cont !== undefined);
    return out;
  }

  /** The collection path of an object, at the group/version its apiVersion names. */
  private pathOf(entry: ResourceEntry, object: JsonObject, name?: string): string {
    const apiVersion = String(object.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    return this.path(entry, version, typeof metadata.namespace === 'string' ? metadata.namespace : undefined, name);
  }

  /** Creates the object (POST); ApiConflictError when it exists already. Returns the object as created. */
  create(entry: ResourceEntry, object: JsonObject): Promise<JsonObject> {
    return this.requestJson('POST', this.pathOf(entry, object), object);
  }

  /**
   * Replaces the object (PUT). Its metadata.resourceVersion must be the one read: the API refuses
   * the write with ApiConflictError when the object changed since (optimistic concurrency).
   */
  replace(entry: ResourceEntry, object: JsonObject): Promise<JsonObject> {
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    return this.requestJson('PUT', this.pathOf(entry, object, String(metadata.name ?? '')), object);
  }

  /** Nothing to release: every request is its own connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
