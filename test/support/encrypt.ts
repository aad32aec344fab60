/**
 * Values encrypted as kube-apiserver writes them (prefix + its transformer's layout), for tests:
 * AES with node:crypto, secretbox with @noble/ciphers.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';

export function encryptAt(provider: 'aescbc' | 'aesgcm' | 'secretbox', keyName: string, secret: Uint8Array, plaintext: Uint8Array, etcdKey: string): Uint8Array {
  const prefix = Buffer.from(`k8s:enc:${provider}:v1:${keyName}:`);
  switch (provider) {
    case 'aescbc': {
      const iv = randomBytes(16);
      const cipher = createCipheriv(`aes-${secret.length * 8}-cbc`, secret, iv);
      return new Uint8Array(Buffer.concat([prefix, iv, cipher.update(plaintext), cipher.final()]));
    }
    case 'aesgcm': {
      const nonce = randomBytes(12);
      const cipher = createCipheriv(`aes-${secret.length * 8}-gcm` as 'aes-256-gcm', secret, nonce);
      cipher.setAAD(Buffer.from(etcdKey));
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return new Uint8Array(Buffer.concat([prefix, nonce, sealed, cipher.getAuthTag()]));
    }
    case 'secretbox': {
      const nonce = new Uint8Array(randomBytes(24));
      return new Uint8Array(Buffer.concat([prefix, nonce, xsalsa20poly1305(secret, nonce).encrypt(plaintext)]));
    }
  }
}

/** An EncryptionConfiguration document in YAML. */
export function encryptionConfigYaml(
  rules: {
    resources: string[];
    providers: (
      | { type: 'aescbc' | 'aesgcm' | 'secretbox'; keys: { name: string; secret: Uint8Array }[] }
      | { type: 'identity' }
      | { type: 'kms'; name: string; apiVersion: 'v1' | 'v2'; endpoint?: string }
    )[];
  }[],
): string {
  let out = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n';
  for (const rule of rules) {
    out += `  - resources:\n${rule.resources.map((r) => `      - ${JSON.stringify(r)}\n`).join('')}    providers:\n`;
    for (const p of rule.providers) {
      if (p.type === 'identity') out += '      - identity: {}\n';
      else if (p.type === 'kms')
        out += `      - kms:\n          apiVersion: ${p.apiVersion}\n          name: ${JSON.stringify(p.name)}\n${p.endpoint === undefined ? '' : `          endpoint: ${JSON.stringify(p.endpoint)}\n`}`;
      else
        out += `      - ${p.type}:\n          keys:\n${p.keys.map((k) => `            - name: ${JSON.stringify(k.name)}\n              secret: ${Buffer.from(k.secret).toString('base64')}\n`).join('')}`;
    }
  }
  return out;
}
