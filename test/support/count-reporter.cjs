// Mocha's spec reporter plus one closing line, "N passed, N failed,
// N skipped", which CI reads to count the tests that ran.
'use strict';
const { Spec } = require('mocha').reporters;

class CountReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = CountReporter;
