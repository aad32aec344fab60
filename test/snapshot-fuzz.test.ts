/**
 * Seeded fuzzing of the snapshot reader: mutated copies of the demo snapshot (flipped bytes in page
 * headers and element tables, pointers at random or ancestor pages, absurd counts and overflows,
 * zeroed or copied pages, truncation). Every file must end within the test's timeout, every
 * failure must be one of kreg's typed errors (a KregError) described on one line naming the file,
 * both in strict and best-effort mode, and the CLI must print one line and exit 1 on failure.
 *
 * KREG_FUZZ_COUNT (default 200) copies, KREG_FUZZ_SEED (default 20261130) seeds them: `npm run
 * fuzz` runs 2,000. A failure names the seed and index, so it can be replayed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KregError } from '../src/errors.js';
import { checkSnapshotFile } from '../src/sources/snapshot/bolt-check.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { DEMO_SNAPSHOT, demoLayout } from './support/damaged-snapshot.js';
import { runKreg } from './support/run-cli.js';
import { mulberry32 } from '../scripts/make-registry.js';

const COUNT = Number(process.env.KREG_FUZZ_COUNT ?? 200);
const SEED = Number(process.env.KREG_FUZZ_SEED ?? 20261130);

/** The project's one seeded PRNG (mulberry32), so runs are reproducible. */
const prng = mulberry32;

interface Mutated {
  bytes: Buffer;
  what: string;
}

/** One mutated copy: one to three edits, then (usually) a resealed trailer so the edits are read. */
function mutate(original: Buffer, random: () => number, layout: { pageSize: number; pageCount: number; keyRoot: number; children: number[] }): Mutated {
  const bytes = Buffer.from(original);
  const { pageSize, pageCount } = layout;
  const int = (n: number): number => Math.floor(random() * n);
  const page = (): number => 2 + int(pageCount - 2);
  const edits: string[] = [];
  const count = 1 + int(3);
  for (let e = 0; e < count; e++) {
    const p = page();
    const base = p * pageSize;
    const count16 = bytes.readUInt16LE(base + 10);
    switch (int(9)) {
      case 0: {
        // A byte of the header (id, flags, count, overflow).
        const at = base + int(16);
        bytes[at] = int(256);
        edits.push(`header byte ${at - base} of page ${p}`);
        break;
      }
      case 1: {
        // A byte of the element table.
        const at = base + 16 + int(Math.max(1, Math.min(count16, 200)) * 16);
        bytes[at] = int(256);
        edits.push(`element byte ${at - base} of page ${p}`);
        break;
      }
      case 2: {
        // A branch child pointer at a random page, itself, or the key bucket's root.
        const root = bytes.readUInt16LE(layout.keyRoot * pageSize + 10);
        const element = int(Math.max(1, Math.min(root, (pageSize - 32) / 16)));
        const target = [page(), layout.keyRoot, int(pageCount + 5), 0xffffffff][int(4)] as number;
        bytes.writeBigUInt64LE(BigInt(target), layout.keyRoot * pageSize + 16 + element * 16 + 8);
        edits.push(`key root element ${element} -> page ${target}`);
        break;
      }
      case 3: {
        bytes.writeUInt32LE([1, 2, pageCount, 0xffff, 0xffffffff][int(5)] as number, base + 12);
        edits.push(`overflow of page ${p}`);
        break;
      }
      case 4: {
        bytes.writeUInt16LE([0, 1, 0xff, 0xffff][int(4)] as number, base + 10);
        edits.push(`count of page ${p}`);
        break;
      }
      case 5: {
        bytes.fill(0, base, base + pageSize);
        edits.push(`page ${p} zeroed`);
        break;
      }
      case 6: {
        const from = page();
        bytes.copy(bytes, base, from * pageSize, from * pageSize + pageSize);
        edits.push(`page ${from} copied over page ${p}`);
        break;
      }
      case 7: {
        // Random bytes anywhere in the page.
        for (let i = 0; i < 4; i++) bytes[base + int(pageSize)] = int(256);
        edits.push(`4 random bytes in page ${p}`);
        break;
      }
      default: {
        // A length inside a leaf element (key or value size) made large.
        const at = base + 16 + int(Math.max(1, Math.min(count16, 200))) * 16 + 8 + 4 * int(2);
        bytes.writeUInt32LE([0x7fffffff, pageSize, 0xffffffff][int(3)] as number, at);
        edits.push(`a size in element table of page ${p}`);
      }
    }
  }
  let result = bytes;
  if (random() < 0.08) {
    result = bytes.subarray(0, int(bytes.length));
    edits.push(`truncated to ${result.length} bytes`);
  } else if (random() < 0.9) {
    createHash('sha256')
      .update(bytes.subarray(0, bytes.length - 32))
      .digest()
      .copy(bytes, bytes.length - 32);
  } else {
    edits.push('trailer not resealed');
  }
  return { bytes: Buffer.from(result), what: edits.join('; ') };
}

/** Fails unless the error is typed and described on one line naming the file. */
function assertTyped(error: unknown, file: string, context: string): string {
  assert.ok(error instanceof KregError, `${context}: untyped ${String((error as Error)?.stack ?? error)}`);
  const line = error.describe();
  assert.ok(!line.includes('\n'), `${context}: two lines: ${line}`);
  assert.ok(line.includes(file), `${context}: no file named: ${line}`);
  return error.code;
}

async function drain<T>(items: AsyncIterable<T>): Promise<number> {
  let count = 0;
  for await (const _ of items) count++;
  return count;
}

describe(`snapshot reader fuzz (${COUNT} mutated copies of the demo snapshot, seed ${SEED})`, function () {
  this.timeout(10_000);
  let workDir = '';
  let original = Buffer.alloc(0);
  let layout: Awaited<ReturnType<typeof demoLayout>>;
  const counts = new Map<string, number>();
  const tally = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);

  let peakBeforeKiB = 0;
  before(async () => {
    peakBeforeKiB = process.resourceUsage().maxRSS;
    workDir = await mkdtemp(join(tmpdir(), 'kreg-snapshot-fuzz-'));
    original = await readFile(DEMO_SNAPSHOT);
    layout = await demoLayout();
  });
  after(async () => {
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
    const lines = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([what, n]) => `      ${what}: ${n}`);
    console.log(`    snapshot fuzz, seed ${SEED}, ${COUNT} files:\n${lines.join('\n')}`);
  });

  for (let index = 0; index < COUNT; index++) {
    it(`copy ${index}`, async () => {
      // Each copy from its own seed: one copy can be replayed alone (--grep 'copy 17$').
      const { bytes, what } = mutate(original, prng(SEED + index * 7919), layout);
      const file = join(workDir, `fuzz-${index}.db`);
      await writeFile(file, bytes);
      const context = `seed ${SEED} copy ${index} (${what})`;

      // Strict: everything reads, or one typed error.
      try {
        const source = await SnapshotSource.open(file);
        try {
          await drain(source.range({ prefix: '' }));
          await source.status();
          await source.history('/registry/deployments/shop/web');
          await drain(source.leases());
        } finally {
          await source.close();
        }
        tally('strict: read whole');
      } catch (error) {
        tally(`strict: ${assertTyped(error, file, context)}`);
      }

      // Best effort: reads on, or fails only where nothing can be read (meta, hash aside).
      try {
        const source = await SnapshotSource.open(file, { bestEffort: true, skipHashCheck: true });
        try {
          await drain(source.range({ prefix: '' }));
          await source.status({ etcdctlHash: false });
          await source.history('/registry/deployments/shop/web');
          for (const damage of source.damage) assert.ok(!damage.message.includes('\n') && damage.message.includes(file), `${context}: ${damage.message}`);
          tally(source.damage.length === 0 ? 'best effort: no damage seen' : 'best effort: read past damage');
        } finally {
          await source.close();
        }
      } catch (error) {
        tally(`best effort: ${assertTyped(error, file, `${context} (best effort)`)}`);
      }

      // The consistency check never throws on damage it can describe.
      try {
        const report = await checkSnapshotFile(file);
        tally(report.findings.length === 0 ? 'check: clean' : 'check: findings');
      } catch (error) {
        tally(`check: ${assertTyped(error, file, `${context} (check)`)}`);
      }

      // The CLI: exit 0, or exit 1 with every error line naming the file.
      for (const args of [
        ['ls', '--snapshot', file],
        ['snapshot', 'check', file],
      ]) {
        const result = await runKreg(args);
        assert.ok(result.code === 0 || result.code === 1, `${context}: ${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
        // Errors about the file name it; warnings about a damaged value name its key (or CRD) instead.
        for (const line of result.stderr.split('\n').filter((l) => l.startsWith('kreg: '))) {
          assert.ok(line.includes(file) || /^kreg: (\/registry\/|definition ")/.test(line), `${context}: ${args.join(' ')}: ${line}`);
        }
        if (result.code === 1 && args[0] === 'ls') {
          // One error line, last, naming the file; the sha256 trailer is hashed alongside the scan,
          // so warnings about damaged values it met (naming their keys) may come before it.
          const lines = result.stderr.trimEnd().split('\n');
          assert.ok(lines.at(-1)?.includes(file), `${context}: ${result.stderr}`);
          for (const line of lines.slice(0, -1)) assert.match(line, /^kreg: (\/registry\/|definition ")/, `${context}: ${result.stderr}`);
        }
      }
    });
  }

  // A damaged file once made a reader grow without end (963 MB when killed): reading every copy
  // with every reader above may raise the test process's peak memory by at most 512 MiB (alone,
  // the suite's 200 copies peak at about 130 MiB in all).
  it('the fuzz raises the peak memory of the test process by less than 512 MiB', function () {
    const growthMiB = (process.resourceUsage().maxRSS - peakBeforeKiB) / 1024;
    console.log(`    snapshot fuzz: peak RSS grew by ${growthMiB.toFixed(0)} MiB (bound 512 MiB; peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`);
    assert.ok(growthMiB < 512, `peak RSS grew by ${growthMiB.toFixed(0)} MiB`);
  });
});
