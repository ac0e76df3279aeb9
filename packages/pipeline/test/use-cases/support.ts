/** What the per-use-case tests share: one job id, a seeded job, text "media", a scratch folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toJobId, type Job, type OutputMode } from '@stereo-spot/shared-types';
import type { ObjectEvents } from '../../src/ports/object-events';
import type { MemoryPlatform } from '../../src/testing';

export const JOB = toJobId('3f2b8c1e-6d4a-4b9e-8f00-1234567890ab');

export const NO_LIMITS = { maxPixels: Infinity, maxFrameRate: Infinity, maxDurationSeconds: Infinity };

/** What the platform reports when `key` is created in the input bucket. */
export function created(key: string): ObjectEvents {
  return { kind: 'objects-created', keys: [key] };
}

/** A text "video" of `count` frames (see TextMedia). */
export function frames(count: number): string {
  return Array.from({ length: count }, (_, i) => `frame${i}`).join('\n');
}

/** Puts job JOB into the store as it is after `patch` (no transition checks: any state a test needs). */
export async function seedJob(
  platform: MemoryPlatform,
  patch: Partial<Job> = {},
  mode: OutputMode = 'sbs',
): Promise<Job> {
  const job: Job = {
    job_id: JOB,
    mode,
    status: 'created',
    created_at: platform.clock.now(),
    stereo: { divergence: 3, convergence: 0.4, anaglyph_method: 'dubois' },
    source_file_name: 'holiday.mov',
    ...patch,
  };
  platform.jobs.jobs.set(JOB, job);
  return job;
}

/** A fresh, empty scratch folder for each test, removed after it; returns its getter. */
export function useScratchDir(): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-test-'));
  });
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('the scratch folder is made for each test: use it inside one');
    return dir;
  };
}
