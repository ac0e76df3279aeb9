/**
 * esbuild bundles of the apps: one CommonJS file per app, for the container images and the
 * Lambda zip. The same function runs in the Dockerfiles' build stage, at synth (the Lambda) and
 * in the tests, so what is tested is what ships.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync, type BuildFailure } from 'esbuild';
import { AwsInfraError } from '../errors';

/** The repository root (this file is packages/aws-infra/src/bundle/bundle.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** Node.js major version of the Lambda runtime and the images. */
export const NODE_TARGET = 'node22';

/**
 * What gets bundled: the `stereo-spot` CLI (the composition root: each image runs
 * `stereo-spot worker <role>` with STEREO_SPOT_PLATFORM=aws) and the Lambda handler.
 */
export const BUNDLED_APPS = ['cli', 'reassembly-trigger'] as const;
export type BundledApp = (typeof BUNDLED_APPS)[number];

/**
 * Entry candidates per bundle, first existing wins (paths from the repository root). The Lambda's
 * module exports `handler`; until apps/reassembly-trigger/src/lambda.ts exists, its index is used.
 */
export const APP_ENTRY_CANDIDATES: Readonly<Record<BundledApp, readonly string[]>> = {
  cli: ['apps/cli/src/main.ts'],
  'reassembly-trigger': ['apps/reassembly-trigger/src/lambda.ts', 'apps/reassembly-trigger/src/index.ts'],
};

/** The entry file of an app, or an AwsInfraError naming the paths that were tried. */
export function resolveAppEntry(app: BundledApp, root = REPO_ROOT): string {
  const candidates = APP_ENTRY_CANDIDATES[app];
  for (const candidate of candidates) {
    const file = path.join(root, candidate);
    if (existsSync(file)) return file;
  }
  throw new AwsInfraError(
    'BUNDLE_FAILED',
    `no entry point for ${app}: none of ${candidates.join(', ')} exists`,
  );
}

export interface BundleResult {
  readonly entry: string;
  readonly outfile: string;
  readonly bytes: number;
}

/**
 * Bundles `entry` and everything it imports (workspace packages through tsconfig paths, npm
 * packages from node_modules) into `outfile`. better-sqlite3 is replaced by a stub that throws
 * when used: on AWS the apps use the AWS adapters, and the native module is not shipped.
 */
export function bundleNodeApp(entry: string, outfile: string): BundleResult {
  mkdirSync(path.dirname(outfile), { recursive: true });
  try {
    buildSync({
      entryPoints: [entry],
      outfile,
      absWorkingDir: REPO_ROOT,
      bundle: true,
      platform: 'node',
      target: NODE_TARGET,
      format: 'cjs',
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
      legalComments: 'linked',
      tsconfig: path.join(REPO_ROOT, 'tsconfig.base.json'),
      alias: { 'better-sqlite3': './packages/aws-infra/src/bundle/unavailable-better-sqlite3.cjs' },
      logLevel: 'silent',
    });
  } catch (error) {
    const failure = error as BuildFailure;
    const details = (failure.errors ?? [])
      .slice(0, 5)
      .map((message) => `  ${message.location?.file ?? ''}:${message.location?.line ?? ''} ${message.text}`)
      .join('\n');
    throw new AwsInfraError(
      'BUNDLE_FAILED',
      `esbuild could not bundle ${entry}:\n${details || String(error)}`,
    );
  }
  writeDevLoaderStub(path.dirname(outfile));
  return { entry, outfile, bytes: statSync(outfile).size };
}

/**
 * The builtin stereo engine resolves tsx's CommonJS hook when its module loads (to start its
 * TypeScript worker threads). tsx is a development loader and is not shipped, so a resolvable
 * stand-in sits next to the bundle: resolving it succeeds, loading it (only a worker thread of the
 * builtin engine would) fails with this message. The AWS images never run the builtin engine.
 */
function writeDevLoaderStub(dir: string): void {
  const stub = path.join(dir, 'node_modules', 'tsx');
  mkdirSync(stub, { recursive: true });
  writeFileSync(
    path.join(stub, 'package.json'),
    `${JSON.stringify({ name: 'tsx', version: '0.0.0-unavailable', private: true, exports: { './cjs': './cjs.cjs' } }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(stub, 'cjs.cjs'),
    "throw new Error('tsx is not part of this bundle: the builtin engine\\'s worker threads need the sources; use the sagemaker or http backend');\n",
  );
}
