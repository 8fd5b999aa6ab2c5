import { describe, expect, it } from 'vitest';
import { closestName } from '../../functions/text/closestName.ts';

describe('closestName', () => {
  const settings = ['dir', 'preset', 'mapping'];

  it.each([
    ['Dir', settings, 'dir'],
    ['presett', settings, 'preset'],
    ['mappnig', settings, 'mapping'],
    ['horizonMonth', ['horizonMonths', 'monthlyDiscountRate', 'minCustomers'], 'horizonMonths'],
    ['LTV_TIMEZONE', ['LTV_TIME_ZONE', 'LTV_LOCALE'], 'LTV_TIME_ZONE'],
  ])('takes %s for %s', (word, known, expected) => {
    expect(closestName(word, known)).toBe(expected);
  });

  it('prefers a name differing only in case over a nearer spelling', () => {
    // "Port" is one substitution from "post" and zero edits from "port" ignoring case
    expect(closestName('Port', ['post', 'port'])).toBe('port');
  });

  it('suggests nothing for a word too far from every name', () => {
    expect(closestName('folder', settings)).toBeUndefined();
    // two letters allow one edit: "id" is not "kind"
    expect(closestName('id', ['kind', 'host'])).toBeUndefined();
  });

  it('takes the first of equally near names, in the order given', () => {
    expect(closestName('cat', ['bat', 'hat'])).toBe('bat');
  });
});
