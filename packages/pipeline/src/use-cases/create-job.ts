import {
  CreateJobRequestSchema,
  describeZodError,
  inputKey,
  toJobId,
  type Job,
  type PresignedUpload,
} from '@stereo-spot/shared-types';
import type { Clock, IdGenerator } from '../ports/clock';
import type { PipelinePorts } from '../ports/platform';
import { InvalidRequestError } from '../errors';

export interface CreateJobDeps extends Pick<PipelinePorts, 'jobs' | 'inputStorage'> {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly maxUploadBytes: number;
  /** How long the upload URL stays valid. */
  readonly uploadUrlTtlSeconds: number;
}

export interface CreatedJob {
  readonly job: Job;
  readonly upload: PresignedUpload;
}

/**
 * `POST /api/jobs`: validates the request, stores the Job (`created`) and returns a presigned PUT
 * for `input/{job_id}/source.mp4`. Throws InvalidRequestError with a readable message for a bad
 * request or a file over the upload limit.
 */
export async function createJob(deps: CreateJobDeps, request: unknown): Promise<CreatedJob> {
  const parsed = CreateJobRequestSchema.safeParse(request);
  if (!parsed.success) throw new InvalidRequestError(describeZodError(parsed.error));
  const valid = parsed.data;
  if (valid.file_size === undefined && deps.inputStorage.uploadSizeMustBeAnnounced === true) {
    throw new InvalidRequestError(
      'file_size: required: the upload URL is signed for the exact size of the file (this storage cannot cap an upload otherwise)',
    );
  }
  if (valid.file_size !== undefined && valid.file_size > deps.maxUploadBytes) {
    throw new InvalidRequestError(
      `file_size: ${valid.file_size} bytes is over the upload limit of ${deps.maxUploadBytes} bytes`,
    );
  }

  const now = deps.clock.now();
  const job: Job = {
    job_id: toJobId(deps.ids.newJobId()),
    mode: valid.mode,
    status: 'created',
    created_at: now,
    updated_at: now,
    stereo: {
      divergence: valid.divergence,
      convergence: valid.convergence,
      anaglyph_method: valid.anaglyph_method,
    },
    source_file_name: valid.file_name,
  };
  await deps.jobs.create(job);
  const presigned = await deps.inputStorage.presignPut(inputKey(job.job_id), {
    expiresInSeconds: deps.uploadUrlTtlSeconds,
    maxBytes: deps.maxUploadBytes,
    // The announced size binds the URL where the platform can (S3 signs Content-Length).
    ...(valid.file_size !== undefined ? { contentLength: valid.file_size } : {}),
  });
  return {
    job,
    upload: {
      url: presigned.url,
      method: 'PUT',
      headers: { ...presigned.headers },
      expires_at: presigned.expiresAt,
      max_bytes: deps.maxUploadBytes,
    },
  };
}
