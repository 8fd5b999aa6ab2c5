// The two Lambda functions: ingest (an export landed) and the weekly report. Both are thin
// handlers over the same pipeline code the CLI runs, bundled locally by esbuild (no Docker), for
// arm64 on Node.js 22, each with its own role holding only what its handler calls.
import path from 'node:path';
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CUSTOMER_KEY_SALT_PARAMETER_VARIABLE } from '../../functions/config/customerKeySalt.ts';
import { CONFIG_JSON_VARIABLE } from '../../functions/config/load.ts';
import { pipelineConfig, type PipelineSettings } from '../config/pipelineConfig.ts';
import { PROJECT_ROOT } from '../projectRoot.ts';
import { CUSTOM_METRICS } from '../operations/customMetrics.ts';
import { deadLetterQueue } from '../operations/deadLetterQueue.ts';
import { NativeModulesLayer } from './nativeModulesLayer.ts';
import {
  acknowledgeObjectWildcard,
  athenaResultsStatements,
  athenaWorkgroupStatement,
  glueAddPartitionStatement,
  glueDefaultDatabaseStatement,
  glueReadStatement,
  readObjectsStatements,
  readWriteObjectsStatements,
  sesSendStatement,
  ssmParameterReadStatement,
  type CatalogArns,
} from './accessPolicies.ts';

/** The handler entry files, each exporting `handler`. */
export const HANDLER_ENTRIES = {
  ingest: path.join(PROJECT_ROOT, 'functions/handlers/ingestHandler.ts'),
  weekly: path.join(PROJECT_ROOT, 'functions/handlers/weeklyHandler.ts'),
} as const;

/**
 * Where the weekly bundle carries queries/*.sql (Lambda unpacks the bundle in /var/task), and
 * the variable naming it: in a bundle, the catalog's path relative to its own source file
 * (queries/ two folders up) no longer points anywhere.
 */
export const BUNDLED_QUERIES_DIR = '/var/task/queries';
export const QUERIES_DIR_VARIABLE = 'LTV_QUERIES_DIR';

/**
 * Native modules the bundles leave out: DuckDB (ingest's Parquet writer and the write-back
 * tables) and resvg (chart PNGs). Their platform binaries come from the native-modules layer
 * (nativeModulesLayer.ts), built for Lambda's arm64 rather than for the machine that deploys.
 */
export const NATIVE_EXTERNALS = ['@duckdb/node-api', '@duckdb/node-bindings', '@resvg/resvg-js'];

export interface PipelineFunctionsProps {
  exports: IBucket;
  /** Key prefix of exports in the exports bucket, without a trailing '/'; '' is the whole bucket. */
  exportsPrefix: string;
  lake: IBucket;
  reports: IBucket;
  athenaResults: IBucket;
  workGroupName: string;
  workGroupArn: string;
  databaseName: string;
  catalogArns: CatalogArns;
  configurationSetName: string;
  configurationSetArn: string;
  /** SES identities the From address may be verified under (MailSettings.identityArns). */
  senderIdentityArns: readonly string[];
  /** What goes into the functions' pipeline configuration besides the stack's resources. */
  settings: PipelineSettings;
  /** Dimension value of the custom metrics, so two deployments in one account stay apart. */
  deployment: string;
  /** Reserved concurrency of ingest; 0 leaves it unreserved. */
  ingestConcurrency: number;
  /** Memory of the weekly function, MB. */
  weeklyMemoryMb: number;
  /** SSM parameter holding the customer-key salt, which ingest reads (functions/config/customerKeySalt.ts). */
  customerKeySaltParameter?: string;
  /** Entry files (default: functions/handlers/); tests point these at a small fixture. */
  entries?: { ingest: string; weekly: string };
  /** The built native-modules layer folder (default build/native-layer); tests pass a stand-in. */
  nativeLayerDir?: string;
}

/** The ESM bundle; a `require` shim lets bundled CommonJS packages load Node built-ins. */
export function bundlingOptions(commandHooks?: ICommandHooks): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: "import { createRequire as __ltvCreateRequire } from 'node:module'; const require = __ltvCreateRequire(import.meta.url);",
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // The SDK versions the adapters are tested with travel in the bundle, not the runtime's.
    bundleAwsSDK: true,
    externalModules: NATIVE_EXTERNALS,
    ...(commandHooks ? { commandHooks } : {}),
  };
}

/** Copies queries/ next to the weekly bundle: the SQL is read at run time, not inlined. */
const copyQueries: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [`cp -R "${path.join(inputDir, 'queries')}" "${path.join(outputDir, 'queries')}"`],
};

export class PipelineFunctions extends Construct {
  readonly ingest: NodejsFunction;
  readonly weekly: NodejsFunction;
  /** Async invocations that failed after Lambda's retries (on-failure destinations). */
  readonly ingestFailures: Queue;
  readonly weeklyFailures: Queue;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const entries = props.entries ?? HANDLER_ENTRIES;
    const exportsDir = props.exportsPrefix === '' ? `s3://${props.exports.bucketName}` : `s3://${props.exports.bucketName}/${props.exportsPrefix}`;
    const config = pipelineConfig(props.settings, {
      exportsDir,
      lake: `s3://${props.lake.bucketName}`,
      reports: `s3://${props.reports.bucketName}`,
      workGroup: props.workGroupName,
      database: props.databaseName,
      configurationSet: props.configurationSetName,
    });
    const shared: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      // One configuration for both functions (functions/config/load.ts reads it), so ingest and
      // the weekly run can never disagree about where the lake is.
      [CONFIG_JSON_VARIABLE]: Stack.of(this).toJsonString(config),
      [CUSTOM_METRICS.deploymentVariable]: props.deployment,
    };

    const native = new NativeModulesLayer(this, 'NativeModules', props.nativeLayerDir !== undefined ? { dir: props.nativeLayerDir } : {});
    this.ingestFailures = deadLetterQueue(this, 'IngestFailures', 'ingest invocations that failed after Lambda retried them');
    this.weeklyFailures = deadLetterQueue(this, 'WeeklyFailures', 'weekly report invocations that failed after Lambda retried them');

    this.ingest = this.pipelineFunction('Ingest', {
      entry: entries.ingest,
      description: 'ltv-pulse: ingest an export into the Parquet lake when it lands in the exports bucket',
      // Ingest stages rows in DuckDB-sized memory and spools them to /tmp (functions/ingest/lakeWriter.ts).
      memorySize: 2048,
      ephemeralStorageSize: Size.gibibytes(4),
      timeout: Duration.minutes(10),
      environment: shared,
      failures: this.ingestFailures,
      retryAttempts: 2,
      layers: [native.layer],
      ...(props.ingestConcurrency > 0 ? { reservedConcurrentExecutions: props.ingestConcurrency } : {}),
    });
    if (props.customerKeySaltParameter !== undefined) {
      this.ingest.addEnvironment(CUSTOMER_KEY_SALT_PARAMETER_VARIABLE, props.customerKeySaltParameter);
      this.ingest.addToRolePolicy(ssmParameterReadStatement(this, props.customerKeySaltParameter));
    }
    const exportsKeys = props.exportsPrefix === '' ? '' : `${props.exportsPrefix}/`;
    for (const s of [...readObjectsStatements(props.exports, exportsKeys), ...readWriteObjectsStatements(props.lake)]) {
      this.ingest.addToRolePolicy(s);
    }
    acknowledgeObjectWildcard(this.ingest.role!, props.exports, exportsKeys);
    acknowledgeObjectWildcard(this.ingest.role!, props.lake);

    this.weekly = this.pipelineFunction('Weekly', {
      entry: entries.weekly,
      description: 'ltv-pulse: the weekly report (Athena queries, CLV, write-back, archive, e-mail once)',
      memorySize: props.weeklyMemoryMb,
      ephemeralStorageSize: Size.gibibytes(2),
      // Lambda stops at 15 minutes; 10 leaves room to notice a slow run before it is cut off.
      timeout: Duration.minutes(10),
      environment: { ...shared, [QUERIES_DIR_VARIABLE]: BUNDLED_QUERIES_DIR },
      failures: this.weeklyFailures,
      layers: [native.layer],
      // One retry: a run that failed twice has a cause a third try will not fix, and each try
      // costs Athena scans. The sent markers make a retry safe.
      retryAttempts: 1,
      commandHooks: copyQueries,
    });
    // No exports: on AWS only the ingest function ingests, since two writers of one lake table
    // at once could drop each other's rows (docs/architecture.md, On AWS).
    for (const s of [
      ...readWriteObjectsStatements(props.lake),
      ...readWriteObjectsStatements(props.reports),
      ...athenaResultsStatements(props.athenaResults),
      athenaWorkgroupStatement(props.workGroupArn),
      glueReadStatement(props.catalogArns),
      glueDefaultDatabaseStatement(props.catalogArns),
      glueAddPartitionStatement(props.catalogArns),
      sesSendStatement(props.senderIdentityArns, props.configurationSetArn, props.settings.sender.address),
    ]) {
      this.weekly.addToRolePolicy(s);
    }
    for (const bucket of [props.lake, props.reports, props.athenaResults]) acknowledgeObjectWildcard(this.weekly.role!, bucket);
  }

  private pipelineFunction(
    id: string,
    options: {
      entry: string;
      description: string;
      memorySize: number;
      ephemeralStorageSize: Size;
      timeout: Duration;
      environment: Record<string, string>;
      failures: Queue;
      retryAttempts: number;
      reservedConcurrentExecutions?: number;
      commandHooks?: ICommandHooks;
      layers: ILayerVersion[];
    },
  ): NodejsFunction {
    // An explicit log group and role: the default role carries the AWSLambdaBasicExecutionRole
    // managed policy, which may write to any log group in the account.
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS });
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ltv-pulse ${id.toLowerCase()} function`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, id, {
      entry: options.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      description: options.description,
      memorySize: options.memorySize,
      ephemeralStorageSize: options.ephemeralStorageSize,
      timeout: options.timeout,
      environment: options.environment,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      onFailure: new SqsDestination(options.failures),
      retryAttempts: options.retryAttempts,
      layers: options.layers,
      maxEventAge: Duration.hours(6),
      ...(options.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: options.reservedConcurrentExecutions } : {}),
      bundling: bundlingOptions(options.commandHooks),
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime chosen for the handlers (arm64, NODEJS_22_X in the toolchain notes); the code is developed and tested on Node 20 and 22, so a newer runtime is a deliberate upgrade with its own test run, not something a synth should switch.',
    });
    return fn;
  }
}
