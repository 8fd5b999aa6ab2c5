// Times the predictive-CLV path on simulated customers (CDNOW-like parameters, weeks):
//   npm run bench:clv -- [customers=1000000] [days|continuous]
// "days" rounds t_x and T to whole days, as summaries built from order dates are; with
// "continuous" every customer has its own T, so nothing is shared between customers and
// scoring costs one 2F1 sequence per customer.

import { fitBgNbd } from '../functions/clv/bgnbd.ts';
import { fitGammaGamma } from '../functions/clv/gammaGamma.ts';
import { scoreTuples } from '../functions/clv/predictiveClv.ts';
import { simulateCustomers } from '../functions/clv/simulate.ts';
import { compressTuples } from '../functions/clv/tuples.ts';

const customers = Number(process.argv[2] ?? 1_000_000);
const resolution = process.argv[3] ?? 'days';
if (!(customers > 0) || (resolution !== 'days' && resolution !== 'continuous')) {
  throw new Error('usage: npm run bench:clv -- [customers] [days|continuous]');
}

function timed<T>(label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  console.log(`${label.padEnd(34)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`);
  return result;
}

const simulated = timed(`simulate ${customers} customers`, () =>
  simulateCustomers({
    customers,
    seed: 'benchmark',
    bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
    gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
    age: { min: 0, max: 78 },
    timeStep: resolution === 'days' ? 1 / 7 : undefined,
  }),
);
// The simulated input is the caller's data, not the models' memory: report the RSS it takes.
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const inputRss = process.memoryUsage().rss;
console.log(`  RSS with the simulated input held: ${mib(inputRss)}`);
const tuples = timed('compress to (x, t_x, T) tuples', () => compressTuples(simulated));
console.log(`  ${tuples.length} distinct tuples`);
const bgnbd = timed('fit BG/NBD on the tuples', () => fitBgNbd(tuples));
console.log(`  r=${bgnbd.r.toFixed(4)} alpha=${bgnbd.alpha.toFixed(4)} a=${bgnbd.a.toFixed(4)} b=${bgnbd.b.toFixed(4)} converged=${bgnbd.converged}`);
const spendTuples = timed('compress with spend', () => compressTuples(simulated, { includeSpend: true }));
const spend = timed('fit Gamma-Gamma', () => fitGammaGamma(spendTuples));
console.log(`  p=${spend.p.toFixed(3)} q=${spend.q.toFixed(3)} gamma=${spend.gamma.toFixed(3)} converged=${spend.converged}`);
const scores = timed(`score ${customers} customers (12 months)`, () => scoreTuples(simulated, bgnbd, spend, { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 }));
let total = 0;
for (const v of scores.clv) total += v;
console.log(`  mean CLV ${(total / customers).toFixed(2)}`);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`peak RSS ${mib(peak)}, of which compressing, fitting and scoring added at most ${mib(peak - inputRss)}`);
