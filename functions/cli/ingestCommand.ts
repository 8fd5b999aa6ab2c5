import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { ingestExports, type IngestResult } from '../ingest/ingestExports.ts';
import { openStores } from '../pipeline/adapters.ts';
import { LocalFolderStore } from '../storage/localFolderStore.ts';
import type { Command } from './main.ts';

export function printIngestSummary(result: IngestResult): void {
  const rows = result.ingested.map((m) => [m.sourceKey, m.table, String(m.rowsRead), String(m.accepted), String(m.rejected)]);
  if (rows.length > 0) {
    const all = [['export', 'table', 'rows', 'accepted', 'rejected'], ...rows];
    const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    for (const r of all) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  }
  const already = result.skipped.filter((s) => s.reason.startsWith('already')).length;
  if (already > 0) console.log(`${already} export(s) already ingested, unchanged.`);
  for (const s of result.skipped.filter((x) => !x.reason.startsWith('already'))) console.log(`skipped ${s.key}: ${s.reason}`);
  for (const f of result.failed) console.error(`FAILED ${f.error}`);
  const rejected = result.ingested.filter((m) => m.rejected > 0);
  for (const m of rejected) console.log(`rejected rows of ${m.sourceKey} are in the lake at ${m.rejectsKey}`);
}

export const ingestCommand: Command = {
  summary: 'ingest canonical CSV exports (optionally .gz) into the Parquet lake',
  usage: 'ltv ingest <file.csv[.gz]>... [--config ltv.config.json] [--force]',
  options: {
    config: { type: 'string', description: 'JSON configuration file' },
    force: { type: 'boolean', description: 're-ingest files already ingested with the same content' },
  },
  async run(values, positionals) {
    if (positionals.length === 0) throw new Error('name at least one export file, e.g. ltv ingest exports/orders.csv');
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const { lake } = openStores(config);
    const byDir = new Map<string, string[]>();
    for (const file of positionals) {
      const abs = path.resolve(file);
      byDir.set(path.dirname(abs), [...(byDir.get(path.dirname(abs)) ?? []), path.basename(abs)]);
    }
    let failed = 0;
    for (const [dir, keys] of byDir) {
      const result = await ingestExports({
        exports: new LocalFolderStore(dir),
        lake,
        keys,
        sourceTimeZone: config.timeZone,
        now: new Date(),
        force: Boolean(values.force),
      });
      printIngestSummary(result);
      failed += result.failed.length;
    }
    return failed > 0 ? 1 : 0;
  },
};
