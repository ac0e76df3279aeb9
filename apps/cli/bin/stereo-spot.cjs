#!/usr/bin/env node
// The `stereo-spot` command. The sources are TypeScript, run through tsx; starting a child Node
// with `--import tsx` (instead of registering tsx in this process) means worker_threads and
// child processes of the CLI inherit the loader too.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

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
