#!/usr/bin/env node
// Bundles the inference server into one CommonJS file for the SageMaker image (no TypeScript
// runtime, no node_modules there), plus the build's offline conversion check (offline-check.cjs).
// Usage: node apps/inference-server/scripts/bundle.mjs <outdir>
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist/inference-server');

const result = await build({
  entryPoints: {
    main: path.join(root, 'apps/inference-server/src/main.ts'),
    'offline-check': path.join(root, 'apps/inference-server/src/offline-check.ts'),
  },
  outdir,
  outExtension: { '.js': '.cjs' },
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
console.log(
  `bundled inference-server into ${path.relative(root, outdir)}/main.cjs and offline-check.cjs (${(bytes / 1024).toFixed(0)} KiB)`,
);
