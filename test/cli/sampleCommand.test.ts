import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampleCommand } from '../../functions/cli/sampleCommand.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-sample-cli-'));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

async function params(out: string): Promise<{ options: { activity: number }; realised: { orders: number } }> {
  return JSON.parse(await readFile(path.join(out, 'params.json'), 'utf8'));
}

describe('ltv sample', () => {
  it('writes denser purchase histories with --activity, from the same customers and seed', async () => {
    // Act
    const plain = path.join(root, 'plain');
    const dense = path.join(root, 'dense');
    await sampleCommand.run({ customers: '500', seed: '7', end: '2026-11-22', out: plain }, []);
    await sampleCommand.run({ customers: '500', seed: '7', end: '2026-11-22', activity: '4', out: dense }, []);

    // Assess
    expect((await params(plain)).options.activity).toBe(1);
    expect((await params(dense)).options.activity).toBe(4);
    expect((await params(dense)).realised.orders).toBeGreaterThan(2 * (await params(plain)).realised.orders);
  });

  it.each(['0', '-1', 'many', '101'])('refuses --activity %s, saying what it takes', async (activity) => {
    await expect(sampleCommand.run({ activity, out: path.join(root, 'x') }, [])).rejects.toThrow(/--activity must be a number above 0 and at most 100/);
  });
});
