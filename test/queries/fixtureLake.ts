// A hand-made lake for one query test: canonical CSVs from test/fixtures/<name>/ ingested into a
// temporary folder exactly as the weekly run ingests exports, read by the local DuckDB engine.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDbEngine } from '../../functions/engine/duckdbEngine.ts';
import { getQuery } from '../../functions/engine/queryCatalog.ts';
import type { ParameterValues, RawRow } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';

export interface FixtureLake {
  root: string;
  lakeDir: string;
  engine: DuckDbEngine;
  /** Run queries/<name>.sql with typed parameters; rows as the engine returns them. */
  run(name: string, parameters: ParameterValues): Promise<RawRow[]>;
  close(): Promise<void>;
}

export interface FixtureLakeOptions {
  /** Zone that timestamps without an offset are read in (the ingest's sourceTimeZone). */
  sourceTimeZone?: string;
  /** Ingest time: rows dated more than a day after it are rejected as future-dated. */
  now?: Date;
}

export async function openFixtureLake(fixture: string, options: FixtureLakeOptions = {}): Promise<FixtureLake> {
  const root = await mkdtemp(path.join(os.tmpdir(), `ltv-${fixture}-`));
  const exportsDir = path.join(root, 'exports');
  const lakeDir = path.join(root, 'lake');
  await cp(path.resolve(import.meta.dirname, '../fixtures', fixture), exportsDir, { recursive: true });
  const result = await ingestExports({
    exports: new LocalFolderStore(exportsDir),
    lake: new LocalFolderStore(lakeDir),
    sourceTimeZone: options.sourceTimeZone ?? 'UTC',
    now: options.now ?? new Date('2027-01-01T00:00:00Z'),
  });
  if (result.failed.length > 0) throw new Error(`fixture ${fixture} did not ingest: ${JSON.stringify(result.failed)}`);
  return queryableLake(root, lakeDir);
}

/** An empty lake (no exports at all): every query must still run and return its columns. */
export async function openEmptyLake(): Promise<FixtureLake> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ltv-empty-'));
  return queryableLake(root, path.join(root, 'lake'));
}

/** The DuckDB engine over a lake folder, and a close that removes the whole temporary root. */
async function queryableLake(root: string, lakeDir: string): Promise<FixtureLake> {
  const engine = await DuckDbEngine.open({ lakeDir });
  return {
    root,
    lakeDir,
    engine,
    run: async (name, parameters) => (await engine.runRaw(await getQuery(name), parameters)).rows,
    close: async () => {
      await engine.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Rows with every value as text (Athena returns text; DuckDB returns numbers for some types). */
export function asText(rows: RawRow[]): Record<string, string | null>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
}
