// Reads the configuration from a JSON file and LTV_* environment variables, validates it, and
// turns every problem into one line naming the setting, so a user knows what to change.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { schemeOf } from '../storage/s3Location.ts';
import { closestName } from '../text/closestName.ts';
import { describeIssue, type ValueOrigin } from './describeIssue.ts';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validate an already-parsed object; `source` names where it came from in error messages. */
export function parseConfig(input: unknown, source: string, origins: readonly ValueOrigin[] = []): Config {
  const value = input ?? {};
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(source, result.error.issues.flatMap((issue) => describeIssue(issue, configSchema, value, origins)));
  return result.data;
}

/**
 * Environment overrides for the settings a deployment most often changes; values are JSON
 * when they parse as JSON (numbers, arrays), else plain strings.
 */
const ENV_SETTINGS: Record<string, string[]> = {
  LTV_REPORT_CURRENCY: ['reportCurrency'],
  LTV_TIME_ZONE: ['timeZone'],
  LTV_LOCALE: ['locale'],
  LTV_GROSS_MARGIN: ['grossMargin'],
  LTV_EXPORTS_DIR: ['exports', 'dir'],
  LTV_RECIPIENTS: ['recipients'],
};

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The input with the LTV_* overrides set in `env` applied, and which settings they set. */
export function applyEnvironment(input: Record<string, unknown>, env: NodeJS.ProcessEnv): { merged: Record<string, unknown>; applied: ValueOrigin[] } {
  const merged = structuredClone(input);
  const applied: ValueOrigin[] = [];
  for (const [variable, keys] of Object.entries(ENV_SETTINGS)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    setPath(merged, keys, parseEnvValue(raw));
    applied.push({ path: keys, variable });
  }
  return { merged, applied };
}

/**
 * A misspelt override (LTV_GROSS_MARGN) would otherwise be ignored and the run go on with the
 * default; other LTV_* variables (the Lambda's own, LTV_DEBUG) are left alone unless they look
 * like one of the overrides.
 */
function misspeltOverrides(env: NodeJS.ProcessEnv): string[] {
  const known = [...Object.keys(ENV_SETTINGS), CONFIG_JSON_VARIABLE];
  return Object.keys(env)
    .filter((name) => name.startsWith('LTV_') && !known.includes(name))
    .flatMap((name) => {
      const meant = closestName(name, known);
      return meant === undefined ? [] : [`${name}: not a variable ltv-pulse reads; did you mean ${meant}?`];
    });
}

/** Settings naming a local file or folder; in a config file they are relative to the file's folder. */
const PATH_SETTINGS: readonly (readonly string[])[] = [
  ['storage', 'root'],
  ['engine', 'lakeDir'],
  ['mail', 'outboxDir'],
  ['exports', 'dir'],
  ['exports', 'mapping'],
];

/**
 * A config file means the same wherever the command runs from: its relative paths are taken
 * from the file's folder. s3:// locations and anything not a string (left to validation) stay.
 */
function resolvePathsAgainst(input: Record<string, unknown>, folder: string): Record<string, unknown> {
  const resolved = structuredClone(input);
  for (const keys of PATH_SETTINGS) {
    const parent = keys.slice(0, -1).reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), resolved);
    if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) continue;
    const holder = parent as Record<string, unknown>;
    const key = keys[keys.length - 1]!;
    const value = holder[key];
    if (typeof value !== 'string' || value === '' || schemeOf(value) !== undefined || path.isAbsolute(value)) continue;
    holder[key] = path.join(folder, value);
  }
  return resolved;
}

/**
 * The whole configuration as one JSON object in the environment, for Lambda functions, which
 * have environment variables but no configuration file.
 */
export const CONFIG_JSON_VARIABLE = 'LTV_CONFIG_JSON';

function parseObject(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [`not valid JSON: ${(err as Error).message}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(source, [`${source === CONFIG_JSON_VARIABLE ? 'the variable' : 'the file'} must hold one JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The configuration from a file or LTV_CONFIG_JSON (never both: which one wins would be a
 * guess), with the LTV_* overrides applied on top.
 */
export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const inline = env[CONFIG_JSON_VARIABLE];
  const hasInline = inline !== undefined && inline.trim() !== '';
  let base: Record<string, unknown> = {};
  let origin = 'defaults';
  if (options.file) {
    if (hasInline) {
      throw new ConfigError(options.file, [`${CONFIG_JSON_VARIABLE} is set too; give the configuration in a file or in ${CONFIG_JSON_VARIABLE}, not both`]);
    }
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(options.file, [`cannot read the file: ${(err as Error).message}`]);
    }
    base = resolvePathsAgainst(parseObject(text, options.file), path.dirname(options.file));
    origin = options.file;
  } else if (hasInline) {
    base = parseObject(inline, CONFIG_JSON_VARIABLE);
    origin = CONFIG_JSON_VARIABLE;
  }
  const misspelt = misspeltOverrides(env);
  if (misspelt.length > 0) throw new ConfigError('the environment', misspelt);
  const { merged, applied } = applyEnvironment(base, env);
  const overrides = applied.map((o) => o.variable);
  const source =
    overrides.length === 0
      ? origin
      : origin === 'defaults'
        ? `defaults with ${overrides.join(', ')}`
        : `${origin} (with ${overrides.length === 1 ? 'the override' : 'the overrides'} ${overrides.join(', ')})`;
  return parseConfig(merged, source, applied);
}
