// Clearing a community over a range of intervals and storing the result. Each interval clears at
// most once, and only forward: the community's row is locked for the whole transaction and clearing
// goes on from the end of the last cleared interval, so concurrent callers, retries and several
// instances never clear one twice. Work is done a day at a time, one transaction each, so memory
// stays flat and a long catch-up keeps what it finished if it is stopped.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { integerArray } from '../platform/array-literal.ts';
import { appendEvent } from '../ledger/index.ts';
import { pointsById, intervalEnergy, type EnergyByPoint, type EnergySeries } from '../metering/index.ts';
import { moveCertificates } from './certificates.ts';
import { clearingPosition } from './position.ts';
import { clearInterval, type IntervalClearing, type MemberEnergy } from './clearing.ts';
import { matchesDigest } from './matches-digest.ts';
import { MAX_MEMBER_WH } from './limits.ts';
import { memberPoints, membersDuring } from './members.ts';
import { community, type CommunityMemberRow, type CommunityRow } from './tables.ts';

const DAY_MS = 86_400_000;
/** Matches per INSERT: a few megabytes of array text a statement, whatever the community's size. */
const INSERT_CHUNK = 200_000;

export interface ClearOptions {
  /**
   * Stop before the first interval where an active member has no readings yet, unless the interval
   * ended more than the community's data wait before `now` (the job); a caller asking for a range
   * explicitly clears it with whatever data there is.
   */
  waitForData?: boolean;
}

/** Clears [from, to) of community `id` at `now`; returns how many intervals were cleared now. */
export async function clearRange(
  db: Db,
  id: number,
  from: Date,
  to: Date,
  now: Date,
  opts: ClearOptions = {},
): Promise<number> {
  const waitingAt = opts.waitForData ? now : undefined;
  let cleared = 0;
  for (let start = from; start < to; ) {
    const end = new Date(Math.min(to.getTime(), start.getTime() + DAY_MS));
    const { count, stopped } = await db.transaction().execute((trx) => clearChunk(trx, id, start, end, now, waitingAt));
    cleared += count;
    if (stopped) break;
    start = end;
  }
  return cleared;
}

async function clearChunk(
  trx: Db,
  id: number,
  from: Date,
  to: Date,
  now: Date,
  waitingAt: Date | undefined,
): Promise<{ count: number; stopped: boolean }> {
  const c = await community(trx)
    .selectFrom('communities')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const lengthMs = c.interval_minutes * 60_000;
  // Clearing only moves forward: nothing is cleared behind an interval already cleared, so a
  // register difference is never booked twice. A caller starting later than where clearing stands
  // leaves the intervals in between uncleared for good.
  const { last } = await clearingPosition(trx, c);
  const start = last !== undefined && last > from ? last : from;
  const count = Math.max(0, Math.round((to.getTime() - start.getTime()) / lengthMs));
  if (count === 0) return { count: 0, stopped: false };
  const members = await membersDuring(trx, id, start, to);
  const points = await pointsOf(trx, members);
  const clearFor = async (n: number) =>
    clearLoaded(
      c,
      members,
      await intervalEnergy(trx, points, { from: start, count: n, minutes: c.interval_minutes }),
      { from: start, count: n },
      waitingAt,
    );
  // Most of the job's ticks find the next interval still waiting for a reading: look at that one
  // interval before loading a day of readings.
  if (waitingAt && count > 1 && (await clearFor(1)).stopped) return { count: 0, stopped: true };
  const { intervals, stopped } = await clearFor(count);
  await store(trx, c, intervals);
  await moveCertificates(
    trx,
    c,
    intervals.map((i) => i.start),
    now,
  );
  return { count: intervals.length, stopped };
}

export interface ClearedInterval {
  start: Date;
  result: IntervalClearing;
  missing: number[];
  implausible: number[];
}

/**
 * The computation of a chunk, once members and their energy are loaded: clears each interval of
 * the grid in order. Given `waitingAt`, it stops before the first interval an active member has no
 * readings for yet, unless that interval ended more than the community's data wait before it.
 */
export function clearLoaded(
  c: CommunityRow,
  members: CommunityMemberRow[],
  energy: EnergyByPoint,
  grid: { from: Date; count: number },
  waitingAt?: Date,
): { intervals: ClearedInterval[]; stopped: boolean } {
  const lengthMs = c.interval_minutes * 60_000;
  const intervals: ClearedInterval[] = [];
  const supplies = members.map((m) => supplyOf(m, energy));
  const prices = { grid: c.grid_price, feedIn: c.feed_in_price, peer: c.peer_price };
  for (let k = 0; k < grid.count; k++) {
    const start = grid.from.getTime() + k * lengthMs;
    const { present, missing, implausible } = memberEnergy(supplies, start, start + lengthMs, k);
    if (waitingAt && missing.length > 0 && start + lengthMs + c.data_wait_minutes * 60_000 > waitingAt.getTime()) {
      return { intervals, stopped: true };
    }
    intervals.push({
      start: new Date(start),
      result: clearInterval(c.mechanism, prices, present),
      missing,
      implausible,
    });
  }
  return { intervals, stopped: false };
}

export const pointsOf = (db: Db, members: CommunityMemberRow[]) =>
  pointsById(db, [...new Set(members.flatMap(memberPoints))]);

/**
 * A member with its membership as milliseconds and its points' series, looked up once per chunk
 * rather than per interval.
 */
interface Supply {
  member: CommunityMemberRow;
  from: number;
  to: number;
  main: EnergySeries | undefined;
  exporting: EnergySeries | undefined;
}

const supplyOf = (m: CommunityMemberRow, energy: EnergyByPoint): Supply => ({
  member: m,
  from: m.valid_from.getTime(),
  to: m.valid_to?.getTime() ?? Infinity,
  main: energy.get(m.metering_point_id),
  exporting: m.export_metering_point_id === null ? undefined : energy.get(m.export_metering_point_id),
});

/**
 * Whether `wh` is energy a community member can move in one interval: a bound that keeps every
 * amount exact (limits.ts).
 */
const plausible = (wh: number) => Math.abs(wh) <= MAX_MEMBER_WH;

/**
 * The energy of each member whose membership covers the whole interval [start, end) (interval k):
 * the sum of its points, present only when every point has data, and only when it is plausible
 * (else the member is named implausible and takes no part). A membership that starts or ends
 * inside an interval (local midnight in a :30 or :45 time zone) leaves that interval out, so no two
 * communities ever share it.
 */
function memberEnergy(
  supplies: Supply[],
  start: number,
  end: number,
  k: number,
): { present: MemberEnergy[]; missing: number[]; implausible: number[] } {
  const present: MemberEnergy[] = [];
  const missing: number[] = [];
  const implausible: number[] = [];
  for (const { member: m, from, to, main: mainSeries, exporting: exportSeries } of supplies) {
    if (from > start || to < end) continue;
    const main = mainSeries?.[k];
    const exporting = exportSeries?.[k];
    if (main === undefined || (m.export_metering_point_id !== null && exporting === undefined)) {
      missing.push(m.id);
      continue;
    }
    const importWh = main.importWh + (exporting?.importWh ?? 0);
    const exportWh = main.exportWh + (exporting?.exportWh ?? 0);
    if (!plausible(importWh) || !plausible(exportWh)) {
      implausible.push(m.id);
      continue;
    }
    present.push({
      memberId: m.id,
      importWh,
      exportWh,
      gridOnly: main.gridOnly || (exporting?.gridOnly ?? false),
      shareMillionths: m.share_millionths,
    });
  }
  return { present, missing, implausible };
}

async function store(trx: Db, c: CommunityRow, intervals: ClearedInterval[]): Promise<void> {
  if (intervals.length === 0) return;
  const lengthMs = c.interval_minutes * 60_000;
  await community(trx)
    .insertInto('community_intervals')
    .values(
      intervals.map(({ start, result: r, missing, implausible }) => ({
        community_id: c.id,
        interval_start: start,
        interval_end: new Date(start.getTime() + lengthMs),
        mechanism: c.mechanism,
        grid_price: c.grid_price,
        feed_in_price: c.feed_in_price,
        peer_price: r.peerPrice,
        buy_price: r.buyPrice,
        sell_price: r.sellPrice,
        demand_wh: r.demandWh,
        supply_wh: r.supplyWh,
        peer_wh: r.peerWh,
        grid_import_wh: r.gridImportWh,
        grid_export_wh: r.gridExportWh,
        grid_only_member_ids: r.gridOnly,
        missing_member_ids: missing,
        implausible_member_ids: implausible,
      })),
    )
    .execute();

  // An interval's matches are one row of arrays (migration 0039), several intervals a statement:
  // each statement sends every match of its intervals as four flat arrays and where each interval's
  // part begins, and PostgreSQL cuts them apart. Each interval takes the next block of match ids.
  const withMatches = intervals.filter(({ result }) => result.matches.length > 0);
  for (let first = 0; first < withMatches.length; ) {
    let last = first,
      rows = 0;
    while (
      last < withMatches.length &&
      (last === first || rows + withMatches[last]!.result.matches.length <= INSERT_CHUNK)
    )
      rows += withMatches[last++]!.result.matches.length;
    const batch = withMatches.slice(first, last);
    const offsets = [0];
    for (const { result } of batch) offsets.push(offsets[offsets.length - 1]! + result.matches.length);
    const matches = batch.map(({ result }) => result.matches);
    const column = (pick: (m: IntervalClearing['matches'][number]) => number | null) => integerArray(matches, pick);
    await sql`INSERT INTO community_interval_matches
        (community_id, interval_start, first_match_id, buyer_member_ids, seller_member_ids, wh, amount_micro)
      SELECT ${c.id}, s.starts[i], nextval('community_match_blocks'), s.b[s.o[i] + 1 : s.o[i + 1]],
             s.v[s.o[i] + 1 : s.o[i + 1]], s.w[s.o[i] + 1 : s.o[i + 1]], s.a[s.o[i] + 1 : s.o[i + 1]]
      FROM (SELECT ${batch.map((x) => x.start.toISOString())}::timestamptz[] AS starts, ${offsets}::int[] AS o,
                   ${column((m) => m.buyer)}::bigint[] AS b, ${column((m) => m.seller)}::bigint[] AS v,
                   ${column((m) => m.wh)}::bigint[] AS w, ${column((m) => m.amount)}::bigint[] AS a) s,
           generate_subscripts(s.starts, 1) AS i`.execute(trx);
    first = last;
  }
  // One event per transaction, each interval summarised with a digest of its matches: a month of
  // 15-minute intervals is 30 events, not 3,000.
  await appendEvent(trx, {
    type: 'community.intervals_cleared',
    subject_type: 'community',
    subject_id: c.id,
    actor_id: null,
    payload: {
      community_id: c.id,
      mechanism: c.mechanism,
      interval_minutes: c.interval_minutes,
      intervals: intervals.map(({ start, result: r, missing, implausible }) => ({
        interval_start: start.toISOString(),
        demand_wh: r.demandWh,
        supply_wh: r.supplyWh,
        peer_wh: r.peerWh,
        grid_import_wh: r.gridImportWh,
        grid_export_wh: r.gridExportWh,
        peer_price: r.peerPrice,
        buy_price: r.buyPrice,
        sell_price: r.sellPrice,
        grid_only_member_ids: r.gridOnly,
        missing_member_ids: missing,
        implausible_member_ids: implausible,
        matches: r.matches.length,
        matches_sha256: matchesDigest(r.matches.map((m) => [m.buyer, m.seller, m.wh, m.amount])),
      })),
    },
  });
}
