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
 * of another wire type, a group) goes to the generic decoder instead.
 */
import { Buffer } from 'node:buffer';
import { isDeepStrictEqual } from 'node:util';

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

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;
const EMPTY = Buffer.alloc(0);

/** A reader over one message's bytes; throws on anything it does not expect (the caller falls back). */
class WireCursor {
  at: number;

  constructor(
    readonly bytes: Buffer,
    from: number,
    readonly end: number,
  ) {
    this.at = from;
  }

  /** A varint that fits a number exactly (lengths, tags, booleans). */
  smallVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new RangeError('varint too long');
  }

  /** A 64-bit varint as decimal text, as Long's toString gives it (signed for int64, unsigned for uint64). */
  decimal(signed: boolean): string {
    let value = 0;
    // Up to 49 bits as a number, exact; beyond, a BigInt (lease and cluster IDs use all 64).
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return String(value);
    }
    let big = BigInt(value);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      const byte = this.byte();
      big |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return (signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big)).toString();
    }
    throw new RangeError('varint too long');
  }

  /** The next length-delimited field's bounds. */
  span(): { from: number; to: number } {
    const length = this.smallVarint();
    const from = this.at;
    const to = from + length;
    if (to > this.end) throw new RangeError('field runs past its message');
    this.at = to;
    return { from, to };
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.smallVarintOrLong();
    else if (wireType === BYTES) this.span();
    else if (wireType === FIXED64) this.advance(8);
    else if (wireType === FIXED32) this.advance(4);
    else throw new RangeError(`wire type ${wireType}`);
  }

  private smallVarintOrLong(): void {
    for (let count = 0; count < 10; count++) if (this.byte() < 0x80) return;
    throw new RangeError('varint too long');
  }

  private advance(bytes: number): void {
    if (this.at + bytes > this.end) throw new RangeError('field runs past its message');
    this.at += bytes;
  }

  private byte(): number {
    if (this.at >= this.end) throw new RangeError('message ends inside a varint');
    return this.bytes[this.at++] as number;
  }
}

/** Throws unless the field has the wire type its declared type is written with. */
function expect(wireType: number, wanted: number): void {
  if (wireType !== wanted) throw new RangeError(`wire type ${wireType}, expected ${wanted}`);
}

/** etcdserverpb.RangeResponse: header 1, kvs 2, more 3, count 4. */
export function decodeRangeResponse(message: Buffer): DecodedRangeResponse {
  const cursor = new WireCursor(message, 0, message.length);
  const response: DecodedRangeResponse = { kvs: [], header: null, more: false, count: '0' };
  while (cursor.at < cursor.end) {
    const tag = cursor.smallVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1) {
      expect(wireType, BYTES);
      const { from, to } = cursor.span();
      response.header = decodeHeader(new WireCursor(message, from, to));
    } else if (field === 2) {
      expect(wireType, BYTES);
      const { from, to } = cursor.span();
      response.kvs.push(decodeKeyValue(new WireCursor(message, from, to)));
    } else if (field === 3) {
      expect(wireType, VARINT);
      response.more = cursor.smallVarint() !== 0;
    } else if (field === 4) {
      expect(wireType, VARINT);
      response.count = cursor.decimal(true);
    } else {
      cursor.skip(wireType);
    }
  }
  return response;
}

/** etcdserverpb.ResponseHeader: cluster_id 1, member_id 2 (uint64), revision 3 (int64), raft_term 4 (uint64). */
function decodeHeader(cursor: WireCursor): DecodedResponseHeader {
  const header: DecodedResponseHeader = { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' };
  while (cursor.at < cursor.end) {
    const tag = cursor.smallVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field >= 1 && field <= 4) expect(wireType, VARINT);
    if (field === 1) header.cluster_id = cursor.decimal(false);
    else if (field === 2) header.member_id = cursor.decimal(false);
    else if (field === 3) header.revision = cursor.decimal(true);
    else if (field === 4) header.raft_term = cursor.decimal(false);
    else cursor.skip(wireType);
  }
  return header;
}

/** mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, version 4 (int64), value 5, lease 6 (int64). */
function decodeKeyValue(cursor: WireCursor): DecodedKeyValue {
  const kv: DecodedKeyValue = { key: EMPTY, create_revision: '0', mod_revision: '0', version: '0', value: EMPTY, lease: '0' };
  const bytes = cursor.bytes;
  while (cursor.at < cursor.end) {
    const tag = cursor.smallVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 || field === 5) {
      expect(wireType, BYTES);
      const { from, to } = cursor.span();
      if (field === 1) kv.key = bytes.subarray(from, to);
      else kv.value = bytes.subarray(from, to);
    } else if (field >= 2 && field <= 6) {
      expect(wireType, VARINT);
      const text = cursor.decimal(true);
      if (field === 2) kv.create_revision = text;
      else if (field === 3) kv.mod_revision = text;
      else if (field === 4) kv.version = text;
      else kv.lease = text;
    } else {
      cursor.skip(wireType);
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
