// The settings a KPI value depends on. Every kpi_history row records them, so that a value is
// compared only with values computed the same way: a CLV in KRW is not a 145,000% rise on one in
// USD, and a margin-based CLV is not a 38% fall on a revenue-based one. One definition, used by
// the writer and the reader of kpi_history. Every KPI is taken to depend on all of them, which
// fails closed: a change that moves only some KPIs still restarts every comparison.
import type { Config } from '../config/schema.ts';

/** The settings, by their name in the configuration, in the order messages list them. */
export const VALUE_SETTINGS = [
  'reportCurrency',
  'grossMargin',
  'timeZone',
  'headlineClvMethod',
  'activityWindowDays',
  'clv.horizonMonths',
  'clv.monthlyDiscountRate',
  'maxLifespanMonths',
  'holdoutWeeks',
  'clv.purchaseModel',
] as const;

export type ValueSetting = (typeof VALUE_SETTINGS)[number];
export type ValueSettings = Readonly<Record<ValueSetting, string | number>>;

export function valueSettingsOf(config: Config): ValueSettings {
  return {
    reportCurrency: config.reportCurrency,
    grossMargin: config.grossMargin,
    timeZone: config.timeZone,
    headlineClvMethod: config.headlineClvMethod,
    activityWindowDays: config.activityWindowDays,
    'clv.horizonMonths': config.clv.horizonMonths,
    'clv.monthlyDiscountRate': config.clv.monthlyDiscountRate,
    maxLifespanMonths: config.maxLifespanMonths,
    holdoutWeeks: config.holdoutWeeks,
    'clv.purchaseModel': config.clv.purchaseModel,
  };
}

/**
 * What a row recorded before a setting existed was computed with: the one behaviour there was.
 * Such a row still compares with a week on that value, so adding a setting restarts nothing.
 */
const BEFORE_RECORDED: Partial<ValueSettings> = { 'clv.purchaseModel': 'bgnbd' };

/** Whether a row's recorded settings are the current ones (rows recorded before a setting existed count as its earlier behaviour). */
export function sameSettings(recorded: string | null, current: ValueSettings): boolean {
  return recorded !== null && settingChanges(recorded, current).length === 0;
}

/** The settings as kpi_history's `settings` column holds them: JSON, keys in the order above, so equal settings are equal text. */
export function settingsText(settings: ValueSettings): string {
  return JSON.stringify(Object.fromEntries(VALUE_SETTINGS.map((key) => [key, settings[key]])));
}

export interface SettingChange {
  setting: ValueSetting;
  /** The value the earlier week was computed with; null when that week did not record its settings. */
  from: string | number | null;
  to: string | number;
}

/** What differs between a row's recorded settings (`settings` column; null for rows written before it existed) and the current ones. */
export function settingChanges(recorded: string | null, current: ValueSettings): SettingChange[] {
  let earlier: Partial<Record<ValueSetting, unknown>> = {};
  if (recorded !== null) {
    try {
      earlier = JSON.parse(recorded) as Partial<Record<ValueSetting, unknown>>;
    } catch {
      earlier = {};
    }
  }
  return VALUE_SETTINGS.flatMap((setting) => {
    const before = recorded !== null && !(setting in earlier) ? BEFORE_RECORDED[setting] : earlier[setting];
    const from = typeof before === 'string' || typeof before === 'number' ? before : null;
    return from === current[setting] ? [] : [{ setting, from, to: current[setting] }];
  });
}

/** The latest week of history was computed with other settings than this run's: comparisons restart. */
export interface SettingsChange {
  previousWeekId: string;
  changes: SettingChange[];
  /** The first week of history, so the engineer can recompute it all with the current settings (ltv backfill). */
  firstWeekId: string;
}
