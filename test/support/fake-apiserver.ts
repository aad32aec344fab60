/**
 * A loopback HTTPS server that answers like kube-apiserver, for `kreg diff` tests (there is no
 * kube-apiserver binary here). It serves what the test puts in it, as recorded JSON:
 *   - discovery: GET /api (APIVersions), /apis (APIGroupList), /api/v1 and /apis/G/V
 *     (APIResourceList), 404 for a group/version it lacks: what kubectl reads before it applies;
 *   - GET of one object and lists, namespaced and cluster-scoped, core and group paths; list items
 *     without apiVersion and kind, as kube-apiserver writes them;
 *   - 404 with a Status body for a missing object or path;
 *   - writes as kube-apiserver makes them: POST creates (201; 409 AlreadyExists when the object
 *     is there), PUT replaces only when the body carries the stored resourceVersion (409 Conflict
 *     otherwise, 404 when the object is gone); each write gets the next resourceVersion;
 *   - TLS with a self-signed certificate made here with openssl, and a bearer token: 401 Status
 *     without one, 403 Status for a wrong one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './etcd.js';

export type Json = { [key: string]: unknown };

export interface FakeResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface FakeApiServer {
  url: string;
  token: string;
  /** The server certificate (self-signed), to trust as the CA. */
  caFile: string;
  dir: string;
  /** Adds or replaces an object of a resource the server serves. */
  put(resource: FakeResource, object: Json): void;
  /** Removes an object; true when it was there. */
  remove(resource: FakeResource, namespace: string | undefined, name: string): boolean;
  object(resource: FakeResource, namespace: string | undefined, name: string): Json | undefined;
  /** Writes a kubeconfig for this server (with the given token, the right one by default) and returns its path. */
  writeKubeconfig(name: string, token?: string): string;
  /** Requests seen, as "METHOD path". */
  requests: string[];
  /** Called before each request is answered (a test changes objects here to race a client). */
  onRequest: ((method: string, path: string) => void) | undefined;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string, details: Json = {}): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

export async function startFakeApiServer(resources: FakeResource[], token = 'kreg-test-token'): Promise<FakeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kreg-fake-apiserver-'));
  const { keyFile, certFile } = await createSelfSignedCertificate(dir, 'server', 'kreg fake apiserver', ['subjectAltName=IP:127.0.0.1,DNS:localhost']);

  const gvKey = (group: string, version: string): string => `${group}/${version}`;
  const byGv = new Map<string, FakeResource[]>();
  for (const r of resources) {
    const list = byGv.get(gvKey(r.group, r.version)) ?? [];
    list.push(r);
    byGv.set(gvKey(r.group, r.version), list);
  }
  const store = new Map<string, Json>();
  const idOf = (r: FakeResource, namespace: string | undefined, name: string): string => `${r.group}/${r.version}/${r.resource}/${namespace ?? ''}/${name}`;
  const requests: string[] = [];

  const send = (res: ServerResponse, code: number, body: Json): void => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  /** The legacy discovery documents (kubectl asks for aggregated discovery first and falls back to these). */
  const apiVersions = (): Json => ({ kind: 'APIVersions', versions: byGv.has('/v1') ? ['v1'] : [], serverAddressByClientCIDRs: [] });
  const apiGroups = (): Json => {
    const groups = new Map<string, string[]>();
    for (const r of resources) if (r.group !== '' && !(groups.get(r.group) ?? []).includes(r.version)) groups.set(r.group, [...(groups.get(r.group) ?? []), r.version]);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0] as string}`, version: versions[0] as string },
      })),
    };
  };

  let nextResourceVersion = 1000;
  const stamp = (object: Json): Json => {
    const metadata = { ...((object.metadata ?? {}) as Json) };
    metadata.resourceVersion = String(nextResourceVersion++);
    return { ...object, metadata };
  };

  /** POST to a collection or PUT to an object, with kube-apiserver's answers for the cases tests need. */
  const handleWrite = (method: 'POST' | 'PUT', pathname: string, text: string, res: ServerResponse): void => {
    const segments = pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    const core = segments[0] === 'api';
    const [group, version] = core ? ['', segments[1] as string] : [segments[1] as string, segments[2] as string];
    let rest = segments.slice(core ? 2 : 3);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = (byGv.get(gvKey(group, version)) ?? []).find((r) => r.resource === rest[0]);
    if (resource === undefined || rest.length !== (method === 'POST' ? 1 : 2)) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      return send(res, 400, status(400, 'BadRequest', 'the body is not JSON'));
    }
    const meta = metaOf(body);
    if ((meta.namespace ?? namespace) !== namespace || (method === 'PUT' && meta.name !== rest[1])) return send(res, 400, status(400, 'BadRequest', 'the object does not belong at this path'));
    const id = idOf(resource, namespace, meta.name);
    const stored = store.get(id);
    const qualified = resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
    if (method === 'POST') {
      if (stored !== undefined) return send(res, 409, status(409, 'AlreadyExists', `${qualified} "${meta.name}" already exists`, { name: meta.name, kind: resource.resource }));
      if ((body.metadata as Json).resourceVersion !== undefined) return send(res, 400, status(400, 'BadRequest', 'resourceVersion should not be set on objects to be created'));
      const created = stamp(body);
      store.set(id, created);
      return send(res, 201, created);
    }
    if (stored === undefined) return send(res, 404, status(404, 'NotFound', `${qualified} "${meta.name}" not found`));
    if ((body.metadata as Json).resourceVersion !== (stored.metadata as Json).resourceVersion) {
      return send(
        res,
        409,
        status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified} "${meta.name}": the object has been modified; please apply your changes to the latest version and try again`),
      );
    }
    const replaced = stamp(body);
    store.set(id, replaced);
    return send(res, 200, replaced);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const auth = req.headers.authorization;
    if (auth === undefined) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    if (auth !== `Bearer ${token}`) {
      return send(res, 403, status(403, 'Forbidden', `forbidden: User "system:anonymous" cannot get path "${url.pathname}"`));
    }
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'PUT')
      return send(res, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    fake.onRequest?.(req.method, url.pathname);
    if (req.method !== 'GET') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handleWrite(req.method as 'POST' | 'PUT', url.pathname, Buffer.concat(chunks).toString('utf8'), res));
      return;
    }
    if (url.pathname === '/api' || url.pathname === '/apis') return send(res, 200, url.pathname === '/api' ? apiVersions() : apiGroups());
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 2) {
      group = '';
      version = segments[1] as string;
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      group = segments[1] as string;
      version = segments[2] as string;
      rest = segments.slice(3);
    } else {
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const served = byGv.get(gvKey(group, version));
    const apiVersion = group === '' ? version : `${group}/${version}`;
    if (served === undefined) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (rest.length === 0) {
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: apiVersion,
        resources: served.map((r) => ({ name: r.resource, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
      });
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, ...more] = rest;
    const resource = served.find((r) => r.resource === plural);
    if (resource === undefined || more.length > 0 || (namespace !== undefined && !resource.namespaced)) {
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const qualified = resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
    if (name !== undefined) {
      if (resource.namespaced && namespace === undefined) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const object = store.get(idOf(resource, namespace, name));
      if (object === undefined) {
        return send(res, 404, status(404, 'NotFound', `${qualified} "${name}" not found`, { name, group: resource.group, kind: resource.resource }));
      }
      return send(res, 200, object);
    }
    const prefix = `${resource.group}/${resource.version}/${resource.resource}/${namespace === undefined ? '' : `${namespace}/`}`;
    const items = [...store.entries()]
      .filter(([id]) => id.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => {
        const { apiVersion: _v, kind: _k, ...item } = object;
        return item;
      });
    return send(res, 200, { kind: `${resource.kind}List`, apiVersion, metadata: { resourceVersion: '999999' }, items });
  };

  const server: Server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const metaOf = (object: Json): { namespace?: string; name: string } => {
    const metadata = (object.metadata ?? {}) as Json;
    return { namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined, name: String(metadata.name) } as { namespace?: string; name: string };
  };

  const fake: FakeApiServer = {
    url,
    token,
    caFile: certFile,
    dir,
    requests,
    onRequest: undefined,
    put(resource, object) {
      const { namespace, name } = metaOf(object);
      store.set(idOf(resource, resource.namespaced ? namespace : undefined, name), structuredClone(object));
    },
    remove(resource, namespace, name) {
      return store.delete(idOf(resource, namespace, name));
    },
    object(resource, namespace, name) {
      return store.get(idOf(resource, namespace, name));
    },
    writeKubeconfig(name, withToken = token) {
      const path = join(dir, name);
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: url, 'certificate-authority': certFile } }],
        users: [{ name: 'tester', user: { token: withToken } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'tester' } }],
        'current-context': 'fake',
      };
      writeFileSync(path, JSON.stringify(config, undefined, 2));
      return path;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
