// Seeded simulation of BG/NBD purchasing with Gamma-Gamma spend, for parameter-recovery tests
// and benchmarks. Each customer draws λ ~ Gamma(r, rate α) and p ~ Beta(a, b); makes a first
// purchase at time 0, then repeat purchases at Exp(λ) intervals; after each repeat purchase
// drops out with probability p (FHL 2005: dropout only follows repeat purchases). Spend: the
// customer's ν ~ Gamma(q, rate γ); each purchase value ~ Gamma(p_spend, rate ν), so the mean
// of x values is Gamma(p_spend·x, rate x·ν).

import { beta, createRng, exponential, gamma, uniform } from '../random/rng.ts';
import type { BgNbdParams } from './bgnbdLikelihood.ts';
import type { GammaGammaParams } from './gammaGamma.ts';

export interface SimulationOptions {
  customers: number;
  seed: number | string;
  bgnbd: BgNbdParams;
  gammaGamma?: GammaGammaParams;
  /** Customer age T at the end of calibration, uniform on [min, max] (steady acquisition). */
  age: { min: number; max: number };
  /** Round t_x and T down to multiples of this, like whole days in weeks (1/7); continuous if absent. */
  timeStep?: number;
  /** Length of a holdout period after T in which purchases are also counted. */
  holdout?: number;
}

export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
  /** Mean value of the x repeat purchases; 0 when x = 0 (or without a spend model). */
  meanSpend: number;
  /** Purchases in (T, T + holdout]; 0 without a holdout. */
  holdoutPurchases: number;
}

export function simulateCustomers(options: SimulationOptions): SimulatedCustomer[] {
  const { r, alpha, a, b } = options.bgnbd;
  const rng = createRng(options.seed);
  const holdout = options.holdout ?? 0;
  const step = options.timeStep;
  const floorToStep = (t: number) => (step === undefined ? t : Math.floor(t / step) * step);
  const customers: SimulatedCustomer[] = new Array(options.customers);
  for (let i = 0; i < options.customers; i++) {
    const T = uniform(rng, options.age.min, options.age.max);
    const lambda = gamma(rng, r, alpha);
    const dropout = beta(rng, a, b);
    let x = 0;
    let last = 0;
    let holdoutPurchases = 0;
    let time = 0;
    for (;;) {
      time += exponential(rng, lambda);
      if (time > T + holdout) break;
      if (time <= T) {
        x++;
        last = time;
      } else {
        holdoutPurchases++;
      }
      if (rng.next() < dropout) break;
    }
    let meanSpend = 0;
    if (options.gammaGamma && x > 0) {
      const { p, q, gamma: scale } = options.gammaGamma;
      const nu = gamma(rng, q, scale);
      meanSpend = gamma(rng, p * x, x * nu);
    }
    customers[i] = { x, tx: x > 0 ? floorToStep(last) : 0, T: floorToStep(T), meanSpend, holdoutPurchases };
  }
  return customers;
}
