// The words of a confirmation, from the request that will be sent: the bundle ids, the exact Wh,
// the certificate ids a split moves and keeps, the target account or the beneficiary. And the
// words of what the API answered it did.
import { exactWh, idList, utc } from '../format';
import { ACTIONS, type ActionName, type ActionRequest } from './actions';
import type { ActionResult, Bundle, Holder } from './types';
import { bundlesWh } from './wh';

const ids = (start: number, end: number) => `certificates ${start}–${end}`;

/**
 * What the request acts on, and, for a part of one bundle, the sentence on what that bundle keeps.
 * A quantity splits the bundle: the acted-on part takes the lowest ids as a new bundle, the bundle
 * keeps its id and the rest (the registry's split rule).
 */
function subject(bundles: Bundle[], quantity: number | undefined): { what: string; keeps?: string } {
  const [only] = bundles;
  if (bundles.length !== 1 || !only)
    return {
      what: `${exactWh(bundlesWh(bundles))} in ${bundles.length} bundles (${idList(bundles.map((b) => b.id))})`,
    };
  const start = only.certificate_bundle_id_range_start;
  const end = only.certificate_bundle_id_range_end;
  if (quantity === undefined || quantity >= only.bundle_quantity)
    return { what: `bundle ${only.id} (${exactWh(only.bundle_quantity)}, ${ids(start, end)})` };
  return {
    what: `${exactWh(quantity)} of bundle ${only.id} (${ids(start, start + quantity - 1)}, split off as a new bundle)`,
    keeps:
      `Bundle ${only.id} keeps the other ${exactWh(only.bundle_quantity - quantity)} ` +
      `(${ids(start + quantity, end)}) in account ${only.account_id}, unchanged.`,
  };
}

/** The confirmation's sentences: what will happen, then what it means. */
export function confirmation(request: ActionRequest, bundles: Bundle[], holder: Holder): string[] {
  const { what, keeps } = subject(bundles, request.body.certificate_quantity);
  const account = `account ${holder.id} (${holder.name})`;
  const lines = (main: string, meaning?: string) => [main, ...(keeps ? [keeps] : []), ...(meaning ? [meaning] : [])];
  switch (request.action) {
    case 'transfer': {
      const { target_id: target, source_id: source } = request.body;
      return lines(
        `Transfer ${what} from ${account} to account ${target}.`,
        `Account ${target} must have whitelisted account ${source}, or the registry refuses the transfer.`,
      );
    }
    case 'cancel': {
      const { beneficiary, purpose } = request.body;
      return lines(
        `Cancel ${what} in ${account} for the beneficiary “${beneficiary}”${purpose ? `, purpose “${purpose}”` : ''}.`,
        'Cancelled certificates are retired: they can be claimed, never transferred or made active again.',
      );
    }
    case 'claim': {
      const { consumer, metering_point_id: point, period_start: start, period_end: end } = request.body;
      const whom = [consumer && `the consumer “${consumer}”`, point && `consumption metering point ${point}`]
        .filter(Boolean)
        .join(' at ');
      const period = start && end ? `, consumption from ${utc(start)} to ${utc(end)}` : '';
      return lines(`Claim ${what} in ${account} for ${whom}${period}.`, 'A claim is final.');
    }
    case 'reserve':
      return lines(
        `Reserve ${what} in ${account}.`,
        'Reserved certificates can still be cancelled, not transferred, until they are unreserved.',
      );
    case 'lock':
      return lines(`Lock ${what} in ${account}.`, 'Locked certificates take no action until they are unlocked.');
    case 'unreserve':
    case 'unlock':
      return lines(
        `${request.action === 'unlock' ? 'Unlock' : 'Unreserve'} ${what} in ${account}: they become active again.`,
      );
  }
}

/** What the API says `action` did, in a sentence or a few. */
export function doneText(action: ActionName, result: ActionResult): string {
  const acted = result.bundles.map((b) => b.id);
  const to = result.target_id === null ? '' : ` to account ${result.target_id}`;
  const kept = result.remainders.map((b) => `Bundle ${b.id} keeps ${exactWh(b.bundle_quantity)}.`);
  const statement = result.statement_id === null ? [] : [`Cancellation statement ${result.statement_id}.`];
  return [
    `${ACTIONS[action].done} ${exactWh(result.certificate_quantity)} ` +
      `(bundle${acted.length === 1 ? '' : 's'} ${idList(acted)})${to}.`,
    ...kept,
    ...statement,
    `Ledger event ${result.action_id}.`,
  ].join(' ');
}
