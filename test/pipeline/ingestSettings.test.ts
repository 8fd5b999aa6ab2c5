import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/config/schema.ts';
import { DEFAULT_INGEST_LIMITS } from '../../functions/ingest/limits.ts';
import { ingestSettingsOf, saltWarning } from '../../functions/pipeline/ingestSettings.ts';

let dir: string;
const mappingFile = () => path.join(dir, 'mapping.json');

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-settings-'));
  await writeFile(mappingFile(), JSON.stringify({ table: 'orders', columns: { order_id: 'Order', customer_id: 'Client', ordered_at: 'Date', amount: 'Total', currency: { constant: 'EUR' }, status: { constant: 'paid' } } }));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the settings every ingest shares', () => {
  it('reads canonical exports with no salt by default', async () => {
    const settings = await ingestSettingsOf(configSchema.parse({}), {}, {});
    expect(settings).toEqual({ preset: 'canonical', customerKeySalt: '', limits: DEFAULT_INGEST_LIMITS });
    expect(saltWarning(settings)).toBeUndefined();
  });

  it('takes the preset from configuration and the salt only from the environment', async () => {
    const settings = await ingestSettingsOf(configSchema.parse({ exports: { preset: 'shopify' } }), {}, { LTV_CUSTOMER_KEY_SALT: 's3cret' });
    expect(settings).toEqual({ preset: 'shopify', customerKeySalt: 's3cret', limits: DEFAULT_INGEST_LIMITS });
    expect(saltWarning(settings)).toBeUndefined();
  });

  it('warns when Shopify customer ids would be unsalted hashes', async () => {
    const settings = await ingestSettingsOf(configSchema.parse({ exports: { preset: 'shopify' } }), {}, {});
    expect(saltWarning(settings)).toContain('LTV_CUSTOMER_KEY_SALT is not set');
  });

  it('loads the configured mapping file, and lets a command-line preset replace it', async () => {
    const config = configSchema.parse({ exports: { mapping: mappingFile() } });
    const mapped = await ingestSettingsOf(config, {}, {});
    expect(mapped.mapping?.table).toBe('orders');
    const overridden = await ingestSettingsOf(config, { preset: 'stripe' }, {});
    expect(overridden).toEqual({ preset: 'stripe', customerKeySalt: '', limits: DEFAULT_INGEST_LIMITS });
  });

  it('carries the configured limits of one export, the defaults for those not named', async () => {
    const settings = await ingestSettingsOf(configSchema.parse({ exports: { limits: { maxValueChars: 1000, maxExpansionRatio: 50 } } }), {}, {});
    expect(settings.limits).toEqual({ maxValueChars: 1000, maxRecordChars: 16_777_216, maxExpandedBytes: 4_294_967_296, maxExpansionRatio: 50 });
  });

  it('refuses a value limit past what a staged row can hold', () => {
    const result = configSchema.safeParse({ exports: { limits: { maxValueChars: 1_000_000 } } });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['exports.limits.maxValueChars']);
  });

  it('refuses an unknown preset in configuration', () => {
    expect(configSchema.safeParse({ exports: { preset: 'woocommerce' } }).success).toBe(false);
  });
});
