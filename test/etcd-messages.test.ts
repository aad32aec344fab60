/**
 * etcd's messages as kreg encodes and decodes them (etcd-messages.ts), against the generic
 * protobufjs codec that proto-loader builds from etcd's own rpc.proto (as shipped with etcd3, a
 * development dependency), with the options etcd's generated JavaScript clients use: on
 * responses of a real etcd and on made-up ones.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { credentials, Client } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { DecodeError } from '../src/errors.js';
import {
  decodeAuthenticateResponse,
  decodeHeaderOnly,
  decodeLeaseLeasesResponse,
  decodeLeaseTimeToLiveResponse,
  decodeRangePage,
  decodeRangeResponse,
  decodeWatchResponse,
  encodeAuthenticateRequest,
  encodeLeaseTimeToLiveRequest,
  encodeRangeRequest,
  encodeWatchRequest,
  type ValueRead,
} from '../src/sources/etcd-messages.js';
import { useEtcd } from './support/etcd.js';

type Method = MethodDefinition<unknown, unknown>;
const protoFile = createRequire(import.meta.url).resolve('etcd3/proto/rpc.proto');
const definition = loadSync(protoFile, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
/** The generic codec of one etcd method, e.g. method('KV', 'Range'). */
function method(service: string, name: string): Method {
  const found = (definition[`etcdserverpb.${service}`] as Record<string, Method> | undefined)?.[name];
  assert.ok(found !== undefined, `${service}.${name} in rpc.proto`);
  return found;
}
const range = method('KV', 'Range');

const VALUE_READS: ValueRead[] = ['view', 'copy', 'size', 'none'];

/**
 * A listing's page read by decodeRangePage, checked against decodeRangeResponse's KeyValues made
 * into entries (as EtcdSource made them before it read pages straight into entries).
 */
function assertPageAgrees(bytes: Buffer, what: string): void {
  const response = decodeRangeResponse(bytes);
  for (const read of VALUE_READS) {
    const page = decodeRangePage(bytes, read);
    const expected = response.kvs.map((kv) => ({
      key: kv.key.toString('utf8'),
      value: read === 'view' || read === 'copy' ? new Uint8Array(kv.value) : new Uint8Array(0),
      valueSize: read === 'none' ? -1 : kv.value.length,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
      lease: kv.lease,
    }));
    assert.deepStrictEqual(page.entries, expected, `${what}, ${read}`);
    assert.deepStrictEqual(page.header, response.header, `${what}, ${read}: header`);
    assert.equal(page.more, response.more, `${what}, ${read}: more`);
    const keys = response.kvs.map((kv) => kv.key);
    assert.deepStrictEqual(page.firstKey, keys[0], `${what}, ${read}: first key`);
    assert.deepStrictEqual(page.lastKey, keys[keys.length - 1], `${what}, ${read}: last key`);
    assert.equal(
      page.bytes,
      response.kvs.reduce((sum, kv) => sum + kv.key.length + kv.value.length, 0),
      `${what}, ${read}: bytes`,
    );
    // Lent values and the keys are views into the message (its buffer is recycled through them); copies are not.
    if (page.firstKey !== undefined) assert.equal(page.firstKey.buffer, bytes.buffer);
    for (const entry of page.entries) {
      assert.equal(Object.getPrototypeOf(entry.value), Uint8Array.prototype, 'a plain Uint8Array');
      if (entry.value.length > 0) assert.equal(entry.value.buffer === bytes.buffer, read === 'view', `${what}, ${read}: shares the message`);
    }
  }
}

describe('etcd RangeResponse decoded from its wire bytes', () => {
  const etcd = useEtcd();

  it('gives what etcd3 generic decoder gives for real responses (keys, values, leases, revisions, more and count), and a listing page its entries alike', async function () {
    this.timeout(60_000);
    // Lease IDs use all 64 bits (past a double's 2^53): read the hex etcdctl prints, not its JSON.
    const granted = /lease ([0-9a-f]+) granted/.exec((await etcd.server.etcdctl(['lease', 'grant', '600'])).toString())?.[1];
    assert.ok(granted !== undefined);
    await etcd.server.etcdctl(['put', '/registry/pods/default/leased', 'v', `--lease=${granted}`]);
    await etcd.server.etcdctl(['put', '/registry/configmaps/default/empty', '']);
    for (let i = 0; i < 30; i++) await etcd.server.etcdctl(['put', `/registry/secrets/default/s${i}`], Buffer.from(randomBytes(100 + i * 997).toString('base64')));
    await etcd.server.etcdctl(['put', '/registry/secrets/default/s3'], Buffer.from('rewritten'));
    const client = new Client(etcd.server.endpoint.replace('http://', ''), credentials.createInsecure());
    try {
      const generic = range.responseDeserialize;
      const raw = (request: unknown): Promise<Buffer> =>
        new Promise((resolve, reject) =>
          client.makeUnaryRequest(
            range.path,
            range.requestSerialize,
            (bytes: Buffer) => bytes,
            request,
            (error, value) => (error === null ? resolve(value as Buffer) : reject(error)),
          ),
        );
      const requests = [
        { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0') },
        { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), limit: 7 },
        { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), keys_only: true },
        { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), count_only: true },
        { key: Buffer.from('/registry/none') },
      ];
      for (const request of requests) {
        const bytes = await raw(request);
        const ours = decodeRangeResponse(bytes);
        assert.deepStrictEqual(ours, generic(bytes), JSON.stringify(request));
        assertPageAgrees(bytes, JSON.stringify(request));
        // Keys and values are views into the message, as protobufjs's are (the page buffer is recycled through them).
        for (const kv of ours.kvs) assert.equal(kv.key.buffer, bytes.buffer);
      }
      const all = decodeRangeResponse(await raw(requests[0]));
      assert.equal(all.kvs.length, 32);
      assert.equal(all.kvs.find((kv) => kv.key.toString() === '/registry/pods/default/leased')?.lease, BigInt(`0x${granted}`).toString());
      assert.equal(decodeRangeResponse(await raw(requests[1])).more, true);
    } finally {
      client.close();
    }
  });

  it('refuses a field of another wire type than etcd writes it with', () => {
    // kvs (field 2) sent as a varint.
    assert.throws(() => decodeRangeResponse(Buffer.from([0x10, 0x05, 0x18, 0x01])), DecodeError);
    assert.throws(() => decodeRangePage(Buffer.from([0x10, 0x05, 0x18, 0x01]), 'copy'), DecodeError);
    // A KeyValue's key (field 1) sent as a varint.
    assert.throws(() => decodeRangePage(Buffer.from([0x12, 0x02, 0x08, 0x05]), 'view'), DecodeError);
    assert.throws(() => decodeWatchResponse(Buffer.from([0x5a, 0x02, 0x08, 0x07])), DecodeError); // an event of type 7
  });

  it('agrees with the generic decoder on made-up responses (64-bit extremes, negative numbers, empty and unknown fields), and so do listing pages', () => {
    {
      const service = { Range: range };
      const numbers = ['0', '1', '127', '128', '16383', '16384', '9007199254740991', '9007199254740993', '-1', '-9223372036854775808', '9223372036854775807', '562949953421311', '562949953421312'];
      const unsigned = ['0', '1', '18446744073709551615', '9223372036854775808', '9007199254740993', '562949953421312'];
      let seed = 7;
      const pick = <T>(values: readonly T[]): T => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return values[seed % values.length] as T;
      };
      for (let round = 0; round < 300; round++) {
        const kvs = Array.from({ length: round % 5 }, (_, i) => ({
          key: Buffer.from(`/registry/k${round}-${i}`),
          create_revision: pick(numbers),
          mod_revision: pick(numbers),
          version: pick(numbers),
          value: randomBytes(round % 3 === 0 ? 0 : 1 + ((round * 37) % 300)),
          lease: pick(numbers),
        }));
        const header = round % 4 === 0 ? undefined : { cluster_id: pick(unsigned), member_id: pick(unsigned), revision: pick(numbers), raft_term: pick(unsigned) };
        let bytes = service.Range.responseSerialize({ header, kvs, more: round % 2 === 0, count: pick(numbers) });
        // Fields neither knows, of each wire type, at the end: both skip them.
        if (round % 3 === 1) bytes = Buffer.concat([bytes, Buffer.from([0x28, 0x96, 0x01, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3a, 0x02, 0x61, 0x62, 0x45, 1, 2, 3, 4])]);
        assert.deepStrictEqual(decodeRangeResponse(bytes), service.Range.responseDeserialize(bytes), `round ${round}`);
        assertPageAgrees(bytes, `round ${round}`);
      }
      // A KeyValue without a key (create_revision 5 alone), and one whose fields come twice: the last counts.
      for (const [what, bytes] of [
        ['no key', Buffer.from([0x12, 0x02, 0x10, 0x05])],
        ['fields twice', Buffer.from([0x12, 0x0c, 0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62, 0x18, 0x01, 0x18, 0x02, 0x2a, 0x00])],
      ] as const) {
        assert.deepStrictEqual(decodeRangeResponse(bytes), service.Range.responseDeserialize(bytes), what);
        assertPageAgrees(bytes, what);
      }
    }
  });
});

describe('etcd requests and the other responses kreg exchanges', () => {
  const numbers = ['0', '1', '127', '128', '9007199254740993', '-1', '-9223372036854775808', '9223372036854775807', '7587867483933061222'];
  const keyValue = (i: number) => ({
    key: Buffer.from(`/registry/k${i}`),
    create_revision: numbers[i % numbers.length],
    mod_revision: numbers[(i + 3) % numbers.length],
    version: numbers[(i + 5) % numbers.length],
    value: randomBytes(i % 4 === 0 ? 0 : 10 + i),
    lease: numbers[(i + 7) % numbers.length],
  });
  const header = { cluster_id: '18446744073709551615', member_id: '2', revision: '9007199254740993', raft_term: '3' };

  it('encodes RangeRequests the generic codec reads back as meant', () => {
    const requests = [
      { key: Buffer.from('/registry/pods/') },
      { key: Buffer.from('/registry/pods/'), range_end: Buffer.from('/registry/pods0'), limit: 5000, revision: 9007199254740991, keys_only: true },
      { key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true },
      { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), limit: 1, revision: 12, keys_only: true, sort_order: 'Descend' as const, sort_target: 'Mod' as const },
    ];
    for (const request of requests) {
      const read = range.requestDeserialize(encodeRangeRequest(request)) as Record<string, unknown>;
      // etcd3's copy of rpc.proto names the enum values as etcd3's types do (None, Descend, Mod).
      const expected: Record<string, unknown> = { range_end: Buffer.alloc(0), limit: '0', revision: '0', sort_order: 'None', sort_target: 'Key', keys_only: false, count_only: false, ...request };
      for (const field of ['limit', 'revision'] as const) expected[field] = String(expected[field]);
      for (const [field, value] of Object.entries(expected)) assert.deepStrictEqual(read[field], value, `${field} of ${JSON.stringify(request)}`);
    }
  });

  it('encodes WatchRequests (create, cancel, progress) the generic codec reads back as meant', () => {
    const watch = method('Watch', 'Watch');
    const create = watch.requestDeserialize(
      encodeWatchRequest({ create_request: { key: Buffer.from('/registry/'), range_end: Buffer.from('/registry0'), start_revision: 4294967297, prev_kv: true, fragment: true } }),
    ) as { request_union: string; create_request: Record<string, unknown> };
    assert.equal(create.request_union, 'create_request');
    assert.deepStrictEqual(create.create_request['key'], Buffer.from('/registry/'));
    assert.deepStrictEqual(create.create_request['range_end'], Buffer.from('/registry0'));
    assert.equal(create.create_request['start_revision'], '4294967297');
    assert.equal(create.create_request['prev_kv'], true);
    assert.equal(create.create_request['fragment'], true);
    assert.equal(create.create_request['progress_notify'], false);
    const plain = watch.requestDeserialize(encodeWatchRequest({ create_request: { key: Buffer.from('/a') } })) as { create_request: Record<string, unknown> };
    assert.equal(plain.create_request['start_revision'], '0');
    assert.equal(plain.create_request['prev_kv'], false);
    const cancel = watch.requestDeserialize(encodeWatchRequest({ cancel_request: { watch_id: '9223372036854775807' } })) as { request_union: string; cancel_request: { watch_id: string } };
    assert.equal(cancel.request_union, 'cancel_request');
    assert.equal(cancel.cancel_request.watch_id, '9223372036854775807');
    const progress = watch.requestDeserialize(encodeWatchRequest({ progress_request: {} })) as { request_union: string };
    assert.equal(progress.request_union, 'progress_request');
  });

  it('encodes LeaseTimeToLive and Authenticate requests the generic codec reads back as meant', () => {
    const ttl = method('Lease', 'LeaseTimeToLive').requestDeserialize(encodeLeaseTimeToLiveRequest({ ID: '7587867483933061222', keys: false })) as Record<string, unknown>;
    assert.equal(ttl['ID'], '7587867483933061222');
    assert.equal(ttl['keys'], false);
    const auth = method('Auth', 'Authenticate').requestDeserialize(encodeAuthenticateRequest({ name: 'röot', password: 'p:ss wörd' })) as Record<string, unknown>;
    assert.equal(auth['name'], 'röot');
    assert.equal(auth['password'], 'p:ss wörd');
  });

  it('decodes WatchResponses as the generic codec does: events with and without their previous value, cancels, fragments', () => {
    const watch = method('Watch', 'Watch');
    const responses = [
      { header, watch_id: '0', created: true },
      {
        header,
        watch_id: '3',
        events: [
          { type: 'Put', kv: keyValue(1) },
          { type: 'Delete', kv: keyValue(2), prev_kv: keyValue(3) },
          { type: 'Put', kv: keyValue(4), prev_kv: keyValue(5) },
        ],
      },
      { header, watch_id: '-1', canceled: true, compact_revision: '9007199254740993', cancel_reason: 'mvcc: required revision has been compacted' },
      { header, watch_id: '2', fragment: true, events: [{ type: 'Put', kv: keyValue(8) }] },
      {},
    ];
    for (const response of responses) {
      const bytes = watch.responseSerialize(response);
      const generic = watch.responseDeserialize(bytes) as Record<string, unknown> & { events: unknown[] };
      const ours = decodeWatchResponse(bytes);
      for (const field of ['header', 'watch_id', 'created', 'canceled', 'compact_revision', 'cancel_reason', 'fragment'] as const) {
        assert.deepStrictEqual(ours[field], generic[field], `${field} of ${JSON.stringify(response)}`);
      }
      assert.deepStrictEqual(ours.events, generic.events);
    }
  });

  it('decodes Status, LeaseLeases, LeaseTimeToLive and Authenticate responses as the generic codec does', () => {
    const status = method('Maintenance', 'Status');
    const statusBytes = status.responseSerialize({ header, version: '3.4.23', dbSize: '123456789', leader: '42', raftIndex: '7', raftTerm: '2' });
    assert.deepStrictEqual(decodeHeaderOnly(statusBytes).header, (status.responseDeserialize(statusBytes) as { header: unknown }).header);
    const leases = method('Lease', 'LeaseLeases');
    const leasesBytes = leases.responseSerialize({ header, leases: numbers.map((ID) => ({ ID })) });
    assert.deepStrictEqual(decodeLeaseLeasesResponse(leasesBytes), leases.responseDeserialize(leasesBytes));
    const ttl = method('Lease', 'LeaseTimeToLive');
    for (const TTL of ['-1', '0', '3600']) {
      const bytes = ttl.responseSerialize({ header, ID: '7587867483933061222', TTL, grantedTTL: '3600', keys: [Buffer.from('/registry/leases/a')] });
      const generic = ttl.responseDeserialize(bytes) as Record<string, unknown>;
      const ours = decodeLeaseTimeToLiveResponse(bytes);
      for (const field of ['header', 'ID', 'TTL', 'grantedTTL'] as const) assert.deepStrictEqual(ours[field], generic[field], field);
    }
    const auth = method('Auth', 'Authenticate');
    const authBytes = auth.responseSerialize({ header, token: 'QAYfKrOyzBqXlNzL.42' });
    assert.deepStrictEqual(decodeAuthenticateResponse(authBytes), auth.responseDeserialize(authBytes));
  });
});
