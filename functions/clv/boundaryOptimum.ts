// One rule for a fit without an interior maximum (docs/metrics.md, "Fits without an interior
// maximum"). On small or uniform data a likelihood often keeps rising towards a limiting case
// (Gamma-Gamma p → ∞: every customer spends the same each time; BG/NBD a → 0: nobody drops
// out). Where the optimiser happens to stop on that ridge varies from week to week, and with it
// whether the parameter ran to the bound, whether the Hessian there is positive definite, and so
// whether the fit was published. The profile-likelihood test below looks at the likelihood
// itself instead: a parameter is not identified when moving it a thousandfold towards either
// limit, letting the other parameters adjust, costs less log-likelihood than a 95% likelihood
// interval allows (χ²₁(0.95) / 2 = 1.92). Such a fit is withheld, the same way every week.
import { minimizeBfgs, type DifferentiableObjective } from './minimizeBfgs.ts';

/** ln(1000): how far along a log-parameter the profile is taken. */
export const PROFILE_STEP = Math.log(1000);
/** Half the 95% quantile of χ² with one degree of freedom. */
export const PROFILE_DROP = 1.92;
/**
 * Parameters estimated tighter than this on the log scale (a standard error of ln θ below 0.1,
 * a 95% interval within ±20%) lose thousands of log-likelihood units a thousandfold away, so
 * their profile is not computed.
 */
const WELL_DETERMINED_LOG_SE = 0.1;

export interface UnidentifiedParameter {
  name: string;
  /** The limit the likelihood does not tell the estimate from. */
  towards: 'larger' | 'smaller';
  /** Log-likelihood lost at a thousandfold step that way (below PROFILE_DROP). */
  drop: number;
}

/**
 * The parameters whose profile likelihood stays within PROFILE_DROP of the maximum a
 * thousandfold away. `objective` is the negative log-likelihood over log-parameters divided by
 * `scale` (as the fits minimise it), `estimate` its minimiser, `logErrors` the standard errors
 * of the log-parameters (null when the Hessian is not positive definite: every parameter is
 * then profiled), and `limit` the bound on |log-parameter| the objective accepts.
 */
export function unidentifiedParameters(args: {
  objective: DifferentiableObjective;
  scale: number;
  estimate: readonly number[];
  names: readonly string[];
  logErrors: readonly number[] | null;
  limit: number;
  /** Of the profiles' minimisations; looser for an objective whose gradient is numerical. */
  gradientTolerance?: number;
}): UnidentifiedParameter[] {
  const { objective, scale, estimate, names, logErrors, limit } = args;
  const tolerance = args.gradientTolerance ?? 1e-9;
  const best = objective(estimate).value;
  const found: UnidentifiedParameter[] = [];
  for (let i = 0; i < estimate.length; i++) {
    if (logErrors !== null && logErrors[i]! < WELL_DETERMINED_LOG_SE) continue;
    for (const towards of ['larger', 'smaller'] as const) {
      const fixed = Math.max(-limit, Math.min(limit, estimate[i]! + (towards === 'larger' ? PROFILE_STEP : -PROFILE_STEP)));
      const drop = (profileMinimum(objective, estimate, i, fixed, tolerance) - best) * scale;
      if (drop < PROFILE_DROP) found.push({ name: names[i]!, towards, drop: Math.max(0, drop) });
    }
  }
  return found;
}

/** The objective's minimum with coordinate `i` held at `fixed`, from the estimate's other coordinates. */
function profileMinimum(objective: DifferentiableObjective, estimate: readonly number[], i: number, fixed: number, tolerance: number): number {
  const full = (rest: readonly number[]): number[] => [...rest.slice(0, i), fixed, ...rest.slice(i)];
  // The gradient is read only when BFGS asks for it, as the objective's own may be.
  const reduced: DifferentiableObjective = (rest) => {
    const at = objective(full(rest));
    return {
      value: at.value,
      get gradient() {
        return at.gradient.filter((_, k) => k !== i);
      },
    };
  };
  const start = estimate.filter((_, k) => k !== i);
  if (start.length === 0) return objective([fixed]).value;
  return minimizeBfgs(reduced, start, { gradientTolerance: tolerance, maxIterations: 300 }).value;
}

/** The warnings a withheld fit carries: one per unidentified parameter, naming the limits. */
export function unidentifiedWarnings(found: readonly UnidentifiedParameter[]): string[] {
  const byName = new Map<string, UnidentifiedParameter[]>();
  for (const p of found) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  return [...byName].map(
    ([name, ways]) =>
      `${name} is not identified: with ${name} a thousand times ${ways.map((w) => w.towards).join(' or ')} the likelihood is within ${PROFILE_DROP} of its maximum ` +
      '(a profile-likelihood test), so the fit has no interior maximum and is withheld',
  );
}
