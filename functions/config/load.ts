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

export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  let fromFile: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(options.file, [`cannot read the file: ${(err as Error).message}`]);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ConfigError(options.file, ['the file must hold one JSON object']);
      }
      fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(options.file, [`not valid JSON: ${(err as Error).message}`]);
    }
  }
  const env = options.env ?? process.env;
  const source = options.file ? `${options.file} (with LTV_* environment overrides)` : 'defaults and LTV_* environment';
  return parseConfig(applyEnvironment(fromFile, env), source);
}
