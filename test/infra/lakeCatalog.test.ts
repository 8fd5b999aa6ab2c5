import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WRITEBACK_TABLES } from '../../functions/engine/writebackTables.ts';
import { glueTableDefinition } from '../../functions/schema/glueTables.ts';
import { TABLE_NAMES } from '../../functions/schema/tables.ts';
import { stackUnderTest } from './stackUnderTest.ts';

interface TableInput {
  Name: string;
  TableType: string;
  Parameters: Record<string, unknown>;
  PartitionKeys?: { Name: string; Type: string }[];
  StorageDescriptor: { Columns: { Name: string; Type: string; Comment: string }[]; Location: unknown; SerdeInfo: { SerializationLibrary: string }; InputFormat: string };
}

let template: Template;
let lakeBucketId: string;
let tables: Map<string, TableInput>;

beforeAll(() => {
  const built = stackUnderTest();
  template = built.template;
  lakeBucketId = built.stack.getLogicalId(built.stack.storage.lake.node.defaultChild as CfnElement);
  tables = new Map(
    Object.values(template.findResources('AWS::Glue::Table')).map((r) => {
      const input = (r as { Properties: { TableInput: TableInput } }).Properties.TableInput;
      return [input.Name, input];
    }),
  );
});

/** `s3://<lake bucket>/<rest>` as CloudFormation writes it. */
const inLake = (rest: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: lakeBucketId }, rest]] });

describe('lake catalog', () => {
  it('creates one Glue database named after the stack', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { CatalogId: '123456789012', DatabaseInput: Match.objectLike({ Name: 'ltv_pulse' }) });
  });

  it('declares every canonical table and both write-back tables, and nothing else', () => {
    expect([...tables.keys()].sort()).toEqual([...TABLE_NAMES, ...Object.keys(WRITEBACK_TABLES)].sort());
  });

  it.each(TABLE_NAMES)('%s has exactly the columns of the one schema declaration, as Parquet in the lake', (name) => {
    // Prepare
    const declared = glueTableDefinition(name, 's3://lake');

    // Act
    const table = tables.get(name)!;

    // Assess
    expect(table.TableType).toBe('EXTERNAL_TABLE');
    expect(table.StorageDescriptor.Columns).toEqual(declared.columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
    expect(table.PartitionKeys ?? []).toEqual(declared.partitionKeys.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
    expect(table.StorageDescriptor.Location).toEqual(inLake(`/${name}/`));
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(table.Parameters).toMatchObject({ classification: 'parquet', EXTERNAL: 'TRUE' });
  });

  it('projects the monthly order partitions instead of needing a crawler or MSCK REPAIR', () => {
    // Act
    const orders = tables.get('orders')!;

    // Assess
    expect(orders.PartitionKeys).toEqual([expect.objectContaining({ Name: 'order_month', Type: 'string' })]);
    expect(orders.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.order_month.type': 'date',
      'projection.order_month.format': 'yyyy-MM',
      'projection.order_month.range': '2000-01,NOW',
      'projection.order_month.interval': '1',
      'projection.order_month.interval.unit': 'MONTHS',
      'storage.location.template': inLake('/orders/order_month=${order_month}/'),
    });
  });

  it('leaves unpartitioned canonical tables without projection', () => {
    const unpartitioned = TABLE_NAMES.filter((t) => glueTableDefinition(t, 's3://lake').partitionKeys.length === 0);
    expect(unpartitioned.length).toBeGreaterThan(0);
    for (const name of unpartitioned) expect(tables.get(name)!.Parameters, name).not.toHaveProperty('projection.enabled');
  });

  it.each(Object.values(WRITEBACK_TABLES))('write-back table $name is partitioned by week_id, registered by the weekly job rather than projected', (table) => {
    // Act
    const glue = tables.get(table.name)!;

    // Assess
    expect(glue.PartitionKeys).toEqual([expect.objectContaining({ Name: 'week_id', Type: 'string' })]);
    expect(glue.Parameters).not.toHaveProperty('projection.enabled');
    expect(glue.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(table.columns.map((c) => c.name));
    expect(glue.StorageDescriptor.Location).toEqual(inLake(`/${table.name}/`));
  });
});
