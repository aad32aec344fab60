/**
 * An object → the bytes kube-apiserver would store for it. A decoded value is written back in its
 * own format, with its unknown fields, so an unmodified one gives the stored bytes exactly; a plain
 * Kubernetes object of a built-in kind is written as protobuf, as kube-apiserver does by default.
 */
import { EncodeError } from '../errors.js';
import { encodeCbor, type CborDecoded } from './cbor.js';
import type { DecodedValue } from './decode-value.js';
import { writeEnvelope, ENVELOPE_PATH } from './envelope.js';
import { stringifyGoJson } from './go-json.js';
import { encodeProtobufMessage } from './json-to-protobuf.js';
import { isJsonObject, type JsonObject } from './json-value.js';
import type { Schema } from './schema.js';
import { utf8Encode } from './text.js';
import { compareBytes } from './utf8.js';

export function isDecodedValue(input: unknown): input is DecodedValue {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as DecodedValue).format === 'string' &&
    Array.isArray((input as DecodedValue).unknownFields) &&
    typeof (input as DecodedValue).storage === 'object'
  );
}

/** Options of encode(). */
export interface EncodeOptions {
  /** The type of an object that carries no apiVersion and kind of its own (WatchEvent and the like). */
  type?: { apiVersion: string; kind: string };
  /**
   * The Kubernetes release to write for, e.g. "1.19". Default: the release a DecodedValue was
   * decoded as, else the newest release kreg knows.
   */
  kubeVersion?: string;
}

export function encodeValue(schema: Schema, input: DecodedValue | JsonObject, options: EncodeOptions = {}): Uint8Array {
  if (isDecodedValue(input)) return encodeDecoded(schema, input);
  if (!isJsonObject(input)) throw new EncodeError('not-an-object', 'expected a Kubernetes object');
  return encodeObjectAsProtobuf(schema, input, undefined, options.type);
}

/** The type the object names, or the given one when it names none. */
function typeOf(object: JsonObject, fallback?: { apiVersion: string; kind: string }): { apiVersion: string; kind: string } {
  const { apiVersion, kind } = object;
  if ((apiVersion === undefined || apiVersion === '') && (kind === undefined || kind === '') && fallback !== undefined) return fallback;
  if (typeof apiVersion !== 'string' || apiVersion === '') throw new EncodeError('no-kind', 'the object has no apiVersion');
  if (typeof kind !== 'string' || kind === '') throw new EncodeError('no-kind', 'the object has no kind');
  return { apiVersion, kind };
}

function encodeObjectAsProtobuf(schema: Schema, object: JsonObject, decoded: DecodedValue | undefined, fallbackType?: { apiVersion: string; kind: string }): Uint8Array {
  const { apiVersion, kind } = typeOf(object, fallbackType ?? (decoded?.apiVersion !== undefined && decoded.kind !== undefined ? { apiVersion: decoded.apiVersion, kind: decoded.kind } : undefined));
  // The envelope carries the type the object itself names, which is none for kinds without TypeMeta.
  const stored = typeof object.kind === 'string' && object.kind !== '' ? { apiVersion, kind } : { apiVersion: '', kind: '' };
  const message = schema.kindMessage(apiVersion, kind);
  if (message === undefined) {
    throw new EncodeError('unknown-kind', `unknown kind ${kind} in ${apiVersion}: kreg encodes the built-in kinds of Kubernetes ${schema.bundle.header.kubernetesVersion}`);
  }
  const unknownFields = decoded?.unknownFields ?? [];
  const raw = encodeProtobufMessage(message, object, {
    unknownFields: unknownFields.filter((f) => f.path !== ENVELOPE_PATH),
    verbatim: decoded?.storage.verbatim ?? [],
    presence: decoded?.storage.presence ?? [],
    ignoreTopLevelKeys: ['apiVersion', 'kind'],
  });
  const options: Parameters<typeof writeEnvelope>[3] = { unknownFields: unknownFields.filter((f) => f.path === ENVELOPE_PATH) };
  if (decoded?.storage.contentEncoding !== undefined) options.contentEncoding = decoded.storage.contentEncoding;
  if (decoded?.storage.contentType !== undefined) options.contentType = decoded.storage.contentType;
  return writeEnvelope(stored.apiVersion, stored.kind, raw, options);
}

function encodeDecoded(schema: Schema, decoded: DecodedValue): Uint8Array {
  switch (decoded.format) {
    case 'protobuf': {
      if (decoded.knownKind) return encodeObjectAsProtobuf(schema, requireObject(decoded), decoded);
      // A kind this bundle does not know: its message bytes were kept whole.
      const object = requireObject(decoded);
      const { apiVersion, kind } = typeOf(object);
      const raw = decoded.storage.rawBytes;
      if (raw === undefined) throw new EncodeError('no-bytes', `cannot encode ${kind}: kreg has no schema for it and the decoded value kept no bytes`);
      const options: Parameters<typeof writeEnvelope>[3] = { unknownFields: decoded.unknownFields.filter((f) => f.path === ENVELOPE_PATH) };
      if (decoded.storage.contentEncoding !== undefined) options.contentEncoding = decoded.storage.contentEncoding;
      if (decoded.storage.contentType !== undefined) options.contentType = decoded.storage.contentType;
      return writeEnvelope(apiVersion, kind, raw, options);
    }
    case 'json': {
      const text = stringifyGoJson(requireObject(decoded), { keyOrder: 'insertion', trailingNewline: decoded.storage.jsonTrailingNewline ?? true });
      return utf8Encode(text);
    }
    case 'cbor': {
      const original = decoded.storage.cbor as CborDecoded | undefined;
      const bytes = encodeCbor(requireObject(decoded), { selfDescribe: original?.selfDescribed ?? true });
      // Bytes Kubernetes's encoder would not have written (another writer's CBOR) are given back
      // as stored while the object is unchanged: the canonical encodings of both then agree.
      const stored = decoded.storage.rawBytes;
      if (original !== undefined && !original.canonical && stored !== undefined) {
        const storedCanonical = encodeCbor(original.value, { selfDescribe: original.selfDescribed });
        if (compareBytes(storedCanonical, bytes) === 0) return stored;
      }
      return bytes;
    }
    case 'encrypted':
    case 'opaque': {
      // kreg cannot read these, so there is nothing to re-encode: the stored bytes are given back.
      const raw = decoded.storage.rawBytes;
      if (raw === undefined) throw new EncodeError('no-bytes', `cannot encode an ${decoded.format} value without its bytes`);
      return raw;
    }
  }
}

function requireObject(decoded: DecodedValue): JsonObject {
  if (decoded.object === undefined) throw new EncodeError('no-object', `the decoded ${decoded.format} value has no object`);
  return decoded.object;
}
