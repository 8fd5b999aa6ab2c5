// What scoring and the report card need of a fitted purchase model, whichever it is (BG/NBD,
// MBG/NBD, Pareto/NBD): the chance a customer is still active, and the purchases expected of a
// customer known to be active at T over later horizons. The second depends on x and T only, so
// callers share it across every customer with the same pair.
import { expectedPurchasesIfAliveAt, probabilityAlive, type BgNbdParams, type CustomerHistory } from './bgnbd.ts';

export const PURCHASE_MODELS = ['bgnbd', 'mbgnbd', 'pareto_nbd'] as const;
export type PurchaseModelName = (typeof PURCHASE_MODELS)[number];

export const MODEL_LABELS: Record<PurchaseModelName, string> = { bgnbd: 'BG/NBD', mbgnbd: 'MBG/NBD', pareto_nbd: 'Pareto/NBD' };

export interface PurchaseModel {
  readonly name: PurchaseModelName;
  probabilityAlive(customer: CustomerHistory): number;
  /** Expected purchases in (T, T + t] for each non-decreasing t of ts, if active at T. */
  expectedPurchasesIfAliveAt(x: number, T: number, ts: readonly number[]): number[];
}

export function bgnbdModel(params: BgNbdParams): PurchaseModel {
  return {
    name: params.variant ?? 'bgnbd',
    probabilityAlive: (c) => probabilityAlive(params, c),
    expectedPurchasesIfAliveAt: (x, T, ts) => expectedPurchasesIfAliveAt(params, x, T, ts),
  };
}

/** BG/NBD (or MBG/NBD) parameters stand for their model. */
export function asPurchaseModel(model: PurchaseModel | BgNbdParams): PurchaseModel {
  return 'probabilityAlive' in model ? model : bgnbdModel(model);
}
