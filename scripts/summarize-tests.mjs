// Reads Vitest's JSON report and prints the closing line CI reads:
// "N passed, N failed". A missing report (type-check or lint failed before the
// tests ran) and a suite that failed to load each count as a failure, so CI
// never mistakes a broken run for a green one.
import { readFileSync, existsSync } from 'node:fs';

const path = process.argv[2] ?? '.vitest-results.json';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const passed = report.numPassedTests ?? 0;
let failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
if (report.success === false && failed === 0) failed = 1;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
