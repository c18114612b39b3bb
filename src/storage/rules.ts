// What every storage record must satisfy before it is written: who may record for a storage
// device, and an interval that is real, over, and within one UTC hour (the hour certificates of the
// charge must come from, and the hour disclosures count an SD-GC at).
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { badRequest, conflict, unprocessable } from '../platform/errors.ts';
import { actionableAccount } from '../accounts/index.ts';
import { lockStorageDevice } from '../registry/index.ts';
import type { RecordStatus } from './tables.ts';

const HOUR_MS = 3_600_000;

/** Whether the principal is the issuing body (or an administrator), which records and withdraws for any device. */
export const issuingBody = (principal: Principal) => principal.role === 'issuer' || principal.role === 'admin';

/**
 * The storage device, locked for the transaction (every record of a device is written under this
 * lock, so no two requests allocate the same Wh), if the caller may record for it: the members of
 * its account, and the issuing body.
 */
export async function recordingDevice(trx: Db, principal: Principal, deviceId: number, field = 'body/device_id') {
  const device = await lockStorageDevice(trx, principal, deviceId, field);
  if (!issuingBody(principal)) await actionableAccount(trx, principal, device.account_id);
  return device;
}

/** A charge or discharge interval: start before end, ended by `now`, within one UTC hour. */
export function checkRecordInterval(
  start: Date,
  end: Date,
  now: Date,
  fields: { start: string; end: string },
): { start: Date; end: Date } {
  if (end <= start) throw badRequest('reversed_interval', 'the interval ends before it starts', fields.end);
  if (Math.floor(start.getTime() / HOUR_MS) !== Math.floor((end.getTime() - 1) / HOUR_MS))
    throw badRequest(
      'interval_across_hours',
      'a storage record lies within one UTC hour; split it by hour',
      fields.end,
    );
  if (end > now) throw unprocessable('future_interval', 'a storage record is of energy already metered', fields.end);
  return { start, end };
}

/** The UTC hour a time falls in, as its start in milliseconds. */
export const hourOf = (t: Date | string) => Math.floor(new Date(t).getTime() / HOUR_MS) * HOUR_MS;

/** Refuses to act further on a withdrawn record. */
export function checkActive(record: { id: number; status: RecordStatus }, what: 'charge' | 'discharge'): void {
  if (record.status !== 'active')
    throw conflict('record_withdrawn', `${what} record ${record.id} was withdrawn; nothing more is done with it`);
}
