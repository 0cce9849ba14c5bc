// Prints one plain closing line, `tests: N passed, N failed[, N skipped]`, that CI tools can read.
// Jest's own summary ends with "Ran all test suites." after every reporter ran, so this line is
// printed on process exit, when nothing else writes any more.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suffix = skipped > 0 ? `, ${skipped} skipped` : '';
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests + results.numRuntimeErrorTestSuites} failed${suffix}\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
