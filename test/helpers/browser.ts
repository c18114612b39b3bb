// A real browser for the UI tests: Debian's Chromium driven by playwright-core (`.ci/run` installs
// the chromium package when it is missing). The flags keep it off the network this machine does not
// have. Each page is checked with axe, and photographed at a phone's and a desktop's width into
// test-results/ui/ for a reviewer to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const browserMissing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'ui');
export const WIDTHS = [390, 1440] as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** Axe's serious and critical findings on the page as it stands, each with the elements it names. */
export async function seriousViolations(page: Page): Promise<string[]> {
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
