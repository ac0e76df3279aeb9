// What the ops tests on both platforms share: a recording OpsIo, job creation and the diagnosis.
import type { JobStore } from '@stereo-spot/pipeline';
import type { Job, JobId } from '@stereo-spot/shared-types';
import { makeJob } from '@stereo-spot/testing';
import type { OpsIo, OpsPlatform } from '../../src/commands/ops/context';
import { diagnoseJob } from '../../src/commands/ops/diagnose';
import { gatherJobFacts } from '../../src/commands/ops/job';

/** An OpsIo that records the printed lines and answers every question with `answer`. */
export function recordingIo(answer: boolean): OpsIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), confirm: () => Promise.resolve(answer) };
}

export async function createJob(jobs: JobStore, overrides: Partial<Job>): Promise<JobId> {
  const job = makeJob({ created_at: Date.now(), ...overrides });
  await jobs.create(job);
  return job.job_id;
}

export async function diagnosisOf(ops: OpsPlatform, jobId: JobId) {
  const facts = await gatherJobFacts(ops, jobId);
  if (facts === undefined) throw new Error('job not found');
  return diagnoseJob(facts);
}
