// The scorecard as a CSV attachment, for whoever wants it in a spreadsheet. Labels come from the
// report's locale and may hold users' text (segment and channel names elsewhere), so every text
// cell that a spreadsheet would read as a formula is defused.
import type { Reference, ScorecardLine } from '../kpi/scorecard.ts';
import { MESSAGES } from './labels.ts';
import type { Messages } from './messages/messages.ts';
import type { Report } from './report.ts';
import { csvCell } from '../text/csv.ts';
import { notRatedText } from './scorecardText.ts';

const HEADER = [
  'week_id', 'stage', 'stage_name', 'stage_status', 'kpi', 'label', 'unit', 'value',
  'wow_change', 'wow_relative_change', 'baseline_13w', 'baseline_weeks',
  'reference', 'reference_value', 'gap', 'status', 'note',
];

function referenceKind(r: Reference | null): string | null {
  if (r === null) return null;
  return r.kind === 'target' ? `target_${r.comparison}` : r.kind;
}

function note(line: ScorecardLine, m: Messages): string | null {
  return [line.guard, line.notRated && line.notRated.code !== 'no_value' ? notRatedText(line.notRated, m) : undefined].filter(Boolean).join('; ') || null;
}

/** UTF-8 with a byte-order mark (spreadsheets read Korean and Japanese labels right) and CRLF rows (RFC 4180). */
export function scorecardCsv(report: Report): string {
  const m = MESSAGES[report.locale];
  const rows: (string | number | null)[][] = [HEADER];
  for (const stage of report.scorecard.stages) {
    for (const line of stage.lines) {
      rows.push([
        report.week.id, stage.stage, m.stage[stage.key].name, stage.status, line.key, m.kpi[line.key], line.unit, line.value,
        line.wow.change, line.wow.relativeChange, line.baseline.value, line.baseline.weeks,
        referenceKind(line.reference), line.reference?.value ?? null, line.gap, line.status, note(line, m),
      ]);
    }
  }
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
