import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../src/errors';
import { loadConfig } from '../src/load-config';
import { ROLE_ENV_SCHEMAS, ROLES } from '../src/roles';
import { VARIABLES } from '../src/variables';

const AWS_MEDIA_ENV = {
  STEREO_SPOT_PLATFORM: 'aws',
  AWS_REGION: 'eu-west-1',
  INPUT_BUCKET_NAME: 'in',
  OUTPUT_BUCKET_NAME: 'out',
  JOBS_TABLE_NAME: 'jobs',
  SEGMENT_COMPLETIONS_TABLE_NAME: 'completions',
  REASSEMBLY_TRIGGERED_TABLE_NAME: 'triggered',
  CHUNKING_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/chunking',
  REASSEMBLY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/reassembly',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs embedded with no variables at all, with the embedded defaults', () => {
    // Act
    const media = loadConfig('chunking', {});
    const web = loadConfig('web-ui', {});

    // Assess
    expect(media.platform).toEqual({
      kind: 'local',
      home: './.stereo-spot',
      queueVisibilityTimeoutSeconds: 60,
      maxReceiveCount: 3,
    });
    expect(media.consumer).toEqual({ longPollWaitSeconds: 20, shutdownGraceSeconds: 2 });
    expect(media.segmentDurationSeconds).toBe(10);
    expect(web).toMatchObject({ host: '127.0.0.1', port: 8080, maxUploadBytes: 5 * 1024 ** 3 });
    expect(web.authToken).toBeUndefined();
  });

  it('reads AWS chunking with the runbook defaults (300 s segments)', () => {
    // Act
    const config = loadConfig('chunking', { ...AWS_MEDIA_ENV, SQS_LONG_POLL_WAIT_SECONDS: '0' });

    // Assess
    expect(config.platform).toEqual({
      kind: 'aws',
      region: 'eu-west-1',
      resources: {
        INPUT_BUCKET_NAME: 'in',
        JOBS_TABLE_NAME: 'jobs',
        SEGMENT_COMPLETIONS_TABLE_NAME: 'completions',
        REASSEMBLY_TRIGGERED_TABLE_NAME: 'triggered',
        CHUNKING_QUEUE_URL: AWS_MEDIA_ENV.CHUNKING_QUEUE_URL,
        REASSEMBLY_QUEUE_URL: AWS_MEDIA_ENV.REASSEMBLY_QUEUE_URL,
      },
    });
    expect(config.segmentDurationSeconds).toBe(300);
    expect(config.consumer.longPollWaitSeconds).toBe(0);
    expect(config.consumer.shutdownGraceSeconds).toBe(25);
    expect(config.janitor).toEqual({
      intervalMs: 60_000,
      graceMs: 15 * 60_000,
      maxAgeMs: 24 * 3_600_000,
    });
  });

  it('reads the media limits and the ffmpeg idle timeout, with 8K / 120 fps / 3 h / 300 s by default', () => {
    // Act
    const defaults = loadConfig('chunking', {});
    const tuned = loadConfig('chunking', {
      MAX_VIDEO_PIXELS: '2073600',
      MAX_VIDEO_FRAME_RATE: '60',
      MAX_VIDEO_DURATION_SECONDS: '600',
      FFMPEG_IDLE_TIMEOUT_SECONDS: '0',
      INPUT_RETENTION_HOURS: '0',
    });
    const bad = () => loadConfig('chunking', { MAX_VIDEO_FRAME_RATE: '0', MAX_VIDEO_PIXELS: 'big' });

    // Assess
    expect(defaults.mediaLimits).toEqual({ maxPixels: 7680 * 4320, maxFrameRate: 120, maxDurationSeconds: 10_800 });
    expect(defaults.ffmpegIdleTimeoutMs).toBe(300_000);
    expect(tuned.mediaLimits).toEqual({ maxPixels: 1920 * 1080, maxFrameRate: 60, maxDurationSeconds: 600 });
    expect(tuned.ffmpegIdleTimeoutMs).toBe(0);
    expect(tuned.janitor && tuned.janitor.inputRetentionMs).toBeUndefined();
    expect(bad).toThrow(/MAX_VIDEO_FRAME_RATE[\s\S]*MAX_VIDEO_PIXELS|MAX_VIDEO_PIXELS[\s\S]*MAX_VIDEO_FRAME_RATE/);
  });

  it("reads the janitor's settings, and 0 s between sweeps turns it off", () => {
    // Act
    const tuned = loadConfig('chunking', {
      JANITOR_INTERVAL_SECONDS: '30',
      JANITOR_GRACE_MINUTES: '5',
      JOB_MAX_AGE_HOURS: '72',
    });
    const off = loadConfig('chunking', { JANITOR_INTERVAL_SECONDS: '0' });
    const bad = () => loadConfig('chunking', { JANITOR_GRACE_MINUTES: '0', JOB_MAX_AGE_HOURS: 'a day' });

    // Assess
    expect(tuned.janitor).toEqual({
      intervalMs: 30_000,
      graceMs: 5 * 60_000,
      maxAgeMs: 72 * 3_600_000,
      inputRetentionMs: 24 * 3_600_000,
    });
    expect(off.janitor).toBe(false);
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/JANITOR_GRACE_MINUTES[\s\S]*JOB_MAX_AGE_HOURS/);
  });

  it('gives reassembly its own resources: the output bucket and the reassembly queue, not the chunking queue', () => {
    // Act
    const config = loadConfig('reassembly', { ...AWS_MEDIA_ENV, CHUNKING_QUEUE_URL: '' });
    const missingOutput = configError(() => loadConfig('reassembly', { ...AWS_MEDIA_ENV, OUTPUT_BUCKET_NAME: '' }));

    // Assess
    expect(config.platform).toMatchObject({
      kind: 'aws',
      resources: { OUTPUT_BUCKET_NAME: 'out', REASSEMBLY_QUEUE_URL: AWS_MEDIA_ENV.REASSEMBLY_QUEUE_URL },
    });
    expect(config.platform.kind === 'aws' && config.platform.resources.CHUNKING_QUEUE_URL).toBeUndefined();
    expect(config.ffmpegIdleTimeoutMs).toBe(300_000);
    expect(missingOutput.message).toContain('OUTPUT_BUCKET_NAME: missing (required for reassembly on aws)');
  });

  it('names every missing and bad variable in one error', () => {
    // Prepare
    const env = {
      STEREO_SPOT_PLATFORM: 'aws',
      AWS_REGION: 'eu-west-1',
      INPUT_BUCKET_NAME: '',
      SQS_LONG_POLL_WAIT_SECONDS: '30',
      SEGMENT_DURATION_SECONDS: 'five',
      LOG_LEVEL: 'loud',
    };

    // Act
    const error = configError(() => loadConfig('chunking', env));

    // Assess
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      [
        'INPUT_BUCKET_NAME',
        'JOBS_TABLE_NAME',
        'SEGMENT_COMPLETIONS_TABLE_NAME',
        'REASSEMBLY_TRIGGERED_TABLE_NAME',
        'CHUNKING_QUEUE_URL',
        'REASSEMBLY_QUEUE_URL',
        'SQS_LONG_POLL_WAIT_SECONDS',
        'SEGMENT_DURATION_SECONDS',
        'LOG_LEVEL',
      ].sort(),
    );
    expect(error.message).toContain('Invalid configuration for chunking (STEREO_SPOT_PLATFORM=aws)');
    expect(error.message).toContain('SQS_LONG_POLL_WAIT_SECONDS: must be at most 20 (got "30")');
    expect(error.message).toContain('INPUT_BUCKET_NAME: missing (required for chunking on aws)');
  });

  it('accepts the long-poll wait only as an integer from 0 to 20', () => {
    // Act + Assess
    for (const bad of ['-1', '21', '2.5', 'x']) {
      const error = configError(() => loadConfig('video-worker', { SQS_LONG_POLL_WAIT_SECONDS: bad }));
      expect(error.issues).toEqual([expect.objectContaining({ variable: 'SQS_LONG_POLL_WAIT_SECONDS' })]);
    }
    expect(
      loadConfig('video-worker', { SQS_LONG_POLL_WAIT_SECONDS: '20' }).consumer.longPollWaitSeconds,
    ).toBe(20);
  });

  it('rejects an unknown platform', () => {
    // Act
    const error = configError(() => loadConfig('web-ui', { STEREO_SPOT_PLATFORM: 'gcp' }));

    // Assess
    expect(error.issues).toEqual([
      { variable: 'STEREO_SPOT_PLATFORM', problem: 'must be one of local, aws (got "gcp")' },
    ]);
  });

  it('requires the endpoint of the chosen inference backend', () => {
    // Act
    const sagemaker = configError(() => loadConfig('video-worker', { INFERENCE_BACKEND: 'sagemaker' }));
    const http = configError(() => loadConfig('video-worker', { INFERENCE_BACKEND: 'http' }));
    const configured = loadConfig('video-worker', {
      INFERENCE_BACKEND: 'http',
      INFERENCE_HTTP_URL: 'http://127.0.0.1:9000',
    });

    // Assess
    expect(sagemaker.issues).toEqual([
      { variable: 'SAGEMAKER_ENDPOINT_NAME', problem: 'missing (required when INFERENCE_BACKEND=sagemaker)' },
    ]);
    expect(http.issues.map((issue) => issue.variable)).toEqual(['INFERENCE_HTTP_URL']);
    expect(configured.inference).toEqual({ backend: 'http', url: 'http://127.0.0.1:9000' });
    expect(loadConfig('video-worker', {}).inference).toEqual({ backend: 'builtin', engine: {} });
    expect(
      loadConfig('video-worker', {
        BUILTIN_ENGINE_PRESET: 'ultrafast',
        BUILTIN_ENGINE_DEPTH_RESOLUTION: '64',
      }).inference,
    ).toEqual({ backend: 'builtin', engine: { preset: 'ultrafast', depthResolution: 64 } });
  });

  it('makes the AWS video-worker choose its inference backend explicitly', () => {
    // Act
    const error = configError(() =>
      loadConfig('video-worker', { STEREO_SPOT_PLATFORM: 'aws', AWS_REGION: 'us-east-1' }),
    );

    // Assess
    expect(error.issues.map((issue) => issue.variable)).toContain('INFERENCE_BACKEND');
  });

  it('refuses a short auth token and strips a trailing slash from the public URL', () => {
    // Act
    const error = configError(() => loadConfig('web-ui', { WEB_UI_AUTH_TOKEN: 'short' }));
    const web = loadConfig('web-ui', {
      WEB_UI_AUTH_TOKEN: 'a-long-enough-secret',
      PUBLIC_BASE_URL: 'http://box:8080/',
    });

    // Assess
    expect(error.issues.map((issue) => issue.variable)).toEqual(['WEB_UI_AUTH_TOKEN']);
    expect(web.publicBaseUrl).toBe('http://box:8080');
    expect(web.authToken).toBe('a-long-enough-secret');
  });
  it('reads the web-ui limits with documented defaults, and refuses a bad one by name', () => {
    // Act
    const defaults = loadConfig('web-ui', {}).limits;
    const tuned = loadConfig('web-ui', {
      WEB_UI_JOB_CREATIONS_PER_MINUTE: '3',
      WEB_UI_MAX_EVENT_STREAMS_PER_CLIENT: '2',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '5',
      WEB_UI_TRUSTED_PROXY_HOPS: '1',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '305',
    }).limits;
    const error = configError(() => loadConfig('web-ui', { WEB_UI_MAX_EVENT_STREAMS: '0' }));

    // Assess
    expect(defaults).toEqual({
      jobCreationsPerMinute: 30,
      loginFailuresPerMinute: 5,
      maxEventStreams: 200,
      maxEventStreamsPerClient: 20,
      trustedProxyHops: 0,
      uploadIdleTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
    });
    expect(tuned).toMatchObject({
      jobCreationsPerMinute: 3,
      maxEventStreamsPerClient: 2,
      uploadIdleTimeoutMs: 5000,
      trustedProxyHops: 1,
      keepAliveTimeoutMs: 305_000,
    });
    expect(error.message).toContain('WEB_UI_MAX_EVENT_STREAMS');
  });

  it('gives the http backend the inference shared secret, and never shows a bad secret', () => {
    // Prepare
    const http = { INFERENCE_BACKEND: 'http', INFERENCE_HTTP_URL: 'http://gpu:8080' };
    const secret = 'an-inference-secret-of-32-characters-at-least';

    // Act
    const video = loadConfig('video-worker', { ...http, INFERENCE_SHARED_SECRET: secret });
    const short = configError(() => loadConfig('video-worker', { ...http, INFERENCE_SHARED_SECRET: 'too-short-secret' }));
    const shortToken = configError(() => loadConfig('web-ui', { WEB_UI_AUTH_TOKEN: 'short-token' }));

    // Assess
    expect(video.inference).toEqual({ backend: 'http', url: 'http://gpu:8080', sharedSecret: secret });
    expect(short.issues).toEqual([{ variable: 'INFERENCE_SHARED_SECRET', problem: 'must be at least 32 characters' }]);
    expect(short.message).not.toContain('too-short-secret');
    expect(shortToken.message).not.toContain('short-token');
  });
});

describe('README configuration table', () => {
  it('names every variable the configuration reads', () => {
    // Prepare
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

    // Act
    const missing = Object.keys(VARIABLES).filter(
      (name) => !readme.includes(`\`${name}\``) && !(name.endsWith('_DLQ_URL') && readme.includes('`*_DLQ_URL`')),
    );

    // Assess
    expect(missing).toEqual([]);
  });
});

describe('ROLE_ENV_SCHEMAS', () => {
  it('lists, for every role on AWS, the region and only variables the package knows', () => {
    for (const role of ROLES) {
      const spec = ROLE_ENV_SCHEMAS[role].aws;
      expect(spec.required).toContain('AWS_REGION');
      for (const variable of [...spec.required, ...spec.optional]) {
        expect(Object.keys(VARIABLES)).toContain(variable);
      }
    }
  });

  it('is what loadConfig enforces: the required list alone is a valid AWS environment', () => {
    for (const role of ROLES) {
      // Prepare: a plausible value for every required variable
      const env: Record<string, string> = { STEREO_SPOT_PLATFORM: 'aws' };
      for (const variable of ROLE_ENV_SCHEMAS[role].aws.required) {
        env[variable] = variable.endsWith('_URL')
          ? 'https://sqs.example/queue'
          : variable === 'INFERENCE_BACKEND'
            ? 'builtin'
            : 'value';
      }

      // Act + Assess
      expect(() => loadConfig(role, env)).not.toThrow();
      const [first] = ROLE_ENV_SCHEMAS[role].aws.required.filter((v) => v !== 'AWS_REGION');
      if (first !== undefined) {
        expect(() => loadConfig(role, { ...env, [first]: undefined })).toThrow(first);
      }
    }
  });

  it('requires nothing embedded', () => {
    for (const role of ROLES) expect(ROLE_ENV_SCHEMAS[role].local.required).toEqual([]);
  });
});
