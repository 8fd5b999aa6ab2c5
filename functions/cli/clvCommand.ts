// `ltv clv fit` and `ltv clv score`: the predictive CLV models (BG/NBD + Gamma-Gamma) on a
// per-customer summary CSV, or on the lake's model inputs at the end of a week. The fitting
// and scoring are functions/clv's; this only reads, checks options and prints.
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
import { compressTuples } from '../clv/tuples.ts';
import { loadConfig } from '../config/load.ts';
import { configSchema, type Config } from '../config/schema.ts';
import { openEngine } from '../pipeline/adapters.ts';
import { readModelInputs, type ModelCustomer } from '../pipeline/modelInputs.ts';
import { csvCell } from '../text/csv.ts';
import { lastCompleteWeek, parseWeekId, startOfCivilDay, weekBounds } from '../time/isoWeek.ts';
import type { Command, CommandGroup, OptionSpec } from './main.ts';
import { readSummaryCsv } from './summaryCsv.ts';

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

async function readInputs(values: Values, config: Config): Promise<ModelInputs> {
  if (values.summary) {
    const unit = values.unit === undefined ? 'days' : String(values.unit);
    if (unit !== 'days' && unit !== 'weeks') throw new Error(`--unit must be days or weeks, not "${unit}"`);
    if (values.week || values['as-of']) throw new Error(`--${values.week ? 'week' : 'as-of'} chooses the cut-off of the lake inputs; a --summary file has its own`);
    const file = String(values.summary);
    return { ...(await readSummaryCsv(file)), unit, source: file };
  }
  if (values.unit) throw new Error('--unit describes a --summary file; the lake inputs are in days');
  const { cutoff, label } = cutoffOf(values, config);
  const engine = await openEngine(config);
  try {
    const { customers } = await readModelInputs(engine, cutoff, config.reportCurrency);
    if (customers.length === 0) throw new Error(`the lake has no paid orders before the end of ${label}`);
    return { customers, hasSpend: true, unit: 'days', source: `the lake at the end of ${label} (${cutoff.toISOString()})` };
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

const fitCommand: Command = {
  summary: 'fit BG/NBD (and Gamma-Gamma with spend) and print parameters, standard errors and fit statistics',
  usage: 'ltv clv fit [--summary customers.csv [--unit days|weeks]] [--week 2026-W47 | --as-of 1997-09-30] [--json] [--config f]',
  options: { ...INPUT_OPTIONS, json: { type: 'boolean', description: 'print the fit as JSON' } },
  async run(values: Values) {
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const inputs = await readInputs(values, config);
    const purchases = fitPurchaseModel(compressTuples(inputs.customers));
    const spend = inputs.hasSpend ? fitSpendModel(inputs.customers) : null;
    const flags = inputs.hasSpend ? spendDataFlags(inputs.customers) : [];
    const bgnbd = describe(purchases, summariseBgNbd);
    const gammaGamma = spend && describe(spend, summariseGammaGamma);
    if (values.json) {
      console.log(JSON.stringify({ source: inputs.source, timeUnit: inputs.unit, customers: inputs.customers.length, bgnbd, gammaGamma, flags }, null, 2));
    } else {
      console.log(`${inputs.customers.length} customers from ${inputs.source}; recency, T and alpha in ${inputs.unit}`);
      printFit('BG/NBD (purchases and dropout)', bgnbd);
      if (gammaGamma) printFit('Gamma-Gamma (spend per purchase, customers with repeat purchases)', gammaGamma);
      else console.log('\nGamma-Gamma: not fitted (the file has no monetary_value column)');
      for (const flag of flags) console.log(`note: ${flag}`);
    }
    return purchases.ok && (spend?.ok ?? true) ? 0 : 1;
  },
};

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
  summary: 'fit the predictive CLV models and score customers (BG/NBD + Gamma-Gamma)',
  subcommands: { fit: fitCommand, score: scoreCommand },
};
