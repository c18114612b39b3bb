// An hour's issuance state, and why a metered hour waits, in a producer's words. A Record, so a reason the API adds fails the
// type check until it is worded here.
import { exactWh, idList } from '../format';
import type { Hour } from './hours';
import type { PendingReason } from './types';

export const REASONS: Record<PendingReason, string> = {
  ready: 'Ready: the next issuance run issues it',
  account_closed: 'The account is closed and takes no certificates',
  issued_under_another_device: 'Already issued under another device: never issued twice',
  hour_not_over: 'The hour is not over yet',
  incomplete_hour: 'The readings do not cover the whole hour',
  nothing_to_issue: 'Less than 1 Wh: nothing to issue',
  over_capacity: "More than the device's capacity allows (capacity × 1 h × 1.1)",
  issuance_metadata_missing: 'The device has no issuance metadata yet',
  auto_issue_off: 'Automatic issuance is off for this device',
};

/** An hour's issuance state as the table writes it: a short label and what it means for this hour. */
export function hourState(h: Hour): { label: string; detail: string } {
  const bundles = (ids: number[]) => `${ids.length === 1 ? 'bundle' : 'bundles'} ${idList(ids)}`;
  switch (h.kind) {
    case 'issued':
      return {
        label: 'Issued',
        detail: [
          h.issuedWh > 0 ? exactWh(h.issuedWh) : undefined,
          bundles(h.bundleIds),
          h.elsewhere ? 'some held by other accounts' : undefined,
        ]
          .filter(Boolean)
          .join(' · '),
      };
    case 'pending':
      return { label: 'Pending', detail: h.reason ? REASONS[h.reason] : '' };
    case 'withdrawn':
      return { label: 'Withdrawn', detail: `${bundles(h.withdrawnIds)} withdrawn by the issuing body` };
    case 'none':
      return { label: 'Not issued', detail: '' };
  }
}
