// An export landing under the exports prefix starts an ingest: S3 object-created notifications
// invoke the ingest function asynchronously, so Lambda retries a failure and then hands the
// event to the function's on-failure queue (PipelineFunctions.ingestFailures).
import { Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';

export interface IngestTriggerProps {
  exports: Bucket;
  /** Key prefix without a trailing '/'; '' for the whole bucket. */
  exportsPrefix: string;
  ingest: IFunction;
}

export class IngestTrigger extends Construct {
  constructor(scope: Construct, id: string, props: IngestTriggerProps) {
    super(scope, id);
    // The trailing '/' keeps "crm" from also matching "crm-archive/...".
    const filters = props.exportsPrefix === '' ? [] : [{ prefix: `${props.exportsPrefix}/` }];
    props.exports.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(props.ingest), ...filters);
    // S3 refuses a notification whose function cannot yet be invoked, and the function's policy
    // names the bucket, so CDK writes the configuration from a custom resource after both exist.
    const notificationsHandler = Stack.of(this).node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications custom resource runs only during deployments to write the exports bucket's notification configuration; the managed policy gives it CloudWatch Logs access and nothing else.",
      });
    }
  }
}
