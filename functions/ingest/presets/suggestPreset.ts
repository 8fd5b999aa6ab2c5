// An export ingested as canonical whose header is a vendor's: the user forgot the preset. Saying
// which one turns "the header lacks order_id" into the fix.
import type { FieldNames } from '../sourceRecord.ts';
import type { Preset } from './preset.ts';
import { shopifyPreset } from './shopify.ts';
import { stripePreset } from './stripe.ts';

const VENDORS: readonly { preset: Preset; vendor: string }[] = [
  { preset: shopifyPreset, vendor: 'Shopify' },
  { preset: stripePreset, vendor: 'Stripe' },
];

/** "its header looks like a Shopify orders export: …", or undefined when it looks like none. */
export function presetSuggestion(fields: FieldNames): string | undefined {
  for (const { preset, vendor } of VENDORS) {
    const table = preset.tableFromHeader?.(fields);
    if (table !== undefined) {
      return `its header looks like a ${vendor} ${table} export: ingest it with --preset ${preset.name} (exports.preset in the configuration)`;
    }
  }
  return undefined;
}
