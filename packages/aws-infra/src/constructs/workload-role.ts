import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { assumedBy, policyDocument, type PolicyStatement } from '../iam';

/** One IAM role for one workload, with one inline policy listing exactly what it uses. */
export class WorkloadRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(
    scope: Construct,
    id: string,
    props: { name: string; service: string; description: string; statements: readonly PolicyStatement[] },
  ) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.name,
      description: props.description,
      assumeRolePolicy: assumedBy(props.service),
    });
    this.policy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument(props.statements),
    });
  }

  get arn(): string {
    return this.role.arn;
  }
}
