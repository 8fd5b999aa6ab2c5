import { describe, expect, it } from 'vitest';
import { hyp2f1, logHyp2f1, logHyp2f1Sequence } from '../../functions/clv/hyp2f1.ts';

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('hyp2f1 against closed forms', () => {
  it.each([0.5, 0.9, 0.99, 0.999999, -0.5, -5, -1000])('2F1(1, 1; 2; z) = −ln(1 − z)/z at z = %d', (z) => {
    expect(relative(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-13);
  });

  it.each([
    [0.7, 2.3, 0.6],
    [3.1, 0.4, 0.99],
    [0.243, 2.426, -5],
    [12, 7.5, 0.95],
  ])('2F1(a, b; b; z) = (1 − z)^−a for a = %d, b = %d, z = %d', (a, b, z) => {
    expect(relative(hyp2f1(a, b, b, z), (1 - z) ** -a)).toBeLessThan(1e-13);
  });

  it('2F1(1/2, 1; 3/2; −x²) = arctan(x)/x and 2F1(1/2, 1/2; 3/2; x²) = arcsin(x)/x', () => {
    expect(relative(hyp2f1(0.5, 1, 1.5, -5), Math.atan(Math.sqrt(5)) / Math.sqrt(5))).toBeLessThan(1e-14);
    expect(relative(hyp2f1(0.5, 0.5, 1.5, 0.99), Math.asin(Math.sqrt(0.99)) / Math.sqrt(0.99))).toBeLessThan(1e-13);
  });

  it('terminates for a non-positive integer a: 2F1(−3, 2; 1.5; 0.7) = −0.0752 (the cubic, by hand)', () => {
    // 1 − 3·2/1.5·0.7 + 3·2·3/(1.5·2.5)·0.49/… = 1 − 2.8 + 2.352 − 0.6272 = −0.0752
    expect(hyp2f1(-3, 2, 1.5, 0.7)).toBeCloseTo(-0.0752, 14);
  });
});

describe('hyp2f1 against mpmath 1.3 (hyp2f1 at 40 digits)', () => {
  it.each([
    // BG/NBD-like parameters (r + x, b + x; a + b + x − 1) near z = 1 and for large negative z
    [2.243, 4.426, 4.219, 0.99, 68635.690064801837543],
    [0.243, 2.426, 2.219, 0.99, 4.3752613674085372013],
    [0.243, 2.426, 2.219, -5, 0.6325284551677968933],
    [1.5, 2.5, 3.7, -5, 0.12895610419284253384],
    [0.243, 2.426, 2.219, -1e6, 0.033842170198158566739],
    // c − a − b small (slow series) right next to the singularity
    [0.3, 0.7, 1.2, 0.999999, 2.1385831502957571306],
    [2.5, 1.5, 3.2, 0.95, 21.828365177380136922],
    [0.5, 0.5, 7.5, 0.9999, 1.0391668925196751872],
    // c < a + b and c < 1
    [1.3, 2.7, 0.4, 0.6, 108.87423305503407196],
    // large c with small c − a − b (the sBG's DERL after many renewals): a long series
    [1, 30, 30.7, 0.995, 72.139367974957286218],
    // a Taylor continuation all the way to 1 − 1e−7
    [0.5, 1.5, 2.2, 0.9999999, 4.1260114178465483006],
  ])('2F1(%d, %d; %d; %d) = %d', (a, b, c, z, expected) => {
    expect(relative(hyp2f1(a, b, c, z), expected)).toBeLessThan(1e-13);
  });

  it('returns the logarithm when F itself would overflow (thousands of purchases)', () => {
    // ln 2F1(10000.243, 10002.426; 10001.219; 0.5) = 6932.4768101157125728
    const { sign, logAbs } = logHyp2f1(10000.243, 10002.426, 10001.219, 0.5);
    expect(sign).toBe(1);
    expect(relative(logAbs, 6932.4768101157125728)).toBeLessThan(1e-14);
  });
});

describe('logHyp2f1Sequence', () => {
  it('gives the same values as separate evaluations along increasing z', () => {
    const zs = [0, 0.1, 0.4, 0.5, 0.55, 0.8, 0.97, 0.99, 0.999];
    const together = logHyp2f1Sequence(1.976, -0.207, 2.219, zs);
    zs.forEach((z, i) => {
      const alone = logHyp2f1(1.976, -0.207, 2.219, z);
      expect(together[i]!.sign).toBe(alone.sign);
      expect(together[i]!.logAbs).toBeCloseTo(alone.logAbs, 12);
    });
  });

  it('also for large parameters, where each point is summed on its own', () => {
    const zs = [0.2, 0.6, 0.9, 0.99];
    const together = logHyp2f1Sequence(22.243, 24.426, 23.219, zs);
    zs.forEach((z, i) => expect(together[i]!.logAbs).toBeCloseTo(logHyp2f1(22.243, 24.426, 23.219, z).logAbs, 12));
  });

  it('rejects points out of order or outside [0, 1)', () => {
    expect(() => logHyp2f1Sequence(1, 1, 2, [0.5, 0.4])).toThrow(/non-decreasing/);
    expect(() => logHyp2f1Sequence(1, 1, 2, [1])).toThrow(/\[0, 1\)/);
  });
});

describe('hyp2f1 domain errors', () => {
  it('names the problem instead of returning NaN', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/z < 1/);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/non-positive integer/);
    expect(() => hyp2f1(Number.NaN, 1, 2, 0.5)).toThrow(/finite/);
  });
});
