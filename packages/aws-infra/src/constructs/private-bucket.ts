import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument } from '../iam';

export interface PrivateBucketProps {
  readonly bucketName: string;
  readonly forceDestroy: boolean;
}

/**
 * A bucket nobody outside the account can reach: every public-access block on, ACLs disabled
 * (bucket owner enforced), SSE-S3 encryption at rest, and a policy that refuses plain HTTP and
 * TLS older than 1.2. SSE-S3 (not KMS) so SageMaker and CodeBuild need no key grants.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  /** `arn:...:bucket` */
  readonly arn: string;
  /** The bucket policy; S3 notifications and CORS wait for it. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy,
    });
    this.arn = this.bucket.arn;

    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyDocument(denyInsecureTransport('s3', [this.bucket.arn, `${this.bucket.arn}/*`])),
      dependsOn: [publicAccess],
    });
  }
}
