// A real browser for the UI tests: Debian's Chromium driven by playwright-core (`.ci/run` installs
// the chromium package when it is missing; bench/browser.ts launches it). Each page is checked
// with axe, and photographed at a phone's and a desktop's width into test-results/ui/ for a
// reviewer to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

import { browserMissing } from '../../bench/browser.ts';

export { CHROMIUM, launchBrowser } from '../../bench/browser.ts';

/**
 * Why the UI tests are skipped in this run, if they are: no Chromium, or the PostgreSQL pass. They
 * test what the browser does with the API's answers, which the database under the server does not
 * change; the HTTP tests run the same routes on both databases.
 */
export const uiSkipped =
  browserMissing ?? (process.env.TEST_DATABASE_URL ? 'they run once, in the embedded-database pass' : undefined);
if (uiSkipped) console.warn(`UI tests skipped: ${uiSkipped}`);

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'ui');
export const WIDTHS = [390, 1440] as const;

/** Axe's serious and critical findings on the page as it stands, each with the elements it names. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Colours caught mid-transition (a dialog fading in over the page, a button's hover) are no
  // page's colours: judge the page once every animation has ended.
  // (A loader's endless spin is not waited for.) A string: this file is typed without the DOM's names.
  await page.waitForFunction(
    "document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)",
  );
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The page at each width, saved as test-results/ui/<name>-<width>.png. */
export async function photograph(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // A width change starts the layout's transitions (the navigation sliding away): shot at their end.
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true, animations: 'disabled' });
  }
}

/** Signs in through the sign-in page (test users' password) and waits for the dashboard. */
export async function signInThroughPage(page: Page, serverUrl: string, email: string): Promise<void> {
  await page.goto(`${serverUrl}/sign-in`);
  await page.getByRole('textbox', { name: /^Email/ }).fill(email);
  await page.locator('input[autocomplete="current-password"]').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}
