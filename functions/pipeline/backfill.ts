// Computes past weeks in order, so that a new installation starts with history: each week's
// KPIs go to kpi_history (and its scores to clv_scores) before the next week is computed, which
// reads them back for its week-over-week changes and baselines. Nothing is rendered, archived
// or sent.
import type { Config } from '../config/schema.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { addWeeks, compareWeeks, formatWeekId, type IsoWeek } from '../time/isoWeek.ts';
import { computeWeek, writeBackWeek } from './weeklyReport.ts';

export interface BackfillDeps {
  config: Config;
  lake: ObjectStore;
  /** One engine for all weeks: writeBackWeek registers each week it writes, so the next week reads it. */
  engine: QueryEngine;
}

export interface BackfilledWeek {
  weekId: string;
  headlineClv: number | null;
  kpis: number;
  scores: number;
  elapsedMs: number;
}

export function weeksFromTo(from: IsoWeek, to: IsoWeek): IsoWeek[] {
  if (compareWeeks(from, to) > 0) throw new Error(`--from ${formatWeekId(from)} is after --to ${formatWeekId(to)}`);
  const weeks: IsoWeek[] = [];
  for (let w = from; compareWeeks(w, to) <= 0; w = addWeeks(w, 1)) weeks.push(w);
  return weeks;
}

/**
 * `mayStart` is asked before each week; when it says no, the weeks done so far are returned (a
 * Lambda invocation near its time limit stops there, and is invoked again from the next week).
 */
export async function backfillWeeks(
  deps: BackfillDeps,
  from: IsoWeek,
  to: IsoWeek,
  onWeek: (week: BackfilledWeek) => void = () => {},
  mayStart: () => boolean = () => true,
): Promise<BackfilledWeek[]> {
  const done: BackfilledWeek[] = [];
  for (const isoWeek of weeksFromTo(from, to)) {
    if (!mayStart()) break;
    const started = performance.now();
    const computed = await computeWeek({ config: deps.config, engine: deps.engine, lake: deps.lake }, isoWeek);
    await writeBackWeek(deps.lake, deps.engine, computed);
    const week = {
      weekId: computed.week.id,
      headlineClv: computed.facts.weekly.headline.value,
      kpis: computed.facts.kpis.length,
      scores: computed.scores.length,
      elapsedMs: performance.now() - started,
    };
    done.push(week);
    onWeek(week);
  }
  return done;
}
