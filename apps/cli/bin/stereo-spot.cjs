#!/usr/bin/env node
// The `stereo-spot` command. It runs dist/cli.cjs, the one-file build of the TypeScript sources
// (scripts/build-bundles.mjs, run by the bootstrap behind `npm start` and `npm test`), in this
// process: no TypeScript loader, a start in a fraction of the CPU. The bundle is used only while
// every source it was built from is unchanged (its inputs.json records their SHA-256); otherwise
// the sources run through tsx in a child Node started with `--import tsx` (instead of registering
// tsx in this process), so worker_threads and child processes of the CLI inherit the loader too.
'use strict';
const path = require('node:path');
const { CLI_BUNDLE, bundleIsCurrent } = require('./bundle.cjs');

if (bundleIsCurrent(CLI_BUNDLE)) {
  // Stack traces then name the TypeScript sources, not lines of the bundle.
  process.setSourceMapsEnabled(true);
  require(CLI_BUNDLE.bundle);
} else {
  runSources();
}

function runSources() {
  const { spawn } = require('node:child_process');
  const main = path.join(__dirname, '..', 'src', 'main.ts');
  // Resolved from this file, not the caller's directory, so the command works from anywhere.
  const tsxLoader = require('node:url').pathToFileURL(require.resolve('tsx')).href;
  // `--` ends Node's own options: the command's (e.g. `ops --env-file`) are never read as Node's.
  const child = spawn(process.execPath, ['--import', tsxLoader, '--', main, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  // Ctrl-C reaches the child through the terminal's process group; for signals sent to this
  // process alone (kill <pid>), pass them on. The child decides how to shut down.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 1) : 1);
  });
}
