import yaml from 'js-yaml';
import type { CommandModule } from 'yargs';
import { decodeValue, type DecodedValue } from '../../codec/decode-value.js';
import type { ValueDecryptor } from '../../codec/decrypt.js';
import { builtinRegistry, DEFAULT_PREFIX, parseKey } from '../../keys/index.js';
import type { JsonObject } from '../../codec/json-value.js';
import { hexPreview, utf8DecodeStrict } from '../../codec/text.js';
import { splitEtcdctlOutput } from '../../codec/detect.js';
import { DecodeError, KregError, type ErrorSubject } from '../../errors.js';
import { loadSchema, NEWEST_RELEASE } from '../../schema-bundle.js';
import { notesFor } from '../describe-decoded.js';
import { parseEtcdctlOutput, type EtcdctlPair } from '../etcdctl-output.js';
import { warn, type CommandContext } from '../io.js';
import { readInput, STDIN_NAME } from '../input.js';
import { formatObject } from '../../format/object-text.js';
import { maskSecret } from '../../mask-secrets.js';
import { COMMANDS } from '../command-index.js';
import { decryptorFor } from '../open-store.js';
import { carriedStorageOf } from '../../codec/carried-storage.js';
import { carriedText, jsonWithCarried, yamlWithCarried } from '../carried-text.js';
import { withEncryptionOption, withKubeVersionOption, type EncryptionArgs, type KubeVersionArgs } from '../options.js';
import type { Schema } from '../../codec/schema.js';

interface DecodeArgs extends EncryptionArgs, KubeVersionArgs {
  'etcd-key': string | undefined;
  file: string | undefined;
  output: 'yaml' | 'json';
  'show-secrets': boolean;
}

/** One pair's outcome: the object with its notes (and its storage record, see carried-text.ts), or why it could not be decoded. */
type Decoded = { key?: string; object: JsonObject; notes: string[]; carried?: string };
type Outcome = Decoded | { key?: string; error: KregError };

export const decodeCommand = (ctx: CommandContext): CommandModule<object, DecodeArgs> => ({
  command: COMMANDS.decode.usage,
  describe: COMMANDS.decode.describe,
  builder: (y) =>
    withKubeVersionOption(withEncryptionOption(y))
      .option('etcd-key', { type: 'string', requiresArg: true, describe: 'the etcd key the value is stored under (aesgcm authenticates it; etcdctl output with keys names it already)' })
      .positional('file', { type: 'string', describe: 'file holding the value or etcdctl output; - or none for standard input' })
      .option('output', { alias: 'o', choices: ['yaml', 'json'] as const, default: 'yaml' as const, describe: 'output format (yaml: the bytes kubectl get -o yaml prints)' })
      .option('show-secrets', { type: 'boolean', default: false, describe: 'show Secret data instead of *** (needed to re-encode a Secret)' })
      .example('etcdctl get /registry/pods/default/web-0 --print-value-only | $0 decode', 'like auger decode')
      .example('etcdctl get /registry/configmaps/kube-system/kube-proxy | $0 decode -o json', 'the key line etcdctl prints is accepted too')
      .example('$0 decode --kube-version 1.19 pod.pb', 'as a 1.19 API server served it (its fields, kinds and JSON rules)')
      .example(
        'etcdctl get /registry/deployments/ --prefix -w json | $0 decode',
        'every pair, as a YAML stream (-o json: a List); -w json is exact, the plain listing is split by guessing where binary values end',
      ),
  handler: async (args) => {
    const { bytes, name } = await readInput(ctx.io, args.file);
    const where: ErrorSubject = name === STDIN_NAME ? {} : { file: name };
    const listing = parseEtcdctlOutput(bytes);
    const schema = loadSchema(args['kube-version']);
    const decryption: Decryption | undefined = await (async () => {
      const decryptor = await decryptorFor(args);
      return decryptor === undefined ? undefined : { decryptor, etcdKey: args['etcd-key'] };
    })();
    try {
      await decodeInput(ctx, args, { bytes, name, where, listing, schema, decryption });
    } finally {
      decryption?.decryptor.close();
    }
  },
});

/** What the handler read, for decodeInput. */
interface DecodeInput {
  bytes: Uint8Array;
  name: string;
  where: ErrorSubject;
  listing: ReturnType<typeof parseEtcdctlOutput>;
  schema: Schema;
  decryption: Decryption | undefined;
}

async function decodeInput(ctx: CommandContext, args: DecodeArgs, { bytes, name, where, listing, schema, decryption }: DecodeInput): Promise<void> {
  if (listing === undefined || (listing.pairs.length === 1 && listing.form === 'lines')) {
    // One value, perhaps with etcdctl's key line: any failure is the run's error.
    await prepare(decryption, splitEtcdctlOutput(bytes).value);
    const outcome = decodeOne(bytes, schema, name, args['show-secrets'], undefined, decryption);
    if ('error' in outcome) throw outcome.error.withSubject(where);
    writeOne(ctx, outcome, args.output);
    return;
  }
  if (listing.pairs.length === 0) throw new DecodeError('no-keys', `the etcdctl output holds no keys (etcdctl found nothing under that key or prefix)`, where);

  for (const pair of listing.pairs) await prepare(decryption, pair.value);
  const outcomes = listing.pairs.map((pair) => decodePair(pair, schema, args['show-secrets'], decryption));
  for (const o of outcomes) {
    if ('error' in o) {
      warn(ctx.io, o.error.withSubject(where).describe());
      ctx.exitCode = 1;
    }
  }
  if (args.output === 'json') {
    for (const o of outcomes) if ('notes' in o) for (const n of o.notes) warn(ctx.io, `${o.key ?? ''}: ${n}`);
    const items = outcomes.flatMap((o) => ('object' in o ? [o.object] : []));
    ctx.io.stdout.write(formatObject({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, 'json'));
    return;
  }
  // Pairs that failed stay in the stream as comment-only documents, so the listing is complete.
  ctx.io.stdout.write(outcomes.map((o) => yamlDocument(o)).join('---\n'));
}

/** KMS values: their plugin asked for the DEK, with and without the newline etcdctl ends a value with. */
async function prepare(decryption: Decryption | undefined, value: Uint8Array): Promise<void> {
  if (decryption === undefined) return;
  await decryption.decryptor.prepare(value);
  if (value[value.length - 1] === 0x0a) await decryption.decryptor.prepare(value.subarray(0, value.length - 1));
}

/** --encryption-config, and the key named by --etcd-key for a value given without one. */
interface Decryption {
  decryptor: ValueDecryptor;
  etcdKey: string | undefined;
}

function decodePair(pair: EtcdctlPair, schema: Schema, showSecrets: boolean, decryption: Decryption | undefined): Outcome {
  const outcome = decodeOne(pair.value, schema, undefined, showSecrets, pair.key, decryption);
  outcome.key = pair.key;
  if ('error' in outcome) outcome.error.withSubject({ key: pair.key });
  return outcome;
}

/** Decodes one value (or "KEY\nVALUE"); errors are returned, not thrown. Secret data is masked unless shown. */
function decodeOne(bytes: Uint8Array, schema: Schema, inputName: string | undefined, showSecrets: boolean, listedKey?: string, decryption?: Decryption): Outcome {
  let decoded: DecodedValue;
  let decryptedWith: string | undefined;
  try {
    decoded = decodeValue(schema, bytes, decodeOptionsOf(schema));
    if (decoded.format === 'encrypted' && decryption !== undefined) {
      const etcdKey = decoded.key ?? listedKey ?? decryption.etcdKey;
      const stored = decoded.storage.rawBytes ?? bytes;
      const resource = resourceOfKey(etcdKey);
      let decrypted: ReturnType<ValueDecryptor['decrypt']>;
      try {
        decrypted = decryption.decryptor.decrypt(stored, etcdKey, resource);
      } catch (err) {
        // etcdctl ends a value with a newline, which is not part of it.
        if (stored[stored.length - 1] !== 0x0a) throw err;
        decrypted = decryption.decryptor.decrypt(stored.subarray(0, stored.length - 1), etcdKey, resource);
      }
      decryptedWith = `decrypted with ${decrypted.provider} key "${decrypted.keyName}"`;
      const key = decoded.key;
      decoded = decodeValue(schema, decrypted.plaintext, decodeOptionsOf(schema));
      if (key !== undefined) decoded.key = key;
    }
  } catch (err) {
    if (err instanceof KregError) return { error: err };
    throw err;
  }
  const key = decoded.key;
  const withKey = <T extends object>(o: T): T & { key?: string } => (key === undefined ? o : { ...o, key });
  if (decoded.format === 'encrypted') {
    const e = decoded.encryption;
    const what = e === undefined ? 'with an unrecognised k8s:enc: prefix' : `by the ${e.provider} ${e.providerVersion} provider with key "${e.keyName}"`;
    return withKey({ error: new DecodeError('encrypted', `the value is encrypted at rest ${what} (${decoded.size} bytes); give --encryption-config to decrypt it`, key === undefined ? {} : { key }) });
  }
  if (decoded.format === 'opaque') {
    const hidden = !showSecrets && /\/secrets\//.test(key ?? listedKey ?? '');
    return withKey({ error: describeNonValue(decoded.storage.rawBytes ?? bytes, key === undefined ? inputName : undefined, key, hidden) });
  }
  const object = decoded.object ?? {};
  const notes = notesFor(decoded, schema.bundle.header.kubernetesVersion);
  const shown = showSecrets ? object : maskSecret(object);
  const outcome: Decoded = withKey({ object: shown, notes: decryptedWith === undefined ? notes : [decryptedWith, ...notes] });
  // A masked Secret cannot be encoded anyway, and its record could hold what the mask hides.
  const carried = shown === object ? carriedText(carriedStorageOf(decoded, shown)) : undefined;
  if (carried !== undefined) outcome.carried = carried;
  return outcome;
}

/** Values decoded with an older release's schema remember it, so that encoding uses the same. */
function decodeOptionsOf(schema: Schema): { kubeVersion?: string } {
  const release = schema.bundle.header.kubernetesVersion.replace(/^v/, '');
  return release === NEWEST_RELEASE ? {} : { kubeVersion: release };
}

/** The resource an etcd key stores (under the default prefix), which picks the configuration rule. */
function resourceOfKey(key: string | undefined): { group: string; resource: string } | undefined {
  if (key === undefined) return undefined;
  try {
    const parsed = parseKey(key, { prefix: DEFAULT_PREFIX, registry: builtinRegistry() });
    return parsed.type === 'object' ? { group: parsed.group, resource: parsed.resource } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Says what was given instead of a stored value. `inputName` is set for the whole input (standard
 * input or a file), so the message can name it; values from a listing are named by their key.
 */
function describeNonValue(value: Uint8Array, inputName: string | undefined, key: string | undefined, hideBytes: boolean): DecodeError {
  const subject: ErrorSubject = key === undefined ? {} : { key };
  const what = inputName === undefined ? 'the value' : inputName === STDIN_NAME ? 'standard input' : 'the file';
  const text = utf8DecodeStrict(value);
  if (text !== undefined && text.trim() === '') {
    const hint = inputName === STDIN_NAME ? ' (etcdctl prints nothing for a key that does not exist)' : '';
    return new DecodeError('empty', `${what} is empty${hint}`, subject);
  }
  if (text !== undefined && inputName !== undefined) {
    let parsed: unknown;
    try {
      parsed = yaml.load(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return new DecodeError('object-text', `${what} holds YAML/JSON text of an object, not a stored value: did you mean kreg encode?`, subject);
    }
  }
  if (hideBytes) return new DecodeError('not-a-value', `not a Kubernetes storage value (${value.length} bytes; not shown, being under the Secret prefix)`, subject);
  const shown = value.length > 16 ? `${hexPreview(value, 16).replace('…', '')}…` : hexPreview(value);
  return new DecodeError('not-a-value', `not a Kubernetes storage value (${value.length} bytes, starts ${shown})`, subject);
}

function writeOne(ctx: CommandContext, outcome: Decoded, format: 'yaml' | 'json'): void {
  if (format === 'yaml') {
    ctx.io.stdout.write(yamlDocument(outcome));
    return;
  }
  for (const n of outcome.notes) warn(ctx.io, n);
  ctx.io.stdout.write(`${jsonWithCarried(formatObject(outcome.object, 'json').replace(/\n$/, ''), 4, outcome.carried)}\n`);
}

/** The key as a comment, kreg's notes as comments, then the object (or why there is none). */
function yamlDocument(o: Outcome): string {
  const head = o.key === undefined ? '' : `# ${o.key}\n`;
  if ('error' in o) return `${head}# kreg: ${o.error.message}\n`;
  return head + o.notes.map((n) => `# kreg: ${n}\n`).join('') + yamlWithCarried(formatObject(o.object, 'yaml'), o.carried);
}
