// Whether a mined transaction paid what a caller expects. The verdict on one receipt is kept apart
// from how the receipt is fetched, so the order of the checks reads in one place.
import { erc20Abi, type Log, parseEventLogs } from 'viem';
import type { Address } from './addresses.ts';

export type TransferCheck =
  | { ok: true; amount: bigint; blockNumber: bigint }
  | {
      ok: false;
      reason:
        | 'not_found'
        | 'pending'
        | 'reverted'
        | 'unconfirmed'
        | 'wrong_token'
        | 'wrong_recipient'
        | 'wrong_sender'
        | 'too_small';
    };

type TransferRefusal = Extract<TransferCheck, { ok: false }>['reason'];

export const refused = (reason: TransferRefusal): TransferCheck => ({ ok: false, reason });

/** The fields of a receipt the verdict reads. */
export interface MinedReceipt {
  status: 'success' | 'reverted';
  blockNumber: bigint;
  logs: Log[];
}

export interface ExpectedTransfer {
  token: Address;
  from: Address;
  to: Address;
  minAmount: bigint;
  confirmations: number;
}

/**
 * How many blocks confirm a transaction included at `blockNumber` when the chain's head is `head`:
 * the including block counts as the first (as viem and ethers count). A node behind the one that
 * gave the receipt (a load-balanced endpoint) may report a lower head: that is 0, never negative.
 */
export function confirmationsAt(blockNumber: bigint, head: bigint): number {
  const count = head - blockNumber + 1n;
  return count > 0n ? Number(count) : 0;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The verdict on a mined transaction, in this order:
 * 1. unconfirmed — first, because until the block is deep enough a reorganisation may drop the
 *    transaction or re-include it with another outcome; so every other refusal is final, and the
 *    caller may record it, while 'unconfirmed' (like 'pending' and 'not_found') means ask again.
 * 2. reverted — a reverted transaction moved nothing (and kept no logs).
 * 3. wrong_token — no ERC-20 Transfer emitted by the expected token contract. A log of the same
 *    shape from any other contract counts for nothing: anyone can deploy a contract that emits it.
 * 4. wrong_recipient — the token moved, but not to `to`.
 * 5. wrong_sender — tokens reached `to`, but none from `from` (the Transfer's own `from`: the holder
 *    whose tokens moved, who need not be the transaction's signer under transferFrom).
 * 6. too_small — the transfers from `from` to `to` (all of them: one transaction may hold several)
 *    add up to less than `minAmount`.
 */
export function judgeReceipt(receipt: MinedReceipt, head: bigint, expected: ExpectedTransfer): TransferCheck {
  if (confirmationsAt(receipt.blockNumber, head) < expected.confirmations) return refused('unconfirmed');
  if (receipt.status === 'reverted') return refused('reverted');
  const transfers = parseEventLogs({
    abi: erc20Abi,
    eventName: 'Transfer',
    logs: receipt.logs.filter((log) => same(log.address, expected.token)),
  });
  if (transfers.length === 0) return refused('wrong_token');
  const received = transfers.filter((t) => same(t.args.to, expected.to));
  if (received.length === 0) return refused('wrong_recipient');
  const paid = received.filter((t) => same(t.args.from, expected.from));
  if (paid.length === 0) return refused('wrong_sender');
  const amount = paid.reduce((sum, t) => sum + t.args.value, 0n);
  if (amount < expected.minAmount) return refused('too_small');
  return { ok: true, amount, blockNumber: receipt.blockNumber };
}
