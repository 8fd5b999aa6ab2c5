import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowValidator } from '../../functions/ingest/rowSchema.ts';
import { TABLES, TABLE_NAMES } from '../../functions/schema/tables.ts';
import { writeSample, type SampleSummary } from '../../functions/sample/writeSample.ts';
import { SAMPLE_PARAMS } from '../../functions/sample/sampleParams.ts';

const END = '2026-11-22';
let dir: string;
let summary: SampleSummary;
const files: Record<string, Record<string, string>[]> = {};

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const columns = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-sample-'));
  summary = await writeSample({ seed: 11, customers: 3000, endDate: END }, path.join(dir, 'a'));
  for (const t of TABLE_NAMES) files[t] = parseCsv(await readFile(path.join(dir, 'a', `${t}.csv`), 'utf8'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the sample generator', () => {
  it('writes the same bytes for the same options, and other bytes for another seed', async () => {
    // Act
    await writeSample({ seed: 11, customers: 300, endDate: END }, path.join(dir, 'b'));
    await writeSample({ seed: 11, customers: 300, endDate: END }, path.join(dir, 'c'));
    await writeSample({ seed: 12, customers: 300, endDate: END }, path.join(dir, 'd'));

    // Assess
    for (const t of TABLE_NAMES) {
      const b = await readFile(path.join(dir, 'b', `${t}.csv`));
      expect(b.equals(await readFile(path.join(dir, 'c', `${t}.csv`))), t).toBe(true);
    }
    const orders = (d: string) => readFile(path.join(dir, d, 'orders.csv'), 'utf8');
    expect(await orders('b')).not.toBe(await orders('d'));
  });

  it('writes only rows that ingest accepts', () => {
    for (const t of TABLE_NAMES) {
      const validator = rowValidator(t, { sourceTimeZone: 'UTC', notAfterMs: Date.parse(`${END}T23:59:59Z`) });
      expect(Object.keys(files[t]![0]!), t).toEqual(TABLES[t].columns.map((c) => c.name));
      const rejected = files[t]!.map((r) => validator.validate(r)).filter((o) => 'rejection' in o);
      expect(rejected, t).toEqual([]);
    }
  });

  it('writes params.json whose totals are the counts in the files', async () => {
    // Act
    const params = JSON.parse(await readFile(path.join(dir, 'a', 'params.json'), 'utf8'));

    // Assess
    expect(params.realised).toEqual(summary);
    expect(summary.orders).toBe(files.orders!.length);
    expect(summary.paidOrders).toBe(files.orders!.filter((o) => o.status === 'paid').length);
    expect(summary.cancelledOrders).toBe(files.orders!.filter((o) => o.status === 'cancelled').length);
    expect(summary.refundedOrders).toBe(files.orders!.filter((o) => o.refunded_amount !== '').length);
    expect(summary.subscriptions).toBe(files.subscriptions!.length);
    expect(summary.customers.ecommerce + summary.customers.subscription).toBe(files.customers!.length);
    expect(params.parameters.ecommerce.bgnbd).toEqual(SAMPLE_PARAMS.ecommerce.bgnbd);
  });

  it('gives e-commerce customers denser histories at a higher activity, and records the BG/NBD parameters it drew from', async () => {
    // Act
    const dense = await writeSample({ seed: 11, customers: 3000, endDate: END, activity: 4 }, path.join(dir, 'dense'));
    const params = JSON.parse(await readFile(path.join(dir, 'dense', 'params.json'), 'utf8'));

    // Assess: alpha / 4 makes purchases 4 times as frequent, b × 4 dropout about 4 times rarer.
    const { r, alpha, a, b } = SAMPLE_PARAMS.ecommerce.bgnbd;
    expect(params.parameters.ecommerce.bgnbd).toEqual({ r, alpha: alpha / 4, a, b: b * 4 });
    expect(dense.orders / summary.orders).toBeGreaterThan(2);
  });

  it('has no data after the end date and no order before its customer signed up', () => {
    const signup = new Map(files.customers!.filter((c) => c.signup_at).map((c) => [c.customer_id!, Date.parse(c.signup_at!)]));
    const endMs = Date.parse(`${END}T00:00:00Z`) + 86_400_000;
    for (const o of files.orders!) {
      const at = Date.parse(o.ordered_at!);
      expect(at).toBeLessThan(endMs);
      const s = signup.get(o.customer_id!);
      if (s !== undefined) expect(at).toBeGreaterThanOrEqual(s);
    }
    for (const s of files.subscriptions!) {
      expect(Date.parse(s.started_at!)).toBeLessThan(endMs);
      if (s.ended_at) expect(Date.parse(s.ended_at)).toBeLessThan(endMs);
    }
    expect(files.marketing_spend!.every((m) => m.spend_date! <= END)).toBe(true);
  });

  it('recovers the generating parameters within sampling error', () => {
    // Share of subscription customers: binomial, 4 standard errors.
    const n = files.customers!.length;
    const share = summary.customers.subscription / n;
    expect(Math.abs(share - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / n));

    // Refunds among paid e-commerce orders: binomial around refundShare, 4 standard errors.
    const shopPaid = files.orders!.filter((o) => o.customer_id!.startsWith('shop') && o.status === 'paid');
    const refunded = shopPaid.filter((o) => o.refunded_amount !== '').length / shopPaid.length;
    const p = SAMPLE_PARAMS.ecommerce.refundShare;
    expect(Math.abs(refunded - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / shopPaid.length));

    // Gamma-Gamma: a customer's mean order value has expectation p·gamma/(q − 1) = 80 USD.
    // Customers' means are independent draws, so their average lies within 4 standard errors.
    const byCustomer = new Map<string, number[]>();
    for (const o of files.orders!) {
      if (!o.customer_id!.startsWith('shop') || o.currency !== 'USD') continue;
      byCustomer.set(o.customer_id!, [...(byCustomer.get(o.customer_id!) ?? []), Number(o.amount)]);
    }
    const means = [...byCustomer.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const avg = means.reduce((a, b) => a + b, 0) / means.length;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - avg) ** 2, 0) / (means.length - 1));
    const { p: gp, q, gamma } = SAMPLE_PARAMS.ecommerce.gammaGamma;
    expect(Math.abs(avg - (gp * gamma) / (q - 1))).toBeLessThan(4 * (sd / Math.sqrt(means.length)));
  });
});
