// `ltv ingest`: read exports (files, folders or an s3:// prefix) into the lake, with a progress
// line while it runs on a terminal and a summary table at the end. A file that cannot be read
// makes the exit code 1; rejected rows do not, they are data quality, not failure.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { EXPORT_NAME, exportKeys, ingestExports, type IngestProgress, type IngestResult } from '../ingest/ingestExports.ts';
import type { Manifest } from '../ingest/manifest.ts';
import { ingestSettingsOf, saltWarning } from '../pipeline/ingestSettings.ts';
import { LEFT_OUT_REASONS, PRESET_NAMES, type LeftOutReason, type PresetName } from '../ingest/presets/preset.ts';
import { problemOfDateFormatSetting } from '../ingest/timestampFormat.ts';
import { lakeAccessOf, openStores } from '../pipeline/adapters.ts';
import { TABLES } from '../schema/tables.ts';
import { describeHolder } from '../storage/lakeLock.ts';
import { LocalFolderStore } from '../storage/localFolderStore.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { objectStoreAt } from '../storage/openObjectStore.ts';
import { formatS3Location, parseS3Location, schemeOf } from '../storage/s3Location.ts';
import type { Command } from './main.ts';

const REDRAW_MS = 200;

/** The rule most of an export's rejected rows broke, e.g. "unknown_currency (12)". */
function topRule(m: Manifest): string {
  const top = Object.entries(m.rejectedByRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return top ? `${top[0]} (${top[1]})` : '';
}

function table(rows: string[][], numeric: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function printIngestSummary(result: IngestResult): void {
  if (result.ingested.length > 0) {
    const header = ['file', 'table', 'rows read', 'accepted', 'rejected', 'top reject rule', 'rejects file'];
    const byFile = [...result.ingested].sort((a, b) => a.sourceKey.localeCompare(b.sourceKey));
    const rows = byFile.map((m) => [m.sourceKey, m.table, String(m.rowsRead), String(m.accepted), String(m.rejected), topRule(m), m.rejectsKey ?? '']);
    for (const line of table([header, ...rows], new Set([2, 3, 4]))) console.log(line);
    for (const m of byFile) {
      if (m.rowsWritten !== undefined && m.rowsWritten !== m.accepted) console.log(`${m.sourceKey}: ${m.accepted} rows accepted as ${m.rowsWritten} ${m.table}`);
      if (m.superseded > 0) {
        console.log(`${m.sourceKey}: ${m.superseded} row(s) superseded by a later line with the same ${TABLES[m.table].key.join(' + ')}`);
      }
      for (const [reason, count] of Object.entries(m.leftOut ?? {})) {
        console.log(`${m.sourceKey}: ${count} row(s) left out, ${LEFT_OUT_REASONS[reason as LeftOutReason] ?? reason} (no data error)`);
      }
    }
  }
  const already = result.skipped.filter((s) => s.reason.startsWith('already')).length;
  if (already > 0) console.log(`${already} export(s) already ingested, unchanged.`);
  for (const s of result.skipped.filter((x) => !x.reason.startsWith('already'))) console.log(`skipped ${s.key}: ${s.reason}`);
  for (const f of result.failed) console.error(`FAILED ${f.error}`);
}

/** The terminal the progress line is drawn on; a pipe or a file gets no progress line. */
export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/** One line redrawn in place with \r, at most five times a second, on a terminal only. */
export class ProgressLine {
  private readonly started: number;
  private drawnAt = -Infinity;
  private drawn = false;
  /** Rows and bytes of the exports finished so far, and of the current one. */
  private done = { rows: 0, bytes: 0 };
  private current: IngestProgress | undefined;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(progress: IngestProgress): void {
    if (!this.out.isTTY) return;
    if (this.current && this.current.key !== progress.key) {
      this.done = { rows: this.done.rows + this.current.rowsRead, bytes: this.done.bytes + this.current.bytesRead };
    }
    this.current = progress;
    const t = this.now();
    if (t - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = t;
    const rows = this.done.rows + progress.rowsRead;
    const mb = (this.done.bytes + progress.bytesRead) / 1e6;
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    let line = `${progress.key}  ${rows.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s  ${mb.toFixed(1)} MB read`;
    if (this.out.columns && line.length >= this.out.columns) line = line.slice(0, this.out.columns - 1);
    this.out.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Removes the line, so the summary starts on a clean line. */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

interface Source {
  store: ObjectStore;
  /** Keys to ingest; every export under the store when undefined. */
  keys?: string[];
}

const inside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};
const asKey = (relative: string): string => relative.split(path.sep).join('/');

/**
 * Where the keys of a local location are taken from. An export is known by its key, so the key
 * must tell `2026-10/orders.csv` from `2026-11/orders.csv`: it is the path under exports.dir when
 * the location lies there (the key a report run gives the same file), else the whole path, which
 * is the same wherever the command runs from.
 */
function localRootOf(location: string, exportsDir: string | undefined): string {
  const absolute = path.resolve(location);
  if (exportsDir !== undefined && schemeOf(exportsDir) === undefined && inside(absolute, path.resolve(exportsDir))) return path.resolve(exportsDir);
  return path.parse(absolute).root;
}

/** An s3:// location is keyed under exports.dir when it lies there, else by its key in the bucket. */
function s3RootOf(location: string, exportsDir: string | undefined): { root: string; prefix: string } {
  const where = parseS3Location(location);
  if (exportsDir !== undefined && schemeOf(exportsDir) !== undefined) {
    const dir = parseS3Location(exportsDir);
    const under = dir.prefix === '' ? '' : `${dir.prefix}/`;
    if (where.bucket === dir.bucket && (where.prefix === dir.prefix || where.prefix.startsWith(under))) {
      return { root: exportsDir, prefix: where.prefix.slice(under.length) };
    }
  }
  return { root: formatS3Location({ bucket: where.bucket, prefix: '' }), prefix: where.prefix };
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  if (prefix !== '' && EXPORT_NAME.test(prefix) && (await store.head(prefix))) return [prefix];
  return exportKeys(store, prefix === '' ? '' : `${prefix.replace(/\/$/, '')}/`);
}

async function sourcesOf(
  locations: string[],
  config: { s3: Config['s3']; exportsDir: string | undefined },
): Promise<{ sources: Source[]; missing: IngestResult['failed'] }> {
  const byRoot = new Map<string, { store: ObjectStore; keys: Set<string> }>();
  const missing: IngestResult['failed'] = [];
  const add = async (root: string, open: () => ObjectStore, prefix: string): Promise<void> => {
    const entry = byRoot.get(root) ?? { store: open(), keys: new Set<string>() };
    byRoot.set(root, entry);
    for (const key of await keysUnder(entry.store, prefix)) entry.keys.add(key);
  };
  for (const location of locations) {
    if (schemeOf(location) !== undefined) {
      const { root, prefix } = s3RootOf(location, config.exportsDir);
      await add(root, () => objectStoreAt(root, { s3: config.s3 }), prefix);
      continue;
    }
    const info = await stat(location).catch(() => undefined);
    if (info?.isDirectory() || info?.isFile()) {
      const root = localRootOf(location, config.exportsDir);
      await add(root, () => new LocalFolderStore(root), asKey(path.relative(root, path.resolve(location))));
    } else missing.push({ key: location, error: `${location}: no such file or folder` });
  }
  return { sources: [...byRoot.values()].map(({ store, keys }) => ({ store, keys: [...keys] })), missing };
}

function presetOption(value: unknown): PresetName | undefined {
  if (value === undefined) return undefined;
  const name = String(value);
  if (!(PRESET_NAMES as readonly string[]).includes(name)) throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}, not "${name}"`);
  return name as PresetName;
}

function dateFormatOption(value: unknown): string {
  const format = String(value);
  const problem = problemOfDateFormatSetting(format);
  if (problem) throw new Error(`--date-format: ${problem}`);
  return format;
}

export const ingestCommand: Command = {
  summary: 'ingest exports (CSV or JSON Lines, optionally .gz; canonical, Stripe, Shopify or mapped) into the Parquet lake',
  usage: 'ltv ingest <file | folder | s3://bucket/prefix>... [--preset canonical|stripe|shopify] [--mapping mapping.json] [--date-format "MM/DD/YY HH:mm"] [--config ltv.config.json] [--force]',
  options: {
    preset: { type: 'string', description: `what the exports are: ${PRESET_NAMES.join(', ')} (default canonical; docs/ingest-presets.md)` },
    mapping: { type: 'string', description: 'a mapping file for exports no preset knows (docs/ingest-presets.md)' },
    'date-format': { type: 'string', description: 'how a preset reads timestamps a spreadsheet re-saved, e.g. "MM/DD/YY HH:mm" (exports.dateFormat)' },
    config: { type: 'string', description: 'JSON configuration file' },
    force: { type: 'boolean', description: 're-ingest files already ingested with the same content' },
  },
  async run(values, positionals) {
    if (positionals.length === 0) throw new Error('name at least one export file, folder or s3:// prefix, e.g. ltv ingest exports/orders.csv');
    const preset = presetOption(values.preset);
    const config = await loadConfig(values.config ? { file: String(values.config) } : {});
    const settings = await ingestSettingsOf(config, {
      ...(preset ? { preset } : {}),
      ...(values.mapping ? { mappingFile: String(values.mapping) } : {}),
      ...(values['date-format'] !== undefined ? { dateFormat: dateFormatOption(values['date-format']) } : {}),
    });
    const warning = saltWarning(settings);
    if (warning) console.error(warning);
    const { lake } = openStores(config);
    const { sources, missing } = await sourcesOf(positionals, { s3: config.s3, exportsDir: config.exports.dir });
    const total: IngestResult = { ingested: [], skipped: [], failed: [...missing], tableRows: {} };
    const progress = new ProgressLine(process.stdout);
    try {
      for (const source of sources) {
        const result = await ingestExports({
          exports: source.store,
          lake,
          ...(source.keys ? { keys: source.keys } : {}),
          sourceTimeZone: config.timeZone,
          now: new Date(),
          force: Boolean(values.force),
          lakeAccess: lakeAccessOf(config, 'ltv ingest', {
            onWait: (holder) => {
              progress.clear();
              console.error(`Waiting for ${lake.location}: ${describeHolder(holder)} is writing it ...`);
            },
            onRepair: (message) => console.error(message),
          }),
          ...settings,
          onProgress: (p) => progress.update(p),
        });
        total.ingested.push(...result.ingested);
        total.skipped.push(...result.skipped);
        total.failed.push(...result.failed);
        Object.assign(total.tableRows, result.tableRows);
      }
    } finally {
      progress.clear();
    }
    printIngestSummary(total);
    return total.failed.length > 0 ? 1 : 0;
  },
};
