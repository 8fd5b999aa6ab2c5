// The one place operators hear from the deployment: alarms, and SES bounces and complaints of
// the report e-mail. Encrypted with a key of our own because CloudWatch alarms and SES cannot
// publish to a topic encrypted with the AWS-managed SNS key.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Subscribed by e-mail when given; the subscription must be confirmed from that mailbox. */
  alarmEmail?: string;
}

export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'ltv-pulse: encrypts the operations topic',
      enableKeyRotation: true,
    });
    const account = Stack.of(this).account;
    for (const service of ['cloudwatch.amazonaws.com', 'ses.amazonaws.com']) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: `Publish from ${service.split('.')[0]}`,
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          // Key policies name the key they are attached to as '*'.
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }
    this.topic = new Topic(this, 'Topic', {
      displayName: 'ltv-pulse operations',
      masterKey: this.key,
      enforceSSL: true,
    });
    // A topic with a policy of its own (enforceSSL, SES's event destination) loses SNS's default
    // policy, which is what let the account's CloudWatch alarms publish: allow them by name.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'PublishFromAlarms',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }
}
