// The community pages in a real browser: the manager clears a day from the page and moves matches'
// payment states, and the figures shown are the API's; a visitor reads the public community's
// statement, members' shares and flows, without the manager's tools.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { api, HOUR } from '../helpers/community.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

const DAY = Date.parse('2026-11-02T00:00:00Z');
const hours = Array.from({ length: 24 }, (_, h) => h);

describe.skipIf(uiSkipped !== undefined)('community pages', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let manager: { id: number; email: string; token: string };
  let id: number;
  const members: Record<string, number> = {};

  beforeAll(async () => {
    s = await startServer();
    manager = await s.user('trader', 'manager');
    const account = (
      await expectStatus(
        s.request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Cooperative' } }),
        201,
      )
    ).id;
    const a = api(s, manager, account);
    await a.point('ROOF', 'production');
    await a.point('HOME', 'consumption');
    // The roof gives 1,000 Wh an hour from 10:00 to 13:59; the home takes 400 Wh every hour.
    await a.readings(
      'ROOF',
      hours.map((h) => [DAY + h * HOUR, 60, h >= 10 && h < 14 ? 1000 : 0]),
    );
    await a.readings(
      'HOME',
      hours.map((h) => [DAY + h * HOUR, 60, 400]),
    );
    id = await a.community({ name: 'Rua Verde', interval_minutes: 60, time_zone: 'UTC', public: true });
    members.roof = (await a.member(id, { metering_point_id: 'ROOF', name: 'Roof', valid_from: '2026-11-01' })).id;
    members.home = (await a.member(id, { metering_point_id: 'HOME', name: 'Home', valid_from: '2026-11-01' })).id;
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const card = (title: string | RegExp) =>
    page.locator('.mantine-Card-root').filter({ has: page.getByRole('heading', { name: title }) });

  it("lets the manager clear a day from the page and shows the API's statement", async () => {
    await signInThroughPage(page, s.url, manager.email);
    await page.getByRole('link', { name: 'Communities' }).click();
    await page.getByRole('link', { name: 'Rua Verde' }).click();
    await page.getByRole('heading', { name: 'Rua Verde' }).waitFor();
    await page.getByLabel('Statement month').fill('2026-11');
    await page.getByLabel('Day of the flows').fill('2026-11-02');
    await card('Clearing').getByText('No interval of 2026-11-02 is cleared yet.').waitFor();
    await page.getByRole('button', { name: 'Clear 2026-11-02 now' }).click();
    await page.getByRole('status').filter({ hasText: '24 intervals cleared.' }).waitFor();
    await card('Clearing')
      .getByText('24 intervals of 2026-11-02 cleared, the last starting 2026-11-02 23:00 UTC.')
      .waitFor();

    // 400 Wh an hour from the roof to the home for four hours; the rest of the home's 9.6 kWh from the grid.
    const statement = await expectStatus(s.request('GET', `/api/communities/${id}/statements?month=2026-11`), 200);
    expect([statement.totals.from_peers_wh, statement.totals.savings]).toEqual([1600, 0.256]);
    const rows = card('Statement of 2026-11').getByRole('row');
    await rows.filter({ hasText: 'Home' }).waitFor();
    expect(await rows.filter({ hasText: 'Home' }).allTextContents()).toEqual([
      'Home1.6 kWh16.7 %0 Wh—8 kWh0 Wh€1.792€0.128',
    ]);
    expect(await rows.filter({ hasText: 'Roof' }).allTextContents()).toEqual([
      'Roof0 Wh—1.6 kWh40.0 %0 Wh2.4 kWh-€0.288€0.128',
    ]);
    expect(await card('Statement of 2026-11').getByText('€0.256').count()).toBe(1);
    const flows = page.getByRole('img', { name: /^24 cleared intervals:/ });
    expect(await flows.getAttribute('aria-label')).toBe(
      '24 cleared intervals: 1.6 kWh traded between members, 8 kWh from the grid, 2.4 kWh to the grid.',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'community-manager');
  });

  it("moves chosen matches' payment state, all or none, as the API allows", async () => {
    const payments = card('Payments of 2026-11-02');
    const matches = await expectStatus(
      s.request('GET', `/api/communities/${id}/matches?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z`),
      200,
    );
    const peer = matches.items.filter((m: any) => m.buyer !== null && m.seller !== null).map((m: any) => m.id);
    expect(peer).toHaveLength(4);
    // paid is not reachable from created: refused, and nothing moves.
    await payments.getByRole('checkbox', { name: `Match ${peer[0]}` }).check();
    await payments.getByLabel('New payment state').click();
    await page.getByRole('option', { name: 'paid', exact: true }).click();
    await payments.getByRole('button', { name: `Mark match ${peer[0]} as paid` }).click();
    await payments.getByRole('alert').waitFor();
    const states = async () =>
      (
        await expectStatus(
          s.request('GET', `/api/communities/${id}/matches?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z`),
          200,
        )
      ).items
        .filter((m: any) => peer.includes(m.id))
        .map((m: any) => m.state);
    expect(await states()).toEqual(['created', 'created', 'created', 'created']);

    await payments.getByRole('checkbox', { name: `Match ${peer[1]}` }).check();
    await payments.getByLabel('New payment state').click();
    await page.getByRole('option', { name: 'sent', exact: true }).click();
    await payments.getByRole('button', { name: `Mark matches ${peer[0]}, ${peer[1]} as sent` }).click();
    await payments.getByRole('status').filter({ hasText: '2 matches now sent.' }).waitFor();
    expect(await states()).toEqual(['sent', 'sent', 'created', 'created']);
  });

  it("shows a visitor the public statement and flows, without the manager's tools", async () => {
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${s.url}/communities`);
    await visitor.getByRole('link', { name: 'Rua Verde' }).click();
    await visitor.getByLabel('Statement month').fill('2026-11');
    await visitor.getByLabel('Day of the flows').fill('2026-11-02');
    await visitor.getByRole('img', { name: /^24 cleared intervals:/ }).waitFor();
    await visitor.getByRole('row').filter({ hasText: 'Roof' }).first().waitFor();
    expect(await visitor.getByRole('heading', { name: 'Clearing' }).count()).toBe(0);
    expect(await visitor.getByRole('heading', { name: /^Payments/ }).count()).toBe(0);
    expect(await visitor.getByRole('link', { name: 'The statement of 2026-11 as CSV' }).getAttribute('href')).toBe(
      `/api/communities/${id}/statements.csv?month=2026-11`,
    );
    expect(await seriousViolations(visitor)).toEqual([]);
    await photograph(visitor, 'community');
    await visitor.close();
  });
});
