// Moving a device's certificates for an hour to a consumer and claiming them there in one go: what
// an energy community does with the Wh its members traded. Runs inside the caller's transaction.
import type { Db } from '../platform/database.ts';
import { actOn } from './actions.ts';
import { registry } from './tables.ts';

export interface MatchedMove {
  deviceId: number;
  fromAccount: number;
  toAccount: number;
  /** The hour the Wh were produced and consumed in. */
  start: Date;
  end: Date;
  wh: number;
  beneficiary: string;
  purpose: string;
  /** The consumer's metering point the certificates are claimed against. */
  meteringPointId: string;
}

/**
 * Transfers up to `wh` of the device's active certificates for the hour from one account to the
 * other (taking the oldest bundles first), cancels them for the beneficiary and claims them for the
 * consumer's metering point over the hour. Returns the Wh moved: less than asked when fewer
 * certificates are held, none when the hour is not issued yet.
 */
export async function moveAndClaim(
  trx: Db,
  actorId: number | null,
  now: Date,
  m: MatchedMove,
): Promise<{ wh: number; bundle_ids: number[] }> {
  const held = await registry(trx)
    .selectFrom('bundles')
    .select(['id', 'bundle_quantity'])
    .where('device_id', '=', m.deviceId)
    .where('account_id', '=', m.fromAccount)
    .where('certificate_bundle_status', '=', 'active')
    .where('production_starting_interval', '>=', m.start)
    .where('production_ending_interval', '<=', m.end)
    .orderBy('id')
    .execute();
  const available = held.reduce((a, b) => a + b.bundle_quantity, 0);
  const wh = Math.min(available, m.wh);
  if (wh === 0) return { wh: 0, bundle_ids: [] };
  const ids = held.map((b) => b.id);
  let moved = ids;
  let account = m.fromAccount;
  if (m.toAccount !== m.fromAccount) {
    const transfer = await actOn(
      trx,
      actorId,
      'transfer',
      {
        source_id: m.fromAccount,
        target_id: m.toAccount,
        granular_certificate_bundle_ids: ids,
        certificate_quantity: wh,
      },
      now,
    );
    moved = transfer.bundles.map((b) => b.id);
    account = m.toAccount;
  }
  const cancel = await actOn(
    trx,
    actorId,
    'cancel',
    {
      source_id: account,
      granular_certificate_bundle_ids: moved,
      certificate_quantity: wh,
      beneficiary: m.beneficiary,
      purpose: m.purpose,
    },
    now,
  );
  const claimIds = cancel.bundles.map((b) => b.id);
  await actOn(
    trx,
    actorId,
    'claim',
    {
      source_id: account,
      granular_certificate_bundle_ids: claimIds,
      metering_point_id: m.meteringPointId,
      period_start: m.start.toISOString(),
      period_end: m.end.toISOString(),
    },
    now,
  );
  return { wh, bundle_ids: claimIds };
}
