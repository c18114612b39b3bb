// The public disclosure page in a real browser: the published list leads to the disclosure, whose
// score, heat map (read out hour by hour from the keyboard), downloads and ledger proof (verified in
// the browser) show what the API computes; a claim made on the certificates page changes what it shows.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, hour, issue, type World } from '../helpers/world.ts';

const CONSUMER = '571313174000000077';

describe.skipIf(uiSkipped !== undefined)('disclosure page', () => {
  let s: TestServer;
  let w: World;
  let browser: Browser;
  let page: Page;
  let disclosure: { id: string };
  const post = (path: string, token: string, body: unknown, status = 200) =>
    expectStatus(s.request('POST', path, { token, body }), status);

  /** Certificates of these hours issued, moved to the trader, cancelled and claimed for the consumer. */
  async function claim(hours: Array<[number, number]>): Promise<void> {
    const ids = (await issue(s, w, hours)).map((b) => b.id);
    const moved = { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: ids };
    await post('/api/certificates/transfer', w.producer.token, moved);
    const cancel = { source_id: w.traderAccount, granular_certificate_bundle_ids: ids, beneficiary: 'Trader' };
    const cancelled = (await post('/api/certificates/cancel', w.trader.token, cancel)).bundles;
    await post('/api/certificates/claim', w.trader.token, {
      source_id: w.traderAccount,
      granular_certificate_bundle_ids: cancelled.map((b: { id: number }) => b.id),
      certificate_quantity: hours.reduce((a, [, wh]) => a + wh, 0),
      metering_point_id: CONSUMER,
    });
  }

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    await post(
      '/api/metering-points',
      w.trader.token,
      { id: CONSUMER, type: 'consumption', account_id: w.traderAccount },
      201,
    );
    const readings = [
      [10, 1000],
      [11, 1000],
      [12, 500],
    ].map(([h, wh]) => ({
      interval_start_datetime: hour(h!).production_starting_interval,
      interval_end_datetime: hour(h!).production_ending_interval,
      interval_usage: wh,
    }));
    await post(`/api/metering-points/${CONSUMER}/readings`, w.trader.token, { readings });
    // 600 Wh of 10:00 and all 1,000 of 11:00: 1,600 of the 2,500 Wh consumed are matched.
    await claim([
      [10, 600],
      [11, 1000],
    ]);
    const period = { period_start: '2025-06-01T00:00:00Z', period_end: '2025-06-02T00:00:00Z' };
    disclosure = await post('/api/disclosures', w.trader.token, { metering_point_ids: [CONSUMER], ...period }, 201);
    await post('/api/ledger/seal', w.issuer.token, {});
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const figure = (label: string) =>
    page
      .locator('.mantine-Card-root')
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator('p')
      .last();

  it('leads from the published list to the disclosure, with the score and totals the API computes', async () => {
    await page.goto(`${s.url}/disclosures`);
    await page.getByRole('link', { name: '2025-06-01 to 2025-06-02' }).click();
    await page.getByRole('heading', { name: 'Disclosure', exact: true }).waitFor();
    await figure('Hourly matching score').getByText('64.0 %').waitFor();
    expect(await figure('Consumed').textContent()).toBe('2.5 kWh');
    expect(await figure('Claimed').textContent()).toBe('1.6 kWh');
    expect(await figure('Matched within the hour').textContent()).toBe('1.6 kWh');
    const csv = await page.getByRole('link', { name: 'The dataset as CSV, an hour a row' }).getAttribute('href');
    expect(csv).toBe(`/api/disclosures/${disclosure.id}/data.csv`);
    expect((await fetch(`${s.url}${csv}`)).status).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'disclosure');
  });

  it('reads the heat map out from the keyboard, hour by hour', async () => {
    const map = page.getByRole('img', { name: /A column per day from 2025-06-01 to 2025-06-01/ });
    await map.focus();
    for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowDown');
    const said = page.locator('[aria-live="polite"]').filter({ hasText: 'UTC' });
    expect(await said.textContent()).toBe('2025-06-01 10:00 UTC: 60.0 % matched, 600 Wh of 1 kWh consumed');
    await page.keyboard.press('ArrowDown');
    expect(await said.textContent()).toBe('2025-06-01 11:00 UTC: 100.0 % matched, 1 kWh of 1 kWh consumed');
    await page.keyboard.press('ArrowDown');
    expect(await said.textContent()).toBe('2025-06-01 12:00 UTC: 0.0 % matched, 0 Wh of 500 Wh consumed');
  });

  it('verifies in the browser the ledger event that published it', async () => {
    const dataset = await expectStatus(s.request('GET', `/api/disclosures/${disclosure.id}/data.json`), 200);
    await page.getByRole('button', { name: 'Verify on the ledger' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Verified' });
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(
      new RegExp(`^VerifiedEvent ${dataset.published_event_id} is leaf \\d+ of`),
    );
  });

  it('shows a claim made on the certificates page when the disclosure is next read', async () => {
    // 500 Wh of 12:00, moved to the trader and cancelled there: the trader claims it from the page.
    const [bundle] = await issue(s, w, [[12, 500]]);
    const moved = {
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      granular_certificate_bundle_ids: [bundle.id],
    };
    await post('/api/certificates/transfer', w.producer.token, moved);
    const cancel = { source_id: w.traderAccount, granular_certificate_bundle_ids: [bundle.id], beneficiary: 'Trader' };
    await post('/api/certificates/cancel', w.trader.token, cancel);

    const trader = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signInThroughPage(trader, s.url, (w.trader as { email?: string }).email!);
    await trader.getByRole('link', { name: 'Certificates' }).click();
    await trader.getByRole('checkbox', { name: `Select bundle ${bundle.id}` }).check();
    await trader
      .getByRole('group', { name: 'Actions on the selected bundles' })
      .getByRole('button', { name: 'Claim' })
      .click();
    const dialog = trader.getByRole('dialog', { name: 'Claim certificates' });
    await dialog.getByRole('textbox', { name: 'Consumption metering point id' }).fill(CONSUMER);
    const said = dialog.getByRole('region', { name: 'What will happen' });
    await said.getByText(CONSUMER, { exact: false }).first().waitFor();
    await dialog.getByRole('button', { name: 'Claim 500 Wh' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await trader.close();

    await page.reload();
    await figure('Hourly matching score').getByText('84.0 %').waitFor();
    expect(await figure('Matched within the hour').textContent()).toBe('2.1 kWh');
    const after = await expectStatus(s.request('GET', `/api/disclosures/${disclosure.id}/data.json`), 200);
    expect([after.claimed_wh, after.matched_wh, after.hourly_matching_score]).toEqual([2100, 2100, 0.84]);
  });
});
