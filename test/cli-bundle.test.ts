/**
 * The binary runs the esbuild bundle in dist/cli/ (scripts/build-cli.ts), the other tests run
 * tsc's dist/src: the bundle must behave the same, and must keep start-up light (nothing from
 * node_modules evaluated before a command asks for it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import type { CliIo, OutputStream } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { REPO_ROOT } from './support/shared-data.js';

const CLI_DIR = `${REPO_ROOT}dist/cli/`;

type Main = typeof main;

async function run(entry: Main, args: string[], columns: number | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (chunks: string[], cols: number | undefined): OutputStream => ({
    write: (chunk) => void chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')),
    isTTY: cols !== undefined,
    columns: cols,
  });
  const io: CliIo = {
    stdout: stream(out, columns),
    stderr: stream(err, undefined),
    stdin: { isTTY: false, readAll: () => Promise.resolve(new Uint8Array()) },
    env: { ...process.env },
  };
  const code = await entry(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The chunks a bundle file imports statically, and theirs: what is compiled and run at start-up. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(`${CLI_DIR}${file}`, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)";$/gms)) {
    const spec = m[1] as string;
    if (spec.startsWith('./')) staticClosure(spec.slice(2), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('the binary bundle (dist/cli)', function () {
  let bundled: Main;
  before(async function () {
    bundled = ((await import(`${CLI_DIR}kreg.mjs`)) as { main: Main }).main;
  });

  const cases: [string[], number | undefined][] = [
    [['--help'], undefined],
    [['--help'], 80],
    [['--version'], undefined],
    [['keys', '--help'], undefined],
    [['get', '--help'], 120],
    [['diff', '--help'], undefined],
    [['decode', 'examples/deployment.pb'], undefined],
    [['decode', '-o', 'json', 'examples/deployment.pb'], undefined],
    [['ls', '--snapshot', 'examples/demo-cluster.db'], undefined],
    [['get', 'deployments', '-A', '--snapshot', 'examples/demo-cluster.db'], undefined],
    [['keys', 'for', 'pods', 'web-0', '-n', 'shop'], undefined],
    [['frobnicate'], undefined],
    [['get', '-o'], undefined],
    [[], undefined],
  ];
  for (const [args, columns] of cases) {
    it(`prints what dist/src prints for kreg ${args.join(' ')}${columns === undefined ? '' : ` (${columns} columns)`}`, async function () {
      const cwd = process.cwd();
      process.chdir(REPO_ROOT);
      try {
        assert.deepEqual(await run(bundled, args, columns), await run(main, args, columns));
      } finally {
        process.chdir(cwd);
      }
    });
  }

  it('loads nothing from node_modules at start-up: yargs with the commands, gRPC and the rest when used', function () {
    const loaded = staticClosure('kreg.mjs');
    const packages = [...loaded].filter((spec) => !spec.endsWith('.mjs') && !spec.startsWith('node:') && !builtinModules.includes(spec));
    assert.deepEqual(packages, []);
    const bundledPackages = [...loaded].filter((f) => f.endsWith('.mjs')).flatMap((f) => [...readFileSync(`${CLI_DIR}${f}`, 'utf8').matchAll(/^\/\/ node_modules\/(\S+)/gm)].map((m) => m[1]));
    assert.deepEqual(bundledPackages, []);
  });
});
