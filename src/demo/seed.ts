// `tally seed`: a demo world built through the same module functions the API calls, so every row
// has its event and `tally check` holds afterwards: devices with meters whose hourly readings
// issue certificates on their own, a customer's consumption, trades, a claim and its disclosure.
// Running it again reuses what exists (users by email, accounts, devices and points by name or id)
// and meters only the hours after each point's last reading.
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import { badRequest } from '../platform/errors.ts';
import { pageRequest, type PageRequest } from '../platform/pagination.ts';
import type { Principal } from '../platform/principal.ts';
import type { Role } from '../identity/index.ts';
import { createUser, findUserByEmail } from '../identity/index.ts';
import { createAccount, listAccounts, updateWhitelist } from '../accounts/index.ts';
import {
  accountSummary,
  expireBundles,
  performAction,
  createDevice,
  listDevices,
  updateDevice,
  type DeviceView,
  type NewDevice,
  runAutoIssuanceNow,
  queryBundles,
  STATUSES,
  type BundleStatus,
  type Action,
  type ActionRequests,
} from '../registry/index.ts';
import {
  createMeteringPoint,
  listMeteringPoints,
  type NewMeteringPoint,
  importReadings,
  readingsEnd,
} from '../metering/index.ts';
import type { ReadingInput } from '../metering/index.ts';
import { createDisclosure } from '../disclosure/index.ts';
import { seedDemoCommunity } from './community.ts';
import { sealNow } from '../ledger/index.ts';
import type { BundleView } from '../registry/index.ts';
import { QUARTER_MS, solarWh, windWh } from './profiles.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PASSWORD = 'tally-demo-password';
/** Readings per import call: a quarter of a year of one meter's hours at most. */
const READINGS_BATCH = 2_000;
/** The first `limit` rows of a listing; the demo world's listings fit in one page of 1,000. */
const firstPage = (limit = 1_000): PageRequest => pageRequest({ limit }, 'body');

const USERS = {
  admin: { email: 'admin@tally.example', name: 'Ada Admin', role: 'admin' },
  issuer: { email: 'issuer@tally.example', name: 'Ivo Issuer (issuing body)', role: 'issuer' },
  solar: { email: 'solar@tally.example', name: 'Sol Producer (Sunfield)', role: 'producer' },
  wind: { email: 'wind@tally.example', name: 'Vind Producer (Nordwind)', role: 'producer' },
  trader: { email: 'trader@tally.example', name: 'Tess Trader (Greenline)', role: 'trader' },
  auditor: { email: 'auditor@tally.example', name: 'Aud Auditor', role: 'auditor' },
  community: { email: 'community@tally.example', name: 'Cora Community (Bairro Solar Lisboa)', role: 'trader' },
} as const satisfies Record<string, { email: string; name: string; role: Role }>;
type DemoUser = keyof typeof USERS;

const ACCOUNTS = { solar: 'Sunfield Solar', wind: 'Nordwind Energy', trader: 'Greenline Trading' } as const;

type DeviceSpec = Omit<NewDevice, 'account_id'> & {
  owner: 'solar' | 'wind';
  /** The device's Wh in each quarter hour from `t`. */
  profile: (device: DeviceView) => (t: number) => number;
};

const BENEFICIARY = 'Greenline Offices ApS';

// --- production profiles -----------------------------------------------------------------------

/** Weibull scale (m/s) of the wind on Denmark's west coast. */
const NORTH_SEA_WIND_SCALE = 8;

/** Solar: the profile library's model at the device's site and capacity, its id the random stream. */
const solarPark = (device: DeviceView) => (t: number) =>
  solarWh({ ...device.location, seed: device.id, peakW: device.capacity }, t);

/** Wind: the profile library's model for the device's capacity, its id the random stream. */
const windFarm = (device: DeviceView) => (t: number) =>
  windWh({ seed: device.id, ratedW: device.capacity, windScale: NORTH_SEA_WIND_SCALE }, t);

/**
 * An hourly meter's reading: the sum of its four quarter hours. Both models stay below the
 * device's capacity, well inside what the registry issues (capacity × 1.1).
 */
const hourly = (quarterWh: (t: number) => number) => (start: Date) => {
  let wh = 0;
  for (let t = start.getTime(); t < start.getTime() + HOUR_MS; t += QUARTER_MS) wh += quarterWh(t);
  return wh;
};

const DEVICES: DeviceSpec[] = [
  {
    owner: 'solar',
    profile: solarPark,
    device_name: 'Sunfield solar park',
    technology_code: 'T010101',
    fuel_code: 'F01040100',
    capacity: 20_000_000,
    operational_date: '2019-05-01',
    country: 'DK',
    grid: 'DK2',
    location: { latitude: 55.35, longitude: 11.92 },
    time_zone: 'Europe/Copenhagen',
    issuance_metadata: {
      issuing_body: 'Energinet',
      issuance_purpose: 'disclosure',
      legal_status: 'Guarantee of Origin',
      support_received: 'none',
    },
  },
  {
    owner: 'wind',
    profile: windFarm,
    device_name: 'Nordwind wind farm',
    technology_code: 'T020001',
    fuel_code: 'F01050100',
    capacity: 48_000_000,
    operational_date: '2016-09-15',
    country: 'DK',
    grid: 'DK1',
    location: { latitude: 56.02, longitude: 8.13 },
    time_zone: 'Europe/Copenhagen',
    issuance_metadata: {
      issuing_body: 'Energinet',
      issuance_purpose: 'disclosure',
      legal_status: 'Guarantee of Origin',
      support_received: 'feed-in premium',
    },
  },
];

// --- users, accounts, devices ------------------------------------------------------------------

type People = Record<DemoUser, Principal>;

/** Every demo user, created verified unless a user with that email exists; returns how many were new. */
async function ensureUsers(db: Db, now: Date): Promise<{ people: People; created: number }> {
  const people = {} as People;
  let created = 0;
  for (const [key, spec] of Object.entries(USERS) as [DemoUser, (typeof USERS)[DemoUser]][]) {
    let user = await findUserByEmail(db, spec.email);
    if (!user) {
      user = (await createUser(db, { ...spec, password: PASSWORD, verifiedAt: now }, null)).user;
      created++;
    }
    people[key] = { userId: user.id, role: user.role, email: user.email };
  }
  return { people, created };
}

/** The owner's account of that name, created (with the owner as its first member) if missing. */
async function ensureAccount(db: Db, owner: Principal, name: string): Promise<number> {
  const mine = await listAccounts(db, owner, firstPage());
  return (
    mine.items.find((a) => a.account_name === name)?.id ?? (await createAccount(db, owner, { account_name: name })).id
  );
}

async function ensureDevice(
  db: Db,
  owner: Principal,
  accountId: number,
  spec: DeviceSpec,
  certificateIdStart: number,
): Promise<DeviceView> {
  const existing = await listDevices(db, owner, { account_id: accountId }, firstPage());
  const found = existing.items.find((d) => d.device_name === spec.device_name);
  if (found) return found;
  const { owner: _owner, profile: _profile, ...input } = spec;
  return createDevice(db, owner, { ...input, account_id: accountId }, certificateIdStart);
}

// --- metering and automatic issuance -----------------------------------------------------------

/** The demo's metering point ids: 18-digit GSRNs, one per device and one for the trader's customer. */
const productionPoint = (deviceId: number) => `5713131740000${String(deviceId).padStart(5, '0')}`;
const CUSTOMER_POINT = '571313174115123456';

/** Where a point's readings end: the seed resumes there. */
async function readUntil(db: Db, pointId: string): Promise<number | undefined> {
  return (await readingsEnd(db, pointId))?.getTime();
}

/** Registers the point unless it exists. */
async function ensurePoint(db: Db, owner: Principal, point: NewMeteringPoint): Promise<void> {
  const existing = await listMeteringPoints(db, owner, { account_id: point.account_id }, firstPage());
  if (!existing.items.some((p) => p.id === point.id)) await createMeteringPoint(db, owner, point);
}

/** Hourly readings of [from, to) from a profile, sent READINGS_BATCH at a time as the meter operator would. */
async function meterWindow(
  db: Db,
  issuer: Principal,
  pointId: string,
  wh: (start: Date) => number,
  window: { from: number; to: number },
  now: Date,
): Promise<number> {
  const from = Math.max(window.from, (await readUntil(db, pointId)) ?? window.from);
  const readings: ReadingInput[] = [];
  for (let t = from; t < window.to; t += HOUR_MS) {
    readings.push({
      interval_start_datetime: new Date(t).toISOString(),
      interval_end_datetime: new Date(t + HOUR_MS).toISOString(),
      interval_usage: wh(new Date(t)),
      at: `seed/${pointId}/${t}`,
    });
  }
  for (let i = 0; i < readings.length; i += READINGS_BATCH) {
    await importReadings(db, issuer, new Map([[pointId, readings.slice(i, i + READINGS_BATCH)]]), 'seed', now);
  }
  return readings.length;
}

/** A household-sized customer: 400 W at night, up to 1.4 kW in the evening. */
const customerWh = (start: Date) => {
  const h = start.getUTCHours();
  return h >= 16 && h < 21 ? 1_400 : h >= 6 ? 800 : 400;
};

// --- the trading story -------------------------------------------------------------------------

interface Accounts {
  solar: number;
  wind: number;
  trader: number;
}

/** The first `n` active bundles of an account produced in the last week of the window. */
async function recentActive(
  db: Db,
  holder: Principal,
  accountId: number,
  windowEnd: number,
  n: number,
): Promise<BundleView[]> {
  const page = await queryBundles(
    db,
    holder,
    {
      source_id: accountId,
      certificate_bundle_status: 'active',
      certificate_period_start: new Date(windowEnd - 7 * DAY_MS).toISOString(),
    },
    firstPage(n),
  );
  if (page.items.length < n)
    throw new Error(`account ${accountId} holds fewer than ${n} recent active bundles; seed more --days`);
  return page.items;
}

/**
 * Moves certificates through every status a holder or issuer can give them: transfers (one split
 * in two), a cancellation for a beneficiary with its statement, a claim, a reservation, a lock and
 * a withdrawal. Returns the cancellation statement's id.
 */
async function tradingStory(db: Db, people: People, accounts: Accounts, windowEnd: number, now: Date): Promise<number> {
  const act = <A extends Action>(who: Principal, action: A, request: ActionRequests[A]) =>
    performAction(db, who, action, request, now);
  const [s1, s2, s3, s4] = (await recentActive(db, people.solar, accounts.solar, windowEnd, 4)) as [
    BundleView,
    BundleView,
    BundleView,
    BundleView,
  ];
  const [w1, w2, w3] = (await recentActive(db, people.wind, accounts.wind, windowEnd, 3)) as [
    BundleView,
    BundleView,
    BundleView,
  ];
  const sold = await act(people.solar, 'transfer', {
    source_id: accounts.solar,
    target_id: accounts.trader,
    granular_certificate_bundle_ids: [s1.id, s2.id],
    certificate_quantity: s1.bundle_quantity + Math.ceil(s2.bundle_quantity / 2),
  });
  const windSold = await act(people.wind, 'transfer', {
    source_id: accounts.wind,
    target_id: accounts.trader,
    granular_certificate_bundle_ids: [w1.id, w2.id],
  });
  const cancelled = await act(people.trader, 'cancel', {
    source_id: accounts.trader,
    granular_certificate_bundle_ids: [...sold.bundles, windSold.bundles[0]!].map((b) => b.id),
    beneficiary: BENEFICIARY,
    purpose: 'Scope 2 reporting with hourly matching',
  });
  const claimed = cancelled.bundles[0]!;
  await act(people.trader, 'claim', {
    source_id: accounts.trader,
    granular_certificate_bundle_ids: [claimed.id],
    consumer: BENEFICIARY,
    metering_point_id: CUSTOMER_POINT,
    period_start: claimed.production_starting_interval,
    period_end: claimed.production_ending_interval,
  });
  await act(people.solar, 'reserve', {
    source_id: accounts.solar,
    granular_certificate_bundle_ids: [s3.id],
  });
  await act(people.solar, 'lock', {
    source_id: accounts.solar,
    granular_certificate_bundle_ids: [s4.id],
  });
  await act(people.issuer, 'withdraw', {
    source_id: accounts.wind,
    granular_certificate_bundle_ids: [w3.id],
  });
  return cancelled.statement_id!;
}

/** Expires what is past its expiry date at `now`, as the server's job would on its first round. */
async function expireDue(db: Db, now: Date): Promise<void> {
  while ((await db.transaction().execute((trx) => expireBundles(trx, now))) > 0);
}

// --- the summary -------------------------------------------------------------------------------

async function bundlesByStatus(db: Db, auditor: Principal, accounts: Accounts): Promise<Map<BundleStatus, number>> {
  const counts = new Map<BundleStatus, number>(STATUSES.map((s) => [s, 0]));
  for (const id of Object.values(accounts)) {
    for (const row of (await accountSummary(db, auditor, id)).by_source_and_status) {
      const status = row.certificate_bundle_status as BundleStatus;
      counts.set(status, counts.get(status)! + row.bundles);
    }
  }
  return counts;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Seeds the demo world as of `opts.now`: its last `opts.days` days of readings and what follows from them. */
export async function seedDemoWorld(db: Db, config: Config, opts: { days: number; now: Date }): Promise<string> {
  if (!Number.isSafeInteger(opts.days) || opts.days < 1)
    throw badRequest('invalid_days', '--days must be a whole number, at least 1', 'days');
  const { now } = opts;
  const { people, created } = await ensureUsers(db, now);
  const accounts: Accounts = {
    solar: await ensureAccount(db, people.solar, ACCOUNTS.solar),
    wind: await ensureAccount(db, people.wind, ACCOUNTS.wind),
    trader: await ensureAccount(db, people.trader, ACCOUNTS.trader),
  };
  // Whitelisting is a no-op (and writes no event) for accounts already on the list.
  await updateWhitelist(db, people.trader, accounts.trader, { add: [accounts.solar, accounts.wind] });

  // The window ends at the last full hour: certificates are issued for production that has happened.
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const window = { from: to - opts.days * DAY_MS, to };
  // Each device's meter reports every hour; auto-issue turns complete hours into certificates.
  const metered: string[] = [];
  for (const spec of DEVICES) {
    const owner = people[spec.owner];
    const device = await ensureDevice(db, owner, accounts[spec.owner], spec, config.certificateIdStart);
    await ensurePoint(db, owner, {
      id: productionPoint(device.id),
      type: 'production',
      account_id: accounts[spec.owner],
      device_id: device.id,
      grid_area: spec.grid,
      time_zone: spec.time_zone,
    });
    if (!device.auto_issue) await updateDevice(db, people.issuer, device.id, { auto_issue: true }, now);
    const count = await meterWindow(
      db,
      people.issuer,
      productionPoint(device.id),
      hourly(spec.profile(device)),
      window,
      now,
    );
    metered.push(
      `${n(count)} hours for ${device.device_name} (device ${device.id}, metering point ${productionPoint(device.id)})`,
    );
  }
  await ensurePoint(db, people.trader, {
    id: CUSTOMER_POINT,
    type: 'consumption',
    account_id: accounts.trader,
    grid_area: 'DK2',
    time_zone: 'Europe/Copenhagen',
  });
  await meterWindow(db, people.issuer, CUSTOMER_POINT, customerWh, window, now);
  const issued = await runAutoIssuanceNow(db, config.certificateLifetimeDays, now);

  // The story runs once: a trader account that already holds certificates has had it.
  const traded = (await queryBundles(db, people.trader, { source_id: accounts.trader }, firstPage(1))).items.length > 0;
  const statementId = traded ? undefined : await tradingStory(db, people, accounts, window.to, now);
  const disclosure = traded
    ? undefined
    : await createDisclosure(
        db,
        people.trader,
        {
          metering_point_ids: [CUSTOMER_POINT],
          period_start: new Date(window.from).toISOString(),
          period_end: new Date(window.to).toISOString(),
        },
        config.publicUrl,
      );
  await expireDue(db, now);
  // An energy community in Lisbon, metered every 15 minutes, with last month cleared.
  const energyCommunity = await seedDemoCommunity(
    db,
    { manager: people.community, meterOperator: people.issuer },
    { publicUrl: config.publicUrl, now },
  );
  // Seal what happened, as the server's job would, so `tally ledger verify` has blocks to check.
  const sealed = await sealNow(db, config.ledgerKey, now);

  const byStatus = [...(await bundlesByStatus(db, people.auditor, accounts))]
    .filter(([, c]) => c > 0)
    .map(([s, c]) => `${n(c)} ${s}`);
  const logins = Object.values(USERS)
    .map((u) => `${u.email} (${u.role})`)
    .join(', ');
  return (
    `Demo world ready: ${Object.keys(USERS).length} users (${created} new), accounts ${ACCOUNTS.solar} ` +
    `#${accounts.solar}, ${ACCOUNTS.wind} #${accounts.wind} and ${ACCOUNTS.trader} #${accounts.trader}, ` +
    `${DEVICES.length} devices; meter readings for the ${opts.days} days up to ${new Date(to).toISOString()}: ` +
    `${metered.join(' and ')}, and the customer point ${CUSTOMER_POINT}; ` +
    `automatic issuance issued ${n(issued.bundles_issued)} bundles (${n(issued.wh_issued)} Wh) now. ` +
    (statementId === undefined
      ? 'The trading story had already run. '
      : `Transfers, a cancellation for ${BENEFICIARY} (statement ${statementId}), a claim against ${CUSTOMER_POINT}, ` +
        `a reservation, a lock and a withdrawal done; its disclosure is at ${disclosure!.json_url}. `) +
    `Bundles by status: ${byStatus.join(', ')}. ${energyCommunity.summary} ` +
    `Sealed ${n(sealed.events)} events into ${n(sealed.blocks)} ledger block(s). ` +
    `Log in at ${config.publicUrl}/docs as ${logins} with the password ${PASSWORD} ` +
    '(users that already existed keep theirs).'
  );
}
