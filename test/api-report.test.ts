/**
 * The public surface changes only on purpose: api/kreg.api.md (written by `npm run api-report`
 * from the compiled declarations of every package entry) must match what the code exports now,
 * every exported symbol has JSDoc, and every type the surface refers to is exported somewhere.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiReport, publicEntries, REPORT_FILE } from '../scripts/api-report.js';
import { REPO_ROOT } from './support/shared-data.js';

describe('public API report', function () {
  this.timeout(60_000);
  let report: ReturnType<typeof apiReport>;
  before(function () {
    report = apiReport(REPO_ROOT);
  });

  it('covers the five package entries', function () {
    assert.deepEqual(
      publicEntries(REPO_ROOT).map((entry) => entry.specifier),
      ['kreg', 'kreg/keys', 'kreg/sources', 'kreg/snapshot', 'kreg/etcd'],
    );
  });

  it(`matches the committed ${REPORT_FILE}`, function () {
    const committed = readFileSync(join(REPO_ROOT, REPORT_FILE), 'utf8');
    if (committed !== report.text) {
      const want = committed.split('\n');
      const got = report.text.split('\n');
      const line = got.findIndex((text, index) => text !== want[index]);
      assert.fail(
        `the public API differs from ${REPORT_FILE} (first at line ${line + 1}: ${JSON.stringify(got[line])}, committed ${JSON.stringify(want[line])}).\n` +
          `If the change is on purpose, run \`npm run api-report\` and commit ${REPORT_FILE}; otherwise undo the change to the exported declarations.`,
      );
    }
  });

  it('documents every exported symbol with JSDoc', function () {
    assert.deepEqual(report.undocumented, []);
  });

  it('exports every type the public surface refers to', function () {
    assert.deepEqual(report.forgotten, []);
  });
});
