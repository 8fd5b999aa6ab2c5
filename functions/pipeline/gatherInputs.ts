// Runs the week's queries with parameters derived from the week and the configuration. Every
// boundary is computed here from the configured time zone and passed as a timestamp.
import type { Config } from '../config/schema.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type ParameterValues, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import { acquisitionRow, churnWindowRow, cohortRow, ordersWindowRow, subscriberMrrRow, type ChurnWindowRow, type OrdersWindowRow } from '../kpi/queryRows.ts';
import { RATE_WINDOW_DAYS, type CustomerActivity, type WeeklyInputs } from '../kpi/weeklyKpis.ts';
import { shiftCivilDays, type WeekBounds } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';
import { settleAll } from './settleAll.ts';

export interface Windows {
  week: WeekBounds;
  /** The 28-day rate window ending at the week's end. */
  rateStart: Date;
  /** The activity window ending at the rate window's start and at the week's end. */
  activityFromRateStart: Date;
  activityFromWeekEnd: Date;
}

export function windowsFor(week: WeekBounds, config: Config): Windows {
  const rateStart = shiftCivilDays(week.end, -RATE_WINDOW_DAYS, config.timeZone);
  return {
    week,
    rateStart,
    activityFromRateStart: shiftCivilDays(rateStart, -config.activityWindowDays, config.timeZone),
    activityFromWeekEnd: shiftCivilDays(week.end, -config.activityWindowDays, config.timeZone),
  };
}

/** UTC month of an instant, the lake's partition value (YYYY-MM). */
export function partitionMonth(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

/** The partition holding the last instant before `end` (exclusive bounds). */
export function lastMonthBefore(end: Date): string {
  return partitionMonth(new Date(end.getTime() - 1));
}

function civilDate(instant: Date, timeZone: string): string {
  const w = wallTimeAt(instant, timeZone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The one row a query must return (`which` narrows the rows meant, e.g. "for population all"). */
export function exactlyOne<T>(rows: readonly T[], name: string, which = ''): T {
  if (rows.length !== 1) throw new Error(`queries/${name}.sql returned ${rows.length} rows${which ? ` ${which}` : ''}; expected exactly one`);
  return rows[0]!;
}

/** The totals of the `all` row, and each population's own counts. */
export function activityOf(rows: readonly ChurnWindowRow[]): CustomerActivity {
  const row = (population: ChurnWindowRow['population']) => {
    const { active_at_start, active_at_end, retained } = exactlyOne(rows.filter((r) => r.population === population), 'churn_window', `for population ${population}`);
    return { active_at_start, active_at_end, retained };
  };
  return { ...row('all'), contractual: row('contractual'), nonContractual: row('non_contractual') };
}

/** The row of one population of queries/orders_window.sql. */
function ordersOf(rows: readonly OrdersWindowRow[], population: OrdersWindowRow['population']): OrdersWindowRow {
  return exactlyOne(rows.filter((r) => r.population === population), 'orders_window', `for population ${population}`);
}

/** The parameters of each query the weekly KPIs read, for the week of `windows`. */
export function weeklyInputParameters(windows: Windows, config: Config) {
  const { week, rateStart, activityFromRateStart, activityFromWeekEnd } = windows;
  const currency = param.varchar(config.reportCurrency);
  const toMonth = param.varchar(lastMonthBefore(week.end));
  const ordersIn = (start: Date): ParameterValues => ({
    from_month: param.varchar(partitionMonth(start)),
    to_month: toMonth,
    window_start: param.timestamp(start),
    window_end: param.timestamp(week.end),
    report_currency: currency,
  });
  return {
    rateWindow: ordersIn(rateStart),
    activityWindow: ordersIn(activityFromWeekEnd),
    subscriberMrr: { at: param.timestamp(week.end), report_currency: currency },
    churnWindow: {
      from_month: param.varchar(partitionMonth(activityFromRateStart)),
      to_month: toMonth,
      window_start: param.timestamp(rateStart),
      window_end: param.timestamp(week.end),
      start_activity_from: param.timestamp(activityFromRateStart),
      end_activity_from: param.timestamp(activityFromWeekEnd),
    },
    acquisition: {
      to_month: toMonth,
      window_start: param.timestamp(rateStart),
      window_end: param.timestamp(week.end),
      spend_from: param.date(civilDate(rateStart, config.timeZone)),
      spend_until: param.date(civilDate(week.end, config.timeZone)),
      report_currency: currency,
    },
    cohortRevenue: { to_month: toMonth, data_end: param.timestamp(week.end), report_currency: currency },
  } satisfies Record<string, ParameterValues>;
}

export async function gatherWeeklyInputs(
  engine: QueryEngine,
  windows: Windows,
  config: Config,
): Promise<{ inputs: WeeklyInputs; stats: QueryStats[] }> {
  const parameters = weeklyInputParameters(windows, config);
  // Every query is read before any starts, so none is left running unobserved if a file is bad.
  const [ordersWindow, churnWindow, acquisitionByChannel, cohortRevenue, subscriberMrrQuery] = await Promise.all([
    getQuery('orders_window'),
    getQuery('churn_window'),
    getQuery('acquisition_by_channel'),
    getQuery('cohort_revenue'),
    getQuery('subscriber_mrr'),
  ]);
  // Issued together: the engine runs as many at once as it allows (docs/architecture.md).
  const [rateWindow, activityWindow, activity, acquisition, cohorts, subscriberMrr] = await settleAll([
    runQuery(engine, ordersWindow, parameters.rateWindow, ordersWindowRow),
    runQuery(engine, ordersWindow, parameters.activityWindow, ordersWindowRow),
    runQuery(engine, churnWindow, parameters.churnWindow, churnWindowRow),
    runQuery(engine, acquisitionByChannel, parameters.acquisition, acquisitionRow),
    runQuery(engine, cohortRevenue, parameters.cohortRevenue, cohortRow),
    runQuery(engine, subscriberMrrQuery, parameters.subscriberMrr, subscriberMrrRow),
  ]);

  return {
    inputs: {
      window: ordersOf(rateWindow.rows, 'all'),
      activityWindow: ordersOf(activityWindow.rows, 'all'),
      purchasers: { window: ordersOf(rateWindow.rows, 'non_contractual'), activityWindow: ordersOf(activityWindow.rows, 'non_contractual') },
      activity: activityOf(activity.rows),
      subscriberMrr: exactlyOne(subscriberMrr.rows, 'subscriber_mrr'),
      acquisition: acquisition.rows,
      cohorts: cohorts.rows,
      currentMonth: `${lastMonthBefore(windows.week.end)}-01`,
    },
    stats: [rateWindow, activityWindow, activity, acquisition, cohorts, subscriberMrr].map((r) => r.stats),
  };
}
