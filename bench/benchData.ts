// Benchmark data sets: sample exports generated once per size and seed, cached outside the
// repository (LTV_BENCH_CACHE, default <tmp>/ltv-pulse-bench) because 10M orders take minutes
// to generate and about 600 MB of disk.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeSample, type SampleSummary } from '../functions/sample/writeSample.ts';

/** Orders the sample generator writes per customer, on average (measured: 3.9). */
const ORDERS_PER_CUSTOMER = 3.9;
export const BENCH_END_DATE = '2026-11-22';
export const BENCH_SEED = 20261123;

export const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '10m': 10_000_000 };

export function cacheRoot(): string {
  return process.env.LTV_BENCH_CACHE ?? path.join(os.tmpdir(), 'ltv-pulse-bench');
}

/** Folder of canonical CSV exports with about `orders` order rows; generated when missing. */
export async function benchExports(size: string): Promise<{ dir: string; summary: SampleSummary }> {
  const orders = SIZES[size];
  if (orders === undefined) throw new Error(`unknown size ${size}; use one of ${Object.keys(SIZES).join(', ')}`);
  const dir = path.join(cacheRoot(), `exports-${size}-${BENCH_SEED}`);
  const summaryFile = path.join(dir, 'summary.json');
  if (existsSync(summaryFile)) return { dir, summary: JSON.parse(await readFile(summaryFile, 'utf8')) as SampleSummary };
  const customers = Math.round(orders / ORDERS_PER_CUSTOMER);
  process.stderr.write(`generating ${size} (${customers} customers) into ${dir} ...\n`);
  const summary = await writeSample({ seed: BENCH_SEED, customers, endDate: BENCH_END_DATE }, dir);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(summaryFile, JSON.stringify(summary, null, 2));
  return { dir, summary };
}
