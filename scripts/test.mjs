#!/usr/bin/env node
// `npm test`: bootstrap, then lint + typecheck + test for every project through Nx, then one
// closing line that totals the Jest reports. A run that executed no test is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const step = (args) => spawnSync(node, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (step([path.join(root, 'scripts', 'bootstrap.mjs'), '--for', 'test']) !== 0) process.exit(1);

const reports = path.join(root, 'reports', 'jest');
rmSync(reports, { recursive: true, force: true });
const extra = process.argv.slice(2);
const nxStatus = step([
  path.join(root, 'scripts', 'run-nx.mjs'),
  'run-many',
  '-t',
  'lint',
  'typecheck',
  'test',
  '--outputStyle=stream',
  ...extra,
]);

let passed = 0;
let failed = 0;
let suites = 0;
const files = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const report = JSON.parse(readFileSync(path.join(reports, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  suites += report.numTotalTestSuites;
}
console.log(`\nstereo-spot: ${files.length} projects, ${suites} test suites`);
console.log(`tests: ${passed} passed, ${failed} failed`);
if (passed + failed === 0) {
  console.error('No test was executed: that counts as a failure.');
  process.exit(1);
}
process.exit(nxStatus === 0 && failed === 0 ? 0 : 1);
