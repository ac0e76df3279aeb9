/**
 * IAM policy documents as plain JSON strings. References to other resources stay Terraform
 * expressions inside the strings (`${aws_s3_bucket.x.arn}/input/*`), which keeps the policies
 * readable in the synthesized JSON and easy to assert on.
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  /** Absent only in trust policies. */
  readonly Resource?: readonly string[];
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export const policyDocument = (statements: readonly PolicyStatement[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

export const allow = (
  actions: readonly string[],
  resources: readonly string[],
  sid?: string,
): PolicyStatement => ({
  ...(sid ? { Sid: sid } : {}),
  Effect: 'Allow',
  Action: actions,
  Resource: resources,
});

/** Trust policy that lets an AWS service assume a role. */
export const assumedBy = (service: string): string =>
  policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: ['sts:AssumeRole'],
    },
  ]);

/** Deny every request that does not use TLS 1.2 or newer (for S3 buckets and SQS queues). */
export function denyInsecureTransport(
  service: 's3' | 'sqs',
  resources: readonly string[],
): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: [`${service}:*`],
      Resource: resources,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
  if (service === 's3') {
    statements.push({
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: resources,
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    });
  }
  return statements;
}

/** Actions a queue consumer needs (long poll, delete, heartbeat, depth). */
export const SQS_CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
];

/** Pulling one image from ECR (GetAuthorizationToken is granted separately: it has no resource). */
export const ECR_PULL = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
];
export const ECR_PUSH = [
  ...ECR_PULL,
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
];

/** ecr:GetAuthorizationToken supports no resource-level permission: AWS requires Resource "*". */
export const ecrAuthorizationToken = (): PolicyStatement =>
  allow(['ecr:GetAuthorizationToken'], ['*'], 'EcrLoginHasNoResourceLevelPermission');

export const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
