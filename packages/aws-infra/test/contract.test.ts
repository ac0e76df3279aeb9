import { loadConfig, ROLE_ENV_SCHEMAS, VARIABLES, type Role } from '@stereo-spot/config';
import { envNameOfOutput } from '../src/outputs';
import { containerOf, environmentOf, synth, type Synthesized } from './support/synth';

/**
 * The infrastructure and the apps cannot drift apart: every variable a role's configuration
 * schema (@stereo-spot/config, ROLE_ENV_SCHEMAS) requires on AWS is set on that role's task
 * definition (or Lambda), nothing is set that the role does not read, and the result passes the
 * role's own loadConfig once Terraform's references are given plausible values.
 */
/** The roles each ECS service's task runs (its image's `stereo-spot worker <role...>`). */
const ECS_ROLES: Record<string, readonly Role[]> = {
  'web-ui': ['web-ui'],
  'media-worker': ['chunking', 'reassembly'],
  'video-worker': ['video-worker'],
};
/** Set by the runtime rather than by us (Lambda reserves AWS_REGION), or read by Node itself. */
const LAMBDA_RUNTIME_ENV = { AWS_REGION: 'us-east-1' };
const NODE_ONLY = new Set(['NODE_OPTIONS']);

/** What Terraform will put in place of `${...}` references, so zod can check the values' shapes. */
function resolveReferences(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.replace(/\$\{[^}]+\}/g, (reference) =>
        reference.endsWith('.url}')
          ? 'https://sqs.us-east-1.amazonaws.com/123456789012/resolved'
          : 'resolved-name',
      ),
    ]),
  );
}

function roleVariables(...roles: readonly Role[]): Set<string> {
  return new Set(
    roles.flatMap((role) => {
      const spec = ROLE_ENV_SCHEMAS[role].aws;
      return [...spec.required, ...spec.optional, ...spec.conditional.map((c) => c.variable)];
    }),
  );
}

let variants: [string, Synthesized][];
beforeAll(() => {
  variants = [
    [
      'sagemaker',
      synth({
        web_ui_auth_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf',
        max_upload_bytes: 1e9,
      }),
    ],
    ['http', synth({ inference_backend: 'http', inference_http_url: 'http://10.0.0.5:8080' , inference_shared_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:inference-secret-AbCdEf' })],
  ];
});

describe.each(Object.entries(ECS_ROLES))('%s task definition', (app, roles) => {
  it('sets every variable the role requires on AWS, including the conditional ones', () => {
    for (const [variant, stack] of variants) {
      const secrets = ((containerOf(stack, app).secrets ?? []) as { name: string }[]).map((s) => s.name);
      const env = environmentOf(stack, app);
      const present = new Set([...Object.keys(env).filter((name) => env[name] !== ''), ...secrets]);
      const specs = roles.map((role) => ROLE_ENV_SCHEMAS[role].aws);
      const missing = specs.flatMap((spec) => spec.required.filter((name) => !present.has(name)));
      const missingConditional = specs.flatMap((spec) =>
        spec.conditional
          .filter((c) => env[c.when.variable] === c.when.equals && !present.has(c.variable))
          .map((c) => c.variable),
      );
      expect({ variant, missing, missingConditional }).toEqual({
        variant,
        missing: [],
        missingConditional: [],
      });
      expect(env.STEREO_SPOT_PLATFORM).toBe('aws');
    }
  });

  it('sets only variables the role reads', () => {
    for (const [variant, stack] of variants) {
      const unknown = Object.keys(environmentOf(stack, app)).filter(
        (name) => !(name in VARIABLES) || !roleVariables(...roles).has(name),
      );
      expect({ variant, unknown }).toEqual({ variant, unknown: [] });
    }
  });

  it("passes each of its roles' own loadConfig", () => {
    for (const [, stack] of variants) {
      const secrets = Object.fromEntries(
        ((containerOf(stack, app).secrets ?? []) as { name: string }[]).map((s) => [
          s.name,
          'a-token-from-secrets-manager-0123456789abcdef',
        ]),
      );
      for (const role of roles) {
        const config = loadConfig(role, { ...resolveReferences(environmentOf(stack, app)), ...secrets });
        expect(config.platform.kind).toBe('aws');
      }
    }
  });
});

describe('reassembly-trigger Lambda', () => {
  it('sets every required variable (AWS_REGION comes from Lambda) and only what the role reads', () => {
    for (const [variant, stack] of variants) {
      const env = stack.one('aws_lambda_function').body.environment.variables as Record<string, string>;
      const present = new Set([...Object.keys(env), ...Object.keys(LAMBDA_RUNTIME_ENV)]);
      const missing = ROLE_ENV_SCHEMAS['reassembly-trigger'].aws.required.filter(
        (name) => !present.has(name),
      );
      const unknown = Object.keys(env).filter(
        (name) => !NODE_ONLY.has(name) && !roleVariables('reassembly-trigger').has(name),
      );
      expect({ variant, missing, unknown }).toEqual({ variant, missing: [], unknown: [] });
      expect(env).not.toHaveProperty('AWS_REGION');
      const config = loadConfig('reassembly-trigger', { ...resolveReferences(env), ...LAMBDA_RUNTIME_ENV });
      expect(config.platform.kind).toBe('aws');
    }
  });
});

describe('the video-worker inference backend', () => {
  it('is what the settings chose', () => {
    const [[, sagemaker], [, http]] = variants as [[string, Synthesized], [string, Synthesized]];
    expect(
      loadConfig('video-worker', resolveReferences(environmentOf(sagemaker, 'video-worker'))).inference,
    ).toEqual({
      backend: 'sagemaker',
      endpointName: 'stereo-spot-inference',
    });
    expect(
      loadConfig('video-worker', resolveReferences(environmentOf(http, 'video-worker'))).inference,
    ).toEqual({
      backend: 'http',
      url: 'http://10.0.0.5:8080',
    });
  });
});

describe('.env for operators', () => {
  it('holds every variable the ops role requires on AWS', () => {
    const [[, stack]] = variants as [[string, Synthesized]];
    const envNames = new Set(Object.keys(stack.json.output as object).map(envNameOfOutput));
    const missing = ROLE_ENV_SCHEMAS.ops.aws.required.filter((name) => !envNames.has(name));
    expect(missing).toEqual([]);
  });
});
