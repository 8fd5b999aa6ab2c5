// Values that end up in a header line or an SMTP command. A CR or LF in one of them would let
// configuration or report data add headers (a Bcc) or SMTP commands (another RCPT TO), so such
// values are refused, never cleaned up: a silently altered recipient is worse than a clear error.
import { z } from 'zod';

const emailAddress = z.email();

export function assertNoLineBreak(field: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new Error(`${field} contains a line break (CR or LF); remove it, line breaks would inject mail headers`);
  }
}

export function assertEmailAddress(field: string, address: string): void {
  assertNoLineBreak(field, address);
  if (!emailAddress.safeParse(address).success) {
    throw new Error(`${field} "${address}" is not a valid e-mail address (expected name@example.com)`);
  }
}
