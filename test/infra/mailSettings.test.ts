import { describe, expect, it } from 'vitest';
import { stackUnderTest } from './stackUnderTest.ts';
import { logicalIdOf } from './templateQueries.ts';

describe('mail settings', () => {
  it('creates an SES configuration set named after the stack that requires TLS and suppresses bounced and complaining addresses', () => {
    // Act
    const { template } = stackUnderTest();

    // Assess
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'ltv-pulse',
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('reports bounces, complaints, rejections, rendering failures and delays to the operations topic', () => {
    // Act
    const { stack, template } = stackUnderTest();

    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalIdOf(stack, stack.mail.configurationSet) },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject', 'renderingFailure', 'deliveryDelay'],
        SnsDestination: { TopicARN: { Ref: logicalIdOf(stack, stack.alarmTopic.topic) } },
      },
    });
  });

  it('authorises the sender under its address and its domain, whichever SES verified', () => {
    // Act
    const { stack } = stackUnderTest({ sender: { name: 'Reports', address: 'ltv@mail.acme.example' } });

    // Assess
    expect(stack.resolve(stack.mail.identityArns)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-central-1:123456789012:identity/ltv@mail.acme.example']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-central-1:123456789012:identity/mail.acme.example']] },
    ]);
  });
});
