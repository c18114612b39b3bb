// The README's worked examples, run as written against a real server, one after the other in one
// shell as a reader runs them, under the login rate limit a newcomer's server has: if the docs
// drift from the API, or their flow would meet that limit, this fails.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const ADMIN = { email: 'admin@example.com', password: 'change-me-now' };
/** Logins a minute per address, as configured by default. */
const AUTH_LIMIT = loadConfig({}).authRateLimit;
/** Logins the two examples make: one per user. */
const EXAMPLE_LOGINS = 5;

let s: TestServer;
let worked: string[];
let community: string[];
let imported: string[];
beforeAll(async () => {
  const port = String(await freePort());
  s = await startServer({
    PORT: port,
    TALLY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TALLY_ADMIN_EMAIL: ADMIN.email,
    TALLY_ADMIN_PASSWORD: ADMIN.password,
    TALLY_AUTH_RATE_LIMIT: String(AUTH_LIMIT),
  });
  [worked = [], community = [], imported = []] = await runExamples([
    'worked-example',
    'community-example',
    'import-example',
  ]);
});
afterAll(() => s.close());

/**
 * The shell blocks between `<!-- name:start -->` and `<!-- name:end -->`, run in order in one shell
 * against the test server, as a reader runs them in one terminal; each block's output lines.
 */
async function runExamples(names: string[]): Promise<string[][]> {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const blocks = names.map((name) => {
    const block = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(
      readme,
    );
    if (!block?.[1]) throw new Error(`README has no ${name} block`);
    return block[1];
  });
  // A line no answer can be, between one block's output and the next.
  const between = '--- the next example ---';
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', blocks.join(`echo '${between}'\n`)], {
    env: { ...process.env, TALLY: s.url },
  }).catch((e) => {
    throw new Error(`the examples failed (exit ${e.code}):\n${e.stdout}\n${e.stderr}`);
  });
  return stdout
    .trim()
    .split(`\n${between}\n`)
    .map((output) => output.split('\n'));
}

type Bundle = { id: number; certificate_bundle_id_range_start: number; bundle_quantity: number };
const starts = (bundles: Bundle[]) => bundles.map((b) => [b.certificate_bundle_id_range_start, b.bundle_quantity]);

it('runs the README worked example from issuing to claiming', () => {
  expect(worked).toHaveLength(6);
  expect(worked[0]).toBe('{"account_id":2,"accepts_from":[1],"accepted_by":[]}');
  const [, issued, transfer, statement, claimed, events] = worked.map((line) => JSON.parse(line));
  expect(
    issued.bundles.map((b: { certificate_bundle_id_range_start: number; certificate_bundle_id_range_end: number }) => [
      b.certificate_bundle_id_range_start,
      b.certificate_bundle_id_range_end,
    ]),
  ).toEqual([
    [1, 1200000],
    [1200001, 2700000],
    [2700001, 4200000],
  ]);
  expect({ moved: starts(transfer.bundles), kept: starts(transfer.remainders) }).toEqual({
    moved: [
      [1, 1200000],
      [1200001, 800000],
    ],
    kept: [[2000001, 700000]],
  });
  // The split bundle's rest keeps its id, with the producer.
  expect(transfer.remainders[0].id).toBe(issued.bundles[1].id);
  expect({ total_wh: statement.total_wh, by_hour: statement.by_hour }).toEqual({
    total_wh: 2_000_000,
    by_hour: [
      { hour: '2026-06-01T10:00:00.000Z', energy_source: 'solar_pv', wh: 1_200_000 },
      { hour: '2026-06-01T11:00:00.000Z', energy_source: 'solar_pv', wh: 800_000 },
    ],
  });
  expect(
    claimed.bundles.map((b: { certificate_bundle_status: string; bundle_quantity: number }) => [
      b.certificate_bundle_status,
      b.bundle_quantity,
    ]),
  ).toEqual([
    ['claimed', 1_200_000],
    ['claimed', 800_000],
  ]);
  expect(events.items.map((e: { type: string }) => e.type)).toEqual([
    'account.created',
    'account.whitelist_changed',
    'certificates.transferred',
    'certificates.cancelled',
    'metering_point.created',
    'certificates.claimed',
  ]);
});

it('runs the README energy community example and its numbers add up', () => {
  expect(community).toHaveLength(6);
  const [members, cleared, intervals, statement] = [
    community.slice(0, 3).map((line) => JSON.parse(line)),
    community[3],
    JSON.parse(community[4]!),
    JSON.parse(community[5]!),
  ];
  expect(members.map((m: { id: number; name: string }) => [m.id, m.name])).toEqual([
    [1, 'Rooftop'],
    [2, 'Flat-1'],
    [3, 'Flat-2'],
  ]);
  expect(cleared).toBe('{"intervals_cleared":1}');
  const interval = intervals.items[0];
  expect({
    peer_wh: interval.peer_wh,
    grid_import_wh: interval.grid_import_wh,
    peer_price: interval.peer_price,
    buy_price: interval.buy_price,
    matches: interval.matches.map((m: { buyer: number; seller: number | null; wh: number; amount: number }) => [
      m.buyer,
      m.seller,
      m.wh,
      m.amount,
    ]),
  }).toEqual({
    peer_wh: 1000,
    grid_import_wh: 500,
    peer_price: 0.0962,
    buy_price: 0.118266667,
    matches: [
      [2, 1, 400, 0.03848],
      [3, 1, 600, 0.05772],
      [2, null, 200, 0.03248],
      [3, null, 300, 0.04872],
    ],
  });
  expect(
    statement.members.map(
      (m: { name: string; from_peers_wh: number; from_grid_wh: number; net_cost: number; savings: number }) => [
        m.name,
        m.from_peers_wh,
        m.from_grid_wh,
        m.net_cost,
        m.savings,
      ],
    ),
  ).toEqual([
    ['Rooftop', 0, 0, -0.0962, 0.0662],
    ['Flat-1', 400, 200, 0.07096, 0.02648],
    ['Flat-2', 600, 300, 0.10644, 0.03972],
  ]);
  expect([statement.totals.net_cost, statement.totals.grid_bill]).toEqual([0.0812, 0.0812]);
});

it('leaves the reader the rest of the minute’s logins: the examples log in once per user', async () => {
  // The server's clock stands still, so every login here falls in the examples' minute.
  const answers: number[] = [];
  for (let k = 0; k < AUTH_LIMIT; k++) answers.push((await s.request('POST', '/api/token', { body: ADMIN })).status);
  expect(answers).toEqual([...Array(AUTH_LIMIT - EXAMPLE_LOGINS).fill(200), ...Array(EXAMPLE_LOGINS).fill(429)]);
});

it('runs the README import example: the template row imported once, then refused naming its row', () => {
  expect(imported).toHaveLength(2);
  const [first, again] = imported.map((line) => JSON.parse(line));
  expect(first.imported_issuances[0]).toMatchObject({
    id: 1,
    origin_registry: 'ERCOT',
    origin_issuance_id: 'GC-1-2025-01-21-1500',
    production_starting_interval: '2025-01-22T03:00:00.000Z',
  });
  expect(first.bundles[0]).toMatchObject({
    certificate_bundle_id_range_start: 0,
    certificate_bundle_id_range_end: 5209999,
    device_id: null,
    imported_issuance_id: 1,
    account_id: 2,
    certificate_bundle_status: 'active',
  });
  expect([again.status, again.code, again.errors[0].field]).toEqual([
    409,
    'already_imported',
    'csv/row/2/certificate_bundle_id_range_start',
  ]);
});
