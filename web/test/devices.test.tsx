// The devices pages' logic: each hour's issuance state merged from readings, bundles and the
// pending list; the chart's points and words; the rows a refused upload names; the period; and the
// upload itself, its progress and its refusal, with XMLHttpRequest played by a fake.
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileUpload } from '../src/components/file-upload';
import { rowProblems } from '../src/components/row-errors';
import { power } from '../src/format';
import { issuanceMode } from '../src/metering/device-facts';
import { hourState } from '../src/metering/hour-state';
import { chartData, type Hour, hoursSummary, mergeHours } from '../src/metering/hours';
import { HoursTable } from '../src/metering/hours-table';
import { importSummary } from '../src/metering/import-summary';
import { csvSpan, lastDays, periodRange } from '../src/metering/period';
import type { Bundle, Device, PendingHour, Reading } from '../src/metering/types';
import { renderInApp } from './render';

const reading = (start: string, minutes: number, wh: number, bundle_ids: number[] = []): Reading => ({
  interval_start_datetime: start,
  interval_end_datetime: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
  interval_usage: wh,
  quality: 'measured',
  source: 'api',
  revision: 0,
  issued: bundle_ids.length > 0,
  bundle_ids,
});
const bundle = (id: number, start: string, quantity: number, status: Bundle['certificate_bundle_status']) =>
  ({
    id,
    production_starting_interval: start,
    bundle_quantity: quantity,
    certificate_bundle_status: status,
  }) as Bundle;
const pending = (start: string, wh: number, reason: PendingHour['reason']): PendingHour => ({
  device_id: 1,
  production_starting_interval: start,
  production_ending_interval: new Date(Date.parse(start) + 3_600_000).toISOString(),
  wh,
  reason,
});
const hour = (start: string, over: Partial<Hour>): Hour => ({
  start,
  metered: null,
  issuedWh: 0,
  bundleIds: [],
  elsewhere: false,
  withdrawnIds: [],
  kind: 'none',
  ...over,
});

const T = (h: number) => `2026-11-30T${String(h).padStart(2, '0')}:00:00.000Z`;
const FROM = '2026-11-30T00:00:00.000Z';
const TO = '2026-12-01T00:00:00.000Z';

describe("a device's hours", () => {
  const hours = mergeHours({
    readings: [
      // 10:00 from two points, issued as bundle 7 (the account's) and 9 (transferred away).
      reading(T(10), 30, 400, [7, 9]),
      reading('2026-11-30T10:30:00.000Z', 30, 600, [7, 9]),
      reading(T(11), 60, 1_500),
      reading(T(12), 60, 250),
      reading(T(13), 60, 0),
    ],
    bundles: [
      bundle(7, T(10), 700, 'active'),
      bundle(8, T(13), 5, 'withdrawn'),
      // An hour issued by hand with no reading in view.
      bundle(12, T(14), 900, 'cancelled'),
      bundle(11, T(14), 100, 'active'),
    ],
    pending: [
      pending(T(11), 1_500, 'ready'),
      pending(T(12), 250, 'incomplete_hour'),
      // Outside the period: left out.
      pending('2026-12-01T00:00:00.000Z', 10, 'ready'),
    ],
    from: FROM,
    to: TO,
  });

  it('merges readings, bundles and pending reasons into one state per hour', () => {
    expect(hours).toEqual([
      hour(T(10), { metered: 1_000, issuedWh: 700, bundleIds: [7, 9], elsewhere: true, kind: 'issued' }),
      hour(T(11), { metered: 1_500, kind: 'pending', reason: 'ready' }),
      hour(T(12), { metered: 250, kind: 'pending', reason: 'incomplete_hour' }),
      hour(T(13), { metered: 0, withdrawnIds: [8], kind: 'withdrawn' }),
      hour(T(14), { issuedWh: 1_000, bundleIds: [11, 12], kind: 'issued' }),
    ]);
  });

  it('words each state', () => {
    expect(hours.map(hourState)).toEqual([
      { label: 'Issued', detail: '700 Wh · bundles 7, 9 · some held by other accounts' },
      { label: 'Pending', detail: 'Ready: the next issuance run issues it' },
      { label: 'Pending', detail: 'The readings do not cover the whole hour' },
      { label: 'Withdrawn', detail: 'bundle 8 withdrawn by the issuing body' },
      { label: 'Issued', detail: '1,000 Wh · bundles 11, 12' },
    ]);
    expect(hourState(hour(T(1), { metered: 5 }))).toEqual({ label: 'Not issued', detail: '' });
  });

  it('charts every hour of the period, null where nothing is known, and says it in words', () => {
    const data = chartData(hours, FROM, TO);
    // The 24 hours of the period, each from its start.
    expect(data.times.length).toBe(24);
    expect([data.times[0], data.times[23]]).toEqual([Date.parse(FROM) / 1000, Date.parse(TO) / 1000 - 3600]);
    expect(data.metered.shown.slice(9, 16)).toEqual([null, 1_000, 1_500, 250, 0, null, null]);
    expect(data.metered.drawn.slice(9, 16)).toEqual([0, 1_000, 1_500, 250, 0, 0, 0]);
    expect(data.issued.shown.slice(9, 16)).toEqual([null, 700, 0, 0, 0, 1_000, null]);
    expect(data.issued.drawn.slice(9, 16)).toEqual([0, 700, 0, 0, 0, 1_000, 0]);
    expect(hoursSummary(hours)).toBe('4 hours metered, 2.75 kWh in all; 1.7 kWh issued in 2 hours; 2 hours pending.');
    expect(hoursSummary([])).toBe('No readings or certificates in this period.');
  });

  it('shows the hours a day a page, all or only the issued or pending ones', () => {
    const day = Array.from({ length: 30 }, (_, k) =>
      hour(new Date(Date.parse(FROM) + k * 3_600_000).toISOString(), {
        metered: 1_000 + k,
        ...(k % 10 === 0 ? { kind: 'issued', issuedWh: 1_000 + k, bundleIds: [k + 1] } : {}),
        ...(k % 10 === 1 ? { kind: 'pending', reason: 'auto_issue_off' } : {}),
      }),
    );
    renderInApp(<HoursTable hours={day} />);
    // A header row and 24 hours.
    expect(screen.getAllByRole('row').length).toBe(25);
    expect(screen.getAllByRole('row')[1]!.textContent).toBe('2026-11-30 00:00 UTC1,000 WhIssued1,000 Wh · bundle 1');
    fireEvent.click(screen.getByRole('radio', { name: 'Pending (3)' }));
    expect(screen.getAllByRole('row').map((r) => r.textContent)).toEqual([
      'HourMeteredIssuance',
      '2026-11-30 01:00 UTC1,001 WhPendingAutomatic issuance is off for this device',
      '2026-11-30 11:00 UTC1,011 WhPendingAutomatic issuance is off for this device',
      '2026-11-30 21:00 UTC1,021 WhPendingAutomatic issuance is off for this device',
    ]);
  });
});

describe('the rows a refused upload names', () => {
  it('reads the row and column of each field problem, without repeating the row in the message', () => {
    expect(
      rowProblems({
        code: 'invalid_reading',
        detail: 'row 5: interval_usage "12x" is not a whole number of Wh',
        errors: [
          { field: 'csv/row/5/interval_usage', message: 'row 5: interval_usage "12x" is not a whole number of Wh' },
        ],
      }),
    ).toEqual([{ row: 5, column: 'interval_usage', message: 'interval_usage "12x" is not a whole number of Wh' }]);
    expect(rowProblems({ errors: [{ field: 'csv/row/3', message: 'csv/row/2 and csv/row/3 overlap' }] })).toEqual([
      { row: 3, column: '', message: 'row 2 and row 3 overlap' },
    ]);
  });

  it('finds the row in the detail when only the detail names it, and none in a refusal of the whole upload', () => {
    expect(rowProblems({ detail: 'csv/row/4: 2026-11-30T10:00:00.000Z already has certificates (bundles 3)' })).toEqual(
      [{ row: 4, column: '', message: '2026-11-30T10:00:00.000Z already has certificates (bundles 3)' }],
    );
    expect(rowProblems({ detail: 'metering point X not found' })).toEqual([]);
    expect(rowProblems(undefined)).toEqual([]);
  });
});

describe('the period', () => {
  it('defaults to the last seven UTC days and asks the API for [first day, day after the last)', () => {
    expect(lastDays(new Date('2026-12-03T07:00:00Z'))).toEqual({ from: '2026-11-27', to: '2026-12-03' });
    expect(periodRange({ from: '2026-11-30', to: '2026-11-30' })).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(periodRange({ from: '2026-12-02', to: '2026-11-30' })).toEqual({
      error: 'The period ends before it starts.',
    });
    expect(periodRange({ from: '', to: '2026-11-30' })).toEqual({ error: 'Choose both days of the period.' });
    expect(periodRange({ from: '2025-01-01', to: '2026-01-01' })).toEqual({
      from: '2025-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
    expect(periodRange({ from: '2025-01-01', to: '2026-01-02' })).toEqual({ error: 'Choose at most 366 days.' });
  });

  it('moves to the days a readings file covers', () => {
    const csv =
      'interval_start_datetime,interval_end_datetime,interval_usage\n' +
      '2026-11-30T23:00:00Z,2026-12-01T00:00:00Z,5\n' +
      'not,a,row\n' +
      '2026-11-29T10:00:00Z,2026-11-29T10:15:00Z,7\n';
    expect(csvSpan(csv)).toEqual({ from: '2026-11-29', to: '2026-11-30' });
    expect(csvSpan('a,b\n1,2')).toBeUndefined();
  });
});

describe('words', () => {
  it('writes capacity, an accepted upload and how a device issues', () => {
    expect([power(800), power(1_000_000), power(2_500)]).toEqual(['800 W', '1 MW', '2.5 kW']);
    expect(importSummary({ inserted: 4, revised: 1, unchanged: 0 })).toBe(
      'Accepted 5 rows: 4 new, 1 revised, 0 unchanged.',
    );
    expect(importSummary({ inserted: 1, revised: 0, unchanged: 0 })).toBe(
      'Accepted 1 row: 1 new, 0 revised, 0 unchanged.',
    );
    const device = { auto_issue: false, decommissioned_at: null } as Device;
    expect(issuanceMode(device).label).toBe('By hand');
    expect(issuanceMode({ ...device, auto_issue: true }).label).toBe('Automatic');
    expect(issuanceMode({ ...device, decommissioned_at: '2026-11-01T00:00:00.000Z' }).detail).toBe(
      'Decommissioned 2026-11-01 00:00 UTC: nothing produced since is issued.',
    );
  });
});

/** XMLHttpRequest as the upload uses it, answering what the test says after reporting progress. */
class FakeXhr {
  static answer = { status: 200, text: '' };
  static sent: { method: string; url: string; headers: Record<string, string> } | undefined;
  upload: { onprogress?: (e: Partial<ProgressEvent>) => void; onload?: () => void } = {};
  onload?: () => void;
  onerror?: () => void;
  onabort?: () => void;
  status = 0;
  responseText = '';
  private request = { method: '', url: '', headers: {} as Record<string, string> };
  open(method: string, url: string) {
    this.request = { ...this.request, method, url };
  }
  setRequestHeader(name: string, value: string) {
    this.request.headers[name] = value;
  }
  abort() {}
  /** The request last sent, which the test moves on step by step: no timer decides what is seen when. */
  static current: FakeXhr | undefined;
  send() {
    FakeXhr.sent = this.request;
    FakeXhr.current = this;
  }
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ lengthComputable: true, loaded, total }));
  }
  finish() {
    act(() => {
      this.upload.onload?.();
      this.status = FakeXhr.answer.status;
      this.responseText = FakeXhr.answer.text;
      this.onload?.();
    });
  }
}

describe('an upload', () => {
  /** A readings upload to `url`, saying what an accepted one inserted. */
  const renderUpload = (url: string, onAccepted?: (body: { inserted: number }, file: File) => void) =>
    renderInApp(
      <FileUpload<{ inserted: number }>
        label="Readings file"
        description="CSV"
        accept=".csv"
        contentType="text/csv"
        url={url}
        accepted={(r) => `Accepted ${r.inserted}`}
        onAccepted={onAccepted}
      />,
    );

  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXhr.current = undefined;
  });

  it('sends the file as CSV, shows it all sent, then the rows the API refused', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    FakeXhr.answer = {
      status: 400,
      text: JSON.stringify({
        detail: 'row 3: interval_usage "x" is not a whole number of Wh',
        errors: [
          { field: 'csv/row/3/interval_usage', message: 'row 3: interval_usage "x" is not a whole number of Wh' },
        ],
      }),
    };
    renderUpload('/api/metering-points/P1/readings');
    const input = document.querySelector('input[type="file"]')!;
    fireEvent.change(input, { target: { files: [new File(['a,b\n'], 'readings.csv')] } });
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(FakeXhr.current).toBeDefined());
    FakeXhr.current!.progress(50, 100);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    FakeXhr.current!.finish();
    await screen.findByRole('alert');
    expect(screen.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('100');
    expect(FakeXhr.sent).toEqual({
      method: 'POST',
      url: '/api/metering-points/P1/readings',
      headers: { 'content-type': 'text/csv' },
    });
    expect(screen.getByRole('alert').textContent).toBe(
      'Refusedrow 3: interval_usage "x" is not a whole number of Wh — csv/row/3/interval_usage: row 3: interval_usage "x" is not a whole number of Wh',
    );
    expect(screen.getAllByRole('row').map((r) => r.textContent)).toEqual([
      'RowColumnProblem',
      '3interval_usageinterval_usage "x" is not a whole number of Wh',
    ]);
  });

  it("shows what an accepted upload changed, in the caller's words", async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    FakeXhr.answer = { status: 200, text: JSON.stringify({ inserted: 4 }) };
    const accepted = vi.fn();
    renderUpload('/api/readings', accepted);
    const file = new File(['a,b\n'], 'readings.csv');
    fireEvent.change(document.querySelector('input[type="file"]')!, { target: { files: [file] } });
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(FakeXhr.current).toBeDefined());
    FakeXhr.current!.finish();
    await screen.findByText('Accepted 4');
    expect(accepted).toHaveBeenCalledWith({ inserted: 4 }, file);
    expect(screen.getByRole('status').textContent).toBe('Sent 100 %');
  });
});
