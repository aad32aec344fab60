/**
 * The command line as people type it: kubectl habits (-nshop, -oyaml, repeated flags), "-" for
 * standard input, mistakes answered in kubectl's words, help, and shell completion.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { separateGluedHints } from '../src/cli/main.js';
import { editDistance, suggestions } from '../src/cli/usage-errors.js';
import { runKreg } from './support/run-cli.js';
import { REPO_ROOT } from './support/shared-data.js';

const demo = `${REPO_ROOT}examples/demo-cluster.db`;
const valueFile = `${REPO_ROOT}examples/deployment.pb`;

describe('kreg command line', function () {
  describe('kubectl-style flags', function () {
    it('takes a namespace glued to -n (-nshop)', async function () {
      const r = await runKreg(['get', 'deploy', '-nshop', '--snapshot', demo]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /^web\s/m);
    });

    it('takes an output format glued to -o (-oname) and after = (-o=yaml)', async function () {
      const name = await runKreg(['get', 'deploy', '-n', 'shop', '-oname', '--snapshot', demo]);
      assert.equal(name.code, 0, name.stderr);
      assert.equal(name.stdout.toString(), 'deployment.apps/web\n');
      const y = await runKreg(['get', 'deploy', 'web', '-n', 'shop', '-o=yaml', '--snapshot', demo]);
      assert.equal(y.code, 0, y.stderr);
      assert.equal((yaml.load(y.stdout.toString()) as { metadata: { name: string } }).metadata.name, 'web');
    });

    it('takes the last of a repeated -o, as kubectl does', async function () {
      const r = await runKreg(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml', '-o', 'json', '--snapshot', demo]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout.toString()) as { kind: string }).kind, 'Deployment');
    });

    it('accepts the same --snapshot and -n twice', async function () {
      const r = await runKreg(['get', 'deploy', '-n', 'shop', '-n', 'shop', '--snapshot', demo, '--snapshot', demo, '-o', 'name']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), 'deployment.apps/web\n');
    });
  });

  describe('"-" for standard input', function () {
    it('kreg decode - reads the value from standard input', async function () {
      const r = await runKreg(['decode', '-'], { input: readFileSync(valueFile) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /^kind: Deployment$/m);
    });

    it('kreg encode - reads the object from standard input', async function () {
      const r = await runKreg(['encode', '-'], { input: readFileSync(`${REPO_ROOT}examples/deployment.yaml`) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.subarray(0, 4).toString('latin1'), 'k8s\0');
    });
  });
  describe("mistakes, answered in kubectl's words", function () {
    async function mistake(args: string[]): Promise<string> {
      const r = await runKreg(args);
      assert.equal(r.code, 1, `kreg ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout.length, 0);
      return r.stderr;
    }

    it('an unknown command, with what it may have meant', async function () {
      assert.equal(await mistake(['gett']), 'kreg: unknown command "gett" for "kreg"\n\nDid you mean this?\n\tget\n\nRun \'kreg --help\' for usage.\n');
      assert.equal(await mistake(['keys', 'fro']), 'kreg: unknown command "fro" for "kreg keys"\n\nDid you mean this?\n\tfor\n\nRun \'kreg keys --help\' for usage.\n');
      assert.equal(await mistake(['frobnicate']), 'kreg: unknown command "frobnicate" for "kreg"\n\nRun \'kreg --help\' for usage.\n');
    });

    it('unknown flags, long and short', async function () {
      assert.equal(await mistake(['get', 'pods', '--foo']), "kreg: unknown flag: --foo\nSee 'kreg get --help' for usage.\n");
      // Not -yaml since get has -l: yargs then reports the l missing its value first (as it does -n in -json).
      assert.equal(await mistake(['get', 'pods', '-wide']), "kreg: unknown shorthand flag: 'w' in -wide\nSee 'kreg get --help' for usage.\n");
      // -yaml starts with a letter kreg has no flag for, though -l (in it) takes a value.
      assert.equal(await mistake(['get', 'pods', '-yaml']), "kreg: unknown shorthand flag: 'y' in -yaml\nSee 'kreg get --help' for usage.\n");
    });

    it('a bad output format lists the good ones', async function () {
      assert.equal(
        await mistake(['get', 'pods', '-o', 'yml']),
        'kreg: invalid output format "yml": use one of yaml, json, name, wide, ndjson, jsonpath=..., jsonpath-file=..., custom-columns=..., custom-columns-file=...\n',
      );
      assert.equal(await mistake(['ls', '--sort', 'big']), 'kreg: invalid value "big" for --sort: use one of size, name, count\n');
    });

    it('missing arguments, flag values and commands; extra arguments; conflicting flags', async function () {
      assert.equal(await mistake(['history']), "kreg: missing <resource>: usage is kreg history <resource> [name]\nSee 'kreg history --help' for usage.\n");
      assert.equal(await mistake(['keys']), 'kreg: missing command: "kreg keys" needs one of explain, for, list\nSee \'kreg keys --help\' for usage.\n');
      assert.equal(await mistake(['get', 'pods', '-n']), "kreg: flag needs an argument: 'n' in -n\nSee 'kreg get --help' for usage.\n");
      assert.equal(await mistake(['get', 'pods', '--snapshot']), "kreg: flag needs an argument: --snapshot\nSee 'kreg get --help' for usage.\n");
      assert.equal(await mistake(['decode', 'a', 'b']), 'kreg: unexpected argument "b"\nSee \'kreg decode --help\' for usage.\n');
      assert.equal(await mistake(['get', '--snapshot', demo, '--endpoints', 'x:1']), "kreg: --snapshot and --endpoints cannot be used together\nSee 'kreg get --help' for usage.\n");
      assert.equal(await mistake([]), "kreg: no command given\nSee 'kreg --help' for usage.\n");
    });

    it('suggests commands within two edits or by prefix', function () {
      assert.equal(editDistance('gett', 'get'), 1);
      assert.deepEqual(suggestions('dif', ['decode', 'diff', 'get']), ['diff']);
      assert.deepEqual(suggestions('snap', ['snapshot', 'ls']), ['snapshot']);
    });
  });

  describe('help', function () {
    it('kreg help and kreg help get print the help of kreg and of get', async function () {
      const top = await runKreg(['help']);
      assert.equal(top.code, 0, top.stderr);
      assert.match(top.stdout.toString(), /^kreg <command> \[options\]/);
      const get = await runKreg(['help', 'get']);
      assert.equal(get.code, 0, get.stderr);
      assert.match(get.stdout.toString(), /^kreg get \[resource\] \[names\.\.\]/);
      const bad = await runKreg(['help', 'gett']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /unknown command "gett"/);
    });

    it('fits 80 columns, words whole and hints apart from descriptions', async function () {
      const r = await runKreg(['get', '--help'], { stdoutColumns: 80 });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.toString().split('\n');
      for (const line of lines) assert.ok(line.length <= 80, `too wide: ${line}`);
      // cliui glues a full description to its hints ("errors[boolean]"); kreg moves them apart.
      for (const line of lines) assert.doesNotMatch(line, /\S\[(string|boolean|default|choices|array)/, line);
      // Words are never split: every word of the --endpoints description is there whole.
      assert.match(r.stdout.toString(), /ETCDCTL_ENDPOINTS\]/);
    });

    it('is 100 columns wide when not on a terminal', async function () {
      const r = await runKreg(['get', '--help']);
      const widths = r.stdout
        .toString()
        .split('\n')
        .map((l) => l.length);
      assert.ok(Math.max(...widths) <= 100 && Math.max(...widths) > 80, `widest line ${Math.max(...widths)}`);
    });

    it('moves glued hints to their own line', function () {
      assert.equal(separateGluedHints('  --debug  print stack traces[boolean]', 40), `  --debug  print stack traces\n${'[boolean]'.padStart(40)}`);
      assert.equal(separateGluedHints('  --debug  print [boolean]', 40), '  --debug  print [boolean]');
    });
  });
  describe('shell completion', function () {
    it('prints a script for bash, zsh and fish that calls the completion entry', async function () {
      for (const shell of ['bash', 'zsh', 'fish']) {
        const r = await runKreg(['completion', shell]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout.toString(), /kreg --get-yargs-completions/, shell);
      }
      assert.match((await runKreg(['completion', 'bash'])).stdout.toString(), /complete .*-F _kreg_completions kreg/);
      const bad = await runKreg(['completion', 'tcsh']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^kreg: invalid <shell> "tcsh": use one of bash, zsh, fish\n$/);
    });

    it('offers commands, then resource names after kreg get, then flag choices', async function () {
      const words = async (...typed: string[]) =>
        (await runKreg(['--get-yargs-completions', 'kreg', ...typed])).stdout
          .toString()
          .split('\n')
          .map((w) => w.split(/[:\t]/)[0]);
      assert.ok((await words('g')).includes('get'));
      const resources = await words('get', 'dep');
      assert.ok(resources.includes('deploy') && resources.includes('deployments'), resources.join(' '));
      assert.ok(!resources.includes('pods'));
      assert.ok((await words('keys', 'for', '')).includes('pods'));
      assert.deepEqual((await words('get', 'pods', '-o', '')).filter(Boolean), ['yaml', 'json', 'name', 'wide', 'ndjson', 'jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file=']);
    });
  });
});
