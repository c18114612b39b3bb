// The README's worked example, run as written against a real server: if the docs drift from the
// API, this fails.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from './helpers/server.ts';

const run = promisify(execFile);
let s: TestServer;
beforeAll(async () => {
  const port = String(await freePort());
  s = await startServer({ PORT: port, TALLY_PUBLIC_URL: `http://127.0.0.1:${port}`, TALLY_ADMIN_EMAIL: 'admin@example.com', TALLY_ADMIN_PASSWORD: 'change-me-now' });
});
afterAll(() => s.close());

function workedExample(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- worked-example:start -->\s*```sh\n([\s\S]*?)```\s*<!-- worked-example:end -->/.exec(readme);
  if (!block?.[1]) throw new Error('README has no worked example block');
  return block[1];
}

it('runs the README worked example from issuing to claiming', async () => {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', workedExample()], { env: { ...process.env, TALLY: s.url } }).catch((e) => {
    throw new Error(`the worked example failed (exit ${e.code}):\n${e.stdout}\n${e.stderr}`);
  });
  const lines = stdout.trim().split('\n');
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
  expect(claimed.map(([, status, wh]) => [status, wh])).toEqual([['claimed', 1_200_000], ['claimed', 800_000]]);
  expect(lines.slice(5)).toEqual(['account.created', 'account.whitelist_changed', 'certificates.transferred', 'certificates.cancelled', 'certificates.claimed']);
});
