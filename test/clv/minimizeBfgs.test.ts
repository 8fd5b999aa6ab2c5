import { describe, expect, it } from 'vitest';
import { minimizeBfgs, type ValueAndGradient } from '../../functions/clv/minimizeBfgs.ts';

// f(x, y) = 100 (y − x²)² + (1 − x)², minimum 0 at (1, 1) in a curved valley.
const rosenbrock = ([x = 0, y = 0]: readonly number[]): ValueAndGradient => ({
  value: 100 * (y - x * x) ** 2 + (1 - x) ** 2,
  gradient: [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)],
});

describe('minimizeBfgs', () => {
  it('finds the minimum of the Rosenbrock valley from the classic start (−1.2, 1)', () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
  });

  it('solves a badly scaled quadratic exactly: minimum of ½ (x−3)² · 1e4 + ½ (y+2)² · 1e−2', () => {
    const result = minimizeBfgs(([x = 0, y = 0]) => ({ value: 5e3 * (x - 3) ** 2 + 5e-3 * (y + 2) ** 2, gradient: [1e4 * (x - 3), 1e-2 * (y + 2)] }), [0, 0], {
      gradientTolerance: 1e-12,
    });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 10);
    expect(result.x[1]).toBeCloseTo(-2, 8);
  });

  it('stops as converged once its steps only move the objective by rounding, short of an unreachable tolerance', () => {
    // Prepare: the mean of 20,000 shifted bowls, summed in floating point as a likelihood is, so
    // value and gradient carry rounding noise; a gradient tolerance of 1e-17 is below it.
    const centres = Array.from({ length: 20_000 }, (_, k) => [Math.sin(k) * 3, Math.cos(k * 7) * 2] as const);
    const bowls = ([x = 0, y = 0]: readonly number[]): ValueAndGradient => {
      let value = 10;
      let gx = 0;
      let gy = 0;
      for (const [cx, cy] of centres) {
        value += ((x - cx) ** 2 + 3 * (y - cy) ** 2) / centres.length;
        gx += (2 * (x - cx)) / centres.length;
        gy += (6 * (y - cy)) / centres.length;
      }
      return { value, gradient: [gx, gy] };
    };
    const mean = (i: 0 | 1) => centres.reduce((sum, c) => sum + c[i], 0) / centres.length;

    // Act
    const result = minimizeBfgs(bowls, [4, -3], { gradientTolerance: 1e-17, maxIterations: 500 });

    // Assess: at the bottom (the centres' mean), having noticed, rather than iterating to the budget.
    expect(result.converged).toBe(true);
    expect(result.message).toBe('no further decrease possible at machine precision');
    expect(result.x[0]).toBeCloseTo(mean(0), 7);
    expect(result.x[1]).toBeCloseTo(mean(1), 7);
    expect(result.iterations).toBeLessThan(30);
  });

  it('is deterministic: the same start gives the same path', () => {
    const first = minimizeBfgs(rosenbrock, [-1.2, 1]);
    const second = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(second).toEqual(first);
  });

  it('backs off from regions where the objective is not finite', () => {
    // −ln x + x has its minimum at x = 1 and is undefined for x ≤ 0; a full step from 5 overshoots.
    const result = minimizeBfgs(([x = 0]) => ({ value: x > 0 ? x - Math.log(x) : Number.NaN, gradient: [1 - 1 / x] }), [5], { maxFirstStep: 100 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
  });

  it('reports non-convergence rather than looping when the iteration budget runs out', () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(result.message).toMatch(/no convergence after 3 iterations/);
  });

  it('refuses a start where the objective is not finite', () => {
    expect(() => minimizeBfgs(() => ({ value: Number.NaN, gradient: [0] }), [0])).toThrow(/not finite at the start/);
  });
});
