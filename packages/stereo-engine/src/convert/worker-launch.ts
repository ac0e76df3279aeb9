import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * How a render worker is started: `bundle`, the one-file JavaScript build of render-worker.ts
 * (scripts/build-bundles.mjs, run by the bootstrap), needs no TypeScript loader and starts
 * in about a third of the CPU; `compiled`, a render-worker.js next to this module (a tsc build);
 * `typescript`, the source through tsx's CommonJS hook.
 */
export interface WorkerLaunch {
  readonly kind: 'bundle' | 'compiled' | 'typescript';
  readonly file: string;
  readonly execArgv: string[];
}

/** Where each kind of render worker entry is looked for. */
export interface WorkerEntries {
  readonly bundle: string;
  /** The bundle's record of its sources: `{ inputs: { <path relative to packageDir>: <sha256> } }`. */
  readonly manifest: string;
  readonly packageDir: string;
  readonly compiled: string;
  readonly source: string;
}

const PACKAGE_DIR = path.join(__dirname, '..', '..');

export const RENDER_WORKER_ENTRIES: WorkerEntries = {
  bundle: path.join(PACKAGE_DIR, 'dist', 'convert', 'render-worker.cjs'),
  manifest: path.join(PACKAGE_DIR, 'dist', 'convert', 'render-worker.inputs.json'),
  packageDir: PACKAGE_DIR,
  compiled: path.join(__dirname, 'render-worker.js'),
  source: path.join(__dirname, 'render-worker.ts'),
};

/**
 * True when the bundle exists and every source it was built from is unchanged: an edited source
 * (before the bootstrap rebuilds the bundle) must not run as stale code, so the TypeScript worker
 * starts instead.
 */
export function bundleIsCurrent(entries: WorkerEntries): boolean {
  if (!existsSync(entries.bundle) || !existsSync(entries.manifest)) return false;
  try {
    const { inputs } = JSON.parse(readFileSync(entries.manifest, 'utf8')) as { inputs: Record<string, string> };
    const files = Object.entries(inputs);
    return (
      files.length > 0 &&
      files.every(([file, hash]) => {
        const absolute = path.join(entries.packageDir, file);
        return existsSync(absolute) && createHash('sha256').update(readFileSync(absolute)).digest('hex') === hash;
      })
    );
  } catch {
    return false;
  }
}

/**
 * The fastest way to start a render worker here: the current bundle, else a compiled
 * render-worker.js, else the TypeScript source through tsx (`execArgv: ['--import', 'tsx']` does
 * not load .ts worker entries on Node 20, ERR_UNKNOWN_FILE_EXTENSION; `--require <tsx/cjs>` works
 * on Node 20 and later, under jest, tsx and the CLI). Undefined when none can start (a bundle of
 * the engine without its worker file, no tsx): the caller renders inline.
 */
export function workerLaunchFor(entries: WorkerEntries): WorkerLaunch | undefined {
  if (bundleIsCurrent(entries)) return { kind: 'bundle', file: entries.bundle, execArgv: [] };
  if (existsSync(entries.compiled)) return { kind: 'compiled', file: entries.compiled, execArgv: [] };
  if (!existsSync(entries.source)) return undefined;
  try {
    return { kind: 'typescript', file: entries.source, execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
  } catch {
    return undefined;
  }
}

let defaultLaunch: { launch: WorkerLaunch | undefined } | undefined;

/** workerLaunchFor the engine's own entries, decided once per process (a few file hashes). */
export function renderWorkerLaunch(): WorkerLaunch | undefined {
  defaultLaunch ??= { launch: workerLaunchFor(RENDER_WORKER_ENTRIES) };
  return defaultLaunch.launch;
}
