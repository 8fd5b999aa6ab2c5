import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_VARIABLE, emfLine, METRICS_NAMESPACE } from '../../functions/handlers/metrics.ts';
import type { LtvPulseStack } from '../../infra/ltvPulseStack.ts';
import { CUSTOM_METRICS } from '../../infra/operations/customMetrics.ts';
import { stackUnderTest } from './stackUnderTest.ts';
import { logicalIdOf, resourceOf } from './templateQueries.ts';

let stack: LtvPulseStack;
let template: Template;
let topicId: string;

beforeAll(() => {
  ({ stack, template } = stackUnderTest({ rejectedRowAlarmRatio: 0.1, alarmEmail: 'ops@acme.example' }));
  topicId = logicalIdOf(stack, stack.alarmTopic.topic);
});

const alarmProps = (alarm: Parameters<typeof logicalIdOf>[1]) => resourceOf(template, logicalIdOf(stack, alarm)).Properties;

describe('operations topic', () => {
  it('is encrypted with a rotating key that CloudWatch and SES of this account may use, and refuses plain HTTP', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, stack.alarmTopic.key), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith(
          ['cloudwatch.amazonaws.com', 'ses.amazonaws.com'].map((service) =>
            Match.objectLike({ Principal: { Service: service }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
          ),
        ),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('e-mails the alarm address when one is configured, and nobody otherwise', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.example', TopicArn: { Ref: topicId } });
    stackUnderTest().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('alarms', () => {
  it('notifies the operations topic from every alarm', () => {
    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmActions: unknown[] } }[];

    // Assess
    expect(alarms).toHaveLength(7);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('may publish to the topic every alarm notifies: the topic policy lets this account’s CloudWatch alarms publish over TLS', () => {
    // Prepare: the topics the alarms name, and the policy attached to each
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmActions: { Ref: string }[] } }[];
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as {
      Properties: { Topics: { Ref: string }[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
    }[];

    // Assess
    for (const topic of new Set(alarms.flatMap((a) => a.Properties.AlarmActions.map((r) => r.Ref)))) {
      const statements = policies.filter((p) => p.Properties.Topics.some((t) => t.Ref === topic)).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topic },
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-central-1:123456789012:alarm:*']] } },
            StringEquals: { 'aws:SourceAccount': '123456789012' },
          },
        }),
      );
      // and the deny of plain HTTP applies to CloudWatch too, which publishes over TLS
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });

  it('raises a failed weekly run on the first function error', () => {
    expect(alarmProps(stack.alarms.weeklyRunFailed)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, stack.functions.weekly) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('raises a failed ingest on the first function error', () => {
    expect(alarmProps(stack.alarms.ingestFailed)).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, stack.functions.ingest) } }],
      Threshold: 1,
    });
  });

  it('raises an alarm for any message in each of the three dead-letter queues', () => {
    // Prepare
    const queues = [stack.functions.weeklyFailures, stack.schedule.deliveryFailures, stack.functions.ingestFailures].map((q) => logicalIdOf(stack, q));

    // Act
    const watched = stack.alarms.deadLetters.map((a) => alarmProps(a));

    // Assess
    expect(watched.map((p) => (p.Dimensions as { Value: { 'Fn::GetAtt': string[] } }[])[0]!.Value['Fn::GetAtt'][0])).toEqual(queues);
    for (const p of watched) {
      expect(p).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('raises an export whose rejected-row ratio is above the configured threshold', () => {
    expect(alarmProps(stack.alarms.rejectedRows)).toMatchObject({
      Namespace: 'LtvPulse',
      MetricName: 'RejectedRowRatio',
      Dimensions: [{ Name: 'Deployment', Value: 'LtvPulse' }],
      Statistic: 'Maximum',
      Threshold: 0.1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('raises a week without a single ingested row, counting a day without data as breaching', () => {
    expect(alarmProps(stack.alarms.noDataThisWeek)).toMatchObject({
      Namespace: 'LtvPulse',
      MetricName: 'RowsIngested',
      Dimensions: [{ Name: 'Deployment', Value: 'LtvPulse' }],
      Statistic: 'Sum',
      Period: 86_400,
      EvaluationPeriods: 7,
      DatapointsToAlarm: 7,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('reads the custom metrics under the namespace, dimension and names the handlers publish', () => {
    // Prepare
    const ingestHandler = readFileSync(path.join(import.meta.dirname, '../../functions/handlers/ingestHandler.ts'), 'utf8');

    // Act
    const line = JSON.parse(emfLine([{ name: CUSTOM_METRICS.rowsIngested, unit: 'Count', value: 3 }], {}, new Date(0), 'LtvPulse')) as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    };

    // Assess
    expect(METRICS_NAMESPACE).toBe(CUSTOM_METRICS.namespace);
    expect(DEPLOYMENT_VARIABLE).toBe(CUSTOM_METRICS.deploymentVariable);
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: CUSTOM_METRICS.namespace, Dimensions: [[CUSTOM_METRICS.dimension]] });
    expect(ingestHandler).toContain(`name: '${CUSTOM_METRICS.rowsIngested}'`);
    expect(ingestHandler).toContain(`name: '${CUSTOM_METRICS.rejectedRowRatio}'`);
  });
});

describe('dead-letter queues', () => {
  it('are encrypted, refuse plain HTTP and keep messages for 14 days', () => {
    // Act
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as { Properties: Record<string, unknown> }[];

    // Assess
    expect(queues).toHaveLength(3);
    for (const q of queues) expect(q.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(3);
    for (const p of policies) expect(JSON.stringify(p)).toContain('"aws:SecureTransport":"false"');
  });
});
