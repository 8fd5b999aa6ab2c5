// The Glue database and tables Athena reads the lake through. Canonical tables come from the
// one schema declaration (functions/schema/glueTables.ts) and the write-back tables from
// functions/engine/writebackTables.ts, so the catalog cannot drift from what ingest and the
// weekly job write. No crawler: the schema is known, and a crawler would guess types.
import { Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { WRITEBACK_TABLES, type WritebackTable } from '../../functions/engine/writebackTables.ts';
import { glueTableDefinition, glueTypeOf, type GlueTableDefinition } from '../../functions/schema/glueTables.ts';
import { TABLE_NAMES } from '../../functions/schema/tables.ts';

export interface LakeCatalogProps {
  /** The lake bucket; tables live at its root (`s3://<bucket>/<table>/`). */
  lake: IBucket;
  databaseName: string;
}

/** A table as the catalog declares it: the canonical tables' shape, any name. */
export type CatalogTable = Omit<GlueTableDefinition, 'name'> & { name: string };

const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

/**
 * The write-back tables are partitioned by ISO week id (`week_id=2026-W47`). Partition
 * projection does not fit them: `injected` forces every query to name its weeks, which breaks
 * analysts scanning the whole history, and a `date` projection cannot express ISO week ids
 * reliably. So they are plain partitioned tables and the weekly job registers each week it
 * writes (`ALTER TABLE ... ADD IF NOT EXISTS PARTITION`, docs/deploy.md).
 */
export function writebackTableDefinition(table: WritebackTable, lakeRoot: string): CatalogTable {
  const p = table.partition.name;
  return {
    name: table.name,
    description: table.description,
    columns: table.columns.map((c) => ({ name: c.name, type: glueTypeOf(c.sqlType), comment: c.description })),
    partitionKeys: [{ name: p, type: 'string', comment: 'ISO week of the report, e.g. 2026-W47; registered by the weekly job.' }],
    location: `${lakeRoot}/${table.name}/`,
    parameters: { classification: 'parquet', 'parquet.compression': 'ZSTD' },
  };
}

export class LakeCatalog extends Construct {
  readonly database: CfnDatabase;
  readonly databaseName: string;
  /** Every table, canonical and write-back, by name. */
  readonly tables: ReadonlyMap<string, CfnTable>;
  /** The tables whose partitions the weekly job adds. */
  readonly writebackTableNames: readonly string[];

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.databaseName = props.databaseName;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: props.databaseName,
        description: 'ltv-pulse lake: canonical tables ingested from exports and the weekly write-back tables.',
      },
    });
    const lakeRoot = `s3://${props.lake.bucketName}`;
    const definitions: CatalogTable[] = [
      ...TABLE_NAMES.map((t) => glueTableDefinition(t, lakeRoot)),
      ...Object.values(WRITEBACK_TABLES).map((t) => writebackTableDefinition(t, lakeRoot)),
    ];
    const tables = new Map<string, CfnTable>();
    for (const def of definitions) {
      const table = new CfnTable(this, `Table-${def.name}`, {
        catalogId: account,
        databaseName: props.databaseName,
        tableInput: {
          name: def.name,
          description: def.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: { EXTERNAL: 'TRUE', ...def.parameters },
          partitionKeys: def.partitionKeys,
          storageDescriptor: { ...PARQUET_STORAGE, columns: def.columns, location: def.location },
        },
      });
      table.node.addDependency(this.database);
      tables.set(def.name, table);
    }
    this.tables = tables;
    this.writebackTableNames = Object.keys(WRITEBACK_TABLES);
  }

  /** ARNs Glue authorises a table read against: the catalog, the database and each table. */
  catalogArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' });
  }

  databaseArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName });
  }

  tableArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${name}` });
  }
}
