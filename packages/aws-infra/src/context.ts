import { type ResourceNames } from './naming';
import { type StackSettings } from './settings';

/** What every construct of the stack needs to know about the deployment. */
export interface StackContext {
  readonly settings: StackSettings;
  readonly names: ResourceNames;
  /** Terraform expressions for the account and partition (known at apply time). */
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** SNS topic ARNs alarms notify: empty when no alarm e-mail is configured. */
  readonly alarmActions: readonly string[];
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` for resources we only know by name. */
export const arnOf = (context: StackContext, service: string, resource: string): string =>
  `arn:${context.partition}:${service}:${context.region}:${context.accountId}:${resource}`;
