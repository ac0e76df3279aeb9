import { AwsInfraError } from '../src/errors';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  assertWebUiExposureAccepted,
  defaultSettings,
  resolveSettings,
  settingEnvName,
  SETTING_KEYS,
} from '../src/settings';

describe('settings', () => {
  it('reads settings.example.json: its "//" explanations are ignored, and it passes the exposure check', () => {
    // Prepare
    const file = JSON.parse(readFileSync(path.join(__dirname, '..', 'settings.example.json'), 'utf8')) as Record<string, unknown>;
    // Act
    const settings = resolveSettings({ file, fileName: 'settings.example.json' });
    // Assess
    expect(Object.keys(file).filter((key) => key.startsWith('//'))).toEqual(
      [
        'sagemaker_max_instance_count',
        'sagemaker_inference_ami_version',
        'ecs_video_worker_max_capacity',
        'certificate_arn',
        'web_ui_auth_secret_arn',
        'allow_public_http_without_auth',
        'input_expiry_days',
      ].map((key) => `// ${key}`),
    );
    expect(settings).toMatchObject({ allow_public_http_without_auth: false, input_expiry_days: 7 });
    expect(() => assertWebUiExposureAccepted(settings)).not.toThrow();
  });

  it('defaults to the documented deployment', () => {
    expect(defaultSettings()).toMatchObject({
      region: 'us-east-1',
      name_prefix: 'stereo-spot',
      inference_backend: 'sagemaker',
      ecs_media_worker_max_capacity: 10,
      segment_duration_seconds: 300,
      sagemaker_instance_type: 'ml.g4dn.xlarge',
      sagemaker_instance_count: 1,
      iw3_env: {},
      state_backend: 'local',
      force_destroy: false,
    });
    expect(defaultSettings().ecs_video_worker_max_capacity).toBeUndefined();
    expect(defaultSettings().ecs_image_tag).toBeUndefined();
    expect(defaultSettings().sagemaker_image_tag).toBeUndefined();
  });

  it('reads the file, then STEREO_SPOT_* variables over it, with numbers, booleans and JSON decoded', () => {
    // Act
    const settings = resolveSettings({
      file: {
        region: 'eu-west-1',
        ecs_video_worker_max_capacity: 4,
        sagemaker_max_instance_count: 6,
        iw3_env: { IW3_LOW_VRAM: '1' },
      },
      env: {
        STEREO_SPOT_ECS_VIDEO_WORKER_MAX_CAPACITY: '12',
        STEREO_SPOT_ECS_IMAGE_TAG: 'abc123',
        STEREO_SPOT_FORCE_DESTROY: 'true',
        STEREO_SPOT_IW3_ENV: '{"IW3_MAX_FPS":"24"}',
        AWS_REGION: 'ap-southeast-2',
      },
    });

    // Assess
    expect(settings).toMatchObject({
      region: 'eu-west-1',
      ecs_video_worker_max_capacity: 12,
      ecs_image_tag: 'abc123',
      force_destroy: true,
      iw3_env: { IW3_MAX_FPS: '24' },
    });
  });

  it('takes the region from AWS_REGION when nothing else names it', () => {
    expect(resolveSettings({ env: { AWS_REGION: 'eu-north-1' } }).region).toBe('eu-north-1');
  });

  it('names every problem at once', () => {
    // Act
    let error: unknown;
    try {
      resolveSettings({
        fileName: 'settings.json',
        file: { inference_backend: 'http', name_prefix: 'Bad_Prefix', typo_setting: 1 },
        env: { STEREO_SPOT_SAGEMAKER_INSTANCE_COUNT: 'two', STEREO_SPOT_STATE_BACKEND: 's3' },
      });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(AwsInfraError);
    const message = (error as AwsInfraError).message;
    expect((error as AwsInfraError).code).toBe('INVALID_SETTINGS');
    expect(message).toContain('settings.json');
    expect(message).toContain('STEREO_SPOT_SAGEMAKER_INSTANCE_COUNT');
    expect(message).toContain('name_prefix');
    expect(message).toContain('typo_setting');
    expect(message).toContain('inference_http_url: is required when inference_backend is http');
    expect(message).toContain('inference_shared_secret_arn: is required when inference_backend is http');
    expect(message).toContain('state_bucket: is required when state_backend is s3');
  });

  it('refuses iw3 variables that are not IW3_* and log retentions CloudWatch does not offer', () => {
    expect(() => defaultSettings({ iw3_env: { PATH: '/tmp' } })).toThrow(/IW3_LOW_VRAM/);
    expect(() => defaultSettings({ log_retention_days: 10 })).toThrow(/must be one of/);
  });

  it('has one environment variable per setting', () => {
    expect(SETTING_KEYS).toContain('ecs_image_tag');
    expect(settingEnvName('ecs_image_tag')).toBe('STEREO_SPOT_ECS_IMAGE_TAG');
  });
});
