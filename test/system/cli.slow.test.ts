// The `tally` command as a newcomer runs it: configuration errors, serve, user create, check.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { cliDatabase } from '../helpers/cli-database.ts';
import { serving } from '../helpers/serving.ts';
import { getCommunity } from '../../src/community/communities.ts';
import { listMembers } from '../../src/community/members.ts';
import { monthlyStatement } from '../../src/community/settlement.ts';
import { TALLY } from '../helpers/cli.ts';
import { pageRequest } from '../../src/platform/pagination.ts';

const run = promisify(execFile);

/** The last full calendar month in Lisbon at `t`, as YYYY-MM. */
function lisbonLastMonth(t: Date): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Lisbon', year: 'numeric', month: '2-digit' })
    .format(t)
    .split('-')
    .map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Local midnight starting a month in Lisbon, by the EU rule on its own: summer time (UTC+1) runs
 * from the last Sunday of March to the last Sunday of October, so the 1st of April to October
 * starts at 23:00 UTC the day before, and every other month at midnight UTC.
 */
function lisbonMonthStart(y: number, m: number): number {
  return Date.UTC(y, m - 1, 1) - (m >= 4 && m <= 10 ? 3_600_000 : 0);
}

describe('a bad configuration', () => {
  it('stops `tally serve` with a message, not a stack trace', async () => {
    const err = await run('node', [...TALLY, 'serve'], { env: { ...process.env, PORT: '99999' } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('PORT');
    expect(err.stderr).not.toMatch(/\s+at /);
  });

  it('prints the version of package.json for `tally --version`', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    const { stdout, stderr } = await run('node', [...TALLY, '--version']);
    expect([stdout, stderr]).toEqual([`${version}\n`, '']);
  });
});

describe('commands on a database', () => {
  const where = cliDatabase('tally-cli-');

  it('serves the API and docs, creating the first admin from the environment', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn('node', [...TALLY, 'serve'], {
      env: {
        ...where.env,
        PORT: String(port),
        TALLY_ADMIN_EMAIL: 'root@example.com',
        TALLY_ADMIN_PASSWORD: 'root-password-1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      expect(await serving(child)).toBe(true);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: where.env.DATABASE_URL ? 'postgres' : 'pglite' });
      const login = await fetch(`http://127.0.0.1:${port}/api/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'root@example.com', password: 'root-password-1' }),
      });
      expect(login.status).toBe(200);
      const { access } = (await login.json()) as { access: string };
      const me = await fetch(`http://127.0.0.1:${port}/api/user/me`, {
        headers: { authorization: `Bearer ${access}` },
      });
      expect(((await me.json()) as { role: string }).role).toBe('admin');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('creates an admin with `tally user create --admin`', async () => {
    const { stdout } = await run(
      'node',
      [...TALLY, 'user', 'create', '--admin', '--email', 'cli@example.com', '--password', 'cli-password-1'],
      { env: where.env },
    );
    expect(stdout).toMatch(/created user \d+ <cli@example.com> with role admin/);
    const again = await run(
      'node',
      [...TALLY, 'user', 'create', '--email', 'cli@example.com', '--password', 'cli-password-1'],
      { env: where.env },
    ).catch((e) => e);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('seeds a demo world whose meters issue on their own, twice without harm, and it checks and verifies', async () => {
    const monthBefore = lisbonLastMonth(new Date());
    const first = await run('node', [...TALLY, 'seed', '--days', '3'], { env: where.env });
    expect(first.stdout).toMatch(/automatic issuance issued [1-9][\d,]* bundles/);
    expect(first.stdout).toContain('a claim against 571313174115123456');

    // The energy community: last month in Lisbon, every 15-minute interval of it cleared, DST included.
    const community = new RegExp(
      String.raw`Energy community Bairro Solar Lisboa #(\d+) .*?: 12 members \(12 new\).*? for (\d{4}-\d{2}) .*?` +
        String.raw`Clearing \2 cleared ([\d,]+) of its ([\d,]+) intervals now; peers shared ([\d,]+) Wh, ` +
        String.raw`the members saved ([\d,.]+) EUR`,
    ).exec(first.stdout);
    expect(community, first.stdout).not.toBeNull();
    const [, idText, month, clearedText, inMonthText, peerText, savedText] = community!;
    const id = Number(idText);
    const num = (text: string) => Number(text!.replaceAll(',', ''));
    expect([monthBefore, lisbonLastMonth(new Date())]).toContain(month);
    const [y, m] = month!.split('-').map(Number) as [number, number];
    const start = lisbonMonthStart(y, m);
    const end = m === 12 ? lisbonMonthStart(y + 1, 1) : lisbonMonthStart(y, m + 1);
    const intervals = (end - start) / 900_000;
    expect(num(clearedText!)).toBe(intervals);
    expect(num(inMonthText!)).toBe(intervals);
    expect(first.stdout).toContain(`/api/communities/${id}/statements?month=${month}`);

    const again = await run('node', [...TALLY, 'seed', '--days', '3'], { env: where.env });
    // Nothing new, unless the clock passed an hour between the runs: then each device's new hour (two at most).
    expect(again.stdout).toMatch(/automatic issuance issued [0-2] bundles/);
    expect(again.stdout).toContain('The trading story had already run.');
    expect(again.stdout).toContain(`Energy community Bairro Solar Lisboa #${id} `);
    expect(again.stdout).toContain('12 members (0 new)');
    expect(again.stdout).toContain('0 and 0 of them new');
    expect(again.stdout).toContain(
      `Clearing ${month} cleared 0 of its ${inMonthText} intervals now; peers shared ${peerText} Wh`,
    );
    expect((await run('node', [...TALLY, 'check'], { env: where.env })).stdout).toContain('ok:');
    expect((await run('node', [...TALLY, 'ledger', 'verify'], { env: where.env })).stdout).toMatch(/^ok: 1 block\(s\)/);

    // Its month, read as a newcomer without logging in: the statements add up to the grid's bill.
    const database = await where.open();
    try {
      const db = database.kysely;
      expect(await getCommunity(db, undefined, id)).toMatchObject({
        name: 'Bairro Solar Lisboa',
        time_zone: 'Europe/Lisbon',
        interval_minutes: 15,
        mechanism: 'mmr',
        grid_price: 0.1624,
        feed_in_price: 0.03,
        currency: 'EUR',
        move_certificates: false,
        public: true,
      });
      const { items: members, next_cursor } = await listMembers(
        db,
        undefined,
        id,
        pageRequest({ limit: 1000 }, 'body'),
      );
      expect(next_cursor).toBeNull();
      expect(members).toHaveLength(12);
      expect(members.filter((x) => x.export_metering_point_id !== null)).toHaveLength(4);
      const statement = await monthlyStatement(db, undefined, id, month!);
      expect([statement.period_start, statement.period_end]).toEqual([
        new Date(start).toISOString(),
        new Date(end).toISOString(),
      ]);
      expect(statement.members).toHaveLength(12);
      expect(Math.abs(statement.members.reduce((a, x) => a + x.net_cost, 0) - statement.totals.grid_bill)).toBeLessThan(
        1e-6,
      );
      expect(statement.totals.from_peers_wh).toBe(num(peerText!));
      expect(statement.totals.from_peers_wh).toBeGreaterThan(0);
      expect(statement.totals.to_peers_wh).toBe(statement.totals.from_peers_wh);
      expect(statement.totals.savings.toFixed(2)).toBe(num(savedText!).toFixed(2));
      expect(
        statement.members.every(
          (x) => x.savings >= 0 && x.from_grid_wh + x.from_peers_wh + x.to_grid_wh + x.to_peers_wh > 0,
        ),
      ).toBe(true);
      // Every interval of the month cleared once, with every member's readings (the register meter's too).
      const { rows } = await sql<{ n: number; missing: number }>`
        SELECT count(*)::int AS n,
               count(*) FILTER (WHERE cardinality(missing_member_ids) > 0 OR cardinality(grid_only_member_ids) > 0)::int
                 AS missing
        FROM community_intervals
        WHERE community_id = ${id} AND interval_start >= ${new Date(start).toISOString()}::timestamptz
          AND interval_start < ${new Date(end).toISOString()}::timestamptz`.execute(db);
      expect(rows[0]).toEqual({ n: intervals, missing: 0 });
    } finally {
      await database.close();
    }
    // Two seeds (the first meters and clears a month of 15-minute data), a check and a verify.
  });

  it('`tally check` passes on a healthy database and fails, naming the rule, after tampering', async () => {
    const ok = await run('node', [...TALLY, 'check'], { env: where.env });
    expect(ok.stdout).toContain('ok:');
    const database = await where.open();
    let forged: number;
    try {
      // A whole issuance and its bundle written behind the registry's back: no event records them.
      const { rows } = await sql<{ id: number }>`
        WITH a AS (INSERT INTO accounts (account_name) VALUES ('t') RETURNING id),
        d AS (INSERT INTO devices (account_id, device_name, device_type, energy_source, capacity, operational_date,
                                   latitude, longitude, grid, country, time_zone, next_certificate_id)
              SELECT id, 'd', 'production', 'wind', 1000, '2020-01-01', 0, 0, 'g', 'DK', 'UTC', 11 FROM a
              RETURNING id, account_id),
        m AS (INSERT INTO issuance_metadata (device_id, country_of_issuance, connected_grid_identification,
                                             issuing_body, issue_market_zone)
              SELECT id, 'DK', 'g', 'b', 'g' FROM d RETURNING id, device_id),
        i AS (INSERT INTO issuances (device_id, issuance_metadata_id, production_starting_interval,
                                     production_ending_interval, bundle_quantity,
                                     certificate_bundle_id_range_start, certificate_bundle_id_range_end)
              SELECT device_id, id, '2025-01-01T00:00Z', '2025-01-01T01:00Z', 10, 1, 10 FROM m RETURNING id, device_id)
        INSERT INTO bundles (issuance_id, device_id, account_id, certificate_bundle_id_range_start,
                             certificate_bundle_id_range_end, energy_source, production_starting_interval,
                             production_ending_interval, issuance_datestamp, expiry_datestamp)
        SELECT i.id, i.device_id, d.account_id, 1, 10, 'wind', '2025-01-01T00:00Z', '2025-01-01T01:00Z', now(), now()
        FROM i JOIN d ON d.id = i.device_id
        RETURNING id`.execute(database.kysely);
      forged = rows[0]!.id;
    } finally {
      await database.close();
    }
    const bad = await run('node', [...TALLY, 'check'], { env: where.env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`FAIL replay_rebuilds_state: bundle ${forged} exists but no event created it`);
  });

  it('`tally issue` names a device whose issuance failed, issues the others, and exits 1', async () => {
    const database = await where.open();
    let device: number;
    try {
      // An auto-issuing device rated so high that readings stored before their bound look issuable: its ids run out.
      const { rows } = await sql<{ id: number }>`
        WITH a AS (INSERT INTO accounts (account_name) VALUES ('broken') RETURNING id),
        d AS (INSERT INTO devices (account_id, device_name, device_type, energy_source, capacity, operational_date,
                                   latitude, longitude, grid, country, time_zone, next_certificate_id, auto_issue)
              SELECT id, 'broken', 'production', 'wind', 9007199254740991, '2020-01-01', 0, 0, 'g', 'DK', 'UTC', 1, true
              FROM a RETURNING id, account_id),
        p AS (INSERT INTO metering_points (id, type, account_id, device_id)
              SELECT 'BROKEN-CLI', 'production', account_id, id FROM d RETURNING id)
        INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
        SELECT p.id, s, s + interval '15 minutes', 9007199254740991, 'measured', 'legacy'
        FROM p, generate_series('2025-01-01T00:00Z'::timestamptz, '2025-01-01T00:45Z'::timestamptz,
                                interval '15 minutes') AS s
        RETURNING (SELECT id FROM d)`.execute(database.kysely);
      device = rows[0]!.id;
      await sql`WITH m AS (INSERT INTO issuance_metadata (device_id, country_of_issuance, connected_grid_identification,
                                                          issuing_body, issue_market_zone)
                  VALUES (${device}, 'DK', 'g', 'b', 'g') RETURNING id)
                UPDATE devices SET issuance_metadata_id = (SELECT id FROM m) WHERE id = ${device}`.execute(
        database.kysely,
      );
    } finally {
      await database.close();
    }
    const failed = await run('node', [...TALLY, 'issue'], { env: where.env }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^issued \d+ bundle\(s\), \d+ Wh\n/);
    expect(failed.stdout).toContain(`device ${device} skipped: device ${device} would pass the largest certificate id`);
  });
});

describe('`tally community clear`', () => {
  const where = cliDatabase('tally-cli-clear-');

  it('names a community that fails, clears the others, and exits 1', async () => {
    await run('node', [...TALLY, 'migrate'], { env: where.env });
    // Two hours ago, on the hour: the healthy community has a reading for that hour alone, and
    // waits a year for the next.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
    const database = await where.open();
    let broken: number;
    try {
      // Written behind the API's back: the broken community's reading is beyond any number TypeScript holds exactly.
      const { rows } = await sql<{ id: number }>`
        WITH u AS (INSERT INTO users (email, name, password_hash) VALUES ('m@example.com', 'm', 'x') RETURNING id),
        a AS (INSERT INTO accounts (account_name) VALUES ('a') RETURNING id),
        p AS (INSERT INTO metering_points (id, type, account_id)
              SELECT unnest(ARRAY['CLI-BROKEN', 'CLI-OK']), 'consumption', id FROM a RETURNING id),
        c AS (INSERT INTO communities (name, interval_minutes, time_zone, mechanism, grid_price, feed_in_price,
                                      currency, move_certificates, data_wait_minutes, manager_id)
              SELECT unnest(ARRAY['Broken', 'Healthy']), 60, 'UTC', 'mmr', 0.2, 0.04, 'EUR', false, 525600, id FROM u
              RETURNING id, name),
        m AS (INSERT INTO community_members (community_id, name, metering_point_id, valid_from)
              SELECT c.id, c.name, CASE c.name WHEN 'Broken' THEN 'CLI-BROKEN' ELSE 'CLI-OK' END,
                     ${new Date(hour).toISOString()}::timestamptz
              FROM c RETURNING community_id),
        r AS (INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
              VALUES ('CLI-BROKEN', ${new Date(hour).toISOString()}::timestamptz,
                      ${new Date(hour + 3_600_000).toISOString()}::timestamptz, 9007199254740993, 'measured', 'api'),
                     ('CLI-OK', ${new Date(hour).toISOString()}::timestamptz,
                      ${new Date(hour + 3_600_000).toISOString()}::timestamptz, 500, 'measured', 'api'))
        SELECT id FROM c WHERE name = 'Broken'`.execute(database.kysely);
      broken = rows[0]!.id;
    } finally {
      await database.close();
    }
    const r = await run('node', [...TALLY, 'community', 'clear'], { env: where.env }).catch((e) => e);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `community ${broken} failed and was skipped: int8 value 9007199254740993 exceeds the safe integer range\n` +
        'cleared 1 interval(s); 1 community(ies) failed\n',
    );
  });
});

describe('times on the command line', () => {
  it.each(['September 2, 2026 00:00', '2026-09-02T00:00:00', '0001-01-01T00:00:00+23:59', '2026-06-30T23:59:60Z'])(
    'refuses `community clear --from %s` as the API would, naming the flag',
    async (from) => {
      const dir = mkdtempSync(join(tmpdir(), 'tally-cli-time-'));
      try {
        const err = await run(
          'node',
          [...TALLY, 'community', 'clear', '--id', '1', '--from', from, '--to', '2026-09-03T00:00:00Z'],
          { env: { ...process.env, TALLY_DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'warn' } },
        ).catch((e) => e);
        expect(err.code).toBe(2);
        expect(err.stderr).toBe(
          `tally: --from: ${from} is not an ISO 8601 time with seconds and a zone ` +
            '(e.g. 2026-06-01T10:00:00Z), no leap second, in the years 2000–9998\n',
        );
        // Refused before the database was opened: nothing was created in its directory.
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
