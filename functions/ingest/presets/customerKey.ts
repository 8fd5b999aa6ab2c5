// Pseudonymous customer keys for exports that identify a customer only by contact details
// (docs/ingest-presets.md, "Customer keys"): a keyed hash (HMAC-SHA-256 with the configured
// salt) of the normalised e-mail address or phone number, prefixed with the vendor. The same
// address gives the same key in every export, and the address itself is never stored.
import { createHmac } from 'node:crypto';

function keyOf(vendor: string, message: string, salt: string): string {
  return `${vendor}:${createHmac('sha256', salt).update(message).digest('hex')}`;
}

/** The key of an e-mail address (trimmed, lower-cased); '' for no address. */
export function emailCustomerKey(vendor: string, email: string, salt: string): string {
  const normalised = email.trim().toLowerCase();
  return normalised === '' ? '' : keyOf(vendor, normalised, salt);
}

/**
 * A phone number as digits only, with a leading `+` when it was written in international form
 * (`+1 (555) 010-2030` and `001 555 010 2030` both become `+15550102030`); '' when it has no
 * digit. A national number (`0555 010 2030`) is kept as written: the export does not say its
 * country, and guessing one would merge customers of different countries.
 */
export function normalisedPhone(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits === '') return '';
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return digits;
}

/**
 * The key of a phone number. `tel:` goes into the hashed message so that a phone number can
 * never produce the key of an e-mail address. '' for no number.
 */
export function phoneCustomerKey(vendor: string, phone: string, salt: string): string {
  const normalised = normalisedPhone(phone);
  return normalised === '' ? '' : keyOf(vendor, `tel:${normalised}`, salt);
}
