// Reads headers back out of finished MIME bytes, for adapters that report the Message-ID the
// message already carries rather than one of their own.

/** The Message-ID header of a raw message (with its angle brackets), or undefined if it has none. */
export function messageIdOf(raw: Buffer): string | undefined {
  const unfolded = headerSection(raw).replace(/\r?\n(?=[ \t])/g, '');
  const match = /^message-id:[ \t]*(.+)$/im.exec(unfolded);
  return match?.[1]?.trim() || undefined;
}

function headerSection(raw: Buffer): string {
  // Only the header block: a "Message-ID:" line inside a forwarded message body must not count.
  const ends = [raw.indexOf('\r\n\r\n'), raw.indexOf('\n\n')].filter((i) => i !== -1);
  const end = ends.length > 0 ? Math.min(...ends) : raw.length;
  return raw.subarray(0, end).toString('latin1');
}

/**
 * The same message under another Message-ID: one rendering, sent to several recipients, still
 * gives each its own message. The header block must already hold a Message-ID (buildMime's).
 */
export function withMessageId(raw: Buffer, messageId: string): Buffer {
  if (/[\r\n]/.test(messageId)) throw new Error('a Message-ID may not hold a line break');
  const header = headerSection(raw);
  const replaced = header.replace(/^message-id:[ \t]*[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im, `Message-ID: ${messageId}`);
  if (replaced === header) throw new Error('the message has no Message-ID header to replace; build it with buildMime');
  return Buffer.concat([Buffer.from(replaced, 'latin1'), raw.subarray(header.length)]);
}
