// Runs the week's queries with parameters derived from the week and the configuration. Every
// boundary is computed here from the configured time zone and passed as a timestamp.
import type { Config } from '../config/schema.ts';
import { getQuery } from '../engine/queryCatalog.ts';
import { param, runQuery, type QueryEngine, type QueryStats } from '../engine/queryEngine.ts';
import { acquisitionRow, cohortRow, customerActivityRow, ordersWindowRow } from '../kpi/queryRows.ts';
import { RATE_WINDOW_DAYS, type WeeklyInputs } from '../kpi/weeklyKpis.ts';
import { shiftCivilDays, type WeekBounds } from '../time/isoWeek.ts';
import { wallTimeAt } from '../time/zonedTime.ts';

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

export async function gatherWeeklyInputs(
  engine: QueryEngine,
  windows: Windows,
  config: Config,
): Promise<{ inputs: WeeklyInputs; stats: QueryStats[] }> {
  const { week, rateStart, activityFromRateStart, activityFromWeekEnd } = windows;
  const currency = param.varchar(config.reportCurrency);
  const toMonth = param.varchar(lastMonthBefore(week.end));
  const stats: QueryStats[] = [];
  const one = async <T>(promise: Promise<{ rows: T[]; stats: QueryStats }>, name: string): Promise<T> => {
    const { rows, stats: s } = await promise;
    stats.push(s);
    if (rows.length !== 1) throw new Error(`queries/${name}.sql returned ${rows.length} rows; expected exactly one`);
    return rows[0]!;
  };

  const ordersWindow = await getQuery('orders_window');
  const ordersIn = (start: Date) =>
    one(
      runQuery(engine, ordersWindow, {
        from_month: param.varchar(partitionMonth(start)),
        to_month: toMonth,
        window_start: param.timestamp(start),
        window_end: param.timestamp(week.end),
        report_currency: currency,
      }, ordersWindowRow),
      'orders_window',
    );
  const windowRow = await ordersIn(rateStart);
  const activityWindowRow = await ordersIn(activityFromWeekEnd);
  const activity = await one(
    runQuery(engine, await getQuery('customer_activity'), {
      from_month: param.varchar(partitionMonth(activityFromRateStart)),
      to_month: toMonth,
      window_start: param.timestamp(rateStart),
      window_end: param.timestamp(week.end),
      start_activity_from: param.timestamp(activityFromRateStart),
      end_activity_from: param.timestamp(activityFromWeekEnd),
    }, customerActivityRow),
    'customer_activity',
  );
  const acquisition = await runQuery(engine, await getQuery('acquisition_by_channel'), {
    to_month: toMonth,
    window_start: param.timestamp(rateStart),
    window_end: param.timestamp(week.end),
    spend_from: param.date(civilDate(rateStart, config.timeZone)),
    spend_until: param.date(civilDate(week.end, config.timeZone)),
    report_currency: currency,
  }, acquisitionRow);
  stats.push(acquisition.stats);
  const cohorts = await runQuery(engine, await getQuery('cohort_revenue'), {
    to_month: toMonth,
    data_end: param.timestamp(week.end),
    report_currency: currency,
  }, cohortRow);
  stats.push(cohorts.stats);

  return {
    inputs: {
      window: windowRow,
      activityWindow: activityWindowRow,
      activity,
      acquisition: acquisition.rows,
      cohorts: cohorts.rows,
      currentMonth: `${lastMonthBefore(week.end)}-01`,
    },
    stats,
  };
}
