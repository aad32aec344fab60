/**
 * The two checksums a snapshot read computes: CRC-32C (etcdctl's status hash; native through the
 * optional @node-rs/crc32, JavaScript without it) and the sha256 trailer (hashed on a worker
 * thread, alongside the reads when the command prints only at the end).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoltFile, BoltPage, type PassAlongsideOptions } from '../src/sources/snapshot/bbolt-file.js';
import { type OneShotWorker, startOneShotWorker } from '../src/sources/snapshot/one-shot-worker.js';
import type { FilePassAnswer } from '../src/sources/snapshot/file-pass.js';
import { runKreg } from './support/run-cli.js';
import { checkBoltFile } from '../src/sources/snapshot/bolt-check.js';
import { createCrc32c, crc32cCombine, crc32cUpdate } from '../src/sources/snapshot/crc32c.js';
import { crcLeafRunsOfWindow, emptyLeafRunCrcs, inOneWindow, type LeafRunCrcs, LeafRunHasher } from '../src/sources/snapshot/leaf-run-crcs.js';
import { useEtcd } from './support/etcd.js';
import { createSharedWindowsMemory, WindowReader, WindowWriter } from '../src/sources/snapshot/shared-windows.js';
import { SnapshotFileError, SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';

const DEMO = new URL('../../examples/demo-cluster.db', import.meta.url).pathname;

describe('snapshot checksums', () => {
  describe('CRC-32C', () => {
    it('gives the standard check value (0xe3069283 for "123456789") natively and in JavaScript', () => {
      for (const javascript of [false, true]) {
        const crc = createCrc32c({ javascript });
        crc.update(Buffer.from('123456789'));
        assert.equal(crc.digest(), 0xe3069283, javascript ? 'javascript' : 'native');
      }
    });

    it('the native path (small inputs gathered, large ones direct) agrees with JavaScript over any split', () => {
      const data = randomBytes(300_000);
      const javascript = createCrc32c({ javascript: true });
      javascript.update(data);
      const expected = javascript.digest();
      for (const cuts of [[1, 2, 3, 700, 5, 65_536, 10, 100_000], [511, 512, 513, 70_000], [300_000]]) {
        const crc = createCrc32c();
        let at = 0;
        for (let i = 0; at < data.length; i++) {
          const size = cuts[i % cuts.length] as number;
          crc.update(data.subarray(at, at + size));
          at += size;
        }
        assert.equal(crc.digest(), expected, `cuts ${cuts.join(',')}`);
      }
    });

    it('combines the CRCs of two pieces into the CRC of both, for any lengths', () => {
      const data = randomBytes(70_000);
      for (const cut of [0, 1, 7, 4096, 69_999, 70_000]) {
        const [a, b] = [data.subarray(0, cut), data.subarray(cut)];
        assert.equal(crc32cCombine(crc32cUpdate(0, a), crc32cUpdate(0, b), b.length), crc32cUpdate(0, data), `cut at ${cut}`);
      }
      // 1 MiB of zeros after "123456789": a length of many bits.
      const zeros = new Uint8Array(1 << 20);
      assert.equal(crc32cCombine(0xe3069283, crc32cUpdate(0, zeros), zeros.length), crc32cUpdate(0, Buffer.concat([Buffer.from('123456789'), zeros])));
    });
  });

  describe("etcdctl's hash from the leaves' CRCs the sha256 worker takes", () => {
    const etcd = useEtcd();

    it('strings them together in key order, leaves across a read window included, and refuses a CRC of another length', async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(join(tmpdir(), 'kreg-checksums-'));
      const file = join(dir, 'big.db');
      // 12 MiB of values, 256 KiB each: a leaf holds one or two, over 64 pages.
      for (let i = 0; i < 48; i++) await etcd.server.etcdctl(['put', `/big/${i}`], Buffer.from(randomBytes(128 * 1024).toString('hex')));
      await etcd.server.etcdctl(['snapshot', 'save', file]);
      const expected = JSON.parse((await etcd.server.etcdctl(['snapshot', 'status', file, '-w', 'json'])).toString()) as { hash: number };
      const bolt = await BoltFile.open(file);
      try {
        // The worker, as status runs it (8 MiB windows).
        const trailer = await bolt.checkSha256Trailer({ leafRuns: true });
        assert.equal(trailer.state, 'ok');
        const runs = trailer.leafRuns as LeafRunCrcs;
        assert.ok(
          runs.length.some((length) => length > 0),
          'the worker took leaves',
        );
        const walked = await checkBoltFile(bolt, { etcdctlHash: new LeafRunHasher(bolt.pageSize, Promise.resolve(runs)) });
        assert.equal(walked.etcdctlHash, expected.hash);
        // 64 KiB windows, where every large leaf lies across an edge (hashed by the walk itself).
        const window = 64 * 1024;
        const bytes = readFileSync(file);
        const small = emptyLeafRunCrcs(runs.length.length);
        for (let at = 0; at < bytes.length - 32; at += window) crcLeafRunsOfWindow(bytes.subarray(at, Math.min(at + window, bytes.length - 32)), at, bolt.pageSize, small);
        let across = 0;
        const inSmallWindows = await checkBoltFile(bolt, {
          etcdctlHash: new LeafRunHasher(bolt.pageSize, Promise.resolve(small), window),
          onBucketLeaf: (_bucket, page) => void (!page.inline && !inOneWindow(page.id, page.overflow, bolt.pageSize, window) && across++),
        });
        assert.ok(across > 0, `${across} leaves across a window edge`);
        assert.equal(inSmallWindows.etcdctlHash, expected.hash);
        const otherLengths = { crc: runs.crc, length: runs.length.map((length) => (length > 0 ? length + 1 : length)) };
        const refused = await checkBoltFile(bolt, { etcdctlHash: new LeafRunHasher(bolt.pageSize, Promise.resolve(otherLengths)) });
        assert.equal(refused.etcdctlHash, undefined);
        const status = await runKreg(['snapshot', 'status', file, '-o', 'json']);
        assert.equal(status.code, 0, status.stderr);
        assert.equal((JSON.parse(status.stdout.toString()) as { hash: number }).hash, expected.hash);
      } finally {
        await bolt.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("the walk takes its pages from the sha256 worker's shared reads", () => {
    const etcd = useEtcd();

    it('gives the same check, counts and hash as reading every page, with the ring of windows reused many times over', async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(join(tmpdir(), 'kreg-windows-'));
      const file = join(dir, 'windows.db');
      // Values of 0.4-12 KiB (leaves of one to four pages), several revisions of each key.
      for (let i = 0; i < 400; i++) await etcd.server.etcdctl(['put', `/w/${i % 150}`], Buffer.from(randomBytes(200 + ((i * 7919) % 6000)).toString('hex')));
      await etcd.server.etcdctl(['snapshot', 'save', file]);
      const expected = JSON.parse((await etcd.server.etcdctl(['snapshot', 'status', file, '-w', 'json'])).toString()) as { hash: number };
      // The worker hashes the trailer as it reads (hash), or only reads (read: --skip-hash-check, or a member db).
      const walk = async (
        windowBytes: number | undefined,
        pass: 'hash' | 'read' = 'hash',
        path = file,
        workerFromBytes: number | 'default' = 0,
      ): Promise<{ report: unknown; leaves: string[]; served: number }> => {
        const bolt = await BoltFile.open(path);
        let served = 0;
        try {
          // On a worker whatever the size (0), unless told otherwise.
          const passing = (bytes: number): PassAlongsideOptions => ({ leafRuns: true, sharedWindows: true, windowBytes: bytes, ...(workerFromBytes === 'default' ? {} : { workerFromBytes }) });
          const trailer =
            windowBytes === undefined
              ? undefined
              : pass === 'hash'
                ? bolt.checkSha256Trailer(passing(windowBytes))
                : bolt.readAlongside(passing(windowBytes)).then((leafRuns) => ({ state: 'ok' as const, leafRuns }));
          if (windowBytes !== undefined) {
            const original = bolt.pageFromWindows.bind(bolt);
            bolt.pageFromWindows = (pointer) => {
              const read = original(pointer);
              if (read instanceof BoltPage) served++;
              return read;
            };
          }
          const runs = trailer?.then((check) => check.leafRuns);
          const leaves: string[] = [];
          const report = await checkBoltFile(bolt, {
            etcdctlHash: runs === undefined ? true : new LeafRunHasher(bolt.pageSize, runs, windowBytes, (id) => bolt.workerTakesLeafCrc(id)),
            onBucketLeaf: (bucket, page) => void leaves.push(`${bucket} ${page.id} ${Buffer.from(page.bytes).toString('base64')}`),
          });
          assert.equal((await trailer)?.state ?? 'ok', 'ok');
          return { report, leaves, served };
        } finally {
          await bolt.close();
        }
      };
      try {
        const read = await walk(undefined);
        assert.equal((read.report as { etcdctlHash: number }).etcdctlHash, expected.hash);
        // 32 and 128 KiB windows over a file of a few MiB: the ring of four is reused many times,
        // some leaves lie across window edges (the walk reads those), the rest come from the windows.
        // The db without its trailer, as a member's data dir holds it.
        const member = join(dir, 'member.db');
        const bytes = readFileSync(file);
        writeFileSync(member, bytes.subarray(0, bytes.length - 32));
        for (const windowBytes of [32 * 1024, 128 * 1024]) {
          for (const [pass, path] of [
            ['hash', file],
            ['read', file],
            ['read', member],
          ] as const) {
            const shared = await walk(windowBytes, pass, path);
            const what = `${windowBytes}-byte windows, ${pass} pass over ${path === file ? 'the snapshot' : 'the member db'}`;
            assert.deepEqual(shared.report, { ...(read.report as object), file: path }, what);
            assert.deepEqual(shared.leaves, read.leaves, what);
            // How many depends on how the two threads are scheduled (a walk left behind reads for itself).
            assert.ok(shared.served > 0, `${shared.served} of ${read.leaves.length} leaves from ${what}`);
          }
        }
        // By default a file this small (a few MiB) is passed over on this thread: the same check,
        // leaves and hash, with every page read by the walk (no windows shared).
        const here = await walk(32 * 1024, 'hash', file, 'default');
        assert.deepEqual(here.report, read.report);
        assert.deepEqual(here.leaves, read.leaves);
        assert.equal(here.served, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("which leaves' CRCs the worker takes, sharing its reads (WindowWriter.takesLeafCrcs)", () => {
    it('those of windows the walk is behind: one behind when it only reads, two (as far as the ring lets it lead) when it hashes; all once sharing stopped', () => {
      const memory = createSharedWindowsMemory(10 * 1024, 1024);
      const writer = new WindowWriter(memory);
      const reader = new WindowReader(memory);
      const flags = new Uint8Array(memory.leafCrcs);
      for (let window = 0; window < 3; window++) {
        assert.ok(writer.slotFor(window) !== undefined);
        writer.publish(window, 1024);
      }
      // The walk is in window 1.
      assert.ok(reader.view(1024, 16) !== undefined);
      reader.release();
      assert.equal(writer.takesLeafCrcs(1, true), false, 'reading, not the window the walk is in');
      assert.equal(writer.takesLeafCrcs(2, true), true, 'reading, one ahead of the walk');
      assert.equal(writer.takesLeafCrcs(2, false), false, 'hashing, one ahead');
      assert.equal(writer.takesLeafCrcs(3, false), true, 'hashing, two ahead');
      assert.deepEqual([...flags.subarray(0, 5)], [0, 0, 1, 1, 0], 'said to the walk per window');
      assert.equal(reader.workerTakesLeafCrcs(3 * 1024), true);
      assert.equal(reader.workerTakesLeafCrcs(1024), false);
      reader.walkDone();
      assert.equal(writer.takesLeafCrcs(4, true), false, 'the walk is done: nothing for it to string together');
      writer.finish();
      assert.equal(writer.takesLeafCrcs(4, false), true, 'no longer sharing: every window');
    });
  });

  describe('status and consistency check in one walk (kreg snapshot status)', () => {
    it('gives what status() and the check give apart, etcdctl hash included', async () => {
      const together = await SnapshotSource.open(DEMO);
      const apart = await SnapshotSource.open(DEMO);
      const bolt = await BoltFile.open(DEMO);
      try {
        const { status, check } = await together.statusAndCheck();
        const alone = await apart.status();
        assert.ok(alone.etcdctl.hash !== undefined && alone.keys > 0);
        assert.deepEqual(status, alone);
        assert.deepEqual(check, { ...(await checkBoltFile(bolt)), etcdctlHash: alone.etcdctl.hash });
      } finally {
        await Promise.all([together.close(), apart.close(), bolt.close()]);
      }
    });

    it('hashed alongside, or with no trailer hashed (--skip-hash-check, a member db), on a worker or on this thread: one walk, the same status', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kreg-checksums-'));
      const member = join(dir, 'member.db');
      const bytes = readFileSync(DEMO);
      writeFileSync(member, bytes.subarray(0, bytes.length - 32));
      try {
        for (const [file, skipHashCheck, workerFromBytes] of [
          [DEMO, false, 0],
          [DEMO, true, 0],
          [member, false, 0],
          [member, true, 0],
          // As the command runs on a file this small: the pass on this thread.
          [DEMO, false, undefined],
          [DEMO, true, undefined],
          [member, true, undefined],
        ] as const) {
          const together = await SnapshotSource.open(file, {
            skipHashCheck,
            checkTrailerAlongside: true,
            leafCrcsAlongside: true,
            shareReadsAlongside: true,
            ...(workerFromBytes === undefined ? {} : { workerFromBytes }),
          });
          const apart = await SnapshotSource.open(file, { skipHashCheck });
          const bolt = await BoltFile.open(file);
          try {
            // Without the worker's CRCs, statusAndCheck() would walk the file a second time through status().
            together.status = () => Promise.reject(new Error('a second walk'));
            const { status, check } = await together.statusAndCheck();
            await together.settleChecks();
            const alone = await apart.status();
            assert.ok(alone.etcdctl.hash !== undefined && alone.keys > 0);
            assert.deepEqual({ ...status, hashCheck: together.hashCheck }, alone, `${file} skipHashCheck ${skipHashCheck} workerFromBytes ${workerFromBytes}`);
            assert.deepEqual(check, { ...(await checkBoltFile(bolt)), etcdctlHash: alone.etcdctl.hash });
          } finally {
            await Promise.all([together.close(), apart.close(), bolt.close()]);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('on a damaged file: the findings, and status() as it reads damage (best effort here)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kreg-checksums-'));
      const damaged = join(dir, 'damaged.db');
      const bytes = readFileSync(DEMO);
      bytes.fill(0xee, 4096 * 5, 4096 * 6); // page 5 overwritten
      writeFileSync(damaged, bytes);
      const together = await SnapshotSource.open(damaged, { bestEffort: true, skipHashCheck: true });
      const apart = await SnapshotSource.open(damaged, { bestEffort: true, skipHashCheck: true });
      try {
        const { status, check } = await together.statusAndCheck();
        assert.ok(check.findings.length > 0);
        assert.equal(check.etcdctlHash, undefined, 'no etcdctl hash for a file that fails the check');
        assert.deepEqual(status, await apart.status());
        assert.ok(status.damage.length > 0);
      } finally {
        await Promise.all([together.close(), apart.close()]);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('sha256 trailer', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'kreg-checksums-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('the worker hashes the first bytes of a file as node:crypto does, and says where a short file ends', async () => {
      const path = join(dir, 'bytes');
      const bytes = randomBytes(9 * 1024 * 1024 + 17); // more than one 8 MiB read
      writeFileSync(path, bytes);
      const hash = (length: number): OneShotWorker<FilePassAnswer> => startOneShotWorker(new URL('../src/sources/snapshot/file-pass-worker.js', import.meta.url), { path, length, sha256: true });
      assert.deepEqual(await hash(bytes.length - 5).answer, {
        ok: true,
        sha256: createHash('sha256')
          .update(bytes.subarray(0, bytes.length - 5))
          .digest('hex'),
      });
      assert.deepEqual(await hash(bytes.length + 100).answer, { ok: false, endedAt: bytes.length });
      // A pass that only reads (for the walk's shared windows) answers without a hash.
      const read = startOneShotWorker<FilePassAnswer>(new URL('../src/sources/snapshot/file-pass-worker.js', import.meta.url), { path, length: bytes.length, sha256: false });
      assert.deepEqual(await read.answer, { ok: true });
      // Stopped while it works: the answer it will never give is an error, not a hang.
      const stopped = hash(bytes.length);
      await stopped.stop();
      await assert.rejects(stopped.answer);
    });

    it('ls, du, audit storage and get, which hash alongside their reads, still blame a wrong trailer when the read fails on the damage', async () => {
      const copy = join(dir, 'damaged-page.db');
      const bytes = readFileSync(DEMO);
      bytes.fill(0xff, 4096 * 5 + 8, 4096 * 5 + 10); // page 5's type: the scan fails on it; the trailer is not resealed
      writeFileSync(copy, bytes);
      for (const args of [['ls'], ['du'], ['audit', 'storage'], ['get', '-A', '-o', 'ndjson']]) {
        const result = await runKreg([...args, '--snapshot', copy]);
        assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(result.stdout.toString(), '', args.join(' '));
        assert.match(result.stderr, /sha256 trailer does not match the contents/, `${args.join(' ')}: ${result.stderr}`);
      }
    });

    it('get, which hashes while it learns and indexes, prints nothing from a file whose trailer does not match', async () => {
      const copy = join(dir, 'damaged-trailer.db');
      const bytes = readFileSync(DEMO);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff; // the data reads fine; only the trailer is wrong
      writeFileSync(copy, bytes);
      for (const args of [
        ['get', '-A', '-o', 'ndjson'],
        ['get', 'deploy', '-A'],
        ['get', 'cm', 'nosuch', '-n', 'shop'],
      ]) {
        const result = await runKreg([...args, '--snapshot', copy]);
        assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(result.stdout.toString(), '', args.join(' '));
        assert.match(result.stderr, /^kreg: .*sha256 trailer does not match the contents/, `${args.join(' ')}: ${result.stderr}`);
      }
      const intact = await runKreg(['get', 'deploy', '-A', '--snapshot', DEMO]);
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stdout.toString(), /^NAMESPACE/);
    });

    it('a trailer checked alongside the reads: reads work at once, settleChecks() gives the verdict open() would have', async () => {
      const copy = join(dir, 'damaged-trailer.db');
      const bytes = readFileSync(DEMO);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
      writeFileSync(copy, bytes);
      const strict = await SnapshotSource.open(copy, { checkTrailerAlongside: true });
      try {
        assert.ok((await strict.currentRevision()) > 0);
        await assert.rejects(strict.settleChecks(), (error) => error instanceof SnapshotFileError && error.code === 'hash-mismatch' && error.describe().includes(copy));
      } finally {
        await strict.close();
      }
      const lenient = await SnapshotSource.open(copy, { checkTrailerAlongside: true, bestEffort: true });
      try {
        await lenient.settleChecks();
        assert.equal(lenient.hashCheck, 'mismatch');
        assert.deepEqual(
          lenient.damage.map((damage) => damage.code),
          ['hash-mismatch'],
        );
      } finally {
        await lenient.close();
      }
      const intact = await SnapshotSource.open(DEMO, { checkTrailerAlongside: true });
      try {
        await intact.settleChecks();
        assert.equal(intact.hashCheck, 'ok');
      } finally {
        await intact.close();
      }
      const bolt = await BoltFile.open(DEMO);
      try {
        assert.equal((await bolt.checkSha256Trailer()).state, 'ok');
      } finally {
        await bolt.close();
      }
    });
  });
});
