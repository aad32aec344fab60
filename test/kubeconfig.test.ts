/**
 * The kubeconfig loader (src/sources/kubeconfig.ts) against what kubectl does: merging of the
 * KUBECONFIG files (checked against the real kubectl when it is installed), relative paths, *-data
 * and file fields, token and tokenFile, basic auth, exec credential plugins (a shell script here,
 * run and cached), and the errors. One test talks to the loopback HTTPS server that answers like
 * kube-apiserver (there is no kube-apiserver binary here) with tls-server-name and an exec plugin.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ApiSource } from '../src/sources/api-source.js';
import { Credentials, KubeconfigError, loadKubeconfig, mergeKubeconfigs, parseKubeconfig, parseExecCredential, selectContext } from '../src/sources/kubeconfig.js';
import { startFakeApiServer } from './support/fake-apiserver.js';

type Json = Record<string, unknown>;

function config(parts: { clusters?: [string, Json][]; users?: [string, Json][]; contexts?: [string, Json][]; current?: string }): Json {
  const out: Json = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (parts.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (parts.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (parts.contexts ?? []).map(([name, context]) => ({ name, context })),
  };
  if (parts.current !== undefined) out['current-context'] = parts.current;
  return out;
}

function throwsKubeconfig(fn: () => unknown, message: RegExp, file?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KubeconfigError, String(err));
    assert.match(err.message, message);
    if (file !== undefined) assert.equal(err.subject.file, file);
    return true;
  });
}

describe('kubeconfig loader (kubectl semantics, without @kubernetes/client-node)', function () {
  this.timeout(30_000);
  let work: string;
  let n = 0;
  const write = (name: string, content: Json | string): string => {
    const path = join(work, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : yaml.dump(content));
    return path;
  };
  const script = (body: string): string => {
    const path = join(work, `plugin-${++n}.sh`);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const env = (more: Record<string, string> = {}): Record<string, string | undefined> => ({ PATH: process.env.PATH, HOME: join(work, 'nohome'), ...more });

  before(function () {
    work = mkdtempSync(join(tmpdir(), 'kreg-kubeconfig-test-'));
  });
  after(function () {
    rmSync(work, { recursive: true, force: true });
  });

  describe('KUBECONFIG merging', function () {
    let first: string;
    let second: string;
    let list: string;
    before(function () {
      first = write(
        'merge/first.yaml',
        config({
          clusters: [['shared', { server: 'https://first.example:6443' }]],
          users: [['alice', { token: 'first-token' }]],
          contexts: [['one', { cluster: 'shared', user: 'alice' }]],
        }),
      );
      second = write(
        'merge/second.yaml',
        config({
          clusters: [
            ['shared', { server: 'https://second.example:6443' }],
            ['only-second', { server: 'https://only.example' }],
          ],
          users: [
            ['alice', { token: 'second-token' }],
            ['bob', { token: 'bob-token' }],
          ],
          contexts: [
            ['one', { cluster: 'only-second', user: 'bob' }],
            ['two', { cluster: 'only-second', user: 'bob' }],
          ],
          current: 'one',
        }),
      );
      list = [join(work, 'merge/absent.yaml'), first, second].join(':');
    });

    it('the first file to set a name or current-context wins; missing files are skipped', function () {
      const loaded = loadKubeconfig({ env: env({ KUBECONFIG: list }) });
      assert.equal(loaded.contextName, 'one', 'current-context from the second file, as the first sets none');
      assert.equal(loaded.clusterName, 'shared', 'context "one" of the first file');
      assert.equal(loaded.cluster.server, 'https://first.example:6443');
      assert.equal(loaded.user.token, 'first-token');
      assert.equal(loaded.where, list);
      const two = loadKubeconfig({ env: env({ KUBECONFIG: list }), context: 'two' });
      assert.equal(two.cluster.server, 'https://only.example');
      assert.equal(two.user.token, 'bob-token');
    });

    it('matches kubectl config view --minify --raw over the same KUBECONFIG', function () {
      if (!existsSync('/usr/bin/kubectl')) this.skip();
      for (const context of [undefined, 'two']) {
        const args = ['config', 'view', '--minify', '--raw', '-o', 'json', ...(context === undefined ? [] : ['--context', context])];
        const view = JSON.parse(execFileSync('/usr/bin/kubectl', args, { env: { PATH: process.env.PATH ?? '', HOME: join(work, 'nohome'), KUBECONFIG: list } }).toString()) as {
          'current-context': string;
          contexts: { name: string; context: { cluster: string; user: string } }[];
          clusters: { name: string; cluster: { server: string } }[];
          users: { name: string; user: { token?: string } }[];
        };
        const ours = loadKubeconfig({ env: env({ KUBECONFIG: list }), ...(context === undefined ? {} : { context }) });
        assert.equal(ours.contextName, view['current-context']);
        assert.equal(ours.clusterName, view.contexts[0]?.context.cluster);
        assert.equal(ours.userName, view.contexts[0]?.context.user);
        assert.equal(ours.cluster.server, view.clusters[0]?.cluster.server);
        assert.equal(ours.user.token, view.users[0]?.user.token);
      }
    });

    it('--kubeconfig reads only that file, and it must exist; KUBECONFIG with no file present is an error', function () {
      const only = loadKubeconfig({ kubeconfig: second, env: env({ KUBECONFIG: first }) });
      assert.equal(only.cluster.server, 'https://only.example');
      const absent = join(work, 'merge/absent.yaml');
      throwsKubeconfig(() => loadKubeconfig({ kubeconfig: absent, env: env() }), /^cannot read kubeconfig: ENOENT/, absent);
      throwsKubeconfig(() => loadKubeconfig({ env: env({ KUBECONFIG: absent }) }), /^cannot read kubeconfig: no kubeconfig found \(use --kubeconfig or KUBECONFIG\)$/, absent);
    });

    it('~/.kube/config by default, HOME taken from the given environment; else the in-cluster service account', function () {
      const home = join(work, 'home');
      write('home/.kube/config', config({ clusters: [['c', { server: 'https://home.example' }]], contexts: [['x', { cluster: 'c' }]], current: 'x' }));
      const loaded = loadKubeconfig({ env: { HOME: home } });
      assert.equal(loaded.cluster.server, 'https://home.example');
      assert.equal(loaded.where, '~/.kube/config');
      throwsKubeconfig(() => loadKubeconfig({ env: { HOME: join(work, 'nohome') } }), /no kubeconfig found/, '~/.kube/config');
      const sa = join(work, 'serviceaccount');
      write('serviceaccount/token', 'sa-token\n');
      write('serviceaccount/ca.crt', 'PEM');
      const pod = loadKubeconfig({ env: { HOME: join(work, 'nohome'), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa });
      assert.equal(pod.cluster.server, 'https://10.96.0.1:443');
      assert.equal(pod.cluster.certificateAuthority, join(sa, 'ca.crt'));
      assert.equal(pod.user.tokenFile, join(sa, 'token'));
    });

    it('a file that does not parse is an error naming it among several', function () {
      const bad = write('merge/bad.yaml', 'clusters: {not: a list}\n');
      throwsKubeconfig(() => loadKubeconfig({ env: env({ KUBECONFIG: `${first}:${bad}` }) }), new RegExp(`^cannot read kubeconfig: ${bad}: clusters must be a list$`));
    });
  });

  describe('fields and credentials', function () {
    it("relative paths resolve against the kubeconfig file's directory (ca, cert, key, tokenFile, exec command with a slash)", async function () {
      write('rel/pki/ca.crt', 'CA PEM');
      write('rel/pki/client.crt', 'CERT PEM');
      write('rel/pki/client.key', 'KEY PEM');
      write('rel/token', 'file-token\n');
      const file = write(
        'rel/config.yaml',
        config({
          clusters: [['c', { server: 'https://x', 'certificate-authority': 'pki/ca.crt' }]],
          users: [
            ['u', { 'client-certificate': 'pki/client.crt', 'client-key': './pki/client.key', tokenFile: 'token' }],
            ['e', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin', args: [] } }],
            ['p', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'on-path-plugin' } }],
          ],
          contexts: [
            ['x', { cluster: 'c', user: 'u' }],
            ['e', { cluster: 'c', user: 'e' }],
            ['p', { cluster: 'c', user: 'p' }],
          ],
          current: 'x',
        }),
      );
      const loaded = loadKubeconfig({ kubeconfig: file, env: env() });
      assert.equal(loaded.cluster.certificateAuthority, join(work, 'rel/pki/ca.crt'));
      const creds = await new Credentials(loaded).get();
      assert.equal(creds.ca?.toString(), 'CA PEM');
      assert.equal(creds.cert?.toString(), 'CERT PEM');
      assert.equal(creds.key?.toString(), 'KEY PEM');
      assert.equal(creds.headers['Authorization'], 'Bearer file-token');
      assert.equal(creds.rejectUnauthorized, true);
      assert.equal(loadKubeconfig({ kubeconfig: file, context: 'e', env: env() }).user.exec?.command, join(work, 'rel/bin/plugin'));
      assert.equal(loadKubeconfig({ kubeconfig: file, context: 'p', env: env() }).user.exec?.command, 'on-path-plugin', 'a bare command is looked up on PATH');
    });

    it('*-data fields are decoded and win over files; token wins over tokenFile; insecure-skip-tls-verify and tls-server-name', async function () {
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      const parsed = parseKubeconfig(
        yaml.dump(
          config({
            clusters: [
              ['c', { server: 'https://x', 'certificate-authority-data': b64('DATA CA'), 'tls-server-name': 'api.internal' }],
              ['i', { server: 'https://y', 'insecure-skip-tls-verify': true }],
            ],
            users: [['u', { 'client-certificate-data': b64('DATA CERT'), 'client-key-data': b64('DATA KEY'), 'client-key': '/nonexistent', token: 'static', tokenFile: '/nonexistent' }]],
            contexts: [
              ['x', { cluster: 'c', user: 'u' }],
              ['i', { cluster: 'i', user: 'u' }],
            ],
            current: 'x',
          }),
        ),
        join(work, 'data.yaml'),
      );
      const creds = await new Credentials(selectContext(parsed, undefined, 'data.yaml')).get();
      assert.equal(creds.ca?.toString(), 'DATA CA');
      assert.equal(creds.cert?.toString(), 'DATA CERT');
      assert.equal(creds.key?.toString(), 'DATA KEY');
      assert.equal(creds.servername, 'api.internal');
      assert.equal(creds.headers['Authorization'], 'Bearer static');
      const insecure = await new Credentials(selectContext(parsed, 'i', 'data.yaml')).get();
      assert.equal(insecure.rejectUnauthorized, false);
      assert.equal(insecure.ca, undefined);
    });

    it('basic auth: username and password as an Authorization: Basic header; with a token as well it is refused, as kubectl does', async function () {
      const parsed = parseKubeconfig(
        yaml.dump(
          config({
            clusters: [['c', { server: 'https://x' }]],
            users: [
              ['basic', { username: 'admin', password: 'p@ss:word' }],
              ['both', { username: 'admin', password: 'x', token: 't' }],
            ],
            contexts: [
              ['basic', { cluster: 'c', user: 'basic' }],
              ['both', { cluster: 'c', user: 'both' }],
            ],
          }),
        ),
        join(work, 'basic.yaml'),
      );
      const creds = await new Credentials(selectContext(parsed, 'basic', 'basic.yaml')).get();
      assert.equal(creds.headers['Authorization'], `Basic ${Buffer.from('admin:p@ss:word').toString('base64')}`);
      throwsKubeconfig(() => selectContext(parsed, 'both', 'basic.yaml'), /has both a token and basic auth/);
    });

    it('missing files named by the kubeconfig fail when credentials are applied, naming the file', async function () {
      const parsed = parseKubeconfig(
        yaml.dump(config({ clusters: [['c', { server: 'https://x', 'certificate-authority': 'gone.crt' }]], contexts: [['x', { cluster: 'c' }]], current: 'x' })),
        join(work, 'm.yaml'),
      );
      await assert.rejects(new Credentials(selectContext(parsed, undefined, 'm.yaml')).get(), new RegExp(`cannot read certificate-authority ${join(work, 'gone.crt')}: ENOENT`));
    });
  });

  describe('exec credential plugins', function () {
    const execConfig = (exec: Json, clusterExtra: Json = {}): Json =>
      config({ clusters: [['c', { server: 'https://api.example:6443', ...clusterExtra }]], users: [['u', { exec }]], contexts: [['x', { cluster: 'c', user: 'u' }]], current: 'x' });

    it('runs the command with args, env and KUBERNETES_EXEC_INFO; uses status.token; caches it until expirationTimestamp', async function () {
      const calls = join(work, 'exec-calls');
      const seen = join(work, 'exec-seen');
      const expires = '2030-01-01T00:00:00Z';
      const plugin = script(
        `echo x >> ${calls}\nprintf '%s\\n%s\\n%s\\n' "$1 $2" "$PLUGIN_MODE" "$KUBERNETES_EXEC_INFO" > ${seen}\n` +
          `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token","expirationTimestamp":"${expires}"}}'`,
      );
      const file = write(
        'exec/config.yaml',
        execConfig(
          {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: plugin,
            args: ['get-token', '--cluster=c'],
            env: [{ name: 'PLUGIN_MODE', value: 'test' }],
            provideClusterInfo: true,
            interactiveMode: 'Never',
          },
          { 'certificate-authority-data': Buffer.from('CA').toString('base64'), extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'kreg' } }] },
        ),
      );
      let now = Date.parse('2029-12-31T23:00:00Z');
      const creds = new Credentials(loadKubeconfig({ kubeconfig: file, env: env() }), { env: env(), now: () => now });
      const [a, b] = await Promise.all([creds.get(), creds.get()]);
      assert.equal(a.headers['Authorization'], 'Bearer exec-token');
      assert.equal(b.headers['Authorization'], 'Bearer exec-token');
      assert.equal((await creds.get()).headers['Authorization'], 'Bearer exec-token');
      assert.equal(readFileSync(calls, 'utf8'), 'x\n', 'run once while the credential is valid');
      const [args, mode, info] = readFileSync(seen, 'utf8').split('\n');
      assert.equal(args, 'get-token --cluster=c');
      assert.equal(mode, 'test');
      assert.deepEqual(JSON.parse(info as string), {
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        spec: { interactive: false, cluster: { server: 'https://api.example:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64'), config: { audience: 'kreg' } } },
      });
      now = Date.parse(expires) + 1;
      await creds.get();
      assert.equal(readFileSync(calls, 'utf8'), 'x\nx\n', 'run again once expired');
    });

    it('v1beta1, a client certificate from the plugin, and no expiry means cached for the process', async function () {
      const calls = join(work, 'exec-calls-beta');
      const plugin = script(`echo x >> ${calls}\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'`);
      const file = write('exec/beta.yaml', execConfig({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin }));
      const creds = new Credentials(loadKubeconfig({ kubeconfig: file, env: env() }), { env: env() });
      const got = await creds.get();
      await creds.get();
      assert.equal(got.cert?.toString(), 'CERT');
      assert.equal(got.key?.toString(), 'KEY');
      assert.equal(got.headers['Authorization'], undefined);
      assert.equal(readFileSync(calls, 'utf8'), 'x\n');
    });

    it('failures: exit status with the last stderr line, a command not found with its installHint, a wrong apiVersion, no credential', async function () {
      const run = (exec: Json): Promise<unknown> => new Credentials(loadKubeconfig({ kubeconfig: write(`exec/f-${++n}.yaml`, execConfig(exec)), env: env() }), { env: env() }).get();
      const v1 = 'client.authentication.k8s.io/v1';
      await assert.rejects(run({ apiVersion: v1, command: script('echo "error: you must be logged in" >&2\nexit 3') }), /exited with 3: error: you must be logged in$/);
      await assert.rejects(run({ apiVersion: v1, command: 'kreg-no-such-plugin', installHint: 'install it with brew' }), /^Error: exec plugin kreg-no-such-plugin not found \(install it with brew\)$/);
      await assert.rejects(
        run({ apiVersion: v1, command: script(`echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}'`) }),
        /configured to use API version client\.authentication\.k8s\.io\/v1, but printed client\.authentication\.k8s\.io\/v1beta1/,
      );
      assert.throws(() => parseExecCredential('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}', v1), /neither a token nor a client certificate/);
      assert.throws(() => parseExecCredential('not json', v1), /no ExecCredential JSON/);
      throwsKubeconfig(
        () => loadKubeconfig({ kubeconfig: write('exec/alpha.yaml', execConfig({ apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' })), env: env() }),
        /exec apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported/,
      );
    });
  });

  describe('errors', function () {
    const parsed = (): ReturnType<typeof parseKubeconfig> =>
      parseKubeconfig(
        yaml.dump(
          config({
            clusters: [
              ['c', { server: 'https://x' }],
              ['noserver', {}],
            ],
            users: [['gcp', { 'auth-provider': { name: 'gcp', config: {} } }]],
            contexts: [
              ['nocluster', { cluster: 'gone', user: '' }],
              ['nouser', { cluster: 'c', user: 'gone' }],
              ['gcp', { cluster: 'c', user: 'gcp' }],
              ['noserver', { cluster: 'noserver' }],
            ],
          }),
        ),
        join(work, 'errors.yaml'),
      );

    it('no current-context, no such context, cluster or user, a cluster without server: KubeconfigError naming the file', function () {
      throwsKubeconfig(() => selectContext(parsed(), undefined, 'errors.yaml'), /^no current-context; name one with --context$/, 'errors.yaml');
      throwsKubeconfig(() => selectContext(parsed(), 'nope', 'errors.yaml'), /^no context named "nope"$/, 'errors.yaml');
      throwsKubeconfig(() => selectContext(parsed(), 'nocluster', 'errors.yaml'), /^no cluster named "gone"$/);
      throwsKubeconfig(() => selectContext(parsed(), 'nouser', 'errors.yaml'), /^no user named "gone"$/);
      throwsKubeconfig(() => selectContext(parsed(), 'noserver', 'errors.yaml'), /cluster "noserver" has no server/);
    });

    it('auth-provider is refused with a pointer to exec plugins', function () {
      throwsKubeconfig(() => selectContext(parsed(), 'gcp', 'errors.yaml'), /uses auth-provider "gcp", which kreg does not support .*use an exec credential plugin instead/);
    });

    it('merging keeps the first of each name', function () {
      const a = parseKubeconfig('clusters: [{name: c, cluster: {server: "https://a"}}]\ncurrent-context: ""\n', '/a');
      const b = parseKubeconfig('clusters: [{name: c, cluster: {server: "https://b"}}]\ncurrent-context: b\n', '/b');
      const merged = mergeKubeconfigs([a, b]);
      assert.equal(merged.clusters.get('c')?.server, 'https://a');
      assert.equal(merged.currentContext, 'b');
      assert.equal(parseKubeconfig('', '/empty').clusters.size, 0, 'an empty file is an empty config');
    });
  });

  it('ApiSource against the loopback server answering like kube-apiserver: tls-server-name, exec token; a failing plugin is one KubeconfigError', async function () {
    const api = await startFakeApiServer([{ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true }], 'exec-token');
    try {
      const good = script(`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'`);
      const bad = script('echo "token expired" >&2\nexit 1');
      // The certificate is for 127.0.0.1 and localhost; tls-server-name is the name it is checked against.
      const server = api.url;
      const file = write(
        'api/config.yaml',
        config({
          clusters: [
            ['c', { server, 'certificate-authority': api.caFile, 'tls-server-name': 'localhost' }],
            ['othername', { server, 'certificate-authority': api.caFile, 'tls-server-name': 'other.example' }],
          ],
          users: [
            ['good', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: good } }],
            ['bad', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: bad } }],
          ],
          contexts: [
            ['good', { cluster: 'c', user: 'good' }],
            ['bad', { cluster: 'c', user: 'bad' }],
            ['othername', { cluster: 'othername', user: 'good' }],
          ],
          current: 'good',
        }),
      );
      const source = ApiSource.open({ kubeconfig: file, env: env(), warn: () => {} });
      const list = await source.getJson('/api/v1');
      assert.equal(list.kind, 'APIResourceList');
      await assert.rejects(
        ApiSource.open({ kubeconfig: file, context: 'othername', env: env() }).getJson('/api/v1'),
        /cannot reach the API server: Hostname\/IP does not match certificate's altnames: Host: other\.example/,
      );
      const failing = ApiSource.open({ kubeconfig: file, context: 'bad', env: env() });
      for (let i = 0; i < 2; i++) {
        await assert.rejects(failing.getJson('/api/v1'), (err: unknown) => {
          assert.ok(err instanceof KubeconfigError);
          assert.equal(err.describe(), `${file}: cannot apply the credentials of context "bad": exec plugin ${bad} exited with 1: token expired`);
          return true;
        });
      }
    } finally {
      await api.close();
    }
  });
});
