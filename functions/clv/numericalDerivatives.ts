// Finite-difference derivatives for objectives of a few parameters: the gradient to check
// analytic gradients against (or to stand in for one), and the Hessian for standard errors.

/** Central-difference gradient of f at x; step ∝ ε^(1/3) balances truncation and rounding. */
export function numericalGradient(f: (x: readonly number[]) => number, x: readonly number[]): number[] {
  return x.map((xi, i) => {
    const h = 6e-6 * Math.max(1, Math.abs(xi));
    const up = [...x];
    const down = [...x];
    up[i] = xi + h;
    down[i] = xi - h;
    return (f(up) - f(down)) / (up[i]! - down[i]!);
  });
}

/**
 * Forward-difference gradient of f at x, given f(x): half the evaluations of the central one,
 * good to about √ε relative, enough to steer BFGS on an objective that costs milliseconds.
 */
export function forwardGradient(f: (x: readonly number[]) => number, x: readonly number[], fx: number): number[] {
  return x.map((xi, i) => {
    const h = 1.5e-8 * Math.max(1, Math.abs(xi));
    const up = [...x];
    up[i] = xi + h;
    return (f(up) - fx) / (up[i]! - xi);
  });
}

/**
 * Hessian at x as the central-difference Jacobian of an (analytic) gradient, symmetrised.
 * Differencing a gradient needs 2n gradient calls and loses less precision than second
 * differences of values.
 */
export function numericalHessian(gradient: (x: readonly number[]) => number[], x: readonly number[]): number[][] {
  const n = x.length;
  const columns = x.map((xi, j) => {
    const h = 6e-6 * Math.max(1, Math.abs(xi));
    const up = [...x];
    const down = [...x];
    up[j] = xi + h;
    down[j] = xi - h;
    const gUp = gradient(up);
    const gDown = gradient(down);
    return gUp.map((g, i) => (g - gDown[i]!) / (up[j]! - down[j]!));
  });
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (columns[j]![i]! + columns[i]![j]!) / 2));
}
