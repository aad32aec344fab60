/**
 * etcd's RangeResponse decoded straight from its wire bytes into the very object etcd3's generic
 * decoder makes (proto-loader with keepCase, longs as strings, defaults): keys and values are views
 * into the received message (so recycleMessageBuffer still finds the page's buffer through them),
 * 64-bit integers are decimal strings, absent fields take their defaults. The generic decoder
 * (protobufjs's decode, then toObject with a Long and its toString per integer) cost 0.4 s of a
 * 5 s live `get -A -o ndjson` of 100,000 keys.
 *
 * Installed on the KV client's Range method (as grpc-js makes it, in 1.14), only once a probe
 * response decodes to the same object both ways; a response this decoder does not expect (a field
 * of another wire type, a group) goes to the generic decoder instead. The wire is read with the
 * codec's WireReader.
 */
import { Buffer } from 'node:buffer';
import { isDeepStrictEqual } from 'node:util';
import { WIRE_BYTES, WIRE_VARINT, WireReader } from '../codec/wire.js';

export interface DecodedKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

export interface DecodedResponseHeader {
  cluster_id: string;
  member_id: string;
  revision: string;
  raft_term: string;
}

export interface DecodedRangeResponse {
  header: DecodedResponseHeader | null;
  kvs: DecodedKeyValue[];
  more: boolean;
  count: string;
}

const EMPTY = Buffer.alloc(0);

/** Throws unless the field has the wire type its declared type is written with. */
function expect(reader: WireReader, wireType: number, wanted: number): void {
  if (wireType !== wanted) reader.fail(`wire type ${wireType}, expected ${wanted}`);
}

/** A signed 64-bit varint as decimal text, as Long's toString gives it. */
function signedText(reader: WireReader): string {
  return String(reader.int64());
}

/** An unsigned 64-bit varint as decimal text (int64() reads the top bit as a sign). */
function unsignedText(reader: WireReader): string {
  const value = reader.int64();
  return typeof value === 'number' && value >= 0 ? String(value) : BigInt.asUintN(64, BigInt(value)).toString();
}

/** Reads a length-delimited field's payload with `read`, the reader narrowed to it. */
function nested<T>(reader: WireReader, read: () => T): T {
  const end = reader.delimitedEnd();
  const outer = reader.end;
  reader.end = end;
  try {
    return read();
  } finally {
    reader.pos = end;
    reader.end = outer;
  }
}

/** etcdserverpb.RangeResponse: header 1, kvs 2, more 3, count 4. Throws DecodeError on what it does not expect. */
export function decodeRangeResponse(message: Buffer): DecodedRangeResponse {
  const reader = new WireReader(message);
  const response: DecodedRangeResponse = { kvs: [], header: null, more: false, count: '0' };
  while (!reader.done) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) {
      expect(reader, wireType, WIRE_BYTES);
      response.header = nested(reader, () => decodeHeader(reader));
    } else if (field === 2) {
      expect(reader, wireType, WIRE_BYTES);
      response.kvs.push(nested(reader, () => decodeKeyValue(reader, message)));
    } else if (field === 3) {
      expect(reader, wireType, WIRE_VARINT);
      response.more = reader.bool();
    } else if (field === 4) {
      expect(reader, wireType, WIRE_VARINT);
      response.count = signedText(reader);
    } else {
      reader.skip(wireType);
    }
  }
  return response;
}

/** etcdserverpb.ResponseHeader: cluster_id 1, member_id 2 (uint64), revision 3 (int64), raft_term 4 (uint64). */
function decodeHeader(reader: WireReader): DecodedResponseHeader {
  const header: DecodedResponseHeader = { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' };
  while (!reader.done) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field >= 1 && field <= 4) expect(reader, wireType, WIRE_VARINT);
    if (field === 1) header.cluster_id = unsignedText(reader);
    else if (field === 2) header.member_id = unsignedText(reader);
    else if (field === 3) header.revision = signedText(reader);
    else if (field === 4) header.raft_term = unsignedText(reader);
    else reader.skip(wireType);
  }
  return header;
}

/** mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, version 4 (int64), value 5, lease 6 (int64). */
function decodeKeyValue(reader: WireReader, message: Buffer): DecodedKeyValue {
  const kv: DecodedKeyValue = { key: EMPTY, create_revision: '0', mod_revision: '0', version: '0', value: EMPTY, lease: '0' };
  while (!reader.done) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 || field === 5) {
      expect(reader, wireType, WIRE_BYTES);
      const end = reader.delimitedEnd();
      // Views into the message (Buffer's subarray), as protobufjs gives them.
      const bytes = message.subarray(reader.pos, end);
      reader.pos = end;
      if (field === 1) kv.key = bytes;
      else kv.value = bytes;
    } else if (field >= 2 && field <= 6) {
      expect(reader, wireType, WIRE_VARINT);
      const text = signedText(reader);
      if (field === 2) kv.create_revision = text;
      else if (field === 3) kv.mod_revision = text;
      else if (field === 4) kv.version = text;
      else kv.lease = text;
    } else {
      reader.skip(wireType);
    }
  }
  return kv;
}

/** A unary method as grpc-js's makeClientConstructor puts it on a client's prototype: its attributes ride on the function. */
interface UnaryMethod {
  (...args: unknown[]): unknown;
  path?: unknown;
  requestSerialize?: unknown;
  responseSerialize?: unknown;
  responseDeserialize?: unknown;
  originalName?: unknown;
}

interface UnaryClient {
  makeUnaryRequest(path: string, serialize: unknown, deserialize: (bytes: Buffer) => unknown, ...rest: unknown[]): unknown;
}

const installed = new WeakSet<object>();

/**
 * Makes every client of `kvClient`'s class decode Range responses with decodeRangeResponse.
 * Returns whether it is now installed: false, changing nothing, when the class's Range method is
 * not shaped as assumed or the probe does not decode to the same object both ways.
 */
export function decodeRangeResponsesDirectly(kvClient: unknown): boolean {
  const prototype = typeof kvClient === 'object' && kvClient !== null ? (Object.getPrototypeOf(kvClient) as Record<string, unknown> | null) : null;
  if (prototype === null) return false;
  if (installed.has(prototype)) return true;
  const original = prototype['Range'] as UnaryMethod | undefined;
  if (typeof original !== 'function' || typeof original.path !== 'string' || typeof original.responseDeserialize !== 'function' || typeof original.responseSerialize !== 'function') return false;
  const generic = original.responseDeserialize as (bytes: Buffer) => unknown;
  if (!decodesAlike(original.responseSerialize as (value: unknown) => Buffer, generic)) return false;
  const path = original.path;
  const serialize = original.requestSerialize;
  const deserialize = (bytes: Buffer): unknown => {
    try {
      return decodeRangeResponse(bytes);
    } catch {
      return generic(bytes);
    }
  };
  const range = Object.assign(
    function (this: UnaryClient, ...rest: unknown[]): unknown {
      return this.makeUnaryRequest(path, serialize, deserialize, ...rest);
    },
    original,
    { responseDeserialize: deserialize },
  );
  prototype['Range'] = range;
  if (typeof original.originalName === 'string') prototype[original.originalName] = range;
  installed.add(prototype);
  return true;
}

/** Whether a response with every field, 64-bit extremes and an empty element decodes here as the generic decoder decodes it. */
function decodesAlike(serialize: (value: unknown) => Buffer, generic: (bytes: Buffer) => unknown): boolean {
  try {
    const probe = serialize({
      header: { cluster_id: '18446744073709551615', member_id: '2', revision: '9007199254740993', raft_term: '3' },
      kvs: [{ key: Buffer.from('/registry/a'), create_revision: '1', mod_revision: '-2', version: '3', value: Buffer.from([0, 1, 2]), lease: '7587867483933061222' }, {}],
      more: true,
      count: '4294967296',
    });
    return isDeepStrictEqual(decodeRangeResponse(probe), generic(probe)) && isDeepStrictEqual(decodeRangeResponse(EMPTY), generic(EMPTY));
  } catch {
    return false;
  }
}
