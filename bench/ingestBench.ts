// `npm run bench:ingest [-- --sizes 1m,10m --runs 3]`: canonical orders CSV end to end into the
// Parquet lake, each run in a fresh process. Prints a Markdown table for docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchExports } from './benchData.ts';
import { machineLine, median, spread } from './benchStats.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1m,10m' }, runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const here = path.dirname(new URL(import.meta.url).pathname);

console.log(machineLine());
console.log('| orders | CSV size | runs | time (median, spread) | rows/s (median) | peak RSS (max) | Parquet |');
console.log('|---|---|---|---|---|---|---|');
for (const size of values.sizes.split(',')) {
  const { dir } = await benchExports(size);
  const samples: { rows: number; seconds: number; rowsPerSecond: number; peakRssMiB: number; parquetBytes: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'measureIngest.ts'), dir, 'orders.csv'], { encoding: 'utf8' });
    samples.push(JSON.parse(out.trim().split('\n').at(-1)!));
  }
  const seconds = samples.map((s) => s.seconds);
  const csvMiB = statSync(path.join(dir, 'orders.csv')).size / 2 ** 20;
  console.log(
    `| ${samples[0]!.rows.toLocaleString('en')} | ${csvMiB.toFixed(0)} MiB | ${runs} | ${median(seconds).toFixed(2)} s (${spread(seconds)}) | ${Math.round(median(samples.map((s) => s.rowsPerSecond))).toLocaleString('en')} | ${Math.max(...samples.map((s) => s.peakRssMiB)).toFixed(0)} MiB | ${(samples[0]!.parquetBytes / 2 ** 20).toFixed(0)} MiB |`,
  );
}
