#!/usr/bin/env node
// Builds the stereo engine's WebAssembly SIMD kernels (packages/stereo-engine/assembly/kernels.ts,
// AssemblyScript) into packages/stereo-engine/dist/kernels.wasm. Run by scripts/bootstrap.mjs, so
// `npm start` and `npm test` build it on a fresh clone; offline once npm dependencies are in.
// Skips the compile when the source and compiler are unchanged (hash stamp next to the output).
// On failure it says so, removes any earlier build (kernels of an older source must not run) and
// exits 0 unless --strict: the engine then runs its TypeScript kernels.
//
// Usage: node scripts/build-wasm.mjs [--strict]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'packages/stereo-engine/assembly/kernels.ts');
const output = path.join(root, 'packages/stereo-engine/dist/kernels.wasm');
const stamp = `${output}.sha256`;
const strict = process.argv.includes('--strict');

// Kept in one place: the flags are part of the stamp, so changing them rebuilds.
const ascArguments = [
  source,
  '--outFile', output,
  '-O3', '--noAssert',
  '--runtime', 'stub',
  '--importMemory',
  '--enable', 'simd',
  '--noExportMemory',
];

function say(message) {
  console.log(`[build-wasm] ${message}`);
}

async function build() {
  const compilerVersion = JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('assemblyscript/package.json'), 'utf8'),
  ).version;
  const hash = createHash('sha256')
    .update(readFileSync(source))
    .update(compilerVersion)
    .update(ascArguments.join(' '))
    .digest('hex');
  if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  mkdirSync(path.dirname(output), { recursive: true });
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main(ascArguments);
  if (error) throw new Error(`${error.message}\n${stderr.toString()}`);
  writeFileSync(stamp, hash);
  say(`built ${path.relative(root, output)} (AssemblyScript ${compilerVersion})`);
}

try {
  await build();
} catch (error) {
  rmSync(output, { force: true });
  rmSync(stamp, { force: true });
  const message = `could not build the WebAssembly kernels; the engine will use its TypeScript kernels: ${error instanceof Error ? error.message : String(error)}`;
  if (strict) {
    console.error(`[build-wasm] ${message}`);
    process.exit(1);
  }
  say(message);
}
