// Automatic issuance in words: the hours that wait grouped by device and reason, what a run now
// would issue and what it did, and what switching a device's automatic issuance means.
import { exactWh, idList } from '../format';
import type { Device, PendingHour, PendingReason } from '../metering/types';
import type { paths } from '../api/schema';

export type RunResult = paths['/api/issuance/run']['post']['responses'][200]['content']['application/json'];

/** The hours of one device waiting for one reason. */
export interface PendingGroup {
  deviceId: number;
  reason: PendingReason;
  hours: number;
  wh: number;
  /** Start of the first hour and end of the last. */
  from: string;
  to: string;
}

/** The waiting hours by device, then reason (in the API's order of reasons), each group's span and Wh. */
export function groupPending(items: readonly PendingHour[]): PendingGroup[] {
  const groups = new Map<string, PendingGroup>();
  for (const h of items) {
    const key = `${h.device_id}/${h.reason}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        deviceId: h.device_id,
        reason: h.reason,
        hours: 1,
        wh: h.wh,
        from: h.production_starting_interval,
        to: h.production_ending_interval,
      });
      continue;
    }
    g.hours += 1;
    g.wh += h.wh;
    if (h.production_starting_interval < g.from) g.from = h.production_starting_interval;
    if (h.production_ending_interval > g.to) g.to = h.production_ending_interval;
  }
  return [...groups.values()].sort((a, b) => a.deviceId - b.deviceId || a.reason.localeCompare(b.reason));
}

/** What running issuance now would do, from the hours ready for it. */
export function runWords(items: readonly PendingHour[]): string[] {
  const ready = items.filter((h) => h.reason === 'ready');
  const devices = [...new Set(ready.map((h) => h.device_id))];
  const now =
    ready.length === 0
      ? 'No hour is ready now, so the run will most likely issue nothing.'
      : `Ready now: ${ready.length === 1 ? '1 hour' : `${ready.length} hours`}, ` +
        `${exactWh(ready.reduce((s, h) => s + h.wh, 0))}, of device${devices.length === 1 ? '' : 's'} ${idList(devices)}.`;
  return [
    'Run automatic issuance now: it issues every complete metered hour of each device with automatic issuance on, once.',
    now,
    'If the issuance job is running elsewhere at this moment, this run issues nothing; the job issues those hours itself.',
  ];
}

/** What the API answered the run did. */
export function runText(result: RunResult): string {
  const issued = `Issued ${result.bundles_issued} bundle${result.bundles_issued === 1 ? '' : 's'}, ${exactWh(result.wh_issued)}.`;
  return [issued, ...result.failed.map((f) => `Device ${f.device_id} was skipped: ${f.error}.`)].join(' ');
}

/** A switch of automatic issuance, as the PATCH sends it. */
export interface AutoIssueChange {
  id: number;
  auto_issue: boolean;
}

export function autoIssueWords(change: AutoIssueChange, device: Device): string[] {
  const of = `device ${device.id} (${device.device_name}) of account ${device.account_id}`;
  return change.auto_issue
    ? [
        `Turn on automatic issuance for ${of}.`,
        'The issuance job then issues each complete metered hour of its linked production metering points, ' +
          'on its next run and every run after.',
      ]
    : [
        `Turn off automatic issuance for ${of}.`,
        'Its metered hours then wait until the issuing body issues them on request or turns it on again.',
      ];
}
