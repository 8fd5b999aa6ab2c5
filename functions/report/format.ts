// Number formatting for every renderer, through Intl so currency digits follow the currency
// (KRW and JPY have none) and the locale decides separators.
import type { Kpi } from '../kpi/weeklyKpis.ts';

const LOCALE_TAGS = { en: 'en-US', ko: 'ko-KR', ja: 'ja-JP' } as const;

export interface Formatter {
  money(value: number | null): string;
  kpi(kpi: Pick<Kpi, 'unit' | 'value'>): string;
  percent(value: number | null): string;
  count(value: number | null): string;
  date(iso: string): string;
}

export function formatter(locale: keyof typeof LOCALE_TAGS, currency: string, timeZone: string): Formatter {
  const tag = LOCALE_TAGS[locale];
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency });
  const percent = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const count = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const dash = '–';
  const f: Formatter = {
    money: (v) => (v === null ? dash : money.format(v)),
    percent: (v) => (v === null ? dash : percent.format(v)),
    count: (v) => (v === null ? dash : count.format(v)),
    date: (iso) => date.format(new Date(iso)),
    kpi: ({ unit, value }) => {
      if (value === null) return dash;
      switch (unit) {
        case 'money':
          return f.money(value);
        case 'ratio':
          return f.percent(value);
        case 'multiple':
          return `${decimal.format(value)}×`;
        case 'count':
          return f.count(value);
        case 'months':
          return `${decimal.format(value)} mo`;
        case 'orders':
          return decimal.format(value);
      }
    },
  };
  return f;
}
