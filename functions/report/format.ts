// Number and date formatting for every renderer, through Intl so currency digits follow the
// currency (KRW and JPY have none) and the locale decides separators and date order.
import type { UsualMove, WeekOverWeek } from '../kpi/scorecard.ts';
import type { Kpi, KpiUnit } from '../kpi/weeklyKpis.ts';
import { MESSAGES } from './labels.ts';
import type { ReportLocale } from './report.ts';

const INTL_TAGS: Readonly<Record<ReportLocale, string>> = { en: 'en-US', ko: 'ko-KR', ja: 'ja-JP' };

export interface Formatter {
  money(value: number | null): string;
  kpi(kpi: Pick<Kpi, 'unit' | 'value'>): string;
  percent(value: number | null): string;
  /** A share without decimals, for dense tables such as the cohort matrix. */
  wholePercent(value: number | null): string;
  /** A difference of two rates in percentage points, e.g. 0.4 pp. */
  points(value: number): string;
  /** A relative change with its sign, e.g. +1.2%. */
  signedPercent(value: number): string;
  /** A week-over-week change: percentage points for ratios, else relative; null when unknown. */
  change(unit: KpiUnit, wow: WeekOverWeek): string | null;
  /** The usual weekly move in the unit `change` uses, e.g. ±1.2% or ±0.3 pp. */
  usualMove(unit: KpiUnit, usual: UsualMove): string;
  count(value: number | null): string;
  /** A plain number with one or two decimals. */
  decimal(value: number): string;
  /** Date and time of an instant, in the report's time zone. */
  date(iso: string): string;
  /** A calendar date given as YYYY-MM-DD, as it reads (no time zone shifts it). */
  civilDate(ymd: string): string;
  /** The days of a week, given its inclusive start and exclusive end. */
  weekRange(startIso: string, endIso: string): string;
  /** The same days without the year, as a subject line has room for: "Nov 23 – 29". */
  shortWeekRange(startIso: string, endIso: string): string;
  bytes(value: number): string;
  usd(value: number): string;
}

export function formatter(locale: ReportLocale, currency: string, timeZone: string): Formatter {
  const tag = INTL_TAGS[locale];
  const units = MESSAGES[locale].units;
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency });
  const signedMoney = new Intl.NumberFormat(tag, { style: 'currency', currency, signDisplay: 'exceptZero' });
  const percent = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const wholePercent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0 });
  const signedPercent = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const count = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const signedCount = new Intl.NumberFormat(tag, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const decimal = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const signedDecimal = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone });
  const shortDay = new Intl.DateTimeFormat(tag, { month: 'short', day: 'numeric', timeZone });
  const civilDay = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const usd = new Intl.NumberFormat(tag, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const dash = '–';

  const inUnit = (unit: KpiUnit, value: number, signed: boolean): string => {
    const d = signed ? signedDecimal : decimal;
    switch (unit) {
      case 'money':
        return (signed ? signedMoney : money).format(value);
      case 'ratio':
        return (signed ? signedPercent : percent).format(value);
      case 'multiple':
        return `${d.format(value)}×`;
      case 'count':
        return (signed ? signedCount : count).format(value);
      case 'months':
        return `${d.format(value)}${units.months}`;
      case 'days':
        return `${d.format(value)}${units.days}`;
      case 'orders':
        return d.format(value);
    }
  };

  const f: Formatter = {
    money: (v) => (v === null ? dash : money.format(v)),
    percent: (v) => (v === null ? dash : percent.format(v)),
    wholePercent: (v) => (v === null ? dash : wholePercent.format(v)),
    signedPercent: (v) => signedPercent.format(v),
    points: (v) => `${decimal.format(v * 100)}${units.percentagePoints}`,
    count: (v) => (v === null ? dash : count.format(v)),
    decimal: (v) => decimal.format(v),
    date: (iso) => date.format(new Date(iso)),
    civilDate: (ymd) => civilDay.format(new Date(`${ymd}T00:00:00Z`)),
    weekRange: (startIso, endIso) => day.formatRange(new Date(startIso), new Date(Date.parse(endIso) - 1)),
    shortWeekRange: (startIso, endIso) => shortDay.formatRange(new Date(startIso), new Date(Date.parse(endIso) - 1)),
    kpi: ({ unit, value }) => (value === null ? dash : inUnit(unit, value, false)),
    change: (unit, wow) => {
      if (wow.change === null) return null;
      // A change of a rate reads as points: churn from 4.6% to 4.9% is +0.3 pp, not +6.5%.
      if (unit === 'ratio') return `${signedDecimal.format(wow.change * 100)}${units.percentagePoints}`;
      if (wow.relativeChange !== null) return signedPercent.format(wow.relativeChange);
      return inUnit(unit, wow.change, true);
    },
    usualMove: (unit, usual) => {
      if (unit === 'ratio') return `±${f.points(usual.change)}`;
      return `±${usual.relativeChange !== null ? percent.format(usual.relativeChange) : inUnit(unit, usual.change, false)}`;
    },
    bytes: (v) => {
      const [unit, scale] = v >= 1e12 ? (['terabyte', 1e12] as const) : v >= 1e9 ? (['gigabyte', 1e9] as const) : (['megabyte', 1e6] as const);
      return new Intl.NumberFormat(tag, { style: 'unit', unit, maximumFractionDigits: 1 }).format(v / scale);
    },
    usd: (v) => usd.format(v),
  };
  return f;
}
