import { describe, expect, it } from 'vitest';
import { messageIdOf, withMessageId } from '../../functions/mail/rawMessage.ts';

const raw = (header: string) => Buffer.from(`${header}Subject: Weekly\r\n\r\nMessage-ID: <in-the-body@example.com>\r\n`, 'latin1');

describe('withMessageId', () => {
  it('replaces the header, leaving the body and every other header as they were', () => {
    // Act
    const out = withMessageId(raw('From: a@example.com\r\nMessage-ID: <old@example.com>\r\n'), '<new@example.com>');

    // Assess
    expect(out.toString('latin1')).toBe('From: a@example.com\r\nMessage-ID: <new@example.com>\r\nSubject: Weekly\r\n\r\nMessage-ID: <in-the-body@example.com>\r\n');
    expect(messageIdOf(out)).toBe('<new@example.com>');
  });

  it('replaces a folded header whole', () => {
    // Act
    const out = withMessageId(raw('Message-ID:\r\n <old@example.com>\r\n'), '<new@example.com>');

    // Assess
    expect(out.toString('latin1')).toBe('Message-ID: <new@example.com>\r\nSubject: Weekly\r\n\r\nMessage-ID: <in-the-body@example.com>\r\n');
  });

  it('refuses a message without one, and an id with a line break', () => {
    expect(() => withMessageId(raw('From: a@example.com\r\n'), '<new@example.com>')).toThrow('the message has no Message-ID header to replace');
    expect(() => withMessageId(raw('Message-ID: <old@example.com>\r\n'), '<a@example.com>\r\nBcc: x@evil.test')).toThrow('a Message-ID may not hold a line break');
  });
});
