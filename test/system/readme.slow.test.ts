// The README's worked example, run as written against a real server: if the docs drift from the
// API, this fails.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
let s: TestServer;
beforeAll(async () => {
  const port = String(await freePort());
  s = await startServer({
    PORT: port,
    TALLY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TALLY_ADMIN_EMAIL: 'admin@example.com',
    TALLY_ADMIN_PASSWORD: 'change-me-now',
  });
});
afterAll(() => s.close());

/** The shell block between `<!-- name:start -->` and `<!-- name:end -->`, run against the test server; its output lines. */
async function runExample(name: string): Promise<string[]> {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(
    readme,
  );
  if (!block?.[1]) throw new Error(`README has no ${name} block`);
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block[1]], {
    env: { ...process.env, TALLY: s.url },
  }).catch((e) => {
    throw new Error(`the ${name} failed (exit ${e.code}):\n${e.stdout}\n${e.stderr}`);
  });
  return stdout.trim().split('\n');
}

it('runs the README worked example from issuing to claiming', async () => {
  const lines = await runExample('worked-example');
  expect(lines[0]).toBe('{"account_id":2,"accepts_from":[1],"accepted_by":[]}');
  expect(lines[1]).toBe('[[1,1200000],[1200001,2700000],[2700001,4200000]]');
  expect(lines[2]).toBe('{"moved":[[1,1200000],[1200001,800000]],"kept":[[2000001,700000]]}');
  expect(JSON.parse(lines[3]!)).toEqual({
    total_wh: 2_000_000,
    by_hour: [
      { hour: '2026-06-01T10:00:00.000Z', energy_source: 'solar_pv', wh: 1_200_000 },
      { hour: '2026-06-01T11:00:00.000Z', energy_source: 'solar_pv', wh: 800_000 },
    ],
  });
  const claimed = JSON.parse(lines[4]!) as Array<[number, string, number]>;
  expect(claimed.map(([, status, wh]) => [status, wh])).toEqual([
    ['claimed', 1_200_000],
    ['claimed', 800_000],
  ]);
  expect(lines.slice(5)).toEqual([
    'account.created',
    'account.whitelist_changed',
    'certificates.transferred',
    'certificates.cancelled',
    'metering_point.created',
    'certificates.claimed',
  ]);
});

it('runs the README energy community example and its numbers add up', async () => {
  const lines = await runExample('community-example');
  expect(lines.slice(0, 4)).toEqual(['[1,"Rooftop"]', '[2,"Flat-1"]', '[3,"Flat-2"]', '{"intervals_cleared":1}']);
  expect(JSON.parse(lines[4]!)).toEqual({
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
  expect(JSON.parse(lines[5]!)).toEqual([
    ['Rooftop', 0, 0, -0.0962, 0.0662],
    ['Flat-1', 400, 200, 0.07096, 0.02648],
    ['Flat-2', 600, 300, 0.10644, 0.03972],
  ]);
  expect(JSON.parse(lines[6]!)).toEqual([0.0812, 0.0812]);
});
