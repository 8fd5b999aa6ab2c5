// Benchmark data sets: sample exports generated once per size and seed, cached outside the
// repository (LTV_BENCH_CACHE, default <tmp>/ltv-pulse-bench) because 10M orders take minutes
// to generate and about 600 MB of disk.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeSample, type SampleSummary } from '../functions/sample/writeSample.ts';

/** Orders the sample generator writes per customer, on average, at its default activity (measured: 3.9). */
const ORDERS_PER_CUSTOMER = 3.9;
export const BENCH_END_DATE = '2026-11-22';
export const BENCH_SEED = 20261123;

interface Population {
  customers: number;
  /** writeSample's `activity`: 1 is the sample's own business. */
  activity: number;
}

const sized = (orders: number): Population => ({ customers: Math.round(orders / ORDERS_PER_CUSTOMER), activity: 1 });

/**
 * The sizes by their order count. `10m-1m` is the population issue #4's query target names: 10M
 * orders over 1M customers, about 10 orders each, which the generator reaches at activity 4.75
 * (measured: 10,092,978 orders).
 */
export const SIZES: Record<string, Population> = {
  '10k': sized(10_000),
  '100k': sized(100_000),
  '1m': sized(1_000_000),
  '10m': sized(10_000_000),
  '10m-1m': { customers: 1_000_000, activity: 4.75 },
};

export function cacheRoot(): string {
  return process.env.LTV_BENCH_CACHE ?? path.join(os.tmpdir(), 'ltv-pulse-bench');
}

/** Folder of canonical CSV exports with about `orders` order rows; generated when missing. */
export async function benchExports(size: string): Promise<{ dir: string; summary: SampleSummary }> {
  const population = SIZES[size];
  if (population === undefined) throw new Error(`unknown size ${size}; use one of ${Object.keys(SIZES).join(', ')}`);
  const dir = path.join(cacheRoot(), `exports-${size}-${BENCH_SEED}`);
  const summaryFile = path.join(dir, 'summary.json');
  if (existsSync(summaryFile)) return { dir, summary: JSON.parse(await readFile(summaryFile, 'utf8')) as SampleSummary };
  const { customers, activity } = population;
  process.stderr.write(`generating ${size} (${customers} customers) into ${dir} ...\n`);
  const summary = await writeSample({ seed: BENCH_SEED, customers, activity, endDate: BENCH_END_DATE }, dir);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(summaryFile, JSON.stringify(summary, null, 2));
  return { dir, summary };
}
