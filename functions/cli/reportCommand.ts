import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { defaultReportWeek, reportWeek, type ReportWeekProgress } from '../pipeline/reportWeek.ts';
import type { Delivery } from '../pipeline/weeklyReport.ts';
import { formatter } from '../report/format.ts';
import { KPI_LABELS } from '../report/labels.ts';
import { describeHolder } from '../storage/lakeLock.ts';
import { formatWeekId, parseWeekId } from '../time/isoWeek.ts';
import type { Command } from './main.ts';
import { printIngestSummary } from './ingestCommand.ts';

/** What a local run's preparation says on the terminal (shared with `ltv backfill`). */
export function printPreparation(event: ReportWeekProgress): void {
  if (event.step === 'sample-generated') console.log(`No exports configured: generated a sample data set in ${path.relative(process.cwd(), event.dir) || '.'}`);
  else if (event.step === 'ingested-lake') {
    console.log(`No exports configured: reporting on the ${event.exports} export(s) already ingested into ${path.relative(process.cwd(), event.lake) || '.'} (no sample data is generated for a lake that holds yours)`);
  } else if (event.step === 'warning') console.error(event.message);
  else if (event.step === 'waiting-for-lake') console.error(`Waiting for the lake: ${describeHolder(event.holder)} is writing it ...`);
  else printIngestSummary(event.result);
}

const DELIVERY_STATUS: Record<Delivery['status'], string> = {
  sent: 'sent',
  resent: 're-sent after an interrupted delivery (it may have arrived twice)',
  'already-sent': 'already sent for this week (use --force to send again)',
  'in-progress': 'being delivered by another run',
  'in-doubt': 'in doubt: the server may have it; the next run sends it again',
  failed: 'FAILED',
};

/** The week was held for incomplete data: not a failure of the run, but nothing was sent. */
export const EXIT_HELD = 3;

export const reportCommand: Command = {
  summary: 'run the weekly job: ingest new exports, query, compute, render, archive and send',
  usage: 'ltv report [--week 2026-W47] [--config ltv.config.json] [--force] [--dry-run] [--send-incomplete]',
  options: {
    week: { type: 'string', description: 'ISO week to report, once it has ended (default: the last complete week)' },
    config: { type: 'string', description: 'JSON configuration file (see docs/configuration.md)' },
    force: { type: 'boolean', description: 'send again to recipients who already got this week' },
    'dry-run': { type: 'boolean', description: 'build and archive the report, send nothing' },
    'send-incomplete': { type: 'boolean', description: 'send a week whose data is incomplete, marked so, instead of holding it' },
  },
  async run(values) {
    const started = performance.now();
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const now = new Date();
    let week;
    if (values.week) week = parseWeekId(String(values.week));
    else {
      const chosen = await defaultReportWeek(config, now);
      week = chosen.week;
      if (chosen.sampleEndDate) console.log(`The sample data set ends on ${chosen.sampleEndDate}: reporting its last week, ${formatWeekId(week)} (docs/configuration.md, "Sample data").`);
    }
    const result = await reportWeek(config, {
      week,
      now,
      ingestPending: true,
      force: Boolean(values.force),
      dryRun: Boolean(values['dry-run']),
      sendIncomplete: Boolean(values['send-incomplete']),
      onProgress: printPreparation,
    });
    const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
    const r = result.report;
    console.log('');
    console.log(`Week ${r.week.id} (${config.timeZone})`);
    if (r.sample) console.log(`  !! Sample data: generated, ending ${r.sample.endDate}; set exports.dir to report on your exports.`);
    if (r.dataQuality.staleness) console.log(`  !! ${r.dataQuality.staleness}`);
    if (r.settingsChange) {
      const { changes, firstWeekId, previousWeekId } = r.settingsChange;
      const what = changes.some((c) => c.from === null) ? 'the history does not record its settings' : changes.map((c) => `${c.setting} ${c.from} → ${c.to}`).join(', ');
      console.log(
        `  !! Settings changed since ${previousWeekId} (${what}): this week is compared with nothing before it. ` +
          `To recompute the history with the current settings, run \`ltv backfill --from ${firstWeekId} --to ${previousWeekId}\`.`,
      );
    }
    if (result.outcome === 'held') {
      console.log('');
      console.error(
        `Held: the data for ${r.week.id} is incomplete (completeness.onIncomplete is "hold"), so nothing was sent, archived or written back; the owner was told.\n` +
          `Ingest the missing exports and run \`ltv report --week ${r.week.id}\` again, or send it marked incomplete with --send-incomplete.`,
      );
      return EXIT_HELD;
    }
    console.log(`  ${r.headline.label}: ${fmt.money(r.headline.value)}`);
    for (const key of ['active_customers', 'churn_rate', 'arpu_monthly', 'aov', 'cac', 'ltv_to_cac'] as const) {
      const k = r.kpis.find((x) => x.key === key);
      if (k) console.log(`  ${KPI_LABELS[key]}: ${fmt.kpi(k)}${k.guard ? ` (${k.guard})` : ''}`);
    }
    console.log('');
    console.log(`Report files in ${path.relative(process.cwd(), path.join(result.reportsLocation, r.week.id)) || '.'}/: report.json, email.html, email.txt, email.eml`);
    for (const d of result.deliveries) {
      const status = DELIVERY_STATUS[d.status];
      console.log(`  ${d.recipient}: ${status}${d.incomplete ? ' (marked incomplete)' : ''}`);
    }
    const short = r.scorecard.shortHistory;
    if (short) console.log(`${short.kpis} KPIs lack history to be rated: run \`ltv backfill --from ${short.from} --to ${short.to}\` (docs/metrics.md, "The five-stage scorecard").`);
    console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  },
};
