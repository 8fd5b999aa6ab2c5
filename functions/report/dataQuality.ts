// What the ingest manifests say about the lake: rows read, accepted, rejected and superseded per table and
// by rule, the latest order, and required tables that never arrived. Records a preset left out as
// no data at all (a payment attempt that never became a charge, an invoice its payment counts)
// are not rows read here, so the columns add up to what the lake was offered as data.
import type { Manifest } from '../ingest/manifest.ts';
import type { IngestTotals } from '../kpi/stageKpis.ts';
import { TABLES, TABLE_NAMES } from '../schema/tables.ts';
import type { ReportDataQuality } from './report.ts';

export type IngestSummary = IngestTotals & Omit<ReportDataQuality, 'excluded' | 'incomplete' | 'staleness' | 'latestOrderAt'>;

export function summariseIngest(manifests: readonly Manifest[]): IngestSummary {
  const perTable = new Map<string, { rowsRead: number; accepted: number; rejected: number; superseded: number }>();
  const rejectedByRule: Record<string, number> = {};
  let latestOrderAt: string | null = null;
  for (const m of manifests) {
    const t = perTable.get(m.table) ?? { rowsRead: 0, accepted: 0, rejected: 0, superseded: 0 };
    t.rowsRead += m.rowsRead - Object.values(m.leftOut ?? {}).reduce((n, k) => n + k, 0);
    t.accepted += m.accepted;
    t.rejected += m.rejected;
    t.superseded += m.superseded;
    perTable.set(m.table, t);
    for (const [rule, n] of Object.entries(m.rejectedByRule)) rejectedByRule[rule] = (rejectedByRule[rule] ?? 0) + n;
    const max = m.table === 'orders' ? (m.timeRange?.max ?? null) : null;
    if (max && (latestOrderAt === null || Date.parse(max) > Date.parse(latestOrderAt))) latestOrderAt = max;
  }
  const totals = [...perTable.values()].reduce(
    (a, t) => ({ rowsRead: a.rowsRead + t.rowsRead, accepted: a.accepted + t.accepted, rejected: a.rejected + t.rejected, superseded: a.superseded + t.superseded }),
    { rowsRead: 0, accepted: 0, rejected: 0, superseded: 0 },
  );
  return {
    ...totals,
    rejectedByRule,
    perTable: [...perTable.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([table, t]) => ({ table, ...t })),
    latestOrderAt,
    missingTables: TABLE_NAMES.filter((name) => !TABLES[name].optional && !perTable.has(name)),
  };
}
