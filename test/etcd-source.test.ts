import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { UsageError } from '../src/errors.js';
import { parseEtcdDuration, resolveEtcdConnection, type EtcdConnectionFlags, type EtcdConnectionSettings } from '../src/sources/etcd-connection.js';
import { createEtcdWriter } from './support/etcd-writer.js';
import { EtcdAuthError, EtcdMessageTooLargeError, EtcdPermissionError, EtcdTimeoutError, EtcdTlsError, EtcdUnavailableError, toEtcdError } from '../src/sources/etcd-errors.js';
import { createEtcdSource, type EtcdSource, nextPageLimit, prefixRangeEnd, type EtcdSourceOptions } from '../src/sources/etcd-source.js';
import { largeMessageBuffers } from '../src/sources/grpc-message-assembly.js';
import { entryBatches, RevisionCompactedError, RevisionFutureError, type Entry } from '../src/sources/source.js';
import { createCertificateAuthority, useEtcd, type EtcdServer } from './support/etcd.js';
import { collect } from './support/collect.js';

// ---------------------------------------------------------------------------------------------
// Pure parts: no etcd needed.

describe('resolveEtcdConnection', () => {
  it('uses etcdctl defaults when nothing is given', () => {
    assert.deepEqual(resolveEtcdConnection({}, {}), {
      endpoints: ['http://127.0.0.1:2379'],
      dialTimeoutMs: 2000,
      commandTimeoutMs: 5000,
    });
  });

  it('takes ETCDCTL_* variables when flags are absent, and flags over variables', () => {
    const env = {
      ETCDCTL_ENDPOINTS: 'env-a:2379,env-b:2379',
      ETCDCTL_DIAL_TIMEOUT: '3s',
      ETCDCTL_COMMAND_TIMEOUT: '5000ms',
      ETCDCTL_USER: 'envuser:envpass',
      ETCDCTL_CACERT: '/env/ca.crt',
    };
    const fromEnv = resolveEtcdConnection({}, env);
    assert.deepEqual(fromEnv.endpoints, ['https://env-a:2379', 'https://env-b:2379']);
    assert.equal(fromEnv.dialTimeoutMs, 3000);
    assert.equal(fromEnv.commandTimeoutMs, 5000);
    assert.deepEqual(fromEnv.auth, { user: 'envuser', password: 'envpass' });
    assert.deepEqual(fromEnv.tls, { caFile: '/env/ca.crt', insecureSkipVerify: false });

    const flags: EtcdConnectionFlags = { endpoints: 'flag:2379', dialTimeout: '1m30s', user: 'flaguser:flagpass', cacert: '/flag/ca.crt' };
    const fromFlags = resolveEtcdConnection(flags, env);
    assert.deepEqual(fromFlags.endpoints, ['https://flag:2379']);
    assert.equal(fromFlags.dialTimeoutMs, 90_000);
    assert.equal(fromFlags.commandTimeoutMs, 5000);
    assert.deepEqual(fromFlags.auth, { user: 'flaguser', password: 'flagpass' });
    assert.equal(fromFlags.tls?.caFile, '/flag/ca.crt');
  });

  it('treats empty flags and variables as not given', () => {
    assert.deepEqual(resolveEtcdConnection({ endpoints: '', user: '' }, { ETCDCTL_ENDPOINTS: '', ETCDCTL_USER: '' }).endpoints, ['http://127.0.0.1:2379']);
    assert.deepEqual(resolveEtcdConnection({ endpoints: [] }, { ETCDCTL_ENDPOINTS: 'env:2379' }).endpoints, ['http://env:2379']);
  });

  it('adds http:// or https:// to bare endpoints and keeps an explicit scheme', () => {
    assert.deepEqual(resolveEtcdConnection({ endpoints: ['10.0.0.1:2379', ' 10.0.0.2:2379/ '] }, {}).endpoints, ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    const withCerts = resolveEtcdConnection({ endpoints: '10.0.0.1:2379', cert: 'c.crt', key: 'c.key' }, {});
    assert.deepEqual(withCerts.endpoints, ['https://10.0.0.1:2379']);
    assert.deepEqual(withCerts.tls, { certFile: 'c.crt', keyFile: 'c.key', insecureSkipVerify: false });
    assert.deepEqual(resolveEtcdConnection({ endpoints: 'HTTPS://host:2379' }, {}).endpoints, ['https://host:2379']);
    assert.deepEqual(resolveEtcdConnection({ endpoints: 'https://host:2379' }, {}).tls, { insecureSkipVerify: false });
    // An explicit http:// wins over certificates, as in etcdctl.
    const explicitHttp = resolveEtcdConnection({ endpoints: 'http://host:2379', cacert: 'ca.crt' }, {});
    assert.deepEqual(explicitHttp.endpoints, ['http://host:2379']);
    assert.equal(explicitHttp.tls, undefined);
  });

  it('reads insecure-skip-tls-verify from the flag or ETCDCTL_INSECURE_SKIP_TLS_VERIFY', () => {
    assert.equal(resolveEtcdConnection({}, { ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' }).tls?.insecureSkipVerify, true);
    assert.deepEqual(resolveEtcdConnection({}, { ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' }).endpoints, ['https://127.0.0.1:2379']);
    assert.equal(resolveEtcdConnection({ insecureSkipTlsVerify: false }, { ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' }).tls, undefined);
    assert.throws(() => resolveEtcdConnection({}, { ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'yes please' }), UsageError);
  });

  it('splits user:password, and takes the whole user as the name when a password is given', () => {
    assert.deepEqual(resolveEtcdConnection({ user: 'root:pa:ss' }, {}).auth, { user: 'root', password: 'pa:ss' });
    assert.deepEqual(resolveEtcdConnection({ user: 'ro:ot', password: 'secret' }, {}).auth, { user: 'ro:ot', password: 'secret' });
    assert.deepEqual(resolveEtcdConnection({ user: 'root' }, { ETCDCTL_PASSWORD: 'from-env' }).auth, { user: 'root', password: 'from-env' });
    assert.deepEqual(resolveEtcdConnection({ user: 'root:' }, {}).auth, { user: 'root', password: '' });
  });

  it('rejects incomplete or contradictory settings with a UsageError', () => {
    assert.throws(
      () => resolveEtcdConnection({ user: 'root' }, {}),
      (error: unknown) => error instanceof UsageError && /password/.test(error.message),
    );
    assert.throws(() => resolveEtcdConnection({ password: 'secret' }, {}), UsageError);
    assert.throws(
      () => resolveEtcdConnection({ cert: 'c.crt' }, {}),
      (error: unknown) => error instanceof UsageError && /--key/.test(error.message),
    );
    assert.throws(() => resolveEtcdConnection({ endpoints: 'http://a:2379,https://b:2379' }, {}), UsageError);
    assert.throws(() => resolveEtcdConnection({ endpoints: 'unix:///run/etcd.sock' }, {}), UsageError);
    assert.throws(() => resolveEtcdConnection({}, { ETCDCTL_ENDPOINTS: ' , ' }), /no etcd endpoint/);
  });

  it('parses etcdctl (Go) durations', () => {
    assert.equal(parseEtcdDuration('2s', 'x'), 2000);
    assert.equal(parseEtcdDuration('5000ms', 'x'), 5000);
    assert.equal(parseEtcdDuration('1.5s', 'x'), 1500);
    assert.equal(parseEtcdDuration('1h2m3s', 'x'), 3_723_000);
    assert.equal(parseEtcdDuration('250us', 'x'), 1); // rounded up to the smallest timer
    assert.equal(parseEtcdDuration('0', 'x'), Infinity);
    assert.equal(parseEtcdDuration(undefined, 'x'), undefined);
    for (const bad of ['10', 's', '2 s', '-1s', '2sec', '']) {
      assert.throws(() => parseEtcdDuration(bad, 'dial timeout'), UsageError, bad);
    }
    assert.throws(() => resolveEtcdConnection({ commandTimeout: 'soon' }, {}), /invalid command timeout "soon"/);
  });
});

/** An error as grpc-js reports a call's status: "<code> <NAME>: <details>", with the code on it. */
function grpcError(code: number, details: string): Error {
  const name = { 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 11: 'OUT_OF_RANGE', 14: 'UNAVAILABLE' }[code];
  return Object.assign(new Error(`${code} ${name}: ${details}`), { code, details });
}

describe('toEtcdError', () => {
  const context = { endpoint: 'https://etcd-0:2379', key: '/registry/secrets/' };

  it('maps gRPC errors to typed errors that name the endpoint and key in one line', () => {
    const cases: [unknown, new (...args: never[]) => Error, RegExp][] = [
      [grpcError(14, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '), EtcdUnavailableError, /cannot reach etcd: connection refused$/],
      [grpcError(7, 'etcdserver: permission denied'), EtcdPermissionError, /permission denied/],
      [grpcError(11, 'etcdserver: mvcc: required revision has been compacted'), RevisionCompactedError, /the requested revision has been compacted/],
      [grpcError(11, 'etcdserver: mvcc: required revision is a future revision'), RevisionFutureError, /newer than/],
      [grpcError(8, 'Received message larger than max (100048 vs 1000)'), EtcdMessageTooLargeError, /100048 bytes, limit 1000/],
      [grpcError(4, 'Deadline exceeded'), EtcdTimeoutError, /did not answer/],
      [
        grpcError(14, 'No connection established. Last error: Error: unable to verify the first certificate. Resolution note: '),
        EtcdTlsError,
        /not trusted \(unable to verify the first certificate\); check --cacert/,
      ],
      [
        grpcError(
          14,
          'No connection established. Last error: 80ECEBD6B97F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n (2026-11-22T03:25:01.390Z). Resolution note: ',
        ),
        EtcdTlsError,
        /refused the client certificate \(sslv3 alert bad certificate\)/,
      ],
    ];
    for (const [raw, expectedClass, expectedMessage] of cases) {
      const error = toEtcdError(raw, context);
      assert.ok(error instanceof expectedClass, `${String(raw)} became ${error.name}`);
      assert.match(error.message, expectedMessage);
      const line = error.describe();
      assert.ok(line.startsWith('https://etcd-0:2379: /registry/secrets/: '), line);
      assert.doesNotMatch(line, /\n/);
    }
  });

  it('says which user failed to authenticate or lacks permission', () => {
    const auth = toEtcdError(grpcError(3, 'etcdserver: authentication failed, invalid user ID or password'), { ...context, user: 'root' });
    assert.ok(auth instanceof EtcdAuthError);
    assert.equal(auth.describe(), 'https://etcd-0:2379: /registry/secrets/: authentication failed for user "root": wrong user name or password');
    const denied = toEtcdError(grpcError(7, 'etcdserver: permission denied'), { ...context, user: 'reader' });
    assert.equal(denied.describe(), 'https://etcd-0:2379: /registry/secrets/: permission denied: user "reader" may not read this key range');
  });
});

describe('paging arithmetic', () => {
  it('computes the end of a prefix range', () => {
    assert.deepEqual([...prefixRangeEnd(Buffer.from('/registry/'))], [...Buffer.from('/registry0')]);
    assert.deepEqual([...prefixRangeEnd(Buffer.from([0x61, 0xff, 0xff]))], [0x62]);
    assert.deepEqual([...prefixRangeEnd(Buffer.from([0xff]))], [0]);
    assert.deepEqual([...prefixRangeEnd(Buffer.alloc(0))], [0]);
  });

  it('adapts the next page to the byte budget within [1, chunkSize]', () => {
    assert.equal(nextPageLimit(1000, 16 << 20, 0, 0), 1000);
    assert.equal(nextPageLimit(1000, 1_000_000, 10 * 4000, 10), 250);
    assert.equal(nextPageLimit(1000, 1000, 10 * 4000, 10), 1);
    assert.equal(nextPageLimit(1000, Infinity, 10 * 4000, 10), 1000);
    assert.equal(nextPageLimit(100, 1_000_000, 10 * 10, 10), 100);
    // Right after the first page, a small second page (a directory opened ahead holds little).
    assert.equal(nextPageLimit(5000, 32 << 20, 100 * 4000, 100, 1), 1000);
    assert.equal(nextPageLimit(5000, 32 << 20, 100 * 4000, 100, 2), 5000);
    assert.equal(nextPageLimit(5000, 1_000_000, 100 * 4000, 100, 1), 250);
    assert.equal(nextPageLimit(500, 32 << 20, 100 * 4000, 100, 1), 500);
  });
});

// ---------------------------------------------------------------------------------------------
// Against a real etcd.

function settingsFor(server: EtcdServer, extra: EtcdConnectionFlags = {}): EtcdConnectionSettings {
  const flags: EtcdConnectionFlags = { endpoints: server.endpoint, ...extra };
  if (server.tls !== undefined) {
    flags.cacert ??= server.tls.caFile;
    flags.cert ??= server.tls.certFile;
    flags.key ??= server.tls.keyFile;
  }
  if (server.auth !== undefined && flags.user === undefined) flags.user = `${server.auth.user}:${server.auth.password}`;
  return resolveEtcdConnection(flags, {});
}

function text(value: Uint8Array): string {
  return Buffer.from(value).toString('utf8');
}

async function put(client: Etcd3, key: string, value: string | Uint8Array, lease?: string): Promise<number> {
  const response = await client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), ...(lease !== undefined ? { lease } : {}) });
  return Number(response.header.revision);
}

async function expectRejection<T extends Error>(promise: Promise<unknown>, errorClass: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return error;
  }
  assert.fail(`expected ${errorClass.name}, but it succeeded`);
}

/** Sources opened by a test, closed after it whatever happens. */
function trackSources(): (settings: EtcdConnectionSettings, options?: EtcdSourceOptions) => EtcdSource {
  const open: EtcdSource[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((source) => source.close()));
  });
  return (settings, options = {}) => {
    const source = createEtcdSource(settings, options);
    open.push(source);
    return source;
  };
}

describe('EtcdSource (plain etcd)', function () {
  const etcd = useEtcd();
  const openSource = trackSources();
  let writer: Etcd3;
  before(() => {
    writer = createEtcdWriter(settingsFor(etcd.server));
  });
  after(() => (writer as Etcd3 | undefined)?.close()); // unset when the suite was skipped (npm run test:unit)

  it('lists exactly the keys under a prefix, in key order, with revisions, version and lease', async () => {
    const { ID: leaseId } = await writer.leaseClient.leaseGrant({ TTL: 600 });
    const firstRevision = await put(writer, '/registry/pods/default/b', 'pod b');
    await put(writer, '/registry/pods/default/a', 'pod a', leaseId);
    await put(writer, '/registry/pods/default/b', 'pod b v2');
    await put(writer, '/registry/pods/kube-system/c', new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0x01]));
    await put(writer, '/registry/podsecuritypolicies/x', 'outside the prefix');
    await put(writer, '/registry/pods0', 'outside too');

    const source = openSource(settingsFor(etcd.server));
    const entries = await collect(source.range({ prefix: '/registry/pods/' }));
    assert.deepEqual(
      entries.map((entry) => entry.key),
      ['/registry/pods/default/a', '/registry/pods/default/b', '/registry/pods/kube-system/c'],
    );
    const [a, b, c] = entries as [Entry, Entry, Entry];
    assert.equal(text(a.value), 'pod a');
    assert.equal(a.valueSize, 5);
    assert.equal(a.lease, String(leaseId));
    assert.equal(a.version, 1);
    assert.equal(b.lease, '0');
    assert.equal(b.createRevision, firstRevision);
    assert.equal(b.modRevision, firstRevision + 2);
    assert.equal(b.version, 2);
    assert.equal(text(b.value), 'pod b v2');
    assert.deepEqual([...c.value], [0x6b, 0x38, 0x73, 0x00, 0xff, 0x01]);
    assert.ok(!Buffer.isBuffer(c.value), 'values are plain Uint8Arrays');

    const keysOnly = await collect(source.range({ prefix: '/registry/pods/', keysOnly: true }));
    assert.deepEqual(
      keysOnly.map((entry) => entry.key),
      entries.map((entry) => entry.key),
    );
    assert.deepEqual(
      keysOnly.map((entry) => [entry.value.length, entry.valueSize, entry.modRevision]),
      entries.map((entry) => [0, -1, entry.modRevision]),
    );

    assert.deepEqual(await collect(source.range({ prefix: '/registry/nothing-here/' })), []);
    await writer.leaseClient.leaseRevoke({ ID: leaseId });
  });

  it("asks for the current revision once when that question dials: the dial's own Status answers it; a later one asks again", async () => {
    const source = openSource(settingsFor(etcd.server));
    // The client's Status calls, counted (the dial's and currentRevision's are the same call).
    const client = (source as unknown as { client: { status: (...args: unknown[]) => Promise<unknown> } }).client;
    const status = client.status.bind(client);
    let calls = 0;
    client.status = (...args: unknown[]) => {
      calls++;
      return status(...args);
    };
    const first = await put(writer, '/registry/configmaps/default/counted', 'one');
    assert.equal(await source.currentRevision(), first);
    assert.equal(calls, 1);
    const second = await put(writer, '/registry/configmaps/default/counted', 'two');
    assert.equal(await source.currentRevision(), second);
    assert.equal(calls, 2);
  });

  it('gets one key, now or at a past revision, and reports the current revision', async () => {
    const source = openSource(settingsFor(etcd.server));
    const firstRevision = await put(writer, '/registry/configmaps/default/settings', 'one');
    const secondRevision = await put(writer, '/registry/configmaps/default/settings', 'two');
    assert.equal(await source.currentRevision(), secondRevision);
    assert.equal(text((await source.get('/registry/configmaps/default/settings'))?.value ?? new Uint8Array()), 'two');
    const old = await source.get('/registry/configmaps/default/settings', { revision: firstRevision });
    assert.equal(old === undefined ? undefined : text(old.value), 'one');
    assert.equal(await source.get('/registry/configmaps/default/missing'), undefined);
    assert.equal(await source.get('/registry/configmaps/default/settings', { revision: firstRevision - 1 }), undefined);
    await expectRejection(source.get('/registry/configmaps/default/settings', { revision: secondRevision + 1000 }), RevisionFutureError);
    await expectRejection(source.get('/registry/configmaps/default/settings', { revision: 0 }), UsageError);
  });

  /**
   * The longest run of entries the listing hands out, among those numbered [from, to), without a
   * turn of the event loop in between. The reader never awaits anything itself: only the source
   * can let the event loop turn.
   */
  async function longestRunWithoutTurn(entries: AsyncIterable<Entry>, from: number, to: number): Promise<number> {
    let turns = 0;
    let listing = true;
    const tick = (): void => {
      turns++;
      if (listing) setImmediate(tick);
    };
    setImmediate(tick);
    let longest = 0;
    let run = 0;
    let turnSeen = 0;
    let index = 0;
    try {
      for await (const _entry of entries) {
        if (turns !== turnSeen) {
          turnSeen = turns;
          run = 0;
        }
        run++;
        if (index >= from && index < to) longest = Math.max(longest, run);
        index++;
      }
    } finally {
      listing = false;
    }
    return longest;
  }

  it('lets the event loop run while a reader works through a page, so the next one arrives meanwhile', async () => {
    const prefix = '/registry/configmaps/turns/';
    for (let index = 0; index < 400; index++) await put(writer, `${prefix}key-${String(index).padStart(3, '0')}`, `value ${index}`);
    // Pages of 100 keys: the first page and the last have no page on their way (the first waits to
    // see whether more is wanted, unless the reader says it reads all); those between them do.
    const source = openSource(settingsFor(etcd.server), { chunkSize: 100 });
    const third = await longestRunWithoutTurn(source.range({ prefix }), 200, 300);
    assert.ok(third < 100, `${third} entries handed out in a row without a turn of the event loop`);
    const first = await longestRunWithoutTurn(source.range({ prefix, readsAll: true }), 0, 100);
    assert.ok(first < 100, `reading all: ${first} entries of the first page in a row without a turn`);
  });

  it('hands out a listing a few entries at a time (rangeBatches): the same entries as range, in order', async () => {
    const prefix = '/registry/configmaps/batches/';
    for (let index = 0; index < 75; index++) await put(writer, `${prefix}key-${String(index).padStart(3, '0')}`, `value ${index}`);
    const source = openSource(settingsFor(etcd.server), { chunkSize: 30 });
    const listed = (await collect(source.range({ prefix, readsAll: true }))).map((entry) => `${entry.key}=${text(entry.value)}`);
    const sizes: number[] = [];
    const batched: string[] = [];
    for await (const batch of entryBatches(source, { prefix, readsAll: true, borrowsValues: true })) {
      sizes.push(batch.length);
      // Lent values are read before the next batch is asked for.
      for (const entry of batch) batched.push(`${entry.key}=${text(entry.value)}`);
    }
    assert.equal(listed.length, 75);
    assert.deepEqual(batched, listed);
    // Pages of 30, 30 and 15 keys, each handed out 16 entries at a time.
    assert.deepEqual(sizes, [16, 14, 16, 14, 15]);
  });

  it('keeps a paged listing at the revision of its first page while another client writes', async () => {
    const prefix = '/registry/secrets/paging/';
    const initial = new Map<string, string>();
    for (let index = 0; index < 50; index++) {
      const key = `${prefix}key-${String(index).padStart(3, '0')}`;
      initial.set(key, `value ${index}`);
      await put(writer, key, `value ${index}`);
    }
    const revisionBefore = await put(writer, '/registry/unrelated', 'x');

    const chunkSize = 7;
    const source = openSource(settingsFor(etcd.server), { chunkSize });
    const listed: Entry[] = [];
    let writesDuringListing = 0;
    for await (const entry of source.range({ prefix })) {
      listed.push(entry);
      if (listed.length % chunkSize === 0) {
        // Between pages: change keys before and after the cursor, and add and remove some.
        const position = listed.length;
        await put(writer, `${prefix}key-${String(position + 3).padStart(3, '0')}`, 'modified during listing');
        await writer.kv.deleteRange({ key: Buffer.from(`${prefix}key-${String(position + 5).padStart(3, '0')}`) });
        await put(writer, `${prefix}key-${String(position + 1).padStart(3, '0')}-new`, 'created during listing');
        await put(writer, `${prefix}key-000`, 'modified behind the cursor');
        writesDuringListing += 4;
      }
    }
    assert.ok(writesDuringListing >= 4 * 7, 'the listing took several pages');
    assert.deepEqual(
      listed.map((entry) => [entry.key, text(entry.value)]),
      [...initial.entries()],
    );
    for (const entry of listed) assert.ok(entry.modRevision <= revisionBefore, `${entry.key} is from after the listing began`);
    // The store really did change underneath.
    const after = await collect(source.range({ prefix }));
    assert.notDeepEqual(
      after.map((entry) => entry.key),
      listed.map((entry) => entry.key),
    );
    // And the same listing can be read again at its revision.
    const again = await collect(openSource(settingsFor(etcd.server), { chunkSize: 3 }).range({ prefix, revision: revisionBefore }));
    assert.deepEqual(again, listed);
  });

  it('reads the same keys when namespaces larger than a page bound the pages (etcd-page-range.ts)', async () => {
    const prefix = '/registry/pagedpods/';
    // Namespaces of 1-12 keys beside keys that sort between and after them: a key with no
    // namespace, a namespace whose name extends another's, names just past "/" and "0".
    const keys: string[] = [];
    for (const [namespace, count] of [
      ['a', 12],
      ['a-b', 1],
      ['a.b', 5],
      ['ab', 9],
      ['b', 3],
      ['c', 11],
    ] as const) {
      for (let index = 0; index < count; index++) keys.push(`${prefix}${namespace}/p${String(index).padStart(2, '0')}`);
    }
    keys.push(`${prefix}a`, `${prefix}a0`, `${prefix}a0/x`, `${prefix}a/`, `${prefix}b0`, `${prefix}c/`, `${prefix}zz`);
    for (const k of keys) await put(writer, k, 'v');
    await put(writer, '/registry/pagedpods0', 'after the listing');
    const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 100]) {
      for (const readsAll of [false, true]) {
        const listed = await collect(openSource(settingsFor(etcd.server), { chunkSize }).range({ prefix, readsAll }));
        assert.deepEqual(
          listed.map((entry) => entry.key),
          expected,
          `pages of ${chunkSize}${readsAll ? ', read ahead' : ''}`,
        );
      }
    }
  });

  it('pages by bytes as well as keys, and halves a page the client cannot receive', async () => {
    const prefix = '/registry/configmaps/big/';
    const expected: string[] = [];
    for (let index = 0; index < 40; index++) {
      const key = `${prefix}${String(index).padStart(2, '0')}`;
      expected.push(key);
      await put(writer, key, String(index % 10).repeat(20_000 + index * 500));
    }
    const byBytes = await collect(openSource(settingsFor(etcd.server), { chunkSize: 1000, chunkBytes: 50_000 }).range({ prefix }));
    assert.deepEqual(
      byBytes.map((entry) => entry.key),
      expected,
    );
    assert.deepEqual(
      byBytes.map((entry) => entry.valueSize),
      expected.map((_, index) => 20_000 + index * 500),
    );

    // A 100 KB receive limit cannot take the first page (100 keys of ~30 KB): it must shrink, not fail.
    const small = openSource(settingsFor(etcd.server), { chunkSize: 1000, chunkBytes: Infinity, maxReceiveMessageBytes: 100_000 });
    const shrunk = await collect(small.range({ prefix }));
    assert.deepEqual(
      shrunk.map((entry) => entry.key),
      expected,
    );

    await put(writer, `${prefix}huge`, 'h'.repeat(200_000));
    const tooLarge = await expectRejection(small.get(`${prefix}huge`), EtcdMessageTooLargeError);
    assert.match(tooLarge.describe(), new RegExp(`^${etcd.server.endpoint}: ${prefix}huge: etcd response too large for the client \\(\\d+ bytes, limit 100000\\)`));
  });

  it('keeps every value of a listing intact while later pages reuse the page buffer, and gives sizes only when asked', async () => {
    const prefix = '/registry/configmaps/paged/';
    const values = new Map<string, Buffer>();
    for (let index = 0; index < 24; index++) {
      const key = `${prefix}${String(index).padStart(2, '0')}`;
      const value = Buffer.alloc(300_000 + index, String.fromCharCode(97 + index));
      values.set(key, value);
      await put(writer, key, value);
    }
    const before = { ...largeMessageBuffers };
    // Pages of 5 keys, 1.5 MB each: large enough for their buffers to be handed back and reused.
    const source = openSource(settingsFor(etcd.server), { chunkSize: 5, chunkBytes: Infinity });
    const listed = await collect(source.range({ prefix }));
    assert.ok(largeMessageBuffers.reused > before.reused, 'no page buffer was reused');
    assert.deepEqual(
      listed.map((entry) => entry.key),
      [...values.keys()],
    );
    for (const entry of listed) assert.ok(Buffer.from(entry.value).equals(values.get(entry.key) ?? Buffer.alloc(0)), `${entry.key} changed after its page`);

    // Lent values (borrowsValues) are right while they are read, share the page, and are not copies.
    const copied = new Set(listed.map((entry) => entry.value.buffer));
    assert.equal(copied.size, listed.length, 'copied values share a buffer');
    const lentBuffers = new Set<ArrayBufferLike>();
    let lent = 0;
    for await (const entry of source.range({ prefix, borrowsValues: true })) {
      assert.ok(Buffer.from(entry.value).equals(values.get(entry.key) ?? Buffer.alloc(0)), `${entry.key} lent wrong`);
      lentBuffers.add(entry.value.buffer);
      lent++;
    }
    assert.equal(lent, values.size);
    assert.ok(lentBuffers.size < lent, `${lentBuffers.size} buffers for ${lent} lent values: each was copied`);

    const sized = await collect(source.range({ prefix, sizesOnly: true }));
    assert.deepEqual(
      sized.map((entry) => [entry.key, entry.valueSize, entry.value.length]),
      [...values].map(([key, value]) => [key, value.length, 0]),
    );
  });

  it('raises RevisionCompactedError with the requested and the compacted revision', async () => {
    const prefix = '/registry/events/';
    const oldRevision = await put(writer, `${prefix}e1`, 'first');
    await put(writer, `${prefix}e1`, 'second');
    const compactAt = await put(writer, `${prefix}e2`, 'third');
    await writer.kv.compact({ revision: compactAt, physical: true });

    const source = openSource(settingsFor(etcd.server));
    const fromRange = await expectRejection(collect(source.range({ prefix, revision: oldRevision })), RevisionCompactedError);
    assert.equal(fromRange.requestedRevision, oldRevision);
    assert.equal(fromRange.compactedRevision, compactAt);
    assert.equal(fromRange.subject.key, prefix);
    assert.equal(fromRange.describe(), `${etcd.server.endpoint}: ${prefix}: revision ${oldRevision} has been compacted (the oldest readable revision is ${compactAt})`);
    const fromGet = await expectRejection(source.get(`${prefix}e1`, { revision: oldRevision }), RevisionCompactedError);
    assert.equal(fromGet.compactedRevision, compactAt);
    // The compaction revision itself is still readable.
    assert.equal((await collect(source.range({ prefix, revision: compactAt }))).length, 2);
  });

  it('reports an unreachable endpoint as EtcdUnavailableError', async () => {
    const closedPort = await unusedLoopbackPort();
    const endpoint = `http://127.0.0.1:${closedPort}`;
    const source = openSource(resolveEtcdConnection({ endpoints: endpoint, dialTimeout: '500ms' }, {}));
    const error = await expectRejection(collect(source.range({ prefix: '/registry/pods/' })), EtcdUnavailableError);
    assert.equal(error.describe(), `${endpoint}: /registry/pods/: cannot reach etcd: connection refused`);
  });

  it('fails over to a live endpoint when the first one is down, and says which answered', async () => {
    await put(writer, '/registry/configmaps/failover/one', 'x');
    const down = `http://127.0.0.1:${await unusedLoopbackPort()}`;
    for (const endpoints of [`${down},${etcd.server.endpoint}`, `${etcd.server.endpoint},${down}`]) {
      const source = openSource(resolveEtcdConnection({ endpoints, dialTimeout: '2s' }, {}));
      assert.equal(source.answeredBy(), undefined);
      // Many calls: a client that shuffled the endpoints per call could pass by a lucky first pick.
      for (let round = 0; round < 8; round++) {
        assert.deepEqual(
          (await collect(source.range({ prefix: '/registry/configmaps/failover/' }))).map((entry) => entry.key),
          ['/registry/configmaps/failover/one'],
        );
        assert.equal((await source.get('/registry/configmaps/failover/one'))?.key, '/registry/configmaps/failover/one');
      }
      assert.ok((await source.currentRevision()) > 0);
      // Watch streams (history) go to the endpoint that answers, too.
      assert.equal((await source.history('/registry/configmaps/failover/one')).records.length, 1);
      assert.equal(source.answeredBy(), etcd.server.endpoint, endpoints);
    }
    // With every endpoint down it is still one clear error.
    const other = `http://127.0.0.1:${await unusedLoopbackPort()}`;
    const error = await expectRejection(openSource(resolveEtcdConnection({ endpoints: `${down},${other}`, dialTimeout: '1s' }, {})).currentRevision(), EtcdUnavailableError);
    assert.match(error.describe(), /cannot reach etcd: connection refused$/);
  });

  it('gives up after the dial timeout on an endpoint that accepts connections but never answers', async () => {
    const silent = await silentLoopbackServer();
    try {
      const endpoint = `http://127.0.0.1:${silent.port}`;
      const source = openSource(resolveEtcdConnection({ endpoints: endpoint, dialTimeout: '400ms' }, {}));
      // Reaching the assertion at all is the point: the call gave up instead of hanging (mocha's timeout would fail it).
      const error = await expectRejection(source.currentRevision(), EtcdUnavailableError);
      assert.match(error.describe(), new RegExp(`^${endpoint}: cannot reach etcd`));
    } finally {
      await silent.close();
    }
  });

  it('tells an https client whose handshake was reset that the server does not speak TLS', async () => {
    // Some plain servers answer a ClientHello with a 400, others reset the connection (etcd does both).
    const resetting = await silentLoopbackServer({ resetting: true });
    try {
      const endpoint = `https://127.0.0.1:${resetting.port}`;
      const source = openSource(resolveEtcdConnection({ endpoints: endpoint, insecureSkipTlsVerify: true, dialTimeout: '2s' }, {}));
      const error = await expectRejection(source.get('/registry/pods/default/a'), EtcdTlsError);
      assert.match(error.describe(), /does not speak TLS.*use http:\/\//);
    } finally {
      await resetting.close();
    }
  });

  it('tells an https client that the server does not speak TLS', async () => {
    const endpoint = etcd.server.endpoint.replace('http://', 'https://');
    const source = openSource(resolveEtcdConnection({ endpoints: endpoint }, {}));
    const error = await expectRejection(source.get('/registry/pods/default/a'), EtcdTlsError);
    assert.match(error.describe(), new RegExp(`^${endpoint}: /registry/pods/default/a: .*does not speak TLS.*use http://`));
  });
});

describe('EtcdSource resuming a listing after etcd restarts', function () {
  const etcd = useEtcd();
  const openSource = trackSources();

  it('retries the next page and finishes at the same revision, with the same entries', async () => {
    const prefix = '/registry/deployments/';
    const writer = createEtcdWriter(settingsFor(etcd.server));
    const expected: string[] = [];
    try {
      for (let index = 0; index < 30; index++) {
        const key = `${prefix}d${String(index).padStart(2, '0')}`;
        expected.push(key);
        await put(writer, key, `deployment ${index}`);
      }
    } finally {
      writer.close();
    }
    const source = openSource(settingsFor(etcd.server), { chunkSize: 10, retry: { attempts: 8, initialDelayMs: 100, maxDelayMs: 2000 } });
    const listing = source.range({ prefix })[Symbol.asyncIterator]();
    const listed: Entry[] = [];
    for (let index = 0; index < 10; index++) {
      const next = await listing.next();
      assert.ok(next.done !== true);
      listed.push(next.value);
    }
    // The first page is consumed; the connection drops before the second is asked for.
    await etcd.server.crash();
    const restarted = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await etcd.server.restart();
      // Written while the listing is still retrying or reading: it must not show up in it.
      await etcd.server.etcdctl(['put', `${prefix}d05-new`, 'created after the restart']);
      await etcd.server.etcdctl(['put', `${prefix}d25`, 'modified after the restart']);
      await etcd.server.etcdctl(['del', `${prefix}d29`]);
    })();
    for (let next = await listing.next(); next.done !== true; next = await listing.next()) listed.push(next.value);
    await restarted;
    assert.deepEqual(
      listed.map((entry) => entry.key),
      expected,
    );
    assert.deepEqual(
      listed.map((entry) => text(entry.value)),
      expected.map((_, index) => `deployment ${index}`),
    );
  });
});

describe('EtcdSource over TLS with client certificates', function () {
  const etcd = useEtcd({ tls: true });
  const openSource = trackSources();
  let otherCaDir: string | undefined;
  before(async () => {
    otherCaDir = await mkdtemp(join(tmpdir(), 'kreg-other-ca-'));
  });
  after(async () => {
    if (otherCaDir !== undefined) await rm(otherCaDir, { recursive: true, force: true });
  });

  it('reads with the CA and a client certificate', async () => {
    await etcd.server.etcdctl(['put', '/registry/namespaces/default', 'ns']);
    const source = openSource(settingsFor(etcd.server));
    assert.ok(source.description.startsWith('etcd https://127.0.0.1:'));
    const entries = await collect(source.range({ prefix: '/registry/namespaces/' }));
    assert.deepEqual(
      entries.map((entry) => [entry.key, text(entry.value)]),
      [['/registry/namespaces/default', 'ns']],
    );
  });

  it('tells an http client that the server speaks TLS', async () => {
    const endpoint = etcd.server.endpoint.replace('https://', 'http://');
    const source = openSource(resolveEtcdConnection({ endpoints: endpoint }, {}));
    const error = await expectRejection(collect(source.range({ prefix: '/registry/' })), EtcdTlsError);
    assert.match(error.describe(), new RegExp(`^${endpoint}: /registry/: the server speaks TLS but the endpoint is http://; use https://`));
  });

  it('refuses a server certificate from another CA', async () => {
    const otherCa = await createCertificateAuthority(otherCaDir as string, 'other');
    const source = openSource(settingsFor(etcd.server, { cacert: otherCa.certFile }));
    const error = await expectRejection(source.get('/registry/namespaces/default'), EtcdTlsError);
    assert.match(error.describe(), /: \/registry\/namespaces\/default: the server's TLS certificate is not trusted \(.*\); check --cacert$/);
  });

  it('says the server refused the connection without a client certificate', async () => {
    const tls = etcd.server.tls;
    assert.ok(tls !== undefined);
    const source = openSource(resolveEtcdConnection({ endpoints: etcd.server.endpoint, cacert: tls.caFile }, {}));
    const error = await expectRejection(source.currentRevision(), EtcdTlsError);
    assert.match(error.message, /refused the client certificate/);
  });

  it('connects without the CA when told to skip verification', async () => {
    const tls = etcd.server.tls;
    assert.ok(tls !== undefined);
    const settings = resolveEtcdConnection({ endpoints: etcd.server.endpoint, cert: tls.certFile, key: tls.keyFile, insecureSkipTlsVerify: true }, {});
    assert.equal(settings.tls?.caFile, undefined);
    const source = openSource(settings);
    assert.equal((await source.get('/registry/namespaces/default'))?.key, '/registry/namespaces/default');
  });
});

describe('EtcdSource with an auth token that expires', function () {
  const etcd = useEtcd({ auth: true, authTokenTtlSeconds: 1 });
  const openSource = trackSources();

  it('authenticates again when etcd no longer accepts its token, and reads on', async () => {
    await etcd.server.etcdctl(['put', '/registry/configmaps/default/a', '1']);
    const source = openSource(settingsFor(etcd.server));
    assert.equal((await source.get('/registry/configmaps/default/a'))?.key, '/registry/configmaps/default/a');
    // Unused for longer than its TTL, the token is gone from etcd: "invalid auth token".
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal((await source.get('/registry/configmaps/default/a'))?.key, '/registry/configmaps/default/a');
    assert.deepEqual(
      (await collect(source.range({ prefix: '/registry/configmaps/' }))).map((entry) => entry.key),
      ['/registry/configmaps/default/a'],
    );
  });

  it('watches on through an etcd restart, which forgets every token', async function () {
    this.timeout(90_000);
    const source = openSource(settingsFor(etcd.server), { retry: { initialDelayMs: 100, maxDelayMs: 1_000 } });
    const revision = await source.currentRevision();
    const stop = new AbortController();
    const events = source.watch({ prefix: '/registry/configmaps/', fromRevision: revision + 1, signal: stop.signal })[Symbol.asyncIterator]();
    try {
      await etcd.server.etcdctl(['put', '/registry/configmaps/default/b', '1']);
      assert.equal((await events.next()).value?.entry.key, '/registry/configmaps/default/b');
      await etcd.server.crash();
      await etcd.server.restart();
      await etcd.server.etcdctl(['put', '/registry/configmaps/default/c', '1']);
      const next = await events.next();
      assert.equal(next.value?.type, 'put');
      assert.equal(next.value?.entry.key, '/registry/configmaps/default/c');
    } finally {
      stop.abort();
      await events.return?.(undefined);
    }
  });
});

describe('EtcdSource with authentication', function () {
  const etcd = useEtcd({ auth: true });
  const openSource = trackSources();

  it('reads as root with the right password', async () => {
    await etcd.server.etcdctl(['put', '/registry/readable/one', '1']);
    await etcd.server.etcdctl(['put', '/registry/secrets/kube-system/token', 'secret']);
    const source = openSource(settingsFor(etcd.server));
    const entries = await collect(source.range({ prefix: '/registry/' }));
    assert.deepEqual(
      entries.map((entry) => entry.key),
      ['/registry/readable/one', '/registry/secrets/kube-system/token'],
    );
  });

  it('raises EtcdAuthError naming the endpoint for a wrong password', async () => {
    const source = openSource(settingsFor(etcd.server, { user: 'root:wrong' }));
    const error = await expectRejection(collect(source.range({ prefix: '/registry/' })), EtcdAuthError);
    assert.equal(error.subject.endpoint, etcd.server.endpoint);
    assert.equal(error.describe(), `${etcd.server.endpoint}: /registry/: authentication failed for user "root": wrong user name or password`);
  });

  it('raises EtcdAuthError when no user is given', async () => {
    const source = openSource(resolveEtcdConnection({ endpoints: etcd.server.endpoint }, {}));
    const error = await expectRejection(source.get('/registry/readable/one'), EtcdAuthError);
    assert.match(error.describe(), /authentication enabled; give a user/);
  });

  it('raises EtcdPermissionError naming the key for a user who may not read it', async () => {
    const reader = etcd.server.auth?.reader;
    assert.ok(reader !== undefined);
    const source = openSource(settingsFor(etcd.server, { user: reader.user, password: reader.password }));
    const allowed = await collect(source.range({ prefix: reader.prefix }));
    assert.deepEqual(
      allowed.map((entry) => entry.key),
      ['/registry/readable/one'],
    );
    const error = await expectRejection(collect(source.range({ prefix: '/registry/secrets/' })), EtcdPermissionError);
    assert.equal(error.subject.key, '/registry/secrets/');
    assert.equal(error.describe(), `${etcd.server.endpoint}: /registry/secrets/: permission denied: user "reader" may not read this key range`);
    const fromGet = await expectRejection(source.get('/registry/secrets/kube-system/token'), EtcdPermissionError);
    assert.equal(fromGet.subject.key, '/registry/secrets/kube-system/token');
  });
});

// ---------------------------------------------------------------------------------------------

async function unusedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(typeof address === 'object' && address !== null);
  return address.port;
}

/** Accepts TCP connections on loopback and never says a word, like a firewalled or hung server. */
/** A plain TCP server that says nothing, or (resetting) resets every connection once data arrives. */
async function silentLoopbackServer(options: { resetting?: boolean } = {}): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (options.resetting === true) socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
