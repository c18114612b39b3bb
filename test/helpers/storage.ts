// A storage device for the registry world: a battery in the trader's account, with issuance
// metadata so it can issue SD-GCs; and the calls that record its charge and discharge.
import type { TestServer } from './server.ts';
import { hour, registerDevice, type World } from './world.ts';

/** Registered by the issuing body (a trader registers no devices) in `account`, the trader's by default. */
export async function storageDevice(s: TestServer, w: World, account = w.traderAccount) {
  return registerDevice(s, w.issuer.token, {
    device_name: 'Battery',
    account_id: account,
    device_type: 'storage',
    energy_source: 'battery_storage',
    capacity: 2_000_000,
    location: { latitude: 55.7, longitude: 12.6 },
  });
}

/** The hour `n` hours after 2025-06-01 as a charge or discharge interval. */
export function charging(n: number) {
  const h = hour(n);
  return {
    charging_start_datetime: h.production_starting_interval,
    charging_end_datetime: h.production_ending_interval,
  };
}
export function discharging(n: number) {
  const h = hour(n);
  return {
    discharging_start_datetime: h.production_starting_interval,
    discharging_end_datetime: h.production_ending_interval,
  };
}
