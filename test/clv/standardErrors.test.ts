import { describe, expect, it } from 'vitest';
import { invertPositiveDefinite, logScaleStandardErrors, poorlyDeterminedWarnings } from '../../functions/clv/standardErrors.ts';

describe('invertPositiveDefinite', () => {
  it('inverts [[4, 2], [2, 3]] to [[3, −2], [−2, 4]] / 8', () => {
    const inverse = invertPositiveDefinite([
      [4, 2],
      [2, 3],
    ])!;
    expect(inverse[0]![0]).toBeCloseTo(3 / 8, 15);
    expect(inverse[0]![1]).toBeCloseTo(-2 / 8, 15);
    expect(inverse[1]![0]).toBeCloseTo(-2 / 8, 15);
    expect(inverse[1]![1]).toBeCloseTo(4 / 8, 15);
  });

  it('returns null for a matrix that is not positive definite (a saddle, not a maximum)', () => {
    expect(
      invertPositiveDefinite([
        [1, 2],
        [2, 1],
      ]),
    ).toBeNull();
    expect(invertPositiveDefinite([[Number.NaN]])).toBeNull();
  });
});

describe('logScaleStandardErrors', () => {
  it('applies the delta method: SE(θ) = θ · SE(ln θ)', () => {
    // Var(ln θ1) = 1/100 and Var(ln θ2) = 1/4 for a diagonal Hessian (100, 4).
    const errors = logScaleStandardErrors(
      [
        [100, 0],
        [0, 4],
      ],
      [2, 10],
    )!;
    expect(errors[0]).toBeCloseTo(0.2, 15);
    expect(errors[1]).toBeCloseTo(5, 15);
  });
});

describe('poorlyDeterminedWarnings', () => {
  it('names the parameters whose standard error exceeds the estimate', () => {
    expect(poorlyDeterminedWarnings(['r', 'alpha'], [0.5, 3], [0.01, 7.5])).toEqual([
      'alpha is poorly determined (standard error 7.50 exceeds the estimate 3.00): the data hardly constrain it',
    ]);
  });
});
