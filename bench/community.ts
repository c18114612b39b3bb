// Community clearing: one day of 15-minute intervals for a renewable-energy community of N
// members, through `clearRange` (the function behind `POST /api/communities/{id}/clear` and the
// clearing job), split into loading the metered energy, the clearing computation and storing.
//
// Setup, not timed: metering points and members are COPYed (the first member of each community
// goes through `addMember`; the others copy its columns), a day of synthetic readings is COPYed.
// Timed, in each of a few rounds per size (medians reported):
//   1. baseline for loading: one SELECT aggregating the same readings in the database;
//   2. `clearRange` for the whole day;
//   3. the split: the read-only part of clearRange as it does it (members, their points,
//      `intervalEnergy`), then the pure computation (`clearInterval` over the 96 intervals); its
//      matches must equal what clearRange stored;
//   4. baseline for storing: one COPY of the same match rows into a table of a row per match, as
//      Tally stored them until migration 0039.
// Storing is the total minus loading and computing. Between rounds the day's intervals and
// matches are deleted from both tables and VACUUMed (not timed), so the same day clears again.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../src/platform/database.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Principal } from '../src/identity/principal.ts';
import { createUser } from '../src/identity/users.ts';
import { createAccount } from '../src/accounts/index.ts';
import type { PointType } from '../src/metering/tables.ts';
import { intervalEnergy, type EnergyByPoint } from '../src/metering/interval-energy.ts';
import { localMidnight } from '../src/platform/time-zone.ts';
import { clearLoaded, clearRange, pointsOf, type ClearedInterval } from '../src/community/clear.ts';
import { createCommunity } from '../src/community/communities.ts';
import { addMember, membersDuring } from '../src/community/members.ts';
import { community, type CommunityMemberRow, type CommunityRow } from '../src/community/tables.ts';
import type { BenchTarget } from './target.ts';
import { fmt, timed, type ReportRow } from './measure.ts';
import { PASSWORD } from './world.ts';

const TIME_ZONE = 'Europe/Copenhagen';
/** A past summer Monday without a clock change: 96 quarter hours, sun from 04:25 to 21:55 local. */
const DAY = '2026-06-15';
const NEXT_DAY = '2026-06-16';
const UTC_OFFSET_H = 2;
const QUARTERS = 96;
const QUARTER_MS = 900_000;
/** Rows per COPY statement, so a few million rows never sit in one string. */
const COPY_SLICE = 250_000;
const READING_COLUMNS = ['metering_point_id', 'interval_start', 'interval_end', 'wh', 'quality', 'source'] as const;
const MATCH_COLUMNS = [
  'community_id',
  'interval_start',
  'buyer_member_id',
  'seller_member_id',
  'wh',
  'price',
  'amount_micro',
] as const;
const MEMBER_COLUMNS = ['community_id', 'name', 'metering_point_id', 'export_metering_point_id', 'valid_from'] as const;
/** The community issue's target: a whole day of clearing computation for 10,000 members in under a second. */
const TARGET_MS = 1_000;
/** Issue 15's goal for the whole of `clearRange` (loading, computing and storing) for that day. */
const TOTAL_TARGET_MS = 5_000;
/** Linear growth: per-member time at the large size at most this much above the small size. */
const LINEAR_TOLERANCE = 1.3;

// ---------------------------------------------------------------------------------------------
// Synthetic members and their day of readings (deterministic).

/** mulberry32: a small deterministic PRNG, so every run clears the same community. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Kind = 'household' | 'prosumer' | 'solar' | 'wind';

interface SyntheticMember {
  name: string;
  kind: Kind;
  /** Consumption point (households, prosumers) or production point (solar parks, wind turbines). */
  point: string;
  /** Prosumers' export (production) point. */
  exportPoint: string | null;
  /** Wh per quarter hour on `point` and on `exportPoint`. */
  main: number[];
  exported: number[] | null;
}

/** Local hour at the middle of quarter k. */
const localHour = (k: number) => ((k + 0.5) / 4 + UTC_OFFSET_H) % 24;

/** Weather the whole town shares: cloud cover (0..1 of clear sky) and wind speed (m/s), as random walks. */
function weather(rand: () => number): { clear: number[]; wind: number[] } {
  const clear: number[] = [];
  const wind: number[] = [];
  let c = 0.8,
    w = 7;
  for (let k = 0; k < QUARTERS; k++) {
    c = Math.min(1, Math.max(0.25, c + (rand() - 0.5) * 0.16));
    w = Math.min(18, Math.max(1, w + (rand() - 0.5) * 1.6));
    clear.push(c);
    wind.push(w);
  }
  return { clear, wind };
}

/** Clear-sky output of 1 kWp fixed panels at local hour h, in kW: a bell between sunrise and sunset. */
function solarKw(h: number): number {
  const rise = 4.4,
    set = 21.9;
  if (h <= rise || h >= set) return 0;
  return 0.78 * Math.sin((Math.PI * (h - rise)) / (set - rise)) ** 1.6;
}

/**
 * A household's demand in W at local hour h: base load, a morning and a larger evening peak, noise
 * and the odd kettle.
 */
function householdW(h: number, scale: number, rand: () => number): number {
  const bump = (centre: number, width: number, height: number) => height * Math.exp(-(((h - centre) / width) ** 2));
  const profile = 180 + bump(7.5, 1.2, 550) + bump(12.5, 1.8, 180) + bump(19, 2.0, 1_050) - bump(3.5, 2.5, 60);
  const spike = rand() < 0.06 ? 1_000 + rand() * 1_500 : 0;
  return Math.max(40, scale * profile * (0.7 + 0.6 * rand()) + spike);
}

/** A wind turbine's output as a share of rated power at wind speed v: cut-in 3 m/s, rated at 12. */
const windShare = (v: number) => (v < 3 ? 0 : v >= 12 ? 1 : ((v - 3) / 9) ** 3);

const wh = (watts: number) => Math.max(0, Math.round(watts / 4));

/**
 * N members: about 70 % households, 25 % prosumers (rooftop solar 3–10 kWp behind a consumption
 * and an export point), 4 % solar parks (20–150 kWp) and 1 % small wind turbines (50–300 kW).
 */
function syntheticMembers(n: number, tag: string): SyntheticMember[] {
  const rand = prng(20260615);
  const { clear, wind } = weather(rand);
  const members: SyntheticMember[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const kind: Kind = r < 0.7 ? 'household' : r < 0.95 ? 'prosumer' : r < 0.99 ? 'solar' : 'wind';
    const id = `${tag}-${String(i).padStart(6, '0')}`;
    if (kind === 'household' || kind === 'prosumer') {
      const scale = 0.6 + rand() * 0.9;
      const load = Array.from({ length: QUARTERS }, (_, k) => householdW(localHour(k), scale, rand));
      if (kind === 'household') {
        members.push({
          name: `Household ${i}`,
          kind,
          point: `${id}-C`,
          exportPoint: null,
          main: load.map(wh),
          exported: null,
        });
        continue;
      }
      const kwp = 3 + rand() * 7,
        aspect = 0.75 + rand() * 0.25;
      const pv = load.map((_, k) => 1_000 * kwp * aspect * solarKw(localHour(k)) * clear[k]! * (0.95 + 0.1 * rand()));
      members.push({
        name: `Prosumer ${i}`,
        kind,
        point: `${id}-C`,
        exportPoint: `${id}-E`,
        main: load.map((w, k) => wh(w - pv[k]!)),
        exported: load.map((w, k) => wh(pv[k]! - w)),
      });
    } else if (kind === 'solar') {
      const kwp = 20 + rand() * 130;
      const out = Array.from(
        { length: QUARTERS },
        (_, k) => 1_000 * kwp * 0.85 * solarKw(localHour(k)) * clear[k]! * (0.97 + 0.06 * rand()),
      );
      members.push({
        name: `Solar park ${i}`,
        kind,
        point: `${id}-P`,
        exportPoint: null,
        main: out.map(wh),
        exported: null,
      });
    } else {
      const kw = 50 + rand() * 250,
        site = 0.8 + rand() * 0.4;
      const out = Array.from(
        { length: QUARTERS },
        (_, k) => 1_000 * kw * windShare(wind[k]! * site) * (0.9 + 0.2 * rand()),
      );
      members.push({
        name: `Wind turbine ${i}`,
        kind,
        point: `${id}-P`,
        exportPoint: null,
        main: out.map(wh),
        exported: null,
      });
    }
  }
  return members;
}

/** COPYs CSV lines in slices. */
async function copyLines(
  target: BenchTarget,
  table: string,
  columns: readonly string[],
  lines: Iterable<string>,
): Promise<number> {
  let slice: string[] = [];
  let rows = 0;
  for (const line of lines) {
    slice.push(line);
    if (slice.length === COPY_SLICE) {
      await target.database.copyCsv(table, columns, `${slice.join('\n')}\n`);
      rows += slice.length;
      slice = [];
    }
  }
  if (slice.length) await target.database.copyCsv(table, columns, `${slice.join('\n')}\n`);
  return rows + slice.length;
}

// ---------------------------------------------------------------------------------------------
// Setup: the manager, an account for every point, a community per size.

interface Setup {
  manager: Principal;
  accountId: number;
}

async function setup(db: Db): Promise<Setup> {
  const { user } = await createUser(
    db,
    {
      email: 'community-manager@bench.tally.example',
      password: PASSWORD,
      name: 'Bench community manager',
      role: 'trader',
      verifiedAt: systemClock.now(),
    },
    null,
  );
  const manager: Principal = { userId: user.id, role: user.role, email: user.email };
  const accountId = (await createAccount(db, manager, { account_name: 'Bench community' })).id;
  // The COPY baseline's table: the matches a row each, as migration 0012 created community_matches
  // (same columns, defaults, checks and indexes) and Tally stored them until migration 0039.
  for (const statement of matchRowsTable()) await sql.raw(statement).execute(db);
  return { manager, accountId };
}

/** Migration 0012's `community_matches` and its index, under the baseline's name: two statements. */
function matchRowsTable(): string[] {
  const migration = readFileSync(new URL('../src/community/migrations/0012_communities.sql', import.meta.url), 'utf8');
  const table = /CREATE TABLE community_matches \([\s\S]*?\n\);/.exec(migration)?.[0];
  const index = /CREATE INDEX community_matches_interval [^;]*;/.exec(migration)?.[0];
  if (!table || !index) throw new Error('community: migration 0012 no longer creates community_matches as expected');
  return [table, index].map((statement) => statement.replaceAll('community_matches', 'bench_community_matches'));
}

interface BuiltCommunity {
  id: number;
  members: SyntheticMember[];
  points: string[];
  readings: number;
  from: Date;
  to: Date;
}

async function buildCommunity(target: BenchTarget, s: Setup, n: number): Promise<BuiltCommunity> {
  const db = target.database.kysely;
  const tag = `CB${n}`;
  const members = syntheticMembers(n, tag);
  const from = localMidnight(DAY, TIME_ZONE),
    to = localMidnight(NEXT_DAY, TIME_ZONE);
  if (Math.round((to.getTime() - from.getTime()) / QUARTER_MS) !== QUARTERS)
    throw new Error(`community: ${DAY} is not ${QUARTERS} quarter hours long in ${TIME_ZONE}`);

  const points: Array<[string, PointType]> = members.flatMap((m) => {
    const main: [string, PointType] = [m.point, m.kind === 'solar' || m.kind === 'wind' ? 'production' : 'consumption'];
    return m.exportPoint ? [main, [m.exportPoint, 'production'] as [string, PointType]] : [main];
  });
  await copyLines(
    target,
    'metering_points',
    ['id', 'type', 'account_id', 'time_zone'],
    points.map(([id, type]) => `${id},${type},${s.accountId},${TIME_ZONE}`),
  );

  const bounds = Array.from({ length: QUARTERS + 1 }, (_, k) =>
    new Date(from.getTime() + k * QUARTER_MS).toISOString(),
  );
  function* readingLines(): Generator<string> {
    for (const m of members) {
      for (let k = 0; k < QUARTERS; k++) yield `${m.point},${bounds[k]},${bounds[k + 1]},${m.main[k]},measured,bench`;
      if (m.exportPoint)
        for (let k = 0; k < QUARTERS; k++)
          yield `${m.exportPoint},${bounds[k]},${bounds[k + 1]},${m.exported![k]},measured,bench`;
    }
  }
  const readings = await copyLines(target, 'readings', READING_COLUMNS, readingLines());

  const c = await createCommunity(db, s.manager, {
    name: `Bench community of ${fmt(n)}`,
    interval_minutes: 15,
    time_zone: TIME_ZONE,
    mechanism: 'mmr',
    grid_price: 0.3,
    feed_in_price: 0.06,
    currency: 'EUR',
    move_certificates: false,
  });
  // The first member through the module (checks, locks, overlap refusal, event); the rest COPYed
  // with the same columns and the same valid_from that addMember stored for it.
  const first = members[0]!;
  const added = await addMember(
    db,
    s.manager,
    c.id,
    {
      metering_point_id: first.point,
      export_metering_point_id: first.exportPoint ?? undefined,
      name: first.name,
      valid_from: '2026-06-01',
    },
    systemClock.now(),
  );
  const stored = await community(db)
    .selectFrom('community_members')
    .selectAll()
    .where('id', '=', added.id)
    .executeTakeFirstOrThrow();
  if (stored.valid_to !== null || stored.share_millionths !== null)
    throw new Error('community: addMember stored an unexpected row');
  const validFrom = stored.valid_from.toISOString();
  await copyLines(
    target,
    'community_members',
    MEMBER_COLUMNS,
    members.slice(1).map((m) => `${c.id},${m.name},${m.point},${m.exportPoint ?? ''},${validFrom}`),
  );
  // What autovacuum would have done by the time a clearing job runs.
  await target.database.exec('VACUUM ANALYZE metering_points, readings, community_members');
  return { id: c.id, members, points: points.map(([id]) => id), readings, from, to };
}

// ---------------------------------------------------------------------------------------------
// The read-only half of clearRange and the pure computation, as clearChunk does them.

async function load(db: Db, id: number, from: Date, to: Date) {
  const c = await community(db).selectFrom('communities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const members = await membersDuring(db, id, from, to);
  const energy = await intervalEnergy(db, await pointsOf(db, members), {
    from,
    count: QUARTERS,
    minutes: c.interval_minutes,
  });
  return { c, members, energy };
}

/** clearChunk's computation (src/community/clear.ts `clearLoaded`) over the day, on the energy loaded above. */
function compute(c: CommunityRow, members: CommunityMemberRow[], energy: EnergyByPoint, from: Date): ClearedInterval[] {
  const { intervals } = clearLoaded(c, members, energy, { from, count: QUARTERS });
  const missing = intervals.find((i) => i.missing.length > 0);
  if (missing)
    throw new Error(
      `community: interval ${missing.start.toISOString()} lacks the energy of ${missing.missing.length} members`,
    );
  return intervals;
}

// ---------------------------------------------------------------------------------------------

export interface CommunitySize {
  members: number;
  points: number;
  readings: number;
  matches: number;
  peerWh: number;
  rounds: number;
  /** Medians over the rounds, in ms. */
  loadMs: number;
  computeMs: number;
  /** clearRange for the whole day. */
  totalMs: number;
  /** The total minus loading and computing, round by round. */
  storeMs: number;
  /** Baselines. */
  selectMs: number;
  copyMs: number;
}

export interface CommunityResult {
  sizes: CommunitySize[];
  engine: 'postgres' | 'pglite';
}

/** The sizes a run clears: a quarter of `members` and `members`, to show how the time grows. */
export const communitySizes = (members: number) => [Math.round(members / 4), members];

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Round {
  totalMs: number;
  loadMs: number;
  computeMs: number;
  storeMs: number;
  selectMs: number;
  copyMs: number;
  matches: number;
  peerWh: number;
}

/**
 * One round: the SELECT baseline, clearRange for the day, the split pass, the COPY baseline. The
 * split pass runs after clearRange so that no large heap of matches is alive while clearRange runs.
 */
async function round(target: BenchTarget, built: BuiltCommunity): Promise<Round> {
  const db = target.database.kysely;
  const { id, from, to } = built;
  global.gc?.();
  // Baseline for loading: one SELECT over the same readings, aggregated in the database.
  const select = await timed(() =>
    sql<{ n: number }>`
    SELECT metering_point_id, sum(wh)::bigint AS wh, count(*)::int AS n FROM readings
    WHERE metering_point_id = ANY(${built.points}::text[])
      AND interval_start >= ${from.toISOString()}::timestamptz AND interval_start < ${to.toISOString()}::timestamptz
    GROUP BY metering_point_id`.execute(db),
  );
  const selected = select.value.rows.reduce((a, r) => a + r.n, 0);
  if (selected !== built.readings)
    throw new Error(`community: the baseline SELECT saw ${selected} of ${built.readings} readings`);

  global.gc?.();
  const total = await timed(() => clearRange(db, id, from, to, systemClock.now()));
  if (total.value !== QUARTERS)
    throw new Error(`community: clearRange cleared ${total.value} of ${QUARTERS} intervals`);

  global.gc?.();
  const loaded = await timed(() => load(db, id, from, to));
  const computed = await timed(async () => compute(loaded.value.c, loaded.value.members, loaded.value.energy, from));
  const intervals = computed.value;
  const matches = intervals.reduce((a, i) => a + i.result.matches.length, 0);
  const peerWh = intervals.reduce((a, i) => a + i.result.peerWh, 0);
  const {
    rows: [stored],
  } = await sql<{ n: number; peer: number }>`
    SELECT count(*)::int AS n,
           coalesce(sum(wh) FILTER (WHERE buyer_member_id IS NOT NULL AND seller_member_id IS NOT NULL), 0)::bigint
             AS peer
    FROM community_matches WHERE community_id = ${id}`.execute(db);
  if (stored!.n !== matches || stored!.peer !== peerWh)
    throw new Error(
      `community: clearRange stored ${stored!.n} matches (${stored!.peer} ` +
        `Wh between peers), the split pass computed ${matches} (${peerWh} Wh)`,
    );

  // Baseline for storing: a plain COPY of the same match rows into the twin table.
  const lines = intervals.flatMap(({ start, result }) => {
    const at = start.toISOString();
    return result.matches.map((m) => `${id},${at},${m.buyer ?? ''},${m.seller ?? ''},${m.wh},${m.price},${m.amount}`);
  });
  global.gc?.();
  const copy = await timed(() => copyLines(target, 'bench_community_matches', MATCH_COLUMNS, lines));
  return {
    totalMs: total.ms,
    loadMs: loaded.ms,
    computeMs: computed.ms,
    storeMs: Math.max(0, total.ms - loaded.ms - computed.ms),
    selectMs: select.ms,
    copyMs: copy.ms,
    matches,
    peerWh,
  };
}

/**
 * Undoes a round (not timed): the day's intervals and matches go, from both tables, and VACUUM
 * makes their space reusable. Cleared intervals are written once (migration 0040: the database
 * refuses their DELETE), so the undoing runs with triggers off (`session_replication_role`), which
 * only the bench may do, in the throwaway database it owns.
 */
async function reset(target: BenchTarget, id: number): Promise<void> {
  await target.database.kysely.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`DELETE FROM community_interval_matches WHERE community_id = ${id}`.execute(trx);
    await sql`DELETE FROM community_intervals WHERE community_id = ${id}`.execute(trx);
    await sql`DELETE FROM bench_community_matches WHERE community_id = ${id}`.execute(trx);
  });
  await target.database.exec('VACUUM community_interval_matches, community_intervals, bench_community_matches');
}

async function benchSize(
  target: BenchTarget,
  s: Setup,
  n: number,
  rounds: number,
  log: (l: string) => void,
): Promise<CommunitySize> {
  const built = await buildCommunity(target, s, n);
  log(
    `community: ${fmt(n)} members (${fmt(built.members.filter((m) => m.kind !== 'household').length)} producing), ` +
      `${fmt(built.points.length)} metering points, ${fmt(built.readings)} readings of ${DAY} (${TIME_ZONE})`,
  );
  const done: Round[] = [];
  for (let k = 0; k < rounds; k++) {
    if (k > 0) await reset(target, built.id);
    const r = await round(target, built);
    done.push(r);
    log(
      `  round ${k + 1}: clearRange ${fmt(r.totalMs)} ms = load ${fmt(r.loadMs)} + compute ${fmt(r.computeMs)} ` +
        `+ store ≈ ${fmt(r.storeMs)}; ${fmt(r.matches)} matches (${fmt(r.peerWh / 1000)} kWh between peers); ` +
        `baseline SELECT ${fmt(r.selectMs)} ms, COPY ${fmt(r.copyMs)} ms`,
    );
  }
  const m = (f: (r: Round) => number) => median(done.map(f));
  return {
    members: n,
    points: built.points.length,
    readings: built.readings,
    matches: done[0]!.matches,
    peerWh: done[0]!.peerWh,
    rounds,
    loadMs: m((r) => r.loadMs),
    computeMs: m((r) => r.computeMs),
    totalMs: m((r) => r.totalMs),
    storeMs: m((r) => r.storeMs),
    selectMs: m((r) => r.selectMs),
    copyMs: m((r) => r.copyMs),
  };
}

export async function benchCommunity(
  target: BenchTarget,
  sizes: readonly number[],
  rounds: number,
  log: (l: string) => void,
): Promise<CommunityResult> {
  const s = await setup(target.database.kysely);
  const result: CommunityResult = { sizes: [], engine: target.database.engine };
  for (const n of sizes) result.sizes.push(await benchSize(target, s, n, rounds, log));
  return result;
}

// ---------------------------------------------------------------------------------------------
// The report.

/** Interval×members cleared per second. */
const rate = (members: number, ms: number) => (QUARTERS * members) / (ms / 1000);
/** Storing (and the transaction, lock and bookkeeping around it): the total minus the split's load and compute. */
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

export function communityRows(result: CommunityResult): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const r of result.sizes) {
    const baseline = r.selectMs + r.copyMs;
    rows.push(
      {
        benchmark: `community clearing, ${fmt(r.members)} members × ${QUARTERS} intervals (clearRange, total)`,
        tally:
          `${seconds(r.totalMs)}; ${fmt(rate(r.members, r.totalMs))} interval×members/s; ` +
          `${fmt(r.totalMs / QUARTERS, 1)} ms/interval`,
        baseline: `${seconds(baseline)} (SELECT + COPY)`,
        ratio: `${fmt(r.totalMs / baseline, 2)} × baseline`,
        target: 'day < 5 s',
        met: r.totalMs < TOTAL_TARGET_MS,
      },
      {
        benchmark: `  loading energy (${fmt(r.readings)} readings)`,
        tally: seconds(r.loadMs),
        baseline: `${seconds(r.selectMs)} (SELECT)`,
        ratio: `${fmt(r.loadMs / r.selectMs, 2)} × SELECT`,
        target: '',
        met: null,
      },
      {
        benchmark: '  clearing computation (clearLoaded, 96 intervals)',
        tally:
          `${seconds(r.computeMs)}; ${fmt(rate(r.members, r.computeMs))} interval×members/s; ` +
          `${fmt(r.computeMs / QUARTERS, 1)} ms/interval`,
        baseline: '',
        ratio: '',
        target: 'day < 1 s',
        met: r.computeMs < TARGET_MS,
      },
      {
        benchmark: `  storing, by difference (${fmt(r.matches)} matches)`,
        tally: seconds(r.storeMs),
        baseline: `${seconds(r.copyMs)} (COPY)`,
        ratio: `${fmt(r.storeMs / r.copyMs, 2)} × COPY`,
        target: '',
        met: null,
      },
    );
  }
  const small = result.sizes[0],
    large = result.sizes[result.sizes.length - 1];
  if (small && large && large.members > small.members) {
    const perMember = (ms: number, r: CommunitySize) => ms / r.members;
    const growth = (f: (r: CommunitySize) => number) => perMember(f(large), large) / perMember(f(small), small);
    const totalGrowth = growth((r) => r.totalMs),
      computeGrowth = growth((r) => r.computeMs);
    rows.push({
      benchmark: `  growth, ${fmt(small.members)} → ${fmt(large.members)} members (time per member)`,
      tally: `total ${fmt(totalGrowth, 2)} ×, compute ${fmt(computeGrowth, 2)} ×, load ${fmt(
        growth((r) => r.loadMs),
        2,
      )} ×, store ${fmt(
        growth((r) => r.storeMs),
        2,
      )} ×`,
      baseline: '1.00 × (linear)',
      ratio: '',
      target: `≤ ${fmt(LINEAR_TOLERANCE, 1)} × (linear)`,
      met: totalGrowth <= LINEAR_TOLERANCE && computeGrowth <= LINEAR_TOLERANCE,
    });
  }
  return rows;
}
