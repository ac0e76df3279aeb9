/**
 * Synthesizes the real stack offline (no terraform, no AWS) into a temporary directory and gives
 * tests the Terraform JSON plus small helpers to find resources and follow references.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Testing } from 'cdktf';
import { defaultSettings, type SettingsInput, type StackSettings } from '../../src/settings';
import { StereoSpotStack } from '../../src/stack';

/** Stand-in handler: the synth tests check the infrastructure around the Lambda, not its code. */
export const FIXTURE_HANDLER = path.join(__dirname, '..', 'fixtures', 'stream-handler.ts');

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Resource {
  readonly type: string;
  readonly id: string;
  readonly body: Json;
}

export interface Synthesized {
  readonly settings: StackSettings;
  readonly json: Json;
  /** Where the full synthesis wrote the stack (with its assets); undefined for JSON-only synthesis. */
  readonly stackDir?: string;
  /** Every resource of a type. */
  all(type: string): Resource[];
  /** The one resource of a type whose body matches; fails when there are none or several. */
  one(type: string, where?: (body: Json) => boolean): Resource;
  /** `${aws_x.id.attr}` */
  ref(resource: Resource, attribute: string): string;
  /** The resource a `${type.id.attr}` expression points at. */
  deref(expression: string): Resource;
}

/**
 * `full`: a real App.synth into a temporary directory, assets (the Lambda zip) included; otherwise
 * only the JSON (Testing.synth), which is several times faster.
 */
export function synth(overrides: SettingsInput = {}, options: { full?: boolean } = {}): Synthesized {
  // Test stacks are never deployed: they accept the open web UI explicitly, as an operator would
  // have to (security.test.ts shows the refusal without it).
  const settings = defaultSettings({ allow_public_http_without_auth: true, ...overrides });
  let json: Json;
  let stackDir: string | undefined;
  if (options.full) {
    const outdir = mkdtempSync(path.join(tmpdir(), 'stereo-spot-synth-'));
    const app = new App({ outdir });
    new StereoSpotStack(app, settings, { lambdaEntry: FIXTURE_HANDLER });
    app.synth();
    stackDir = path.join(outdir, 'stacks', settings.name_prefix);
    json = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as Json;
  } else {
    const stack = new StereoSpotStack(Testing.app(), settings, { lambdaEntry: FIXTURE_HANDLER });
    json = JSON.parse(Testing.synth(stack, true)) as Json;
  }

  const all = (type: string): Resource[] =>
    Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>).map(([id, body]) => ({
      type,
      id,
      body,
    }));
  const one = (type: string, where: (body: Json) => boolean = () => true): Resource => {
    const found = all(type).filter((resource) => where(resource.body));
    if (found.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${found.length}`);
    return found[0]!;
  };
  const deref = (expression: string): Resource => {
    const match = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(expression);
    if (!match) throw new Error(`not a single resource reference: ${expression}`);
    const body = json.resource?.[match[1]!]?.[match[2]!] as Json | undefined;
    if (!body) throw new Error(`no resource ${match[1]}.${match[2]}`);
    return { type: match[1]!, id: match[2]!, body };
  };
  return {
    settings,
    json,
    ...(stackDir ? { stackDir } : {}),
    all,
    one,
    ref: (resource, attribute) => `\${${resource.type}.${resource.id}.${attribute}}`,
    deref,
  };
}

/** The container definition of an app's task definition, parsed. */
export function containerOf(stack: Synthesized, app: string): Json {
  const task = stack.one(
    'aws_ecs_task_definition',
    (body) => body.family === `${stack.settings.name_prefix}-${app}`,
  );
  const containers = JSON.parse(task.body.container_definitions as string) as Json[];
  if (containers.length !== 1) throw new Error(`${app}: expected one container`);
  return containers[0]!;
}

/** An app's container environment as an object. */
export function environmentOf(stack: Synthesized, app: string): Record<string, string> {
  const container = containerOf(stack, app);
  return Object.fromEntries(
    (container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
  );
}

/** Parses every IAM-style policy document of the stack with where it came from. */
export function policiesOf(stack: Synthesized): { source: string; document: Json }[] {
  const documents: { source: string; document: Json }[] = [];
  const collect = (type: string, field: string) => {
    for (const resource of stack.all(type)) {
      documents.push({
        source: `${type}.${resource.id}`,
        document: JSON.parse(resource.body[field] as string) as Json,
      });
    }
  };
  collect('aws_iam_role_policy', 'policy');
  collect('aws_iam_role', 'assume_role_policy');
  collect('aws_s3_bucket_policy', 'policy');
  collect('aws_sqs_queue_policy', 'policy');
  return documents;
}
