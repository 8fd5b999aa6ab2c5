// `ltv clv fit` and `ltv clv score`: the predictive CLV models (BG/NBD + Gamma-Gamma) on a
// per-customer summary CSV, or on the lake's model inputs at the end of a week; `fit` also fits
// the contractual model (sBG) to cohort survival counts, from a CSV or the lake's subscriptions.
// The fitting and scoring are functions/clv's; this only reads, checks options and prints.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import {
  fitClvModels,
  fitPurchaseModel,
  fitSpendModel,
  scoreCustomers,
  spendDataFlags,
  summariseBgNbd,
  summariseGammaGamma,
  type ModelFitSummary,
  type Outcome,
} from '../clv/fitClvModels.ts';
import type { BgNbdFit } from '../clv/bgnbd.ts';
import { fitSurvivalModel, summariseSbg, survivalHoldout, type SbgFitSummary, type SurvivalCohort, type SurvivalHoldout } from '../clv/contractualModel.ts';
import { compressTuples } from '../clv/tuples.ts';
import { loadConfig } from '../config/load.ts';
import { configSchema, type Config } from '../config/schema.ts';
import { openEngine } from '../pipeline/adapters.ts';
import { holdoutMonthsOf, readSurvival } from '../pipeline/contractualMethod.ts';
import { readModelInputs, type ModelCustomer } from '../pipeline/modelInputs.ts';
import { csvCell } from '../text/csv.ts';
import { lastCompleteWeek, parseWeekId, startOfCivilDay, weekBounds } from '../time/isoWeek.ts';
import type { Command, CommandGroup, OptionSpec } from './main.ts';
import { readSummaryCsv } from './summaryCsv.ts';
import { readSurvivalCsv } from './survivalCsv.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

const TIME_UNITS = { days: 1, weeks: 7 } as const;

interface ModelInputs {
  customers: ModelCustomer[];
  hasSpend: boolean;
  unit: keyof typeof TIME_UNITS;
  /** Where the customers came from, for messages. */
  source: string;
}

const INPUT_OPTIONS: Record<string, OptionSpec> = {
  summary: { type: 'string', description: 'CSV of customer_id,frequency,recency,T[,monetary_value]; without it, the lake is read' },
  unit: { type: 'string', description: 'time unit of recency and T in the --summary file: days (default) or weeks' },
  week: { type: 'string', description: 'without --summary: model inputs at the end of this ISO week (default: the last complete week)' },
  'as-of': { type: 'string', description: 'without --summary: model inputs through this day, YYYY-MM-DD (its end in the configured time zone), instead of a week' },
  config: { type: 'string', description: 'JSON configuration file (see docs/configuration.md)' },
};

/** The customers of --summary, or of the lake at the cut-off; scoring needs some. */
async function readInputs(values: Values, config: Config): Promise<ModelInputs> {
  const summary = await readSummaryInputs(values);
  if (summary) return summary;
  const lake = await readLake(values, config, { survival: false });
  if (lake.inputs.customers.length === 0) throw new Error(`the lake has no paid orders before the end of ${lake.label}`);
  return lake.inputs;
}

/** The --summary file, or undefined when the lake is to be read (options checked either way). */
async function readSummaryInputs(values: Values): Promise<ModelInputs | undefined> {
  if (values.summary) {
    const unit = values.unit === undefined ? 'days' : String(values.unit);
    if (unit !== 'days' && unit !== 'weeks') throw new Error(`--unit must be days or weeks, not "${unit}"`);
    if (values.week || values['as-of']) throw new Error(`--${values.week ? 'week' : 'as-of'} chooses the cut-off of the lake inputs; a --summary file has its own`);
    const file = String(values.summary);
    return { ...(await readSummaryCsv(file)), unit, source: file };
  }
  if (values.unit) throw new Error('--unit describes a --summary file; the lake inputs are in days');
  return undefined;
}

interface SurvivalInputs {
  cohorts: SurvivalCohort[];
  flags: string[];
  source: string;
}

/** The lake's model inputs at the cut-off and, when asked, its subscription cohorts' survival. */
async function readLake(values: Values, config: Config, wanted: { survival: boolean }): Promise<{ inputs: ModelInputs; survival: SurvivalInputs | null; label: string }> {
  const { cutoff, label } = cutoffOf(values, config);
  const source = `the lake at the end of ${label} (${cutoff.toISOString()})`;
  const engine = await openEngine(config);
  try {
    const { customers } = await readModelInputs(engine, cutoff, config.reportCurrency);
    const survival = wanted.survival ? await readSurvival(engine, cutoff) : null;
    return {
      inputs: { customers, hasSpend: true, unit: 'days', source },
      survival: survival && survival.cohorts.length > 0 ? { cohorts: survival.cohorts, flags: survival.flags, source } : null,
      label,
    };
  } finally {
    await engine.close();
  }
}

/**
 * The instant the lake inputs stop at: the end of --week (a Monday midnight), or of the day
 * --as-of names, so any calibration end can be reproduced (CDNOW's ends on Tuesday 1997-09-30).
 */
function cutoffOf(values: Values, config: Config): { cutoff: Date; label: string } {
  if (values.week && values['as-of']) throw new Error('give --week or --as-of, not both: each sets the cut-off');
  if (values['as-of']) {
    const text = String(values['as-of']);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
    if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) {
      throw new Error(`--as-of must be a day as YYYY-MM-DD, e.g. 1997-09-30, not "${text}"`);
    }
    return { cutoff: startOfCivilDay(new Date(day.getTime() + 86_400_000), config.timeZone), label: text };
  }
  const week = weekBounds(values.week ? parseWeekId(String(values.week)) : lastCompleteWeek(new Date(), config.timeZone), config.timeZone);
  return { cutoff: week.end, label: week.id };
}

const FIT_OPTIONS: Record<string, OptionSpec> = {
  ...INPUT_OPTIONS,
  survival: {
    type: 'string',
    description: 'CSV of cohort,period,survivors (customers still active after each renewal, as queries/subscription_survival.sql gives): fit the contractual sBG model alone',
  },
  'holdout-months': { type: 'string', description: 'also check the sBG fit on the last N periods of every cohort, fitting on the ones before (default: the holdout of the weekly report for the lake, none for --survival)' },
  json: { type: 'boolean', description: 'print the fit as JSON' },
};

const fitCommand: Command = {
  summary: 'fit BG/NBD (and Gamma-Gamma with spend) and the contractual sBG model, and print parameters, standard errors and fit statistics',
  usage:
    'ltv clv fit [--summary customers.csv [--unit days|weeks] | --survival cohorts.csv] [--week 2026-W47 | --as-of 1997-09-30] [--holdout-months 3] [--json] [--config f]',
  options: FIT_OPTIONS,
  async run(values: Values) {
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    if (values.survival) return fitSurvivalFile(values);
    const summary = await readSummaryInputs(values);
    const lake = summary ? null : await readLake(values, config, { survival: true });
    const inputs = summary ?? lake!.inputs;
    const survival = lake?.survival ? describeSurvival(lake.survival, holdoutMonthsOption(values) ?? holdoutMonthsOf(config)) : null;
    if (inputs.customers.length === 0 && !survival) throw new Error(`the lake has no paid orders and no subscriptions before the end of ${lake!.label}`);
    const purchases: Outcome<BgNbdFit> =
      inputs.customers.length > 0 ? fitPurchaseModel(compressTuples(inputs.customers)) : { ok: false, flags: ['no customer has a paid order: nothing to fit'] };
    const spend = inputs.hasSpend && inputs.customers.length > 0 ? fitSpendModel(inputs.customers) : null;
    const flags = spend ? spendDataFlags(inputs.customers) : [];
    const bgnbd = describe(purchases, summariseBgNbd);
    const gammaGamma = spend && describe(spend, summariseGammaGamma);
    if (values.json) {
      console.log(JSON.stringify({ source: inputs.source, timeUnit: inputs.unit, customers: inputs.customers.length, bgnbd, gammaGamma, flags, ...(survival ? { sbg: survival } : {}) }, null, 2));
    } else {
      console.log(`${inputs.customers.length} customers from ${inputs.source}; recency, T and alpha in ${inputs.unit}`);
      printFit('BG/NBD (purchases and dropout)', bgnbd);
      if (gammaGamma) printFit('Gamma-Gamma (spend per purchase, customers with repeat purchases)', gammaGamma);
      else if (inputs.customers.length > 0) console.log('\nGamma-Gamma: not fitted (the file has no monetary_value column)');
      for (const flag of flags) console.log(`note: ${flag}`);
      if (survival) printSurvival(survival, 'months');
    }
    // Without subscriptions the purchase models decide; without orders, the contractual one.
    const purchaseOk = inputs.customers.length === 0 || (purchases.ok && (spend?.ok ?? true));
    return purchaseOk && (survival ? !('error' in survival.fit) : true) ? 0 : 1;
  },
};

function holdoutMonthsOption(values: Values): number | undefined {
  if (values['holdout-months'] === undefined) return undefined;
  const text = String(values['holdout-months']);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 120) throw new Error(`--holdout-months must be a whole number of periods from 1 to 120, not "${text}"`);
  return Number(text);
}

async function fitSurvivalFile(values: Values): Promise<number> {
  for (const option of ['summary', 'unit', 'week', 'as-of'] as const) {
    if (values[option] !== undefined) throw new Error(`--${option} describes the purchase models' inputs; --survival fits the contractual model alone`);
  }
  const file = String(values.survival);
  const described = describeSurvival({ cohorts: await readSurvivalCsv(file), flags: [], source: file }, holdoutMonthsOption(values) ?? 0);
  if (values.json) console.log(JSON.stringify({ source: file, sbg: described }, null, 2));
  else printSurvival(described, 'periods');
  return 'error' in described.fit ? 1 : 0;
}

interface SurvivalDescription {
  cohorts: number;
  customers: number;
  fit: (SbgFitSummary & { warnings: string[] }) | { error: string[] };
  /** Null when no holdout was asked for. */
  holdout: SurvivalHoldout | { error: string[] } | null;
  flags: string[];
  source: string;
}

function describeSurvival(survival: SurvivalInputs, holdoutMonths: number): SurvivalDescription {
  const fitted = fitSurvivalModel(survival.cohorts);
  const holdout = holdoutMonths > 0 ? survivalHoldout(survival.cohorts, holdoutMonths) : null;
  return {
    cohorts: survival.cohorts.length,
    customers: survival.cohorts.reduce((n, c) => n + c.survivors[0]!, 0),
    fit: fitted.ok ? { ...summariseSbg(fitted.value, survival.cohorts), warnings: fitted.value.warnings } : { error: fitted.flags },
    holdout: holdout === null ? null : holdout.ok ? holdout.value : { error: holdout.flags },
    flags: survival.flags,
    source: survival.source,
  };
}

function printSurvival(d: SurvivalDescription, unit: 'months' | 'periods'): void {
  console.log(`\nsBG (contractual retention): ${d.cohorts} cohort${d.cohorts === 1 ? '' : 's'}, ${d.customers} customers from ${d.source}; one period is one renewal`);
  if ('error' in d.fit) {
    for (const line of d.fit.error) console.log(`  not fitted: ${line}`);
  } else {
    const f = d.fit;
    console.log(`  ${'parameter'.padEnd(10)} ${'estimate'.padStart(12)} ${'std. error'.padStart(12)}`);
    for (const name of ['alpha', 'beta'] as const) {
      const error = f.standardErrors?.[name];
      console.log(`  ${name.padEnd(10)} ${f.parameters[name].toFixed(4).padStart(12)} ${(error === undefined ? '—' : error.toFixed(4)).padStart(12)}`);
    }
    console.log(`  log-likelihood ${f.logLikelihood.toFixed(4)}, ${f.iterations} iterations, ${f.customers} customers in ${f.cohorts} cohort${f.cohorts === 1 ? '' : 's'}; mean churn of a new customer ${(f.meanChurn * 100).toFixed(1)}% a period`);
    for (const warning of f.warnings) console.log(`  warning: ${warning}`);
  }
  const h = d.holdout;
  if (h && 'error' in h) for (const line of h.error) console.log(`  holdout: not checked: ${line}`);
  else if (h) {
    console.log(
      `  holdout: fitted without the last ${h.holdoutMonths} ${unit} of each cohort (alpha ${h.calibration.alpha.toFixed(4)}, beta ${h.calibration.beta.toFixed(4)}), ${h.subscribers} customers followed`,
    );
    for (const m of h.months) console.log(`    ${(m.month ?? `+${m.offset}`).padEnd(10)} predicted ${m.predicted.toFixed(1).padStart(10)}  actual ${String(m.actual).padStart(8)}`);
    console.log(`    total predicted ${h.totalPredicted.toFixed(1)}, actual ${h.totalActual}${h.relativeError === null ? '' : ` (${(h.relativeError * 100).toFixed(1)}%)`}`);
  }
  for (const flag of d.flags) console.log(`  note: ${flag}`);
}

type FitDescription = (ModelFitSummary<string> & { warnings: string[] }) | { error: string[] };

function describe<F extends { warnings: string[] }>(outcome: Outcome<F>, summarise: (fit: F) => ModelFitSummary<string>): FitDescription {
  return outcome.ok ? { ...summarise(outcome.value), warnings: outcome.value.warnings } : { error: outcome.flags };
}

function printFit(title: string, fit: FitDescription): void {
  console.log(`\n${title}`);
  if ('error' in fit) {
    for (const line of fit.error) console.log(`  not fitted: ${line}`);
    return;
  }
  console.log(`  ${'parameter'.padEnd(10)} ${'estimate'.padStart(12)} ${'std. error'.padStart(12)}`);
  for (const [name, value] of Object.entries(fit.parameters)) {
    const error = fit.standardErrors?.[name];
    console.log(`  ${name.padEnd(10)} ${value.toFixed(4).padStart(12)} ${(error === undefined ? '—' : error.toFixed(4)).padStart(12)}`);
  }
  console.log(`  log-likelihood ${fit.logLikelihood.toFixed(4)}, ${fit.iterations} iterations, ${fit.fitMs.toFixed(0)} ms, ${fit.customers} customers`);
  for (const warning of fit.warnings) console.log(`  warning: ${warning}`);
}

/** The scoring settings: configuration, overridden by options, checked by the same schema. */
function scoringSettings(values: Values, config: Config): { horizonMonths: number; monthlyDiscountRate: number; grossMargin: number } {
  const given = (option: string, fallback: number) => (values[option] === undefined ? fallback : Number(values[option]));
  const clv = configSchema.shape.clv.safeParse({
    ...config.clv,
    horizonMonths: given('horizon-months', config.clv.horizonMonths),
    monthlyDiscountRate: given('discount-rate', config.clv.monthlyDiscountRate),
  });
  if (!clv.success) {
    const issue = clv.error.issues[0]!;
    throw new Error(`--${issue.path[0] === 'horizonMonths' ? 'horizon-months' : 'discount-rate'}: ${issue.message}`);
  }
  const margin = configSchema.shape.grossMargin.safeParse(given('margin', config.grossMargin));
  if (!margin.success) throw new Error(`--margin: ${margin.error.issues[0]!.message}`);
  return { horizonMonths: clv.data.horizonMonths, monthlyDiscountRate: clv.data.monthlyDiscountRate, grossMargin: margin.data };
}

const SCORE_COLUMNS = ['customer_id', 'frequency', 'recency', 'T', 'predicted_purchases', 'p_alive', 'expected_spend', 'clv'];

const scoreCommand: Command = {
  summary: 'fit both models and write per-customer predicted purchases, P(alive), expected spend and CLV as CSV',
  usage:
    'ltv clv score [--summary customers.csv [--unit days|weeks]] [--week 2026-W47 | --as-of 1997-09-30] [--out scores.csv] [--horizon-months 12] [--discount-rate 0.01] [--margin 1] [--config f]',
  options: {
    ...INPUT_OPTIONS,
    out: { type: 'string', description: 'write the CSV to this file (default: standard output)' },
    'horizon-months': { type: 'string', description: 'months of purchases counted (default clv.horizonMonths, 12)' },
    'discount-rate': { type: 'string', description: 'monthly discount rate (default clv.monthlyDiscountRate, 0.01)' },
    margin: { type: 'string', description: 'gross margin applied to spend (default grossMargin, 1)' },
  },
  async run(values: Values) {
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const settings = scoringSettings(values, config);
    const inputs = await readInputs(values, config);
    if (!inputs.hasSpend) throw new Error(`${inputs.source} has no monetary_value column: scoring needs the mean spend of every repeat customer`);
    const fitted = fitClvModels(inputs.customers);
    if (!fitted.ok) throw new Error(`the models could not be fitted on ${inputs.source}:\n${fitted.flags.map((f) => `  - ${f}`).join('\n')}`);
    const scores = scoreCustomers(fitted.value, inputs.customers, { daysPerTimeUnit: TIME_UNITS[inputs.unit], ...settings });
    const out: Writable = values.out ? createWriteStream(String(values.out)) : process.stdout;
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    };
    await write(SCORE_COLUMNS.join(','));
    for (const [i, c] of inputs.customers.entries()) {
      const cells = [csvCell(c.customerId), String(c.x), String(c.tx), String(c.T)];
      for (const v of [scores.expectedPurchases[i]!, scores.pAlive[i]!, scores.expectedSpend[i]!, scores.clv[i]!]) cells.push(v.toFixed(6));
      await write(cells.join(','));
    }
    if (values.out) {
      out.end();
      await once(out, 'finish');
    }
    // Notes go to standard error, so standard output stays a clean CSV.
    let total = 0;
    for (const v of scores.clv) total += v;
    console.error(`Scored ${inputs.customers.length} customers from ${inputs.source}${values.out ? ` into ${String(values.out)}` : ''}: mean CLV ${(total / inputs.customers.length).toFixed(2)} over ${settings.horizonMonths} months`);
    for (const flag of fitted.value.flags) console.error(`note: ${flag}`);
    return 0;
  },
};

export const clvCommands: CommandGroup = {
  summary: 'fit the predictive CLV models (BG/NBD + Gamma-Gamma, sBG) and score customers',
  subcommands: { fit: fitCommand, score: scoreCommand },
};
