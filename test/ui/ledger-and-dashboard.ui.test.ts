// The web UI in a real browser against a real server: the public ledger explorer verifies an event's
// inclusion proof in the browser (and refuses one the network altered), signing in leads to the
// holdings, and the server hands the app to a browser on any of its pages while API clients keep
// their problems. Each page passes axe without serious findings and is photographed at two widths.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

describe.skipIf(uiSkipped !== undefined)('web UI', () => {
  let s: TestServer;
  let w: World;
  let browser: Browser;
  let page: Page;
  let block: { event_ids: number[]; root: string };
  let producerEmail: string;

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    await issue(s, w, [
      [0, 1_000_000],
      [1, 1_000_000],
    ]);
    // The world's users come from TestServer.user, which names their email too.
    producerEmail = (w.producer as { email?: string }).email!;
    await expectStatus(s.request('POST', '/api/ledger/seal', { token: w.issuer.token }), 200);
    block = await expectStatus(s.request('GET', '/api/ledger/blocks/1'), 200);
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('serves the app to a browser on any of its pages, and problems to API clients', async () => {
    const html = await fetch(`${s.url}/ledger/blocks/1`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('<div id="root"></div>');
    const api = await fetch(`${s.url}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { code: string }).code).toBe('route_not_found');
    const client = await fetch(`${s.url}/no-page`, { headers: { accept: 'application/json' } });
    expect(client.status).toBe(404);
  });

  it('verifies an event of a sealed block in the browser, and refuses a proof altered on the way', async () => {
    await page.goto(`${s.url}/ledger`);
    await page.getByRole('link', { name: '1', exact: true }).click();
    await expect.poll(() => page.getByText(`Root ${block.root}`).count()).toBe(1);
    const first = block.event_ids[0]!;
    await page.getByRole('button', { name: String(first), exact: true }).click();
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Verified' });
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain(
      `Event ${first} is leaf 0 of the ${block.event_ids.length} in block 1`,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'ledger-block');

    // The server's proof, one sibling hash flipped in transit: the browser's own hashing catches it.
    await page.route('**/api/events/*/proof', async (route) => {
      const proof = await (await route.fetch()).json();
      proof.path[0] = proof.path[0].replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
      await route.fulfill({ json: proof });
    });
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    const refused = page.getByRole('status').filter({ hasText: 'Not verified' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain(`does not lead to block 1's root ${block.root}`);
    await page.unroute('**/api/events/*/proof');
  });

  it('signs in and shows the holdings of each account, by source and status', async () => {
    await page.goto(`${s.url}/dashboard`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'sign-in');
    await page.getByRole('textbox', { name: /^Email/ }).fill(producerEmail);
    await page.locator('input[autocomplete="current-password"]').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByRole('alert').filter({ hasText: 'Not signed in' }).waitFor();

    await page.locator('input[autocomplete="current-password"]').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The session lives in memory only: nothing a script could read back from the browser's storage.
    // (A string: this file is type-checked without the DOM's names.)
    const stored = await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]');
    expect(stored).toEqual([0, 0, '']);
    const producer = page.locator('.mantine-Card-root').filter({ hasText: 'Producer' });
    await producer.getByText('2 MWh in all (2,000,000 Wh)').waitFor();
    const row = producer.getByRole('row').filter({ hasText: 'active' });
    expect(await row.allTextContents()).toEqual([expect.stringMatching(/solar.*active\s*2\s*2 MWh/)]);
    // Both hours were produced on 1 June 2025: one day, then two hours.
    const chart = producer.getByRole('img', { name: /^Producer holds active certificates/ });
    expect(await chart.getAttribute('aria-label')).toBe(
      'Producer holds active certificates produced in 1 day: solar_pv 2 MWh.',
    );
    await producer.getByText('By hour').click();
    await producer
      .getByRole('img', { name: 'Producer holds active certificates produced in 2 hours: solar_pv 2 MWh.' })
      .waitFor();
    // The newest event first: the issuance, after the producer's account was made.
    const events = await expectStatus(
      s.request('GET', '/api/events?order=desc&limit=10', { token: w.producer.token }),
      200,
    );
    const latest = page.locator('.mantine-Card-root').filter({ hasText: 'Latest events' }).getByRole('row');
    await latest.nth(1).waitFor();
    const shown = (await latest.allTextContents()).slice(1);
    expect(shown.map((row, k) => row.startsWith(`${events.items[k].id}${events.items[k].type}`))).toEqual(
      events.items.map(() => true),
    );
    expect(events.items[0].type).toBe('certificates.issued');
    expect(await seriousViolations(page)).toEqual([]);
    // The active page's link stays readable under the pointer.
    await page.getByRole('link', { name: 'Dashboard' }).hover();
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'dashboard');
  });
});
