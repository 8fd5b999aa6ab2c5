// Which canonical table an export feeds, from its file name: `orders.csv`, `orders-2026-11.csv.gz`,
// `orders.jsonl` and `2026/11/marketing_spend_part2.csv` all name their table first.
import { TABLE_NAMES, type TableName } from '../schema/tables.ts';

const BY_LENGTH = [...TABLE_NAMES].sort((a, b) => b.length - a.length);

/** The base of a file name, lower-cased, without folders and export extensions. */
export function baseNameOf(key: string): string {
  return (key.split('/').pop() ?? '').toLowerCase().replace(/\.gz$/, '').replace(/\.(csv|jsonl|ndjson)$/, '');
}

export function tableOfExport(key: string): TableName | undefined {
  const base = baseNameOf(key);
  return BY_LENGTH.find((t) => base === t || new RegExp(`^${t}[-_.\\d]`).test(base));
}
