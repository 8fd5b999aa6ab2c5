import { loadConfig } from '../config/load.ts';
import { openEngine } from '../pipeline/adapters.ts';
import { ingestPending } from '../pipeline/reportWeek.ts';
import { backfillWeeks } from '../pipeline/backfill.ts';
import { formatter } from '../report/format.ts';
import { endedWeekBounds, parseWeekId } from '../time/isoWeek.ts';
import type { Command } from './main.ts';
import { printPreparation } from './reportCommand.ts';

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
    endedWeekBounds(to, config.timeZone, now, 'backfill');

    const stores = await ingestPending(config, { now, onProgress: printPreparation });

    const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
    const engine = await openEngine(config);
    const weeks = await backfillWeeks({ config, lake: stores.lake, engine }, from, to, (w) => {
      console.log(`  ${w.weekId}  headline CLV ${fmt.money(w.headlineClv).padStart(12)}  ${w.kpis} KPIs, ${fmt.count(w.scores)} CLV scores  ${(w.elapsedMs / 1000).toFixed(1)} s`);
    }).finally(() => engine.close());
    console.log(`kpi_history and clv_scores hold ${weeks.length} week(s) from ${weeks[0]!.weekId} to ${weeks.at(-1)!.weekId}; nothing was sent. Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  },
};
