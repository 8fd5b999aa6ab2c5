// One ingest measurement in a fresh process, so peak RSS is this run's alone. Prints one JSON
// line: rows read, seconds, rows per second, peak RSS in MiB, Parquet bytes written.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ingestExports } from '../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../functions/storage/localFolderStore.ts';

const [exportsDir, key = 'orders.csv'] = process.argv.slice(2);
if (!exportsDir) throw new Error('usage: measureIngest <exports dir> [export key]');
const lakeDir = await mkdtemp(path.join(os.tmpdir(), 'ltv-bench-lake-'));
try {
  const lake = new LocalFolderStore(lakeDir);
  const started = performance.now();
  const result = await ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake,
    keys: [key],
    sourceTimeZone: 'UTC',
    now: new Date('2026-11-23T00:00:00Z'),
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.failed.length > 0) throw new Error(result.failed.map((f) => f.error).join('; '));
  const rows = result.ingested.reduce((n, m) => n + m.rowsRead, 0);
  let parquetBytes = 0;
  for await (const o of lake.list('')) if (o.key.endsWith('.parquet')) parquetBytes += o.size;
  console.log(JSON.stringify({ rows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, parquetBytes }));
} finally {
  await rm(lakeDir, { recursive: true, force: true });
}
