// The words around a scorecard line, shared by the HTML, the plain text and the CSV so all three
// say the same: what it is compared with, by how much it misses, and why it is not rated.
import type { NotRatedReason, ScorecardLine } from '../kpi/scorecard.ts';
import type { Formatter } from './format.ts';
import type { Messages } from './messages/messages.ts';

export function notRatedText(reason: NotRatedReason, m: Messages): string {
  switch (reason.code) {
    case 'no_value':
      return m.status.not_rated;
    case 'short_history':
      return m.scorecard.notRated.shortHistory(reason.weeks, reason.needed);
    case 'zero_reference':
      return m.scorecard.notRated.zeroReference;
    case 'anchor_week':
      return m.scorecard.notRated.anchorWeek;
    case 'no_anchor':
      return m.scorecard.notRated.noAnchor(reason.anchorWeek);
    case 'anchor_after_week':
      return m.scorecard.notRated.anchorAfterWeek(reason.anchorWeek);
  }
}

/** The target a line is held to; null when it is judged against its own baseline (shown anyway). */
export function targetText(line: ScorecardLine, m: Messages, fmt: Formatter): string | null {
  const r = line.reference;
  if (r === null || r.kind === 'baseline') return null;
  const value = fmt.kpi({ unit: line.unit, value: r.value });
  if (r.kind === 'trajectory') return m.scorecard.trajectoryTarget(value, r.weeks, fmt.kpi({ unit: line.unit, value: r.smoothed }));
  return r.comparison === 'at_least' ? m.scorecard.targetAtLeast(value) : m.scorecard.targetAtMost(value);
}

/** "usually ±x a week": how far the KPI usually moves, next to its change. */
export function usualText(unit: ScorecardLine['unit'], usual: ScorecardLine['usual'], m: Messages, fmt: Formatter): string | null {
  return usual === null ? null : m.scorecard.usual(fmt.usualMove(unit, usual));
}

export function baselineText(line: ScorecardLine, m: Messages, fmt: Formatter): string | null {
  return line.baseline.value === null ? null : `${m.scorecard.baseline(line.baseline.weeks)} ${fmt.kpi({ unit: line.unit, value: line.baseline.value })}`;
}

/**
 * How far a line falls short of its reference, in the KPI's own unit: a rate in points and an age
 * in days (a relative gap of a rate reads like a second rate beside it, and "813% short" of a
 * 1-day target says less than "8.1 days over"); nothing when it meets it.
 */
export function gapText(line: ScorecardLine, m: Messages, fmt: Formatter): string | null {
  const r = line.reference;
  if (line.gap === null || line.gap <= 0 || r === null || line.value === null) return null;
  const compared = r.kind === 'trajectory' ? r.smoothed : line.value;
  const difference = Math.abs(compared - r.value);
  const amount = line.unit === 'ratio' ? fmt.points(difference) : line.unit === 'days' ? fmt.kpi({ unit: 'days', value: difference }) : fmt.percent(line.gap);
  return m.scorecard.gapBehind(amount, r.kind, compared < r.value ? 'below' : 'above');
}

/** Why the line has no status, beyond the status word: the KPI's guard or the reason. */
export function notRatedNote(line: ScorecardLine, m: Messages): string | null {
  if (!line.notRated) return null;
  return line.notRated.code === 'no_value' ? (line.guard ?? null) : notRatedText(line.notRated, m);
}
