// The registry the benchmarks work on, built through Tally's own functions: an issuer, a producer
// account holding every benchmarked device, a trader account that accepts its transfers, and a
// baseline account whose twin devices receive the rows the COPY baseline loads.
import type { Config } from '../src/platform/config.ts';
import type { Db } from '../src/platform/database.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Principal } from '../src/identity/principal.ts';
import type { Role } from '../src/identity/tables.ts';
import { createUser } from '../src/identity/users.ts';
import { createAccount, updateWhitelist } from '../src/accounts/index.ts';
import { createDevice } from '../src/registry/devices.ts';
import type { IntervalInput } from '../src/registry/schemas.ts';

const HOUR_MS = 3_600_000;
export const PASSWORD = 'bench-password-0123';
/** 100 kW: up to 110,000 Wh per hour. */
const CAPACITY_W = 100_000;
/** The history a device gets; runs of 200,000 to 1,000,000 bundles spread over 20 to 100 devices. */
const HOURS_PER_DEVICE = 10_000;

export interface BenchWorld {
  issuer: Principal;
  producer: Principal;
  trader: Principal;
  producerAccount: number;
  traderAccount: number;
  baselineAccount: number;
  /** Ids of the devices issued to through the registry, in the producer account. */
  devices: number[];
  /** One per device, same position: where the COPY baseline puts its copy of that device's rows. */
  twins: number[];
}

async function user(db: Db, role: Role): Promise<Principal> {
  const email = `${role}@bench.tally.example`;
  const { user: u } = await createUser(
    db,
    { email, password: PASSWORD, name: `Bench ${role}`, role, verifiedAt: systemClock.now() },
    null,
  );
  return { userId: u.id, role: u.role, email: u.email };
}

/** Even devices are solar, odd ones wind, so energy-source filters select half of them. */
async function addDevices(
  db: Db,
  issuer: Principal,
  accountId: number,
  count: number,
  certificateIdStart: number,
): Promise<number[]> {
  const devices: number[] = [];
  for (let i = 0; i < count; i++) {
    const codes =
      i % 2 === 0
        ? { technology_code: 'T010101', fuel_code: 'F01040100' }
        : { technology_code: 'T020001', fuel_code: 'F01050100' };
    const d = await createDevice(
      db,
      issuer,
      {
        device_name: `Bench device ${accountId}-${i}`,
        account_id: accountId,
        ...codes,
        capacity: CAPACITY_W,
        operational_date: '2015-01-01',
        country: 'DK',
        grid: 'DK1',
        location: { latitude: 56, longitude: 9 },
        time_zone: 'Europe/Copenhagen',
        issuance_metadata: { issuing_body: 'Bench issuing body' },
      },
      certificateIdStart,
    );
    devices.push(d.id);
  }
  return devices;
}

export const deviceCountFor = (bundles: number) => Math.min(100, Math.max(20, Math.ceil(bundles / HOURS_PER_DEVICE)));

export async function buildWorld(db: Db, config: Config, deviceCount: number): Promise<BenchWorld> {
  const issuer = await user(db, 'issuer');
  const producer = await user(db, 'producer');
  const trader = await user(db, 'trader');
  const producerAccount = (await createAccount(db, producer, { account_name: 'Bench producer' })).id;
  const traderAccount = (await createAccount(db, trader, { account_name: 'Bench trader' })).id;
  const baselineAccount = (await createAccount(db, issuer, { account_name: 'Bench COPY baseline' })).id;
  await updateWhitelist(db, trader, traderAccount, { add: [producerAccount] });
  return {
    issuer,
    producer,
    trader,
    producerAccount,
    traderAccount,
    baselineAccount,
    devices: await addDevices(db, issuer, producerAccount, deviceCount, config.certificateIdStart),
    twins: await addDevices(db, issuer, baselineAccount, deviceCount, config.certificateIdStart),
  };
}

/** One issuance call: `hours` consecutive hours of one device from `start` (ms). */
export interface IssuanceCall {
  device: number;
  start: number;
  hours: number;
}

/** Each device's history: the same number of hours, ending at `end`. */
export function history(total: number, devices: number, end: number): { start: number; hours: number } {
  const hours = Math.ceil(total / devices);
  return { start: end - hours * HOUR_MS, hours };
}

/**
 * Spreads `total` hourly bundles over the devices, at most `batch` intervals per call, ordered
 * batch by batch across devices, as a registry issuing for many meters would interleave them.
 */
export function issuancePlan(total: number, devices: number, batch: number, end: number): IssuanceCall[] {
  const { start, hours: perDevice } = history(total, devices, end);
  const calls: IssuanceCall[] = [];
  for (let first = 0; first < perDevice; first += batch) {
    for (let device = 0; device < devices; device++) {
      const hours = Math.min(batch, perDevice - first, total - device * perDevice - first);
      if (hours > 0) calls.push({ device, start: start + first * HOUR_MS, hours });
    }
  }
  return calls;
}

export function intervalsOf(call: IssuanceCall): IntervalInput[] {
  return Array.from({ length: call.hours }, (_, k) => {
    const start = call.start + k * HOUR_MS;
    return {
      production_starting_interval: new Date(start).toISOString(),
      production_ending_interval: new Date(start + HOUR_MS).toISOString(),
      // At least 1,000 Wh, so every bundle can be split; well under the 110,000 Wh limit.
      wh: 1_000 + ((call.device * 7_919 + (start / HOUR_MS) * 104_729) % 99_000),
    };
  });
}
