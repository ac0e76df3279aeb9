#!/usr/bin/env node
// Bundles the stereo engine's render worker (packages/stereo-engine/src/convert/render-worker.ts
// and what it imports) into one CommonJS file, packages/stereo-engine/dist/convert/render-worker.cjs,
// with esbuild (a dev dependency). A worker started from it needs no TypeScript loader: each render
// worker then starts in about a third of the CPU of one that loads tsx and its sources, and a
// conversion starts its workers anew (every segment of a job). Run by scripts/bootstrap.mjs, so
// `npm start` and `npm test` build it on a fresh clone.
//
// Next to the bundle, render-worker.inputs.json records the SHA-256 of every source it was built
// from; the engine uses the bundle only while those sources are unchanged, else it starts the
// TypeScript worker through tsx (render-pool.ts), so an edited source never runs stale code.
// The bundle sits at the same depth below the package as src/convert, so the paths the sources
// derive from __dirname (dist/kernels.wasm) hold in it too.
// On failure it says so and exits 0 unless --strict: the engine then starts the TypeScript worker.
//
// Usage: node scripts/build-render-worker.mjs [--strict]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = path.join(root, 'packages/stereo-engine');
const entry = path.join(packageDir, 'src/convert/render-worker.ts');
const output = path.join(packageDir, 'dist/convert/render-worker.cjs');
const manifest = path.join(packageDir, 'dist/convert/render-worker.inputs.json');
const strict = process.argv.includes('--strict');

function say(message) {
  console.log(`[build-render-worker] ${message}`);
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** True when the bundle exists and every source it records is unchanged. */
function current() {
  if (!existsSync(output) || !existsSync(manifest)) return false;
  try {
    const { inputs } = JSON.parse(readFileSync(manifest, 'utf8'));
    return Object.entries(inputs).every(([file, hash]) => {
      const absolute = path.join(packageDir, file);
      return existsSync(absolute) && sha256(absolute) === hash;
    });
  } catch {
    return false;
  }
}

function replaceFile(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

async function build() {
  if (current()) return;
  mkdirSync(path.dirname(output), { recursive: true });
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: output,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: packageDir,
    write: false,
  });
  // Paths relative to the package (esbuild names inputs relative to absWorkingDir).
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs).sort()) {
    if (file.includes('node_modules')) throw new Error(`the render worker bundles a dependency (${file}); only the engine's sources are expected`);
    inputs[file] = sha256(path.join(packageDir, file));
  }
  // Each file replaced whole (a conversion may start a worker meanwhile), the bundle first: a
  // reader then sees the old record with the new bundle at worst, which does not match, so it
  // starts the TypeScript worker.
  replaceFile(output, result.outputFiles[0].contents);
  replaceFile(manifest, `${JSON.stringify({ inputs }, null, 2)}\n`);
  say(`built ${path.relative(root, output)} from ${Object.keys(inputs).length} sources`);
}

try {
  await build();
} catch (error) {
  const message = `could not bundle the render worker; the engine will start it from TypeScript: ${error instanceof Error ? error.message : String(error)}`;
  if (strict) {
    console.error(`[build-render-worker] ${message}`);
    process.exit(1);
  }
  say(message);
}
