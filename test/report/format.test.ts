import { describe, expect, it } from 'vitest';
import { formatter } from '../../functions/report/format.ts';

const wow = (previous: number, current: number) => ({ previousWeekId: '2026-W46', previous, change: current - previous, relativeChange: previous === 0 ? null : (current - previous) / Math.abs(previous) });

describe('formatter', () => {
  it.each([
    ['en', 'USD', 1234.567, '$1,234.57'],
    ['ko', 'KRW', 1234567.8, '₩1,234,568'],
    ['ja', 'JPY', 1234567.8, '￥1,234,568'],
    ['ko', 'USD', 12.5, 'US$12.50'],
  ] as const)('formats money in %s %s with the currency’s own digits: %s → %s', (locale, currency, value, text) => {
    expect(formatter(locale, currency, 'UTC').money(value)).toBe(text);
  });

  it('writes a change of a rate in percentage points and of anything else relative to the week before', () => {
    const en = formatter('en', 'USD', 'UTC');
    expect(en.change('ratio', wow(0.046, 0.049))).toBe('+0.3 pp');
    expect(en.change('money', wow(200, 190))).toBe('-5.0%');
    expect(en.change('count', wow(0, 12))).toBe('+12'); // no relative change from 0
    expect(formatter('ko', 'KRW', 'UTC').change('ratio', wow(0.05, 0.04))).toBe('-1.0%p');
    expect(formatter('ja', 'JPY', 'UTC').change('ratio', wow(0.05, 0.05))).toBe('0.0pt');
    expect(en.change('money', { previousWeekId: '2026-W46', previous: null, change: null, relativeChange: null })).toBeNull();
  });

  it('adds the unit of months and days in the locale', () => {
    expect(formatter('en', 'USD', 'UTC').kpi({ unit: 'months', value: 12 })).toBe('12.0 mo');
    expect(formatter('ko', 'USD', 'UTC').kpi({ unit: 'days', value: 2.5 })).toBe('2.5일');
    expect(formatter('ja', 'USD', 'UTC').kpi({ unit: 'months', value: 1.25 })).toBe('1.25か月');
  });
});
