/** A plain HTTP client of the web-ui API, as any client would use it (fetch only). */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateJobResponseSchema,
  JobViewSchema,
  type JobStatus,
  type JobView,
  type OutputMode,
  type StereoParams,
} from '@stereo-spot/shared-types';

/** Creates a job (stereo settings left out take the defaults) and uploads `file` to its presigned URL; returns the job id. */
export async function submitJob(
  baseUrl: string,
  file: string,
  mode: OutputMode = 'anaglyph',
  stereo: Partial<StereoParams> = {},
): Promise<string> {
  const size = (await stat(file)).size;
  const response = await fetch(`${baseUrl}/api/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ file_name: path.basename(file), mode, file_size: size, ...stereo }),
  });
  if (response.status !== 201) throw new Error(`POST /api/jobs: ${response.status} ${await response.text()}`);
  const created = CreateJobResponseSchema.parse(await response.json());
  const upload = await fetch(new URL(created.upload.url, baseUrl), {
    method: 'PUT',
    headers: created.upload.headers,
    body: await readFile(file),
  });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  return created.job.job_id;
}

export async function getJob(baseUrl: string, jobId: string): Promise<JobView> {
  const response = await fetch(`${baseUrl}/api/jobs/${jobId}`);
  if (!response.ok) throw new Error(`GET /api/jobs/${jobId}: ${response.status} ${await response.text()}`);
  return JobViewSchema.parse(await response.json());
}

/** Polls the job until its status is one of `statuses` (completed or failed by default). */
export async function waitForJob(
  baseUrl: string,
  jobId: string,
  { statuses = ['completed', 'failed'] as JobStatus[], timeoutMs = 120_000 } = {},
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(baseUrl, jobId);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} is still ${job.status} (${job.progress.stage}) after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function download(baseUrl: string, job: JobView): Promise<Buffer> {
  if (job.download_url === undefined) throw new Error(`job ${job.job_id} has no download URL`);
  const response = await fetch(new URL(job.download_url, baseUrl));
  if (!response.ok) throw new Error(`download: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
