import { inputKey } from '@stereo-spot/shared-types';
import { createJob } from '../../src/use-cases/create-job';
import { InvalidRequestError } from '../../src/errors';
import { memoryPlatform, type MemoryPlatform } from '../../src/testing';
import { JOB } from './support';

describe('createJob', () => {
  const deps = (platform: MemoryPlatform) => ({
    ...platform,
    ids: { newJobId: () => JOB },
    maxUploadBytes: 1000,
    uploadUrlTtlSeconds: 600,
  });

  it('stores a created job with the defaults and returns a presigned upload for its input key', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    const created = await createJob(deps(platform), { file_name: 'clip.mp4' });

    // Assess
    expect(created.job).toMatchObject({
      job_id: JOB,
      status: 'created',
      mode: 'anaglyph',
      stereo: { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' },
      source_file_name: 'clip.mp4',
    });
    expect(await platform.jobs.get(JOB)).toEqual(created.job);
    expect(created.upload).toMatchObject({ method: 'PUT', max_bytes: 1000 });
    expect(created.upload.url).toContain(inputKey(JOB));
    expect(platform.inputStorage.presignedPuts[0]?.options).toEqual({
      expiresInSeconds: 600,
      maxBytes: 1000,
    });
  });

  it('binds the upload URL to the announced file size', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    await createJob(deps(platform), { file_name: 'clip.mp4', file_size: 640 });

    // Assess
    expect(platform.inputStorage.presignedPuts[0]?.options).toEqual({
      expiresInSeconds: 600,
      maxBytes: 1000,
      contentLength: 640,
    });
  });

  it('requires file_size where the storage can bind only an exact upload size (S3)', async () => {
    // Prepare
    const platform = memoryPlatform();
    Object.assign(platform.inputStorage, { uploadSizeMustBeAnnounced: true });

    // Act
    const creating = createJob(deps(platform), { file_name: 'clip.mp4' });

    // Assess
    await expect(creating).rejects.toThrow(/^file_size: required: /);
    expect(platform.jobs.jobs.size).toBe(0);
    expect(platform.inputStorage.presignedPuts).toEqual([]);
  });

  it('refuses a bad request and an oversized file with readable messages, storing nothing', async () => {
    // Prepare
    const platform = memoryPlatform();

    // Act
    const badMode = createJob(deps(platform), { file_name: 'a.mp4', mode: 'hologram' });
    const tooBig = createJob(deps(platform), { file_name: 'a.mp4', file_size: 1001 });
    const slash = createJob(deps(platform), { file_name: '../a.mp4' });

    // Assess
    await expect(badMode).rejects.toThrow(InvalidRequestError);
    await expect(badMode).rejects.toThrow(/^mode: /);
    await expect(tooBig).rejects.toThrow('file_size: 1001 bytes is over the upload limit of 1000 bytes');
    await expect(slash).rejects.toThrow('file_name must not contain slashes');
    expect(platform.jobs.jobs.size).toBe(0);
  });
});
