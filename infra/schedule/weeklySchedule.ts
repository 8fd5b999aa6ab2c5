// The weekly run's clock: an EventBridge Scheduler schedule (rules run in UTC only; Scheduler
// takes a time zone, so "Monday 07:00" stays 07:00 local across daylight-saving changes). The
// payload carries the scheduled time, from which the handler derives the report week, so a
// late retry still reports on the week it was scheduled for.
import { Duration, Stack, TimeZone, Validations, type CfnElement } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from '../operations/deadLetterQueue.ts';

export interface WeeklyScheduleProps {
  weekly: IFunction;
  /** EventBridge Scheduler cron, e.g. `cron(0 7 ? * MON *)`. */
  cron: string;
  /** IANA time zone the cron is read in, e.g. `UTC` or `Europe/Berlin`. */
  timeZone: string;
}

/**
 * How often a week held for incomplete data is tried again. Each try that finds nothing held
 * reads one S3 object and ends, so a week's 168 tries cost well under a cent.
 */
export const HELD_RETRY_RATE = Duration.hours(1);

export class WeeklySchedule extends Construct {
  readonly schedule: Schedule;
  /** Tries again, hourly, a week the weekly run held because its exports had not all landed. */
  readonly heldRetry: Schedule;
  /** Invocations Scheduler could not deliver after its retries (not failed runs: see PipelineFunctions). */
  readonly deliveryFailures: Queue;

  constructor(scope: Construct, id: string, props: WeeklyScheduleProps) {
    super(scope, id);
    this.deliveryFailures = deadLetterQueue(this, 'DeliveryFailures', 'weekly schedule invocations EventBridge Scheduler could not deliver');
    // Our own role rather than the target's stack-wide default, so its trust is pinned to this
    // account and its one acknowledgement sits here.
    const role = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'ltv-pulse: EventBridge Scheduler starts the weekly report',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `ltv-pulse weekly report: ${props.cron} in ${props.timeZone}`,
      // Time zone stated here, where the schedule is declared: the cron is local time in it.
      schedule: ScheduleExpression.expression(props.cron, TimeZone.of(props.timeZone)),
      timeWindow: TimeWindow.off(),
      target: this.target(props.weekly, role, {}),
    });
    this.heldRetry = new Schedule(this, 'HeldRetry', {
      description: `ltv-pulse weekly report: a week held for incomplete data, tried again every ${HELD_RETRY_RATE.toHours()} h`,
      schedule: ScheduleExpression.rate(HELD_RETRY_RATE),
      timeWindow: TimeWindow.off(),
      target: this.target(props.weekly, role, { retryHeld: true }),
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.weekly.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        "lambda:InvokeFunction on '<weekly function ARN>:*' is how CDK's grantInvoke covers the function's versions and aliases; the wildcard is a qualifier of this one function, and nothing else can be invoked.",
    });
  }

  private target(weekly: IFunction, role: Role, extra: Record<string, boolean>): LambdaInvoke {
    return new LambdaInvoke(weekly, {
      role,
      input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime, ...extra }),
      // Scheduler invokes Lambda asynchronously: these retries cover delivery (throttling,
      // a function being updated), Lambda's own retries cover a run that fails.
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: this.deliveryFailures,
    });
  }
}
