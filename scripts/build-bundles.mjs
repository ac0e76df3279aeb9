#!/usr/bin/env node
// Bundles the TypeScript entry points that must start fast into one CommonJS file each, with
// esbuild (a dev dependency), so they run without a TypeScript loader:
//   - the `stereo-spot` command (apps/cli/src/main.ts -> apps/cli/dist/cli.cjs): the bin runs it
//     in-process; without it every command pays for tsx and for compiling its sources at start
//     (about 0.6 s of CPU before a `convert` decodes its first frame);
//   - the stereo engine's render worker (-> packages/stereo-engine/dist/convert/render-worker.cjs):
//     a conversion starts its workers anew (every segment of a job).
// Only the workspace's own sources are bundled; npm dependencies stay `require`s, resolved from
// the bundle's folder at run time (the build checks that each one resolves from there).
// Run by scripts/bootstrap.mjs, so `npm start` and `npm test` build them on a fresh clone.
//
// Next to each bundle, <name>.inputs.json records the SHA-256 of every source it was built from
// (paths relative to the bundle's package); the bundle is used only while those sources are
// unchanged (apps/cli/bin/stereo-spot.cjs, packages/stereo-engine/src/convert/worker-launch.ts),
// so an edited source never runs as stale code: the TypeScript entry starts through tsx instead.
// `__dirname` and `__filename` in a bundled source keep meaning that source's own folder and file
// (rewritten relative to the bundle), so asset paths hold wherever the checkout lies.
// On failure it says so and exits 0 unless --strict: the TypeScript entries then start instead.
//
// Usage: node scripts/build-bundles.mjs [--strict]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

/**
 * `packageDir` is what the manifest's paths are relative to; `allowDependencies` false fails the
 * build if anything from node_modules would be required (the render worker needs none).
 */
const BUNDLES = [
  {
    name: 'the stereo-spot command',
    packageDir: path.join(root, 'apps/cli'),
    entry: 'src/main.ts',
    output: 'dist/cli.cjs',
    manifest: 'dist/cli.inputs.json',
    allowDependencies: true,
  },
  {
    name: 'the render worker',
    packageDir: path.join(root, 'packages/stereo-engine'),
    entry: 'src/convert/render-worker.ts',
    output: 'dist/convert/render-worker.cjs',
    manifest: 'dist/convert/render-worker.inputs.json',
    allowDependencies: false,
  },
];

/** A change to this script rebuilds every bundle (recorded apart from the inputs). */
const BUILDER = sha256(fileURLToPath(import.meta.url));

function say(message) {
  console.log(`[build-bundles] ${message}`);
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** True when the bundle exists, this builder made it, and every source it records is unchanged. */
function current(bundle) {
  const manifest = path.join(bundle.packageDir, bundle.manifest);
  if (!existsSync(path.join(bundle.packageDir, bundle.output)) || !existsSync(manifest)) return false;
  try {
    const { inputs, builder } = JSON.parse(readFileSync(manifest, 'utf8'));
    return (
      builder === BUILDER &&
      Object.entries(inputs).every(([file, hash]) => {
        const absolute = path.join(bundle.packageDir, file);
        return existsSync(absolute) && sha256(absolute) === hash;
      })
    );
  } catch {
    return false;
  }
}

function replaceFile(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Rewrites `__dirname` / `__filename` of each source to its own place, relative to the bundle. */
function sourcePathsPlugin(outputDir) {
  return {
    name: 'source-paths',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text)) return { contents: text, loader: 'ts' };
        const dir = JSON.stringify(path.relative(outputDir, path.dirname(args.path)));
        const file = JSON.stringify(path.relative(outputDir, args.path));
        const header =
          `const __source_dirname = require('node:path').join(__dirname, ${dir});` +
          `const __source_filename = require('node:path').join(__dirname, ${file});`;
        const body = text.replace(/\b__dirname\b/g, '__source_dirname').replace(/\b__filename\b/g, '__source_filename');
        return { contents: `${header}${body}`, loader: 'ts' };
      });
    },
  };
}

/** npm dependencies stay external; the workspace's packages (@stereo-spot/*) are bundled. */
function dependenciesPlugin(bundle, external) {
  return {
    name: 'dependencies',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@stereo-spot/') || args.path.startsWith('node:')) return undefined;
        if (!bundle.allowDependencies) return undefined; // bundled, then refused below
        external.add(args.path);
        return { path: args.path, external: true };
      });
    },
  };
}

async function build(bundle) {
  if (current(bundle)) return;
  const output = path.join(bundle.packageDir, bundle.output);
  mkdirSync(path.dirname(output), { recursive: true });
  const esbuild = await import('esbuild');
  const external = new Set();
  const result = await esbuild.build({
    entryPoints: [path.join(bundle.packageDir, bundle.entry)],
    outfile: output,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: bundle.packageDir,
    plugins: [sourcePathsPlugin(path.dirname(output)), dependenciesPlugin(bundle, external)],
    // Stack traces name the TypeScript sources (the bin enables source maps; the sources are in
    // the checkout, so the map need not carry them).
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
  });
  const requireFromBundle = createRequire(output);
  for (const name of external) {
    try {
      requireFromBundle.resolve(name);
    } catch {
      throw new Error(`${name}, required by ${bundle.name}, does not resolve from ${path.relative(root, path.dirname(output))}`);
    }
  }
  // Paths relative to the package (esbuild names inputs relative to absWorkingDir).
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs).sort()) {
    if (file.includes('node_modules')) throw new Error(`${bundle.name} bundles a dependency (${file}); only the workspace's sources are expected`);
    inputs[file] = sha256(path.join(bundle.packageDir, file));
  }
  // Each file replaced whole (a process may start from it meanwhile), the bundle (after its map) first: a reader
  // then sees the old record with the new bundle at worst, which does not match, so it starts
  // the TypeScript entry.
  const written = (suffix) => result.outputFiles.find((file) => file.path.endsWith(suffix)).contents;
  replaceFile(`${output}.map`, written('.map'));
  replaceFile(output, written('.cjs'));
  replaceFile(path.join(bundle.packageDir, bundle.manifest), `${JSON.stringify({ builder: BUILDER, inputs }, null, 2)}\n`);
  say(`built ${path.relative(root, output)} from ${Object.keys(inputs).length} sources`);
}

let failed = false;
for (const bundle of BUNDLES) {
  try {
    await build(bundle);
  } catch (error) {
    failed = true;
    const message = `could not bundle ${bundle.name}; it will start from TypeScript: ${error instanceof Error ? error.message : String(error)}`;
    if (strict) console.error(`[build-bundles] ${message}`);
    else say(message);
  }
}
if (failed && strict) process.exit(1);
