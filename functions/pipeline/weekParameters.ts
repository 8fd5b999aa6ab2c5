// The parameters the weekly report passes to each query of queries/, for `ltv query <name>
// --week`: an analyst reruns exactly what the report read. Each entry calls the builder its
// pipeline step calls, so the two cannot drift apart.
import type { Config } from '../config/schema.ts';
import { param, type ParameterValues } from '../engine/queryEngine.ts';
import { EARLY_CHURN_COHORT } from '../kpi/stageKpis.ts';
import { RATE_WINDOW_DAYS } from '../kpi/weeklyKpis.ts';
import { formatWeekId, weekBounds, type IsoWeek } from '../time/isoWeek.ts';
import { weeklyInputParameters, windowsFor } from './gatherInputs.ts';
import { payingSubscriberParameters, survivalParameters } from './contractualMethod.ts';
import { kpiTrendParameters } from './kpiHistory.ts';
import { holdoutTupleParameters, modelInputParameters } from './modelInputs.ts';
import { calibrationCutoffOf } from './predictiveMethod.ts';
import { stageInputParameters } from './stageInputs.ts';

export interface WeekCall {
  parameters: ParameterValues;
  /** Which of the report's calls this is, for a query the report runs more than once or not at all. */
  call: string;
}

type WeekCallOf = (isoWeek: IsoWeek, config: Config) => WeekCall;

const weekly = (isoWeek: IsoWeek, config: Config) => weeklyInputParameters(windowsFor(weekBounds(isoWeek, config.timeZone), config), config);
const stage = (isoWeek: IsoWeek, config: Config) => stageInputParameters(windowsFor(weekBounds(isoWeek, config.timeZone), config), config);

const RATE_WINDOW = `the ${RATE_WINDOW_DAYS}-day rate window ending at the week's end`;
const UP_TO_WEEK_END = "data up to the week's end";

const WEEK_CALLS: Record<string, WeekCallOf> = {
  orders_window: (w, c) => ({ parameters: weekly(w, c).rateWindow, call: RATE_WINDOW }),
  churn_window: (w, c) => ({ parameters: weekly(w, c).churnWindow, call: RATE_WINDOW }),
  subscriber_mrr: (w, c) => ({ parameters: weekly(w, c).subscriberMrr, call: "MRR at the week's end" }),
  acquisition_by_channel: (w, c) => ({ parameters: weekly(w, c).acquisition, call: RATE_WINDOW }),
  cohort_revenue: (w, c) => ({ parameters: weekly(w, c).cohortRevenue, call: UP_TO_WEEK_END }),
  early_churn: (w, c) => ({ parameters: stage(w, c).earlyChurn, call: `the cohort acquired ${EARLY_CHURN_COHORT.fromDaysBefore} to ${EARLY_CHURN_COHORT.untilDaysBefore} days before the week's end` }),
  mrr_movements: (w, c) => ({ parameters: stage(w, c).mrr, call: UP_TO_WEEK_END }),
  cohort_retention: (w, c) => ({ parameters: stage(w, c).cohortRetention, call: UP_TO_WEEK_END }),
  rfm_scores: (w, c) => ({ parameters: stage(w, c).rfmThisWeek, call: "the activity window ending at the week's end" }),
  rfm_segments: (w, c) => ({ parameters: stage(w, c).rfmThisWeek, call: "the activity window ending at the week's end" }),
  subscription_movers: (w, c) => ({ parameters: stage(w, c).movers, call: "MRR at the week's start against its end" }),
  model_inputs: (w, c) => ({ parameters: modelInputParameters(weekBounds(w, c.timeZone).end, c.reportCurrency), call: "cut-off at the week's end" }),
  model_input_tuples: (w, c) => {
    const week = weekBounds(w, c.timeZone);
    return { parameters: holdoutTupleParameters(calibrationCutoffOf(week, c), week.end), call: `the holdout of the ${c.holdoutWeeks} weeks before the week's end` };
  },
  holdout_tracking: (w, c) => {
    const week = weekBounds(w, c.timeZone);
    return { parameters: holdoutTupleParameters(calibrationCutoffOf(week, c), week.end), call: `the holdout of the ${c.holdoutWeeks} weeks before the week's end` };
  },
  subscription_survival: (w, c) => ({ parameters: survivalParameters(weekBounds(w, c.timeZone).end), call: "cohorts' survival to the week's end" }),
  paying_subscribers: (w, c) => ({ parameters: payingSubscriberParameters(weekBounds(w, c.timeZone).end, c.reportCurrency), call: "subscribers paying at the week's end" }),
  kpi_trend: (w) => ({ parameters: kpiTrendParameters(w), call: 'every week before the report week' }),
  // The report does not read it: it writes the card; every week up to the report's is what an analyst asks for.
  model_accuracy_trend: (w) => ({ parameters: { to_week: param.varchar(formatWeekId(w)), from_week: param.varchar('0000-W01') }, call: 'every week up to the report week' }),
  // The report does not read it; the week's own scores are what an analyst asks for.
  clv_scores_latest: (w) => ({ parameters: { up_to_week: param.varchar(formatWeekId(w)) }, call: 'scores up to the report week' }),
};

/** The parameters the report of `isoWeek` passes to queries/<name>.sql, or undefined for a query it has no rule for. */
export function weekCallOf(name: string, isoWeek: IsoWeek, config: Config): WeekCall | undefined {
  return WEEK_CALLS[name]?.(isoWeek, config);
}
