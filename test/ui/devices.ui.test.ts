// The devices pages in a real browser against a real server: a producer finds its device and
// metering point, uploads a readings CSV (a refused row is shown with its row number and nothing is
// stored; the corrected file is accepted), sees the hours wait with their reasons, and, once the
// issuing body's issuance run has issued them, sees each hour issued with its bundle and exact Wh.
// Tokens live in memory, so after signing in the test moves only by the app's own links.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';

const POINT = '571313174000000001';
const HEADER = 'interval_start_datetime,interval_end_datetime,interval_usage,gross_net_indicator';
/** Hours of 30 November 2026 (the test server's clock stands at 1 December noon): four whole, one a quarter. */
const row = (from: string, to: string, wh: string) => `2026-11-30T${from}:00Z,2026-11-30T${to}:00Z,${wh},NET`;
const csv = (usage12: string) =>
  [
    HEADER,
    row('10:00', '11:00', '1000'),
    row('11:00', '12:00', '1500'),
    row('12:00', '13:00', usage12),
    row('13:00', '14:00', '800'),
    row('14:00', '14:15', '100'),
    '',
  ].join('\n');

describe.skipIf(uiSkipped !== undefined)('devices and metering points in the browser', () => {
  let s: TestServer;
  let w: World;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.producer.token,
        body: { id: POINT, type: 'production', account_id: w.producerAccount, grid_area: 'DK1' },
      }),
      201,
    );
    await expectStatus(
      s.request('PATCH', `/api/devices/${w.device}`, { token: w.producer.token, body: { metering_point_id: POINT } }),
      200,
    );
    // Only the issuing body turns automatic issuance on; its job (or its run now) then issues ready hours.
    await expectStatus(
      s.request('PATCH', `/api/devices/${w.device}`, { token: w.issuer.token, body: { auto_issue: true } }),
      200,
    );
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The hours table's rows as text, header first. */
  const hourRows = () =>
    page
      .getByRole('region', { name: 'Hours and their issuance' })
      .getByRole('table', { name: 'Hours' })
      .getByRole('row')
      .allTextContents();

  async function upload(text: string): Promise<void> {
    await page.locator('input[type="file"]').setInputFiles({
      name: 'readings.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(text),
    });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
  }

  it('lists the devices and metering points, each device leading to its hours', async () => {
    await signInThroughPage(page, s.url, (w.producer as { email?: string }).email!);
    await page.getByRole('link', { name: 'Devices and meters' }).click();
    await page.getByRole('heading', { name: 'Devices and meters' }).waitFor();
    const devices = page.getByRole('region', { name: 'Devices', exact: true });
    await devices.getByRole('link', { name: 'Roof array' }).waitFor();
    expect(await devices.getByRole('row').allTextContents()).toEqual([
      'DeviceTechnologyCapacityIssuance',
      'Roof arraySolar1 MWAutomatic',
    ]);
    const points = page.getByRole('region', { name: 'Metering points', exact: true });
    await points.getByRole('link', { name: 'Roof array' }).waitFor();
    expect(await points.getByRole('row').allTextContents()).toEqual([
      'Metering pointTypeFeedsGrid area',
      `${POINT}productionRoof arrayDK1`,
    ]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'devices');
  });

  it('upload readings and see the hours issue', async () => {
    await page.getByRole('region', { name: 'Devices', exact: true }).getByRole('link', { name: 'Roof array' }).click();
    await page.getByRole('heading', { name: 'Roof array' }).waitFor();
    await page.getByText(`Readings of metering point ${POINT}.`).waitFor();

    // One bad cell: the whole file is refused, its row named, nothing stored.
    await upload(csv('12x'));
    const refusal = page.getByRole('alert').filter({ hasText: 'Refused' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('row 4: interval_usage "12x" is not a whole number of Wh');
    const bar = page.getByRole('progressbar', { name: 'Upload progress' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByRole('status').filter({ hasText: 'Sent' }).textContent()).toBe('Sent 100 %');
    expect(
      await page.getByRole('table').filter({ hasText: 'Rows refused' }).getByRole('row').allTextContents(),
    ).toEqual(['RowColumnProblem', '4interval_usageinterval_usage "12x" is not a whole number of Wh']);
    const readings = () =>
      expectStatus(
        s.request('GET', `/api/metering-points/${POINT}/readings?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z`, {
          token: w.producer.token,
        }),
        200,
      );
    expect((await readings()).items).toEqual([]);

    // The corrected file: every row accepted, and the view moves to the day it covers.
    await upload(csv('1200'));
    await page.getByRole('status').filter({ hasText: 'Accepted 5 rows: 5 new, 0 revised, 0 unchanged.' }).waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByLabel('From (UTC)').inputValue()).toBe('2026-11-30');
    expect(await page.getByLabel('To (UTC, included)').inputValue()).toBe('2026-11-30');
    await expect
      .poll(hourRows)
      .toEqual([
        'HourMeteredIssuance',
        '2026-11-30 10:00 UTC1,000 WhPendingReady: the next issuance run issues it',
        '2026-11-30 11:00 UTC1,500 WhPendingReady: the next issuance run issues it',
        '2026-11-30 12:00 UTC1,200 WhPendingReady: the next issuance run issues it',
        '2026-11-30 13:00 UTC800 WhPendingReady: the next issuance run issues it',
        '2026-11-30 14:00 UTC100 WhPendingThe readings do not cover the whole hour',
      ]);
    expect((await readings()).items.map((r: any) => [r.interval_start_datetime, r.interval_usage])).toEqual([
      ['2026-11-30T10:00:00.000Z', 1000],
      ['2026-11-30T11:00:00.000Z', 1500],
      ['2026-11-30T12:00:00.000Z', 1200],
      ['2026-11-30T13:00:00.000Z', 800],
      ['2026-11-30T14:00:00.000Z', 100],
    ]);

    // The issuing body's run (what its periodic job does): the four whole hours issue, the quarter waits.
    expect(await expectStatus(s.request('POST', '/api/issuance/run', { token: w.issuer.token }), 200)).toEqual({
      bundles_issued: 4,
      wh_issued: 4_500,
      failed: [],
    });
    const bundles = (
      await expectStatus(
        s.request('POST', '/api/certificates/query', {
          token: w.producer.token,
          body: { source_id: w.producerAccount, device_id: w.device },
        }),
        200,
      )
    ).items.map((b: any) => [b.production_starting_interval, b.bundle_quantity, b.id]);
    expect(bundles.map(([start, wh]: [string, number]) => [start, wh])).toEqual([
      ['2026-11-30T10:00:00.000Z', 1000],
      ['2026-11-30T11:00:00.000Z', 1500],
      ['2026-11-30T12:00:00.000Z', 1200],
      ['2026-11-30T13:00:00.000Z', 800],
    ]);
    const id = (k: number) => bundles[k][2];

    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect
      .poll(hourRows)
      .toEqual([
        'HourMeteredIssuance',
        `2026-11-30 10:00 UTC1,000 WhIssued1,000 Wh · bundle ${id(0)}`,
        `2026-11-30 11:00 UTC1,500 WhIssued1,500 Wh · bundle ${id(1)}`,
        `2026-11-30 12:00 UTC1,200 WhIssued1,200 Wh · bundle ${id(2)}`,
        `2026-11-30 13:00 UTC800 WhIssued800 Wh · bundle ${id(3)}`,
        '2026-11-30 14:00 UTC100 WhPendingThe readings do not cover the whole hour',
      ]);
    await page.getByText('5 hours metered, 4.6 kWh in all; 4.5 kWh issued in 4 hours; 1 hour pending.').waitFor();
    await page.getByRole('img', { name: /^5 hours metered/ }).waitFor();

    // The filter, by keyboard: the pending hours only.
    await page.getByRole('radio', { name: 'Pending (1)' }).focus();
    await page.keyboard.press('Space');
    await expect
      .poll(hourRows)
      .toEqual(['HourMeteredIssuance', '2026-11-30 14:00 UTC100 WhPendingThe readings do not cover the whole hour']);
    await page.getByText('All (5)', { exact: true }).click();

    expect(await seriousViolations(page)).toEqual([]);
    // From the top: the header, fixed, would otherwise be drawn where the page was scrolled to.
    await page.evaluate('window.scrollTo(0, 0)');
    await photograph(page, 'device-hours');
  });
});
