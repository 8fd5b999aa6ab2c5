// Exact money: amounts are carried as integers of 1/10,000 of a currency unit (the lake's
// DECIMAL(18,4)), so sums never drift. Conversion to a float happens only for ratios.

export const MONEY_SCALE = 4;
const FACTOR = 10n ** BigInt(MONEY_SCALE);

/** An exact amount in 1/10,000 units. */
export type Money = bigint;

/** Digits a double holds exactly: below this the units are summed as a number, not a bigint. */
const EXACT_DIGITS = 15;

/**
 * Parse a plain decimal ("12.34", "-5", ".5") into an integer of 10^-scale units; null when the
 * text is not a decimal number or has non-zero digits beyond `scale`. One pass over the
 * characters: this runs for every amount of every export row.
 */
export function parseScaledDecimal(text: string, scale: number): bigint | null {
  const s = text.trim();
  let i = 0;
  const first = s.charCodeAt(0);
  const negative = first === 45; // '-'
  if (negative || first === 43) i = 1; // '+'
  const wholeStart = i;
  let whole = 0;
  while (i < s.length) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    i++;
  }
  const wholeDigits = i - wholeStart;
  let frac = 0;
  let fracDigits = 0;
  let fracStart = i;
  if (i < s.length && s.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (i < s.length) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (fracDigits < scale) frac = frac * 10 + d;
      else if (d !== 0) return null;
      fracDigits++;
      i++;
    }
    if (fracDigits === 0) return null;
  }
  if (i !== s.length || wholeDigits + fracDigits === 0) return null;
  const kept = Math.min(fracDigits, scale);
  let units: bigint;
  if (wholeDigits + scale <= EXACT_DIGITS) {
    units = BigInt(whole * 10 ** scale + frac * 10 ** (scale - kept));
  } else {
    const wholeText = s.slice(wholeStart, wholeStart + wholeDigits) || '0';
    const fracText = s.slice(fracStart, fracStart + kept).padEnd(scale, '0');
    units = BigInt(wholeText) * 10n ** BigInt(scale) + BigInt(fracText || '0');
  }
  return negative ? -units : units;
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

/** Scaled integer units as exact decimal text: (123450n, 4) -> "12.3450". */
export function formatScaledDecimal(units: bigint, scale: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${units < 0n ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

export function formatMoneyDecimal(m: Money): string {
  return formatScaledDecimal(m, MONEY_SCALE);
}

export function moneyToNumber(m: Money): number {
  return Number(m) / Number(FACTOR);
}

export function sumMoney(values: Iterable<Money>): Money {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
