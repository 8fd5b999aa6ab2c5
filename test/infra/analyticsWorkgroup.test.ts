import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUERIES_DIR } from '../../functions/engine/queryCatalog.ts';
import { AnalyticsWorkgroup, readNamedQueries } from '../../infra/athena/analyticsWorkgroup.ts';
import { stackUnderTest, testApp } from './stackUnderTest.ts';

let template: Template;
let resultsBucketId: string;

beforeAll(() => {
  const built = stackUnderTest({ bytesScannedCutoffMb: 250 });
  template = built.template;
  resultsBucketId = built.stack.getLogicalId(built.stack.storage.athenaResults.node.defaultChild as CfnElement);
});

describe('Athena workgroup', () => {
  it('runs engine v3 and enforces its settings on every client', () => {
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'ltv-pulse',
      State: 'ENABLED',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        PublishCloudWatchMetricsEnabled: true,
      }),
    });
  });

  it('writes results to the athena-results bucket, encrypted with SSE-S3, only if that bucket is ours', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: '123456789012',
        },
      }),
    });
  });

  it('cuts off a query after the configured decimal megabytes scanned', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 250_000_000 }),
    });
  });

  it('refuses a cutoff below Athena\'s 10 MB minimum even when built directly', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Direct');
    const results = new Bucket(stack, 'Results');

    // Act
    const build = () => new AnalyticsWorkgroup(stack, 'Athena', { workGroupName: 'wg', databaseName: 'db', athenaResults: results, bytesScannedCutoffMb: 9 });

    // Assess
    expect(build).toThrow("bytesScannedCutoffMb must be a whole number of at least 10 (Athena's minimum), not 9");
  });
});

describe('named queries', () => {
  it('publishes every queries/*.sql, one named query each', () => {
    // Prepare
    const files = readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql'));

    // Act
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((r) => (r as { Properties: { Name: string } }).Properties.Name);

    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(named.sort()).toEqual(files.map((f) => f.replace(/\.sql$/, '')).sort());
  });

  it('names each after its file, describes it by its header purpose, and runs it in this workgroup and database', () => {
    // Prepare
    const [first] = readNamedQueries(QUERIES_DIR);

    // Assess
    template.hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: first!.name,
      Description: first!.description,
      Database: 'ltv_pulse',
      QueryString: first!.sql,
      WorkGroup: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') },
    });
  });

  it('joins a purpose that continues over several header lines into one description', () => {
    // Prepare
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ltv-queries-'));
    writeFileSync(
      path.join(dir, 'weekly_orders.sql'),
      ['-- purpose: Paid orders of one week,', '--   with their customers.', '-- grain: one row per order', '-- reads: orders', '-- columns:', '--   order_id varchar: order key', 'select order_id from orders', ''].join('\n'),
    );

    try {
      // Act
      const queries = readNamedQueries(dir);

      // Assess
      expect(queries).toEqual([{ name: 'weekly_orders', description: 'Paid orders of one week, with their customers.', sql: expect.stringContaining('select order_id from orders') }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a query file whose header it cannot read, naming the file', () => {
    // Prepare
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ltv-queries-'));
    writeFileSync(path.join(dir, 'headless.sql'), 'select 1\n');

    try {
      // Act
      const read = () => readNamedQueries(dir);

      // Assess
      expect(read).toThrow('queries/headless.sql: header lacks "-- purpose: ..."');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
