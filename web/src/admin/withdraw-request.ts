// A withdrawal, the issuing body's correction: the request for the selected bundles of one account,
// the words of its confirmation (from that request), and of what the API answered it did.
import type { Prepared } from '../components/confirm-modal';
import type { ActionResult, Bundle, BundleActionBody, Holder, Status } from '../certificates/types';
import { bundlesWh } from '../certificates/wh';
import { exactWh, idList, utcInterval } from '../format';

/** The statuses a bundle can be withdrawn from: the live ones, not the final ones. */
export const WITHDRAWABLE: Status[] = ['active', 'reserved', 'locked'];

export function prepareWithdraw(holderId: number, bundles: readonly Bundle[]): Prepared<BundleActionBody> {
  if (bundles.length === 0) return { ok: false, missing: 'Select the bundles to withdraw first.' };
  return { ok: true, request: { source_id: holderId, granular_certificate_bundle_ids: bundles.map((b) => b.id) } };
}

/** The confirmation's sentences: the bundles (ids, Wh, certificate ids, hour and device of a single one), the account, what it means. */
export function withdrawWords(request: BundleActionBody, bundles: readonly Bundle[], holder: Holder): string[] {
  const chosen = bundles.filter((b) => request.granular_certificate_bundle_ids.includes(b.id));
  const [only] = chosen;
  const what =
    chosen.length === 1 && only
      ? `bundle ${only.id} (${exactWh(only.bundle_quantity)}, certificates ` +
        `${only.certificate_bundle_id_range_start}–${only.certificate_bundle_id_range_end}, produced ` +
        `${utcInterval(only.production_starting_interval, only.production_ending_interval)} by device ${only.device_id})`
      : `${exactWh(bundlesWh(chosen))} in ${chosen.length} bundles (${idList(chosen.map((b) => b.id))})`;
  return [
    `Withdraw ${what} from account ${holder.id} (${holder.name}).`,
    'Withdrawn certificates count for nothing: they can no longer be transferred, cancelled or claimed. ' +
      'Each withdrawn bundle can be re-issued once, by a re-issue that links to it.',
  ];
}

/** What the API answered the withdrawal did. */
export function withdrawnText(result: ActionResult): string {
  const ids = result.bundles.map((b) => b.id);
  return (
    `Withdrew ${exactWh(result.certificate_quantity)} (bundle${ids.length === 1 ? '' : 's'} ${idList(ids)}) ` +
    `from account ${result.source_id}. Ledger event ${result.action_id}.`
  );
}
