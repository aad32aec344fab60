/**
 * One-shot workers: a job runs on a worker started for it, or on one started ahead of it
 * (prestartOneShotWorker), which then does not keep the process alive while it waits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { prestartOneShotWorker, startOneShotWorker } from '../src/sources/snapshot/one-shot-worker.js';

const ECHO = new URL('./support/job-echo-worker.js', import.meta.url);

interface Echo {
  job: unknown;
  loadedAt: number;
}

describe('one-shot workers', () => {
  it('runs a job on a worker started for it, its job handed over as a message', async () => {
    const askedAt = Date.now();
    const answer = await startOneShotWorker<Echo>(ECHO, { file: 'a.db', length: 3 }).answer;
    assert.deepEqual(answer?.job, { file: 'a.db', length: 3 });
    assert.ok((answer?.loadedAt ?? 0) >= askedAt, 'its script loaded after the job was asked for');
  });

  it('gives the next job of a script the worker prestarted for it, and the one after a new worker', async () => {
    assert.equal(prestartOneShotWorker(ECHO), true);
    // Asked again before a job took it: still the one worker.
    assert.equal(prestartOneShotWorker(ECHO), true);
    await delay(300);
    const firstAskedAt = Date.now();
    const first = await startOneShotWorker<Echo>(ECHO, 'first').answer;
    assert.equal(first?.job, 'first');
    assert.ok((first?.loadedAt ?? Number.POSITIVE_INFINITY) < firstAskedAt - 100, `loaded ${firstAskedAt - (first?.loadedAt ?? 0)} ms before the job`);
    const secondAskedAt = Date.now();
    const second = await startOneShotWorker<Echo>(ECHO, 'second').answer;
    assert.equal(second?.job, 'second');
    assert.ok((second?.loadedAt ?? 0) >= secondAskedAt, 'a new worker for the second job');
  });

  it('answers undefined (do the job on this thread) when the worker script cannot be loaded, prestarted or not', async () => {
    const missing = new URL('./support/no-such-worker.js', import.meta.url);
    assert.equal(await startOneShotWorker(missing, 'job').answer, undefined);
    assert.equal(prestartOneShotWorker(missing), true);
    await delay(300);
    assert.equal(await startOneShotWorker(missing, 'job').answer, undefined);
  });

  it('lets a process whose prestarted worker got no job exit on its own', () => {
    const moduleUrl = new URL('../src/sources/snapshot/one-shot-worker.js', import.meta.url).href;
    const script = `const { prestartOneShotWorker } = await import(${JSON.stringify(moduleUrl)}); console.log(prestartOneShotWorker(new URL(${JSON.stringify(ECHO.href)})));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, cwd: fileURLToPath(new URL('.', import.meta.url)) });
    assert.equal(run.error, undefined, 'it exited before the timeout');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'true');
  });
});
