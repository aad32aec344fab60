// Mocha's spec reporter plus one closing line, "tests: N passed, N failed, N skipped", in the
// plain form CI reads to tell that tests really ran. Loaded by mocha with require(), hence CJS.
'use strict';
const path = require('node:path');
const { Spec } = require(path.join(path.dirname(require.resolve('mocha/package.json')), 'lib/reporters/index.cjs'));

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const { passes, failures, pending, duration } = runner.stats;
      process.stdout.write(`test time: ${((duration ?? 0) / 1000).toFixed(1)} s\n`);
      process.stdout.write(`tests: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = SummaryReporter;
