// The settings of a deployment, read from cdk.json context (`ltv-pulse:<setting>`, or
// `npx cdk deploy -c ltv-pulse:<setting>=<value>`) and validated before anything is synthesised,
// so a typo stops `cdk synth` with a line naming the setting instead of a failed deployment.
import { z } from 'zod';
import { HASHING_PRESETS, type PresetName } from '../../functions/ingest/presets/preset.ts';
import { isValidTimeZone } from '../../functions/time/zonedTime.ts';
import { pipelineConfigProblems, STACK_OWNED_SETTINGS } from './pipelineConfig.ts';
import { resourceNames } from './resourceNames.ts';

export const CONTEXT_PREFIX = 'ltv-pulse:';

const address = z.email('must be an e-mail address, e.g. reports@example.com');

/** `"reports@acme.com"` or `{ "name", "address", "locale" }`, as the pipeline configuration has it. */
const mailbox = z.preprocess(
  (v) => (typeof v === 'string' ? { address: v } : v),
  z.strictObject({
    name: z.string().min(1).max(100).optional(),
    address,
    locale: z.enum(['en', 'ko', 'ja']).optional(),
  }),
);

/**
 * EventBridge Scheduler's cron: six fields (minutes hours day-of-month month day-of-week year),
 * where exactly one of day-of-month and day-of-week is `?`. Checked here because Scheduler
 * reports a malformed expression only at deploy time, half-way through a stack update.
 */
const schedulerCron = z.string().superRefine((value, ctx) => {
  const m = /^cron\((.*)\)$/.exec(value.trim());
  const fields = m?.[1]!.trim().split(/\s+/) ?? [];
  if (!m || fields.length !== 6) {
    ctx.addIssue({ code: 'custom', message: 'must be an EventBridge Scheduler cron with six fields, e.g. cron(0 7 ? * MON *)' });
    return;
  }
  const dayOfMonth = fields[2]!;
  const dayOfWeek = fields[4]!;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    ctx.addIssue({ code: 'custom', message: 'exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?, e.g. cron(0 7 ? * MON *)' });
  }
});

const ianaTimeZone = z
  .string()
  .refine(
    (tz) => /^(UTC|[A-Za-z]+(\/[A-Za-z0-9_+-]+)+)$/.test(tz) && isValidTimeZone(tz),
    'must be an IANA time zone name, e.g. UTC, Europe/Berlin or Asia/Seoul',
  );

/** Key prefix of exports under which an upload starts an ingest; '' is the whole bucket. */
const keyPrefix = z
  .string()
  .transform((p) => p.replace(/\/+$/, ''))
  .refine((p) => !p.startsWith('/'), 'must not start with /; write e.g. crm/exports')
  .refine((p) => p === '' || p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'has an empty, "." or ".." segment')
  .refine((p) => /^[A-Za-z0-9!_.*'()/=-]*$/.test(p), 'may hold only letters, digits, / and !_.*\'()=-');

/** Context from the command line arrives as strings; cdk.json gives JSON values. */
const fromCli = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const t = v.trim();
    if (/^-?\d+(\.\d+)?$/.test(t) || t.startsWith('[') || t.startsWith('{')) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return v;
      }
    }
    return v;
  }, schema);

export const deploymentSchema = z.strictObject({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'must start with a letter and hold only letters, digits and hyphens (at most 63)')
    .default('LtvPulse'),
  resultsRetentionDays: fromCli(z.number().int().min(1).max(3650)).default(30),
  /** Decimal megabytes (10^6 bytes); Athena's minimum cutoff is 10 MB. */
  bytesScannedCutoffMb: fromCli(z.number().int().min(10, 'must be at least 10 (Athena\'s minimum cutoff is 10 MB)').max(1_000_000_000)).default(10_000),
  scheduleCron: schedulerCron.default('cron(0 7 ? * MON *)'),
  scheduleTimeZone: ianaTimeZone.default('UTC'),
  sender: fromCli(mailbox),
  recipients: fromCli(z.array(mailbox).min(1, 'must name at least one recipient').max(50, 'at most 50 recipients: they travel in a Lambda environment variable')),
  /**
   * Settings of the pipeline configuration (docs/configuration.md) other than those the stack
   * owns: reportCurrency, locale, grossMargin, targets, clv, owner, exports.preset...
   */
  report: fromCli(
    z
      .record(z.string(), z.unknown())
      .superRefine((report, ctx) => {
        for (const key of STACK_OWNED_SETTINGS) {
          if (key in report) {
            ctx.addIssue({ code: 'custom', path: [key], message: `is set by the stack (${stackOwnedHint(key)}); remove it from ltv-pulse:report` });
          }
        }
        const exports = report.exports;
        if (exports !== undefined) {
          const keys = typeof exports === 'object' && exports !== null && !Array.isArray(exports) ? Object.keys(exports) : ['(not an object)'];
          for (const k of keys.filter((k) => k !== 'preset')) {
            ctx.addIssue({
              code: 'custom',
              path: ['exports', k],
              message: k === 'dir' ? 'is the exports bucket and ltv-pulse:exportsPrefix' : 'only exports.preset can be set for a deployment (a mapping file is not in the Lambda bundle)',
            });
          }
        }
      }),
  ).default({}),
  alarmEmail: address.optional(),
  exportsPrefix: keyPrefix.default(''),
  rejectedRowAlarmRatio: fromCli(z.number().gt(0, 'must be above 0').max(1, 'must be at most 1')).default(0.05),
  /**
   * Reserved concurrency of the ingest function; 0 (the default) reserves none. Ingests no longer
   * need one to stay apart: the lake's lock lets one writer in at a time. A reservation fails
   * `cdk deploy` on accounts with the new-account concurrency quota.
   */
  ingestConcurrency: fromCli(z.number().int().min(0).max(10)).default(0),
  /**
   * Memory of the weekly function. 3008 MB is the most a new account may configure; the 10M-order
   * run needs about 2 GiB of JavaScript heap (docs/deploy.md). More memory also brings more vCPUs.
   */
  weeklyMemoryMb: fromCli(z.number().int().min(1024).max(10240)).default(3008),
  /**
   * The SSM Parameter Store parameter (a SecureString you create) holding the key of
   * pseudonymous customer ids, which the Stripe and Shopify presets hash e-mail addresses and
   * phone numbers with; required with those presets, so ids are never unsalted hashes.
   */
  customerKeySaltParameter: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/, 'must be an SSM parameter name, e.g. /ltv-pulse/customer-key-salt')
    .max(1011)
    .optional(),
  /**
   * Days earlier versions of lake objects are kept; 0 (the default) leaves the lake unversioned.
   * With versions, a table file an ingest replaced or a write-back week a re-run replaced can be
   * restored within that time.
   */
  lakeVersionDays: fromCli(z.number().int().min(0).max(3650)).default(0),
});

function stackOwnedHint(key: (typeof STACK_OWNED_SETTINGS)[number]): string {
  switch (key) {
    case 'timeZone':
      return 'ltv-pulse:scheduleTimeZone, so the scheduled time and the week boundaries agree';
    case 'sender':
    case 'recipients':
      return `ltv-pulse:${key}`;
    case 'sample':
      return 'a deployment reports on real exports only';
    default:
      return 'it points at the resources of this stack';
  }
}

export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type DeploymentConfigInput = z.input<typeof deploymentSchema>;
export type Mailbox = DeploymentConfig['sender'];

export class DeploymentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid cdk.json context:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these under "context" in cdk.json or with -c ${CONTEXT_PREFIX}<setting>=<value>.`);
    this.name = 'DeploymentConfigError';
  }
}

/** Validates the settings; each problem is one line naming its `ltv-pulse:` context key. */
export function parseDeploymentConfig(input: Record<string, unknown>): DeploymentConfig {
  const result = deploymentSchema.safeParse(input, { reportInput: true });
  if (result.success) {
    const config = result.data;
    const problems = pipelineConfigProblems(
      { report: config.report, timeZone: config.scheduleTimeZone, sender: config.sender, recipients: config.recipients },
      resourceNames(config.stackName),
      config.exportsPrefix,
    );
    const preset = presetOf(config.report);
    if (preset !== undefined && HASHING_PRESETS.has(preset as PresetName) && config.customerKeySaltParameter === undefined) {
      problems.push(
        `${CONTEXT_PREFIX}customerKeySaltParameter: required with the ${preset} preset, which hashes e-mail addresses and phone numbers into customer ids: ` +
          'create a SecureString parameter holding a long random key (docs/deploy.md, "Customer-key salt") and name it here',
      );
    }
    if (problems.length > 0) throw new DeploymentConfigError(problems);
    return config;
  }
  throw new DeploymentConfigError(
    result.error.issues.map((issue) => {
      const where = (path: readonly PropertyKey[]) => {
        const [head, ...rest] = path.map(String);
        return head === undefined ? '(context)' : `${CONTEXT_PREFIX}${head}${rest.map((r) => (/^\d+$/.test(r) ? `[${r}]` : `.${r}`)).join('')}`;
      };
      if (issue.code === 'unrecognized_keys') {
        return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => where([...issue.path, k])).join(', ')}`;
      }
      return `${where(issue.path)}: ${issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message}`;
    }),
  );
}

function presetOf(report: Record<string, unknown>): string | undefined {
  const exports = report.exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const preset = (exports as Record<string, unknown>).preset;
  return typeof preset === 'string' ? preset : undefined;
}

/**
 * Collects every `ltv-pulse:*` context value (unknown ones too, so a misspelt setting is an
 * error rather than silently ignored) and validates them.
 */
export function readDeploymentConfig(context: Record<string, unknown>): DeploymentConfig {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(CONTEXT_PREFIX) && value !== undefined) input[key.slice(CONTEXT_PREFIX.length)] = value;
  }
  return parseDeploymentConfig(input);
}

/** Every setting's name, without the `ltv-pulse:` prefix. */
export const DEPLOYMENT_SETTINGS: readonly string[] = Object.keys(deploymentSchema.shape);
