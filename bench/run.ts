// `npm run bench [-- --sizes 10k,100k,1m,10m --runs 3]`: the whole job measured from 10k to 10M
// orders. Per size: ingest of every export, each query on DuckDB, the predictive models, and the
// whole `ltv report` run (which repeats ingest, queries and models and adds rendering and mail),
// each in a fresh process so peak RSS is its own. Writes docs/benchmarks.json (one entry per
// commit, for comparisons), the generated section of docs/benchmarks.md and a log-log chart.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchExports, BENCH_SEED, cacheRoot } from './benchData.ts';
import { commitId, machineLine, median, spread } from './benchStats.ts';
import { measureQueries } from './queryStage.ts';
import { scalingChart, slope } from './scalingChart.ts';

const repo = path.resolve(import.meta.dirname, '..');
const DOC = path.join(repo, 'docs', 'benchmarks.md');
const JSON_FILE = path.join(repo, 'docs', 'benchmarks.json');
const CHART = path.join(repo, 'docs', 'benchmarks-scaling.png');
const START = '<!-- npm run bench: start -->';
const END = '<!-- npm run bench: end -->';
const STAGES = ['ingest', 'queries', 'models', 'report'] as const;
type Stage = (typeof STAGES)[number];

interface SizeResult {
  size: string;
  orders: number;
  customers: number;
  runs: number;
  /** Seconds of each run, per stage. */
  seconds: Record<Stage, number[]>;
  peakRssMiB: Record<Exclude<Stage, 'queries'>, number>;
  ingestRowsPerSecond: number;
  parquetBytes: number;
  modelCustomers: number;
  fitSeconds: number;
  scoreSeconds: number;
  fitIterations: number;
  /** The weekly run's whole predictive step (inputs, fits, scores, holdout check and report card), seconds of each run. */
  predictiveSeconds: number[];
  predictivePeakRssMiB: number;
  queries: { name: string; seconds: number; bytesRead: number; athenaUsd: number }[];
  emailHtmlBytes: number;
  emlBytes: number;
}

interface Measured {
  json: Record<string, unknown>;
  seconds: number;
  peakRssMiB: number;
}

/** Runs Node under /usr/bin/time: wall time and peak RSS of that process, and its last JSON line. */
function timedNode(args: string[]): Measured {
  const run = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', process.execPath, ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const timing = /BENCH ([\d.]+) (\d+)\s*$/.exec(run.stderr ?? '');
  if (run.status !== 0 || !timing) throw new Error(`node ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  const last = (run.stdout ?? '').trim().split('\n').at(-1) ?? '';
  return { json: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : {}, seconds: Number(timing[1]), peakRssMiB: Number(timing[2]) / 1024 };
}

const tsx = (script: string, ...args: string[]): Measured => timedNode(['--import', 'tsx', path.join(repo, 'bench', script), ...args]);

async function measureSize(size: string, runs: number): Promise<SizeResult> {
  const { dir, summary } = await benchExports(size);
  const lakeDir = path.join(cacheRoot(), `bench-run-lake-${size}-${BENCH_SEED}`);
  const result: SizeResult = {
    size,
    orders: summary.orders,
    customers: summary.customers.ecommerce + summary.customers.subscription,
    runs,
    seconds: { ingest: [], queries: [], models: [], report: [] },
    peakRssMiB: { ingest: 0, models: 0, report: 0 },
    ingestRowsPerSecond: 0,
    parquetBytes: 0,
    modelCustomers: 0,
    fitSeconds: 0,
    scoreSeconds: 0,
    fitIterations: 0,
    predictiveSeconds: [],
    predictivePeakRssMiB: 0,
    queries: [],
    emailHtmlBytes: 0,
    emlBytes: 0,
  };
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    await rm(lakeDir, { recursive: true, force: true });
    const ingest = tsx('measureIngest.ts', dir, 'all', lakeDir);
    result.seconds.ingest.push(ingest.seconds);
    result.peakRssMiB.ingest = Math.max(result.peakRssMiB.ingest, ingest.peakRssMiB);
    rates.push(Number(ingest.json.rows) / Number(ingest.json.seconds));
    result.parquetBytes = Number(ingest.json.parquetBytes);
  }
  result.ingestRowsPerSecond = median(rates);
  const queries = await measureQueries(lakeDir, runs);
  result.queries = queries.map((q) => ({ name: q.name, seconds: q.seconds, bytesRead: q.bytesRead, athenaUsd: q.athenaUsd }));
  result.seconds.queries = [queries.reduce((n, q) => n + q.seconds, 0)];
  const fits: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < runs; i++) {
    const models = tsx('measureModels.ts', lakeDir);
    result.seconds.models.push(models.seconds);
    result.peakRssMiB.models = Math.max(result.peakRssMiB.models, models.peakRssMiB);
    fits.push(Number(models.json.fitSeconds));
    scores.push(Number(models.json.scoreSeconds));
    result.modelCustomers = Number(models.json.customers);
    result.fitIterations = Number(models.json.iterations);
  }
  result.fitSeconds = median(fits);
  result.scoreSeconds = median(scores);
  for (let i = 0; i < runs; i++) {
    const predictive = tsx('measurePredictive.ts', lakeDir);
    result.predictiveSeconds.push(Number(predictive.json.seconds));
    result.predictivePeakRssMiB = Math.max(result.predictivePeakRssMiB, predictive.peakRssMiB);
  }
  for (let i = 0; i < runs; i++) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ltv-bench-run-'));
    try {
      const config = path.join(root, 'config.json');
      await writeFile(config, JSON.stringify({ exports: { dir }, storage: { kind: 'local', root: path.join(root, 'out') } }));
      const report = timedNode([path.join(repo, 'bin', 'ltv.js'), 'report', '--week', '2026-W47', '--config', config]);
      result.seconds.report.push(report.seconds);
      result.peakRssMiB.report = Math.max(result.peakRssMiB.report, report.peakRssMiB);
      const archive = path.join(root, 'out', 'reports', '2026-W47');
      result.emailHtmlBytes = (await stat(path.join(archive, 'email.html'))).size;
      result.emlBytes = (await stat(path.join(archive, 'email.eml'))).size;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  await rm(lakeDir, { recursive: true, force: true });
  return result;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function sizeTable(r: SizeResult): string {
  const row = (stage: string, s: number[], rss: string, note: string) =>
    `| ${stage} | ${median(s).toFixed(2)} s | ${s.length > 1 ? spread(s) : '–'} | ${rss} | ${note} |`;
  const athena = r.queries.reduce((n, q) => n + q.athenaUsd, 0);
  return [
    `### ${r.orders.toLocaleString('en')} orders, ${r.customers.toLocaleString('en')} customers (${r.runs} run${r.runs > 1 ? 's' : ''})`,
    '',
    '| stage | time (median) | min–max | peak RSS | notes |',
    '|---|---|---|---|---|',
    row('ingest, all exports', r.seconds.ingest, `${r.peakRssMiB.ingest.toFixed(0)} MiB`, `${Math.round(r.ingestRowsPerSecond).toLocaleString('en')} rows/s; lake ${mib(r.parquetBytes)}`),
    row(`queries (${r.queries.length}, DuckDB)`, r.seconds.queries, '–', `est. Athena cost per weekly run $${athena.toFixed(4)}`),
    row('models (inputs, fit, score)', r.seconds.models, `${r.peakRssMiB.models.toFixed(0)} MiB`, `${r.modelCustomers.toLocaleString('en')} customers; fit ${r.fitSeconds.toFixed(2)} s (${r.fitIterations} iterations), score ${r.scoreSeconds.toFixed(2)} s`),
    row('predictive step (inputs, fits, scores, holdout card)', r.predictiveSeconds, `${r.predictivePeakRssMiB.toFixed(0)} MiB`, 'runPredictiveMethod as the weekly run calls it (bench/measurePredictive.ts)'),
    row('whole `ltv report`', r.seconds.report, `${r.peakRssMiB.report.toFixed(0)} MiB`, `email.html ${(r.emailHtmlBytes / 1024).toFixed(0)} KiB, .eml ${(r.emlBytes / 1024).toFixed(0)} KiB`),
    '',
    '| query | time | Parquet read | Athena cost |',
    '|---|---|---|---|',
    ...r.queries.map((q) => `| ${q.name} | ${q.seconds.toFixed(2)} s | ${mib(q.bytesRead)} | $${q.athenaUsd.toFixed(5)} |`),
  ].join('\n');
}

function slopeTable(results: SizeResult[]): string {
  if (results.length < 2) return '';
  const lines = ['| stage | slope of log(time) vs log(orders) |', '|---|---|'];
  for (const stage of STAGES) {
    const b = slope(results.map((r) => ({ x: r.orders, y: median(r.seconds[stage]) })));
    lines.push(`| ${stage} | ${b.toFixed(2)} |`);
  }
  return `${lines.join('\n')}\n\nA slope of 1 is linear growth; below 1, fixed costs (process start, DuckDB, the report) still weigh at the small sizes.`;
}

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '10k,100k,1m,10m' }, runs: { type: 'string', default: '3' }, 'runs-10m': { type: 'string', default: '1' } } });
const machine = machineLine();
console.log(machine);
const results: SizeResult[] = [];
for (const size of args.sizes.split(',')) {
  const runs = size.startsWith('10m') ? Number(args['runs-10m']) : Number(args.runs);
  process.stderr.write(`measuring ${size} (${runs} run${runs > 1 ? 's' : ''}) ...\n`);
  const r = await measureSize(size, runs);
  results.push(r);
  console.log(`${size}: ingest ${median(r.seconds.ingest).toFixed(1)} s, queries ${median(r.seconds.queries).toFixed(1)} s, models ${median(r.seconds.models).toFixed(1)} s, whole report ${median(r.seconds.report).toFixed(1)} s at ${r.peakRssMiB.report.toFixed(0)} MiB`);
}

const entry = { commit: commitId(), date: new Date().toISOString(), machine, results };
const history = existsSync(JSON_FILE) ? (JSON.parse(await readFile(JSON_FILE, 'utf8')) as (typeof entry)[]) : [];
await writeFile(JSON_FILE, `${JSON.stringify([...history.filter((h) => h.commit !== entry.commit), entry], null, 2)}\n`);
await writeFile(
  CHART,
  scalingChart(
    STAGES.map((stage) => ({ name: stage, points: results.map((r) => ({ x: r.orders, y: median(r.seconds[stage]) })) })),
    'Time per stage vs orders (log-log)',
  ),
);
const generated = [
  START,
  `Generated by \`npm run bench -- --sizes ${args.sizes}\` on ${entry.date.slice(0, 10)}. ${machine}.`,
  '',
  ...results.map((r) => `${sizeTable(r)}\n`),
  slopeTable(results),
  '',
  '![Time per stage against orders, log-log](benchmarks-scaling.png)',
  END,
].join('\n');
const doc = await readFile(DOC, 'utf8');
const at = doc.indexOf(START);
const next = at >= 0 ? `${doc.slice(0, at)}${generated}${doc.slice(doc.indexOf(END) + END.length)}` : `${doc.trimEnd()}\n\n## The whole job from 10k to 10M orders\n\n${generated}\n`;
await writeFile(DOC, next);
console.log(`wrote ${path.relative(repo, DOC)}, ${path.relative(repo, JSON_FILE)} and ${path.relative(repo, CHART)}`);
