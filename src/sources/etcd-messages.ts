/**
 * The etcd v3 messages kreg exchanges with etcd, on the wire: the requests it sends encoded, the
 * responses it reads decoded into plain objects shaped as etcd's generated clients shape them
 * (field names as in rpc.proto, 64-bit integers as decimal strings, enums by name, absent fields
 * at their defaults). Keys and values are views into the received message, so a page's buffer is
 * found (and recycled) through them. Only the fields kreg reads are decoded; the rest are skipped.
 *
 * Field numbers are etcd's (api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto), stable across
 * etcd 3.x. Pure: no I/O; the wire is read with the codec's WireReader and written with WireWriter.
 */
import { Buffer } from 'node:buffer';
import { WIRE_BYTES, WIRE_VARINT, WireReader, WireWriter } from '../codec/wire.js';
import type { Entry } from './source.js';

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

/** Reads a length-delimited field's payload with `read`, the reader (passed to it) narrowed to it. */
function nested<T>(reader: WireReader, read: (narrowed: WireReader) => T): T {
  const end = reader.delimitedEnd();
  const outer = reader.end;
  reader.end = end;
  try {
    return read(reader);
  } finally {
    reader.pos = end;
    reader.end = outer;
  }
}

/** etcdserverpb.RangeResponse: header 1, kvs 2, more 3, count 4. Throws DecodeError on what it does not expect. */
export function decodeRangeResponse(message: Buffer): DecodedRangeResponse {
  const kvs: DecodedKeyValue[] = [];
  const response = readRangeResponse(message, (reader) => kvs.push(decodeKeyValue(reader, message)));
  return { kvs, ...response };
}

/**
 * A RangeResponse's header, more and count; `keyValue` is called with the reader narrowed to each
 * KeyValue in turn, to read it.
 */
function readRangeResponse(message: Buffer, keyValue: (reader: WireReader) => void): Omit<DecodedRangeResponse, 'kvs'> {
  const reader = new WireReader(message);
  const response: Omit<DecodedRangeResponse, 'kvs'> = { header: null, more: false, count: '0' };
  while (!reader.done) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) {
      expect(reader, wireType, WIRE_BYTES);
      response.header = nested(reader, () => decodeHeader(reader));
    } else if (field === 2) {
      expect(reader, wireType, WIRE_BYTES);
      // `keyValue` itself, not a closure per key.
      nested(reader, keyValue);
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

/**
 * What an entry carries of its value: 'view' a view of the received message, 'copy' a copy,
 * 'size' only its size (sizesOnly), 'none' not even that (keysOnly: etcd sends no size).
 */
export type ValueRead = 'view' | 'copy' | 'size' | 'none';

/** A listing's page: a RangeResponse read straight into entries, with what the next page's range needs. */
export interface DecodedRangePage {
  header: DecodedResponseHeader | null;
  entries: Entry[];
  more: boolean;
  /** The first and last keys as bytes (views into the message). */
  firstKey: Uint8Array | undefined;
  lastKey: Uint8Array | undefined;
  /** Bytes of the page's keys and values. */
  bytes: number;
}

const NO_VALUE = new Uint8Array(0);

/**
 * A RangeResponse read as decodeRangeResponse reads it, each KeyValue made into an entry at once:
 * a listing reads keys by the hundred thousand, and a KeyValue object per key (two Buffer views,
 * four decimal strings) that was only turned into an entry cost more than reading it.
 */
export function decodeRangePage(message: Buffer, read: ValueRead): DecodedRangePage {
  const entries: Entry[] = [];
  let bytes = 0;
  let firstKey: Uint8Array | undefined;
  // Where the last key is; a view of it is made once, not per key.
  let lastKeyStart = 0;
  let lastKeyEnd = 0;
  const { header, more } = readRangeResponse(message, (reader) => {
    const kv = readKeyValue(reader);
    entries.push(entryOf(kv, message, read));
    firstKey ??= message.subarray(kv.keyStart, kv.keyEnd);
    lastKeyStart = kv.keyStart;
    lastKeyEnd = kv.keyEnd;
    bytes += kv.keyEnd - kv.keyStart + kv.valueEnd - kv.valueStart;
  });
  const lastKey = entries.length === 0 ? undefined : message.subarray(lastKeyStart, lastKeyEnd);
  return { header, entries, more, firstKey, lastKey, bytes };
}

/** A KeyValue read by readKeyValue, as an entry. */
function entryOf(kv: KeyValueFields, message: Buffer, read: ValueRead): Entry {
  const valueBytes = kv.valueEnd - kv.valueStart;
  // A plain Uint8Array, so callers never see Buffer's differing semantics.
  const view = read === 'view' || read === 'copy' ? new Uint8Array(message.buffer, message.byteOffset + kv.valueStart, valueBytes) : NO_VALUE;
  return {
    key: message.toString('utf8', kv.keyStart, kv.keyEnd),
    value: read === 'copy' ? view.slice() : view,
    valueSize: read === 'none' ? -1 : valueBytes,
    createRevision: Number(kv.createRevision),
    modRevision: Number(kv.modRevision),
    version: Number(kv.version),
    // A lease ID often needs all 64 bits: kept as decimal text.
    lease: kv.lease === 0 ? '0' : String(kv.lease),
  };
}

/** A KeyValue's fields as readKeyValue found them: where its key and value are (an absent one is empty, at 0), its integers as read. */
interface KeyValueFields {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
  createRevision: number | bigint;
  modRevision: number | bigint;
  version: number | bigint;
  lease: number | bigint;
}

/** Filled again by each readKeyValue: one per key would be garbage a listing makes by the hundred thousand. */
const keyValueFields: KeyValueFields = { keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0, createRevision: 0, modRevision: 0, version: 0, lease: 0 };

/** mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, version 4 (int64), value 5, lease 6 (int64); the last of a field repeated counts. */
function readKeyValue(reader: WireReader): KeyValueFields {
  const kv = keyValueFields;
  kv.keyStart = kv.keyEnd = kv.valueStart = kv.valueEnd = 0;
  kv.createRevision = kv.modRevision = kv.version = kv.lease = 0;
  while (!reader.done) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1 || field === 5) {
      expect(reader, wireType, WIRE_BYTES);
      const end = reader.delimitedEnd();
      if (field === 1) {
        kv.keyStart = reader.pos;
        kv.keyEnd = end;
      } else {
        kv.valueStart = reader.pos;
        kv.valueEnd = end;
      }
      reader.pos = end;
    } else if (field >= 2 && field <= 6) {
      expect(reader, wireType, WIRE_VARINT);
      const value = reader.int64();
      if (field === 2) kv.createRevision = value;
      else if (field === 3) kv.modRevision = value;
      else if (field === 4) kv.version = value;
      else kv.lease = value;
    } else reader.skip(wireType);
  }
  return kv;
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

/** mvccpb.KeyValue as etcd's generated clients give it: key and value views into the message (Buffer's subarray, as protobufjs gives them), integers as decimal text. */
function decodeKeyValue(reader: WireReader, message: Buffer): DecodedKeyValue {
  const kv = readKeyValue(reader);
  return {
    key: message.subarray(kv.keyStart, kv.keyEnd),
    create_revision: String(kv.createRevision),
    mod_revision: String(kv.modRevision),
    version: String(kv.version),
    value: message.subarray(kv.valueStart, kv.valueEnd),
    lease: String(kv.lease),
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

/** etcdserverpb.RangeRequest, the fields kreg sets. */
export interface RangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  limit?: number;
  revision?: number;
  sort_order?: 'None' | 'Ascend' | 'Descend';
  sort_target?: 'Key' | 'Version' | 'Create' | 'Mod' | 'Value';
  keys_only?: boolean;
  count_only?: boolean;
}

const SORT_ORDERS = ['None', 'Ascend', 'Descend'] as const;
const SORT_TARGETS = ['Key', 'Version', 'Create', 'Mod', 'Value'] as const;

/** RangeRequest: key 1, range_end 2, limit 3, revision 4, sort_order 5, sort_target 6, keys_only 8, count_only 9. Defaults are left out, as proto3 does. */
export function encodeRangeRequest(request: RangeRequest): Buffer {
  const writer = new WireWriter(64 + request.key.length + (request.range_end?.length ?? 0));
  putBytes(writer, 1, request.key);
  if (request.range_end !== undefined) putBytes(writer, 2, request.range_end);
  putVarint(writer, 3, request.limit ?? 0);
  putVarint(writer, 4, request.revision ?? 0);
  putVarint(writer, 5, SORT_ORDERS.indexOf(request.sort_order ?? 'None'));
  putVarint(writer, 6, SORT_TARGETS.indexOf(request.sort_target ?? 'Key'));
  putVarint(writer, 8, request.keys_only === true ? 1 : 0);
  putVarint(writer, 9, request.count_only === true ? 1 : 0);
  return finished(writer);
}

/** etcdserverpb.WatchCreateRequest, the fields kreg sets. */
export interface WatchCreateRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  start_revision?: number;
  prev_kv?: boolean;
  fragment?: boolean;
}

/** etcdserverpb.WatchRequest: one of create_request 1, cancel_request 2, progress_request 3. */
export type WatchRequest = { create_request: WatchCreateRequest } | { cancel_request: { watch_id: string } } | { progress_request: Record<string, never> };

/** WatchCreateRequest: key 1, range_end 2, start_revision 3, prev_kv 6, fragment 8; WatchCancelRequest: watch_id 1. */
export function encodeWatchRequest(request: WatchRequest): Buffer {
  const writer = new WireWriter(64);
  if ('create_request' in request) {
    const create = request.create_request;
    writer.tag(1, WIRE_BYTES);
    const mark = writer.beginDelimited();
    putBytes(writer, 1, create.key);
    if (create.range_end !== undefined) putBytes(writer, 2, create.range_end);
    putVarint(writer, 3, create.start_revision ?? 0);
    putVarint(writer, 6, create.prev_kv === true ? 1 : 0);
    putVarint(writer, 8, create.fragment === true ? 1 : 0);
    writer.finishDelimited(mark);
  } else if ('cancel_request' in request) {
    writer.tag(2, WIRE_BYTES);
    const mark = writer.beginDelimited();
    putVarint(writer, 1, BigInt(request.cancel_request.watch_id));
    writer.finishDelimited(mark);
  } else {
    // An empty message is still sent, so the oneof says which request this is.
    writer.tag(3, WIRE_BYTES);
    writer.uint32(0);
  }
  return finished(writer);
}

/** etcdserverpb.LeaseTimeToLiveRequest: ID 1, keys 2. */
export function encodeLeaseTimeToLiveRequest(request: { ID: string; keys?: boolean }): Buffer {
  const writer = new WireWriter(32);
  putVarint(writer, 1, BigInt(request.ID));
  putVarint(writer, 2, request.keys === true ? 1 : 0);
  return finished(writer);
}

/** etcdserverpb.AuthenticateRequest: name 1, password 2. */
export function encodeAuthenticateRequest(request: { name: string; password: string }): Buffer {
  const writer = new WireWriter(64);
  putBytes(writer, 1, Buffer.from(request.name, 'utf8'));
  putBytes(writer, 2, Buffer.from(request.password, 'utf8'));
  return finished(writer);
}

/** A request without fields (StatusRequest, LeaseLeasesRequest). */
export function encodeEmptyRequest(): Buffer {
  return Buffer.alloc(0);
}

function putBytes(writer: WireWriter, field: number, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  writer.tag(field, WIRE_BYTES);
  writer.bytes(bytes);
}

function putVarint(writer: WireWriter, field: number, value: number | bigint): void {
  if (value === 0 || value === 0n) return;
  writer.tag(field, WIRE_VARINT);
  writer.int64(value);
}

function finished(writer: WireWriter): Buffer {
  const bytes = writer.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------------------------------------
// Other responses

/** mvccpb.Event. */
export interface DecodedEvent {
  type: 'Put' | 'Delete';
  kv: DecodedKeyValue;
  prev_kv: DecodedKeyValue | null;
}

/** etcdserverpb.WatchResponse. */
export interface DecodedWatchResponse {
  header: DecodedResponseHeader | null;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  fragment: boolean;
  events: DecodedEvent[];
}

/** WatchResponse: header 1, watch_id 2, created 3, canceled 4, compact_revision 5, cancel_reason 6, fragment 7, events 11. */
export function decodeWatchResponse(message: Buffer): DecodedWatchResponse {
  const reader = new WireReader(message);
  const response: DecodedWatchResponse = { header: null, watch_id: '0', created: false, canceled: false, compact_revision: '0', cancel_reason: '', fragment: false, events: [] };
  readFields(reader, (field, wireType) => {
    if (field === 1) response.header = headerField(reader, wireType);
    else if (field === 2) response.watch_id = signedText(varintField(reader, wireType));
    else if (field === 3) response.created = varintField(reader, wireType).bool();
    else if (field === 4) response.canceled = varintField(reader, wireType).bool();
    else if (field === 5) response.compact_revision = signedText(varintField(reader, wireType));
    else if (field === 6) response.cancel_reason = stringField(reader, wireType, message);
    else if (field === 7) response.fragment = varintField(reader, wireType).bool();
    else if (field === 11) response.events.push(messageField(reader, wireType, () => decodeEvent(reader, message)));
    else return false;
    return true;
  });
  return response;
}

/** mvccpb.Event: type 1 (PUT 0, DELETE 1), kv 2, prev_kv 3. */
function decodeEvent(reader: WireReader, message: Buffer): DecodedEvent {
  const event: DecodedEvent = { type: 'Put', kv: emptyKeyValue(), prev_kv: null };
  readFields(reader, (field, wireType) => {
    if (field === 1) {
      const type = varintField(reader, wireType).int32();
      if (type !== 0 && type !== 1) reader.fail(`event type ${type}, expected PUT (0) or DELETE (1)`);
      event.type = type === 0 ? 'Put' : 'Delete';
    } else if (field === 2) {
      event.kv = messageField(reader, wireType, () => decodeKeyValue(reader, message));
    } else if (field === 3) {
      event.prev_kv = messageField(reader, wireType, () => decodeKeyValue(reader, message));
    } else {
      return false;
    }
    return true;
  });
  return event;
}

/** A response kreg reads only the header of (StatusResponse: header 1). */
export function decodeHeaderOnly(message: Buffer): { header: DecodedResponseHeader | null } {
  const reader = new WireReader(message);
  const response: { header: DecodedResponseHeader | null } = { header: null };
  readFields(reader, (field, wireType) => {
    if (field !== 1) return false;
    response.header = headerField(reader, wireType);
    return true;
  });
  return response;
}

/** LeaseLeasesResponse: header 1, leases 2 (LeaseStatus: ID 1). */
export function decodeLeaseLeasesResponse(message: Buffer): { header: DecodedResponseHeader | null; leases: { ID: string }[] } {
  const reader = new WireReader(message);
  const response: { header: DecodedResponseHeader | null; leases: { ID: string }[] } = { header: null, leases: [] };
  readFields(reader, (field, wireType) => {
    if (field === 1) response.header = headerField(reader, wireType);
    else if (field === 2) {
      const lease = { ID: '0' };
      messageField(reader, wireType, () =>
        readFields(reader, (inner, innerType) => {
          if (inner !== 1) return false;
          lease.ID = signedText(varintField(reader, innerType));
          return true;
        }),
      );
      response.leases.push(lease);
    } else return false;
    return true;
  });
  return response;
}

/** LeaseTimeToLiveResponse: header 1, ID 2, TTL 3, grantedTTL 4 (keys 5 not read). */
export function decodeLeaseTimeToLiveResponse(message: Buffer): { header: DecodedResponseHeader | null; ID: string; TTL: string; grantedTTL: string } {
  const reader = new WireReader(message);
  const response = { header: null as DecodedResponseHeader | null, ID: '0', TTL: '0', grantedTTL: '0' };
  readFields(reader, (field, wireType) => {
    if (field === 1) response.header = headerField(reader, wireType);
    else if (field === 2) response.ID = signedText(varintField(reader, wireType));
    else if (field === 3) response.TTL = signedText(varintField(reader, wireType));
    else if (field === 4) response.grantedTTL = signedText(varintField(reader, wireType));
    else return false;
    return true;
  });
  return response;
}

/** AuthenticateResponse: header 1, token 2. */
export function decodeAuthenticateResponse(message: Buffer): { header: DecodedResponseHeader | null; token: string } {
  const reader = new WireReader(message);
  const response = { header: null as DecodedResponseHeader | null, token: '' };
  readFields(reader, (field, wireType) => {
    if (field === 1) response.header = headerField(reader, wireType);
    else if (field === 2) response.token = stringField(reader, wireType, message);
    else return false;
    return true;
  });
  return response;
}

/**
 * Reads a message's fields up to the reader's end: `read` takes the fields it knows (checking
 * their wire type) and answers false for the others, which are skipped.
 */
function readFields(reader: WireReader, read: (field: number, wireType: number) => boolean): void {
  while (!reader.done) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    if (!read(tag >>> 3, wireType)) reader.skip(wireType);
  }
}

/** The reader at a varint field's value, once its wire type is checked. */
function varintField(reader: WireReader, wireType: number): WireReader {
  expect(reader, wireType, WIRE_VARINT);
  return reader;
}

/** A nested message field, read by `read` with the reader narrowed to it. */
function messageField<T>(reader: WireReader, wireType: number, read: () => T): T {
  expect(reader, wireType, WIRE_BYTES);
  return nested(reader, read);
}

function headerField(reader: WireReader, wireType: number): DecodedResponseHeader {
  return messageField(reader, wireType, () => decodeHeader(reader));
}

function stringField(reader: WireReader, wireType: number, message: Buffer): string {
  expect(reader, wireType, WIRE_BYTES);
  const end = reader.delimitedEnd();
  const text = message.toString('utf8', reader.pos, end);
  reader.pos = end;
  return text;
}

function emptyKeyValue(): DecodedKeyValue {
  return { key: EMPTY, create_revision: '0', mod_revision: '0', version: '0', value: EMPTY, lease: '0' };
}
