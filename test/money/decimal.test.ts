import { describe, expect, it } from 'vitest';
import { formatMoneyDecimal, formatScaledDecimal, parseMoney, parseScaledDecimal } from '../../functions/money/decimal.ts';

describe('parsing exact decimals', () => {
  it.each([
    ['12.34', 123_400n],
    ['-5', -50_000n],
    ['+7', 70_000n],
    ['.5', 5_000n],
    ['0', 0n],
    ['-0.0001', -1n],
    ['  19.99 ', 199_900n],
    ['1.50000', 15_000n], // zeros beyond the scale lose nothing
    ['0019.9900', 199_900n],
    ['99999999999999.9999', 999_999_999_999_999_999n], // the largest DECIMAL(18,4), past double precision
    ['123456789012.3456', 1_234_567_890_123_456n],
  ])('reads %j as %s ten-thousandths', (text, units) => {
    expect(parseMoney(text)).toBe(units);
  });

  it.each(['', '-', '+', '.', '5.', '1.23456', '1e3', '1,000.00', '12.3.4', '0x10', 'NaN', '--1', '1 000'])('refuses %j', (text) => {
    expect(parseMoney(text)).toBeNull();
  });

  it('keeps ten decimals for rates, exactly', () => {
    expect(parseScaledDecimal('0.0007123456', 10)).toBe(7_123_456n);
    expect(parseScaledDecimal('1382.5', 10)).toBe(13_825_000_000_000n);
    expect(parseScaledDecimal('0.00071234567', 10)).toBeNull();
  });

  it('writes units back as the same exact text', () => {
    expect(formatMoneyDecimal(123_400n)).toBe('12.3400');
    expect(formatMoneyDecimal(-1n)).toBe('-0.0001');
    expect(formatScaledDecimal(7_123_456n, 10)).toBe('0.0007123456');
    expect(formatScaledDecimal(999_999_999_999_999_999n, 4)).toBe('99999999999999.9999');
  });
});
