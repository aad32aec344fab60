/**
 * A listing reads no further while stdout holds more than it should: a pipe to a slower reader
 * (`kreg get -A -o ndjson | gzip`) is written asynchronously, and without waiting the whole output
 * was queued in memory (measured: 515 MB peak RSS for a 200 MB snapshot piped, 192 MB with the wait).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { encode } from '../src/index.js';
import type { CliIo, OutputStream } from '../src/cli/io.js';
import { nodeOutput } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { MemorySource } from '../src/sources/memory-source.js';
import type { Entry, EntrySource, RangeOptions } from '../src/sources/source.js';

describe('stdout backpressure', function () {
  it('nodeOutput: drained() waits while the stream is over its high-water mark, and ends when it drains', async function () {
    let finishWrite: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        finishWrite = callback;
      },
    });
    const out = nodeOutput(slow as unknown as NodeJS.WriteStream);
    assert.equal(out.drained?.(), undefined, 'an empty stream needs no wait');
    out.write('x'.repeat(64));
    const waiting = out.drained?.();
    assert.ok(waiting !== undefined, 'over the high-water mark: a wait');
    let drained = false;
    void waiting.then(() => {
      drained = true;
    });
    await nextTurn();
    assert.equal(drained, false, 'still waiting while the write is unfinished');
    finishWrite?.();
    await waiting;
    assert.equal(out.drained?.(), undefined);
  });

  it('nodeOutput: a stream closed while waiting ends the wait', async function () {
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined });
    const out = nodeOutput(stuck as unknown as NodeJS.WriteStream);
    out.write('x'.repeat(64));
    const waiting = out.drained?.();
    assert.ok(waiting !== undefined);
    stuck.destroy();
    await waiting;
  });

  it('kreg get -A -o ndjson reads no further entries while stdout waits to drain', async function () {
    const count = 40;
    const memory = new MemorySource();
    for (let i = 0; i < count; i++) {
      memory.put(
        `/registry/configmaps/default/c${String(i).padStart(2, '0')}`,
        encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' }, data: { i: String(i) } }),
      );
    }
    let pulled = 0;
    // The memory source, counting the configmaps handed out by its listings.
    const source = new Proxy(memory, {
      get(target, name, receiver) {
        if (name !== 'range') return Reflect.get(target, name, receiver);
        return async function* (options: RangeOptions): AsyncGenerator<Entry> {
          for await (const entry of target.range(options)) {
            if (entry.key.startsWith('/registry/configmaps/')) pulled++;
            yield entry;
          }
        };
      },
    }) as EntrySource;

    const chunks: string[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let full = false;
    let released = false;
    let becomeFull: (() => void) | undefined;
    const becameFull = new Promise<void>((resolve) => {
      becomeFull = resolve;
    });
    const stdout: OutputStream = {
      write: (chunk) => {
        chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        if (!released && !full) {
          full = true;
          becomeFull?.();
        }
      },
      isTTY: false,
      columns: undefined,
      drained: () => (full ? gate : undefined),
    };
    const quiet: OutputStream = { write: () => undefined, isTTY: false, columns: undefined };
    const io: CliIo = { stdout, stderr: quiet, stdin: { isTTY: false, readAll: () => Promise.resolve(new Uint8Array()) }, env: {} };
    const run = main(['get', '-A', '-o', 'ndjson', '--workers', '0'], io, { openSource: () => Promise.resolve(source) });

    const first = await Promise.race([becameFull.then(() => 'wrote'), run.then((code) => `finished first, exit ${code}`)]);
    assert.equal(first, 'wrote', 'kreg wrote its first object and then waited');
    const pulledWhenFull = pulled;
    for (let turn = 0; turn < 50; turn++) await nextTurn();
    assert.equal(pulled, pulledWhenFull, 'no entry was read while stdout waited');
    assert.ok(pulled < count, `the listing stopped early (${pulled} of ${count} read)`);

    released = true;
    full = false;
    release?.();
    assert.equal(await run, 0);
    assert.equal(pulled, count);
    assert.equal(chunks.join('').trimEnd().split('\n').length, count);
  });
});
