// Reads the configuration from a JSON file and LTV_* environment variables, validates it, and
// turns every problem into one line naming the setting, so a user knows what to change.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
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

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}

/** Validate an already-parsed object; `source` names where it came from in error messages. */
export function parseConfig(input: unknown, source: string): Config {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(source, result.error.issues.map(describeIssue));
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

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function applyEnvironment(input: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const merged = structuredClone(input);
  for (const [name, path] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(merged, path, parseEnvValue(raw));
  }
  return merged;
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
    base = parseObject(text, options.file);
    origin = options.file;
  } else if (hasInline) {
    base = parseObject(inline, CONFIG_JSON_VARIABLE);
    origin = CONFIG_JSON_VARIABLE;
  }
  const source = origin === 'defaults' ? 'defaults and LTV_* environment' : `${origin} (with LTV_* environment overrides)`;
  return parseConfig(applyEnvironment(base, env), source);
}
