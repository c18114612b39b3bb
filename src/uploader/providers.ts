// Storage providers: each registers itself on the private listener with a signature over its url by
// an approved wallet, and again at least every 10 minutes, measured from its LAST registration (the
// original measured from its first and never applied it). One provider per storage type.
import { checksumAddress, recoverMessageSigner } from '../chain/index.ts';
import { appendEvent } from '../ledger/index.ts';
import type { UploaderConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import { refused } from './errors.ts';
import { type PaymentMethod, type ProviderRow, uploader } from './tables.ts';

/** A provider that has not re-registered for this long drops out of the list and gets no quotes. */
export const PROVIDER_TTL_MS = 10 * 60_000;

export interface Registration {
  type: string;
  description: string;
  url: string;
  payment: PaymentMethod[];
  signature: string;
}

/** A storage as `GET /uploader/` lists it. */
export interface StorageView {
  type: string;
  description: string;
  payment: PaymentMethod[];
}

const freshSince = (now: Date) => new Date(now.getTime() - PROVIDER_TTL_MS);

const providerPayload = (p: ProviderRow) => ({
  id: p.id,
  type: p.type,
  description: p.description,
  url: p.url,
  payment: p.payment,
  signer: p.signer,
  registered_at: p.registered_at.toISOString(),
  last_registered_at: p.last_registered_at.toISOString(),
  active: p.active,
});

/**
 * Registers (201), renews (200: description, url and payment updated) or reactivates (201) the
 * provider of `r.type`. The signature over the url must be by an approved address, else 403.
 * Events record a new, changed or reactivated provider; a plain renewal (every minute) records none.
 */
export async function registerProvider(
  db: Db,
  config: UploaderConfig,
  r: Registration,
  now: Date,
): Promise<{ status: 200 | 201; provider: StorageView }> {
  const signer = await recoverMessageSigner(r.url, r.signature);
  const approved = new Set(config.approvedAddresses.map((a) => a.toLowerCase()));
  if (signer === undefined || !approved.has(signer.toLowerCase()))
    throw refused('the registration is not signed by an approved address');
  const url = r.url.replace(/\/+$/, '');
  const payment = JSON.stringify(r.payment);
  return db.transaction().execute(async (trx) => {
    const known = await uploader(trx)
      .selectFrom('uploader_providers')
      .selectAll()
      .where('type', '=', r.type)
      .forUpdate()
      .executeTakeFirst();
    const wasActive = known?.active === true && known.last_registered_at >= freshSince(now);
    const row =
      known === undefined
        ? await uploader(trx)
            .insertInto('uploader_providers')
            .values({
              type: r.type,
              description: r.description,
              url,
              payment,
              signer: checksumAddress(signer) ?? signer,
              registered_at: now,
              last_registered_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow()
        : await uploader(trx)
            .updateTable('uploader_providers')
            .set({
              description: r.description,
              url,
              payment,
              signer: checksumAddress(signer) ?? signer,
              last_registered_at: now,
              active: true,
            })
            .where('id', '=', known.id)
            .returningAll()
            .executeTakeFirstOrThrow();
    const changed =
      known !== undefined &&
      (known.description !== row.description ||
        known.url !== row.url ||
        known.signer !== row.signer ||
        JSON.stringify(known.payment) !== JSON.stringify(row.payment));
    const type = known === undefined ? 'registered' : !wasActive ? 'reactivated' : changed ? 'updated' : undefined;
    if (type !== undefined)
      await appendEvent(trx, {
        type: `uploader.provider.${type}`,
        subject_type: 'uploader_provider',
        subject_id: row.id,
        actor_id: null,
        payload: providerPayload(row),
      });
    return {
      status: wasActive ? 200 : 201,
      provider: { type: row.type, description: row.description, payment: row.payment },
    };
  });
}

/** The provider of `type` that may quote now, if any. */
export async function activeProvider(db: Db, type: string, now: Date): Promise<ProviderRow | undefined> {
  return uploader(db)
    .selectFrom('uploader_providers')
    .selectAll()
    .where('type', '=', type)
    .where('active', '=', true)
    .where('last_registered_at', '>=', freshSince(now))
    .executeTakeFirst();
}

/** Every storage that may quote now, by type. */
export async function listStorages(db: Db, now: Date): Promise<StorageView[]> {
  const rows = await uploader(db)
    .selectFrom('uploader_providers')
    .select(['type', 'description', 'payment'])
    .where('active', '=', true)
    .where('last_registered_at', '>=', freshSince(now))
    .orderBy('type')
    .execute();
  return rows.map((r) => ({ type: r.type, description: r.description, payment: r.payment }));
}

/** Marks inactive every provider whose last registration is more than 10 minutes old; answers how many. */
export async function expireProviders(db: Db, now: Date): Promise<number> {
  const expired = await uploader(db)
    .updateTable('uploader_providers')
    .set({ active: false })
    .where('active', '=', true)
    .where('last_registered_at', '<', freshSince(now))
    .returningAll()
    .execute();
  for (const p of expired)
    await appendEvent(db, {
      type: 'uploader.provider.expired',
      subject_type: 'uploader_provider',
      subject_id: p.id,
      actor_id: null,
      payload: providerPayload(p),
    });
  return expired.length;
}
