import { describe, expect, it } from 'vitest';
import { numericalGradient, numericalHessian } from '../../functions/clv/numericalDerivatives.ts';

// f(x, y) = x³y + e^y: ∇f = (3x²y, x³ + e^y); H = [[6xy, 3x²], [3x², e^y]].
const f = ([x = 0, y = 0]: readonly number[]) => x ** 3 * y + Math.exp(y);
const gradient = ([x = 0, y = 0]: readonly number[]) => [3 * x * x * y, x ** 3 + Math.exp(y)];

describe('numericalGradient', () => {
  it('matches the analytic gradient to about 1e-9 relative', () => {
    const [gx = 0, gy = 0] = numericalGradient(f, [1.5, -0.5]);
    expect(gx).toBeCloseTo(3 * 2.25 * -0.5, 8);
    expect(gy).toBeCloseTo(3.375 + Math.exp(-0.5), 8);
  });
});

describe('numericalHessian', () => {
  it('differences the gradient into a symmetric Hessian', () => {
    const h = numericalHessian(gradient, [1.5, -0.5]);
    expect(h[0]![0]).toBeCloseTo(6 * 1.5 * -0.5, 8);
    expect(h[0]![1]).toBeCloseTo(3 * 2.25, 8);
    expect(h[1]![0]).toBe(h[0]![1]);
    expect(h[1]![1]).toBeCloseTo(Math.exp(-0.5), 8);
  });
});
