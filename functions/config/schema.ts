// The one configuration of a deployment or a local run. Every field has a default that makes
// `npm start` work on a fresh clone; a config file or environment overrides what it names.
import { z } from 'zod';
import { isValidTimeZone } from '../time/zonedTime.ts';

const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of three capital letters, e.g. USD');

const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. UTC or Asia/Seoul');

const localStorage = z.object({
  kind: z.literal('local'),
  /** Folder under which exports/, lake/ and reports/ live. */
  root: z.string().min(1).default('out'),
});

const duckdbEngine = z.object({
  kind: z.literal('duckdb'),
  /** Folder of the Parquet lake; defaults to `<storage.root>/lake` for local storage. */
  lakeDir: z.string().min(1).optional(),
  threads: z.number().int().min(1).max(64).optional(),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).optional(),
});

const emlMail = z.object({
  kind: z.literal('eml'),
  /** Outbox folder; defaults to `<storage.root>/outbox` for local storage. */
  outboxDir: z.string().min(1).optional(),
});

const smtpMail = z.object({
  kind: z.literal('smtp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
});

const address = z.object({
  name: z.string().max(100).optional(),
  address: z.email(),
  locale: z.enum(['en', 'ko', 'ja']).optional(),
});

const clvMethod = z.enum(['saas', 'purchase', 'cohort', 'bgnbd']);

export const configSchema = z
  .object({
    reportCurrency: currency.default('USD'),
    timeZone: timeZone.default('UTC'),
    locale: z.enum(['en', 'ko', 'ja']).default('en'),
    grossMargin: z.number().gt(0).max(1).default(1),
    activityWindowDays: z.number().int().min(28).max(3650).default(365),
    holdoutWeeks: z.number().int().min(1).max(104).default(13),
    maxLifespanMonths: z.number().int().min(1).max(600).default(60),
    headlineClvMethod: clvMethod.default('saas'),
    clv: z
      .object({
        horizonMonths: z.number().int().min(1).max(120).default(12),
        monthlyDiscountRate: z.number().min(0).max(0.5).default(0.01),
        /** Below this many customers a rate-based CLV is flagged as unreliable. */
        minCustomers: z.number().int().min(1).default(30),
      })
      .prefault({}),
    targets: z
      .object({
        ltvDoublingYears: z.number().positive().default(5),
        /** Week whose headline CLV anchors the doubling trajectory; defaults to the first week in history. */
        baselineWeek: z.string().regex(/^\d{4}-W\d{2}$/).optional(),
        ltvToCac: z.number().positive().default(3),
        paybackMonths: z.number().positive().default(12),
      })
      .prefault({}),
    exports: z
      .object({
        /**
         * Where exports come from for a local run: a folder of canonical CSV files. When unset,
         * the local run generates a sample data set instead.
         */
        dir: z.string().min(1).optional(),
      })
      .prefault({}),
    sample: z
      .object({
        customers: z.number().int().min(10).max(5_000_000).default(2000),
        seed: z.union([z.number().int(), z.string().min(1)]).default(42),
      })
      .prefault({}),
    storage: z.discriminatedUnion('kind', [localStorage]).prefault({ kind: 'local' }),
    engine: z.discriminatedUnion('kind', [duckdbEngine]).prefault({ kind: 'duckdb' }),
    mail: z.discriminatedUnion('kind', [emlMail, smtpMail]).prefault({ kind: 'eml' }),
    sender: address.prefault({ name: 'ltv-pulse', address: 'ltv-pulse@example.com' }),
    recipients: z.array(address).min(1).prefault([{ name: 'Leadership', address: 'leadership@example.com' }]),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ClvMethod = z.infer<typeof clvMethod>;
