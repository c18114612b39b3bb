// When clearing happens: a periodic job catches every community up to the last closed interval,
// and a manager (or `tally community clear`) may clear a closed range on demand.
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import type { Job, JobOutcome } from '../platform/jobs.ts';
import { eachUnitCommitted } from '../platform/units.ts';
import { notFound, unprocessable } from '../platform/errors.ts';
import { clearRange } from './clear.ts';
import { clearingPosition } from './position.ts';
import { managedCommunity } from './communities.ts';
import { checkOnGrid } from './period.ts';
import { community } from './tables.ts';
import type { Cleared } from './schemas.ts';

/** Start of the interval `now` falls in: everything before it is closed. */
const closedUntil = (now: Date, minutes: number) =>
  new Date(Math.floor(now.getTime() / (minutes * 60_000)) * minutes * 60_000);

/** Clears [from, to) of a community its manager asks for; `principal` null is the operator's CLI. */
export async function clearOnDemand(
  db: Db,
  principal: Principal | null,
  id: number,
  from: Date,
  to: Date,
  now: Date,
): Promise<Static<typeof Cleared>> {
  const c =
    principal === null
      ? await community(db).selectFrom('communities').selectAll().where('id', '=', id).executeTakeFirst()
      : await managedCommunity(db, principal, id);
  if (!c) throw notFound('community', id);
  checkOnGrid(from, to, c.interval_minutes, 'body');
  if (to > closedUntil(now, c.interval_minutes))
    throw unprocessable('interval_not_closed', `${to.toISOString()} is after the last closed interval`, 'body/to');
  return { intervals_cleared: await clearRange(db, id, from, to, now) };
}

/**
 * Catches every community up: each from its last cleared interval to the last closed one, waiting
 * for late readings as the community says. A community that fails is skipped and reported, so no
 * community's data can stop another's clearing; what it cleared before failing stays cleared.
 */
export async function clearAllCommunities(db: Db, now: Date): Promise<JobOutcome> {
  let count = 0;
  const communities = await community(db).selectFrom('communities').selectAll().orderBy('id').execute();
  const failed = await eachUnitCommitted(
    communities,
    (c) => `community ${c.id}`,
    async (c) => {
      const { next } = await clearingPosition(db, c);
      const to = closedUntil(now, c.interval_minutes);
      if (next && next < to) count += await clearRange(db, c.id, next, to, now, { waitForData: true });
    },
  );
  return { count, failed };
}

/** Runs under a lease, not inside one transaction: a long catch-up commits day by day. */
export const COMMUNITY_CLEARING_JOB: Job = {
  name: 'community-clearing',
  leaseMs: 15 * 60_000,
  run: clearAllCommunities,
};
