#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when they are missing or stale, builds the
// stereo engine's WebAssembly kernels (scripts/build-wasm.mjs) and makes
// sure the system tools are present (ffmpeg/ffprobe always; for tests also Chromium and the AWS
// emulator). As root on Debian it installs missing tools with apt-get; otherwise it names them.
// Uses only Node built-ins because it runs before `npm install`.
//
// Usage: node scripts/bootstrap.mjs --for start|test
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';

function say(message) {
  console.log(`[bootstrap] ${message}`);
}

function fail(message) {
  console.error(`\n[bootstrap] ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

function commandWorks(command, args = ['-version']) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node.js ${process.versions.node} is too old: stereo-spot needs Node.js 20.19 or newer.`);
  }
}

function ensureNpmDependencies() {
  const lockFile = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.stereo-spot-installed');
  const lockHash = existsSync(lockFile)
    ? createHash('sha256')
        .update(readFileSync(lockFile))
        .update(readFileSync(path.join(root, 'package.json')))
        .digest('hex')
    : 'no-lock';
  if (existsSync(marker) && readFileSync(marker, 'utf8') === lockHash) return;
  const fresh = !existsSync(path.join(root, 'node_modules'));
  const args = fresh && existsSync(lockFile) ? ['ci'] : ['install'];
  say(`installing npm dependencies (npm ${args[0]}); better-sqlite3 may compile for a minute...`);
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  if (!run('npm', [...args, '--no-audit', '--no-fund'], { env }))
    fail('npm could not install the dependencies (see above).');
  writeFileSync(marker, lockHash);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = commandWorks('apt-get', ['--version']);
let aptUpdated = false;

function aptInstall(packages) {
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    aptUpdated = true;
  }
  return run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Ensures a system tool exists; installs its Debian package as root, else fails naming it. */
function ensureTool({ name, works, debianPackages, hint }) {
  if (works()) return;
  if (isRoot && hasApt && debianPackages.length > 0) {
    say(`${name} is missing: apt-get install -y ${debianPackages.join(' ')}`);
    if (aptInstall(debianPackages) && works()) return;
    fail(`${name} could not be installed with apt-get (see above). ${hint}`);
  }
  fail(`${name} is missing. ${hint}`);
}

checkNode();
ensureNpmDependencies();
// The engine's WebAssembly SIMD kernels, from source (a no-op when current; on failure the engine
// runs its TypeScript kernels and says so).
run(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs')]);
// The stereo-spot command and the engine's render worker as one JavaScript file each: they start
// without loading tsx (a no-op when current; without them the TypeScript entries start).
run(process.execPath, [path.join(root, 'scripts', 'build-bundles.mjs')]);

const ffmpegBinary = process.env.FFMPEG_PATH || 'ffmpeg';
const ffprobeBinary = process.env.FFPROBE_PATH || 'ffprobe';
ensureTool({
  name: 'ffmpeg/ffprobe',
  works: () => commandWorks(ffmpegBinary) && commandWorks(ffprobeBinary),
  debianPackages: ['ffmpeg'],
  hint: 'Install it with your package manager (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`, macOS: `brew install ffmpeg`) or set FFMPEG_PATH and FFPROBE_PATH.',
});

if (purpose === 'test') {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  ensureTool({
    name: 'Chromium (browser tests)',
    works: () => existsSync(chromium),
    debianPackages: ['chromium'],
    hint: "Install Debian's `chromium` package (`sudo apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium binary.",
  });
  ensureTool({
    name: 'moto_server (AWS emulator for the AWS adapter tests)',
    works: () =>
      commandWorks('moto_server', ['--help']) || commandWorks('python3', ['-m', 'moto.server', '--help']),
    debianPackages: [],
    hint: "Install it with `pip install 'moto[server]>=5.2,<6'` (it must provide `moto_server` or `python3 -m moto.server`).",
  });
}
say(`ready for ${purpose}`);
