import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { IMAGES, type ImageName } from '../constants';
import { type StackContext } from '../context';

const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'Drop untagged images after a week',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep the 30 newest images',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
      action: { type: 'expire' },
    },
  ],
});

/** One ECR repository per image, scanned on push, encrypted, with a lifecycle. */
export class ImageRepositories extends Construct {
  readonly repositories: Readonly<Record<ImageName, EcrRepository>>;

  constructor(scope: Construct, id: string, context: StackContext) {
    super(scope, id);
    const repositories = {} as Record<ImageName, EcrRepository>;
    for (const image of IMAGES) {
      const repository = new EcrRepository(this, image, {
        name: context.names.ecrRepository(image),
        // `latest` moves with every push; deploys pin an immutable tag (the git commit).
        imageTagMutability: 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'AES256' }],
        forceDelete: context.settings.force_destroy,
      });
      new EcrLifecyclePolicy(this, `${image}-lifecycle`, { repository: repository.name, policy: LIFECYCLE });
      repositories[image] = repository;
    }
    this.repositories = repositories;
  }
}
