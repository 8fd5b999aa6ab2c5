// The query results the scorecard needs beyond the weekly KPI inputs (docs/queries.md, "KPI
// inputs of the five-stage scorecard"): early churn, MRR movements, the cohort retention matrix
// and the RFM segments, plus each customer's RFM segment at this and the previous week's end and
// the subscribers who moved MRR the most over the week.
import type { Config } from '../config/schema.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type ParameterValues, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import { cohortRetentionRow, earlyChurnRow, mrrMovementRow, rfmScoreRow, rfmSegmentRow, subscriptionMoverRow, type RfmScoreRow, type SubscriptionMoverRow } from '../kpi/queryRows.ts';
import { EARLY_CHURN_COHORT, type StageInputs } from '../kpi/stageKpis.ts';
import { shiftCivilDays } from '../time/isoWeek.ts';
import { exactlyOne, lastMonthBefore, partitionMonth, type Windows } from './gatherInputs.ts';
import { settleAll } from './settleAll.ts';

/** The e-mail's movers: the largest of each kind of MRR move (docs/metrics.md, "Movers"). */
export const MOVERS_PER_KIND = 5;

export interface GatheredStageInputs {
  stage: StageInputs;
  rfmScores: { current: RfmScoreRow[]; previous: RfmScoreRow[] };
  movers: SubscriptionMoverRow[];
  stats: QueryStats[];
}

/** The parameters of each query the scorecard's stages read, for the week of `windows`. */
export function stageInputParameters(windows: Windows, config: Config) {
  const { week, activityFromWeekEnd } = windows;
  const currency = param.varchar(config.reportCurrency);
  const toMonth = param.varchar(lastMonthBefore(week.end));
  // The activity window ending at `asOf`, as rfm_scores and rfm_segments take it.
  const rfmWindow = (asOf: Date, activityFrom: Date): ParameterValues => ({
    from_month: param.varchar(partitionMonth(activityFrom)),
    to_month: param.varchar(lastMonthBefore(asOf)),
    activity_from: param.timestamp(activityFrom),
    as_of: param.timestamp(asOf),
    report_currency: currency,
  });
  return {
    earlyChurn: {
      to_month: toMonth,
      data_end: param.timestamp(week.end),
      acquired_from: param.timestamp(shiftCivilDays(week.end, -EARLY_CHURN_COHORT.fromDaysBefore, config.timeZone)),
      acquired_until: param.timestamp(shiftCivilDays(week.end, -EARLY_CHURN_COHORT.untilDaysBefore, config.timeZone)),
      repeat_days: param.bigint(EARLY_CHURN_COHORT.repeatDays),
      cancel_days: param.bigint(EARLY_CHURN_COHORT.cancelDays),
    },
    mrr: { data_end: param.timestamp(week.end), report_currency: currency },
    cohortRetention: { to_month: toMonth, data_end: param.timestamp(week.end), report_currency: currency },
    rfmThisWeek: rfmWindow(week.end, activityFromWeekEnd),
    rfmPreviousWeek: rfmWindow(week.start, shiftCivilDays(week.start, -config.activityWindowDays, config.timeZone)),
    movers: { week_start: param.timestamp(week.start), week_end: param.timestamp(week.end), report_currency: currency, movers_per_kind: param.bigint(MOVERS_PER_KIND) },
  } satisfies Record<string, ParameterValues>;
}

export async function gatherStageInputs(engine: QueryEngine, windows: Windows, config: Config): Promise<GatheredStageInputs> {
  const parameters = stageInputParameters(windows, config);
  // Every query is read before any starts, so none is left running unobserved if a file is bad.
  const [earlyChurnSql, mrrSql, cohortRetentionSql, rfmSegmentsSql, rfmScores, moversSql] = await Promise.all([
    getQuery('early_churn'),
    getQuery('mrr_movements'),
    getQuery('cohort_retention'),
    getQuery('rfm_segments'),
    getQuery('rfm_scores'),
    getQuery('subscription_movers'),
  ]);

  // Issued together: the engine runs as many at once as it allows (docs/architecture.md).
  const [earlyChurn, mrr, cohortRetention, rfmSegments, current, previous, movers] = await settleAll([
    runQuery(engine, earlyChurnSql, parameters.earlyChurn, earlyChurnRow),
    runQuery(engine, mrrSql, parameters.mrr, mrrMovementRow),
    runQuery(engine, cohortRetentionSql, parameters.cohortRetention, cohortRetentionRow),
    runQuery(engine, rfmSegmentsSql, parameters.rfmThisWeek, rfmSegmentRow),
    runQuery(engine, rfmScores, parameters.rfmThisWeek, rfmScoreRow),
    runQuery(engine, rfmScores, parameters.rfmPreviousWeek, rfmScoreRow),
    runQuery(engine, moversSql, parameters.movers, subscriptionMoverRow),
  ]);
  const stats: QueryStats[] = [earlyChurn, mrr, cohortRetention, rfmSegments, current, previous, movers].map((r) => r.stats);

  return {
    stage: { earlyChurn: exactlyOne(earlyChurn.rows, 'early_churn'), mrr: mrr.rows, cohortRetention: cohortRetention.rows, rfmSegments: rfmSegments.rows },
    rfmScores: { current: current.rows, previous: previous.rows },
    movers: movers.rows,
    stats,
  };
}
