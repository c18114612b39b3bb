// The publications page in a real browser against a real server and a free reference storage
// provider registered with its uploader. A disclosure published through the API is listed for a
// visitor with its status, its CID and its SHA-256 exactly as the API has them, and shown in full;
// a signed-in owner publishes from the page, and a refused publication (a storage no provider
// offers) is shown in the API's words and records nothing. The pages pass axe and are photographed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProvider } from '../../src/provider/index.ts';
import { launchBrowser, photograph, seriousViolations, signInThroughPage, uiSkipped } from '../helpers/browser.ts';
import { startTestProvider, temporaryDir } from '../helpers/provider.ts';
import { ownerDisclosure, publishingEnv } from '../helpers/publishing.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

/** Hardhat's account #2: a published test key, Tally's publisher wallet here (the storage is free). */
const PUBLISHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

describe.skipIf(uiSkipped !== undefined)('publications page', () => {
  let s: TestServer;
  let provider: RunningProvider;
  let dir: { path: string; remove(): Promise<void> };
  let browser: Browser;
  let owner: { id: number; email: string; token: string };
  let disclosure: string;
  let published: any;

  const list = async () => (await expectStatus(s.request('GET', '/api/publications'), 200)).items;
  const card = (page: Page, heading: string) =>
    page
      .getByRole('list', { name: 'Publications' })
      .getByRole('listitem')
      .filter({
        has: page.getByRole('heading', { name: heading }),
      });

  beforeAll(async () => {
    s = await startServer(publishingEnv(PUBLISHER_KEY));
    dir = await temporaryDir();
    provider = await startTestProvider(dir.path, { uploaderUrl: s.tally.uploaderPrivateUrl });
    owner = await s.user('trader', 'owner');
    disclosure = await ownerDisclosure(s, owner);
    published = await expectStatus(
      s.request('POST', '/api/publications', {
        token: owner.token,
        body: { kind: 'disclosure', id: disclosure, storage_type: 'ipfs' },
      }),
      201,
    );
    expect(published.status).toBe(400);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await s?.close();
    await dir?.remove();
  });

  it('shows a visitor each publication with its status, CID and SHA-256 as the API has them', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${s.url}/publications`);
    const shown = card(page, `Disclosure ${disclosure}`);
    await shown.waitFor();
    expect(await shown.getByText('Stored', { exact: true }).count()).toBe(1);
    expect(await shown.locator('code').allTextContents()).toEqual([published.cid, published.sha256]);
    expect(await shown.getByRole('link', { name: 'Open the disclosure' }).getAttribute('href')).toBe(
      `/disclosures/${disclosure}`,
    );
    // Only signed-in users are offered to publish.
    expect(await page.getByRole('region', { name: 'Publish' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'publications');

    await shown.getByRole('link', { name: `Disclosure ${disclosure}` }).click();
    await page.getByRole('heading', { name: 'Publication', level: 2 }).waitFor();
    await page.getByText(`${published.file_name}, ${published.bytes.toLocaleString('en')} bytes`).waitFor();
    await page.getByText(published.quote_id, { exact: true }).waitFor();
    expect(await page.locator('code').allTextContents()).toEqual([published.cid, published.sha256]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'publication');
    await page.close();
  });

  it('lets the owner publish from the page, and shows a refusal in the API’s words that records nothing', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signInThroughPage(page, s.url, owner.email);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Publications' }).click();
    const publish = page.getByRole('region', { name: 'Publish' });
    await publish.getByText(/Storages registered now: ipfs\.$/).waitFor();
    await page.mouse.move(0, 0);
    await publish.getByRole('textbox', { name: 'Disclosure id (a UUID)' }).fill(disclosure);
    await publish.getByRole('combobox', { name: 'Storage' }).fill('nowhere');
    await publish.getByRole('button', { name: 'Publish' }).click();
    await publish.getByRole('alert').waitFor();
    expect(await publish.getByRole('alert').textContent()).toBe(
      'Refusedno active storage of type nowhere — body/storage_type: no active storage of this type',
    );
    expect((await list()).map((p: any) => p.id)).toEqual([published.id]);
    expect(await seriousViolations(page)).toEqual([]);
    await photograph(page, 'publications-publish');

    // A minute on, so the list's newest-first order is the order of publishing (the clock stands still).
    s.clock.advance(60_000);
    await publish.getByRole('combobox', { name: 'Storage' }).fill('ipfs');
    await page.keyboard.press('Escape');
    await publish.getByRole('button', { name: 'Publish' }).click();
    await publish.getByRole('status').filter({ hasText: 'Published' }).waitFor();
    const [latest, first] = await list();
    expect(first.id).toBe(published.id);
    expect([latest.status, latest.subject_id, latest.published_by]).toEqual([400, disclosure, owner.id]);
    expect(await publish.getByRole('status').textContent()).toBe(
      `PublishedDisclosure ${disclosure}: stored on ipfs, CID ${latest.cid}.`,
    );
    // The list shows it too, newest first.
    await page.getByRole('list', { name: 'Publications' }).getByText(latest.sha256).waitFor();
    await page.close();
  });
});
