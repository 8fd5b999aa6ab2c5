// Delivery as the engineer meets it through `ltv report` on a real SMTP server on 127.0.0.1:
// a run killed mid-delivery, a reply that never comes, a recipient the server refuses. Nobody is
// skipped: a delivery in doubt is sent again by the next run, which says so.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { startSmtpCapture, type SmtpCapture } from '../mail/smtpCapture.ts';
import { ltv } from '../processes.ts';

let root: string;
let out: string[];
let errors: string[];
const servers: SmtpCapture[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-delivery-cli-'));
  out = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of servers.splice(0)) await s.close();
  await rm(root, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startSmtpCapture>[0] = {}): Promise<SmtpCapture> {
  const s = await startSmtpCapture(options);
  servers.push(s);
  return s;
}

/** A run on the sample data set, through the given SMTP server, reporting 2026-W47. */
async function configFor(smtp: SmtpCapture, recipients: string[], timeoutSeconds = 60): Promise<string> {
  const file = path.join(root, 'ltv.config.json');
  await writeFile(
    file,
    JSON.stringify({
      storage: { kind: 'local', root: path.join(root, 'out') },
      sample: { customers: 200 },
      mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, timeoutSeconds },
      owner: { address: 'data-team@example.com' },
      recipients: recipients.map((address) => ({ address })),
    }),
  );
  return file;
}

const WEEK = ['--week', '2026-W47'];
const to = (s: SmtpCapture) => s.received.map((m) => m.to.join(','));
const marker = (recipient: string) => readFile(path.join(root, 'out', 'reports', '2026-W47', 'sent', `${recipient}.json`), 'utf8').then((t) => JSON.parse(t) as { state: string; resent?: boolean });

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error('timed out waiting');
}

describe('ltv report delivering to an SMTP server', () => {
  it('sends again, once and saying so, to a recipient whose delivery a killed run left half done', async () => {
    // Prepare: the sample lake, made by a dry run; a server that takes ceo's message and never answers
    let stalled = 0;
    const stalling = await server({ stallFor: (rcpt) => rcpt.includes('ceo@example.com'), onStalled: () => stalled++ });
    const config = await configFor(stalling, ['ceo@example.com']);
    expect(await main(['report', '--config', config, ...WEEK, '--dry-run'])).toBe(0);

    // Act: a run in a process of its own, killed once the server has the message but before it answers
    const killed = ltv(['report', '--config', config, ...WEEK]);
    await waitFor(() => stalled > 0);
    killed.child.kill('SIGKILL');
    await killed.finished;
    const left = await marker('ceo@example.com');
    const working = await server();
    await configFor(working, ['ceo@example.com']);
    const rerun = await main(['report', '--config', config, ...WEEK]);
    const again = await main(['report', '--config', config, ...WEEK]);

    // Assess
    expect(left.state).toBe('sending');
    expect([rerun, again]).toEqual([0, 0]);
    expect(to(working)).toEqual(['ceo@example.com']);
    expect(out).toContain('  ceo@example.com: re-sent after an interrupted delivery (it may have arrived twice)');
    expect(out).toContain('  ceo@example.com: already sent for this week (use --force to send again)');
    expect(await marker('ceo@example.com')).toMatchObject({ state: 'sent', resent: true });
  });

  it('keeps a delivery whose reply never came in doubt: exit 1, the owner told, and the next run sends it again', async () => {
    // Prepare
    const stalling = await server({ stallFor: (rcpt) => rcpt.includes('ceo@example.com') });
    const config = await configFor(stalling, ['ceo@example.com', 'cfo@example.com'], 1);

    // Act
    const first = await main(['report', '--config', config, ...WEEK]);
    const left = await marker('ceo@example.com');
    const working = await server();
    await configFor(working, ['ceo@example.com', 'cfo@example.com']);
    const rerun = await main(['report', '--config', config, ...WEEK]);

    // Assess
    expect(first).toBe(1);
    expect(errors.join('\n')).toContain('the report did not reach 1 of 2 recipient(s): ceo@example.com (in doubt, sent again by the next run: the SMTP server 127.0.0.1:');
    expect(left.state).toBe('in-doubt');
    expect(to(stalling)).toEqual(['cfo@example.com', 'data-team@example.com']);
    const notice = await simpleParser(stalling.received[1]!.raw);
    expect(notice.text).toContain('Delivered to: cfo@example.com.');
    expect(rerun).toBe(0);
    expect(to(working)).toEqual(['ceo@example.com']);
  });

  it('tries every recipient when the server refuses one, and exits 1 naming it', async () => {
    // Prepare: the server knows no nobody@ mailbox
    const smtp = await server();
    const config = await configFor(smtp, ['ceo@example.com', 'nobody@example.com', 'cfo@example.com']);

    // Act
    const code = await main(['report', '--config', config, ...WEEK]);

    // Assess
    expect(code).toBe(1);
    expect(to(smtp)).toEqual(['ceo@example.com', 'cfo@example.com', 'data-team@example.com']);
    expect(errors.join('\n')).toMatch(/did not reach 1 of 3 recipient\(s\): nobody@example\.com \(failed: SMTP server 127\.0\.0\.1:\d+ refused recipient nobody@example\.com/);
  });
});
