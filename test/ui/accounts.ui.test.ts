// The accounts pages in a real browser against a real server. The owner whitelists another
// account from the page and the API then holds exactly that id; a refused change (an account that
// does not exist) shows the API's words and changes nothing; a whitelisted account is removed after
// a confirmation. An API key made on the page is shown once and works against the API until it is
// revoked on the page. A member invites a user by email, and that user, signed in elsewhere,
// accepts on the page and is a member. Every page passes axe and is photographed at two widths.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

describe.skipIf(uiSkipped !== undefined)('accounts pages', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let owner: { id: number; email: string; token: string };
  let invitee: { id: number; email: string; token: string };
  let solar: number;
  let trader: number;

  const accepted = async () =>
    (await expectStatus(s.request('GET', `/api/accounts/${solar}/whitelist`, { token: owner.token }), 200))
      .accepts_from;
  const whitelisted = () =>
    page.getByRole('list', { name: 'Accounts whose transfers it accepts' }).getByRole('listitem').allTextContents();
  /** Goes to a page by the navigation's link, then takes the pointer off it (axe would weigh the hovered link). */
  const open = async (p: Page, link: string, heading: string) => {
    await p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: link }).click();
    await p.getByRole('heading', { name: heading, level: 2 }).waitFor();
    await p.mouse.move(0, 0);
  };

  beforeAll(async () => {
    s = await startServer();
    owner = await s.user('producer', 'owner');
    const other = await s.user('trader', 'other');
    invitee = await s.user('trader', 'invitee');
    const create = async (token: string, account_name: string) =>
      (await expectStatus(s.request('POST', '/api/accounts', { token, body: { account_name } }), 201)).id as number;
    solar = await create(owner.token, 'Solar');
    trader = await create(other.token, 'Trader');
    await create(invitee.token, 'Invitee Co');
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    // Tokens live in memory: from here on only the app's own links, never a page load.
    await signInThroughPage(page, s.url, owner.email);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('whitelists an account from the page, and the API then holds exactly that id', async () => {
    await open(page, 'Accounts', 'Accounts');
    await page.getByRole('link', { name: 'Solar' }).click();
    await page.getByRole('heading', { name: 'Solar', level: 2 }).waitFor();
    await page.getByText('No account: every transfer into Solar is refused until you add one.').waitFor();
    await page.getByRole('textbox', { name: 'Account ids to accept transfers from' }).fill(String(trader));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Added account ${trader}.` })
      .waitFor();
    expect(await whitelisted()).toEqual([`Account ${trader}Remove`]);
    expect(await accepted()).toEqual([trader]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'account');
  });

  it('shows a refused change in the API’s words, and changes nothing', async () => {
    const events = await s.eventCount();
    await page.getByRole('textbox', { name: 'Account ids to accept transfers from' }).fill('999999');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Refusedaccount 999999 not found');
    expect(await whitelisted()).toEqual([`Account ${trader}Remove`]);
    expect(await accepted()).toEqual([trader]);
    expect(await s.eventCount()).toBe(events);
  });

  it('removes an account from the whitelist only once the dialog is confirmed', async () => {
    await page.getByRole('button', { name: `Remove account ${trader} from the whitelist` }).click();
    let dialog = page.getByRole('dialog', { name: 'Remove from the whitelist' });
    await dialog.getByText(`Stop accepting transfers from account ${trader} into Solar (account ${solar}).`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await accepted()).toEqual([trader]);

    await page.getByRole('button', { name: `Remove account ${trader} from the whitelist` }).click();
    dialog = page.getByRole('dialog', { name: 'Remove from the whitelist' });
    await dialog.getByRole('button', { name: `Remove account ${trader}` }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('No account: every transfer into Solar is refused until you add one.').waitFor();
    expect(await accepted()).toEqual([]);
  });

  it('shows a new API key once; the key works against the API until revoked on the page', async () => {
    await open(page, 'Accounts', 'Accounts');
    await page
      .getByRole('navigation', { name: 'Accounts and API keys' })
      .getByRole('link', { name: 'API keys' })
      .click();
    await page.getByRole('heading', { name: 'API keys', level: 2 }).waitFor();
    await page.getByText('You have no API key.').waitFor();
    await page.getByRole('textbox', { name: 'What the key is for' }).fill('meter uploader');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'Your new key “meter uploader”' });
    await shown.getByText('Copy it now: it will not be shown again. Tally keeps only a digest of it.').waitFor();
    const secret = (await shown.locator('code').first().textContent()) ?? '';
    expect(secret).toMatch(/^tly_/);
    const me = await expectStatus(s.request('GET', '/api/user/me', { token: secret }), 200);
    expect(me.id).toBe(owner.id);
    // Listed by the first characters the API keeps of it, never the whole key.
    const [listed] = (await expectStatus(s.request('GET', '/api/api-keys', { token: owner.token }), 200)).items;
    expect(secret.startsWith(listed.prefix)).toBe(true);
    const row = page.getByRole('row').filter({ hasText: 'meter uploader' });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe(`${listed.prefix}…`);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'api-keys');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    // The page renders again after the click: wait for the key to leave it, then hold that it is gone.
    await page.getByText(secret).waitFor({ state: 'detached' });
    expect(await page.getByText(secret).count()).toBe(0);

    await row.getByRole('button', { name: 'Revoke meter uploader' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke an API key' });
    await dialog.getByRole('button', { name: 'Revoke meter uploader' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText(/^Revoked /).waitFor();
    expect((await s.request('GET', '/api/user/me', { token: secret })).status).toBe(401);
  });

  it('invites a user by email, who accepts on the page elsewhere and becomes a member', async () => {
    await open(page, 'Accounts', 'Accounts');
    await page.getByRole('link', { name: 'Solar' }).click();
    await page.getByRole('textbox', { name: 'Email or user id' }).fill(invitee.email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `made for ${invitee.email}: they join Solar when they accept it under Accounts.` })
      .waitFor();

    const elsewhere = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signInThroughPage(elsewhere, s.url, invitee.email);
    await open(elsewhere, 'Accounts', 'Accounts');
    const invitations = elsewhere.getByRole('region', { name: 'Invitations' });
    await invitations.getByText(`Account ${solar}, invited by user ${owner.id} on `).waitFor();
    expect(await seriousViolations(elsewhere)).toEqual([]);
    await photograph(elsewhere, 'accounts');
    await invitations.getByRole('button', { name: `Accept the invitation to account ${solar}` }).click();
    await elsewhere
      .getByRole('status')
      .filter({ hasText: `You are a member of account ${solar} now.` })
      .waitFor();
    await elsewhere.getByRole('link', { name: 'Solar' }).waitFor();
    const members = await expectStatus(s.request('GET', `/api/accounts/${solar}/members`, { token: owner.token }), 200);
    expect(members.items.map((m: any) => m.user_id)).toEqual([owner.id, invitee.id]);
    expect(await elsewhere.getByRole('table', { name: 'Accounts' }).getByRole('link').allTextContents()).toEqual([
      'Solar',
      'Invitee Co',
    ]);
    await elsewhere.close();
  });
});
