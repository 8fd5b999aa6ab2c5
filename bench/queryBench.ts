// `npm run bench:queries [-- --sizes 1m,10m --runs 3]`: the query stage of the benchmark alone.
import { parseArgs } from 'node:util';
import { machineLine } from './benchStats.ts';
import { benchLake, measureQueries } from './queryStage.ts';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '1m,10m' }, runs: { type: 'string', default: '3' } } });
console.log(machineLine());
for (const size of args.sizes.split(',')) {
  const results = await measureQueries(await benchLake(size), Number(args.runs));
  console.log(`\n### ${size} orders, report week 2026-W47\n`);
  console.log('| query | rows | time (median) | Parquet read | Athena cost |');
  console.log('|---|---|---|---|---|');
  for (const q of results) {
    console.log(`| ${q.name} | ${q.rows.toLocaleString('en')} | ${q.seconds.toFixed(2)} s | ${(q.bytesRead / 2 ** 20).toFixed(1)} MiB | $${q.athenaUsd.toFixed(5)} |`);
  }
  const seconds = results.reduce((n, q) => n + q.seconds, 0);
  const usd = results.reduce((n, q) => n + q.athenaUsd, 0);
  console.log(`| **all queries** | | **${seconds.toFixed(1)} s** | | **$${usd.toFixed(4)}** |`);
}
