/**
 * The synthesized stack, rewritten to be applied on moto_server: the provider pinned to the
 * locally mirrored version, every service endpoint pointed at the emulator, moto's test
 * credentials, and the checks that would call real AWS (credentials, account id, metadata API,
 * region list) switched off. Nothing else about the resources changes: what is applied is what a
 * real deploy would apply.
 */

export type TerraformJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Provider endpoint names (hashicorp/aws 5.x and 6.x) of every service the stack uses. */
export const EMULATED_SERVICES = [
  'applicationautoscaling',
  'cloudwatch',
  'codebuild',
  'dynamodb',
  'ec2',
  'ecr',
  'ecs',
  'elbv2',
  'iam',
  'lambda',
  'logs',
  's3',
  'sagemaker',
  'secretsmanager',
  'sns',
  'sqs',
  'sts',
] as const;

/** moto accepts any keys; these make it obvious that no real account is involved. */
export const EMULATOR_CREDENTIALS = { accessKey: 'testing', secretKey: 'testing' } as const;

export interface EmulatorOptions {
  /** `http://127.0.0.1:<port>` of moto_server. */
  readonly endpoint: string;
  /** The mirrored hashicorp/aws version, pinned exactly. */
  readonly providerVersion: string;
  /** Local state file (relative to the directory terraform runs in). */
  readonly statePath: string;
}

export function emulatorConfiguration(stack: TerraformJson, options: EmulatorOptions): TerraformJson {
  const json = structuredClone(stack) as TerraformJson;
  json.terraform = {
    ...json.terraform,
    backend: { local: { path: options.statePath } },
    required_providers: {
      ...json.terraform?.required_providers,
      aws: { source: 'hashicorp/aws', version: options.providerVersion },
    },
  };
  const providers = (json.provider?.aws ?? [{}]) as TerraformJson[];
  json.provider = {
    ...json.provider,
    aws: providers.map((provider) => ({
      ...provider,
      access_key: EMULATOR_CREDENTIALS.accessKey,
      secret_key: EMULATOR_CREDENTIALS.secretKey,
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      skip_requesting_account_id: true,
      skip_region_validation: true,
      s3_use_path_style: true,
      // An operation moto does not implement answers 500; retrying it 25 times (the default) only
      // delays the report, but a few retries ride over moto closing a kept-alive connection.
      max_retries: 3,
      endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, options.endpoint]))],
    })),
  };
  // The provider waits up to 3 minutes for a lifecycle configuration to read back equal, which
  // moto never satisfies for some rules (see MOTO_LIMITS): a shorter wait on the emulator only
  // shortens the report. Rules moto does read back equal settle within about half a minute.
  for (const body of Object.values((json.resource?.aws_s3_bucket_lifecycle_configuration ?? {}) as Record<string, TerraformJson>)) {
    body.timeouts = { create: EMULATED_LIFECYCLE_WAIT, update: EMULATED_LIFECYCLE_WAIT };
  }
  return json;
}

/** How long the emulated apply waits for a lifecycle configuration to read back (default 3m). */
export const EMULATED_LIFECYCLE_WAIT = '75s';

/** Every `type.name` resource address of the configuration. */
export function resourceAddresses(json: TerraformJson): string[] {
  return Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(
    ([type, resources]) => Object.keys(resources).map((name) => `${type}.${name}`),
  );
}

/** Addresses a resource refers to (`${type.name.attr}` expressions and depends_on). */
export function referencesOf(json: TerraformJson, address: string): string[] {
  const [type, name] = splitAddress(address);
  const body = json.resource?.[type]?.[name] as TerraformJson | undefined;
  if (!body) return [];
  const found = new Set<string>();
  const text = JSON.stringify({ ...body, depends_on: undefined });
  for (const match of text.matchAll(/\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b/g)) {
    const [, referencedType = '', referencedName = ''] = match;
    const candidate = `${referencedType}.${referencedName}`;
    if (candidate !== address && json.resource?.[referencedType]?.[referencedName]) found.add(candidate);
  }
  for (const dependency of (body.depends_on ?? []) as string[]) {
    if (!dependency.startsWith('data.')) found.add(dependency);
  }
  return [...found];
}

const splitAddress = (address: string): [string, string] => {
  const dot = address.indexOf('.');
  return [address.slice(0, dot), address.slice(dot + 1)];
};
