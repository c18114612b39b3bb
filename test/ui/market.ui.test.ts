// The forecasting market page in a real browser against a real server on the internal rail (no
// chain): a buyer whose plant follows seller A's a day later has had session 1 run, so its bid is
// confirmed and forecast; session 2 is open with two unpaid bids. The page shows the sessions'
// states, the bids' payment states (a payment the free balance cannot cover refused in the API's
// words, one it covers confirmed), the forecast as a chart with its q10–q90 band and hour by hour,
// and the balance and its transactions, each exactly as the API holds them.
// Tokens live in memory, so after signing in the test moves only by the app's own links and keys.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketRound, openMarket } from '../../src/market/index.ts';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { TEST_START } from '../helpers/clock.ts';
import { knownAnswerSeries } from '../helpers/market.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

const HOURS = 1440;
const HOUR_MS = 3_600_000;
/** As the page writes an amount: base units with thousands separators. */
const units = (amount: string) => BigInt(amount).toLocaleString('en');
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
/** A power as the page writes it, in a pattern: 45.401 W, 1.695 kW. */
const WATTS = '[0-9.,]+ k?W';

describe.skipIf(uiSkipped !== undefined)('the forecasting market page', () => {
  let s: TestServer;
  let buyer: { id: number; email: string; token: string };
  const resources: Record<string, string> = {};
  const bids: Record<'ran' | 'tooBig' | 'small', string> = { ran: '', tooBig: '', small: '' };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    s = await startServer({ TALLY_MARKET_SCHEDULE: 'manual' });
    const admin = await s.user('admin');
    const call = (method: string, path: string, token: string, body: unknown, status = 200) =>
      expectStatus(s.request(method, path, { token, body }), status);
    const start = TEST_START.getTime() - HOURS * HOUR_MS;
    const series = knownAnswerSeries(HOURS);
    for (const who of ['buyer', 'a', 'b'] as const) {
      const user = await s.user('producer', who);
      if (who === 'buyer') buyer = user;
      const name = `${who}-plant`;
      resources[name] = (
        await call('POST', '/api/market/resources', user.token, { name, type: 'measurements', to_forecast: true }, 201)
      ).id;
      const points = series[who].map((value, t) => ({ datetime: new Date(start + t * HOUR_MS).toISOString(), value }));
      await call('POST', `/api/market/resources/${resources[name]}/data`, user.token, {
        units: 'w',
        time_interval: 60,
        points,
      });
    }
    resources['buyer-spare'] = (
      await call(
        'POST',
        '/api/market/resources',
        buyer.token,
        { name: 'buyer-spare', type: 'measurements', to_forecast: true },
        201,
      )
    ).id;
    const bid = async (session: number, resource: string, maxPayment: string) =>
      (
        await call(
          'POST',
          '/api/market/bids',
          buyer.token,
          {
            session_id: session,
            resource_id: resource,
            bid_price: '10000000',
            max_payment: maxPayment,
            gain_func: 'rmse',
          },
          201,
        )
      ).id as string;
    const move = (session: number, status: string) =>
      call('PATCH', `/api/market/sessions/${session}`, admin.token, { status });

    // Session 1: the buyer, credited 2,000,000,000, bids at most 1,000,000,000 and pays; the run forecasts.
    await call('POST', '/api/market/sessions', admin.token, {}, 201);
    await move(1, 'open');
    await call('POST', `/api/market/balances/${buyer.id}/credit`, admin.token, { amount: '2000000000' });
    bids.ran = await bid(1, resources['buyer-plant']!, '1000000000');
    await call('POST', `/api/market/bids/${bids.ran}/payment`, buyer.token, {});
    await move(1, 'closed');
    await move(1, 'running');
    const market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });
    // Session 2, staged by the run, opens: one bid more than the balance covers, one it covers.
    await move(2, 'open');
    bids.tooBig = await bid(2, resources['buyer-plant']!, '5000000000');
    bids.small = await bid(2, resources['buyer-spare']!, '1000000');

    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
    await signInThroughPage(page, s.url, buyer.email);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const get = async (path: string) => expectStatus(s.request('GET', path, { token: buyer.token }), 200);
  /** The row of a table that holds this text. */
  const row = (text: string) => page.getByRole('row').filter({ hasText: text });

  it('shows the sessions with the states the API holds', async () => {
    await page.getByRole('link', { name: 'Forecasting market' }).click();
    await page.getByRole('heading', { name: 'Forecasting market' }).waitFor();
    const sessions = (await get('/api/market/sessions')).items as Array<{ id: number; status: string }>;
    expect(sessions.map((x) => [x.id, x.status])).toEqual([
      [2, 'open'],
      [1, 'finished'],
    ]);
    const region = page.getByRole('region', { name: 'Sessions' });
    await region.getByRole('row').nth(2).waitFor();
    const states = await region
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [r.querySelector('td p')?.textContent, r.querySelector('.mantine-Badge-label')?.textContent]),
      );
    expect(states).toEqual([
      ['2', 'Open'],
      ['1', 'Finished'],
    ]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'market');
  });

  it('moves to the bids from the keyboard and shows each payment state the API holds', async () => {
    await page.getByRole('tab', { name: 'Sessions' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('region', { name: 'Your bids' }).waitFor();
    expect(await page.getByRole('tab', { selected: true }).textContent()).toBe('Bids');
    const api = (await get('/api/market/bids')).items as Array<{ id: string; confirmed: boolean; tx_hash: null }>;
    expect(Object.fromEntries(api.map((b) => [b.id, [b.confirmed, b.tx_hash]]))).toEqual({
      [bids.ran]: [true, null],
      [bids.tooBig]: [false, null],
      [bids.small]: [false, null],
    });
    const state = (id: string) => row(id).locator('.mantine-Badge-label');
    await state(bids.ran).waitFor();
    expect(await state(bids.ran).textContent()).toBe('Confirmed');
    expect(await state(bids.tooBig).textContent()).toBe('Not paid');
    expect(await state(bids.small).textContent()).toBe('Not paid');
    // Each bid links its resource by name, which the page fetches beside the bids: wait for it.
    await row(bids.ran).getByRole('link', { name: 'buyer-plant' }).waitFor();
    expect(await row(bids.ran).getByRole('link', { name: 'buyer-plant' }).count()).toBe(1);
    expect(await row(bids.small).getByRole('link', { name: 'buyer-spare' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'market-bids');
    // On a phone each bid is a card of its values under their names: as accessible as the table.
    await page.setViewportSize({ width: 390, height: 900 });
    await page.getByRole('list', { name: 'Bids' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('table', { name: 'Bids' }).waitFor();
  });

  it('refuses a payment the free balance does not cover in the API’s words, and confirms one it covers', async () => {
    await page.getByRole('button', { name: `Pay bid ${bids.tooBig}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay for the bid' });
    await dialog.getByRole('button', { name: 'Pay', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    // The same request from here is refused the same way (a refusal changes nothing).
    const refusal = await expectStatus(
      s.request('POST', `/api/market/bids/${bids.tooBig}/payment`, { token: buyer.token, body: {} }),
      409,
    );
    expect(refusal.code).toBe('payment_refused');
    expect(await alert.textContent()).toBe(`Refused${refusal.detail}`);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'market-pay-refused');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: `Pay bid ${bids.small}` }).click();
    await dialog.getByRole('button', { name: 'Pay', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Bid ${bids.small}: confirmed.` })
      .waitFor();
    await row(bids.small).getByText('Confirmed', { exact: true }).waitFor();
    expect((await get(`/api/market/bids/${bids.small}`)).confirmed).toBe(true);
    expect(await row(bids.tooBig).locator('.mantine-Badge-label').textContent()).toBe('Not paid');
  });

  it('draws the forecast of session 1 with its q10–q90 band, and lists it hour by hour', async () => {
    await row(bids.ran).getByRole('link', { name: 'Forecast of session 1' }).click();
    await page.getByRole('heading', { name: 'buyer-plant' }).waitFor();
    const forecasts = (await get(`/api/market/forecasts?resource_id=${resources['buyer-plant']}&session_id=1`))
      .items as Array<{ datetime: string; q10: number; q50: number; q90: number }>;
    expect(forecasts).toHaveLength(24);
    const figure = page.getByRole('figure', { name: 'Forecast of buyer-plant made in session 1 (UTC)' });
    const chart = figure.getByRole('img');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toMatch(
      new RegExp(
        `^buyer-plant, session 1: 24 forecast hours from ${utc(forecasts[0]!.datetime)} to ` +
          `${utc(forecasts[23]!.datetime)}\\. The median \\(q50\\) runs from ${WATTS} to ${WATTS}; the band from q10 to q90 is shaded\\.$`,
      ),
    );
    expect(await figure.locator('canvas').count()).toBe(1);
    // uPlot's legend names the band's edges and the median it drew.
    expect(await figure.locator('.u-legend .u-label').allTextContents()).toEqual([
      'Start',
      'q90',
      'Median (q50)',
      'q10',
    ]);
    const hours = page.getByRole('table', { name: 'Forecast hour by hour' }).locator('tbody tr td:first-child');
    // Each hour by its time, the date over the first hour of each day.
    expect(await hours.allTextContents()).toEqual(
      forecasts.map((f, i) => {
        const [date, time] = [f.datetime.slice(0, 10), f.datetime.slice(11, 16)];
        return i === 0 || time === '00:00' ? `${date}${time}` : time;
      }),
    );
    expect(await page.getByRole('combobox', { name: 'Forecast made in session' }).inputValue()).toBe('1');
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'market-forecast');
  });

  it('shows the resources, and the balance and its transactions as the API holds them', async () => {
    await page.getByRole('link', { name: 'All your resources' }).click();
    await page.getByRole('region', { name: 'Your resources' }).waitFor();
    await row('buyer-spare').waitFor();
    expect(await row('buyer-plant').locator('td').nth(1).textContent()).toBe(
      'Measurements, forecast for you; uploaded series',
    );
    await page.getByRole('tab', { name: 'Balance' }).click();
    const [balance] = (await get('/api/market/balances')).items;
    const balanceRow = page.getByRole('region', { name: 'Balance' }).locator('tbody tr');
    await balanceRow.waitFor();
    expect(await balanceRow.locator('td').allTextContents()).toEqual([
      units(balance.balance),
      units('2000000000'),
      units(balance.total_payment),
      '0',
      '0',
      utc(balance.updated_at),
    ]);
    expect(BigInt(balance.balance)).toBe(2_000_000_000n - BigInt(balance.total_payment));
    const transactions = (await get('/api/market/transactions')).items as Array<{
      transaction_type: string;
      amount: string;
      session_id: number | null;
    }>;
    expect(transactions.map((t) => t.transaction_type)).toEqual(['payment', 'transfer_in']);
    const movements = page.getByRole('region', { name: 'Transactions' }).locator('tbody tr');
    await movements.first().waitFor();
    expect(
      await movements.evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
      ),
    ).toEqual([
      ['Paid for a forecast', '1', 'buyer-plant', units(transactions[0]!.amount)],
      ['Paid in', '—', '—', units('2000000000')],
    ]);
    await page
      .getByRole('region', { name: 'Payouts' })
      .getByText(/^No payout yet/)
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'market-balance');
  });
});
