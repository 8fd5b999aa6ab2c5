// The fixture business's holdout check and report card: 1,118 customers simulated from
// CDNOW-like BG/NBD parameters in days, fitted on their calibration period and scored on 13
// weeks. The holdout's purchases day by day (which the simulation does not give) are spread
// evenly over its 91 days.
import { holdoutModelAccuracy, type HoldoutTuple } from '../../functions/clv/fitClvModels.ts';
import { modelCard, type ModelCard } from '../../functions/clv/card/modelCard.ts';
import type { HoldoutAccuracy } from '../../functions/clv/holdoutAccuracy.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';

const HOLDOUT_DAYS = 91;

function holdoutTuples(): HoldoutTuple[] {
  const customers = simulateCustomers({
    customers: 1118,
    seed: 'report fixture',
    bgnbd: { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 },
    age: { min: 100, max: 700 },
    timeStep: 1,
    holdout: HOLDOUT_DAYS,
  });
  return customers.map((c) => ({ x: c.x, tx: c.tx, T: c.T, count: 1, actual: c.holdoutPurchases }));
}

function fixture(): { accuracy: HoldoutAccuracy; card: ModelCard } {
  const tuples = holdoutTuples();
  const check = holdoutModelAccuracy(tuples, HOLDOUT_DAYS);
  if (!check.ok) throw new Error(`the fixture's holdout fit failed: ${check.flags.join('; ')}`);
  const total = tuples.reduce((n, t) => n + t.actual, 0);
  const days = Array.from({ length: HOLDOUT_DAYS }, (_, i) => ({
    day: i + 1,
    purchases: Math.floor(total / HOLDOUT_DAYS) + (i < total % HOLDOUT_DAYS ? 1 : 0),
  }));
  return { accuracy: check.value.accuracy, card: modelCard({ fit: check.value.fit, tuples, holdoutDays: HOLDOUT_DAYS, hiatusDays: 180, days }) };
}

export const { accuracy: FIXTURE_ACCURACY, card: FIXTURE_CARD } = fixture();
