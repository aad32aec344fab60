/**
 * TLS to an IP endpoint (kubeadm's etcd is always one): no DEP0123 warning from Node (an IP must
 * not be sent as SNI), while the certificate's IP SANs are still checked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { EtcdTlsError } from '../src/sources/etcd-errors.js';
import { createEtcdSource } from '../src/sources/etcd-source.js';
import { useEtcd } from './support/etcd.js';

const DIST_SOURCES = fileURLToPath(new URL('../src/sources/', import.meta.url));

/** Runs an ES module script in a fresh node (warnings are printed once per process, so each check needs its own). */
function runNode(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('EtcdSource over TLS to an IP endpoint', function () {
  this.timeout(60_000);
  const etcd = useEtcd({ tls: true });

  it('reads without Node warning DEP0123 (TLS ServerName set to an IP address)', async () => {
    const tls = etcd.server.tls;
    assert.ok(tls !== undefined);
    await etcd.server.etcdctl(['put', '/registry/namespaces/sni', 'ns']);
    const script = `
      const { resolveEtcdConnection } = await import(${JSON.stringify(`${DIST_SOURCES}etcd-connection.js`)});
      const { createEtcdSource } = await import(${JSON.stringify(`${DIST_SOURCES}etcd-source.js`)});
      const [endpoints, cacert, cert, key] = process.argv.slice(-4);
      const source = createEtcdSource(resolveEtcdConnection({ endpoints, cacert, cert, key }, {}));
      const entry = await source.get('/registry/namespaces/sni');
      process.stdout.write(Buffer.from(entry.value).toString());
      await source.close();
    `;
    const result = await runNode(script, [etcd.server.endpoint, tls.caFile, tls.certFile, tls.keyFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'ns');
    assert.doesNotMatch(result.stderr, /DEP0123/);
    assert.ok(etcd.server.endpoint.startsWith('https://127.0.0.1:'), 'the endpoint is an IP');

    // The check can see the warning: a plain TLS connection with an IP servername prints it.
    const port = new URL(etcd.server.endpoint).port;
    const control = `
      const tls = await import('node:tls');
      const socket = tls.connect({ host: '127.0.0.1', port: ${port}, servername: '127.0.0.1', rejectUnauthorized: false });
      socket.on('error', () => {});
      socket.on('secureConnect', () => socket.destroy());
      socket.on('close', () => process.exit(0));
    `;
    assert.match((await runNode(control, [])).stderr, /DEP0123/);
  });

  it("still checks the certificate's IP SANs: 127.0.0.2 is not in them", async () => {
    // 127.0.0.2 reaches the same etcd through a forwarder; its certificate names 127.0.0.1 only.
    const target = new URL(etcd.server.endpoint);
    const sockets = new Set<Socket>();
    const forwarder: Server = createServer((socket) => {
      const upstream = createConnection({ host: '127.0.0.1', port: Number(target.port) });
      for (const end of [socket, upstream]) {
        sockets.add(end);
        end.on('error', () => undefined);
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.2', resolve));
    const address = forwarder.address();
    assert.ok(typeof address === 'object' && address !== null);
    const tls = etcd.server.tls;
    assert.ok(tls !== undefined);
    const source = createEtcdSource(resolveEtcdConnection({ endpoints: `https://127.0.0.2:${address.port}`, cacert: tls.caFile, cert: tls.certFile, key: tls.keyFile, dialTimeout: '2s' }, {}));
    try {
      await assert.rejects(source.currentRevision(), (error: unknown) => {
        assert.ok(error instanceof EtcdTlsError, String(error));
        assert.match(error.message, /does not name this host|IP: 127\.0\.0\.2 is not in the cert/);
        return true;
      });
    } finally {
      await source.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => forwarder.close(() => resolve()));
    }
  });
});
