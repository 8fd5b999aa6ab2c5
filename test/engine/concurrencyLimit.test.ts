import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../functions/engine/concurrencyLimit.ts';

/** A task that records when it starts and ends, and ends when the test says so. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: async () => { log.push(`start ${name}`); await opened; log.push(`end ${name}`); return name; } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most the limit at once and starts the others in queue order as slots free', async () => {
    // Prepare
    const log: string[] = [];
    const limited = concurrencyLimit(2);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));

    // Act
    const results = Promise.all([a, b, c, d].map((g) => limited(g!.task)));
    await settle();
    const whileTwoRun = [...log];
    b!.open();
    await settle();
    const afterB = [...log];
    for (const g of [a, c, d]) g!.open();

    // Assess
    expect(await results).toEqual(['a', 'b', 'c', 'd']);
    expect(whileTwoRun).toEqual(['start a', 'start b']);
    expect(afterB).toEqual(['start a', 'start b', 'end b', 'start c']);
  });

  it('frees the slot of a task that failed', async () => {
    // Prepare
    const limited = concurrencyLimit(1);

    // Act
    const failed = limited(async () => {
      throw new Error('query failed');
    });
    const next = limited(async () => 'ran');

    // Assess
    await expect(failed).rejects.toThrow('query failed');
    expect(await next).toBe('ran');
  });

  it.each([0, 1.5, Number.NaN])('refuses the limit %s', (limit) => {
    expect(() => concurrencyLimit(limit)).toThrow('at least 1');
  });
});
