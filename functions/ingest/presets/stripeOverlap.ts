// Stripe's payments export and its invoices export both hold the money of an invoice paid by a
// charge, under different ids (ch_… and in_…), so ingesting both would count it twice. The
// payments export is kept (it carries refunds, the invoices export does not): each paid charge
// records the invoice it paid (Invoice ID) and its own id, and an invoice that a kept charge paid
// (by its id, or by its Charge column) is left out as `counted_in_payments`.
//
// Exports land in different runs as often as in one (the ingest Lambda runs once per uploaded
// file), so what each payments export paid is kept in the lake beside its manifest, and read
// back only while that manifest still describes the same content.
import { z } from 'zod';
import type { ObjectStore } from '../../storage/objectStore.ts';
import { readManifest, type Manifest } from '../manifest.ts';

export const CHARGED_INVOICES_PREFIX = '_presets/stripe/charged-invoices/';

const savedSchema = z.object({
  sourceKey: z.string(),
  etag: z.string(),
  invoices: z.array(z.string()),
  charges: z.array(z.string()),
});

interface Paid {
  invoices: Set<string>;
  charges: Set<string>;
}

export function chargedInvoicesKey(sourceKey: string): string {
  return `${CHARGED_INVOICES_PREFIX}${sourceKey}.json`;
}

export class ChargedInvoices {
  private readonly byExport = new Map<string, Paid>();
  /** What the lake held for an export being read again, until it lands or fails. */
  private readonly before = new Map<string, Paid | undefined>();

  /** What the lake's payments exports paid; a record whose manifest is gone or changed is no longer true. */
  static async load(lake: ObjectStore): Promise<ChargedInvoices> {
    const known = new ChargedInvoices();
    for await (const info of lake.list(CHARGED_INVOICES_PREFIX)) {
      if (!info.key.endsWith('.json')) continue;
      const saved = savedSchema.safeParse(JSON.parse((await lake.getBytes(info.key)).toString('utf8')));
      if (!saved.success) continue;
      const manifest = await readManifest(lake, saved.data.sourceKey);
      if (manifest?.etag !== saved.data.etag) continue;
      known.byExport.set(saved.data.sourceKey, { invoices: new Set(saved.data.invoices), charges: new Set(saved.data.charges) });
    }
    return known;
  }

  /** A payments export is read (again): what an earlier version of it paid no longer counts. */
  begin(sourceKey: string): void {
    if (!this.before.has(sourceKey)) this.before.set(sourceKey, this.byExport.get(sourceKey));
    this.byExport.set(sourceKey, { invoices: new Set(), charges: new Set() });
  }

  /** The export failed and its rows did not land: what the lake held for it counts again. */
  forget(sourceKey: string): void {
    if (!this.before.has(sourceKey)) return;
    const before = this.before.get(sourceKey);
    if (before) this.byExport.set(sourceKey, before);
    else this.byExport.delete(sourceKey);
    this.before.delete(sourceKey);
  }

  /** A paid charge of a payments export, with the invoice it paid ('' for none). */
  add(sourceKey: string, chargeId: string, invoiceId: string): void {
    const paid = this.byExport.get(sourceKey);
    if (!paid) throw new Error(`ChargedInvoices.add before begin(${sourceKey})`);
    if (chargeId !== '') paid.charges.add(chargeId);
    if (invoiceId !== '') paid.invoices.add(invoiceId);
  }

  /** The payments export that counts this invoice's money already, or undefined. */
  countedBy(invoiceId: string, chargeId: string): string | undefined {
    for (const [sourceKey, paid] of this.byExport) {
      if (paid.invoices.has(invoiceId) || (chargeId !== '' && paid.charges.has(chargeId))) return sourceKey;
    }
    return undefined;
  }

  /** Keeps what a payments export of this run paid, beside its manifest (written just before it). */
  async save(lake: ObjectStore, manifest: Manifest): Promise<void> {
    const paid = this.byExport.get(manifest.sourceKey);
    if (!paid) return;
    const saved = { sourceKey: manifest.sourceKey, etag: manifest.etag, invoices: [...paid.invoices], charges: [...paid.charges] };
    await lake.put(chargedInvoicesKey(manifest.sourceKey), `${JSON.stringify(saved)}\n`, 'application/json');
  }
}
