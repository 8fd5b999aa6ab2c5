// The one configuration of a deployment or a local run. Every field has a default that makes
// `npm start` work on a fresh clone; a config file or environment overrides what it names.
import { z } from 'zod';
import { DEFAULT_INGEST_LIMITS, MAX_RECORD_CHARS, MAX_VALUE_CHARS } from '../ingest/limits.ts';
import { PRESET_NAMES } from '../ingest/presets/preset.ts';
import { problemOfDateFormatSetting } from '../ingest/timestampFormat.ts';
import { DEFAULT_MAIL_TIMEOUT_SECONDS } from '../mail/mailer.ts';
import { DEFAULT_LEASE_SECONDS, DEFAULT_WAIT_SECONDS } from '../storage/lakeLock.ts';
import { readS3Location, s3LocationsOverlap, schemeOf, type S3Location } from '../storage/s3Location.ts';
import { isValidTimeZone } from '../time/zonedTime.ts';

const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of three capital letters, e.g. USD');

const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. UTC or Asia/Seoul');

const s3Location = z.string().superRefine((value, ctx) => {
  const result = readS3Location(value);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.problem });
});

/** A folder, or an s3://bucket/prefix. */
const storeLocation = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const scheme = schemeOf(value);
    if (scheme === undefined) return;
    if (scheme !== 's3') {
      ctx.addIssue({ code: 'custom', message: `${scheme}:// locations are not supported; give a folder or s3://bucket/prefix` });
      return;
    }
    const result = readS3Location(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.problem });
  });

const localStorage = z.strictObject({
  kind: z.literal('local'),
  /** Folder under which exports/, lake/ and reports/ live. */
  root: z.string().min(1).default('out'),
});

const s3Storage = z.strictObject({
  kind: z.literal('s3'),
  /** The Parquet lake and the report archive, each at its own s3://bucket/prefix. */
  lake: s3Location,
  reports: s3Location,
  /** Local folder for what stays on this machine: the .eml outbox unless mail.outboxDir says otherwise. */
  root: z.string().min(1).default('out'),
});

/** How every s3:// location (storage, exports) is reached. */
const s3Client = z.strictObject({
  /** Unset: the SDK's usual lookup (AWS_REGION, the profile). */
  region: z.string().min(1).optional(),
  /** An S3-compatible server instead of AWS. */
  endpoint: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  forcePathStyle: z.boolean().default(false),
  /** Tries per request under the SDK's standard retry strategy; unset: AWS_MAX_ATTEMPTS or 3. */
  maxAttempts: z.number().int().min(1).max(10).optional(),
});

const duckdbEngine = z.strictObject({
  kind: z.literal('duckdb'),
  /** Folder of the Parquet lake; defaults to `<storage.root>/lake` for local storage. */
  lakeDir: z.string().min(1).optional(),
  threads: z.number().int().min(1).max(64).optional(),
  /**
   * DuckDB's own memory; past it, it spills to disk. Left unset DuckDB would take up to 80 %
   * of the machine, which a laptop or a Lambda cannot spare.
   */
  memoryLimit: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'must be a size with its unit (KB, MB, GB, KiB, MiB or GiB), e.g. "512MB" or "2GB"')
    .default('1GB'),
});

/** Athena names: workgroups allow these characters; Glue keeps database names lowercase. */
const athenaName = (what: string) => z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, `must be an Athena ${what} name: letters, digits, ".", "_" or "-"`);

const athenaEngine = z.strictObject({
  kind: z.literal('athena'),
  workgroup: athenaName('workgroup'),
  /** The Glue database holding the lake tables. */
  database: z.string().regex(/^[a-z0-9_]{1,255}$/, 'must be a Glue database name: lowercase letters, digits and "_"'),
  /** Unset: Athena's own default, the Glue catalog (AwsDataCatalog). */
  catalog: athenaName('data catalog').optional(),
  /** Where Athena writes results; unset: the workgroup's result location (which a workgroup may enforce anyway). */
  outputLocation: s3Location.optional(),
  /** A query still running after this long is stopped (StopQueryExecution) and the run fails. */
  queryTimeoutSeconds: z.number().int().min(10).max(3600).default(300),
  /** Longest wait between two polls of a running query; polling starts faster and backs off to this. */
  pollMaxMs: z.number().int().min(200).max(60_000).default(5000),
  /**
   * Queries of one run that may be running on Athena at once. The account's active-DML-query
   * quota (20 to 25 by default, shared with analysts' queries) is the ceiling; throttled starts are retried.
   */
  maxConcurrentQueries: z.number().int().min(1).max(20).default(4),
});

const emlMail = z.strictObject({
  kind: z.literal('eml'),
  /** Outbox folder; defaults to `<storage.root>/outbox` for local storage. */
  outboxDir: z.string().min(1).optional(),
});

const smtpMail = z.strictObject({
  kind: z.literal('smtp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  /** How long each step of a send may wait for the server before the run gives up on it. */
  timeoutSeconds: z.number().int().min(1).max(600).default(DEFAULT_MAIL_TIMEOUT_SECONDS),
});

const sesMail = z.strictObject({
  kind: z.literal('ses'),
  /** Unset: the SDK's usual lookup (AWS_REGION, the profile); SES identities are per region. */
  region: z.string().min(1).optional(),
  /** SES configuration set for event publishing (bounces, complaints, deliveries). */
  configurationSet: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES configuration set name: letters, digits, "_" or "-"').optional(),
  /** How long one SendRawEmail request may wait for SES before the send is in doubt. */
  timeoutSeconds: z.number().int().min(1).max(600).default(DEFAULT_MAIL_TIMEOUT_SECONDS),
});

const address = z.strictObject({
  name: z.string().max(100).optional(),
  address: z.email(),
  locale: z.enum(['en', 'ko', 'ja']).optional(),
});

const clvMethod = z.enum(['saas', 'purchase', 'cohort', 'bgnbd', 'sbg']);

export const configSchema = z
  .strictObject({
    reportCurrency: currency.default('USD'),
    timeZone: timeZone.default('UTC'),
    locale: z.enum(['en', 'ko', 'ja']).default('en'),
    grossMargin: z.number().gt(0).max(1).describe('a share from 0 to 1, e.g. 0.62 for 62%').default(1),
    activityWindowDays: z.number().int().min(28).max(3650).default(365),
    holdoutWeeks: z.number().int().min(1).max(104).default(13),
    maxLifespanMonths: z.number().int().min(1).max(600).default(60),
    headlineClvMethod: clvMethod.default('saas'),
    clv: z
      .strictObject({
        horizonMonths: z.number().int().min(1).max(120).default(12),
        monthlyDiscountRate: z.number().min(0).max(0.5).describe('a monthly rate from 0 to 0.5, e.g. 0.01 for 1% a month').default(0.01),
        /** Below this many customers a rate-based CLV is flagged as unreliable. */
        minCustomers: z.number().int().min(1).default(30),
        /** The hiatus rule of the model report card: active = a purchase in the last this many days. */
        hiatusDays: z.number().int().min(1).max(3650).default(180),
        /** The purchase model of the predictive CLV; the report card names the one that forecast the holdout best. */
        purchaseModel: z.enum(['bgnbd', 'mbgnbd', 'pareto_nbd']).default('bgnbd'),
      })
      .prefault({}),
    targets: z
      .strictObject({
        ltvDoublingYears: z.number().positive().default(5),
        /**
         * Week whose trailing mean headline CLV anchors the doubling trajectory; defaults to the
         * first week whose `anchorWeeks` lie wholly within the history.
         */
        baselineWeek: z.string().regex(/^\d{4}-W\d{2}$/, 'must be an ISO week, e.g. "2026-W01"').optional(),
        /** Weeks the anchor, and the week it is compared with, average the headline CLV over. */
        anchorWeeks: z.number().int().min(1).max(52).default(13),
        ltvToCac: z.number().positive().default(3),
        paybackMonths: z.number().positive().default(12),
      })
      .prefault({}),
    exports: z
      .strictObject({
        /**
         * Where exports come from: a folder or an s3://bucket/prefix of canonical CSV files. When
         * unset, a run on local storage generates a sample data set instead.
         */
        dir: storeLocation.optional(),
        /** What the exports are: canonical files or a system's own export (docs/ingest-presets.md). */
        preset: z.enum(PRESET_NAMES).default('canonical'),
        /** A column-mapping file for exports no preset knows; used when no preset is named. */
        mapping: z.string().min(1).optional(),
        /**
         * How a preset reads timestamps an export does not write as its system does: a spreadsheet
         * re-saves `2025-12-25 20:18` as `12/25/25 20:18` (`MM/DD/YY HH:mm`). Fields in the
         * system's own form still read as before (docs/ingest-presets.md, "Date format").
         */
        dateFormat: z
          .string()
          .superRefine((value, ctx) => {
            const problem = problemOfDateFormatSetting(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .optional(),
        /** Bounds on one export (functions/ingest/limits.ts, docs/ingest.md "Limits"). */
        limits: z
          .strictObject({
            maxValueChars: z.number().int().min(256).max(MAX_VALUE_CHARS).default(DEFAULT_INGEST_LIMITS.maxValueChars),
            maxRecordChars: z.number().int().min(65_536).max(MAX_RECORD_CHARS).default(DEFAULT_INGEST_LIMITS.maxRecordChars),
            maxExpandedBytes: z.number().int().positive().default(DEFAULT_INGEST_LIMITS.maxExpandedBytes),
            maxExpansionRatio: z.number().min(2).default(DEFAULT_INGEST_LIMITS.maxExpansionRatio),
          })
          .prefault({}),
      })
      .prefault({}),
    /**
     * When the run cannot vouch for the week's data (docs/configuration.md, "Completeness"):
     * what counts as complete, and what happens otherwise.
     */
    completeness: z
      .strictObject({
        /** The data must reach the week's end within this many hours: the latest order at or after end − tolerance. */
        toleranceHours: z.number().min(0, 'must be 0 or more hours').max(336, 'must be at most 336 hours (two weeks)').default(24),
        /** Largest share of the rate window's paid orders, or of the week's marketing-spend rows, left out for lack of an fx rate. */
        maxUnconvertedShare: z.number().min(0).max(1, 'a share from 0 to 1, e.g. 0.02 for 2%').default(0.02),
        /** hold: nothing to the recipients, a notice to the owner, the week sent once complete; send-flagged: sent, marked incomplete. */
        onIncomplete: z.enum(['hold', 'send-flagged']).default('hold'),
      })
      .prefault({}),
    /** What the e-mail shows beyond the numbers (docs/configuration.md, "Report"). */
    report: z
      .strictObject({
        /** hide: the report names the movers "Subscriber 1", "Customer 2" and holds no customer id. */
        customerIds: z.enum(['show', 'hide']).default('show'),
        /**
         * Where docs/metrics.md is published, e.g. its page on the repository host; each KPI label
         * links to its definition there (#key). Unset: no links, the footer names the file.
         */
        docsUrl: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL of docs/metrics.md, e.g. "https://github.com/acme/ltv-pulse/blob/main/docs/metrics.md"' })
          .refine((url) => !url.includes('#'), 'must not hold a "#fragment": each KPI adds its own')
          .optional(),
      })
      .prefault({}),
    lakeLock: z
      .strictObject({
        /** How long a writer waits for the lake while another ingest or weekly run holds it. */
        waitSeconds: z.number().int().min(0).max(3600).default(DEFAULT_WAIT_SECONDS),
        /** How long the lock outlives a holder that stopped renewing it (killed, frozen). */
        leaseSeconds: z.number().int().min(2).max(3600).default(DEFAULT_LEASE_SECONDS),
      })
      .prefault({}),
    sample: z
      .strictObject({
        customers: z.number().int().min(10).max(5_000_000).default(2000),
        seed: z.union([z.number().int(), z.string().min(1)]).default(42),
      })
      .prefault({}),
    storage: z.discriminatedUnion('kind', [localStorage, s3Storage]).prefault({ kind: 'local' }),
    s3: s3Client.prefault({}),
    engine: z.discriminatedUnion('kind', [duckdbEngine, athenaEngine]).prefault({ kind: 'duckdb' }),
    mail: z.discriminatedUnion('kind', [emlMail, smtpMail, sesMail]).prefault({ kind: 'eml' }),
    sender: address.prefault({ name: 'ltv-pulse', address: 'ltv-pulse@example.com' }),
    recipients: z.array(address).min(1).prefault([{ name: 'Leadership', address: 'leadership@example.com' }]),
    /** Who is told when a weekly run fails (the team running the job); the sender when unset. */
    owner: address.omit({ locale: true }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.engine.kind === 'athena' && config.storage.kind !== 's3') {
      ctx.addIssue({
        code: 'custom',
        path: ['engine', 'kind'],
        message: 'the Athena engine reads the lake in S3: set storage.kind to "s3" (with storage.lake) or use the "duckdb" engine',
      });
    }
    if (config.storage.kind !== 's3') return;
    if (config.exports.dir === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['exports', 'dir'],
        message: 'required when storage.kind is "s3": a sample data set is generated for local storage only',
      });
    }
    if (config.engine.kind === 'duckdb' && config.engine.lakeDir === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine', 'lakeDir'],
        message:
          'required when storage.kind is "s3": the DuckDB engine reads the lake from a local folder, so it needs a local copy of the S3 lake (or use the "athena" engine, which reads S3)',
      });
    }
    // Overlapping locations would make one list the other's objects: ingest would read lake
    // files as exports, the lake would hold report archives, or Athena results would land
    // among the table files.
    const located: { setting: string; text: string; location: S3Location }[] = [];
    for (const [setting, text] of [
      ['storage.lake', config.storage.lake],
      ['storage.reports', config.storage.reports],
      ['exports.dir', config.exports.dir],
      ['engine.outputLocation', config.engine.kind === 'athena' ? config.engine.outputLocation : undefined],
    ] as const) {
      if (text === undefined) continue;
      const result = readS3Location(text);
      if (result.ok) located.push({ setting, text, location: result.location });
    }
    for (const [i, a] of located.entries()) {
      for (const b of located.slice(i + 1)) {
        if (s3LocationsOverlap(a.location, b.location)) {
          ctx.addIssue({
            code: 'custom',
            path: b.setting.split('.'),
            message: `${b.text} overlaps ${a.setting} (${a.text}); give each its own bucket or prefix`,
          });
        }
      }
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ClvMethod = z.infer<typeof clvMethod>;
export type CompletenessConfig = Config['completeness'];
export type AthenaEngineConfig = z.infer<typeof athenaEngine>;
export type SesMailConfig = z.infer<typeof sesMail>;
