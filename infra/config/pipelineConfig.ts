// The pipeline configuration the Lambda functions run with (functions/config/schema.ts), handed
// to them whole in LTV_CONFIG_JSON. The stack fills in what it owns - where the data lives, the
// Athena engine, SES, the sender and recipients, the time zone - and the `ltv-pulse:report`
// context setting carries the rest (currency, locale, margin, targets...). It is validated
// against the pipeline's own schema at synth, so a bad setting stops `cdk synth`, not Monday's run.
import { ConfigError, parseConfig } from '../../functions/config/load.ts';

/** What the stack decides; `ltv-pulse:report` may not set these. */
export const STACK_OWNED_SETTINGS = ['storage', 'engine', 'mail', 'sender', 'recipients', 'timeZone', 'sample'] as const;

export interface PipelinePlaces {
  /** `s3://bucket` or `s3://bucket/prefix` of the exports. */
  exportsDir: string;
  lake: string;
  reports: string;
  workGroup: string;
  database: string;
  configurationSet: string;
}

export interface PipelineSettings {
  /** Pipeline settings from `ltv-pulse:report`, without the stack-owned ones. */
  report: Record<string, unknown>;
  timeZone: string;
  sender: { name?: string | undefined; address: string; locale?: string | undefined };
  recipients: readonly { name?: string | undefined; address: string; locale?: string | undefined }[];
}

/** The configuration object; `places` may hold CloudFormation tokens (bucket names). */
export function pipelineConfig(settings: PipelineSettings, places: PipelinePlaces): Record<string, unknown> {
  const { exports: reportExports, ...rest } = settings.report;
  return {
    ...rest,
    timeZone: settings.timeZone,
    storage: { kind: 's3', lake: places.lake, reports: places.reports },
    exports: { ...(isObject(reportExports) ? reportExports : {}), dir: places.exportsDir },
    engine: { kind: 'athena', workgroup: places.workGroup, database: places.database },
    mail: { kind: 'ses', configurationSet: places.configurationSet },
    sender: settings.sender,
    recipients: settings.recipients,
  };
}

/**
 * Lambda allows 4 KB for all environment variables together; the configuration must leave room
 * for the few others, with bucket names at their longest (63 characters).
 */
export const CONFIG_JSON_MAX_CHARS = 3500;

/**
 * Problems with the configuration the functions would run with, each naming the context key to
 * change; empty when it is valid. Bucket names are not known at synth, so the check uses
 * stand-ins of the longest legal length.
 */
export function pipelineConfigProblems(settings: PipelineSettings, names: { workGroup: string; database: string; configurationSet: string }, exportsPrefix: string): string[] {
  const bucket = (what: string) => `${what}-`.padEnd(63, 'x');
  const places: PipelinePlaces = {
    exportsDir: exportsPrefix === '' ? `s3://${bucket('exports')}` : `s3://${bucket('exports')}/${exportsPrefix}`,
    lake: `s3://${bucket('lake')}`,
    reports: `s3://${bucket('reports')}`,
    ...names,
  };
  const candidate = pipelineConfig(settings, places);
  const problems: string[] = [];
  try {
    parseConfig(candidate, 'LTV_CONFIG_JSON');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) {
      const key = line.split(/[.:]/, 1)[0] ?? '';
      const fromReport = key !== '' && (key in settings.report || key === 'exports');
      problems.push(fromReport ? `ltv-pulse:report.${line}` : `the pipeline configuration the stack builds: ${line}`);
    }
  }
  const size = JSON.stringify(candidate).length;
  if (size > CONFIG_JSON_MAX_CHARS) {
    problems.push(
      `ltv-pulse:recipients / ltv-pulse:report: the functions' configuration would take ${size} characters of JSON, more than the ${CONFIG_JSON_MAX_CHARS} that fit in Lambda's 4 KB of environment variables; name fewer recipients or drop their display names`,
    );
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
