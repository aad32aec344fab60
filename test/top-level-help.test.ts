/**
 * `kreg --help` is laid out without yargs (src/cli/top-level-help.ts); it must read exactly as the
 * help yargs builds from the same commands, at every terminal width kreg wraps help to.
 */
import assert from 'node:assert/strict';
import type { CliIo } from '../src/cli/io.js';
import { parse } from '../src/cli/parser.js';
import { topLevelHelp } from '../src/cli/top-level-help.js';
import { wrapText } from '../src/cli/help-layout.js';
import { runKreg } from './support/run-cli.js';

function ioOfWidth(columns: number): CliIo {
  const sink = { write: () => undefined, isTTY: true, columns };
  return { stdout: sink, stderr: sink, stdin: process.stdin, env: {} } as unknown as CliIo;
}

describe('top-level help without yargs', function () {
  it('matches yargs at every width from 20 to 120 columns', async function () {
    for (let width = 20; width <= 120; width++) {
      const ctx = { io: ioOfWidth(width), exitCode: 0, debug: false, openSource: () => Promise.reject(new Error('not used')) };
      const fromYargs = await parse(ctx, ['--help']);
      assert.equal(topLevelHelp(width), fromYargs, `at ${width} columns`);
    }
  });

  it('is what kreg --help and kreg -h print, and yargs still answers kreg get --help', async function () {
    const help = await runKreg(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout.toString(), /^kreg <command> \[options\]\n\nShows what Kubernetes/);
    assert.match(help.stdout.toString(), /^ {2}kreg get \[resource\] \[names\.\.\] +Read objects/m);
    assert.equal((await runKreg(['-h'])).stdout.toString(), help.stdout.toString());
    assert.equal((await runKreg(['help'])).stdout.toString(), help.stdout.toString());
    const get = await runKreg(['get', '--help']);
    assert.match(get.stdout.toString(), /--selector/);
  });

  it('wraps words as wrap-ansi does, breaking only words longer than a line', function () {
    assert.deepEqual(wrapText('one two three', 7), ['one two', 'three']);
    assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapText('ab cdefghij', 4), ['ab', 'cdef', 'ghij']);
    assert.deepEqual(wrapText('a\n\nb', 10), ['a', '', 'b']);
  });
});
