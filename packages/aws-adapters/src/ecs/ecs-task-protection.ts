/**
 * ECS task scale-in protection through the ECS agent's endpoint inside the task
 * (`$ECS_AGENT_URI/task-protection/v1/state`), which calls UpdateTaskProtection for this task with
 * the task role (it needs `ecs:UpdateTaskProtection`). No SDK client and no task ARN lookup: the
 * agent knows the cluster and the task.
 */
import type { TaskProtection } from '@stereo-spot/pipeline';
import { AwsAdapterError } from '../errors';

export interface EcsTaskProtectionOptions {
  /** ECS_AGENT_URI, set by ECS in every task (Fargate platform 1.4+). */
  readonly agentUri: string;
  /** How long one call may take. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The agent's answer: `{"protection": {...}}`, or `{"failure": {...}}` / `{"error": {...}}`. */
interface AgentAnswer {
  readonly protection?: { readonly ProtectionEnabled?: boolean };
  readonly failure?: { readonly Arn?: string; readonly Reason?: string; readonly Detail?: string };
  readonly error?: { readonly Code?: string; readonly Message?: string };
}

export class EcsTaskProtection implements TaskProtection {
  private readonly stateUrl: string;

  constructor(private readonly options: EcsTaskProtectionOptions) {
    this.stateUrl = `${options.agentUri.replace(/\/+$/, '')}/task-protection/v1/state`;
  }

  protect(expiresInMinutes: number): Promise<void> {
    return this.put({ ProtectionEnabled: true, ExpiresInMinutes: expiresInMinutes }, true);
  }

  release(): Promise<void> {
    return this.put({ ProtectionEnabled: false }, false);
  }

  private async put(body: Record<string, unknown>, wanted: boolean): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.stateUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new AwsAdapterError(
        'AWS_REQUEST_FAILED',
        `ECS agent unreachable at ${this.stateUrl}: ${(error as Error).message}`,
        false,
        { cause: error },
      );
    }
    const text = await response.text();
    let answer: AgentAnswer = {};
    try {
      answer = JSON.parse(text) as AgentAnswer;
    } catch {
      // not JSON: reported below with the status
    }
    const refusal = answer.failure
      ? `${answer.failure.Reason ?? 'failure'}${answer.failure.Detail ? `: ${answer.failure.Detail}` : ''}`
      : answer.error
        ? `${answer.error.Code ?? 'error'}: ${answer.error.Message ?? ''}`
        : undefined;
    if (!response.ok || refusal !== undefined || answer.protection?.ProtectionEnabled !== wanted) {
      // Access denied will not pass on a retry; anything else (throttling, the agent starting) may.
      const permanent = /AccessDenied/i.test(refusal ?? '');
      throw new AwsAdapterError(
        'AWS_REQUEST_FAILED',
        `ECS task protection ${wanted ? 'on' : 'off'} refused (HTTP ${response.status}): ${refusal ?? text.slice(0, 200)}`,
        permanent,
      );
    }
  }
}
