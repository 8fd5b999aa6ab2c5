import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailCustomerKey, normalisedPhone, phoneCustomerKey } from '../../functions/ingest/presets/customerKey.ts';

describe('customer keys from contact details', () => {
  it.each([
    ['+82 10-1234-5678', '+821012345678'],
    ['0082 10 1234 5678', '+821012345678'],
    ['+1 (555) 010-2030', '+15550102030'],
    ['001 555 010 2030', '+15550102030'],
    // national form: the export does not say the country, so no prefix is guessed
    ['010-1234-5678', '01012345678'],
    ['  ', ''],
    ['n/a', ''],
  ])('writes the phone number %j as %j', (phone, expected) => {
    expect(normalisedPhone(phone)).toBe(expected);
  });

  it('keys an address trimmed and lower-cased, and a number with tel: so the two can never meet', () => {
    // Expected values: HMAC-SHA-256 as RFC 2104 defines it, over the normalised text
    const hmac = (text: string): string => createHmac('sha256', 'salt').update(text).digest('hex');
    expect(emailCustomerKey('stripe', ' Ann@Example.com ', 'salt')).toBe(`stripe:${hmac('ann@example.com')}`);
    expect(phoneCustomerKey('shopify', '+82 10-1234-5678', 'salt')).toBe(`shopify:${hmac('tel:+821012345678')}`);
    expect(emailCustomerKey('shopify', '', 'salt')).toBe('');
    expect(phoneCustomerKey('shopify', 'none', 'salt')).toBe('');
  });
});
