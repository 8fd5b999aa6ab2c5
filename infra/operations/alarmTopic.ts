// The one place operators hear from the deployment: alarms, and SES bounces and complaints of
// the report e-mail. Encrypted with a key of our own because CloudWatch alarms and SES cannot
// publish to a topic encrypted with the AWS-managed SNS key.
import { Stack } from 'aws-cdk-lib';
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
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }
}
