// The weekly job, one function for the Lambda handler and the CLI alike: query the lake for the
// week, compute KPIs and CLVs, build the report, write the week's CLV scores back to the lake,
// archive the report, and send it at most once per recipient. Nothing is written or sent until
// every part has rendered.
import type { Config } from '../config/schema.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import { WRITEBACK_TABLES } from '../engine/writebackTables.ts';
import { replaceWeekPartition } from '../engine/writebackWriter.ts';
import { readAllManifests } from '../ingest/manifest.ts';
import { computeWeeklyKpis } from '../kpi/weeklyKpis.ts';
import { buildMime } from '../mail/message.ts';
import type { Mailer } from '../mail/mailer.ts';
import { buildReport } from '../report/buildReport.ts';
import { formatter } from '../report/format.ts';
import type { Report } from '../report/report.ts';
import { renderHtml } from '../report/renderHtml.ts';
import { renderText } from '../report/renderText.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { weekBounds, type IsoWeek } from '../time/isoWeek.ts';
import { gatherWeeklyInputs, windowsFor } from './gatherInputs.ts';
import { runPredictiveMethod } from './predictiveMethod.ts';

export interface WeeklyDeps {
  config: Config;
  engine: QueryEngine;
  lake: ObjectStore;
  reports: ObjectStore;
  mailer: Mailer;
}

export interface WeeklyRunOptions {
  /** Send again to recipients who already got this week's report. */
  force?: boolean;
  /** Build and archive, but send nothing. */
  dryRun?: boolean;
  /** When the run happens; only stamped on the message, never used in a number. */
  now?: Date;
}

export interface Delivery {
  recipient: string;
  status: 'sent' | 'already-sent' | 'not-sent';
  messageId?: string;
}

export interface WeeklyRunResult {
  report: Report;
  archived: { reportJson: string; html: string; text: string; eml: string };
  deliveries: Delivery[];
}

export function reportPrefix(weekId: string): string {
  return `${weekId}/`;
}

export async function runWeeklyReport(deps: WeeklyDeps, isoWeek: IsoWeek, options: WeeklyRunOptions = {}): Promise<WeeklyRunResult> {
  const { config } = deps;
  const week = weekBounds(isoWeek, config.timeZone);
  const windows = windowsFor(week, config);
  const { inputs, stats } = await gatherWeeklyInputs(deps.engine, windows, config);
  const predictive = await runPredictiveMethod(deps.engine, week, config);
  const kpis = computeWeeklyKpis(inputs, config, predictive.result);
  const manifests = await readAllManifests(deps.lake);
  const report = buildReport({ config, week, inputs, kpis, manifests, queries: [...stats, ...predictive.stats], predictive: predictive.summary });

  const html = renderHtml(report);
  const text = renderText(report);
  const fmt = formatter(config.locale, config.reportCurrency, config.timeZone);
  const subject = `${report.dataQuality.staleness ? '[incomplete data] ' : ''}CLV weekly ${week.id}: headline CLV ${fmt.money(report.headline.value)}`;
  const raw = await buildMime(
    {
      from: config.sender,
      to: config.recipients.map((r) => ({ address: r.address, ...(r.name ? { name: r.name } : {}) })),
      subject,
      html,
      text,
      inlineImages: [],
      attachments: [],
    },
    { date: options.now ?? new Date(), messageId: `<ltv-pulse.${week.id}@${config.sender.address.split('@')[1]}>` },
  );

  // Replaced whole, so a re-run never leaves two sets of scores (or stale ones) for the week.
  await replaceWeekPartition(deps.lake, WRITEBACK_TABLES.clv_scores, week.id, predictive.scores);

  const prefix = reportPrefix(week.id);
  const archived = {
    reportJson: `${prefix}report.json`,
    html: `${prefix}email.html`,
    text: `${prefix}email.txt`,
    eml: `${prefix}email.eml`,
  };
  await deps.reports.put(archived.html, html, 'text/html; charset=utf-8');
  await deps.reports.put(archived.text, text, 'text/plain; charset=utf-8');
  await deps.reports.put(archived.eml, raw, 'message/rfc822');
  // report.json last: its presence says the week's archive is complete.
  await deps.reports.put(archived.reportJson, `${JSON.stringify(report, null, 2)}\n`, 'application/json');

  const deliveries: Delivery[] = [];
  if (!options.dryRun) {
    for (const recipient of config.recipients) {
      deliveries.push(await deliverOnce(deps, week.id, recipient.address, raw, options.force ?? false));
    }
  }
  return { report, archived, deliveries };
}

/**
 * Send to one recipient unless a marker says it was done. The marker is created (create-only)
 * before sending, so two concurrent runs cannot both send; it is removed if sending fails, so a
 * re-run can try again.
 */
async function deliverOnce(deps: WeeklyDeps, weekId: string, recipient: string, raw: Buffer, force: boolean): Promise<Delivery> {
  const marker = `${reportPrefix(weekId)}sent/${recipient.toLowerCase()}.json`;
  if (force) await deps.reports.delete(marker);
  const claimed = await deps.reports.putIfAbsent(marker, JSON.stringify({ recipient, state: 'sending' }), 'application/json');
  if (!claimed) return { recipient, status: 'already-sent' };
  try {
    const sent = await deps.mailer.send({ raw, from: deps.config.sender.address, to: [recipient], idempotencyKey: `${weekId}-${recipient}` });
    await deps.reports.put(marker, JSON.stringify({ recipient, state: 'sent', messageId: sent.messageId }), 'application/json');
    return { recipient, status: 'sent', messageId: sent.messageId };
  } catch (err) {
    await deps.reports.delete(marker);
    throw err;
  }
}
