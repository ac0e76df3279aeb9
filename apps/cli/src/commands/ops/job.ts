/**
 * `stereo-spot ops job <job_id>`: one job's diagnosis, following the runbook's "job stuck"
 * section: status, total_segments, completions, lock, queue and DLQ depths, the stuck step and
 * the exact command that fixes it.
 */
import { Command } from 'commander';
import { inputKey, parseJobId, parseSegmentKey, segmentsPrefix } from '@stereo-spot/shared-types';
import { EXIT_DONE, EXIT_ERROR, runOps, type OpsIo, type OpsPlatform } from './context';
import { diagnoseJob, type Diagnosis, type JobFacts } from './diagnose';
import { readQueueDepths } from './queues';

export async function gatherJobFacts(platform: OpsPlatform, id: string): Promise<JobFacts | undefined> {
  const parsed = parseJobId(id);
  if (!parsed.ok) throw new Error(`not a job id: ${id}`);
  const jobId = parsed.value;
  const job = await platform.jobs.get(jobId);
  if (job === undefined) return undefined;
  const [completions, lock, source, segments, depthList] = await Promise.all([
    platform.segmentCompletions.count(jobId),
    platform.reassemblyTriggered.get(jobId),
    platform.inputStorage.head(inputKey(jobId)),
    platform.inputStorage.list(segmentsPrefix(jobId)),
    readQueueDepths(platform),
  ]);
  const depths = Object.fromEntries(
    depthList.map(({ role, queue, deadLetter }) => [role, { queue, deadLetter }]),
  ) as JobFacts['depths'];
  return {
    job,
    completions,
    ...(lock !== undefined ? { lock } : {}),
    sourceUploaded: source !== undefined,
    ...missingSegmentsOf(segments.map((object) => object.key)),
    depths,
  };
}

function missingSegmentsOf(keys: readonly string[]): { missingSegments?: number[] } {
  const totals = new Set<number>();
  const indices = new Set<number>();
  for (const key of keys) {
    const parsed = parseSegmentKey(key);
    if (!parsed.ok) continue;
    totals.add(parsed.value.totalSegments);
    indices.add(parsed.value.segmentIndex);
  }
  if (totals.size !== 1) return {};
  const [total] = [...totals] as [number];
  const missing: number[] = [];
  for (let index = 0; index < total; index += 1) if (!indices.has(index)) missing.push(index);
  return { missingSegments: missing };
}

export function describeFacts(facts: JobFacts, diagnosis: Diagnosis): string[] {
  const { job } = facts;
  const lock =
    facts.lock === undefined
      ? 'none'
      : `triggered ${new Date(facts.lock.triggered_at).toISOString()}` +
        (facts.lock.reassembly_started_at !== undefined
          ? `, started ${new Date(facts.lock.reassembly_started_at).toISOString()}`
          : ', not started');
  const depth = (role: keyof JobFacts['depths']) => {
    const { queue, deadLetter } = facts.depths[role];
    return `${role} ${queue.visible}/${queue.inFlight}, DLQ ${deadLetter.visible}/${deadLetter.inFlight}`;
  };
  return [
    `job            ${job.job_id} (${job.source_file_name}, ${job.mode})`,
    `status         ${job.status}${job.error !== undefined ? ` (${job.error})` : ''}`,
    `created        ${new Date(job.created_at).toISOString()}` +
      (job.updated_at !== undefined ? `, updated ${new Date(job.updated_at).toISOString()}` : ''),
    `total_segments ${job.total_segments ?? '(unset)'}`,
    `completions    ${facts.completions}`,
    `source         ${facts.sourceUploaded ? 'uploaded' : 'not uploaded'}`,
    `segments       ${facts.missingSegments === undefined ? 'none' : facts.missingSegments.length === 0 ? 'all uploaded' : `missing ${facts.missingSegments.join(', ')}`}`,
    `lock           ${lock}`,
    `queues         ${depth('chunking')}; ${depth('video-worker')}; ${depth('reassembly')} (visible/in flight)`,
    `step           ${diagnosis.step}${diagnosis.stuck ? ' (STUCK)' : ''}`,
    `why            ${diagnosis.explanation}`,
    `fix            ${diagnosis.fix ?? (diagnosis.stuck ? '' : '(none needed: the step is under way or finished)')}`,
  ];
}

export async function showJob(platform: OpsPlatform, io: OpsIo, id: string): Promise<number> {
  const facts = await gatherJobFacts(platform, id);
  if (facts === undefined) {
    io.out(`job ${id} not found`);
    return EXIT_ERROR;
  }
  for (const line of describeFacts(facts, diagnoseJob(facts))) io.out(line);
  return EXIT_DONE;
}

export function jobCommand(): Command {
  return new Command('job')
    .description('Diagnose one job: where it is, which step is stuck and the command that fixes it.')
    .argument('<job_id>')
    .action((jobId: string) => runOps(true, (platform, io) => showJob(platform, io, jobId)));
}
