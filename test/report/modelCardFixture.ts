// The fixture business's holdout check and report card: 1,118 customers simulated from
// CDNOW-like BG/NBD parameters in days, fitted on their calibration period and scored on 13
// weeks. The holdout's purchases day by day (which the simulation does not give) are spread
// evenly over its 91 days.
import type { HoldoutTuple } from '../../functions/clv/fitClvModels.ts';
import { holdoutModelAccuracy } from '../clv/holdoutCheck.ts';
import { modelCard, type ModelCard } from '../../functions/clv/card/modelCard.ts';
import type { HoldoutAccuracy } from '../../functions/clv/holdoutAccuracy.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';
import type { ReportModelChoice } from '../../functions/report/report.ts';

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

function fixture(): { accuracy: HoldoutAccuracy; card: ModelCard; choice: ReportModelChoice } {
  const tuples = holdoutTuples();
  const check = holdoutModelAccuracy(tuples, HOLDOUT_DAYS);
  if (!check.ok) throw new Error(`the fixture's holdout fit failed: ${check.flags.join('; ')}`);
  const total = tuples.reduce((n, t) => n + t.actual, 0);
  const days = Array.from({ length: HOLDOUT_DAYS }, (_, i) => ({
    day: i + 1,
    purchases: Math.floor(total / HOLDOUT_DAYS) + (i < total % HOLDOUT_DAYS ? 1 : 0),
  }));
  const card = modelCard({ fit: check.value.fit.model, tuples, holdoutDays: HOLDOUT_DAYS, hiatusDays: 180, days });
  const bg = card.scores[0]!;
  // The other candidates are not fitted here (Pareto/NBD would cost every report test seconds):
  // MBG/NBD a little behind, Pareto/NBD withheld, as a week may have them.
  const choice: ReportModelChoice = {
    rule: 'lowest_holdout_mae',
    winner: 'bgnbd',
    used: 'bgnbd',
    sampledCustomers: null,
    candidates: [
      { model: 'bgnbd', label: 'BG/NBD', score: bg, parameters: check.value.fit.summary.parameters, logLikelihood: check.value.fit.summary.logLikelihood },
      { model: 'mbgnbd', label: 'MBG/NBD', score: { ...bg, mae: bg.mae * 1.02 }, parameters: { r: 0.25, alpha: 30, a: 0.9, b: 2.2 }, logLikelihood: check.value.fit.summary.logLikelihood - 3 },
      { model: 'pareto_nbd', label: 'Pareto/NBD', score: null, parameters: null, logLikelihood: null, guard: 'Pareto/NBD did not reach a usable maximum' },
    ],
  };
  return { accuracy: check.value.accuracy, card, choice };
}

export const { accuracy: FIXTURE_ACCURACY, card: FIXTURE_CARD, choice: FIXTURE_CHOICE } = fixture();
