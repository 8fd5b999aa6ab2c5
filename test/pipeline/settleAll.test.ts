import { describe, expect, it } from 'vitest';
import { settleAll } from '../../functions/pipeline/settleAll.ts';

describe('settleAll', () => {
  it('gives the results in the order of the tasks', async () => {
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 5));
    expect(await settleAll([late, Promise.resolve(2)])).toEqual(['late', 2]);
  });

  it('passes the first failure on only after every other task has ended', async () => {
    // Prepare
    const ended: string[] = [];
    const slow = new Promise<void>((resolve) => setTimeout(() => {
      ended.push('slow');
      resolve();
    }, 20));
    const failing = Promise.reject(new Error('queries/rfm_scores.sql failed'));

    // Act
    const outcome = await settleAll([failing, slow]).then(() => 'resolved', (err: Error) => `${err.message} after ${ended.join(', ')}`);

    // Assess
    expect(outcome).toBe('queries/rfm_scores.sql failed after slow');
  });
});
