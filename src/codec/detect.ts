/**
 * What kind of value kube-apiserver wrote, told by its first bytes only: a value is never searched
 * for a magic in the middle, because protobuf payloads can contain any byte sequence.
 */
import { utf8Decode } from './text.js';

/** How a value is stored, told by its first bytes: `k8s\0` protobuf, `k8s:enc:` encrypted, `d9 d9 f7` CBOR, `{` JSON, anything else opaque. */
export type ValueFormat = 'protobuf' | 'json' | 'cbor' | 'encrypted' | 'opaque';

/** `k8s\0`: the protobuf envelope (runtime.Unknown). */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
/** `k8s:enc:`: encryption at rest. */
export const ENCRYPTED_PREFIX = Uint8Array.of(0x6b, 0x38, 0x73, 0x3a, 0x65, 0x6e, 0x63, 0x3a);
/** CBOR self-described tag 55799, which Kubernetes writes in front of every CBOR object. */
export const CBOR_SELF_DESCRIBED = Uint8Array.of(0xd9, 0xd9, 0xf7);

/** The first byte of a value stored as JSON (an object). */
export const JSON_OBJECT_START = 0x7b;

export function startsWith(bytes: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

export function detectFormat(bytes: Uint8Array): ValueFormat {
  if (startsWith(bytes, PROTOBUF_MAGIC)) return 'protobuf';
  if (startsWith(bytes, ENCRYPTED_PREFIX)) return 'encrypted';
  if (startsWith(bytes, CBOR_SELF_DESCRIBED)) return 'cbor';
  if (bytes[0] === JSON_OBJECT_START) return 'json';
  return 'opaque';
}

/** True for bytes that start like the protobuf magic but are not it: `k8s` followed by another byte. */
export function isWrongMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] !== 0x00 && bytes[3] !== 0x3a;
}

/**
 * etcdctl prints `get KEY` as "KEY\nVALUE\n" and `--print-value-only` as "VALUE\n". A storage value
 * never starts with "/", so a leading "/registry/...\n" line is the key.
 */
export function splitEtcdctlOutput(input: Uint8Array): { key?: string; value: Uint8Array } {
  if (input[0] !== 0x2f /* / */) return { value: input };
  const newline = input.indexOf(0x0a);
  if (newline < 0) return { value: input };
  return { key: utf8Decode(input, 0, newline), value: input.subarray(newline + 1) };
}
