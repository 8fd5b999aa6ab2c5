// Reads cohort survival counts for `ltv clv fit --survival`: one row per cohort and period with
// the customers still active after that many renewals, the columns of
// queries/subscription_survival.sql (cohort_month or cohort, period, survivors), so the lake's
// own survival and published tables (Fader & Hardie 2007) fit the same way. Every problem names
// the file, the line and the field.
import { z } from 'zod';
import type { SurvivalCohort } from '../clv/contractualModel.ts';
import { CsvFileError, headerPositions, readCsvRecords } from './csvFile.ts';

type Field = 'cohort' | 'period' | 'survivors';

const HEADER_NAMES: Record<Field, readonly string[]> = {
  cohort: ['cohort', 'cohort_month'],
  period: ['period'],
  survivors: ['survivors'],
};
const REQUIRED: readonly Field[] = ['cohort', 'period', 'survivors'];

const wholeNumber = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number of ${what}`)
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, 'is too large'));

const survivalRow = z.object({
  cohort: z.string().trim().min(1, 'must not be empty'),
  period: wholeNumber('periods'),
  survivors: wholeNumber('customers'),
});

/** The cohorts in the order they first appear, each with its survivors by period. */
export async function readSurvivalCsv(file: string): Promise<SurvivalCohort[]> {
  const [header, ...rows] = await readCsvRecords(file);
  if (!header) throw new CsvFileError(file, 1, undefined, `the file is empty; it needs a header: ${REQUIRED.join(',')}`);
  const columns = headerPositions(file, header, HEADER_NAMES, REQUIRED);
  const cohorts = new Map<string, { survivors: number[]; lines: number[] }>();
  for (const record of rows) {
    if (record.cells.length !== header.cells.length) {
      throw new CsvFileError(file, record.line, undefined, `has ${record.cells.length} fields, the header has ${header.cells.length}`);
    }
    const raw = Object.fromEntries(Object.entries(columns).map(([field, position]) => [field, record.cells[position as number]!]));
    const parsed = survivalRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0]);
      throw new CsvFileError(file, record.line, field, `${issue.message} (got "${raw[field] ?? ''}")`);
    }
    const { cohort, period, survivors } = parsed.data;
    const counts = cohorts.get(cohort) ?? { survivors: [], lines: [] };
    cohorts.set(cohort, counts);
    // Periods in order, as the query returns them: a gap or a repeat is a mistake in the file.
    if (period !== counts.survivors.length) {
      const detail = counts.survivors.length === 0 ? 'a cohort must start at period 0' : `expected period ${counts.survivors.length} of cohort "${cohort}" after line ${counts.lines.at(-1)}`;
      throw new CsvFileError(file, record.line, 'period', `${detail} (got ${period})`);
    }
    if (period === 0 && survivors === 0) throw new CsvFileError(file, record.line, 'survivors', `cohort "${cohort}" has no customers at period 0`);
    const before = counts.survivors.at(-1);
    if (before !== undefined && survivors > before) {
      throw new CsvFileError(file, record.line, 'survivors', `${survivors} exceeds the ${before} of period ${period - 1} (line ${counts.lines.at(-1)}); survivors can only fall`);
    }
    counts.survivors.push(survivors);
    counts.lines.push(record.line);
  }
  if (cohorts.size === 0) throw new CsvFileError(file, header.line, undefined, 'the file has a header but no rows');
  return [...cohorts].map(([cohort, { survivors }]) => ({ cohort, survivors }));
}
