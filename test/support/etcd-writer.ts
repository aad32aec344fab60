/**
 * An etcd3 client for tests and scripts that write what kreg then reads: kreg itself only reads
 * (src/sources/etcd-client.ts), and etcd3 (a development dependency) does the puts, leases and
 * transactions. Built from the same resolved settings, TLS files and user included.
 */
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdConnectionSettings } from '../../src/sources/etcd-connection.js';

export function createEtcdWriter(settings: EtcdConnectionSettings): Etcd3 {
  const options: IOptions = { hosts: settings.endpoints };
  if (settings.auth !== undefined) options.auth = { username: settings.auth.user, password: settings.auth.password };
  const tls = settings.tls;
  if (tls !== undefined) {
    options.credentials = {
      rootCertificate: tls.caFile === undefined ? Buffer.alloc(0) : readFileSync(tls.caFile),
      ...(tls.keyFile === undefined ? {} : { privateKey: readFileSync(tls.keyFile) }),
      ...(tls.certFile === undefined ? {} : { certChain: readFileSync(tls.certFile) }),
    };
  }
  return new Etcd3(options);
}
