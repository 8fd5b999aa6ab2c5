// Where failed invocations end up: encrypted, TLS only, kept for the longest SQS allows so an
// operator back from a holiday still finds what failed and why.
import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function deadLetterQueue(scope: Construct, id: string, holds: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue for ${holds}; a queue behind it would have nothing to catch. Its messages raise an alarm and are inspected by hand.`,
  });
  return queue;
}
