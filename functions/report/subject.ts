// The subject line: the verdict, the headline and its change, the week's days. The HTML's
// <title> says the same, so a client that shows the title shows the subject.
import { formatter } from './format.ts';
import { MESSAGES } from './labels.ts';
import type { Report } from './report.ts';

/** The verdict, the headline with its change since last week, and the week's days: what a reader decides to open on. */
export function emailSubject(report: Report): string {
  const m = MESSAGES[report.locale];
  const fmt = formatter(report.locale, report.currency, report.week.timeZone);
  const wow = report.headline.wow.relativeChange === null ? null : fmt.signedPercent(report.headline.wow.relativeChange);
  const status = report.dataQuality.staleness ? m.subject.incomplete : m.status[report.scorecard.status];
  return `${report.sample ? m.subject.samplePrefix : ''}${m.subject.line(status, fmt.money(report.headline.value), wow, fmt.shortWeekRange(report.week.start, report.week.end))}`;
}
