// The one-line verdict under the headline: the scorecard's overall status and the KPI furthest
// behind, then where the headline CLV stands against its doubling trajectory, and how many KPIs
// still lack the history to be rated (an "on track" from three rated KPIs would mislead, so while
// most lack it the verdict is "not rated yet"). What to run about it is for the engineer's
// console (Scorecard.shortHistory), never for this line.
import type { ClvResult } from '../clv/formulas.ts';
import { lacksHistory, type Scorecard, type ScorecardLine } from '../kpi/scorecard.ts';
import type { Formatter } from './format.ts';
import type { Messages } from './messages/messages.ts';
import { gapText } from './scorecardText.ts';

export function verdictOf(headline: ClvResult, scorecard: Scorecard, m: Messages, fmt: Formatter): string {
  if (headline.value === null) return m.verdict.noHeadline(headline.flags.join('; ') || 'no data');
  const lines = scorecard.stages.flatMap((s) => s.lines.map((line) => ({ line, stage: s })));
  const headlineLine = lines.find((l) => l.line.key === 'headline_clv')?.line;
  const trajectory = headlineLine?.gap == null ? '' : ` ${m.verdict.trajectory(fmt.percent(Math.abs(headlineLine.gap)), headlineLine.gap <= 0)}`;
  const unrated = lines.filter((l) => lacksHistory(l.line)).length;
  const history = unrated === 0 ? '' : ` ${m.verdict.shortHistory(unrated, lines.length)}`;

  if (scorecard.status === 'not_rated') return (unrated === 0 ? m.verdict.nothingRated : m.verdict.notRatedYet(unrated, lines.length)) + trajectory;
  if (scorecard.status === 'on_track') return m.verdict.onTrack + trajectory + history;
  const count = (status: ScorecardLine['status']) => lines.filter((l) => l.line.status === status).length;
  const worst = lines
    .filter((l) => l.line.status === scorecard.status)
    .reduce((a, b) => ((b.line.gap ?? 0) > (a.line.gap ?? 0) ? b : a));
  // The trajectory sentence would repeat the issue when the headline is what is furthest behind.
  return (
    m.verdict.issues(
      m.status[scorecard.status],
      count('off_track'),
      count('at_risk'),
      lines.filter((l) => l.line.status !== 'not_rated').length,
      m.kpi[worst.line.key],
      m.scorecard.stageLabel(worst.stage.stage, m.stage[worst.stage.key].name),
      gapText(worst.line, m, fmt) ?? fmt.percent(worst.line.gap),
    ) +
    (worst.line.key === 'headline_clv' ? '' : trajectory) +
    history
  );
}
