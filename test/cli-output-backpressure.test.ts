/**
 * Long listings wait for room in their output: a pipe whose reader is slower than kreg must hold
 * the listing back, not fill kreg's memory with everything it has decoded (issue 13's bound).
 */
import assert from 'node:assert/strict';
import { encode } from '../src/index.js';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type CliIo, nodeOutput } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { MemorySource } from '../src/sources/memory-source.js';

const OBJECTS = 40;
/** Each object's data: the listing is larger than the chunks -o ndjson gathers its output in (256 KiB). */
const DATA_BYTES = 16 * 1024;

/** A source of OBJECTS ConfigMaps, and an stdout that says it is full until `release()`. */
function fullPipe(): { source: MemorySource; io: CliIo; written: () => string; waits: () => number; release: () => void } {
  const source = new MemorySource();
  for (let i = 0; i < OBJECTS; i++) {
    const name = `cm-${String(i).padStart(2, '0')}`;
    source.put(
      `/registry/configmaps/shop/${name}`,
      encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', uid: `uid-${i}` }, data: { i: String(i), filler: 'x'.repeat(DATA_BYTES) } }),
    );
  }
  const out: string[] = [];
  let full = true;
  let waits = 0;
  let release: () => void = () => undefined;
  const room = new Promise<void>((resolve) => {
    release = () => {
      full = false;
      resolve();
    };
  });
  const io: CliIo = {
    stdout: {
      write: (chunk) => void out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')),
      isTTY: false,
      columns: undefined,
      ready: () => {
        if (!full) return undefined;
        waits++;
        return room;
      },
    },
    stderr: { write: () => undefined, isTTY: false, columns: undefined },
    stdin: { isTTY: false, readAll: () => Promise.resolve(new Uint8Array()) },
    env: {},
  };
  return { source, io, written: () => out.join(''), waits: () => waits, release };
}

describe('output back-pressure', () => {
  it('nodeOutput: ready() gives a wait while the stream holds megabytes, which ends when it drains', async () => {
    let finishWrite: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        finishWrite = callback;
      },
    });
    const out = nodeOutput(slow as unknown as NodeJS.WriteStream);
    assert.equal(out.ready?.(), undefined, 'an empty stream needs no wait');
    out.write('x'.repeat(64));
    assert.equal(out.ready?.(), undefined, 'a little over the high-water mark: no wait yet');
    out.write('x'.repeat(2 * 1024 * 1024));
    const waiting = out.ready?.();
    assert.ok(waiting !== undefined, 'megabytes held: a wait');
    let drained = false;
    void waiting.then(() => {
      drained = true;
    });
    await nextTurn();
    assert.equal(drained, false, 'still waiting while the write is unfinished');
    // Let the stream finish each pending write in turn (two here) until it drains.
    for (let i = 0; i < 10 && !drained; i++) {
      finishWrite?.();
      await nextTurn();
    }
    await waiting;
    assert.equal(out.ready?.(), undefined);
  });

  it('nodeOutput: a stream closed while kreg waits ends the wait', async () => {
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined });
    const out = nodeOutput(stuck as unknown as NodeJS.WriteStream);
    out.write('x'.repeat(2 * 1024 * 1024));
    const waiting = out.ready?.();
    assert.ok(waiting !== undefined);
    stuck.destroy();
    await waiting;
  });

  for (const args of [
    ['get', 'cm', '-A', '-o', 'ndjson'],
    ['dump', '-A', '--to', '-', '-o', 'ndjson'],
  ]) {
    it(`${args.join(' ')} stops while stdout is full and finishes once it drains`, async () => {
      const pipe = fullPipe();
      const run = main(args, pipe.io, { openSource: () => Promise.resolve(pipe.source) });
      // Let the command run as far as it can (its modules load first): it must come to wait, and
      // stay waiting, with at most part of the listing out (dump writes each object as it goes; get
      // gathers its output into chunks, and this stdout is full before the first is handed over).
      let finished = false;
      void run.then(() => {
        finished = true;
      });
      for (let i = 0; i < 200 && pipe.waits() === 0 && !finished; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(finished, false);
      assert.equal(pipe.waits(), 1);
      const out = pipe
        .written()
        .split('\n')
        .filter((line) => line.includes('"ConfigMap"')).length;
      assert.ok(out < OBJECTS / 2, `${out} objects out while stdout is full`);
      pipe.release();
      assert.equal(await run, 0);
      assert.equal(
        pipe
          .written()
          .split('\n')
          .filter((line) => line.includes('"ConfigMap"')).length,
        OBJECTS,
      );
    });
  }
});
