/**
 * kube-apiserver's EncryptionConfiguration (`apiserver.config.k8s.io/v1`, and the legacy `v1`
 * `EncryptionConfig`), read as kube-apiserver reads it, and the choice of the transformers that
 * may read a value. Pure: the document is already parsed (YAML or JSON) by the caller.
 *
 * Key secrets are held as bytes and never put in a message: errors name the rule, provider and
 * key name only.
 */
import { UsageError } from '../errors.js';
import { base64Decode } from './text.js';

/** A provider that holds keys: each key is one transformer with its own prefix. */
export interface KeyedProvider {
  type: 'aescbc' | 'aesgcm' | 'secretbox';
  keys: { name: string; secret: Uint8Array }[];
}

/** One provider of a rule, in the order configured (the first one writes). */
export type EncryptionProvider = KeyedProvider | { type: 'identity' } | { type: 'kms'; name: string; apiVersion: 'v1' | 'v2'; endpoint?: string };

/** One `resources[]` element: the resources it covers and its providers. */
export interface EncryptionRule {
  /** As written: `secrets`, `deployments.apps`, `*.apps`, `*.` (core group), `*.*`. */
  resources: string[];
  providers: EncryptionProvider[];
}

/** A parsed encryption configuration; plain data (it is sent to worker threads as it is). */
export interface EncryptionConfig {
  rules: EncryptionRule[];
}

/** A transformer kube-apiserver builds from a provider key: the value prefix it reads. */
export interface PrefixTransformer {
  /** `k8s:enc:aescbc:v1:key1:`; empty for identity, which reads any unencrypted value. */
  prefix: string;
  provider: EncryptionProvider['type'];
  /** The key name (aescbc, aesgcm, secretbox) or the KMS provider name. */
  keyName: string;
  secret?: Uint8Array;
  kmsVersion?: 'v1' | 'v2';
  /** KMS: the plugin's gRPC endpoint as configured (`unix:///path`). */
  kmsEndpoint?: string;
}

const KEY_SIZES: Record<KeyedProvider['type'], number[]> = { aescbc: [16, 24, 32], aesgcm: [16, 24, 32], secretbox: [32] };

function bad(message: string): UsageError {
  return new UsageError('bad-encryption-config', `encryption config: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The configuration in a parsed document, checked as kube-apiserver checks it: each provider
 * element names exactly one provider, keys have a name and a base64 secret of a valid size.
 *
 * @throws UsageError (code "bad-encryption-config") saying what is wrong, never a secret.
 */
export function parseEncryptionConfig(document: unknown): EncryptionConfig {
  if (!isRecord(document)) throw bad('not an object');
  const { apiVersion, kind } = document;
  const known = (apiVersion === 'apiserver.config.k8s.io/v1' && kind === 'EncryptionConfiguration') || (apiVersion === 'v1' && kind === 'EncryptionConfig');
  if (!known) throw bad(`expected kind EncryptionConfiguration (apiserver.config.k8s.io/v1), got ${String(kind)} (${String(apiVersion)})`);
  const resources = document.resources;
  if (!Array.isArray(resources)) throw bad('resources: a list is required');
  return {
    rules: resources.map((rule, i): EncryptionRule => {
      const at = `resources[${i}]`;
      if (!isRecord(rule)) throw bad(`${at}: not an object`);
      if (!Array.isArray(rule.resources) || rule.resources.length === 0 || !rule.resources.every((r) => typeof r === 'string' && r !== '')) {
        throw bad(`${at}.resources: a list of resource names is required`);
      }
      if (!Array.isArray(rule.providers) || rule.providers.length === 0) throw bad(`${at}.providers: a list of providers is required`);
      return { resources: rule.resources as string[], providers: rule.providers.map((p, j) => parseProvider(p, `${at}.providers[${j}]`)) };
    }),
  };
}

function parseProvider(element: unknown, at: string): EncryptionProvider {
  if (!isRecord(element)) throw bad(`${at}: not an object`);
  const types = Object.keys(element).filter((k) => element[k] !== undefined && element[k] !== null);
  if (types.length !== 1) throw bad(`${at}: exactly one provider per element (found ${types.length === 0 ? 'none' : types.join(', ')})`);
  const type = types[0] as string;
  const body = element[type];
  switch (type) {
    case 'identity':
      return { type: 'identity' };
    case 'aescbc':
    case 'aesgcm':
    case 'secretbox': {
      const keys = isRecord(body) ? body.keys : undefined;
      if (!Array.isArray(keys) || keys.length === 0) throw bad(`${at}.${type}.keys: at least one key is required`);
      return {
        type,
        keys: keys.map((key, k) => {
          const where = `${at}.${type}.keys[${k}]`;
          if (!isRecord(key) || typeof key.name !== 'string' || key.name === '') throw bad(`${where}.name: required`);
          if (typeof key.secret !== 'string' || key.secret === '') throw bad(`${where} (key "${key.name}").secret: required`);
          const secret = base64Decode(key.secret.trim());
          if (secret === undefined) throw bad(`${where} (key "${key.name}").secret: not valid base64`);
          if (!KEY_SIZES[type].includes(secret.length)) {
            throw bad(`${where} (key "${key.name}").secret: ${secret.length} bytes; ${type} takes ${KEY_SIZES[type].join(', ')}`);
          }
          return { name: key.name, secret };
        }),
      };
    }
    case 'kms': {
      if (!isRecord(body) || typeof body.name !== 'string' || body.name === '') throw bad(`${at}.kms.name: required`);
      const apiVersion = body.apiVersion ?? 'v1';
      if (apiVersion !== 'v1' && apiVersion !== 'v2') throw bad(`${at}.kms.apiVersion: v1 or v2, not ${String(apiVersion)}`);
      if (body.endpoint !== undefined && typeof body.endpoint !== 'string') throw bad(`${at}.kms.endpoint: a unix:///path`);
      return body.endpoint === undefined ? { type: 'kms', name: body.name, apiVersion } : { type: 'kms', name: body.name, apiVersion, endpoint: body.endpoint };
    }
    default:
      throw bad(`${at}: unknown provider "${type}" (aescbc, aesgcm, secretbox, identity, kms)`);
  }
}

/** What ParseGroupResource makes of a configured name: `deployments.apps` → apps/deployments. */
function groupResource(name: string): { group: string; resource: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { group: '', resource: name } : { group: name.slice(dot + 1), resource: name.slice(0, dot) };
}

/**
 * The rule kube-apiserver applies to a resource: an exact entry, else `*.<group>`, else `*.*`; the
 * first rule that names it wins. Undefined when none does (kube-apiserver then stores plaintext).
 */
export function ruleFor(config: EncryptionConfig, group: string, resource: string): EncryptionRule | undefined {
  const find = (g: string, r: string): EncryptionRule | undefined =>
    config.rules.find((rule) =>
      rule.resources.some((name) => {
        const gr = groupResource(name);
        return gr.group === g && gr.resource === r;
      }),
    );
  return find(group, resource) ?? find(group, '*') ?? find('*', '*');
}

/** The transformers of a rule, in the order kube-apiserver tries their prefixes. */
export function ruleTransformers(rule: EncryptionRule): PrefixTransformer[] {
  return rule.providers.flatMap((p): PrefixTransformer[] => {
    switch (p.type) {
      case 'identity':
        return [{ prefix: '', provider: 'identity', keyName: '' }];
      case 'kms':
        return [{ prefix: `k8s:enc:kms:${p.apiVersion}:${p.name}:`, provider: 'kms', keyName: p.name, kmsVersion: p.apiVersion, ...(p.endpoint === undefined ? {} : { kmsEndpoint: p.endpoint }) }];
      default:
        return p.keys.map((k) => ({ prefix: `k8s:enc:${p.type}:v1:${k.name}:`, provider: p.type, keyName: k.name, secret: k.secret }));
    }
  });
}

/** The provider and key name a rule writes new values with (its first provider, first key). */
export function writeTransformer(rule: EncryptionRule): PrefixTransformer | undefined {
  return ruleTransformers(rule)[0];
}
