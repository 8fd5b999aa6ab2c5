import { describe, expect, it } from 'vitest';
import { stackUnderTest } from './stackUnderTest.ts';
import { logicalIdOf } from './templateQueries.ts';

interface NotificationConfiguration {
  LambdaFunctionConfigurations: { Events: string[]; Filter?: { Key: { FilterRules: { Name: string; Value: string }[] } }; LambdaFunctionArn: unknown }[];
}

function notificationsOf(overrides: { exportsPrefix?: string }) {
  const { stack, template } = stackUnderTest(overrides);
  const [custom] = Object.values(template.findResources('Custom::S3BucketNotifications')) as { Properties: { BucketName: unknown; NotificationConfiguration: NotificationConfiguration } }[];
  return { stack, template, custom: custom!.Properties };
}

describe('ingest trigger', () => {
  it('invokes the ingest function for every object created under the exports prefix', () => {
    // Act
    const { stack, custom } = notificationsOf({ exportsPrefix: 'crm' });

    // Assess
    expect(custom.BucketName).toEqual({ Ref: logicalIdOf(stack, stack.storage.exports) });
    expect(custom.NotificationConfiguration.LambdaFunctionConfigurations).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        // With the slash, crm-archive/... does not start an ingest.
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'crm/' }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.ingest), 'Arn'] },
      },
    ]);
  });

  it('watches the whole exports bucket when the prefix is empty', () => {
    // Act
    const { custom } = notificationsOf({ exportsPrefix: '' });

    // Assess
    const [config] = custom.NotificationConfiguration.LambdaFunctionConfigurations;
    expect(config!.Events).toEqual(['s3:ObjectCreated:*']);
    expect(config!.Filter).toBeUndefined();
  });

  it('lets only S3 notifications from the exports bucket of this account invoke ingest', () => {
    // Act
    const { stack, template } = notificationsOf({});

    // Assess
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.ingest), 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceAccount: '123456789012',
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.storage.exports), 'Arn'] },
    });
  });
});
