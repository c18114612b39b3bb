// The demo world's energy community (`tally seed`): a Lisbon neighbourhood of rooftop-solar
// prosumers, a small wind turbine, a shop read by cumulative registers and households, metered
// every 15 minutes with synthetic profiles for the last full calendar month in Lisbon, and that
// month cleared. Built through the module functions the API calls, so every row has its event.
// Running it again changes nothing: the account, points, community and members are found by
// name or id, each point is metered on from its last reading of the month (the profiles are
// functions of time, so a reading sent again is unchanged), and clearing skips intervals already
// cleared.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { pageRequest } from '../platform/pagination.ts';
import { localDate, localMonth } from '../platform/time-zone.ts';
import { createAccount, listAccounts } from '../accounts/index.ts';
import {
  addMember,
  clearOnDemand,
  createCommunity,
  listCommunities,
  listMembers,
  monthlyStatement,
  type NewCommunity,
} from '../community/index.ts';
import {
  createMeteringPoint,
  importReadings,
  importRegisterReadings,
  lastRegisterReading,
  listMeteringPoints,
  type ReadingInput,
  type RegisterReadingInput,
  readingsEnd,
} from '../metering/index.ts';
import { homeWh, QUARTER_MS, solarWh, windWh, type Clock, type Home } from './profiles.ts';

const DEMO_COMMUNITY = {
  name: 'Bairro Solar Lisboa',
  interval_minutes: 15,
  time_zone: 'Europe/Lisbon',
  mechanism: 'mmr',
  grid_price: 0.1624,
  feed_in_price: 0.03,
  currency: 'EUR',
  move_certificates: false,
  public: true,
  // The demo meters only report when `tally seed` runs, so the clearing job would otherwise clear the
  // following weeks with every member missing: it waits up to a year for readings instead.
  data_wait_minutes: 525_600,
} as const satisfies NewCommunity;
const ACCOUNT = 'Bairro Solar Lisboa (community points)';
const TZ = DEMO_COMMUNITY.time_zone;
const DAY_MS = 86_400_000;
const LISBON = { latitude: 38.72, longitude: -9.14 };
/** The Weibull scale (m/s) of the wind where the turbine stands: a town's, gentler than an open coast's. */
const LISBON_WIND_SCALE = 6.5;
/** Register readers start from a meter that has run for a while. */
const REGISTER_START = { import_wh: 18_450_000, export_wh: 2_130_000 };

// --- the local clock ---------------------------------------------------------------------------

const LOCAL = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  weekday: 'short',
  hour: 'numeric',
  minute: 'numeric',
});
function clockAt(t: number): Clock {
  const parts = LOCAL.formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    hour: Number(get('hour')) + Number(get('minute')) / 60,
    weekend: get('weekday') === 'Sat' || get('weekday') === 'Sun',
  };
}

// --- the members -------------------------------------------------------------------------------

type Kind =
  | { kind: 'household'; home: Home }
  | { kind: 'prosumer'; home: Home; kwp: number }
  | { kind: 'wind'; ratedKw: number }
  | { kind: 'registers'; home: Home; kwp: number };
type MemberSpec = Kind & { name: string; seed: number };

const MEMBERS: MemberSpec[] = [
  {
    name: 'Casa Azul (rooftop solar, 4 kWp)',
    seed: 11,
    kind: 'prosumer',
    kwp: 4,
    home: { base: 170, morning: 450, evening: 1_000 },
  },
  {
    name: 'Vivenda Sol (rooftop solar, 6 kWp)',
    seed: 12,
    kind: 'prosumer',
    kwp: 6,
    home: { base: 210, morning: 600, evening: 1_300 },
  },
  {
    name: 'Escola Básica do Bairro (rooftop solar, 10 kWp)',
    seed: 13,
    kind: 'prosumer',
    kwp: 10,
    home: { base: 450, morning: 1_800, evening: 200 },
  },
  {
    name: 'Oficina Mendes (rooftop solar, 5 kWp)',
    seed: 14,
    kind: 'prosumer',
    kwp: 5,
    home: { base: 300, morning: 900, evening: 250 },
  },
  { name: 'Miradouro small wind turbine (10 kW)', seed: 21, kind: 'wind', ratedKw: 10 },
  {
    name: 'Padaria Estrela (register meter, 2 kWp)',
    seed: 31,
    kind: 'registers',
    kwp: 2,
    home: { base: 350, morning: 2_200, evening: 400 },
  },
  { name: 'Flat 1A (household)', seed: 41, kind: 'household', home: { base: 120, morning: 400, evening: 850 } },
  { name: 'Flat 1B (household)', seed: 42, kind: 'household', home: { base: 150, morning: 350, evening: 1_050 } },
  { name: 'Flat 2A (household)', seed: 43, kind: 'household', home: { base: 100, morning: 500, evening: 750 } },
  { name: 'Flat 2B (household)', seed: 44, kind: 'household', home: { base: 170, morning: 300, evening: 1_150 } },
  { name: 'Flat 3A (household)', seed: 45, kind: 'household', home: { base: 130, morning: 450, evening: 900 } },
  { name: 'Flat 3B (household)', seed: 46, kind: 'household', home: { base: 200, morning: 600, evening: 1_300 } },
];

/** Portuguese-style CPE codes (PT, distributor 0002, twelve digits, two letters), k numbering the demo's points. */
const cpe = (k: number, letters: 'DI' | 'DE') => `PT0002${String(970_000_000_000 + k)}${letters}`;

interface Points {
  main: string;
  export?: string | undefined;
  type: 'consumption' | 'production';
}
function pointsOf(spec: MemberSpec, k: number): Points {
  switch (spec.kind) {
    case 'prosumer':
      return { main: cpe(k, 'DI'), export: cpe(k, 'DE'), type: 'consumption' };
    case 'wind':
      return { main: cpe(k, 'DE'), type: 'production' };
    default:
      return { main: cpe(k, 'DI'), type: 'consumption' };
  }
}

/**
 * A member's energy in one quarter hour: grid import and export at its connection (self-consumption
 * is netted behind the meter).
 */
function energyAt(spec: MemberSpec, t: number, clock: Clock): { importWh: number; exportWh: number } {
  switch (spec.kind) {
    case 'household':
      return { importWh: homeWh(spec.seed, spec.home, t, clock), exportWh: 0 };
    case 'wind':
      return {
        importWh: 0,
        exportWh: windWh({ seed: spec.seed, ratedW: spec.ratedKw * 1_000, windScale: LISBON_WIND_SCALE }, t),
      };
    case 'prosumer':
    case 'registers': {
      const roof = { ...LISBON, seed: spec.seed, peakW: spec.kwp * 1_000 };
      const net = solarWh(roof, t) - homeWh(spec.seed, spec.home, t, clock);
      return { importWh: Math.max(0, -net), exportWh: Math.max(0, net) };
    }
  }
}

// --- building it -------------------------------------------------------------------------------

/** The last full calendar month in Lisbon before `now`, as YYYY-MM. */
function lastFullMonth(now: Date): string {
  const [y, m] = localDate(now, TZ).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

const reading = (pointId: string, t: number, wh: number): ReadingInput => ({
  interval_start_datetime: new Date(t).toISOString(),
  interval_end_datetime: new Date(t + QUARTER_MS).toISOString(),
  interval_usage: wh,
  at: `seed/${pointId}/${t}`,
});

/** Where a point's interval readings of [from, to) end: metering resumes there, as the rest of the seed does. */
async function readUntil(db: Db, pointId: string, from: Date, to: Date): Promise<number> {
  return (await readingsEnd(db, pointId, { from, to }))?.getTime() ?? from.getTime();
}

/**
 * The last stored register reading at or before `to`, which metering continues from; none stored
 * (a new meter) starts at the month's start from a meter that has run for a while.
 */
async function lastRegister(
  db: Db,
  pointId: string,
  from: Date,
  to: Date,
): Promise<{ at: number; import_wh: number; export_wh: number }> {
  const row = await lastRegisterReading(db, pointId, to);
  if (!row) return { at: from.getTime(), ...REGISTER_START };
  return { at: Math.max(from.getTime(), row.read_at.getTime()), import_wh: row.import_wh, export_wh: row.export_wh };
}

export interface DemoCommunity {
  id: number;
  name: string;
  month: string;
  period_start: string;
  period_end: string;
  members: number;
  members_added: number;
  /** Readings of the month stored now: interval readings (over `points` points) and register readings. */
  readings: { points: number; inserted: number };
  register_readings: { inserted: number };
  intervals_in_month: number;
  intervals_cleared: number;
  peer_wh: number;
  savings: number;
  grid_bill: number;
  summary: string;
}

/**
 * Seeds the demo community: `manager` creates (or finds) its account, points, the community and
 * its members; `meterOperator` sends the readings, as a meter operator would.
 */
export async function seedDemoCommunity(
  db: Db,
  people: { manager: Principal; meterOperator: Principal },
  opts: { publicUrl: string; now: Date },
): Promise<DemoCommunity> {
  const { manager, meterOperator } = people;
  const { now } = opts;
  const month = lastFullMonth(now);
  const { from, to } = localMonth(month, TZ);

  // The demo manager's listings fit in one page of 1,000.
  const firstPage = pageRequest({ limit: 1_000 }, 'body');
  const accounts = await listAccounts(db, manager, firstPage);
  const accountId =
    accounts.items.find((a) => a.account_name === ACCOUNT)?.id ??
    (await createAccount(db, manager, { account_name: ACCOUNT })).id;
  const existingPoints = new Set(
    (await listMeteringPoints(db, manager, { account_id: accountId }, firstPage)).items.map((p) => p.id),
  );
  const ensurePoint = async (id: string, type: 'consumption' | 'production') => {
    if (!existingPoints.has(id))
      await createMeteringPoint(db, manager, { id, type, account_id: accountId, grid_area: 'PT', time_zone: TZ });
  };

  const c =
    (await listCommunities(db, manager, firstPage)).items.find(
      (x) => x.name === DEMO_COMMUNITY.name && x.manager_id === manager.userId,
    ) ?? (await createCommunity(db, manager, DEMO_COMMUNITY));
  const memberPoints = new Set((await listMembers(db, manager, c.id, firstPage)).items.map((m) => m.metering_point_id));

  // The month's local clock, once for every member.
  const starts: number[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += QUARTER_MS) starts.push(t);
  const clocks = starts.map(clockAt);

  const readings = { points: 0, inserted: 0 };
  const registers = { inserted: 0 };
  let added = 0;
  for (const [k, spec] of MEMBERS.entries()) {
    const points = pointsOf(spec, k + 1);
    await ensurePoint(points.main, points.type);
    if (points.export) await ensurePoint(points.export, 'production');
    if (!memberPoints.has(points.main)) {
      await addMember(
        db,
        manager,
        c.id,
        {
          name: spec.name,
          metering_point_id: points.main,
          export_metering_point_id: points.export,
          valid_from: `${month}-01`,
        },
        now,
      );
      added++;
    }
    const energy = starts.map((t, q) => energyAt(spec, t, clocks[q]!));
    if (spec.kind === 'registers') {
      // A cumulative reading at the month's start and at the end of every quarter hour, from the last one stored on.
      const last = await lastRegister(db, points.main, from, to);
      const rows: RegisterReadingInput[] = [
        {
          read_at: new Date(last.at).toISOString(),
          import_wh: last.import_wh,
          export_wh: last.export_wh,
          at: `seed/${points.main}/${last.at}`,
        },
      ];
      let { import_wh, export_wh } = last;
      energy.forEach((e, q) => {
        const end = starts[q]! + QUARTER_MS;
        if (end <= last.at) return;
        import_wh += e.importWh;
        export_wh += e.exportWh;
        rows.push({ read_at: new Date(end).toISOString(), import_wh, export_wh, at: `seed/${points.main}/${end}` });
      });
      // The first row repeats the stored reading it continues from (unchanged), or starts a new meter.
      const r = await importRegisterReadings(db, meterOperator, points.main, rows, 'seed');
      registers.inserted += r.inserted;
      continue;
    }
    const series: Array<[string, (e: { importWh: number; exportWh: number }) => number]> = [
      [points.main, (e) => (points.type === 'production' ? e.exportWh : e.importWh)],
    ];
    if (points.export) series.push([points.export, (e) => e.exportWh]);
    for (const [pointId, wh] of series) {
      const until = await readUntil(db, pointId, from, to);
      const rows = starts.flatMap((t, q) => (t < until ? [] : [reading(pointId, t, wh(energy[q]!))]));
      const r = rows.length
        ? await importReadings(db, meterOperator, new Map([[pointId, rows]]), 'seed', now)
        : { inserted: 0, unchanged: 0 };
      readings.inserted += r.inserted;
      readings.points++;
    }
  }

  const { intervals_cleared } = await clearOnDemand(db, manager, c.id, from, to, now);
  // Anyone may read a public community's statement: read it as a newcomer would.
  const statement = await monthlyStatement(db, undefined, c.id, month);
  const intervalsInMonth = (to.getTime() - from.getTime()) / QUARTER_MS;
  const n = (x: number) => x.toLocaleString('en-US');
  const eur = (x: number) =>
    `${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${c.currency}`;
  const base = `${opts.publicUrl}/api/communities/${c.id}`;
  const count = (kind: Kind['kind']) => MEMBERS.filter((m) => m.kind === kind).length;
  const summary =
    `Energy community ${c.name} #${c.id} (${TZ}, ${c.interval_minutes}-minute intervals, mechanism ${c.mechanism}, ` +
    `grid ${c.grid_price} and feed-in ${c.feed_in_price} ${c.currency}/kWh, public): ` +
    `${statement.members.length} members (${added} new): ${count('prosumer')} rooftop-solar prosumers, ` +
    `${count('wind')} small wind turbine, ${count('registers')} bakery read by cumulative registers and ` +
    `${count('household')} households, with synthetic 15-minute profiles for ${month} ` +
    `(${n(readings.points * starts.length)} interval readings of ${readings.points} points and ` +
    `${n(starts.length + 1)} register readings; ${n(readings.inserted)} and ${n(registers.inserted)} of them new). ` +
    `Clearing ${month} cleared ${n(intervals_cleared)} of its ${n(intervalsInMonth)} intervals now; ` +
    `peers shared ${n(statement.totals.from_peers_wh)} Wh, the members saved ${eur(statement.totals.savings)} ` +
    `in total against the grid alone, and the community's grid bill is ${eur(statement.totals.grid_bill)}. ` +
    `Read it without logging in: ${base}/statements?month=${month}, ${base}/members and ` +
    `${base}/intervals?from=${from.toISOString()}&to=${new Date(from.getTime() + DAY_MS).toISOString()}.`;
  return {
    id: c.id,
    name: c.name,
    month,
    period_start: from.toISOString(),
    period_end: to.toISOString(),
    members: statement.members.length,
    members_added: added,
    readings,
    register_readings: registers,
    intervals_in_month: intervalsInMonth,
    intervals_cleared,
    peer_wh: statement.totals.from_peers_wh,
    savings: statement.totals.savings,
    grid_bill: statement.totals.grid_bill,
    summary,
  };
}
