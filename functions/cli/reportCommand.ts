import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { ingestSettingsOf, saltWarning } from '../pipeline/ingestSettings.ts';
import { ingestExports } from '../ingest/ingestExports.ts';
import { openEngine, openMailer, openStores } from '../pipeline/adapters.ts';
import { prepareSampleExports } from '../pipeline/prepareExports.ts';
import { runWeeklyReport } from '../pipeline/weeklyReport.ts';
import { formatter } from '../report/format.ts';
import { KPI_LABELS } from '../report/labels.ts';
import { lastCompleteWeek, parseWeekId, weekBounds } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';
import type { Command } from './main.ts';
import { printIngestSummary } from './ingestCommand.ts';

export const reportCommand: Command = {
  summary: 'run the weekly job: ingest new exports, query, compute, render, archive and send',
  usage: 'ltv report [--week 2026-W47] [--config ltv.config.json] [--force] [--dry-run]',
  options: {
    week: { type: 'string', description: 'ISO week to report (default: the last complete week)' },
    config: { type: 'string', description: 'JSON configuration file (see docs/configuration.md)' },
    force: { type: 'boolean', description: 'send again to recipients who already got this week' },
    'dry-run': { type: 'boolean', description: 'build and archive the report, send nothing' },
  },
  async run(values) {
    const started = performance.now();
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const now = new Date();
    const isoWeek = values.week ? parseWeekId(String(values.week)) : lastCompleteWeek(now, config.timeZone);
    const week = weekBounds(isoWeek, config.timeZone);
    if (week.start.getTime() > now.getTime()) throw new Error(`${week.id} has not started yet`);

    if (!config.exports.dir) {
      const lastDay = wallTimeAt(new Date(week.end.getTime() - 1), config.timeZone);
      const endDate = `${lastDay.year}-${String(lastDay.month).padStart(2, '0')}-${String(lastDay.day).padStart(2, '0')}`;
      const sample = await prepareSampleExports(config, endDate);
      if (sample.regenerated) console.log(`No exports configured: generated a sample data set in ${path.relative(process.cwd(), sample.dir) || '.'}`);
    }
    const stores = openStores(config);
    const settings = await ingestSettingsOf(config);
    const warning = saltWarning(settings);
    if (warning) console.error(warning);
    const ingest = await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: config.timeZone, now, ...settings });
    printIngestSummary(ingest);
    if (ingest.failed.length > 0) {
      throw new Error(`${ingest.failed.length} export(s) could not be ingested; fix or remove them and run again (nothing was sent)`);
    }

    const engine = await openEngine(config);
    try {
      const result = await runWeeklyReport(
        { config, engine, lake: stores.lake, reports: stores.reports, mailer: openMailer(config) },
        isoWeek,
        { force: Boolean(values.force), dryRun: Boolean(values['dry-run']), now },
      );
      const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
      const r = result.report;
      console.log('');
      console.log(`Week ${r.week.id} (${config.timeZone})`);
      if (r.dataQuality.staleness) console.log(`  !! ${r.dataQuality.staleness}`);
      console.log(`  ${r.headline.label}: ${fmt.money(r.headline.value)}`);
      for (const key of ['active_customers', 'churn_rate', 'arpu_monthly', 'aov', 'cac', 'ltv_to_cac'] as const) {
        const k = r.kpis.find((x) => x.key === key);
        if (k) console.log(`  ${KPI_LABELS[key]}: ${fmt.kpi(k)}${k.guard ? ` (${k.guard})` : ''}`);
      }
      const where = stores.reports.location;
      console.log('');
      console.log(`Report files in ${path.relative(process.cwd(), path.join(where, r.week.id)) || '.'}/: report.json, email.html, email.txt, email.eml`);
      for (const d of result.deliveries) {
        console.log(`  ${d.recipient}: ${d.status === 'already-sent' ? 'already sent for this week (use --force to send again)' : d.status}`);
      }
      console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
