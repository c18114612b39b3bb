// `tally seed`: a demo world built through the same module functions the API calls, so every row
// has its event and `tally check` holds afterwards. Running it again reuses what exists (users by
// email, accounts and devices by name) and issues only the hours after each device's last issued one.
import type { Config } from './platform/config.ts';
import type { Db } from './platform/database.ts';
import { badRequest } from './platform/errors.ts';
import { pageRequest, type PageRequest } from './platform/pagination.ts';
import type { Principal } from './identity/principal.ts';
import type { Role } from './identity/tables.ts';
import { createUser, findUserByEmail } from './identity/users.ts';
import { accountSummary, createAccount, listAccounts, updateWhitelist } from './registry/accounts.ts';
import { expireBundles, performAction } from './registry/actions.ts';
import { createDevice, listDevices, type DeviceView, type NewDevice } from './registry/devices.ts';
import { capacityLimitWh, issueCertificates, type IntervalInput } from './registry/issuance.ts';
import type { BundleView } from './registry/bundles.ts';
import { queryBundles } from './registry/queries.ts';
import { registry, STATUSES, type BundleStatus } from './registry/tables.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PASSWORD = 'tally-demo-password';
/** Intervals per issuance call: a quarter of a year of one device's hours at most. */
const ISSUANCE_BATCH = 2_000;
/** The first `limit` rows of a listing; the demo world's listings fit in one page of 1,000. */
const firstPage = (limit = 1_000): PageRequest => pageRequest({ limit }, 'body');

const USERS = {
  admin: { email: 'admin@tally.example', name: 'Ada Admin', role: 'admin' },
  issuer: { email: 'issuer@tally.example', name: 'Ivo Issuer (issuing body)', role: 'issuer' },
  solar: { email: 'solar@tally.example', name: 'Sol Producer (Sunfield)', role: 'producer' },
  wind: { email: 'wind@tally.example', name: 'Vind Producer (Nordwind)', role: 'producer' },
  trader: { email: 'trader@tally.example', name: 'Tess Trader (Greenline)', role: 'trader' },
  auditor: { email: 'auditor@tally.example', name: 'Aud Auditor', role: 'auditor' },
} as const satisfies Record<string, { email: string; name: string; role: Role }>;
type DemoUser = keyof typeof USERS;

const ACCOUNTS = { solar: 'Sunfield Solar', wind: 'Nordwind Energy', trader: 'Greenline Trading' } as const;

type DeviceSpec = Omit<NewDevice, 'account_id'> & { owner: 'solar' | 'wind'; profile: (device: DeviceView, start: Date) => number };

const BENEFICIARY = 'Greenline Offices ApS';

// --- production profiles -----------------------------------------------------------------------

/** A uniform number in [0, 1) determined by (seed, n): the murmur3 finaliser, so profiles repeat across runs. */
function hashUnit(seed: number, n: number): number {
  let x = Math.imul(seed, 0x9e3779b1) ^ n;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** Sine of the sun's elevation at `t` (UTC) over a latitude and longitude in degrees. */
function sunElevationSine(latitude: number, longitude: number, t: Date): number {
  const rad = Math.PI / 180;
  const dayOfYear = (t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / DAY_MS;
  const declination = -23.44 * rad * Math.cos((2 * Math.PI * (dayOfYear + 10)) / 365);
  const solarHours = t.getUTCHours() + t.getUTCMinutes() / 60 + longitude / 15;
  const hourAngle = (solarHours - 12) * 15 * rad;
  return Math.sin(latitude * rad) * Math.sin(declination) + Math.cos(latitude * rad) * Math.cos(declination) * Math.cos(hourAngle);
}

/** The Wh a device may issue for one hour, clamped to the registry's own limit. */
function clampWh(device: DeviceView, wh: number): number {
  return Math.min(Math.floor(wh), capacityLimitWh(device.capacity, HOUR_MS));
}

/** Solar: the sun's elevation at mid-hour, dimmed by a cloud cover drawn once per day. */
function solarWh(device: DeviceView, start: Date): number {
  const sun = sunElevationSine(device.location.latitude, device.location.longitude, new Date(start.getTime() + HOUR_MS / 2));
  const clearness = 0.25 + 0.75 * hashUnit(device.id, Math.floor(start.getTime() / DAY_MS));
  return clampWh(device, device.capacity * 0.85 * Math.max(0, sun) ** 1.2 * clearness);
}

/** Wind speed (m/s): Weibull-distributed (scale 8, shape 2) knots every six hours, eased between. */
function windSpeed(seed: number, hourIndex: number): number {
  const knot = (k: number) => 8 * Math.sqrt(-Math.log(1 - hashUnit(seed, k)));
  const k = Math.floor(hourIndex / 6);
  const ease = (1 - Math.cos((Math.PI * (hourIndex % 6)) / 6)) / 2;
  return knot(k) * (1 - ease) + knot(k + 1) * ease;
}

/** Wind: a cubic power curve between cut-in (3 m/s) and rated speed (12 m/s), cut out above 25 m/s. */
function windWh(device: DeviceView, start: Date): number {
  const v = windSpeed(device.id, Math.floor(start.getTime() / HOUR_MS));
  const share = v < 3 || v > 25 ? 0 : Math.min(1, ((v - 3) / 9) ** 3);
  return clampWh(device, device.capacity * 0.97 * share);
}

const DEVICES: DeviceSpec[] = [
  {
    owner: 'solar', profile: solarWh,
    device_name: 'Sunfield solar park', technology_code: 'T010101', fuel_code: 'F01040100', capacity: 20_000_000,
    operational_date: '2019-05-01', country: 'DK', grid: 'DK2', location: { latitude: 55.35, longitude: 11.92 }, time_zone: 'Europe/Copenhagen',
    issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure', legal_status: 'Guarantee of Origin', support_received: 'none' },
  },
  {
    owner: 'wind', profile: windWh,
    device_name: 'Nordwind wind farm', technology_code: 'T020001', fuel_code: 'F01050100', capacity: 48_000_000,
    operational_date: '2016-09-15', country: 'DK', grid: 'DK1', location: { latitude: 56.02, longitude: 8.13 }, time_zone: 'Europe/Copenhagen',
    issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure', legal_status: 'Guarantee of Origin', support_received: 'feed-in premium' },
  },
];

// --- users, accounts, devices ------------------------------------------------------------------

type People = Record<DemoUser, Principal>;

/** Every demo user, created verified unless a user with that email exists; returns how many were new. */
async function ensureUsers(db: Db): Promise<{ people: People; created: number }> {
  const people = {} as People;
  let created = 0;
  for (const [key, spec] of Object.entries(USERS) as [DemoUser, (typeof USERS)[DemoUser]][]) {
    let user = await findUserByEmail(db, spec.email);
    if (!user) {
      user = (await createUser(db, { ...spec, password: PASSWORD, verified: true }, null)).user;
      created++;
    }
    people[key] = { userId: user.id, role: user.role, email: user.email };
  }
  return { people, created };
}

/** The owner's account of that name, created (with the owner as its first member) if missing. */
async function ensureAccount(db: Db, owner: Principal, name: string): Promise<number> {
  const mine = await listAccounts(db, owner, firstPage());
  return mine.items.find((a) => a.account_name === name)?.id ?? (await createAccount(db, owner, { account_name: name })).id;
}

async function ensureDevice(db: Db, owner: Principal, accountId: number, spec: DeviceSpec, certificateIdStart: number): Promise<DeviceView> {
  const existing = await listDevices(db, owner, { account_id: accountId }, firstPage());
  const found = existing.items.find((d) => d.device_name === spec.device_name);
  if (found) return found;
  const { owner: _owner, profile: _profile, ...input } = spec;
  return createDevice(db, owner, { ...input, account_id: accountId }, certificateIdStart);
}

// --- issuance ----------------------------------------------------------------------------------

/** Where a device's issued history ends: issuances are never changed, so this is where to resume. */
async function issuedUntil(db: Db, deviceId: number): Promise<number | undefined> {
  const row = await registry(db).selectFrom('issuances').select((eb) => eb.fn.max('production_ending_interval').as('end'))
    .where('device_id', '=', deviceId).executeTakeFirst();
  return row?.end ? new Date(row.end).getTime() : undefined;
}

/** Hourly intervals of [from, to) with their production; hours that produced nothing get no certificate. */
function productionHours(device: DeviceView, profile: DeviceSpec['profile'], from: number, to: number): IntervalInput[] {
  const intervals: IntervalInput[] = [];
  for (let t = from; t < to; t += HOUR_MS) {
    const start = new Date(t);
    const wh = profile(device, start);
    if (wh >= 1) intervals.push({ production_starting_interval: start.toISOString(), production_ending_interval: new Date(t + HOUR_MS).toISOString(), wh });
  }
  return intervals;
}

/** Issues the device's hours of the window not issued before, ISSUANCE_BATCH intervals per call; returns the bundles issued. */
async function issueWindow(db: Db, issuer: Principal, device: DeviceView, profile: DeviceSpec['profile'], window: { from: number; to: number }, lifetimeDays: number): Promise<number> {
  const from = Math.max(window.from, (await issuedUntil(db, device.id)) ?? window.from);
  const intervals = productionHours(device, profile, from, window.to);
  for (let i = 0; i < intervals.length; i += ISSUANCE_BATCH) {
    await issueCertificates(db, issuer, { device_id: device.id, intervals: intervals.slice(i, i + ISSUANCE_BATCH) }, lifetimeDays);
  }
  return intervals.length;
}

// --- the trading story -------------------------------------------------------------------------

interface Accounts { solar: number; wind: number; trader: number }

/** The first `n` active bundles of an account produced in the last week of the window. */
async function recentActive(db: Db, holder: Principal, accountId: number, windowEnd: number, n: number): Promise<BundleView[]> {
  const page = await queryBundles(db, holder, {
    source_id: accountId, certificate_bundle_status: 'active', certificate_period_start: new Date(windowEnd - 7 * DAY_MS).toISOString(),
  }, firstPage(n));
  if (page.items.length < n) throw new Error(`account ${accountId} holds fewer than ${n} recent active bundles; seed more --days`);
  return page.items;
}

/**
 * Moves certificates through every status a holder or issuer can give them: transfers (one split
 * in two), a cancellation for a beneficiary with its statement, a claim, a reservation, a lock and
 * a withdrawal. Returns the cancellation statement's id.
 */
async function tradingStory(db: Db, people: People, accounts: Accounts, windowEnd: number): Promise<number> {
  const [s1, s2, s3, s4] = await recentActive(db, people.solar, accounts.solar, windowEnd, 4) as [BundleView, BundleView, BundleView, BundleView];
  const [w1, w2, w3] = await recentActive(db, people.wind, accounts.wind, windowEnd, 3) as [BundleView, BundleView, BundleView];
  const sold = await performAction(db, people.solar, 'transfer', {
    source_id: accounts.solar, target_id: accounts.trader, granular_certificate_bundle_ids: [s1.id, s2.id],
    certificate_quantity: s1.bundle_quantity + Math.ceil(s2.bundle_quantity / 2),
  });
  const windSold = await performAction(db, people.wind, 'transfer', { source_id: accounts.wind, target_id: accounts.trader, granular_certificate_bundle_ids: [w1.id, w2.id] });
  const cancelled = await performAction(db, people.trader, 'cancel', {
    source_id: accounts.trader, granular_certificate_bundle_ids: [...sold.bundles, windSold.bundles[0]!].map((b) => b.id),
    beneficiary: BENEFICIARY, purpose: 'Scope 2 reporting with hourly matching',
  });
  const claimed = cancelled.bundles[0]!;
  await performAction(db, people.trader, 'claim', {
    source_id: accounts.trader, granular_certificate_bundle_ids: [claimed.id], consumer: BENEFICIARY, metering_point_id: '571313174115123456',
    period_start: claimed.production_starting_interval, period_end: claimed.production_ending_interval,
  });
  await performAction(db, people.solar, 'reserve', { source_id: accounts.solar, granular_certificate_bundle_ids: [s3.id] });
  await performAction(db, people.solar, 'lock', { source_id: accounts.solar, granular_certificate_bundle_ids: [s4.id] });
  await performAction(db, people.issuer, 'withdraw', { source_id: accounts.wind, granular_certificate_bundle_ids: [w3.id] });
  return cancelled.statement_id!;
}

/** Expires what is past its expiry date now, as the server's job would on its first round. */
async function expireDue(db: Db): Promise<void> {
  while ((await db.transaction().execute((trx) => expireBundles(trx, new Date()))) > 0);
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

export async function seedDemoWorld(db: Db, config: Config, opts: { days: number }): Promise<string> {
  if (!Number.isSafeInteger(opts.days) || opts.days < 1) throw badRequest('invalid_days', '--days must be a whole number, at least 1', 'days');
  const { people, created } = await ensureUsers(db);
  const accounts: Accounts = {
    solar: await ensureAccount(db, people.solar, ACCOUNTS.solar),
    wind: await ensureAccount(db, people.wind, ACCOUNTS.wind),
    trader: await ensureAccount(db, people.trader, ACCOUNTS.trader),
  };
  // Whitelisting is a no-op (and writes no event) for accounts already on the list.
  await updateWhitelist(db, people.trader, accounts.trader, { add: [accounts.solar, accounts.wind] });

  // The window ends at the last full hour: certificates are issued for production that has happened.
  const to = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const window = { from: to - opts.days * DAY_MS, to };
  const issued: string[] = [];
  for (const spec of DEVICES) {
    const device = await ensureDevice(db, people[spec.owner], accounts[spec.owner], spec, config.certificateIdStart);
    const count = await issueWindow(db, people.issuer, device, spec.profile, window, config.certificateLifetimeDays);
    issued.push(`${n(count)} for ${device.device_name} (device ${device.id})`);
  }

  // The story runs once: a trader account that already holds certificates has had it.
  const traded = (await queryBundles(db, people.trader, { source_id: accounts.trader }, firstPage(1))).items.length > 0;
  const statementId = traded ? undefined : await tradingStory(db, people, accounts, window.to);
  await expireDue(db);

  const byStatus = [...(await bundlesByStatus(db, people.auditor, accounts))].filter(([, c]) => c > 0).map(([s, c]) => `${n(c)} ${s}`);
  const logins = Object.values(USERS).map((u) => `${u.email} (${u.role})`).join(', ');
  return `Demo world ready: ${Object.keys(USERS).length} users (${created} new), accounts ${ACCOUNTS.solar} #${accounts.solar}, ${ACCOUNTS.wind} #${accounts.wind} and ${ACCOUNTS.trader} #${accounts.trader}, `
    + `${DEVICES.length} devices; hourly bundles issued now for the ${opts.days} days up to ${new Date(to).toISOString()}: ${issued.join(' and ')}. `
    + (statementId === undefined ? 'The trading story had already run. ' : `Transfers, a cancellation for ${BENEFICIARY} (statement ${statementId}), a claim, a reservation, a lock and a withdrawal done. `)
    + `Bundles by status: ${byStatus.join(', ')}. Log in at ${config.publicUrl}/docs as ${logins} with the password ${PASSWORD} (users that already existed keep theirs).`;
}
