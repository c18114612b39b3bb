// The mutable part of a bundle: its holder's reference, changed in place. A bundle's account and
// status change only by the actions (transfer, cancel, …), which record them as such; everything
// else about it is what was issued. Each change is one event with the full rows it changed, so
// the log still rebuilds the bundles.
import { actionableAccount } from '../accounts/index.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import { unprocessable } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import { lockHeldBundles } from './actions.ts';
import { bundleView } from './bundles.ts';
import type { MutablesRequest, MutablesResult } from './schemas.ts';
import { chooseBundles, type Selection } from './selection.ts';
import { registry, STATUSES } from './tables.ts';

/**
 * Sets the reference on the listed bundles of the account, locked in id order; unchanged ones are
 * left alone. Answers the bundles in the order listed.
 */
async function update(trx: Db, actorId: number, r: MutablesRequest, now: Date): Promise<MutablesResult> {
  const listed = [...new Set(r.granular_certificate_bundle_ids)];
  const byId = await lockHeldBundles(trx, listed, r.source_id);
  const rows = [...byId.values()];
  const changing = rows.filter((b) => b.holder_reference !== r.holder_reference).map((b) => b.id);
  const answer = (actionId: number | null) => ({
    action_id: actionId,
    source_id: r.source_id,
    bundles: listed.map((id) => bundleView(byId.get(id)!)),
  });
  if (changing.length === 0) return answer(null);
  const changed = await registry(trx)
    .updateTable('bundles')
    .set({ holder_reference: r.holder_reference, updated_at: now })
    .where('id', 'in', changing)
    .returningAll()
    .execute();
  for (const b of changed) byId.set(b.id, b);
  const actionId = await appendEvent(trx, {
    type: 'certificates.mutables_updated',
    subject_type: 'account',
    subject_id: r.source_id,
    account_ids: [r.source_id],
    actor_id: actorId,
    payload: { holder_reference: r.holder_reference, bundles: changed.map(bundleView) },
  });
  return answer(actionId);
}

/** Changes the holder's reference of listed bundles; the account's holders may. */
export async function updateMutables(
  db: Db,
  principal: Principal,
  r: MutablesRequest,
  now: Date,
): Promise<MutablesResult> {
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, r.source_id);
    return update(trx, principal.userId, r, now);
  });
}

/**
 * Changes the holder's reference of the bundles a selection matches, in any status. A reference
 * belongs to a whole bundle: a quantity that would end inside one is refused rather than split it.
 */
export async function updateMutablesOfSelection(
  db: Db,
  principal: Principal,
  selection: Selection,
  holderReference: string | null,
  now: Date,
): Promise<MutablesResult> {
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, selection.source_id);
    const chosen = await chooseBundles(trx, STATUSES, selection);
    if (chosen.quantity !== undefined && chosen.quantity !== chosen.held)
      throw unprocessable(
        'whole_bundles_only',
        `the selection's first bundles hold ${chosen.held} Wh, not ${chosen.quantity}: a reference is set on whole bundles`,
        'body/certificate_quantity',
      );
    return update(
      trx,
      principal.userId,
      {
        source_id: selection.source_id,
        granular_certificate_bundle_ids: chosen.ids,
        holder_reference: holderReference,
      },
      now,
    );
  });
}
