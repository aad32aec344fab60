/**
 * The command line as people type it: kubectl habits (-nshop, -oyaml, repeated flags), "-" for
 * standard input, mistakes answered in kubectl's words, help, and shell completion.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
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
});
