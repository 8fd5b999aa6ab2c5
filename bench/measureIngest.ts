// One ingest measurement in a fresh process, so peak RSS is this run's alone. Ingests the
// given export keys (default: every export in the folder) into `lakeDir` (default: a temporary
// folder, removed afterwards) and prints one JSON line.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ingestExports } from '../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../functions/storage/localFolderStore.ts';

const [exportsDir, keyList, keptLake] = process.argv.slice(2);
if (!exportsDir) throw new Error('usage: measureIngest <exports dir> [keys,comma,separated|all] [lake dir]');
const lakeDir = keptLake ?? (await mkdtemp(path.join(os.tmpdir(), 'ltv-bench-lake-')));
try {
  const lake = new LocalFolderStore(lakeDir);
  const started = performance.now();
  const result = await ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake,
    ...(keyList && keyList !== 'all' ? { keys: keyList.split(',') } : {}),
    sourceTimeZone: 'UTC',
    now: new Date('2026-11-23T00:00:00Z'),
    force: true,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.failed.length > 0) throw new Error(result.failed.map((f) => f.error).join('; '));
  const rows = result.ingested.reduce((n, m) => n + m.rowsRead, 0);
  const orderRows = result.ingested.filter((m) => m.table === 'orders').reduce((n, m) => n + m.rowsRead, 0);
  let parquetBytes = 0;
  for await (const o of lake.list('')) if (o.key.endsWith('.parquet')) parquetBytes += o.size;
  console.log(JSON.stringify({ rows, orderRows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, parquetBytes }));
} finally {
  if (!keptLake) await rm(lakeDir, { recursive: true, force: true });
}
