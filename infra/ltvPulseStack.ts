// The deployment, composed of one construct per concern: storage, catalog, Athena, mail,
// functions, the ingest trigger, the weekly schedule, and operations (topic and alarms).
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AnalyticsWorkgroup } from './athena/analyticsWorkgroup.ts';
import { LakeCatalog } from './catalog/lakeCatalog.ts';
import type { DeploymentConfig } from './config/deploymentConfig.ts';
import { resourceNames } from './config/resourceNames.ts';
import { PipelineFunctions } from './functions/pipelineFunctions.ts';
import { IngestTrigger } from './ingest/ingestTrigger.ts';
import { MailSettings } from './mail/mailSettings.ts';
import { AlarmTopic } from './operations/alarmTopic.ts';
import { OperationsAlarms } from './operations/operationsAlarms.ts';
import { WeeklySchedule } from './schedule/weeklySchedule.ts';
import { StorageBuckets } from './storage/storageBuckets.ts';

export interface LtvPulseStackProps extends StackProps {
  /** Validated settings (infra/config/deploymentConfig.ts). */
  config: DeploymentConfig;
  /** Handler entry files; default functions/handlers/. Tests point them at a fixture. */
  handlerEntries?: { ingest: string; weekly: string };
  /** The built native-modules layer folder (default build/native-layer). */
  nativeLayerDir?: string;
  /** Folder of the named queries; default the repository's queries/. */
  queriesDir?: string;
}

export class LtvPulseStack extends Stack {
  readonly storage: StorageBuckets;
  readonly catalog: LakeCatalog;
  readonly athena: AnalyticsWorkgroup;
  readonly alarmTopic: AlarmTopic;
  readonly mail: MailSettings;
  readonly functions: PipelineFunctions;
  readonly schedule: WeeklySchedule;
  readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: LtvPulseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = resourceNames(config.stackName);

    this.storage = new StorageBuckets(this, 'Storage', { resultsRetentionDays: config.resultsRetentionDays, lakeVersionDays: config.lakeVersionDays });
    this.catalog = new LakeCatalog(this, 'Catalog', { lake: this.storage.lake, databaseName: names.database });
    this.athena = new AnalyticsWorkgroup(this, 'Athena', {
      workGroupName: names.workGroup,
      databaseName: names.database,
      athenaResults: this.storage.athenaResults,
      bytesScannedCutoffMb: config.bytesScannedCutoffMb,
      ...(props.queriesDir !== undefined ? { queriesDir: props.queriesDir } : {}),
    });
    // A named query names its database; create the database first.
    for (const q of this.athena.namedQueries) q.node.addDependency(this.catalog.database);

    this.alarmTopic = new AlarmTopic(this, 'Operations', config.alarmEmail !== undefined ? { alarmEmail: config.alarmEmail } : {});
    this.mail = new MailSettings(this, 'Mail', {
      configurationSetName: names.configurationSet,
      senderAddress: config.sender.address,
      notifications: this.alarmTopic.topic,
    });

    const tableNames = [...this.catalog.tables.keys()];
    this.functions = new PipelineFunctions(this, 'Functions', {
      exports: this.storage.exports,
      exportsPrefix: config.exportsPrefix,
      lake: this.storage.lake,
      reports: this.storage.reports,
      athenaResults: this.storage.athenaResults,
      workGroupName: this.athena.workGroupName,
      workGroupArn: this.athena.workGroupArn(),
      databaseName: this.catalog.databaseName,
      catalogArns: {
        catalog: this.catalog.catalogArn(),
        database: this.catalog.databaseArn(),
        tables: tableNames.map((t) => this.catalog.tableArn(t)),
        writebackTables: this.catalog.writebackTableNames.map((t) => this.catalog.tableArn(t)),
      },
      configurationSetName: this.mail.configurationSetName,
      configurationSetArn: this.mail.configurationSetArn,
      senderIdentityArns: this.mail.identityArns,
      settings: { report: config.report, timeZone: config.scheduleTimeZone, sender: config.sender, recipients: config.recipients },
      deployment: config.stackName,
      ingestConcurrency: config.ingestConcurrency,
      weeklyMemoryMb: config.weeklyMemoryMb,
      ...(config.customerKeySaltParameter !== undefined ? { customerKeySaltParameter: config.customerKeySaltParameter } : {}),
      ...(props.handlerEntries !== undefined ? { entries: props.handlerEntries } : {}),
      ...(props.nativeLayerDir !== undefined ? { nativeLayerDir: props.nativeLayerDir } : {}),
    });
    new IngestTrigger(this, 'IngestTrigger', {
      exports: this.storage.exports,
      exportsPrefix: config.exportsPrefix,
      ingest: this.functions.ingest,
    });
    this.schedule = new WeeklySchedule(this, 'Schedule', {
      weekly: this.functions.weekly,
      cron: config.scheduleCron,
      timeZone: config.scheduleTimeZone,
    });
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      topic: this.alarmTopic.topic,
      weekly: this.functions.weekly,
      ingest: this.functions.ingest,
      deadLetterQueues: [
        { id: 'WeeklyRun', queue: this.functions.weeklyFailures, holds: 'weekly report runs that failed after Lambda retried them' },
        { id: 'ScheduleDelivery', queue: this.schedule.deliveryFailures, holds: 'weekly runs EventBridge Scheduler could not start' },
        { id: 'Ingest', queue: this.functions.ingestFailures, holds: 'ingests that failed after Lambda retried them' },
      ],
      deployment: config.stackName,
      rejectedRowAlarmRatio: config.rejectedRowAlarmRatio,
    });

    const outputs: Record<string, [string, string]> = {
      ExportsBucket: [this.storage.exports.bucketName, `Upload exports here${config.exportsPrefix === '' ? '' : ` under ${config.exportsPrefix}/`}`],
      ExportsLocation: [`s3://${this.storage.exports.bucketName}/${config.exportsPrefix === '' ? '' : `${config.exportsPrefix}/`}`, 'Uploads under this location are ingested'],
      LakeBucket: [this.storage.lake.bucketName, 'The Parquet lake'],
      ReportsBucket: [this.storage.reports.bucketName, 'Report archive and sent markers'],
      AthenaResultsBucket: [this.storage.athenaResults.bucketName, 'Athena query results'],
      AthenaWorkGroup: [this.athena.workGroupName, 'Choose this workgroup in the Athena console'],
      GlueDatabase: [this.catalog.databaseName, 'Database of the lake tables'],
      WeeklyFunction: [this.functions.weekly.functionName, 'By hand: {"week": "2026-W47", "dryRun": true}, {"backfill": {"from": "2026-W21", "to": "2026-W46"}} or {"week": "2026-W47"} (docs/deploy.md, "The first run")'],
      IngestFunction: [this.functions.ingest.functionName, 'Ingests each export that lands'],
      OperationsTopic: [this.alarmTopic.topic.topicArn, 'Alarms and SES bounces; subscribe here'],
      ConfigurationSet: [this.mail.configurationSetName, 'SES configuration set of the report e-mail'],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) new CfnOutput(this, name, { value, description });
  }
}
