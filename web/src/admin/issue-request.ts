// An issuance as the issuing body enters it (a device, and intervals with their metered Wh), the
// request built from it, and the words of its confirmation, worded from that very request. Times
// are entered and shown in UTC, as the registry keeps them.
import type { Prepared } from '../components/confirm-modal';
import { utcInstant } from '../certificates/filter';
import type { Bundle } from '../certificates/types';
import { exactWh, idList, power, utcInterval } from '../format';
import type { Device } from '../metering/types';
import type { paths } from '../api/schema';

export type IssueBody = paths['/api/certificates/issue']['post']['requestBody']['content']['application/json'];

/** One interval as entered: datetime-local values read as UTC, and its Wh (unset until entered). */
export interface IntervalRow {
  start: string;
  end: string;
  wh?: number;
}

export interface IssueFields {
  deviceId?: number;
  rows: IntervalRow[];
}

const HOUR_MS = 3_600_000;
export const NO_ROW: IntervalRow = { start: '', end: '' };
export const NO_ISSUE: IssueFields = { rows: [NO_ROW] };

/** A datetime-local value moved by `ms`, as a datetime-local value (UTC); '' when it is no time. */
export function shifted(local: string, ms: number): string {
  const at = utcInstant(local);
  return at === undefined ? '' : new Date(Date.parse(at) + ms).toISOString().slice(0, 16);
}

/** The interval after `row`: from its end, as long as it (an hour when it is not a whole interval yet). */
export function nextRow(row: IntervalRow): IntervalRow {
  const start = utcInstant(row.start);
  const end = utcInstant(row.end);
  const length = start && end && end > start ? Date.parse(end) - Date.parse(start) : HOUR_MS;
  return end ? { start: row.end, end: shifted(row.end, length) } : NO_ROW;
}

/**
 * The request, or what is missing before it can be worded. Only what the words need is checked
 * here; every rule of issuance (capacity, the future, an hour issued before) is the API's to refuse.
 */
export function prepareIssue(fields: IssueFields): Prepared<IssueBody> {
  if (fields.deviceId === undefined) return { ok: false, missing: 'Choose the device that produced the energy.' };
  const intervals: IssueBody['intervals'] = [];
  for (const [i, row] of fields.rows.entries()) {
    const start = utcInstant(row.start);
    const end = utcInstant(row.end);
    if (!start) return { ok: false, missing: `Enter when interval ${i + 1} starts.` };
    if (!end) return { ok: false, missing: `Enter when interval ${i + 1} ends.` };
    if (row.wh === undefined) return { ok: false, missing: `Enter the Wh produced in interval ${i + 1}.` };
    intervals.push({ production_starting_interval: start, production_ending_interval: end, wh: row.wh });
  }
  if (intervals.length === 0) return { ok: false, missing: 'Add an interval.' };
  return { ok: true, request: { device_id: fields.deviceId, intervals } };
}

/** The most a device may issue for an interval: floor(capacity W × hours × 1.1), exactly, as the registry counts. */
export const limitWh = (capacityW: number, ms: number): number =>
  Number((BigInt(capacityW) * BigInt(ms) * 11n) / (BigInt(HOUR_MS) * 10n));

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/** The Wh a request issues in all. */
export const totalWh = (body: IssueBody): number => sum(body.intervals.map((i) => i.wh));

/** The confirmation's sentences: the device, the account credited, each interval's Wh and limit, the all-or-nothing rule. */
export function issueWords(body: IssueBody, device: Device): string[] {
  const n = body.intervals.length;
  const sorted = [...body.intervals].sort((a, b) =>
    a.production_starting_interval.localeCompare(b.production_starting_interval),
  );
  const limit = (i: IssueBody['intervals'][number]) =>
    limitWh(device.capacity, Date.parse(i.production_ending_interval) - Date.parse(i.production_starting_interval));
  return [
    `Issue ${exactWh(totalWh(body))} for device ${device.id} (${device.device_name}) ` +
      `into account ${device.account_id}, in ${n === 1 ? 'one bundle' : `${n} bundles, one per interval`}:`,
    ...sorted.map(
      (i) =>
        `${utcInterval(i.production_starting_interval, i.production_ending_interval)}: ${exactWh(i.wh)} ` +
        `of at most ${exactWh(limit(i))}.`,
    ),
    'All or nothing: the registry refuses the whole issuance if an interval was issued before, has not ended, ' +
      `or holds more than the device's capacity (${power(device.capacity)}) × its length × 1.1.`,
  ];
}

/** What the API answered it issued. */
export function issuedText(bundles: readonly Bundle[]): string {
  const [first] = bundles;
  if (!first) return 'Nothing was issued.';
  const wh = exactWh(sum(bundles.map((b) => b.bundle_quantity)));
  if (bundles.length === 1)
    return (
      `Issued ${wh} to account ${first.account_id}: bundle ${first.id} ` +
      `(certificates ${first.certificate_bundle_id_range_start}–${first.certificate_bundle_id_range_end}).`
    );
  return `Issued ${wh} to account ${first.account_id} in ${bundles.length} bundles (${idList(bundles.map((b) => b.id))}).`;
}
