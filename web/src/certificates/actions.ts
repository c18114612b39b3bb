// The actions a holder takes on selected bundles, and the request each one sends: built here from
// the selection and what the person entered, so that the confirmation can be worded from the very
// body that goes to the API.
import type { Prepared } from '../components/confirm-modal';
import { exactWh } from '../format';
import { utcInstant } from './filter';
import type { Bundle, BundleActionBody, CancelBody, ClaimBody, TransferBody } from './types';

export type ActionRequest =
  | { action: 'transfer'; body: TransferBody }
  | { action: 'cancel'; body: CancelBody }
  | { action: 'claim'; body: ClaimBody }
  | { action: 'reserve' | 'unreserve' | 'lock' | 'unlock'; body: BundleActionBody };
export type ActionName = ActionRequest['action'];

/** Each action's words: its button and its past tense. Which statuses it starts from is the API's to say. */
export const ACTIONS: Record<ActionName, { verb: string; done: string }> = {
  transfer: { verb: 'Transfer', done: 'Transferred' },
  cancel: { verb: 'Cancel', done: 'Cancelled' },
  claim: { verb: 'Claim', done: 'Claimed' },
  reserve: { verb: 'Reserve', done: 'Reserved' },
  unreserve: { verb: 'Unreserve', done: 'Unreserved' },
  lock: { verb: 'Lock', done: 'Locked' },
  unlock: { verb: 'Unlock', done: 'Unlocked' },
};
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/** What the person enters in the confirmation, as entered: blank text and unset numbers are not sent. */
export interface ActionFields {
  /** Act on this many Wh of a single selected bundle only (its lowest ids); unset for the whole. */
  wh?: number;
  targetId?: number;
  beneficiary: string;
  purpose: string;
  consumer: string;
  meteringPointId: string;
  /** datetime-local values read as UTC (filter.ts). */
  periodStart: string;
  periodEnd: string;
}

export const NO_FIELDS: ActionFields = {
  beneficiary: '',
  purpose: '',
  consumer: '',
  meteringPointId: '',
  periodStart: '',
  periodEnd: '',
};

const text = (value: string) => value.trim() || undefined;

/**
 * The request for `action` on `bundles` of account `sourceId`. Only what a confirmation cannot
 * word is checked here (a quantity beyond the bundle, half a period); every other rule is the
 * API's, which refuses in its own words.
 */
export function prepare(
  action: ActionName,
  sourceId: number,
  bundles: Bundle[],
  fields: ActionFields,
): Prepared<ActionRequest> {
  if (bundles.length === 0) return { ok: false, missing: 'Select bundles first.' };
  const common: BundleActionBody = { source_id: sourceId, granular_certificate_bundle_ids: bundles.map((b) => b.id) };
  const only = bundles.length === 1 ? bundles[0] : undefined;
  if (only && fields.wh !== undefined) {
    if (fields.wh > only.bundle_quantity)
      return { ok: false, missing: `Bundle ${only.id} holds ${exactWh(only.bundle_quantity)}: enter at most that.` };
    // All of it is the whole bundle: sent without a quantity, so nothing is split.
    if (fields.wh < only.bundle_quantity) common.certificate_quantity = fields.wh;
  }
  switch (action) {
    case 'transfer':
      if (fields.targetId === undefined) return { ok: false, missing: 'Enter the account to transfer to.' };
      return { ok: true, request: { action, body: { ...common, target_id: fields.targetId } } };
    case 'cancel': {
      const beneficiary = text(fields.beneficiary);
      if (!beneficiary) return { ok: false, missing: 'Enter the beneficiary the energy is retired for.' };
      const purpose = text(fields.purpose);
      return { ok: true, request: { action, body: { ...common, beneficiary, ...(purpose && { purpose }) } } };
    }
    case 'claim': {
      const consumer = text(fields.consumer);
      const point = text(fields.meteringPointId);
      if (!consumer && !point)
        return { ok: false, missing: 'Enter the consumer, the consumption metering point, or both.' };
      const start = utcInstant(fields.periodStart);
      const end = utcInstant(fields.periodEnd);
      if ((start === undefined) !== (end === undefined))
        return { ok: false, missing: 'Enter both ends of the consumption period, or neither.' };
      const body: ClaimBody = { ...common };
      if (consumer) body.consumer = consumer;
      if (point) body.metering_point_id = point;
      if (start && end) Object.assign(body, { period_start: start, period_end: end });
      return { ok: true, request: { action, body } };
    }
    default:
      return { ok: true, request: { action, body: common } };
  }
}
