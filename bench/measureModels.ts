// The predictive models on a benchmark lake, in a fresh process (peak RSS is theirs plus the
// model-input query's): read the per-customer inputs at the week's end, compress to tuples,
// fit BG/NBD and Gamma-Gamma, score every customer. Prints one JSON line.
import { DuckDbEngine } from '../functions/engine/duckdbEngine.ts';
import { fitClvModels, scoreCustomers } from '../functions/clv/fitClvModels.ts';
import { readModelInputs } from '../functions/pipeline/modelInputs.ts';

const [lakeDir] = process.argv.slice(2);
if (!lakeDir) throw new Error('usage: measureModels <lake dir>');
const engine = await DuckDbEngine.open({ lakeDir });
try {
  let started = performance.now();
  const { customers } = await readModelInputs(engine, new Date('2026-11-23T00:00:00Z'), 'USD');
  const inputSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const fitted = fitClvModels(customers);
  const fitSeconds = (performance.now() - started) / 1000;
  if (!fitted.ok) throw new Error(`the models could not be fitted: ${fitted.flags.join('; ')}`);
  started = performance.now();
  const scores = scoreCustomers(fitted.value, customers, { daysPerTimeUnit: 1, monthlyDiscountRate: 0.01, horizonMonths: 12 });
  const scoreSeconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      customers: customers.length,
      scored: scores.clv.length,
      inputSeconds,
      fitSeconds,
      iterations: fitted.value.purchase.summary.iterations,
      scoreSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await engine.close();
}
