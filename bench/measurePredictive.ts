// The weekly job's whole predictive step on a benchmark lake, in a fresh process: model inputs,
// both fits, scores, the holdout check and its report card (runPredictiveMethod, as the weekly
// run calls it) for the week ending at the bench data's last day. Prints one JSON line; run it
// in two checkouts on one lake to compare code side by side.
import { parseConfig } from '../functions/config/load.ts';
import { DuckDbEngine } from '../functions/engine/duckdbEngine.ts';
import { runPredictiveMethod } from '../functions/pipeline/predictiveMethod.ts';
import { parseWeekId, weekBounds } from '../functions/time/isoWeek.ts';

const [lakeDir, weekId = '2026-W47'] = process.argv.slice(2);
if (!lakeDir) throw new Error('usage: measurePredictive <lake dir> [week id]');
const config = parseConfig({}, 'bench defaults');
const engine = await DuckDbEngine.open({ lakeDir });
try {
  const started = performance.now();
  const run = await runPredictiveMethod(engine, weekBounds(parseWeekId(weekId), config.timeZone), config);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      seconds,
      customers: run.summary.customers,
      scoresWritten: run.summary.scoresWritten,
      value: run.result.value,
      queries: Object.fromEntries(run.stats.map((s) => [s.query, s.elapsedMs / 1000])),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await engine.close();
}
