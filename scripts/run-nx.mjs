#!/usr/bin/env node
// Runs the workspace's Nx with the settings every script and CI run needs: no daemon, no cloud,
// no interactive terminal UI. Usage: node scripts/run-nx.mjs <nx arguments...>
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nxBin = path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
if (!existsSync(nxBin)) {
  console.error('Nx is not installed. Run `npm install` (or `npm test`, which installs it) first.');
  process.exit(1);
}
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? '',
};
if (!env.NX_SKIP_NX_CACHE) delete env.NX_SKIP_NX_CACHE;
const result = spawnSync(process.execPath, [nxBin, ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
