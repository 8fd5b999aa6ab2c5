import { writeSample } from '../sample/writeSample.ts';
import type { Command } from './main.ts';

export const sampleCommand: Command = {
  summary: 'generate a deterministic sample data set of canonical CSV exports',
  usage: 'ltv sample [--customers 2000] [--seed 42] [--end 2026-11-22] [--activity 1] [--out sample-exports]',
  options: {
    customers: { type: 'string', description: 'number of customers (default 2000)' },
    seed: { type: 'string', description: 'seed; the same seed gives the same files (default 42)' },
    end: { type: 'string', description: 'last day of data, YYYY-MM-DD (default: yesterday, UTC)' },
    activity: { type: 'string', description: 'e-commerce customers buy this many times as often and drop out about as many times less often (default 1; 4.75 gives about 10 orders a customer)' },
    out: { type: 'string', description: 'output folder (default sample-exports)' },
  },
  async run(values) {
    const end = values.end ? String(values.end) : new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const out = values.out ? String(values.out) : 'sample-exports';
    const customers = values.customers ? Number(values.customers) : 2000;
    if (!Number.isInteger(customers) || customers < 1) throw new Error(`--customers must be a whole number, got ${String(values.customers)}`);
    const activity = values.activity ? Number(values.activity) : 1;
    if (!(activity > 0 && activity <= 100)) throw new Error(`--activity must be a number above 0 and at most 100, got ${String(values.activity)}`);
    const summary = await writeSample({ seed: values.seed ? String(values.seed) : 42, customers, activity, endDate: end }, out);
    console.log(`Wrote sample exports to ${out}/ (params.json describes how they were generated)`);
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  },
};
