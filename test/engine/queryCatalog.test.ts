import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { countPlaceholders, loadQueryCatalog, parseQueryFile, type NamedQuery, type ParameterType } from '../../functions/engine/queryCatalog.ts';
import type { ParameterValue } from '../../functions/engine/queryEngine.ts';

const SAMPLE_VALUES: Record<ParameterType, ParameterValue> = {
  timestamp: { type: 'timestamp', value: new Date('2026-11-23T00:00:00Z') },
  date: { type: 'date', value: '2026-11-23' },
  varchar: { type: 'varchar', value: '2026-11' },
  bigint: { type: 'bigint', value: 1 },
  double: { type: 'double', value: 1.5 },
};

let lakeDir: string;
let engine: DuckDbEngine;
let queries: NamedQuery[];

beforeAll(async () => {
  lakeDir = await mkdtemp(path.join(os.tmpdir(), 'ltv-catalog-'));
  engine = await DuckDbEngine.open({ lakeDir });
  queries = [...(await loadQueryCatalog()).values()];
});

afterAll(async () => {
  await engine?.close();
  await rm(lakeDir, { recursive: true, force: true });
});

describe('queries/ headers', () => {
  it('every query has a header the catalog can read', () => {
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const q of queries) {
      expect(q.purpose, q.file).not.toBe('');
      expect(q.grain, q.file).not.toBe('');
      expect(q.columns.length, q.file).toBeGreaterThan(0);
    }
  });

  it('every query returns exactly the columns its header lists, in order', async () => {
    for (const q of queries) {
      // Prepare: any value of the right type will do on an empty lake
      const values = Object.fromEntries(q.parameters.map((p) => [p.name, SAMPLE_VALUES[p.type]]));

      // Act
      const reader = await engine.sql(`DESCRIBE ${q.sql.replace(/\?/g, () => 'NULL')}`);

      // Assess
      expect(reader.map((r) => r.column_name), q.file).toEqual(q.columns.map((c) => c.name));
      await expect(engine.runRaw(q, values), q.file).resolves.toBeDefined();
    }
  });

  it('counts placeholders outside strings and comments only', () => {
    expect(countPlaceholders("select '?' as q, \"?\" -- ?\nfrom t where a = ? /* ? */ and b = ?")).toBe(2);
  });

  it('refuses a header whose parameters do not match the placeholders', () => {
    const sql = '-- purpose: p\n-- grain: g\n-- reads: t\n-- parameters:\n--   a timestamp: x\n-- columns:\n--   n bigint: n\nselect 1 as n where 1 = ? and 2 = ?';
    expect(() => parseQueryFile('bad', 'queries/bad.sql', sql)).toThrow('queries/bad.sql: the SQL has 2 "?" placeholders but the header lists 1 parameters');
  });
});

describe('where the catalog finds queries/', () => {
  it('uses LTV_QUERIES_DIR when set, as in a Lambda bundle that ships the SQL beside the code', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-queries-'));
    await mkdir(dir, { recursive: true });
    const sql = ['-- purpose: one', '-- grain: one row', '-- reads: nothing', '-- parameters:', '-- columns:', '--   one integer: the number one', 'select 1 as one', ''].join('\n');
    await writeFile(path.join(dir, 'only_one.sql'), sql);
    vi.stubEnv('LTV_QUERIES_DIR', dir);
    vi.resetModules();

    // Act
    try {
      const catalog = await import('../../functions/engine/queryCatalog.ts');
      const names = [...(await catalog.loadQueryCatalog()).keys()];

      // Assess
      expect(catalog.QUERIES_DIR).toBe(dir);
      expect(names).toEqual(['only_one']);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('header continuation lines', () => {
  it('keeps an indented line whose first word ends in a colon in the field above (rfm_segments)', () => {
    // Prepare: the shape of queries/rfm_segments.sql, whose purpose wraps at "(stage 1 of the\n--   scorecard: ..."
    const sql = [
      '-- purpose: RFM segments per named segment (stage 1 of the',
      '--   scorecard: segment shares of customers and revenue). Every segment has a row.',
      '-- grain: one row per segment',
      '-- reads: orders',
      '-- parameters:',
      '-- columns:',
      '--   segment varchar: named segment',
      'select 1 as segment',
    ].join('\n');

    // Act
    const q = parseQueryFile('rfm_segments', 'queries/rfm_segments.sql', sql);

    // Assess
    expect(q.purpose).toBe('RFM segments per named segment (stage 1 of the scorecard: segment shares of customers and revenue). Every segment has a row.');
    expect(q.grain).toBe('one row per segment');
  });

  it('reads every purpose in queries/ whole: all the text from "-- purpose:" to "-- grain:"', () => {
    for (const q of queries) {
      const header = /^-- purpose:([\s\S]*?)\n-- grain:/.exec(q.sql)![1]!;
      const full = header.split('\n').map((l) => l.replace(/^--/, '').trim()).join(' ').trim();
      expect(q.purpose, q.file).toBe(full);
    }
  });
});

describe('what a parameter means, read from its header line', () => {
  const header = (parameters: string[], placeholders: number) =>
    ['-- purpose: p', '-- grain: g', '-- reads: orders', '-- parameters:', ...parameters, '-- columns:', '--   n bigint: n', `select 1 as n where ${Array(placeholders).fill('?').join(' and ')}`].join('\n');

  it('reads currencies, weeks and the instant each partition bound covers', () => {
    // Prepare
    const sql = header(
      [
        '--   from_month varchar: first partition (month of window_start)',
        '--   to_month varchar: last partition (month of the last instant before window_end)',
        '--   window_start timestamp: start',
        '--   window_end timestamp: end',
        '--   report_currency varchar: ISO code',
        '--   to_week varchar: last week',
        '--   channel varchar: a channel',
      ],
      7,
    );

    // Act
    const q = parseQueryFile('p', 'queries/p.sql', sql);

    // Assess
    expect(q.parameters.map((p) => [p.name, p.meaning])).toEqual([
      ['from_month', { kind: 'month', bound: 'from', covers: 'window_start' }],
      ['to_month', { kind: 'month', bound: 'until', covers: 'window_end' }],
      ['window_start', { kind: 'value' }],
      ['window_end', { kind: 'value' }],
      ['report_currency', { kind: 'currency' }],
      ['to_week', { kind: 'week' }],
      ['channel', { kind: 'value' }],
    ]);
  });

  it('refuses a partition bound that does not say which timestamp parameter it covers', () => {
    const sql = header(['--   from_month varchar: first order_month partition to read, YYYY-MM', '--   window_start timestamp: start'], 2);
    expect(() => parseQueryFile('p', 'queries/p.sql', sql)).toThrow(
      'queries/p.sql: partition parameter from_month must say which timestamp parameter it covers: "(month of X)" or "(month of the last instant before X)"',
    );
  });

  it('gives every month parameter in queries/ the timestamp it covers', () => {
    for (const q of queries) {
      for (const p of q.parameters.filter((p) => p.name.endsWith('_month'))) {
        expect(p.meaning.kind, `${q.file} ${p.name}`).toBe('month');
      }
    }
  });
});
