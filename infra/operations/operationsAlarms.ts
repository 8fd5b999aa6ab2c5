// The alarms an operator needs: the weekly run failed, an ingest failed, something landed in a
// dead-letter queue, too many rows of an export were rejected, or no rows arrived all week. Each
// notifies the operations topic. The last two read custom metrics the handlers publish in
// CloudWatch embedded metric format (names and dimension in docs/deploy.md).
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CUSTOM_METRICS } from './customMetrics.ts';

export interface OperationsAlarmsProps {
  topic: ITopic;
  weekly: IFunction;
  ingest: IFunction;
  /** Dead-letter queues, each with the words its alarm uses for what it holds. */
  deadLetterQueues: readonly { id: string; queue: IQueue; holds: string }[];
  /** Value of the Deployment dimension (the stack name). */
  deployment: string;
  /** Alarm when an export's rejected-row ratio is above this (0..1]. */
  rejectedRowAlarmRatio: number;
}

export class OperationsAlarms extends Construct {
  readonly weeklyRunFailed: Alarm;
  readonly ingestFailed: Alarm;
  readonly deadLetters: readonly Alarm[];
  readonly rejectedRows: Alarm;
  readonly noDataThisWeek: Alarm;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const notify: IAlarmAction = new SnsAction(props.topic);
    const notifying = (a: Alarm): Alarm => {
      a.addAlarmAction(notify);
      return a;
    };

    this.weeklyRunFailed = notifying(
      new Alarm(this, 'WeeklyRunFailed', {
        alarmDescription: 'The weekly report run failed (the function returned an error). Lambda retries once; the run log names the stage.',
        metric: props.weekly.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.ingestFailed = notifying(
      new Alarm(this, 'IngestFailed', {
        alarmDescription: 'An ingest failed (the function returned an error); the export stays out of the lake until it is re-ingested.',
        metric: props.ingest.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.deadLetters = props.deadLetterQueues.map(({ id: queueId, queue, holds }) =>
      notifying(
        new Alarm(this, `${queueId}DeadLetters`, {
          alarmDescription: `Messages in a dead-letter queue: ${holds}. Read them for the failed event and the error.`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ),
    );

    const dimensionsMap = { [CUSTOM_METRICS.dimension]: props.deployment };
    this.rejectedRows = notifying(
      new Alarm(this, 'RejectedRowRatio', {
        alarmDescription: `An export had more than ${props.rejectedRowAlarmRatio * 100}% of its rows rejected; the reasons are in the lake under _rejects/.`,
        metric: new Metric({
          namespace: CUSTOM_METRICS.namespace,
          metricName: CUSTOM_METRICS.rejectedRowRatio,
          dimensionsMap,
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: props.rejectedRowAlarmRatio,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // Seven daily periods with missing data breaching: any day with rows ingested clears it, a
    // whole week without one raises it. (A single 7-day period would also do, but days let the
    // console graph show which day the data stopped.)
    this.noDataThisWeek = notifying(
      new Alarm(this, 'NoDataThisWeek', {
        alarmDescription: 'No rows were ingested in the last 7 days: exports stopped arriving, or they arrive outside the exports prefix.',
        metric: new Metric({
          namespace: CUSTOM_METRICS.namespace,
          metricName: CUSTOM_METRICS.rowsIngested,
          dimensionsMap,
          statistic: 'Sum',
          period: Duration.days(1),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 7,
        datapointsToAlarm: 7,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    );
  }
}
