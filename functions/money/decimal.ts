// Exact money: amounts are carried as integers of 1/10,000 of a currency unit (the lake's
// DECIMAL(18,4)), so sums never drift. Conversion to a float happens only for ratios.

export const MONEY_SCALE = 4;
const FACTOR = 10n ** BigInt(MONEY_SCALE);
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d+))?$/;

/** An exact amount in 1/10,000 units. */
export type Money = bigint;

/**
 * Parse a plain decimal ("12.34", "-5", ".5") into an integer of 10^-scale units; null when the
 * text is not a decimal number or has non-zero digits beyond `scale`.
 */
export function parseScaledDecimal(text: string, scale: number): bigint | null {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return null;
  const [, sign, whole = '', frac = ''] = m;
  if (whole === '' && frac === '') return null;
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return null;
  const units = BigInt(whole || '0') * 10n ** BigInt(scale) + BigInt(frac.slice(0, scale).padEnd(scale, '0') || '0');
  return sign === '-' ? -units : units;
}

/** Parse "12.34", "-5", "1234.5678"; null when the text is not a plain decimal number. */
export function parseMoney(text: string): Money | null {
  return parseScaledDecimal(text, MONEY_SCALE);
}

/** Money from minor units (e.g. cents) given the currency's number of minor-unit digits. */
export function moneyFromMinorUnits(minor: bigint, digits: number): Money {
  if (digits > MONEY_SCALE) throw new Error(`currencies with more than ${MONEY_SCALE} decimals are not supported`);
  return minor * 10n ** BigInt(MONEY_SCALE - digits);
}

export function formatMoneyDecimal(m: Money): string {
  const negative = m < 0n;
  const abs = negative ? -m : m;
  const whole = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(MONEY_SCALE, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

export function moneyToNumber(m: Money): number {
  return Number(m) / Number(FACTOR);
}

export function sumMoney(values: Iterable<Money>): Money {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
