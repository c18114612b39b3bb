// The market's states in a participant's words: a session's, a bid's payment's, a payout's, a
// transaction's kind and a resource's. Records keyed by the API's own values, so a state the API
// adds fails the type check until it is worded here.
import type { Bid, Resource, SessionStatus, TransactionType } from './types';

export interface StateLabel {
  label: string;
  /** What it means for the participant, for the line under the label or its tooltip. */
  detail: string;
  /** Mantine colour of its badge. */
  color: string;
}

export const SESSION_STATES: Record<SessionStatus, StateLabel> = {
  staged: { label: 'Staged', detail: 'Opens for bids next', color: 'gray' },
  open: { label: 'Open', detail: 'Takes bids until gate closure', color: 'green' },
  closed: { label: 'Closed', detail: 'Gate closed: no more bids; the run starts next', color: 'yellow' },
  running: { label: 'Running', detail: 'Forecasts are being made and paid for', color: 'blue' },
  finished: { label: 'Finished', detail: 'Forecasts made, payments and revenues booked', color: 'dark' },
};

/** When a session entered the state it is in. */
export function sessionSince(s: {
  status: SessionStatus;
  staged_at: string;
  open_at: string | null;
  close_at: string | null;
  launch_at: string | null;
  finish_at: string | null;
}): string {
  const at = { staged: s.staged_at, open: s.open_at, closed: s.close_at, running: s.launch_at, finished: s.finish_at };
  return at[s.status] ?? s.staged_at;
}

/** What a refused payment's reason means (the codes a chain check records on the bid). */
const REFUSALS: Record<string, string> = {
  not_found: 'the chain does not know the transaction yet',
  pending: 'the transaction is not mined yet',
  unconfirmed: 'the transaction has fewer confirmations than the market waits for',
  reverted: 'the transaction reverted',
  wrong_token: 'the transaction moves no market token',
  wrong_recipient: 'the transfer is not to the market wallet',
  wrong_sender: 'the transfer is not from your registered wallet',
  too_small: 'the transfer is less than the maximum payment',
};

/** Refusals a later check may still turn into acceptance: the transfer is not (yet) mined or deep enough. */
const WAITING = new Set(['not_found', 'pending', 'unconfirmed']);

export type PaymentState = 'confirmed' | 'refused' | 'waiting' | 'checking' | 'unpaid';

/** Where a bid's payment stands: only confirmed bids take part in the run. */
export function paymentState(bid: Pick<Bid, 'confirmed' | 'tx_hash' | 'payment_refusal'>): PaymentState {
  if (bid.confirmed) return 'confirmed';
  if (bid.payment_refusal !== null) return WAITING.has(bid.payment_refusal) ? 'waiting' : 'refused';
  return bid.tx_hash !== null ? 'checking' : 'unpaid';
}

export function paymentLabel(bid: Pick<Bid, 'confirmed' | 'tx_hash' | 'payment_refusal'>): StateLabel {
  const reason = bid.payment_refusal === null ? '' : (REFUSALS[bid.payment_refusal] ?? bid.payment_refusal);
  switch (paymentState(bid)) {
    case 'confirmed':
      return { label: 'Confirmed', detail: 'Paid: the bid takes part in the run', color: 'green' };
    case 'refused':
      return { label: 'Refused', detail: `Payment refused: ${reason}`, color: 'red' };
    case 'waiting':
      return { label: 'Waiting for the chain', detail: `Checked again: ${reason}`, color: 'yellow' };
    case 'checking':
      return { label: 'Checking', detail: 'The payment is checked on the chain within a minute', color: 'blue' };
    case 'unpaid':
      return {
        label: 'Not paid',
        detail: 'Name the payment before gate closure, or the bid does not run',
        color: 'gray',
      };
  }
}

export const TRANSACTION_TYPES: Record<TransactionType, string> = {
  transfer_in: 'Paid in',
  payment: 'Paid for a forecast',
  revenue: 'Earned from data',
  transfer_out: 'Paid out',
};

export const PAYOUT_STATES: Record<'sent' | 'solid', StateLabel> = {
  sent: { label: 'Sent', detail: 'Waiting for the chain to confirm it', color: 'blue' },
  solid: { label: 'Confirmed', detail: 'The chain confirmed the transfer', color: 'green' },
};

/** What a resource is, in a line: what it is for, and where its series comes from. */
export function resourceKind(r: Pick<Resource, 'type' | 'to_forecast' | 'metering_point_id'>): string {
  const kind =
    r.type === 'features'
      ? 'Features others learn from'
      : r.to_forecast
        ? 'Measurements, forecast for you'
        : 'Measurements, shared only';
  const source = r.metering_point_id === null ? 'uploaded series' : `readings of metering point ${r.metering_point_id}`;
  return `${kind}; ${source}`;
}
