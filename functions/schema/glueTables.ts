// Glue catalog definitions of the canonical lake tables, derived from the same declarations
// as row validation and the DuckDB views, so Athena reads exactly the columns ingest writes.
import { LINEAGE_COLUMNS, TABLES, sqlTypeOf, type TableName } from './tables.ts';

export interface GlueColumn {
  name: string;
  type: string;
  comment: string;
}

export interface GlueTableDefinition {
  name: TableName;
  description: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  /** S3 location of the table's files (ends with '/'). */
  location: string;
  /** Table parameters: Parquet classification and, for partitioned tables, partition projection. */
  parameters: Record<string, string>;
}

/** Glue/Hive spelling of a lake SQL type (DuckDB and Trino spell them the SQL way). */
export function glueTypeOf(sqlType: string): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(sqlType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  switch (sqlType.toUpperCase()) {
    case 'VARCHAR':
      return 'string';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'DATE':
      return 'date';
    case 'BIGINT':
      return 'bigint';
    case 'DOUBLE':
      return 'double';
    default:
      throw new Error(`no Glue type for SQL type ${sqlType}`);
  }
}

/**
 * `lakeRoot` is `s3://bucket/prefix` without a trailing slash. Month partitions are projected
 * (no crawler, no MSCK REPAIR): Athena computes them from the query's filter on the partition
 * column, from the first month an export can plausibly hold up to the current one.
 */
export function glueTableDefinition(table: TableName, lakeRoot: string): GlueTableDefinition {
  const def = TABLES[table];
  const location = `${lakeRoot}/${table}/`;
  const columns: GlueColumn[] = [
    ...def.columns.map((c) => ({ name: c.name, type: glueTypeOf(sqlTypeOf(c.type)), comment: c.description })),
    ...LINEAGE_COLUMNS.map((c) => ({ name: c.name, type: glueTypeOf(c.sqlType), comment: c.description })),
  ];
  const parameters: Record<string, string> = { classification: 'parquet', 'parquet.compression': 'ZSTD' };
  const partitionKeys: GlueColumn[] = [];
  if (def.partition) {
    const p = def.partition.name;
    partitionKeys.push({ name: p, type: 'string', comment: `UTC month (YYYY-MM) of ${def.partition.source}.` });
    Object.assign(parameters, {
      'projection.enabled': 'true',
      [`projection.${p}.type`]: 'date',
      [`projection.${p}.format`]: 'yyyy-MM',
      [`projection.${p}.range`]: '2000-01,NOW',
      [`projection.${p}.interval`]: '1',
      [`projection.${p}.interval.unit`]: 'MONTHS',
      'storage.location.template': `${location}${p}=\${${p}}/`,
    });
  }
  return { name: table, description: def.description, columns, partitionKeys, location, parameters };
}
