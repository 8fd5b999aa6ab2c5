import { describe, expect, it } from 'vitest';
import { stackUnderTest } from './stackUnderTest.ts';
import { logicalIdOf, resourceOf } from './templateQueries.ts';

function scheduleOf(overrides: { scheduleCron?: string; scheduleTimeZone?: string } = {}) {
  const { stack, template } = stackUnderTest(overrides);
  template.resourceCountIs('AWS::Scheduler::Schedule', 2);
  return { stack, template, schedule: resourceOf(template, logicalIdOf(stack, stack.schedule.schedule)).Properties };
}

describe('weekly schedule', () => {
  it('runs on Mondays at 07:00 UTC by default', () => {
    // Act
    const { schedule } = scheduleOf();

    // Assess
    expect(schedule).toMatchObject({ ScheduleExpression: 'cron(0 7 ? * MON *)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } });
  });

  it('reads the configured cron in the configured time zone', () => {
    // Act
    const { schedule } = scheduleOf({ scheduleCron: 'cron(30 6 ? * TUE *)', scheduleTimeZone: 'Europe/Berlin' });

    // Assess
    expect(schedule).toMatchObject({ ScheduleExpression: 'cron(30 6 ? * TUE *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
  });

  it('invokes the weekly function with the scheduled time, from which the handler derives the week', () => {
    // Act
    const { stack, schedule } = scheduleOf();
    const target = schedule.Target as { Arn: unknown; Input: string };

    // Assess
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.weekly), 'Arn'] });
    expect(JSON.parse(target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('retries a delivery for up to an hour, then hands it to its dead-letter queue', () => {
    // Act
    const { stack, schedule } = scheduleOf();

    // Assess
    expect(schedule.Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.schedule.deliveryFailures), 'Arn'] } },
    });
  });

  it('assumes a role only EventBridge Scheduler of this account may take, allowed to invoke the weekly function and nothing else', () => {
    // Act
    const { stack, template, schedule } = scheduleOf();
    const roleId = (schedule.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0];

    // Assess
    expect(resourceOf(template, roleId).Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }],
    });
    const weeklyArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.weekly), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [weeklyArn, { 'Fn::Join': ['', [weeklyArn, ':*']] }] },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(stack, stack.schedule.deliveryFailures), 'Arn'] } },
        ],
      },
    });
  });

  it('tries a week held for incomplete data again every hour, with the same delivery retries, role and dead-letter queue', () => {
    // Act
    const { stack, template, schedule } = scheduleOf();
    const retry = resourceOf(template, logicalIdOf(stack, stack.schedule.heldRetry)).Properties;

    // Assess
    expect(retry).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } });
    const target = retry.Target as { Arn: unknown; Input: string; RoleArn: unknown };
    expect(JSON.parse(target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>', retryHeld: true });
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.weekly), 'Arn'] },
      RoleArn: (schedule.Target as { RoleArn: unknown }).RoleArn,
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.schedule.deliveryFailures), 'Arn'] } },
    });
  });
});
