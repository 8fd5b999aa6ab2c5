// Deterministic sample exports: an e-commerce business (BG/NBD purchasing, Gamma-Gamma spend)
// and a subscription business (shifted-beta-geometric churn, plan changes, reactivations) in
// one data set, with refunds, cancellations, several currencies, fx rates and marketing spend.
// The same options give byte-identical files; rows are streamed, so size is bounded by disk.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { beta, createRng, exponential, gamma, standardNormal, weightedIndex, type Rng } from '../random/rng.ts';
import { TABLES } from '../schema/tables.ts';
import { CsvFile } from './csvFile.ts';
import { CURRENCY_DIGITS, SAMPLE_PARAMS as P } from './sampleParams.ts';

export const sampleOptionsSchema = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]).default(42),
  customers: z.number().int().min(1).max(20_000_000).default(2000),
  endDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'endDate must be YYYY-MM-DD'),
  shareSubscription: z.number().min(0).max(1).default(0.3),
  /**
   * Denser e-commerce histories, for benchmarks: customers buy `activity` times as often (BG/NBD
   * alpha divided by it) and drop out about as many times less often (b multiplied by it).
   */
  activity: z.number().positive().max(100).default(1),
});

export type SampleOptions = z.input<typeof sampleOptionsSchema>;

export interface SampleSummary {
  customers: { ecommerce: number; subscription: number };
  orders: number;
  paidOrders: number;
  refundedOrders: number;
  cancelledOrders: number;
  pendingOrders: number;
  subscriptions: number;
  marketingSpendRows: number;
  fxRateRows: number;
  ordersByCurrency: Record<string, number>;
  firstDay: string;
  lastDay: string;
}

const DAY_MS = 86_400_000;

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isoInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function roundTo(value: number, digits: number): string {
  return value.toFixed(digits);
}

interface Calendar {
  firstDay: number;
  lastDay: number;
  /** Relative acquisition intensity per day (seasonality, weekdays, growth). */
  weights: Float64Array;
  maxWeight: number;
}

function calendar(endDate: string): Calendar {
  const end = new Date(`${endDate}T00:00:00Z`);
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - P.historyMonths, end.getUTCDate() + 1));
  const firstDay = start.getTime() / DAY_MS;
  const lastDay = end.getTime() / DAY_MS;
  const weights = new Float64Array(lastDay - firstDay + 1);
  let maxWeight = 0;
  for (let i = 0; i < weights.length; i++) {
    const d = new Date((firstDay + i) * DAY_MS);
    const weekday = d.getUTCDay();
    const w = P.monthWeights[d.getUTCMonth()]! * (weekday === 0 || weekday === 6 ? 0.8 : 1) * Math.pow(1 + P.yearlyGrowth, i / 365);
    weights[i] = w;
    if (w > maxWeight) maxWeight = w;
  }
  return { firstDay, lastDay, weights, maxWeight };
}

function drawSignupDay(rng: Rng, cal: Calendar): number {
  for (;;) {
    const i = Math.floor(rng.next() * cal.weights.length);
    if (rng.next() * cal.maxWeight <= cal.weights[i]!) return cal.firstDay + i;
  }
}

/** Daily USD value of one unit of each currency: a seeded random walk. */
function fxPaths(rng: Rng, cal: Calendar): Map<string, Float64Array> {
  const paths = new Map<string, Float64Array>();
  for (const [currency, startRate] of Object.entries(P.fxStart)) {
    const values = new Float64Array(cal.lastDay - cal.firstDay + 1);
    let rate = startRate;
    for (let i = 0; i < values.length; i++) {
      values[i] = rate;
      rate *= Math.exp(P.fxDailyVolatility * standardNormal(rng));
    }
    paths.set(currency, values);
  }
  return paths;
}

export async function writeSample(input: SampleOptions, outDir: string): Promise<SampleSummary> {
  const options = sampleOptionsSchema.parse(input);
  const bgnbd = { ...P.ecommerce.bgnbd, alpha: P.ecommerce.bgnbd.alpha / options.activity, b: P.ecommerce.bgnbd.b * options.activity };
  const rng = createRng(options.seed);
  const cal = calendar(options.endDate);
  const endMs = (cal.lastDay + 1) * DAY_MS;
  const fx = fxPaths(rng, cal);
  await mkdir(outDir, { recursive: true });
  const header = (t: keyof typeof TABLES) => TABLES[t].columns.map((c) => c.name);
  const customers = new CsvFile(path.join(outDir, 'customers.csv'), header('customers'));
  const orders = new CsvFile(path.join(outDir, 'orders.csv'), header('orders'));
  const subscriptions = new CsvFile(path.join(outDir, 'subscriptions.csv'), header('subscriptions'));
  const spend = new CsvFile(path.join(outDir, 'marketing_spend.csv'), header('marketing_spend'));
  const fxFile = new CsvFile(path.join(outDir, 'fx_rates.csv'), header('fx_rates'));

  const summary: SampleSummary = {
    customers: { ecommerce: 0, subscription: 0 },
    orders: 0,
    paidOrders: 0,
    refundedOrders: 0,
    cancelledOrders: 0,
    pendingOrders: 0,
    subscriptions: 0,
    marketingSpendRows: 0,
    fxRateRows: 0,
    ordersByCurrency: {},
    firstDay: isoDay(cal.firstDay),
    lastDay: isoDay(cal.lastDay),
  };
  const acquisitions = new Map<string, number>();
  let orderSeq = 0;
  let subscriptionSeq = 0;

  const usdPerUnit = (currency: string, ms: number): number => {
    if (currency === 'USD') return 1;
    const i = Math.min(Math.floor(ms / DAY_MS) - cal.firstDay, cal.lastDay - cal.firstDay);
    return fx.get(currency)![i]!;
  };

  const writeOrder = async (customerId: string, ms: number, usd: number, currency: string, allowRefund: boolean): Promise<void> => {
    const digits = CURRENCY_DIGITS[currency]!;
    const amount = Math.max(usd / usdPerUnit(currency, ms), Math.pow(10, -digits));
    let status = 'paid';
    const u = rng.next();
    if (u < P.ecommerce.cancelShare) status = 'cancelled';
    else if (ms > endMs - 2 * DAY_MS && rng.next() < 0.4) status = 'pending';
    let refunded = '';
    if (status === 'paid' && allowRefund && rng.next() < P.ecommerce.refundShare) {
      const share = rng.next() < 0.5 ? 1 : 0.3 + 0.4 * rng.next();
      refunded = roundTo(Number(roundTo(amount, digits)) * share, digits);
      summary.refundedOrders++;
    }
    orderSeq++;
    await orders.row([`o-${orderSeq}`, customerId, isoInstant(ms), roundTo(amount, digits), refunded, currency, status]);
    summary.orders++;
    if (status === 'paid') summary.paidOrders++;
    if (status === 'cancelled') summary.cancelledOrders++;
    if (status === 'pending') summary.pendingOrders++;
    summary.ordersByCurrency[currency] = (summary.ordersByCurrency[currency] ?? 0) + 1;
  };

  for (let n = 1; n <= options.customers; n++) {
    const isSubscription = rng.next() < options.shareSubscription;
    const signupDay = drawSignupDay(rng, cal);
    const signupMs = signupDay * DAY_MS + Math.floor(rng.next() * DAY_MS);
    const channel = P.channels[weightedIndex(rng, P.channels.map((c) => c.weight))]!.channel;
    const place = P.countries[weightedIndex(rng, P.countries.map((c) => c.weight))]!;
    const id = `${isSubscription ? 'saas' : 'shop'}-${String(n).padStart(7, '0')}`;
    const key = `${signupDay}|${channel}`;
    acquisitions.set(key, (acquisitions.get(key) ?? 0) + 1);
    const hideSignup = rng.next() < 0.15;
    const hideChannel = rng.next() < 0.05;
    await customers.row([id, hideSignup ? '' : isoInstant(signupMs), hideChannel ? '' : channel, place.country]);

    if (!isSubscription) {
      summary.customers.ecommerce++;
      const { r, alpha, a, b } = bgnbd;
      const lambdaPerWeek = gamma(rng, r, alpha);
      const dropout = beta(rng, a, b);
      const nu = gamma(rng, P.ecommerce.gammaGamma.q, P.ecommerce.gammaGamma.gamma);
      let t = signupMs;
      for (;;) {
        await writeOrder(id, t, gamma(rng, P.ecommerce.gammaGamma.p, nu), place.currency, true);
        if (rng.next() < dropout) break;
        t += exponential(rng, lambdaPerWeek) * 7 * DAY_MS;
        if (t >= endMs) break;
      }
      continue;
    }

    summary.customers.subscription++;
    const s = P.subscription;
    const theta = beta(rng, s.sbg.alpha, s.sbg.beta);
    const currency = place.currency === 'EUR' ? 'EUR' : 'USD';
    let planIndex = weightedIndex(rng, s.planWeights);
    const annual = rng.next() < s.annualShare;
    let reactivated = false;
    let start = signupMs;
    let month = 0;
    let periodStart = start;
    let active = true;
    while (active && periodStart < endMs) {
      const plan = s.plans[planIndex]!;
      const mrrUsd = annual ? (plan.monthlyPrice * s.annualMonthsCharged) / 12 : plan.monthlyPrice;
      // Bill at the start of each period: monthly, or yearly for annual plans.
      if (!annual || month % 12 === 0) {
        await writeOrder(id, periodStart, annual ? mrrUsd * 12 : mrrUsd, currency, false);
      }
      const nextPeriod = periodStart + 30.4375 * DAY_MS;
      let ended: number | null = null;
      let change = 0;
      if (rng.next() < theta) ended = nextPeriod;
      else if (rng.next() < s.upgradePerMonth && planIndex < s.plans.length - 1) change = 1;
      else if (rng.next() < s.downgradePerMonth && planIndex > 0) change = -1;
      if (ended !== null || change !== 0) {
        const endAt = ended ?? nextPeriod;
        subscriptionSeq++;
        const mrrLocal = mrrUsd / usdPerUnit(currency, start);
        await subscriptions.row([`sub-${subscriptionSeq}`, id, plan.plan + (annual ? '-annual' : '-monthly'), roundTo(mrrLocal, 2), currency, isoInstant(start), endAt < endMs ? isoInstant(endAt) : '']);
        summary.subscriptions++;
        if (endAt >= endMs) break;
        if (change !== 0) {
          planIndex += change;
          start = endAt;
        } else if (!reactivated && rng.next() < s.reactivationShare) {
          reactivated = true;
          start = endAt + (1 + Math.floor(rng.next() * 6)) * 30.4375 * DAY_MS;
          if (start >= endMs) {
            active = false;
            break;
          }
          month = 0;
          periodStart = start;
          continue;
        } else {
          active = false;
          break;
        }
      }
      periodStart = nextPeriod;
      month++;
    }
    if (active && periodStart >= endMs) {
      const plan = s.plans[planIndex]!;
      const mrrUsd = annual ? (plan.monthlyPrice * s.annualMonthsCharged) / 12 : plan.monthlyPrice;
      subscriptionSeq++;
      await subscriptions.row([`sub-${subscriptionSeq}`, id, plan.plan + (annual ? '-annual' : '-monthly'), roundTo(mrrUsd / usdPerUnit(currency, start), 2), currency, isoInstant(start), '']);
      summary.subscriptions++;
    }
  }

  for (let day = cal.firstDay; day <= cal.lastDay; day++) {
    for (const c of P.channels) {
      if (c.cac === 0) continue;
      const acquired = acquisitions.get(`${day}|${c.channel}`) ?? 0;
      const usd = (acquired + 0.3) * c.cac * (0.7 + 0.6 * rng.next());
      const currency = c.channel === 'social' ? 'EUR' : 'USD';
      await spend.row([isoDay(day), c.channel, roundTo(usd / usdPerUnit(currency, day * DAY_MS), 2), currency]);
      summary.marketingSpendRows++;
    }
    // Every ordered pair, so any of the sample's currencies can be the report currency.
    const usd = (c: string): number => (c === 'USD' ? 1 : fx.get(c)![day - cal.firstDay]!);
    for (const from of Object.keys(CURRENCY_DIGITS)) {
      for (const to of Object.keys(CURRENCY_DIGITS)) {
        if (from === to) continue;
        await fxFile.row([isoDay(day), from, to, (usd(from) / usd(to)).toFixed(10)]);
        summary.fxRateRows++;
      }
    }
  }

  await Promise.all([customers.close(), orders.close(), subscriptions.close(), spend.close(), fxFile.close()]);
  await writeFile(
    path.join(outDir, 'params.json'),
    `${JSON.stringify({ options, parameters: { ...P, ecommerce: { ...P.ecommerce, bgnbd } }, realised: summary }, null, 2)}\n`,
  );
  return summary;
}
