// Standard errors of maximum-likelihood estimates fitted on log-parameters: the inverse of
// the Hessian of the negative log-likelihood is the asymptotic covariance of the log
// estimates, and the delta method carries it to the natural scale: SE(θ) = θ · SE(ln θ).

/** Inverse of a symmetric positive-definite matrix by Cholesky; null when not positive definite. */
export function invertPositiveDefinite(m: readonly (readonly number[])[]): number[][] | null {
  const n = m.length;
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let diagonal = m[j]![j]!;
    for (let k = 0; k < j; k++) diagonal -= l[j]![k]! ** 2;
    if (!(diagonal > 0) || !Number.isFinite(diagonal)) return null;
    l[j]![j] = Math.sqrt(diagonal);
    for (let i = j + 1; i < n; i++) {
      let sum = m[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = sum / l[j]![j]!;
    }
  }
  // Columns of L⁻¹ by forward substitution, then M⁻¹ = L⁻ᵀ L⁻¹.
  const inverseL: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    for (let i = col; i < n; i++) {
      let sum = i === col ? 1 : 0;
      for (let k = col; k < i; k++) sum -= l[i]![k]! * inverseL[k]![col]!;
      inverseL[i]![col] = sum / l[i]![i]!;
    }
  }
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let k = Math.max(i, j); k < n; k++) sum += inverseL[k]![i]! * inverseL[k]![j]!;
      return sum;
    }),
  );
}

/**
 * Natural-scale standard errors from the Hessian of the negative log-likelihood with respect
 * to the log-parameters, or null when that Hessian is not positive definite (no proper maximum).
 */
export function logScaleStandardErrors(hessian: readonly (readonly number[])[], estimates: readonly number[]): number[] | null {
  const covariance = invertPositiveDefinite(hessian);
  if (!covariance) return null;
  return estimates.map((theta, i) => theta * Math.sqrt(covariance[i]![i]!));
}

/**
 * Warnings for parameters whose standard error exceeds the estimate itself: the likelihood is
 * nearly flat along them (a ridge towards a limiting case), so the value means little.
 */
export function poorlyDeterminedWarnings(names: readonly string[], estimates: readonly number[], errors: readonly number[]): string[] {
  return names.flatMap((name, i) =>
    errors[i]! > estimates[i]!
      ? [`${name} is poorly determined (standard error ${errors[i]!.toPrecision(3)} exceeds the estimate ${estimates[i]!.toPrecision(3)}): the data hardly constrain it`]
      : [],
  );
}
