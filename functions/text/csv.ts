// CSV cells, written once for every file the tool writes. Files for machines (the generated
// sample exports) need only quoting; files people open in a spreadsheet (the scorecard
// attachment, `ltv clv score`, `ltv query --format csv`, rejects files) must also never hand the
// spreadsheet a formula, since their text comes from exports and users.

/** Quoted when it holds a comma, a quote or a line break; otherwise as it is. */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Text a spreadsheet would evaluate (=, +, -, @) or that hides such a start (tab, CR, an
 * apostrophe of its own) gets a leading apostrophe, which spreadsheets show as text (OWASP,
 * "CSV injection"). A plain number, as a number or as text ("-12.50", "1e-9"), is a value to a
 * spreadsheet, not a formula, so it stays a number.
 */
const FORMULA_START = /^['=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`csvCell: ${value} is not a finite number`);
    const text = value.toFixed(6).replace(/\.?0+$/, '');
    return text === '-0' ? '0' : text;
  }
  const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return csvQuote(text);
}
