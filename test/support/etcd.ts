/**
 * A real etcd for tests: no mocks, so TLS, auth, paging and compaction behave exactly as they do
 * against a cluster. Each server gets its own loopback ports and temp dir and never outlives the
 * test run (killed on exit, and by a watchdog if the runner itself is killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BINARY = process.env['KREG_TEST_ETCD'] ?? '/usr/bin/etcd';
export const ETCDCTL_BINARY = process.env['KREG_TEST_ETCDCTL'] ?? '/usr/bin/etcdctl';
const OPENSSL_BINARY = '/usr/bin/openssl';
const HEALTHY_WITHIN_MS = 20_000;

export interface EtcdTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface EtcdStartOptions {
  /** Serve https only, with a test CA, and require client certificates. */
  tls?: boolean;
  /** Enable auth with user root, plus a limited user (see EtcdServer.auth.reader). */
  auth?: boolean;
  /** --quota-backend-bytes for etcd; unset keeps etcd's default (2 GiB). */
  quotaBackendBytes?: number;
  /** --auth-token-ttl: seconds an unused auth token lives; unset keeps etcd's default (300). */
  authTokenTtlSeconds?: number;
  /** Where the server's temp dir is made (e.g. a disk with room for a large db); the OS temp dir by default. */
  parentDir?: string;
}

export interface EtcdServer {
  /** e.g. https://127.0.0.1:PORT */
  endpoint: string;
  dataDir: string;
  /** The etcd process id (the new one after restart()), e.g. to read its /proc figures. */
  readonly pid: number | undefined;
  /** Client certificate, key and the CA that signed both (present with { tls: true }). */
  tls?: EtcdTlsFiles;
  /** The root user (present with { auth: true }). */
  auth?: {
    user: string;
    password: string;
    /** A user whose role may only read keys under `prefix`, for permission-denied tests. */
    reader: { user: string; password: string; prefix: string };
  };
  /** Runs etcdctl against this server (endpoint, certs and root user filled in, ETCDCTL_API=3); resolves to stdout. */
  etcdctl(args: string[], input?: Uint8Array): Promise<Buffer>;
  /** Kills etcd and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills the etcd process abruptly (SIGKILL) but keeps its port and data dir, to simulate a dropped connection. */
  crash(): Promise<void>;
  /** Starts etcd again on the same port and data dir after crash(), and waits until it is healthy. */
  restart(): Promise<void>;
}

/** Loopback ports in use by servers of this run, so two servers never race for the same one. */
const portsTaken = new Set<number>();
/** Everything to tear down if the test run ends without calling stop(). */
const liveServers = new Set<{ process: ChildProcess | undefined; watchdog: ChildProcess | undefined; dir: string }>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (): void => {
    for (const server of liveServers) {
      server.process?.kill('SIGKILL');
      server.watchdog?.kill('SIGKILL');
      rmSync(server.dir, { recursive: true, force: true });
    }
    liveServers.clear();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Clean up; when nobody else handles the signal, re-raise it so it still ends the process.
    process.once(signal, () => {
      killAll();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export async function startEtcd(options: EtcdStartOptions = {}): Promise<EtcdServer> {
  if (!existsSync(ETCD_BINARY) || !existsSync(ETCDCTL_BINARY)) {
    throw new Error(`etcd test server: ${ETCD_BINARY} or ${ETCDCTL_BINARY} not found; run \`apt-get install -y etcd-server etcd-client\``);
  }
  installExitHooks();
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'kreg-etcd-'));
  const tracked = { process: undefined as ChildProcess | undefined, watchdog: undefined as ChildProcess | undefined, dir };
  liveServers.add(tracked);
  try {
    return await setUpServer(options, tracked);
  } catch (error) {
    await tearDown(tracked);
    throw error;
  }
}

async function setUpServer(options: EtcdStartOptions, tracked: { process: ChildProcess | undefined; watchdog: ChildProcess | undefined; dir: string }): Promise<EtcdServer> {
  const dir = tracked.dir;
  const dataDir = join(dir, 'data');
  const tls = options.tls === true ? await createTestCertificates(dir) : undefined;
  const scheme = tls === undefined ? 'http' : 'https';
  let endpoint = '';
  let etcdArgs: string[] = [];
  const choosePorts = async (): Promise<void> => {
    endpoint = `${scheme}://127.0.0.1:${await freeLoopbackPort()}`;
    const peerUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    etcdArgs = [
      '--name=kreg-test',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=kreg-test=${peerUrl}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-outputs=stderr',
      '--log-level=error',
    ];
    if (options.quotaBackendBytes !== undefined) etcdArgs.push(`--quota-backend-bytes=${options.quotaBackendBytes}`);
    if (options.authTokenTtlSeconds !== undefined) etcdArgs.push(`--auth-token-ttl=${options.authTokenTtlSeconds}`);
    if (tls !== undefined) {
      etcdArgs.push(`--cert-file=${join(dir, 'server.crt')}`, `--key-file=${join(dir, 'server.key')}`, `--trusted-ca-file=${tls.caFile}`, '--client-cert-auth');
    }
  };
  await choosePorts();

  let auth: EtcdServer['auth'];
  let stopped = false;

  const etcdctl = (args: string[], input?: Uint8Array): Promise<Buffer> => {
    const globalArgs = [`--endpoints=${endpoint}`, '--dial-timeout=2s', '--command-timeout=10s'];
    if (tls !== undefined) {
      globalArgs.push(`--cacert=${tls.caFile}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`);
    }
    if (auth !== undefined) globalArgs.push(`--user=${auth.user}:${auth.password}`);
    return runTool(ETCDCTL_BINARY, [...globalArgs, ...args], input, etcdctlEnvironment());
  };

  const launch = async (): Promise<void> => {
    const child = spawn(ETCD_BINARY, etcdArgs, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    tracked.process = child;
    tracked.watchdog = startWatchdog(child, dir);
    // Neither child may keep the test runner alive; the exit hooks and the watchdog clean up.
    child.unref();
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(`etcd exited (code ${code}, signal ${signal}): ${stderrTail.trim()}`));
      child.once('error', (error) => resolve(`etcd could not start: ${error.message}`));
    });
    await waitUntilHealthy(etcdctl, exited, endpoint);
  };

  const killProcess = async (): Promise<void> => {
    const child = tracked.process;
    tracked.watchdog?.kill('SIGKILL');
    tracked.watchdog = undefined;
    tracked.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref(); // an unref'd child would let Node exit while we wait for it
    child.kill('SIGKILL');
    await exited;
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      // Another process may grab a port between our probe and etcd's bind: try fresh ports.
      if (attempt >= 3 || !(error instanceof Error) || !/address already in use/.test(error.message)) throw error;
      await killProcess();
      await rm(dataDir, { recursive: true, force: true });
      await choosePorts();
    }
  }

  if (options.auth === true) {
    auth = await enableAuth(etcdctl);
  }

  const server: EtcdServer = {
    endpoint,
    dataDir,
    get pid() {
      return tracked.process?.pid;
    },
    etcdctl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await tearDown(tracked);
    },
    async crash() {
      await killProcess();
    },
    async restart() {
      if (stopped) throw new Error(`etcd test server ${endpoint} was stopped; it cannot be restarted`);
      await killProcess();
      await launch();
    },
  };
  if (tls !== undefined) server.tls = tls;
  if (auth !== undefined) server.auth = auth;
  return server;
}

async function tearDown(tracked: { process: ChildProcess | undefined; watchdog: ChildProcess | undefined; dir: string }): Promise<void> {
  const child = tracked.process;
  tracked.watchdog?.kill('SIGKILL');
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref(); // an unref'd child would let Node exit while we wait for it
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  liveServers.delete(tracked);
  await rm(tracked.dir, { recursive: true, force: true });
}

/**
 * A shell that waits for our end of its stdin pipe to close, which happens when this Node process
 * dies in any way (even SIGKILL, where no exit hook runs), and then kills etcd and removes the dir.
 */
function startWatchdog(etcdProcess: ChildProcess, dir: string): ChildProcess | undefined {
  if (etcdProcess.pid === undefined) return undefined;
  // `read` is a shell builtin, so killing the shell on a normal stop leaves no helper process behind.
  const script = 'read -r _; kill -9 "$1" 2>/dev/null; sleep 0.5; rm -rf "$2"';
  const watchdog = spawn('/bin/sh', ['-c', script, 'etcd-watchdog', String(etcdProcess.pid), dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

async function waitUntilHealthy(etcdctl: (args: string[]) => Promise<Buffer>, exited: Promise<string>, endpoint: string): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  let lastProblem = '';
  while (Date.now() < deadline) {
    if (exitReason !== undefined) throw new Error(`etcd test server ${endpoint}: ${exitReason}`);
    try {
      // `endpoint health` also counts permission denied as healthy, so it works before and after auth.
      await etcdctl(['endpoint', 'health', '--command-timeout=1s']);
      return;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`etcd test server ${endpoint} not healthy within ${HEALTHY_WITHIN_MS} ms: ${lastProblem}`);
}

async function enableAuth(etcdctl: (args: string[]) => Promise<Buffer>): Promise<NonNullable<EtcdServer['auth']>> {
  const rootPassword = 'root-secret';
  const reader = { user: 'reader', password: 'reader-secret', prefix: '/registry/readable/' };
  await etcdctl(['user', 'add', 'root', `--new-user-password=${rootPassword}`]);
  await etcdctl(['role', 'add', 'root']).catch(() => undefined); // some versions create it implicitly
  await etcdctl(['user', 'grant-role', 'root', 'root']);
  await etcdctl(['role', 'add', 'prefix-reader']);
  await etcdctl(['role', 'grant-permission', 'prefix-reader', 'read', reader.prefix, '--prefix=true']);
  await etcdctl(['user', 'add', reader.user, `--new-user-password=${reader.password}`]);
  await etcdctl(['user', 'grant-role', reader.user, 'prefix-reader']);
  await etcdctl(['auth', 'enable']);
  return { user: 'root', password: rootPassword, reader };
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
async function createTestCertificates(dir: string): Promise<EtcdTlsFiles> {
  const ca = await createCertificateAuthority(dir, 'ca');
  await issueCertificate(dir, ca, 'server', 'kreg-test-server', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth,clientAuth']);
  await issueCertificate(dir, ca, 'client', 'kreg-test-client', ['extendedKeyUsage=clientAuth']);
  return { caFile: ca.certFile, certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') };
}

/** A self-signed CA in `dir` (NAME.crt, NAME.key); exported so tests can make an unrelated CA. */
export function createCertificateAuthority(dir: string, name: string): Promise<{ certFile: string; keyFile: string }> {
  return createSelfSignedCertificate(dir, name, `kreg test ${name}`, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A self-signed certificate and its key in `dir` (NAME.crt, NAME.key), with these X.509 extensions. */
export async function createSelfSignedCertificate(dir: string, name: string, commonName: string, extensions: string[]): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  // EC keys: generating RSA keys would add seconds per test server.
  await runTool(OPENSSL_BINARY, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
  return { certFile, keyFile };
}

async function issueCertificate(dir: string, ca: { certFile: string; keyFile: string }, name: string, commonName: string, extensions: string[]): Promise<void> {
  const keyFile = join(dir, `${name}.key`);
  const requestFile = join(dir, `${name}.csr`);
  const extensionsFile = join(dir, `${name}.ext`);
  await writeFile(extensionsFile, extensions.join('\n') + '\n');
  await runTool(OPENSSL_BINARY, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', requestFile, '-subj', `/CN=${commonName}`]);
  await runTool(OPENSSL_BINARY, [
    'x509',
    '-req',
    '-in',
    requestFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    join(dir, `${name}.crt`),
    '-days',
    '2',
    '-extfile',
    extensionsFile,
  ]);
}

/** The environment without ETCDCTL_* variables, which would clash with the flags we pass. */
function etcdctlEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('ETCDCTL_')) environment[name] = value;
  }
  environment['ETCDCTL_API'] = '3';
  return environment;
}

function runTool(binary: string, args: string[], input?: Uint8Array, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => reject(new Error(`${binary} could not run: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout));
      } else {
        const output = Buffer.concat(stderr).toString('utf8').trim() || Buffer.concat(stdout).toString('utf8').trim();
        reject(new Error(`${binary} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${output}`));
      }
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading its input
    child.stdin.end(input === undefined ? undefined : Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  });
}

/** A loopback port nothing listens on now; the OS picks it, we only remember it for this run. */
async function freeLoopbackPort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        probe.close(() => resolve(chosen));
      });
    });
    if (port !== 0 && !portsTaken.has(port)) {
      portsTaken.add(port);
      return port;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Mocha helper: starts etcd in `before`, stops it in `after`. Read `.server` inside tests.
 *
 *   const etcd = useEtcd({ tls: true });
 *   it('…', async () => { etcd.server.endpoint … });
 */
export function useEtcd(options: EtcdStartOptions = {}): { readonly server: EtcdServer } {
  let current: EtcdServer | undefined;
  before(async function () {
    // npm run test:unit: the pure and in-process tests alone, in seconds.
    if (process.env['KREG_TEST_UNIT_ONLY'] === '1') this.skip();
    this.timeout(HEALTHY_WITHIN_MS + 10_000);
    current = await startEtcd(options);
  });
  after(async function () {
    this.timeout(10_000);
    await current?.stop();
    current = undefined;
  });
  return {
    get server(): EtcdServer {
      if (current === undefined) throw new Error('useEtcd: the etcd server is only available inside tests and hooks');
      return current;
    },
  };
}
