// DSBI's objects as its serializers write them, from Tally's views; and the small translations
// every list needs: whole lists (DSBI does not page), users named by UUID, `forecasts` for features.
import type { Db } from '../../platform/database.ts';
import { everyPage, type Page, type PageRequest } from '../../platform/pagination.ts';
import { type Principal, readsEverything } from '../../platform/principal.ts';
import { type BidView, type ResourceView, type SessionView, userOfUuid, uuidsOf } from '../../market/index.ts';
import { amount, dsbiTime, invalid } from './wire.ts';

/** DSBI does not page its lists: every page of a list, in one array, and past the most, a request to narrow. */
export const whole = <T>(page: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> =>
  everyPage(page, 'querystring/cursor', {
    tooMany: (max) => invalid([`The answer would hold more than ${max} items; narrow the query.`]),
  });

/**
 * The user a `?user=<uuid>` filter names: only roles that read everything (DSBI's superusers) may
 * filter by user, others see their own whatever they send. Undefined: no filter; null: no such user.
 */
export async function userFilter(
  db: Db,
  principal: Principal,
  uuid: string | undefined,
): Promise<number | undefined | null> {
  if (uuid === undefined || !readsEverything(principal)) return undefined;
  return (await userOfUuid(db, uuid)) ?? null;
}

/** The UUIDs of the users of `rows`. */
export const uuidsOfRows = (db: Db, rows: Array<{ user_id: number }>) =>
  uuidsOf(
    db,
    rows.map((r) => r.user_id),
  );

/** A user's UUID from a map uuidsOf made (every id asked for is in it). */
export const uuidIn = (uuids: Map<number, string>, userId: number): string => uuids.get(userId) ?? '';

/** DSBI calls a feature resource `forecasts`. */
export const dsbiType = (type: ResourceView['type']): 'measurements' | 'forecasts' =>
  type === 'features' ? 'forecasts' : 'measurements';
export const tallyType = (type: 'measurements' | 'forecasts'): ResourceView['type'] =>
  type === 'forecasts' ? 'features' : 'measurements';

export const sessionOut = (s: SessionView) => ({
  id: s.id,
  session_number: s.session_number,
  session_date: s.session_date,
  staged_ts: dsbiTime(s.staged_at),
  open_ts: dsbiTime(s.open_at),
  close_ts: dsbiTime(s.close_at),
  launch_ts: dsbiTime(s.launch_at),
  finish_ts: dsbiTime(s.finish_at),
  status: s.status,
  market_price: amount(s.market_price),
  b_min: amount(s.b_min),
  b_max: amount(s.b_max),
  n_price_steps: s.n_price_steps,
  delta: s.delta,
});

export const resourceOut = (r: ResourceView, uuids: Map<number, string>) => ({
  id: r.id,
  name: r.name,
  type: dsbiType(r.type),
  to_forecast: r.to_forecast,
  registered_at: dsbiTime(r.registered_at),
  user: uuidIn(uuids, r.user_id),
});

export const bidOut = (b: BidView, uuids: Map<number, string>) => ({
  id: b.id,
  tangle_msg_id: b.tx_hash,
  max_payment: amount(b.max_payment),
  bid_price: amount(b.bid_price),
  gain_func: b.gain_func,
  confirmed: b.confirmed,
  registered_at: dsbiTime(b.registered_at),
  has_forecasts: b.has_forecasts,
  user: uuidIn(uuids, b.user_id),
  resource: b.resource_id,
  market_session: b.session_id,
});
