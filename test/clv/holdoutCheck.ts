// The BG/NBD holdout check alone, as the weekly run does it for the model it uses: the candidate
// fit on the calibration tuples (functions/clv/purchaseCandidates.ts) and its forecasts scored on
// the holdout (functions/clv/card/modelCard.ts). For tests that need a fit and its accuracy.
import { forecastAccuracy, modelForecasts, prepareHoldout } from '../../functions/clv/card/modelCard.ts';
import type { FittedPurchaseModel, HoldoutTuple, Outcome } from '../../functions/clv/fitClvModels.ts';
import type { HoldoutAccuracy } from '../../functions/clv/holdoutAccuracy.ts';
import { holdoutFits } from '../../functions/clv/purchaseCandidates.ts';

export interface HoldoutCheck {
  fit: FittedPurchaseModel;
  accuracy: HoldoutAccuracy;
}

export function holdoutModelAccuracy(rows: readonly HoldoutTuple[], holdoutLength: number): Outcome<HoldoutCheck> {
  const outcome = holdoutFits(rows, ['bgnbd']).fits[0]!.outcome;
  if (!outcome.ok) return outcome;
  const h = prepareHoldout(rows, holdoutLength, 0);
  return { ok: true, value: { fit: outcome.value, accuracy: forecastAccuracy(h, modelForecasts(outcome.value.model, h).predicted) } };
}
