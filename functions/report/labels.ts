// The messages of each locale, and the English labels the command line prints.
import type { ReportLocale } from './report.ts';
import { en } from './messages/en.ts';
import { ja } from './messages/ja.ts';
import { ko } from './messages/ko.ts';
import type { Messages } from './messages/messages.ts';

export const MESSAGES: Readonly<Record<ReportLocale, Messages>> = { en, ko, ja };

export const KPI_LABELS = en.kpi;
export const CLV_METHOD_LABELS = en.method;
