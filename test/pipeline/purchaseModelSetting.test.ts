// clv.purchaseModel: the predictive CLV computed with the chosen purchase model, its card and
// its place in the settings a KPI value is compared by.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { QueryEngine } from '../../functions/engine/queryEngine.ts';
import { ingestExports } from '../../functions/ingest/ingestExports.ts';
import { settingChanges, settingsText, valueSettingsOf } from '../../functions/kpi/valueSettings.ts';
import { openEngine, openStores } from '../../functions/pipeline/adapters.ts';
import { runPredictiveMethod, type PredictiveRun } from '../../functions/pipeline/predictiveMethod.ts';
import { writeSample } from '../../functions/sample/writeSample.ts';
import { parseWeekId, weekBounds } from '../../functions/time/isoWeek.ts';

let root: string;
let engine: QueryEngine;
const runs = new Map<string, PredictiveRun>();
const configOf = (purchaseModel: string) => parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, clv: { purchaseModel } }, 'test');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ltv-purchase-model-'));
  await writeSample({ seed: 'purchase model', customers: 1500, endDate: '2026-11-22' }, path.join(root, 'exports'));
  const config = parseConfig({ storage: { kind: 'local', root: path.join(root, 'out') }, exports: { dir: path.join(root, 'exports') } }, 'test');
  const stores = openStores(config);
  await ingestExports({ exports: stores.exports, lake: stores.lake, sourceTimeZone: 'UTC', now: new Date('2026-11-23T07:00:00Z') });
  engine = await openEngine(config);
  for (const model of ['bgnbd', 'mbgnbd']) runs.set(model, await runPredictiveMethod(engine, weekBounds(parseWeekId('2026-W47'), 'UTC'), configOf(model)));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('clv.purchaseModel', () => {
  it('computes the predictive CLV with the chosen model, fitted on every customer', () => {
    const bg = runs.get('bgnbd')!;
    const mbg = runs.get('mbgnbd')!;
    expect(bg.summary.models!.purchase).toMatchObject({ model: 'bgnbd', customers: bg.summary.customers });
    expect(mbg.summary.models!.purchase).toMatchObject({ model: 'mbgnbd', customers: mbg.summary.customers });
    expect(mbg.summary.purchaseModel).toBe('mbgnbd');
    expect(mbg.result.value).not.toBe(bg.result.value);
    // A one-time buyer may have left under MBG/NBD: P(alive) below 1, where BG/NBD says 1.
    const oneTime = mbg.scores.find((r) => r.days_since_last_purchase !== null && r.spend_basis === 'no_repeats')!;
    expect(oneTime.p_alive).toBeLessThan(1);
  });

  it('puts the chosen model on the card and keeps the others beside it', () => {
    const mbg = runs.get('mbgnbd')!.summary;
    const choice = mbg.modelChoice!;
    expect(choice.used).toBe('mbgnbd');
    expect(choice.candidates.map((c) => c.model)).toEqual(['bgnbd', 'mbgnbd', 'pareto_nbd']);
    expect(mbg.card!.scores[0]!.mae).toBe(choice.candidates[1]!.score!.mae);
    expect(mbg.accuracy!.mae).toBeCloseTo(choice.candidates[1]!.score!.mae, 12);
  });

  it('is a setting values are compared by: a switch restarts comparisons, an upgrade does not', () => {
    const bg = valueSettingsOf(configOf('bgnbd'));
    expect(settingChanges(settingsText(bg), valueSettingsOf(configOf('mbgnbd')))).toEqual([{ setting: 'clv.purchaseModel', from: 'bgnbd', to: 'mbgnbd' }]);
    // A row written before the setting existed was BG/NBD's.
    const { 'clv.purchaseModel': _, ...before } = JSON.parse(settingsText(bg)) as Record<string, unknown>;
    expect(settingChanges(JSON.stringify(before), bg)).toEqual([]);
    expect(settingChanges(JSON.stringify(before), valueSettingsOf(configOf('mbgnbd')))).toEqual([{ setting: 'clv.purchaseModel', from: 'bgnbd', to: 'mbgnbd' }]);
  });
});
