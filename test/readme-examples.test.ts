/**
 * The README's library examples run as written: each ```js block of the "## Library" section is
 * run by node from the repository root, importing kreg by its package name (so through the
 * exports map), against the sample data in examples/. The etcd example needs no etcd: without
 * one it reports EtcdUnavailableError, as the example handles it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/shared-data.js';

function libraryExamples(): { title: string; code: string }[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'), readme.indexOf('\n## ', readme.indexOf('\n## Library\n') + 1));
  const examples: { title: string; code: string }[] = [];
  let title = '';
  for (const match of section.matchAll(/^### (.*)$|^```js\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== undefined) title = match[1];
    else examples.push({ title, code: match[2] as string });
  }
  return examples;
}

describe('README library examples', function () {
  this.timeout(30_000);
  const examples = libraryExamples();

  it('has one per entry', function () {
    assert.deepEqual(
      examples.map((example) => example.title.split(':')[0]),
      ['`kreg`', '`kreg/keys`', '`kreg/snapshot`', '`kreg/etcd`', '`kreg/sources`'],
    );
  });

  for (const { title, code } of examples) {
    it(`runs: ${title}`, function () {
      // An address nothing listens on, so the etcd example fails fast and the same way everywhere.
      const env = { ...process.env, ETCDCTL_ENDPOINTS: '', ETCDCTL_DIAL_TIMEOUT: '1s' };
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', code.replace("'127.0.0.1:2379'", "'127.0.0.1:1'")], { cwd: REPO_ROOT, env, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.notEqual(run.stdout + run.stderr, '', 'the example printed nothing');
    });
  }
});
