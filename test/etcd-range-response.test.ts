/**
 * etcd's RangeResponse decoded from its wire bytes (etcd-range-response.ts) against etcd3's generic
 * decoder (protobufjs through proto-loader), on responses of a real etcd and on made-up ones.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createEtcdClient, resolveEtcdConnection } from '../src/sources/etcd-connection.js';
import { DecodeError } from '../src/errors.js';
import { decodeRangeResponse, decodeRangeResponsesDirectly } from '../src/sources/etcd-range-response.js';
import { useEtcd } from './support/etcd.js';

type Deserialize = (bytes: Buffer) => unknown;
interface RangeMethod {
  (...args: unknown[]): unknown;
  path: string;
  requestSerialize: (value: unknown) => Buffer;
  responseSerialize: (value: unknown) => Buffer;
  responseDeserialize: Deserialize;
}
interface KvClient {
  Range: RangeMethod;
  range: RangeMethod;
  makeUnaryRequest(path: string, serialize: unknown, deserialize: Deserialize, argument: unknown, callback: (error: Error | null, value?: unknown) => void): unknown;
}

/** etcd3's KV client for an endpoint (the class every host shares), and its client to close. */
function kvClientFor(endpoint: string): { kv: KvClient; close: () => void } {
  const client = createEtcdClient(resolveEtcdConnection({ endpoints: endpoint }, {}));
  const pool = (client as unknown as { pool: { hosts: { getServiceClient(name: string): KvClient }[] } }).pool;
  return { kv: pool.hosts[0]?.getServiceClient('KV') as KvClient, close: () => client.close() };
}

describe('etcd RangeResponse decoded from its wire bytes', () => {
  const etcd = useEtcd();

  it('gives what etcd3 generic decoder gives for real responses: keys, values, leases, revisions, more and count', async function () {
    this.timeout(60_000);
    // Lease IDs use all 64 bits (past a double's 2^53): read the hex etcdctl prints, not its JSON.
    const granted = /lease ([0-9a-f]+) granted/.exec((await etcd.server.etcdctl(['lease', 'grant', '600'])).toString())?.[1];
    assert.ok(granted !== undefined);
    await etcd.server.etcdctl(['put', '/registry/pods/default/leased', 'v', `--lease=${granted}`]);
    await etcd.server.etcdctl(['put', '/registry/configmaps/default/empty', '']);
    for (let i = 0; i < 30; i++) await etcd.server.etcdctl(['put', `/registry/secrets/default/s${i}`], Buffer.from(randomBytes(100 + i * 997).toString('base64')));
    await etcd.server.etcdctl(['put', '/registry/secrets/default/s3'], Buffer.from('rewritten'));
    const { kv, close } = kvClientFor(etcd.server.endpoint);
    try {
      const generic = (Object.getPrototypeOf(kv).constructor as { service: { Range: { responseDeserialize: Deserialize } } }).service.Range.responseDeserialize;
      const raw = (request: unknown): Promise<Buffer> =>
        new Promise((resolve, reject) =>
          kv.makeUnaryRequest(
            kv.Range.path,
            kv.Range.requestSerialize,
            (bytes) => bytes,
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
        // Keys and values are views into the message, as protobufjs's are (the page buffer is recycled through them).
        for (const kv of ours.kvs) assert.equal(kv.key.buffer, bytes.buffer);
      }
      const all = decodeRangeResponse(await raw(requests[0]));
      assert.equal(all.kvs.length, 32);
      assert.equal(all.kvs.find((kv) => kv.key.toString() === '/registry/pods/default/leased')?.lease, BigInt(`0x${granted}`).toString());
      assert.equal(decodeRangeResponse(await raw(requests[1])).more, true);
    } finally {
      close();
    }
  });

  it('is what the KV client decodes Range with once installed; anything unexpected goes to the generic decoder', async () => {
    const { kv, close } = kvClientFor(etcd.server.endpoint);
    try {
      const prototype = Object.getPrototypeOf(kv) as KvClient;
      assert.equal(decodeRangeResponsesDirectly(kv), true);
      assert.equal(prototype.range, prototype.Range);
      const installed = prototype.Range.responseDeserialize;
      const generic = (prototype.constructor as unknown as { service: { Range: { responseDeserialize: Deserialize } } }).service.Range.responseDeserialize;
      assert.notEqual(installed, generic);
      // kvs (field 2) sent as a varint: this decoder refuses it, the generic one decides.
      const odd = Buffer.from([0x10, 0x05, 0x18, 0x01]);
      assert.throws(() => decodeRangeResponse(odd), DecodeError);
      let genericAnswer: unknown;
      try {
        genericAnswer = generic(odd);
      } catch (error) {
        genericAnswer = error;
      }
      let installedAnswer: unknown;
      try {
        installedAnswer = installed(odd);
      } catch (error) {
        installedAnswer = error;
      }
      assert.deepStrictEqual(installedAnswer, genericAnswer);
      // A client class shaped otherwise is left alone.
      class Other {
        Range(): void {}
      }
      assert.equal(decodeRangeResponsesDirectly(new Other()), false);
      assert.equal(decodeRangeResponsesDirectly(null), false);
    } finally {
      close();
    }
  });

  it('agrees with the generic decoder on made-up responses: 64-bit extremes, negative numbers, empty and unknown fields', () => {
    const { kv, close } = kvClientFor('http://127.0.0.1:1');
    try {
      const { service } = Object.getPrototypeOf(kv).constructor as { service: { Range: { responseSerialize: (value: unknown) => Buffer; responseDeserialize: Deserialize } } };
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
      }
    } finally {
      close();
    }
  });
});
