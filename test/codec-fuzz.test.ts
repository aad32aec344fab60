/**
 * Seeded fuzzing of the value codec: every stored value of the demo snapshot (protobuf objects,
 * JSON custom resources, plain values), mutated (flipped and random bytes, truncation, inserted
 * and deleted bytes, over-long varints, spliced values). decode() must return or throw one of
 * kreg's typed errors with a one-line description, and no value may take more than a second.
 *
 * KREG_CODEC_FUZZ_COUNT (default 10,000) values, KREG_FUZZ_SEED (default 20261130) seeds them.
 */
import assert from 'node:assert/strict';
import { KregError, decode } from '../src/index.js';
import { SnapshotSource } from '../src/sources/snapshot/snapshot-source.js';
import { DEMO_SNAPSHOT } from './support/damaged-snapshot.js';
import { mulberry32 } from '../scripts/make-registry.js';

const COUNT = Number(process.env.KREG_CODEC_FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.KREG_FUZZ_SEED ?? 20261130);
const SLOW_MS = 1000;

/** The project's one seeded PRNG (mulberry32), so runs are reproducible. */
const prng = mulberry32;

function mutate(values: readonly { key: string; value: Buffer }[], random: () => number): { key: string; bytes: Buffer; what: string } {
  const int = (n: number): number => Math.floor(random() * n);
  const source = values[int(values.length)] as { key: string; value: Buffer };
  let bytes = Buffer.from(source.value);
  const edits: string[] = [];
  for (let e = 0, count = 1 + int(3); e < count && bytes.length > 0; e++) {
    const at = int(bytes.length);
    switch (int(7)) {
      case 0:
        bytes[at] = (bytes[at] as number) ^ (1 << int(8));
        edits.push(`bit flip at ${at}`);
        break;
      case 1:
        bytes[at] = int(256);
        edits.push(`random byte at ${at}`);
        break;
      case 2:
        bytes = bytes.subarray(0, at);
        edits.push(`truncated to ${at}`);
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([int(256), int(256)]), bytes.subarray(at)]);
        edits.push(`2 bytes inserted at ${at}`);
        break;
      case 4:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(8))]);
        edits.push(`bytes deleted at ${at}`);
        break;
      case 5:
        // An over-long or huge varint (lengths, tags).
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), bytes.subarray(at + 1)]);
        edits.push(`huge varint at ${at}`);
        break;
      default: {
        const other = values[int(values.length)] as { value: Buffer };
        bytes = Buffer.concat([bytes.subarray(0, at), other.value.subarray(int(other.value.length))]);
        edits.push(`spliced at ${at}`);
      }
    }
  }
  return { key: source.key, bytes, what: edits.join('; ') };
}

describe(`codec fuzz (${COUNT} mutated stored values, seed ${SEED})`, function () {
  this.timeout(120_000);
  let values: { key: string; value: Buffer }[] = [];

  before(async () => {
    const source = await SnapshotSource.open(DEMO_SNAPSHOT);
    try {
      for await (const entry of source.range({ prefix: '/registry/' })) values.push({ key: entry.key, value: Buffer.from(entry.value) });
    } finally {
      await source.close();
    }
    values = values.filter((entry) => entry.value.length > 0);
    assert.ok(values.length > 20);
  });

  it('decodes or throws a typed one-line error, quickly, for every value', () => {
    const random = prng(SEED);
    const counts = new Map<string, number>();
    const tally = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
    const failures: string[] = [];
    let slowest = 0;
    for (let index = 0; index < COUNT; index++) {
      const { key, bytes, what } = mutate(values, random);
      const started = performance.now();
      try {
        decode(bytes);
        tally('decoded');
      } catch (error) {
        if (!(error instanceof KregError))
          failures.push(
            `value ${index} (${key}: ${what}): untyped ${String((error as Error)?.stack ?? error)
              .split('\n')
              .slice(0, 3)
              .join(' | ')}`,
          );
        else if (error.describe().includes('\n')) failures.push(`value ${index} (${key}: ${what}): two lines: ${error.describe()}`);
        else tally(`${error.name} ${error.code}`);
      }
      const took = performance.now() - started;
      slowest = Math.max(slowest, took);
      if (took > SLOW_MS) failures.push(`value ${index} (${key}: ${what}): ${Math.round(took)} ms`);
    }
    const lines = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([what, n]) => `      ${what}: ${n}`);
    console.log(`    codec fuzz, seed ${SEED}, ${COUNT} values from ${values.length} stored ones (slowest ${slowest.toFixed(1)} ms):\n${lines.join('\n')}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  });
});
