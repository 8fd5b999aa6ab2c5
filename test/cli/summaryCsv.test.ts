import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSummaryCsv } from '../../functions/cli/summaryCsv.ts';

let dir: string;
let n = 0;

async function csv(text: string): Promise<string> {
  const file = path.join(dir, `summary-${++n}.csv`);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-summary-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readSummaryCsv', () => {
  it('reads the lifetimes columns, with a BOM, CRLF and quoted ids', async () => {
    // Prepare
    const file = await csv('\uFEFFcustomer_id,frequency,recency,T,monetary_value\r\n"c,1",2,30.5,40,12.25\r\nc2,0,0,7,\r\nc3,0,0,3,0\r\n');

    // Act
    const summary = await readSummaryCsv(file);

    // Assess: no mean spend for customers without repeat purchases
    expect(summary).toEqual({
      hasSpend: true,
      customers: [
        { customerId: 'c,1', x: 2, tx: 30.5, T: 40, meanSpend: 12.25 },
        { customerId: 'c2', x: 0, tx: 0, T: 7 },
        { customerId: 'c3', x: 0, tx: 0, T: 3 },
      ],
    });
  });

  it('reads the Fader-Hardie names of the published CDNOW files, ignoring extra columns', async () => {
    // Prepare
    const file = await csv('ID,x,t_x,T,zbar,note\n1,2,30.43,38.86,22.35,a\n');

    // Act
    const summary = await readSummaryCsv(file);

    // Assess
    expect(summary.customers).toEqual([{ customerId: '1', x: 2, tx: 30.43, T: 38.86, meanSpend: 22.35 }]);
  });

  it('reads a file without monetary values', async () => {
    const summary = await readSummaryCsv(await csv('customer_id,frequency,recency,T\na,1,2,3\n'));
    expect(summary).toEqual({ hasSpend: false, customers: [{ customerId: 'a', x: 1, tx: 2, T: 3 }] });
  });

  it('reads a repeat customer whose repeats brought no money, for the spend model to leave out', async () => {
    // Act: the CDNOW log has one, a $15.96 order and then a $0.00 one
    const summary = await readSummaryCsv(await csv('customer_id,frequency,recency,T,monetary_value\na,1,2,3,0\n'));

    // Assess
    expect(summary.customers).toEqual([{ customerId: 'a', x: 1, tx: 2, T: 3, meanSpend: 0 }]);
  });

  it.each([
    ['customer_id,frequency,recency,T\na,1,2,3\nb,1,abc,3\n', 'line 3, field recency: must be a number (got "abc")'],
    ['customer_id,frequency,recency,T\na,1.5,2,3\n', 'line 2, field frequency: must be a whole number of repeat purchases (got "1.5")'],
    ['customer_id,frequency,recency,T\na,-1,0,3\n', 'line 2, field frequency: must not be negative (got "-1")'],
    ['customer_id,frequency,recency,T\na,1,4,3\n', 'line 2, field recency: must not exceed T (3) (got "4")'],
    ['customer_id,frequency,recency,T\na,0,2,3\n', 'line 2, field recency: must be 0 when frequency is 0 (got "2")'],
    ['customer_id,frequency,recency,T\n,0,0,3\n', 'line 2, field customer_id: must not be empty (got "")'],
    ['customer_id,frequency,recency,T\na,0,0,3\nb,0,0,3\na,1,1,3\n', 'line 4, field customer_id: "a" already appears on line 2'],
    ['customer_id,frequency,recency,T\na,0,0\n', 'line 2: has 3 fields, the header has 4'],
    ['customer_id,frequency,T\na,0,3\n', 'line 1, field recency: the header has no recency column (accepted names: recency, t_x)'],
    ['customer_id,frequency,recency,T,monetary_value\na,2,1,3,\n', 'line 2, field monetary_value: is empty, but a customer with repeat purchases needs their mean spend'],
    ['customer_id,frequency,recency,T,monetary_value\na,2,1,3,-1\n', 'line 2, field monetary_value: must not be negative'],
    ['customer_id,frequency,recency,T\n"a,0,0,3\n', 'line 2: not valid CSV: a quoted field opened on line 2 is never closed'],
    ['customer_id,frequency,recency,T\n', 'line 1: the file has a header but no customers'],
    ['', 'line 1: the file is empty'],
  ])('names the file, line and field of a problem (%#)', async (text, message) => {
    // Prepare
    const file = await csv(text);

    // Act / Assess
    await expect(readSummaryCsv(file)).rejects.toThrow(`${file}, ${message}`);
  });
});
