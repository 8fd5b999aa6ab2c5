import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import { ingestExports } from '../ingest/ingestExports.ts';
import { openEngine, openStores } from '../pipeline/adapters.ts';
import { backfillWeeks } from '../pipeline/backfill.ts';
import { ingestSettingsOf, saltWarning } from '../pipeline/ingestSettings.ts';
import { prepareSampleExports } from '../pipeline/prepareExports.ts';
import { formatter } from '../report/format.ts';
import { lastCompleteWeek, parseWeekId, weekBounds } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';
import { printIngestSummary } from './ingestCommand.ts';
import type { Command } from './main.ts';

export const backfillCommand: Command = {
  summary: 'compute past weeks in order into kpi_history (and clv_scores), sending nothing',
  usage: 'ltv backfill --from 2026-W01 --to 2026-W47 [--config ltv.config.json]',
  options: {
    from: { type: 'string', description: 'first ISO week to compute' },
    to: { type: 'string', description: 'last ISO week to compute (usually the week before the next report)' },
    config: { type: 'string', description: 'JSON configuration file (see docs/configuration.md)' },
  },
  async run(values) {
    if (!values.from || !values.to) throw new Error('give both --from and --to, e.g. --from 2026-W01 --to 2026-W47');
    const started = performance.now();
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const from = parseWeekId(String(values.from));
    const to = parseWeekId(String(values.to));
    const now = new Date();
    const last = weekBounds(to, config.timeZone);
    if (last.end.getTime() > now.getTime()) throw new Error(`${last.id} has not ended yet; backfill complete weeks only`);

    if (!config.exports.dir) {
      // The sample `ltv report` uses by default (ending with the last complete week): a different
      // sample would start a fresh lake, and the report that follows would lose this history.
      const reportWeek = weekBounds(lastCompleteWeek(now, config.timeZone), config.timeZone);
      const lastDay = wallTimeAt(new Date(reportWeek.end.getTime() - 1), config.timeZone);
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
    if (ingest.failed.length > 0) throw new Error(`${ingest.failed.length} export(s) could not be ingested; fix or remove them and run again`);

    const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
    const weeks = await backfillWeeks({ config, lake: stores.lake, openEngine: () => openEngine(config) }, from, to, (w) => {
      console.log(`  ${w.weekId}  headline CLV ${fmt.money(w.headlineClv).padStart(12)}  ${w.kpis} KPIs, ${fmt.count(w.scores)} CLV scores  ${(w.elapsedMs / 1000).toFixed(1)} s`);
    });
    console.log(`kpi_history and clv_scores hold ${weeks.length} week(s) from ${weeks[0]!.weekId} to ${weeks.at(-1)!.weekId}; nothing was sent. Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  },
};
