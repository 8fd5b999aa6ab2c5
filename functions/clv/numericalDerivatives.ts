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

/**
 * Hessian of f at x from values alone: second central differences on the diagonal, the
 * four-point cross difference off it; 2n² + 1 evaluations, for an objective whose gradient is
 * itself numerical (differencing that would cost n times more). Step ∝ ε^(1/4).
 */
export function valueHessian(f: (x: readonly number[]) => number, x: readonly number[]): number[][] {
  const n = x.length;
  const h = x.map((xi) => 1e-4 * Math.max(1, Math.abs(xi)));
  const at = (steps: readonly [number, number][]) => {
    const y = [...x];
    for (const [i, k] of steps) y[i] = x[i]! + k * h[i]!;
    return f(y);
  };
  const f0 = f(x);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    hessian[i]![i] = (at([[i, 1]]) - 2 * f0 + at([[i, -1]])) / (h[i]! * h[i]!);
    for (let j = 0; j < i; j++) {
      const cross = (at([[i, 1], [j, 1]]) - at([[i, 1], [j, -1]]) - at([[i, -1], [j, 1]]) + at([[i, -1], [j, -1]])) / (4 * h[i]! * h[j]!);
      hessian[i]![j] = cross;
      hessian[j]![i] = cross;
    }
  }
  return hessian;
}
