// IAM statements written out action by action instead of the CDK grant helpers, whose
// `s3:GetObject*` / `s3:List*` / `glue:*Table*` style wildcards grant more than the handlers use
// and would each need an acknowledgement. What each role holds is listed in docs/deploy.md.
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * Object-level actions need object ARNs, and keys are data, so the resource ends in `*` - but
 * only inside one bucket (and key prefix). S3 has no narrower way to say "the objects we write".
 */
export const OBJECT_WILDCARD_REASON =
  'Object-level S3 actions are authorised against object ARNs and the keys are data (export names, partitions, weeks), so the resource is <bucket ARN>/<prefix>*, scoped to this one bucket of the deployment.';

function objects(bucket: IBucket, prefix: string): string {
  return bucket.arnForObjects(`${prefix}*`);
}

/**
 * Acknowledges cdk-nag's IAM5 finding for exactly one bucket's object wildcard on `role`, in the
 * form cdk-nag reports it (`<LogicalId.Arn>/<prefix>*`), so any other wildcard still fails.
 */
export function acknowledgeObjectWildcard(role: IRole, bucket: IBucket, prefix = ''): void {
  const stack = Stack.of(bucket);
  const logicalId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`, reason: OBJECT_WILDCARD_REASON });
}

/** Read exports: GetObject under the prefix; ListBucket so a missing key reads as 404, not 403. */
export function readObjectsStatements(bucket: IBucket, prefix = ''): PolicyStatement[] {
  return [
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [objects(bucket, prefix)] }),
  ];
}

/** What the storage port needs (docs/storage.md, Permissions): get, put, delete, abort uploads, list. */
export function readWriteObjectsStatements(bucket: IBucket): PolicyStatement[] {
  return [
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [objects(bucket, '')],
    }),
  ];
}

/**
 * Athena writes query results with the caller's credentials, and the adapter reads large
 * results back from the result object: the role needs the results bucket as Athena documents.
 */
export function athenaResultsStatements(bucket: IBucket): PolicyStatement[] {
  return [
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [bucket.bucketArn],
    }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [objects(bucket, '')],
    }),
  ];
}

export function athenaWorkgroupStatement(workGroupArn: string): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
    resources: [workGroupArn],
  });
}

export interface CatalogArns {
  catalog: string;
  database: string;
  tables: readonly string[];
  /** Tables whose partitions the weekly job registers. */
  writebackTables: readonly string[];
}

/** Glue reads Athena makes while planning a query, on this database and its tables only. */
export function glueReadStatement(arns: CatalogArns): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
    resources: [arns.catalog, arns.database, ...arns.tables],
  });
}

/**
 * GetDatabase on the catalog's `default` database: Athena's guide to fine-grained Glue access has
 * long listed access to `default` (and its catalog) as mandatory for Athena to work with a
 * restricted Glue policy, and its DDL (the write-back's ADD PARTITION) runs through Hive, which
 * opens `default` first. Read-only; CreateDatabase is not granted (docs/deploy.md, IAM scope).
 */
export function glueDefaultDatabaseStatement(arns: Pick<CatalogArns, 'catalog' | 'database'>): PolicyStatement {
  const defaultDatabase = arns.database.replace(/database\/[^/]+$/, 'database/default');
  return new PolicyStatement({ effect: Effect.ALLOW, actions: ['glue:GetDatabase'], resources: [arns.catalog, defaultDatabase] });
}

/** `ALTER TABLE ... ADD IF NOT EXISTS PARTITION` on the write-back tables, nothing else. */
export function glueAddPartitionStatement(arns: CatalogArns): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['glue:CreatePartition', 'glue:BatchCreatePartition'],
    resources: [arns.catalog, arns.database, ...arns.writebackTables],
  });
}

/**
 * SES authorises SendRawEmail against the identity the From address is verified under (the
 * address itself or its domain) and the configuration set; the condition pins the From address.
 */
export function sesSendStatement(identityArns: readonly string[], configurationSetArn: string, fromAddress: string): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ses:SendRawEmail'],
    resources: [...identityArns, configurationSetArn],
    conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
  });
}

/**
 * GetParameter on the one parameter named. A SecureString under the account's default key
 * (aws/ssm) needs no KMS statement: that key's policy lets SSM decrypt for the account.
 */
export function ssmParameterReadStatement(scope: IConstruct, name: string): PolicyStatement {
  const stack = Stack.of(scope);
  return new PolicyStatement({ effect: Effect.ALLOW, actions: ['ssm:GetParameter'], resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })] });
}
