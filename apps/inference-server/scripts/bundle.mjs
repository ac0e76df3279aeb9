#!/usr/bin/env node
// Bundles the inference server into one CommonJS file for the SageMaker image (no TypeScript
// runtime, no node_modules there). Usage: node apps/inference-server/scripts/bundle.mjs <outdir>
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist/inference-server');

const result = await build({
  entryPoints: [path.join(root, 'apps/inference-server/src/main.ts')],
  outfile: path.join(outdir, 'main.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Resolves the @stereo-spot/* paths of tsconfig.base.json through the app's tsconfig.
  tsconfig: path.join(root, 'apps/inference-server/tsconfig.json'),
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`bundled inference-server into ${path.relative(root, outdir)}/main.cjs (${(bytes / 1024).toFixed(0)} KiB)`);
