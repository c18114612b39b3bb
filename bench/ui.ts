// BENCH_ONLY=ui: the web UI in headless Chromium (bench/browser.ts) against a real server over a
// database of its own, for issue 14's three targets, each beside a baseline taken in the same browser
// in the same run:
// - the JavaScript a visitor's first load of a public page fetches, gzipped, against its budget
//   of 300 kB;
// - a year's disclosure (8,760 hours) until it answers a key on its heat map, against fetching
//   and parsing the same dataset's JSON in the same page;
// - the certificate table's frame rate while 10,000 rows scroll through it, against the page's
//   own frame rate standing still.
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { Config } from '../src/platform/config.ts';
import { launchBrowser } from './browser.ts';
import { expectOk, startServer, type BenchServer } from './http.ts';
import { fmt, percentile, type ReportRow } from './measure.ts';
import { openTarget } from './target.ts';
import { buildWorld, PASSWORD, type BenchWorld } from './world.ts';

const HOUR_MS = 3_600_000;
const YEAR_START = Date.UTC(2025, 0, 1);
const YEAR_HOURS = 8760;
const TABLE_ROWS = 10_000;
const CONSUMER = 'BENCH-CONSUMER-0001';
const RUNS = 3;
const BUDGET_KB = 300;

const interval = (start: number, wh: number) => ({
  production_starting_interval: new Date(start).toISOString(),
  production_ending_interval: new Date(start + HOUR_MS).toISOString(),
  wh,
});

/** Ids of the bundles issued for these intervals of `device`, issued 5,000 intervals a call. */
async function issue(server: BenchServer, token: string, device: number, intervals: ReturnType<typeof interval>[]) {
  const ids: number[] = [];
  for (let i = 0; i < intervals.length; i += 5000) {
    const reply = await server.post(
      '/api/certificates/issue',
      { device_id: device, intervals: intervals.slice(i, i + 5000) },
      token,
    );
    ids.push(...expectOk(reply, 'issue', 201).bundles.map((b: { id: number }) => b.id));
  }
  return ids;
}

/**
 * A consumer's year: 8,760 hours of consumption, and a solar and a wind device's certificates of
 * the same hours cancelled and claimed for it; then a disclosure of that year. Returns its id.
 */
async function seedDisclosure(server: BenchServer, world: BenchWorld, producer: string, issuer: string) {
  const account = world.producerAccount;
  const point = { id: CONSUMER, type: 'consumption', account_id: account };
  expectOk(await server.post('/api/metering-points', point, producer), 'metering point', 201);
  const hours = Array.from({ length: YEAR_HOURS }, (_, h) => YEAR_START + h * HOUR_MS);
  const readings = hours.map((t, h) => ({
    interval_start_datetime: new Date(t).toISOString(),
    interval_end_datetime: new Date(t + HOUR_MS).toISOString(),
    interval_usage: 40_000 + ((h * 7919) % 30_000),
  }));
  expectOk(await server.post(`/api/metering-points/${CONSUMER}/readings`, { readings }, producer), 'readings');
  // Solar by day, wind whenever its pseudo-random hour blows: some hours matched in full, some in part, some not.
  const solar = hours.map((t, h) =>
    interval(t, Math.round(Math.max(0, Math.sin(((h % 24) - 6) * (Math.PI / 12))) * 90_000)),
  );
  const wind = hours.map((t, h) => interval(t, (h * 104_729) % 50_000));
  const ids = [
    ...(await issue(
      server,
      issuer,
      world.devices[0]!,
      solar.filter((i) => i.wh > 0),
    )),
    ...(await issue(
      server,
      issuer,
      world.devices[1]!,
      wind.filter((i) => i.wh > 0),
    )),
  ];
  for (let i = 0; i < ids.length; i += 10_000) {
    const batch = ids.slice(i, i + 10_000);
    const body = { source_id: account, granular_certificate_bundle_ids: batch };
    expectOk(
      await server.post('/api/certificates/cancel', { ...body, beneficiary: 'Bench consumer' }, producer),
      'cancel',
    );
    expectOk(await server.post('/api/certificates/claim', { ...body, metering_point_id: CONSUMER }, producer), 'claim');
  }
  const period = {
    period_start: new Date(YEAR_START).toISOString(),
    period_end: new Date(YEAR_START + YEAR_HOURS * HOUR_MS).toISOString(),
  };
  const disclosure = await server.post('/api/disclosures', { metering_point_ids: [CONSUMER], ...period }, producer);
  return expectOk(disclosure, 'disclosure', 201).id as string;
}

/** 10,000 hourly bundles of the year before, moved to the trader's account, which holds nothing else. */
async function seedTable(server: BenchServer, world: BenchWorld, producer: string, issuer: string) {
  const start = YEAR_START - TABLE_ROWS * HOUR_MS;
  const ids = await issue(
    server,
    issuer,
    world.devices[0]!,
    Array.from({ length: TABLE_ROWS }, (_, h) => interval(start + h * HOUR_MS, 1000 + h)),
  );
  const body = {
    source_id: world.producerAccount,
    target_id: world.traderAccount,
    granular_certificate_bundle_ids: ids,
  };
  expectOk(await server.post('/api/certificates/transfer', body, producer), 'transfer');
}

/** The JavaScript a fresh visitor's load of `path` fetches, gzipped, in kB. */
async function firstLoadKb(browser: Browser, url: string, ready: (page: Page) => Promise<unknown>): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts: Promise<number>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(r.body().then((b) => gzipSync(b).length));
  });
  await page.goto(url);
  await ready(page);
  const bytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
  await context.close();
  return bytes / 1000;
}

/** Ms from navigation until the year's heat map answers a key, and to fetch and parse its JSON. */
async function disclosureRun(browser: Browser, base: string, id: string): Promise<{ page: number; json: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/disclosures/${id}`);
  const map = page.getByRole('img', { name: /^A column per day/ });
  await map.waitFor();
  await page.locator('.uplot canvas').first().waitFor();
  await map.focus();
  await page.keyboard.press('End');
  await page.locator('[aria-live="polite"]').filter({ hasText: '2025-12-31 23:00 UTC' }).waitFor();
  const interactive = (await page.evaluate('performance.now()')) as number;
  const json = (await page.evaluate(`(async () => {
    const t = performance.now();
    await (await fetch('/api/disclosures/${id}/data.json', { cache: 'no-store' })).json();
    return performance.now() - t;
  })()`)) as number;
  await context.close();
  return { page: interactive, json };
}

/** Frames per second while `scroll` px a frame move the table, and standing still, over `frames` frames. */
const FRAME_RATE = (scrollPerFrame: number, frames: number) => `(async () => {
  const box = document.querySelector('table[aria-rowcount]').parentElement;
  box.scrollTop = 0;
  const times = [];
  await new Promise((done) => {
    const step = (t) => {
      times.push(t);
      box.scrollTop += ${scrollPerFrame};
      if (times.length < ${frames}) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
  });
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  return { fps: (times.length - 1) / ((times.at(-1) - times[0]) / 1000), worst: Math.max(...gaps), end: box.scrollTop };
})()`;

async function tableRun(
  browser: Browser,
  base: string,
  email: string,
): Promise<{ fps: number; idle: number; worst: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByRole('textbox', { name: /^Email/ }).fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByRole('link', { name: 'Certificates' }).click();
  const table = page.locator('table[aria-rowcount]');
  await table.waitFor();
  // The table asks for the next page as its end comes into view: scroll to the end until all are there.
  while ((await table.getAttribute('aria-rowcount')) !== String(TABLE_ROWS + 1)) {
    await page.evaluate("document.querySelector('table[aria-rowcount]').parentElement.scrollTop = 1e9");
    await page.waitForTimeout(100);
  }
  const height = (await page.evaluate(
    "document.querySelector('table[aria-rowcount]').parentElement.scrollHeight",
  )) as number;
  // The whole table in 300 frames (5 s at 60 Hz): about 33 rows a frame, a fast fling.
  const moving = (await page.evaluate(FRAME_RATE(Math.ceil(height / 300), 300))) as {
    fps: number;
    worst: number;
    end: number;
  };
  if (moving.end < height / 2) throw new Error(`the table scrolled to ${moving.end} of ${height} px only`);
  const still = (await page.evaluate(FRAME_RATE(0, 120))) as { fps: number };
  await context.close();
  return { fps: moving.fps, idle: still.fps, worst: moving.worst };
}

/** On a database of its own (DATABASE_URL's server, or PGlite), whose world is the UI's only. */
export async function benchUi(config: Config, log: (line: string) => void): Promise<ReportRow[]> {
  const target = await openTarget(config.databaseUrl);
  const world = await buildWorld(target.database.kysely, config, 2);
  const server = await startServer(config, target.database, 4);
  const browser = await launchBrowser();
  try {
    const producer = await server.login(world.producer.email, PASSWORD);
    const issuer = await server.login(world.issuer.email, PASSWORD);
    log('ui: seeding a year of consumption and claims, and 10,000 bundles');
    const disclosure = await seedDisclosure(server, world, producer, issuer);
    await seedTable(server, world, producer, issuer);

    const ledgerKb = await firstLoadKb(browser, `${server.url}/ledger`, (p) =>
      p.getByRole('heading', { name: 'Ledger explorer' }).waitFor(),
    );
    const disclosureKb = await firstLoadKb(browser, `${server.url}/disclosures/${disclosure}`, (p) =>
      p.locator('.uplot canvas').first().waitFor(),
    );
    log(`ui: first load, JavaScript gzipped: ledger ${fmt(ledgerKb, 1)} kB, disclosure ${fmt(disclosureKb, 1)} kB`);

    const runs: { page: number; json: number }[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await disclosureRun(browser, server.url, disclosure));
    const pageMs = percentile(
      runs.map((r) => r.page),
      50,
    );
    const jsonMs = percentile(
      runs.map((r) => r.json),
      50,
    );
    log(`ui: a year's disclosure interactive in ${runs.map((r) => fmt(r.page)).join(', ')} ms`);

    const table = await tableRun(browser, server.url, world.trader.email);
    log(
      `ui: 10,000-row table ${fmt(table.fps, 1)} fps scrolling (worst frame ${fmt(table.worst, 1)} ms), ${fmt(table.idle, 1)} still`,
    );

    const kb = Math.max(ledgerKb, disclosureKb);
    return [
      {
        benchmark: 'UI first load (public pages)',
        tally: `${fmt(kb, 1)} kB JS gz`,
        baseline: `budget ${BUDGET_KB} kB`,
        ratio: `${fmt(kb / BUDGET_KB, 2)}×`,
        target: '≤ 300 kB',
        met: kb <= BUDGET_KB,
      },
      {
        benchmark: 'UI disclosure, 8,760 h',
        tally: `${fmt(pageMs)} ms to interactive`,
        baseline: `${fmt(jsonMs)} ms fetch + parse JSON`,
        ratio: `${fmt(pageMs / jsonMs, 1)}×`,
        target: '≤ 1,500 ms',
        met: pageMs <= 1500,
      },
      {
        benchmark: 'UI table, 10,000 rows',
        tally: `${fmt(table.fps, 1)} fps scrolling`,
        baseline: `${fmt(table.idle, 1)} fps still`,
        ratio: `${fmt(table.fps / table.idle, 2)}×`,
        target: '≥ 30 fps',
        met: table.fps >= 30,
      },
    ];
  } finally {
    await browser.close();
    await server.close();
    await target.drop();
  }
}
