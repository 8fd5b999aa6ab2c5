// What every ingest needs besides the files: the preset or mapping that says what the exports
// are, the key of pseudonymous customer ids, and the limits of one export. One place, so `ltv ingest`, `ltv report` and
// the ingest Lambda read exports the same way.
import { CUSTOMER_KEY_SALT_VARIABLE, customerKeySaltOf, type ParameterReader } from '../config/customerKeySalt.ts';
import type { Config } from '../config/schema.ts';
import type { IngestLimits } from '../ingest/limits.ts';
import { loadMapping, type Mapping } from '../ingest/presets/mapping.ts';
import { HASHING_PRESETS, type PresetName } from '../ingest/presets/preset.ts';


export interface IngestSettings {
  preset: PresetName;
  mapping?: Mapping;
  /** '' when unset: ids are then plain hashes, which the CLI warns about. */
  customerKeySalt: string;
  /** exports.dateFormat, or --date-format. */
  dateFormat?: string;
  limits: IngestLimits;
}

export interface IngestOverrides {
  preset?: PresetName;
  mappingFile?: string;
  dateFormat?: string;
}

export async function ingestSettingsOf(
  config: Config,
  overrides: IngestOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  readParameter?: ParameterReader,
): Promise<IngestSettings> {
  const mappingFile = overrides.mappingFile ?? (overrides.preset === undefined ? config.exports.mapping : undefined);
  return {
    preset: overrides.preset ?? config.exports.preset,
    ...(mappingFile !== undefined ? { mapping: await loadMapping(mappingFile) } : {}),
    customerKeySalt: await customerKeySaltOf(env, readParameter),
    ...((overrides.dateFormat ?? config.exports.dateFormat) !== undefined ? { dateFormat: overrides.dateFormat ?? config.exports.dateFormat } : {}),
    limits: config.exports.limits,
  };
}

/** A warning worth printing before ingesting, or undefined. */
export function saltWarning(settings: IngestSettings): string | undefined {
  if (!HASHING_PRESETS.has(settings.preset) || settings.mapping !== undefined || settings.customerKeySalt !== '') return undefined;
  return `note: ${CUSTOMER_KEY_SALT_VARIABLE} is not set, so ${settings.preset === 'shopify' ? 'Shopify' : 'Stripe guest'} customer keys are unsalted hashes of e-mail addresses and phone numbers (docs/ingest-presets.md)`;
}
