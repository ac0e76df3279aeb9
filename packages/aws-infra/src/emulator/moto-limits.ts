/**
 * What moto_server (5.2) cannot do for this stack, each limit tied to the resource type it
 * stops and to the error Terraform reports, so the emulated apply can say WHY a resource was not
 * created. A failure that matches none of these is reported as unexplained: it may be a real
 * fault of the configuration and fails the run.
 */
import { referencesOf, resourceAddresses, type TerraformJson } from './emulator-config';

export interface MotoLimit {
  readonly resourceType: string;
  /** Matches Terraform's diagnostic (summary + detail) for this limit. */
  readonly error: RegExp;
  readonly limitation: string;
}

export const MOTO_LIMITS: readonly MotoLimit[] = [
  {
    resourceType: 'aws_appautoscaling_target',
    error: /ListTagsForResource/,
    limitation:
      'moto 5.2 does not implement Application Auto Scaling ListTagsForResource ("The list_tags_for_resource ' +
      'action has not been implemented"); the provider calls it right after RegisterScalableTarget, so the ' +
      'target is registered in moto but Terraform records the create as failed',
  },
  {
    resourceType: 'aws_s3_bucket_lifecycle_configuration',
    error: /timeout while waiting for state/,
    limitation:
      'after PutBucketLifecycleConfiguration the provider waits (3 minutes by default, 75 s on the emulator) until GetBucketLifecycleConfiguration ' +
      "reads back rules equal to those it put; moto's answer for a rule whose filter combines a prefix and a " +
      'tag (`and`, the segment-output expiry) never compares equal, so the wait times out although moto stored the rules',
  },
];

export interface ApplyEvents {
  /** Addresses whose create finished. */
  readonly created: ReadonlySet<string>;
  /** Address → Terraform's error text. */
  readonly errors: ReadonlyMap<string, string>;
}

export type ResourceOutcome =
  | { readonly address: string; readonly outcome: 'created' }
  | { readonly address: string; readonly outcome: 'moto-limit'; readonly reason: string }
  | { readonly address: string; readonly outcome: 'blocked'; readonly reason: string; readonly by: string }
  | { readonly address: string; readonly outcome: 'unexplained'; readonly reason: string };

/** Every resource of the configuration with what happened to it and why. */
export function classifyApply(json: TerraformJson, events: ApplyEvents): ResourceOutcome[] {
  const failedByLimit = new Map<string, string>();
  const outcomes = new Map<string, ResourceOutcome>();
  for (const address of resourceAddresses(json)) {
    if (events.created.has(address)) {
      outcomes.set(address, { address, outcome: 'created' });
      continue;
    }
    const error = events.errors.get(address);
    if (error === undefined) continue;
    const type = address.slice(0, address.indexOf('.'));
    const limit = MOTO_LIMITS.find(
      (candidate) => candidate.resourceType === type && candidate.error.test(error),
    );
    if (limit) {
      failedByLimit.set(address, limit.limitation);
      outcomes.set(address, { address, outcome: 'moto-limit', reason: limit.limitation });
    } else {
      outcomes.set(address, { address, outcome: 'unexplained', reason: error });
    }
  }
  // Not attempted: Terraform never starts a resource whose dependency failed.
  const blockerOf = (address: string, seen: Set<string>): string | undefined => {
    for (const reference of referencesOf(json, address)) {
      if (seen.has(reference)) continue;
      seen.add(reference);
      const outcome = outcomes.get(reference);
      if (outcome && outcome.outcome !== 'created') return reference;
      if (!outcome) {
        const deeper = blockerOf(reference, seen);
        if (deeper) return deeper;
      }
    }
    return undefined;
  };
  for (const address of resourceAddresses(json)) {
    if (outcomes.has(address)) continue;
    const by = blockerOf(address, new Set());
    outcomes.set(
      address,
      by
        ? {
            address,
            outcome: 'blocked',
            by,
            reason: `not attempted: it depends on ${by}, which was not created`,
          }
        : { address, outcome: 'unexplained', reason: 'neither created nor failed (apply stopped early?)' },
    );
  }
  return resourceAddresses(json).flatMap((address) => {
    const outcome = outcomes.get(address);
    return outcome ? [outcome] : [];
  });
}

/** Terraform's `-json` UI lines → which creates finished and which failed. */
export function parseApplyEvents(lines: readonly string[]): ApplyEvents {
  const created = new Set<string>();
  const errors = new Map<string, string>();
  for (const line of lines) {
    let event: TerraformJson;
    try {
      event = JSON.parse(line) as TerraformJson;
    } catch {
      continue;
    }
    if (event.type === 'apply_complete' && event.hook?.action === 'create') {
      created.add(String(event.hook.resource.addr));
    } else if (event.type === 'diagnostic' && event.diagnostic?.severity === 'error') {
      const address = String(event.diagnostic.address ?? '(configuration)');
      const text = [event.diagnostic.summary, event.diagnostic.detail].filter(Boolean).join(': ');
      errors.set(address, errors.has(address) ? `${errors.get(address)}; ${text}` : text);
    }
  }
  return { created, errors };
}

/** The human-readable note: created resources by type, then each one not created and why. */
export function formatReport(outcomes: readonly ResourceOutcome[]): string {
  const created = outcomes.filter((o) => o.outcome === 'created');
  const byType = new Map<string, number>();
  for (const { address } of created) {
    const type = address.slice(0, address.indexOf('.'));
    byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  const lines = [
    `created on moto_server: ${created.length} of ${outcomes.length} resources`,
    ...[...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `  ${type} × ${n}`),
  ];
  const missing = outcomes.filter((o) => o.outcome !== 'created');
  if (missing.length > 0) {
    lines.push(`not created: ${missing.length}`);
    const labels: Record<ResourceOutcome['outcome'], string> = {
      created: 'created',
      'moto-limit': 'moto limit',
      blocked: 'blocked',
      unexplained: 'UNEXPLAINED',
    };
    for (const outcome of missing) {
      const label = labels[outcome.outcome];
      const reason = 'reason' in outcome ? outcome.reason : '';
      lines.push(`  ${outcome.address} [${label}]: ${reason}`);
    }
  }
  return lines.join('\n');
}
