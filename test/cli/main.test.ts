import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';

// What `ltv` says about the command line itself, before any command runs.
let out: string[];
let errors: string[];

beforeEach(() => {
  out = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(() => vi.restoreAllMocks());

const firstError = (): string => errors.join('\n').split('\n')[0]!;

describe('ltv', () => {
  it('prints its version with --version', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };

    // Act
    const code = await main(['--version']);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([`ltv-pulse ${pkg.version}`]);
  });

  it.each([
    [['report', '--dry-rn'], 'ltv report: unknown option --dry-rn; did you mean --dry-run?'],
    [['report', '--Week', '2026-W47'], 'ltv report: unknown option --Week; did you mean --week?'],
    [['backfill', '--form', '2026-W01'], 'ltv backfill: unknown option --form; did you mean --from?'],
    [['report', '--recipients', 'x@example.com'], 'ltv report: unknown option --recipients'],
    [['report', '-x'], 'ltv report: unknown option -x'],
    [['report', '--week'], 'ltv report: --week needs a value'],
    [['report', '--dry-run=yes'], 'ltv report: --dry-run is a switch and takes no value'],
    [['reprot'], 'ltv: unknown command "reprot"; did you mean report?'],
    [['clv', 'fitt'], 'ltv clv: unknown sub-command "fitt"; did you mean fit?'],
  ])('says what is wrong with %j and what was meant, then exits 2', async (argv, expected) => {
    // Act
    const code = await main(argv);

    // Assess
    expect(code).toBe(2);
    expect(firstError()).toBe(expected);
  });

  it('passes an argument after -- through as a positional, not as an option', async () => {
    // Act: the option check stops at "--", so only the command itself judges what follows
    const code = await main(['ingest', '--help', '--', '--not-an-option']);

    // Assess
    expect(code).toBe(0);
    expect(errors).toEqual([]);
  });
});
