// The purchase models the holdout check compares (docs/metrics.md, "Model choice"): BG/NBD,
// MBG/NBD and Pareto/NBD, each fitted on the same calibration customers and scored on the same
// holdout; the one with the lowest holdout MAE wins, BG/NBD first on a tie. Above
// CANDIDATE_SAMPLE customers the candidates are fitted on a fixed random sample of them (each
// customer kept with the same probability, the same sample every run), which pins four
// parameters down to well within the differences between the models at a fraction of the cost
// (Pareto/NBD's likelihood needs a 2F1 per distinct (x, t)); every candidate is still scored on
// every holdout customer.
import { fitNamedPurchaseModel, MIN_REPEAT_CUSTOMERS, type FittedPurchaseModel, type HoldoutTuple, type Outcome } from './fitClvModels.ts';
import { MODEL_LABELS, PURCHASE_MODELS, type PurchaseModelName } from './purchaseModel.ts';
import { createRng } from '../random/rng.ts';
import type { RfmTuple } from './tuples.ts';

export const CANDIDATE_SAMPLE = 50_000;

/** Each customer kept with probability limit / customers (seeded, so every run keeps the same ones); the tuples unchanged at or below the limit. */
export function sampleTuples(tuples: readonly RfmTuple[], limit: number): { tuples: RfmTuple[]; sampled: boolean } {
  let customers = 0;
  for (const t of tuples) customers += t.count;
  if (customers <= limit) return { tuples: [...tuples], sampled: false };
  const share = limit / customers;
  const rng = createRng('purchase model candidates');
  const kept: RfmTuple[] = [];
  for (const t of tuples) {
    let count = 0;
    for (let i = 0; i < t.count; i++) if (rng.next() < share) count++;
    if (count > 0) kept.push({ ...t, count });
  }
  return { tuples: kept, sampled: true };
}

/** Every candidate fitted on the (sampled) calibration tuples, or why it could not be. */
export function fitCandidates(tuples: readonly RfmTuple[], names: readonly PurchaseModelName[]): { fits: { name: PurchaseModelName; outcome: Outcome<FittedPurchaseModel> }[]; sampledCustomers: number | null } {
  const { tuples: sample, sampled } = sampleTuples(tuples, CANDIDATE_SAMPLE);
  let repeat = 0;
  let customers = 0;
  for (const t of sample) {
    customers += t.count;
    if (t.x > 0) repeat += t.count;
  }
  const tooFew = (name: PurchaseModelName): Outcome<FittedPurchaseModel> => ({
    ok: false,
    flags: [`too few repeat customers to fit ${MODEL_LABELS[name]}: ${repeat} made a repeat purchase, at least ${MIN_REPEAT_CUSTOMERS} are needed`],
  });
  const fits = names.map((name) => ({ name, outcome: repeat < MIN_REPEAT_CUSTOMERS ? tooFew(name) : fitNamedPurchaseModel(sample, name) }));
  return { fits, sampledCustomers: sampled ? customers : null };
}

/**
 * Each candidate fitted on the calibration tuples (merged from their holdout splits, sampled
 * above CANDIDATE_SAMPLE customers); the card scores their forecasts (card/modelCard.ts).
 */
export function holdoutFits(rows: readonly HoldoutTuple[], names: readonly PurchaseModelName[] = PURCHASE_MODELS): ReturnType<typeof fitCandidates> {
  if (rows.length === 0) {
    return { fits: names.map((name) => ({ name, outcome: { ok: false, flags: ['no customers purchased before the calibration cut-off'] } })), sampledCustomers: null };
  }
  return fitCandidates(mergeHoldoutSplits(rows), names);
}

function mergeHoldoutSplits(rows: readonly HoldoutTuple[]): RfmTuple[] {
  const merged = new Map<string, RfmTuple>();
  for (const r of rows) {
    const key = `${r.x} ${r.tx} ${r.T}`;
    const at = merged.get(key);
    if (at) at.count += r.count;
    else merged.set(key, { x: r.x, tx: r.tx, T: r.T, count: r.count });
  }
  return [...merged.values()];
}
