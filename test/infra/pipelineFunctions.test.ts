import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { LtvPulseStack } from '../../infra/ltvPulseStack.ts';
import { stackUnderTest } from './stackUnderTest.ts';
import { actionsOf, logicalIdOf, resourceOf, resourcesOf, statementsOfRole, textOf, type Statement } from './templateQueries.ts';

let stack: LtvPulseStack;
let template: Template;
let ids: Record<'ingest' | 'weekly' | 'exports' | 'lake' | 'reports' | 'results' | 'ingestRole' | 'weeklyRole', string>;

beforeAll(() => {
  const built = stackUnderTest({ exportsPrefix: 'crm', report: { reportCurrency: 'EUR' } });
  stack = built.stack;
  template = built.template;
  const { functions, storage } = stack;
  ids = {
    ingest: logicalIdOf(stack, functions.ingest),
    weekly: logicalIdOf(stack, functions.weekly),
    exports: logicalIdOf(stack, storage.exports),
    lake: logicalIdOf(stack, storage.lake),
    reports: logicalIdOf(stack, storage.reports),
    results: logicalIdOf(stack, storage.athenaResults),
    ingestRole: logicalIdOf(stack, functions.ingest.role!),
    weeklyRole: logicalIdOf(stack, functions.weekly.role!),
  };
});

const props = (id: string) => resourceOf(template, id).Properties;
const environment = (id: string) => (props(id).Environment as { Variables: Record<string, unknown> }).Variables;
const statements = (roleId: string) => statementsOfRole(template, roleId);
const allowing = (roleId: string, action: string): Statement[] => statements(roleId).filter((s) => actionsOf(s).includes(action));
const resourceTexts = (list: Statement[]) => list.flatMap((s) => resourcesOf(s).map(textOf)).sort();

describe('the Lambda functions', () => {
  it.each(['ingest', 'weekly'] as const)('%s runs Node.js 22 on arm64 with source maps and JSON logs', (fn) => {
    // Act
    const p = props(ids[fn]);

    // Assess
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Handler).toBe('index.handler');
    expect(environment(ids[fn]).NODE_OPTIONS).toBe('--enable-source-maps');
    expect(p.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
  });

  it('sizes the weekly run below Lambda\'s 15 minutes and gives ingest room to spool', () => {
    expect(props(ids.weekly)).toMatchObject({ Timeout: 600, MemorySize: 3008 });
    expect(props(ids.ingest)).toMatchObject({ Timeout: 600, MemorySize: 2048, EphemeralStorage: { Size: 4096 } });
  });

  it('gives the weekly run the memory weeklyMemoryMb asks for', () => {
    // Prepare
    const big = stackUnderTest({ weeklyMemoryMb: 6144 });
    const weekly = resourceOf(big.template, logicalIdOf(big.stack, big.stack.functions.weekly)).Properties;

    // Assess
    expect(weekly.MemorySize).toBe(6144);
  });

  it.each(['ingest', 'weekly'] as const)('%s logs to its own log group, kept for three months', (fn) => {
    // Act
    const logGroupId = (props(ids[fn]).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

    // Assess
    expect(resourceOf(template, logGroupId)).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } });
  });

  it('hands failed async invocations to a dead-letter queue after Lambda\'s retries', () => {
    // Act
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((r) => (r as { Properties: { FunctionName: { Ref: string } } }).Properties);
    const of = (id: string) => configs.find((c) => c.FunctionName.Ref === id);

    // Assess
    expect(of(ids.weekly)).toMatchObject({ MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.weeklyFailures), 'Arn'] } } } });
    expect(of(ids.ingest)).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(stack, stack.functions.ingestFailures), 'Arn'] } } } });
  });

  it('reserves no concurrency by default: the lake lock keeps ingests apart, and a new account has none to spare', () => {
    expect(props(ids.ingest).ReservedConcurrentExecutions).toBeUndefined();
    expect(props(ids.weekly).ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves what ingestConcurrency asks for, as a cap on a busy account', () => {
    // Act
    const built = stackUnderTest({ ingestConcurrency: 2 });

    // Assess
    const p = resourceOf(built.template, logicalIdOf(built.stack, built.stack.functions.ingest)).Properties;
    expect(p.ReservedConcurrentExecutions).toBe(2);
  });
});

describe('the configuration the functions run with', () => {
  /** LTV_CONFIG_JSON with each bucket reference written <LogicalId>. */
  const configOf = (id: string) => JSON.parse(textOf(environment(id).LTV_CONFIG_JSON)) as Record<string, unknown>;

  it('points both functions at this stack\'s buckets, workgroup, database and configuration set', () => {
    // Act
    const config = configOf(ids.weekly);

    // Assess
    expect(config).toMatchObject({
      timeZone: 'UTC',
      storage: { kind: 's3', lake: `s3://<${ids.lake}>`, reports: `s3://<${ids.reports}>` },
      exports: { dir: `s3://<${ids.exports}>/crm` },
      engine: { kind: 'athena', workgroup: 'ltv-pulse', database: 'ltv_pulse' },
      mail: { kind: 'ses', configurationSet: 'ltv-pulse' },
      sender: { name: 'ltv-pulse', address: 'reports@acme.example' },
      recipients: [{ name: 'Board', address: 'board@acme.example' }],
      reportCurrency: 'EUR',
    });
    expect(configOf(ids.ingest)).toEqual(config);
  });

  it('is a configuration the pipeline accepts once the bucket names are filled in', () => {
    // Prepare
    const text = textOf(environment(ids.weekly).LTV_CONFIG_JSON).replace(/<(\w+)>/g, (_, id: string) => `bucket-${id.toLowerCase().slice(0, 40)}`);

    // Act
    const config = parseConfig(JSON.parse(text), 'LTV_CONFIG_JSON');

    // Assess
    expect(config.engine.kind).toBe('athena');
    expect(config.mail.kind).toBe('ses');
  });

  it('names the metrics dimension and, for the weekly run, where the bundle carries the SQL', () => {
    expect(environment(ids.ingest)).toMatchObject({ LTV_DEPLOYMENT: 'LtvPulse' });
    expect(environment(ids.weekly)).toMatchObject({ LTV_DEPLOYMENT: 'LtvPulse', LTV_QUERIES_DIR: '/var/task/queries' });
  });
});

describe('least-privilege roles', () => {
  it('grants no IAM policy in the stack a bare "*" resource', () => {
    // Act
    const wildcards = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, p]) =>
      ((p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement)
        .filter((s) => resourcesOf(s).includes('*'))
        .map((s) => `${id}: ${actionsOf(s).join(',')}`),
    );

    // Assess
    expect(wildcards).toEqual([]);
  });

  it('lets ingest read exports under the prefix and write the lake, nothing more', () => {
    // Act
    const actions = statements(ids.ingestRole).flatMap(actionsOf).sort();

    // Assess
    expect(actions).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObject', 's3:ListBucket', 's3:ListBucket', 's3:PutObject', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
    );
    expect(resourceTexts(allowing(ids.ingestRole, 's3:GetObject'))).toEqual([`<${ids.exports}.Arn>/crm/*`, `<${ids.lake}.Arn>/*`].sort());
    expect(resourceTexts(allowing(ids.ingestRole, 's3:PutObject'))).toEqual([`<${ids.lake}.Arn>/*`]);
  });

  it('lets the weekly run write the lake and the reports and use the Athena results bucket, but not touch exports (only ingest ingests)', () => {
    expect(resourceTexts(allowing(ids.weeklyRole, 's3:GetObject'))).toEqual([`<${ids.lake}.Arn>/*`, `<${ids.reports}.Arn>/*`, `<${ids.results}.Arn>/*`].sort());
    expect(resourceTexts(allowing(ids.weeklyRole, 's3:PutObject'))).toEqual([`<${ids.lake}.Arn>/*`, `<${ids.reports}.Arn>/*`, `<${ids.results}.Arn>/*`].sort());
    expect(resourceTexts(allowing(ids.weeklyRole, 's3:DeleteObject'))).toEqual([`<${ids.lake}.Arn>/*`, `<${ids.reports}.Arn>/*`].sort());
    expect(resourceTexts(allowing(ids.weeklyRole, 's3:ListBucket'))).toEqual([`<${ids.lake}.Arn>`, `<${ids.reports}.Arn>`, `<${ids.results}.Arn>`].sort());
    expect(resourceTexts(statements(ids.weeklyRole)).filter((r) => r.includes(ids.exports))).toEqual([]);
  });

  it('lets ingest read the customer-key salt from the one SSM parameter named, and tells it which', () => {
    // Prepare
    const withSalt = stackUnderTest({ customerKeySaltParameter: '/ltv-pulse/customer-key-salt', report: { exports: { preset: 'shopify' } } });
    const saltIds = { ingest: logicalIdOf(withSalt.stack, withSalt.stack.functions.ingest), role: logicalIdOf(withSalt.stack, withSalt.stack.functions.ingest.role!) };
    const vars = (resourceOf(withSalt.template, saltIds.ingest).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const ssm = statementsOfRole(withSalt.template, saltIds.role).filter((st) => actionsOf(st).some((a) => a.startsWith('ssm:')));

    // Assess
    expect(vars.LTV_CUSTOMER_KEY_SALT_PARAMETER).toBe('/ltv-pulse/customer-key-salt');
    expect(ssm.map(actionsOf)).toEqual([['ssm:GetParameter']]);
    expect(ssm.flatMap(resourcesOf).map(textOf)).toEqual(['arn:aws:ssm:eu-central-1:123456789012:parameter/ltv-pulse/customer-key-salt']);
    // and no stack without the setting reads any parameter
    expect(statements(ids.ingestRole).flatMap(actionsOf).filter((a) => a.startsWith('ssm:'))).toEqual([]);
    expect(environment(ids.ingest).LTV_CUSTOMER_KEY_SALT_PARAMETER).toBeUndefined();
  });

  it('runs Athena queries in this workgroup only', () => {
    // Act
    const athena = statements(ids.weeklyRole).filter((s) => actionsOf(s).some((a) => a.startsWith('athena:')));

    // Assess
    expect(athena).toHaveLength(1);
    expect(actionsOf(athena[0]!).sort()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup', 'athena:StartQueryExecution', 'athena:StopQueryExecution']);
    expect(resourceTexts(athena)).toEqual(['arn:aws:athena:eu-central-1:123456789012:workgroup/ltv-pulse']);
  });

  it('reads the Glue catalog for this database and its tables only, and adds partitions to the write-back tables only', () => {
    // Prepare
    const glue = 'arn:aws:glue:eu-central-1:123456789012';
    const tables = [...stack.catalog.tables.keys()].map((t) => `${glue}:table/ltv_pulse/${t}`);

    // Act
    const read = allowing(ids.weeklyRole, 'glue:GetTable');
    const write = allowing(ids.weeklyRole, 'glue:BatchCreatePartition');

    // Assess
    expect(resourceTexts(read)).toEqual([`${glue}:catalog`, `${glue}:database/ltv_pulse`, ...tables].sort());
    expect(resourceTexts(write)).toEqual([`${glue}:catalog`, `${glue}:database/ltv_pulse`, `${glue}:table/ltv_pulse/clv_scores`, `${glue}:table/ltv_pulse/kpi_history`, `${glue}:table/ltv_pulse/model_accuracy`].sort());
    expect(statements(ids.weeklyRole).flatMap(actionsOf).filter((a) => a.startsWith('glue:')).every((a) => /^glue:(Get|BatchGet|CreatePartition|BatchCreatePartition)/.test(a))).toBe(true);
    // and, read-only, the default database Athena's Glue access guide calls mandatory
    const onDefault = statements(ids.weeklyRole).filter((st) => resourcesOf(st).map(textOf).includes(`${glue}:database/default`));
    expect(onDefault.map(actionsOf)).toEqual([['glue:GetDatabase']]);
  });

  it('sends mail only as the configured sender, through the configuration set', () => {
    // Act
    const ses = statements(ids.weeklyRole).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));

    // Assess
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['ses:SendRawEmail']);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'reports@acme.example' } });
    expect(resourceTexts(ses)).toEqual(
      [
        'arn:aws:ses:eu-central-1:123456789012:configuration-set/ltv-pulse',
        'arn:aws:ses:eu-central-1:123456789012:identity/acme.example',
        'arn:aws:ses:eu-central-1:123456789012:identity/reports@acme.example',
      ].sort(),
    );
  });

  it('gives ingest no Athena, Glue or SES permission at all', () => {
    const actions = statements(ids.ingestRole).flatMap(actionsOf);
    expect(actions.filter((a) => /^(athena|glue|ses):/.test(a))).toEqual([]);
  });

  it('lets each role write only to its own log group, without the account-wide managed policy', () => {
    for (const role of [ids.ingestRole, ids.weeklyRole]) {
      expect(resourceOf(template, role).Properties.ManagedPolicyArns).toBeUndefined();
      const logs = allowing(role, 'logs:PutLogEvents');
      expect(resourceTexts(logs)).toHaveLength(1);
      expect(resourceTexts(logs)[0]).toMatch(/^<Functions(Ingest|Weekly)Logs\w+\.Arn>$/);
    }
  });
});
