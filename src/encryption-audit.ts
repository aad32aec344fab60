/**
 * What `kreg audit encryption` counts: per resource, how many objects are stored under each
 * provider and key name, and how many in plaintext; against an EncryptionConfiguration, what
 * kube-apiserver would not have written today: plaintext objects of a resource the config
 * encrypts, objects under a key that is not the rule's write key, encrypted objects of a resource
 * the config has no rule for. Only the first bytes of each value are looked at; nothing is
 * decrypted, so no key is needed beyond the configuration's key names.
 */
import { parseEncryptionPrefix } from './codec/encryption.js';
import { ruleFor, ruleTransformers, writeTransformer, type EncryptionConfig, type PrefixTransformer } from './codec/encryption-config.js';
import { ENCRYPTED_PREFIX, startsWith } from './codec/detect.js';
import { parseKmsV2EncryptedObject } from './codec/kms-v2.js';
import { utf8Encode } from './codec/text.js';

/** How one value is stored: "plaintext", or the provider and key name of its prefix. */
export interface StorageState {
  provider: string;
  keyName: string;
  /** KMS v2: the keyID of the KEK that encrypted the value's DEK (read from its EncryptedObject). */
  kmsKeyID?: string;
}

const PLAINTEXT: StorageState = { provider: 'plaintext', keyName: '' };

/** One row: objects of a resource stored one way. */
export interface AuditRow {
  resource: string;
  provider: string;
  keyName: string;
  /** KMS v2 rows: the KEK's keyID. */
  kmsKeyID?: string;
  count: number;
}

/** Something kube-apiserver would not have written with the configuration as it is now. */
export interface AuditFinding {
  resource: string;
  provider: string;
  keyName: string;
  count: number;
  problem: 'plaintext' | 'not-write-key' | 'no-rule' | 'unknown-key' | 'stale-kms-key-id';
  message: string;
}

function describe(t: PrefixTransformer): string {
  return t.provider === 'identity' ? 'identity (plaintext)' : `${t.provider} key "${t.keyName}"`;
}

/** Counts values by resource and storage state. */
export class EncryptionAudit {
  private readonly counts = new Map<string, Map<string, { state: StorageState; count: number }>>();
  private readonly prefixes = new Map<string, Uint8Array>();

  constructor(private readonly config: EncryptionConfig | undefined) {}

  /** The storage state of a value of the resource (`group` "" for core), key names resolved with the config. */
  stateOf(value: Uint8Array, group: string, resource: string): StorageState {
    if (!startsWith(value, ENCRYPTED_PREFIX)) return PLAINTEXT;
    if (this.config !== undefined) {
      const rule = ruleFor(this.config, group, resource);
      const candidates = rule === undefined ? this.config.rules.flatMap(ruleTransformers) : ruleTransformers(rule);
      const match = candidates.find((t) => t.prefix !== '' && startsWith(value, this.prefix(t.prefix)));
      if (match !== undefined) {
        const state = { provider: match.provider === 'kms' ? `kms ${match.kmsVersion ?? ''}` : match.provider, keyName: match.keyName };
        return withKmsKeyID(state, value, match.prefix.length);
      }
    }
    const info = parseEncryptionPrefix(value);
    if (info === undefined) return { provider: 'unknown', keyName: '' };
    return withKmsKeyID({ provider: info.provider === 'kms' ? `kms ${info.providerVersion}` : info.provider, keyName: info.keyName }, value, info.payloadOffset);
  }

  add(value: Uint8Array, group: string, resource: string): void {
    const name = group === '' ? resource : `${resource}.${group}`;
    const state = this.stateOf(value, group, resource);
    let byState = this.counts.get(name);
    if (byState === undefined) {
      byState = new Map();
      this.counts.set(name, byState);
    }
    const id = `${state.provider}\u0000${state.keyName}\u0000${state.kmsKeyID ?? ''}`;
    const row = byState.get(id) ?? { state, count: 0 };
    row.count++;
    byState.set(id, row);
  }

  /** Rows sorted by resource, then provider and key name. */
  rows(): AuditRow[] {
    const rows: AuditRow[] = [];
    for (const [resource, byState] of this.counts) for (const { state, count } of byState.values()) rows.push({ resource, ...state, count });
    const key = (r: AuditRow): string => `${r.resource}\u0000${r.provider}\u0000${r.keyName}\u0000${r.kmsKeyID ?? ''}`;
    return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** The KMS v2 provider names whose values were counted (their plugins' Status tells the current keyID). */
  kmsV2Providers(): string[] {
    return [...new Set(this.rows().flatMap((r) => (r.provider === 'kms v2' && r.kmsKeyID !== undefined ? [r.keyName] : [])))];
  }

  /**
   * What does not match the configuration (none without one), and KMS v2 values whose keyID is not
   * their plugin's current one (`currentKeyIDs`: plugin name → keyID from its Status).
   */
  findings(currentKeyIDs: ReadonlyMap<string, string> = new Map()): AuditFinding[] {
    if (this.config === undefined) return [];
    const stale = this.rows().flatMap((row): AuditFinding[] => {
      const current = currentKeyIDs.get(row.keyName);
      if (row.provider !== 'kms v2' || row.kmsKeyID === undefined || current === undefined || current === row.kmsKeyID) return [];
      return [
        {
          resource: row.resource,
          provider: row.provider,
          keyName: row.keyName,
          count: row.count,
          problem: 'stale-kms-key-id',
          message: `${row.count} ${row.resource} under kms v2 provider "${row.keyName}" with keyID "${row.kmsKeyID}", not the plugin's current keyID "${current}": rewrite them to rotate`,
        },
      ];
    });
    return [...this.configFindings(this.config), ...stale];
  }

  private configFindings(config: EncryptionConfig): AuditFinding[] {
    return this.rows().flatMap((row): AuditFinding[] => {
      const dot = row.resource.indexOf('.');
      const group = dot < 0 ? '' : row.resource.slice(dot + 1);
      const resource = dot < 0 ? row.resource : row.resource.slice(0, dot);
      const rule = ruleFor(config, group, resource);
      const write = rule === undefined ? undefined : writeTransformer(rule);
      const finding = (problem: AuditFinding['problem'], message: string): AuditFinding[] => [
        { resource: row.resource, provider: row.provider, keyName: row.keyName, count: row.count, problem, message },
      ];
      const what = `${row.count} ${row.resource}`;
      if (row.provider === 'plaintext') {
        return write === undefined || write.provider === 'identity' ? [] : finding('plaintext', `${what} stored in plaintext; the config encrypts them with ${describe(write)}`);
      }
      if (rule === undefined) {
        return finding('no-rule', `${what} encrypted with ${row.provider} key "${row.keyName}", but the config has no rule for ${row.resource}: kube-apiserver cannot read them`);
      }
      if (write !== undefined && sameKey(write, row)) return [];
      if (!ruleTransformers(rule).some((t) => sameKey(t, row))) {
        return finding('unknown-key', `${what} encrypted with ${row.provider} key "${row.keyName}", which the config's rule does not have: kube-apiserver cannot read them`);
      }
      return write === undefined || write.provider === 'identity'
        ? finding('not-write-key', `${what} under ${row.provider} key "${row.keyName}", not the write provider ${describe(write as PrefixTransformer)}`)
        : finding('not-write-key', `${what} under ${row.provider} key "${row.keyName}", not the current write key (${describe(write)}): rewrite them to rotate`);
    });
  }

  private prefix(text: string): Uint8Array {
    let bytes = this.prefixes.get(text);
    if (bytes === undefined) {
      bytes = utf8Encode(text);
      this.prefixes.set(text, bytes);
    }
    return bytes;
  }
}

/** A KMS v2 value's state with the keyID of its EncryptedObject (a damaged one: without). */
function withKmsKeyID(state: StorageState, value: Uint8Array, payloadOffset: number): StorageState {
  if (state.provider !== 'kms v2') return state;
  try {
    const keyID = parseKmsV2EncryptedObject(value.subarray(payloadOffset)).keyID;
    return keyID === '' ? state : { ...state, kmsKeyID: keyID };
  } catch {
    return state;
  }
}

/** Whether a value counted under this provider and key name is the transformer's (KMS rows say "kms v1"/"kms v2"). */
function sameKey(transformer: PrefixTransformer, row: { provider: string; keyName: string }): boolean {
  return (transformer.provider === row.provider || `kms ${transformer.kmsVersion ?? ''}` === row.provider) && transformer.keyName === row.keyName;
}
