// The administration page in a real browser against a real server. The issuing body issues a
// bundle for the producer's device after a confirmation naming the device, the account, the hour
// and the Wh, and the API then holds exactly that bundle in the producer's account; an issuance
// beyond the device's capacity is refused in the dialog in the API's words and changes nothing; the
// issuing body withdraws the bundle and the API shows it withdrawn, and turns automatic issuance on
// for the device. An administrator changes a user's role and the API answers with the new role. A
// producer has no entry to the page, and is told there is nothing for them on it. Every view passes
// axe and is photographed at two widths. Tokens live in memory, so after signing in the test moves
// only by the app's own links (and, for the producer, by the history a bookmark would push).
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';

interface Bundle {
  id: number;
  device_id: number;
  bundle_quantity: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  certificate_bundle_status: string;
  production_starting_interval: string;
  production_ending_interval: string;
}

const ALL_OR_NOTHING =
  'All or nothing: the registry refuses the whole issuance if an interval was issued before, has not ended, ' +
  "or holds more than the device's capacity (1 MW) × its length × 1.1.";

describe.skipIf(uiSkipped !== undefined)('administration page', () => {
  let s: TestServer;
  let w: World;
  let browser: Browser;
  let issued: Bundle;

  const emailOf = (u: object) => (u as { email?: string }).email!;
  /** The bundles the producer's account holds, as the producer queries them. */
  const held = async (): Promise<Bundle[]> =>
    (
      await expectStatus(
        s.request('POST', '/api/certificates/query', {
          token: w.producer.token,
          body: { source_id: w.producerAccount },
        }),
        200,
      )
    ).items;

  /** A fresh browser page at 1440 px, signed in as `email`, on the administration page when it is offered. */
  async function signedIn(email: string, open = true): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signInThroughPage(page, s.url, email);
    if (open) {
      await page.getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { name: 'Administration', level: 2 }).waitFor();
      // Off the link: axe would weigh the hovered link's colours, not the page's.
      await page.mouse.move(0, 0);
    }
    return page;
  }

  /** Fills interval 1 of the issuance form and opens its confirmation. */
  async function review(page: Page, start: string, wh: string) {
    const interval = page.getByRole('group', { name: 'Interval 1' });
    await interval.getByLabel('Starts (UTC)').fill(start);
    await interval.getByRole('textbox', { name: /^Wh metered/ }).fill(wh);
    await page.getByRole('button', { name: 'Review issuance' }).click();
    return page.getByRole('dialog', { name: 'Issue certificates' });
  }
  const words = (dialog: Locator) =>
    dialog.getByRole('region', { name: 'What will happen' }).locator('p').allTextContents();
  /** Axe on the page with the dialog open (seriousViolations waits for its fade-in to end). */
  const settledViolations = async (page: Page, dialog: Locator) => {
    await dialog.waitFor();
    return seriousViolations(page);
  };

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  describe('as the issuing body', () => {
    let page: Page;
    beforeAll(async () => {
      page = await signedIn(emailOf(w.issuer));
    }, 60_000);

    it('issues a bundle for the producer’s device after a confirmation naming the device, hour and Wh', async () => {
      expect(await page.getByRole('tab').allTextContents()).toEqual(['Issue', 'Withdraw', 'Automatic issuance']);
      await page.getByRole('combobox', { name: 'Device' }).click();
      await page.getByRole('option', { name: `Roof array (device ${w.device}, account ${w.producerAccount})` }).click();
      const interval = page.getByRole('group', { name: 'Interval 1' });
      await interval.getByLabel('Starts (UTC)').fill('2025-06-01T00:00');
      // The end follows the start by an hour.
      expect(await interval.getByLabel('Ends (UTC)').inputValue()).toBe('2025-06-01T01:00');
      await interval.getByRole('textbox', { name: /^Wh metered/ }).fill('750000');
      await page.getByText('Ready to review: one interval, 750,000 Wh.').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await photograph(page, 'admin-issuer');

      await page.getByRole('button', { name: 'Review issuance' }).click();
      const dialog = page.getByRole('dialog', { name: 'Issue certificates' });
      await expect
        .poll(() => words(dialog))
        .toEqual([
          `Issue 750,000 Wh for device ${w.device} (Roof array) into account ${w.producerAccount}, in one bundle:`,
          '2025-06-01 00:00–01:00 UTC: 750,000 Wh of at most 1,100,000 Wh.',
          ALL_OR_NOTHING,
        ]);
      expect(await settledViolations(page, dialog)).toEqual([]);
      await photograph(page, 'admin-issue-confirm');

      await dialog.getByRole('button', { name: 'Issue 750,000 Wh' }).click();
      const done = page.getByRole('status').filter({ hasText: 'Issued 750,000 Wh' });
      await done.waitFor();
      await dialog.waitFor({ state: 'hidden' });

      const bundles = await held();
      expect(bundles).toHaveLength(1);
      issued = bundles[0]!;
      expect([
        issued.device_id,
        issued.bundle_quantity,
        issued.certificate_bundle_status,
        issued.production_starting_interval,
        issued.production_ending_interval,
      ]).toEqual([w.device, 750_000, 'active', '2025-06-01T00:00:00.000Z', '2025-06-01T01:00:00.000Z']);
      expect(await done.textContent()).toContain(
        `Issued 750,000 Wh to account ${w.producerAccount}: bundle ${issued.id} ` +
          `(certificates ${issued.certificate_bundle_id_range_start}–${issued.certificate_bundle_id_range_end}).`,
      );
    });

    it('shows a refused issuance in the API’s words inside the dialog, and nothing changes', async () => {
      const events = await s.eventCount();
      // The device stays chosen after an issuance; 1,200,000 Wh in an hour is more than 1 MW × 1 h × 1.1.
      const dialog = await review(page, '2025-06-01T01:00', '1200000');
      await expect
        .poll(() => words(dialog))
        .toEqual([
          `Issue 1,200,000 Wh for device ${w.device} (Roof array) into account ${w.producerAccount}, in one bundle:`,
          '2025-06-01 01:00–02:00 UTC: 1,200,000 Wh of at most 1,100,000 Wh.',
          ALL_OR_NOTHING,
        ]);
      await dialog.getByRole('button', { name: 'Issue 1,200,000 Wh' }).click();
      const refusal = dialog.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.textContent()).toContain(
        "1200000 Wh exceeds the device's limit of 1100000 Wh for this interval (capacity × hours × 1.1)",
      );
      expect(await dialog.isVisible()).toBe(true);
      expect(await settledViolations(page, dialog)).toEqual([]);

      expect(await s.eventCount()).toBe(events);
      expect((await held()).map((b) => [b.id, b.bundle_quantity, b.certificate_bundle_status])).toEqual([
        [issued.id, 750_000, 'active'],
      ]);
      // Escape closes the dialog; the form keeps what was entered for a correction.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.getByRole('textbox', { name: /^Wh metered/ }).inputValue()).toBe('1,200,000');
    });

    it('withdraws the bundle after a confirmation naming it, its Wh and the account', async () => {
      await page.getByRole('tab', { name: 'Withdraw' }).click();
      await page.getByRole('combobox', { name: 'Account' }).click();
      await page.getByRole('option', { name: `Producer (account ${w.producerAccount})` }).click();
      await page.getByRole('button', { name: 'Show bundles' }).click();
      await page.getByText('1 bundle listed, 750,000 Wh.').waitFor();
      await page.getByRole('checkbox', { name: `Select bundle ${issued.id}` }).check();
      await page.getByText('1 bundle selected, 750,000 Wh.').waitFor();
      await page.mouse.move(0, 0);
      expect(await seriousViolations(page)).toEqual([]);
      await photograph(page, 'admin-withdraw');

      await page.getByRole('button', { name: 'Withdraw selected' }).click();
      const dialog = page.getByRole('dialog', { name: 'Withdraw certificates' });
      await expect
        .poll(() => words(dialog))
        .toEqual([
          `Withdraw bundle ${issued.id} (750,000 Wh, certificates ${issued.certificate_bundle_id_range_start}–` +
            `${issued.certificate_bundle_id_range_end}, produced 2025-06-01 00:00–01:00 UTC by device ${w.device}) ` +
            `from account ${w.producerAccount} (Producer).`,
          'Withdrawn certificates count for nothing: they can no longer be transferred, cancelled or claimed. ' +
            'Each withdrawn bundle can be re-issued once, by a re-issue that links to it.',
        ]);
      expect(await settledViolations(page, dialog)).toEqual([]);
      await dialog.getByRole('button', { name: 'Withdraw 750,000 Wh' }).click();
      const done = page.getByRole('status').filter({ hasText: 'Withdrew 750,000 Wh' });
      await done.waitFor();
      expect(await done.textContent()).toMatch(
        new RegExp(
          `Withdrew 750,000 Wh \\(bundle ${issued.id}\\) from account ${w.producerAccount}\\. Ledger event \\d+\\.`,
        ),
      );
      expect((await held()).map((b) => [b.id, b.bundle_quantity, b.certificate_bundle_status])).toEqual([
        [issued.id, 750_000, 'withdrawn'],
      ]);
      // Withdrawn is not a live status: the list no longer shows it.
      await page.getByText('No bundles match these filters.').waitFor();
    });

    it('turns automatic issuance on for the device, confirmed first', async () => {
      await page.getByRole('tab', { name: 'Automatic issuance' }).click();
      await page.getByRole('button', { name: 'Turn on automatic issuance for Roof array' }).click();
      const dialog = page.getByRole('dialog', { name: 'Automatic issuance' });
      await expect
        .poll(() => words(dialog))
        .toEqual([
          `Turn on automatic issuance for device ${w.device} (Roof array) of account ${w.producerAccount}.`,
          'The issuance job then issues each complete metered hour of its linked production metering points, ' +
            'on its next run and every run after.',
        ]);
      await dialog.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('status').filter({ hasText: 'Automatic issuance is now on' }).waitFor();
      const device = await expectStatus(s.request('GET', `/api/devices/${w.device}`, { token: w.issuer.token }), 200);
      expect(device.auto_issue).toBe(true);
      await page.getByRole('button', { name: 'Turn off automatic issuance for Roof array' }).waitFor();
      await page.mouse.move(0, 0);
      expect(await seriousViolations(page)).toEqual([]);
      await photograph(page, 'admin-issuance');
    });
  });

  it('lets an administrator change a user’s role, confirmed in words, and the API answers with it', async () => {
    const admin = await s.user('admin');
    const page = await signedIn(admin.email);
    expect(await page.getByRole('tab').allTextContents()).toEqual([
      'Users and roles',
      'Issue',
      'Withdraw',
      'Automatic issuance',
    ]);
    await page.getByRole('button', { name: 'Change role of outsider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change role' });
    await dialog.getByRole('combobox', { name: /^New role/ }).click();
    await page.getByRole('option', { name: 'Auditor' }).click();
    await expect
      .poll(() => words(dialog))
      .toEqual([
        `Change the role of outsider (${emailOf(w.outsider)}, user ${w.outsider.id}) from Trader to Auditor.`,
        'An auditor reads every account and acts on none.',
        'It takes effect at once, on their next request.',
      ]);
    expect(await settledViolations(page, dialog)).toEqual([]);
    await dialog.getByRole('button', { name: 'Make outsider auditor' }).click();
    await page.getByRole('status').filter({ hasText: 'is now auditor' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });

    const me = await expectStatus(s.request('GET', '/api/user/me', { token: w.outsider.token }), 200);
    expect(me.role).toBe('auditor');
    const users = await expectStatus(s.request('GET', '/api/users', { token: admin.token }), 200);
    expect(users.items.find((u: { id: number }) => u.id === w.outsider.id)?.role).toBe('auditor');
    await page.mouse.move(0, 0);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'admin-users');
  });

  it('offers a producer no entry to the page, and tells them there is nothing for them on it', async () => {
    const page = await signedIn(emailOf(w.producer), false);
    await page.getByRole('link', { name: 'Certificates' }).waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    // As a bookmark or an old link would: the address changes without a page load (which would sign out).
    await page.evaluate("history.pushState({}, '', '/admin'); dispatchEvent(new PopStateEvent('popstate'))");
    await page.getByRole('heading', { name: 'Administration', level: 2 }).waitFor();
    const told = page.getByRole('alert').filter({ hasText: 'Nothing to do here' });
    await told.waitFor();
    expect(await told.textContent()).toContain(
      `Administration is for administrators and the issuing body. You are signed in as ${emailOf(w.producer)} (Producer)`,
    );
    expect(await page.getByRole('tab').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Issue|Withdraw|Change role/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'admin-producer');
  });
});
