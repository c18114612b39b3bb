// The certificates page in a real browser against a real server: the producer sees the issued
// bundles with their exact Wh, selects one and transfers part of it to the trader after a
// confirmation that names the bundle, the certificate ids, the Wh and the target; the API then
// shows exactly that split. A transfer to an account that has not whitelisted the producer is
// refused in the dialog in the API's words, and changes nothing. The page and the dialog pass axe
// and are photographed at two widths.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

interface Bundle {
  id: number;
  bundle_quantity: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  certificate_bundle_status: string;
}

describe.skipIf(uiSkipped !== undefined)('certificates page', () => {
  let s: TestServer;
  let w: World;
  let browser: Browser;
  let page: Page;
  let first: Bundle;
  let second: Bundle;

  /** The bundles `account` holds, as its member `token` queries them. */
  const held = async (account: number, token: string): Promise<Bundle[]> =>
    (await expectStatus(s.request('POST', '/api/certificates/query', { token, body: { source_id: account } }), 200))
      .items;
  const row = (id: number) =>
    page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Select bundle ${id}` }) });
  /** Once one bundle of 1,000,000 Wh is selected: its transfer dialog, with the target account entered. */
  async function transferTo(target: number) {
    await page.getByText('1 bundle selected, 1,000,000 Wh.').waitFor();
    await page
      .getByRole('group', { name: 'Actions on the selected bundles' })
      .getByRole('button', { name: 'Transfer' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Transfer certificates' });
    await dialog.getByRole('textbox', { name: /^Target account id/ }).fill(String(target));
    return dialog;
  }

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    [first, second] = await issue(s, w, [
      [0, 1_000_000],
      [1, 1_000_000],
    ]);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    // The world's users come from TestServer.user, which names their email too.
    await signInThroughPage(page, s.url, (w.producer as { email?: string }).email!);
    // Tokens live in memory: from here on only the app's own links, never a page load.
    await page.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('heading', { name: 'Certificates' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it("lists the account's bundles with their exact Wh, production hour and status", async () => {
    await page.getByText('2 bundles listed, 2,000,000 Wh.').waitFor();
    expect(await row(first!.id).textContent()).toMatch(
      new RegExp(`^${first!.id}1,000,000 WhActive2025-06-01 00:00–01:00 UTCSolar PV${w.device}1–1000000$`),
    );
    expect(await row(second!.id).textContent()).toContain('1,000,000 WhActive2025-06-01 01:00–02:00 UTC');
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'certificates');
  });

  it('transfers part of a bundle after a confirmation that says exactly what will happen', async () => {
    await page.getByRole('checkbox', { name: `Select bundle ${first!.id}` }).check();
    const dialog = await transferTo(w.traderAccount);
    await dialog.getByRole('textbox', { name: /^Wh to transfer/ }).fill('400000');
    const start = first!.certificate_bundle_id_range_start;
    const end = first!.certificate_bundle_id_range_end;
    const said = dialog.getByRole('region', { name: 'What will happen' }).locator('p');
    await expect
      .poll(() => said.allTextContents())
      .toEqual([
        `Transfer 400,000 Wh of bundle ${first!.id} (certificates ${start}–${start + 399_999}, split off as a new bundle) ` +
          `from account ${w.producerAccount} (Producer) to account ${w.traderAccount}.`,
        `Bundle ${first!.id} keeps the other 600,000 Wh (certificates ${start + 400_000}–${end}) ` +
          `in account ${w.producerAccount}, unchanged.`,
        `Account ${w.traderAccount} must have whitelisted account ${w.producerAccount}, or the registry refuses the transfer.`,
      ]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'certificates-confirm');

    await dialog.getByRole('button', { name: 'Transfer 400,000 Wh' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Transferred 400,000 Wh' });
    await done.waitFor();
    expect(await done.textContent()).toMatch(
      new RegExp(
        `Transferred 400,000 Wh \\(bundle \\d+\\) to account ${w.traderAccount}\\. ` +
          `Bundle ${first!.id} keeps 600,000 Wh\\. Ledger event \\d+\\.`,
      ),
    );
    await dialog.waitFor({ state: 'hidden' });

    // The trader holds exactly the lowest 400,000 ids; the producer keeps the rest and the other bundle.
    const trader = await held(w.traderAccount, w.trader.token);
    expect(
      trader.map((b) => [b.bundle_quantity, b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end]),
    ).toEqual([[400_000, start, start + 399_999]]);
    const producer = await held(w.producerAccount, w.producer.token);
    expect(producer.map((b) => [b.id, b.bundle_quantity])).toEqual([
      [first!.id, 600_000],
      [second!.id, 1_000_000],
    ]);
    // And the page lists what the account holds now.
    await page.getByText('2 bundles listed, 1,600,000 Wh.').waitFor();
    expect(await row(first!.id).textContent()).toContain('600,000 Wh');
  });

  it("refuses a transfer to an account that has not whitelisted the producer, in the API's words, changing nothing", async () => {
    const events = await s.eventCount();
    // By keyboard: Space on the row's checkbox.
    await page.getByRole('checkbox', { name: `Select bundle ${second!.id}` }).focus();
    await page.keyboard.press('Space');
    const dialog = await transferTo(w.outsiderAccount);
    await dialog.getByRole('button', { name: 'Transfer 1,000,000 Wh' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      `account ${w.outsiderAccount} does not accept transfers from account ${w.producerAccount}; ` +
        'it must add it to its whitelist',
    );
    expect(await dialog.isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    expect(await s.eventCount()).toBe(events);
    expect(await held(w.outsiderAccount, w.outsider.token)).toEqual([]);
    const kept = (await held(w.producerAccount, w.producer.token)).find((b) => b.id === second!.id);
    expect([kept?.bundle_quantity, kept?.certificate_bundle_status]).toEqual([1_000_000, 'active']);

    // Escape closes the dialog; the selection stays for another try.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('1 bundle selected, 1,000,000 Wh.').waitFor();
  });
});
