// The ledger: every registry change appends exactly one event carrying its full data, the events
// table refuses changes, readers see the events of their own accounts (auditors all of them) page
// by page, and the invariant checker notices rows changed behind the API's back.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistry } from '../../src/registry/check.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, hour, type World } from '../helpers/world.ts';

type User = { id: number; token: string };

describe('ledger', () => {
  let s: TestServer;
  let w: World;
  let auditor: User;
  /** Bundle ids made along the way: A, B, C issued; B1 split off B by a partial transfer. */
  const ids = { A: 0, B: 0, C: 0, B1: 0 };

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    auditor = await s.user('auditor');
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Every event `token` may read, following next_cursor with the given page size. */
  async function allEvents(token: string, query = '', limit = 1000): Promise<{ items: any[]; pages: any[][] }> {
    const items: any[] = [];
    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const qs = new URLSearchParams(query);
      qs.set('limit', String(limit));
      if (cursor) qs.set('cursor', cursor);
      const page = await s.request('GET', `/api/events?${qs}`, { token });
      expect(page.status).toBe(200);
      pages.push(page.body.items);
      items.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    return { items, pages };
  }
  const lastEvent = async () => (await allEvents(auditor.token)).items.at(-1);

  /** What the API shows now for each bundle (GET /api/certificates/:id, as an auditor). */
  async function current(bundles: any[]): Promise<any[]> {
    return Promise.all(
      bundles.map(async (b) => {
        const {
          device: _d,
          issuance_metadata: _m,
          device_location: _l,
          reissue_of_bundle_id: _r,
          origin_device: _o,
          imported_from: _i,
          ...view
        } = await expectStatus(s.request('GET', `/api/certificates/${b.id}`, { token: auditor.token }), 200);
        return view;
      }),
    );
  }

  describe('each change appends exactly one event with its full data', () => {
    it('certificates.issued names every bundle with its range, interval and expiry', async () => {
      const before = await s.eventCount();
      const issued = await expectStatus(
        s.request('POST', '/api/certificates/issue', {
          token: w.issuer.token,
          body: {
            device_id: w.device,
            intervals: [
              { ...hour(0), wh: 1000 },
              { ...hour(1), wh: 2000 },
              { ...hour(2), wh: 3000 },
            ],
          },
        }),
        201,
      );
      expect(await s.eventCount()).toBe(before + 1);
      [ids.A, ids.B, ids.C] = issued.bundles.map((b: any) => b.id);

      const event = await lastEvent();
      expect(event).toMatchObject({
        type: 'certificates.issued',
        subject_type: 'device',
        subject_id: String(w.device),
        account_ids: [w.producerAccount],
        actor_id: w.issuer.id,
      });
      // The default lifetime: 365 days after the interval ends.
      expect(event.payload).toMatchObject({
        device_id: w.device,
        account_id: w.producerAccount,
        energy_source: 'solar_pv',
        reissue_of_bundle_id: null,
        lifetime_ms: 365 * 24 * 3_600_000,
      });
      // Three hours one after another: one run, each bundle named by its quantity alone.
      const [first] = issued.bundles;
      expect(event.payload.runs).toEqual([
        {
          bundle_id: first.id,
          issuance_id: first.issuance_id,
          certificate_bundle_id_range_start: 1,
          production_starting_interval: first.production_starting_interval,
          interval_ms: 3_600_000,
          bundle_quantities: [1000, 2000, 3000],
        },
      ]);
      expect(issued.bundles.map((b: any) => [b.id - first.id, b.issuance_id - first.issuance_id])).toEqual([
        [0, 0],
        [1, 1],
        [2, 2],
      ]);
      for (const b of issued.bundles)
        expect(Date.parse(b.expiry_datestamp) - Date.parse(b.production_ending_interval)).toBe(
          event.payload.lifetime_ms,
        );
      expect(
        issued.bundles.map((b: any) => [b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end]),
      ).toEqual([
        [1, 1000],
        [1001, 3000],
        [3001, 6000],
      ]);
    });

    type Step = {
      name: string;
      action: string;
      who: () => User;
      body: () => Record<string, unknown>;
      check: (bundles: any[], result: any) => void;
    };
    const steps: Step[] = [
      {
        name: 'a whole transfer moves A to the trader',
        action: 'transfer',
        who: () => w.producer,
        body: () => ({
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: [ids.A],
        }),
        check: (bundles) =>
          expect(bundles.map((b) => [b.id, b.account_id, b.bundle_quantity, b.certificate_bundle_status])).toEqual([
            [ids.A, w.traderAccount, 1000, 'active'],
          ]),
      },
      {
        name: 'a partial transfer splits B: 500 Wh to the trader, 1500 Wh stay',
        action: 'transfer',
        who: () => w.producer,
        body: () => ({
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: [ids.B],
          certificate_quantity: 500,
        }),
        check: (bundles, result) => {
          ids.B1 = result.bundles[0].id;
          expect(
            bundles.map((b) => [
              b.id,
              b.account_id,
              b.certificate_bundle_id_range_start,
              b.certificate_bundle_id_range_end,
              b.split_from_bundle_id,
            ]),
          ).toEqual([
            [ids.B1, w.traderAccount, 1001, 1500, ids.B],
            [ids.B, w.producerAccount, 1501, 3000, null],
          ]);
        },
      },
      ...(['reserve', 'unreserve', 'lock', 'unlock'] as const).map(
        (action): Step => ({
          name: `${action} C`,
          action,
          who: () => w.producer,
          body: () => ({ source_id: w.producerAccount, granular_certificate_bundle_ids: [ids.C] }),
          check: (bundles) =>
            expect(bundles.map((b) => [b.id, b.account_id, b.certificate_bundle_status])).toEqual([
              [
                ids.C,
                w.producerAccount,
                { reserve: 'reserved', unreserve: 'active', lock: 'locked', unlock: 'active' }[action],
              ],
            ]),
        }),
      ),
      {
        name: 'the issuing body withdraws C',
        action: 'withdraw',
        who: () => w.issuer,
        body: () => ({ source_id: w.producerAccount, granular_certificate_bundle_ids: [ids.C] }),
        check: (bundles) =>
          expect(bundles.map((b) => [b.id, b.certificate_bundle_status])).toEqual([[ids.C, 'withdrawn']]),
      },
      {
        name: 'the trader cancels A for a beneficiary',
        action: 'cancel',
        who: () => w.trader,
        body: () => ({
          source_id: w.traderAccount,
          granular_certificate_bundle_ids: [ids.A],
          beneficiary: 'ACME A/S',
          purpose: 'Scope 2',
        }),
        check: (bundles, result) => {
          expect(result.statement_id).toEqual(expect.any(Number));
          expect(bundles).toEqual([
            expect.objectContaining({
              id: ids.A,
              account_id: w.traderAccount,
              certificate_bundle_status: 'cancelled',
              beneficiary: 'ACME A/S',
              cancellation_purpose: 'Scope 2',
              cancelled_at: expect.any(String),
              cancellation_statement_id: result.statement_id,
            }),
          ]);
        },
      },
      {
        name: 'the trader claims A for a consumer',
        action: 'claim',
        who: () => w.trader,
        body: () => ({
          source_id: w.traderAccount,
          granular_certificate_bundle_ids: [ids.A],
          consumer: 'ACME plant 3',
        }),
        check: (bundles) =>
          expect(bundles).toEqual([
            expect.objectContaining({
              id: ids.A,
              certificate_bundle_status: 'claimed',
              claim_consumer: 'ACME plant 3',
              claimed_at: expect.any(String),
              beneficiary: 'ACME A/S',
            }),
          ]),
      },
    ];

    it.each(steps)('$action: $name', async ({ action, who, body, check }) => {
      const request = body();
      const before = await s.eventCount();
      const result = await expectStatus(
        s.request('POST', `/api/certificates/${action}`, { token: who().token, body: request }),
        200,
      );
      expect(await s.eventCount()).toBe(before + 1);

      const event = await lastEvent();
      const target = action === 'transfer' ? request.target_id : null;
      expect(event).toMatchObject({
        id: result.action_id,
        type:
          'certificates.' +
          {
            cancel: 'cancelled',
            unreserve: 'unreserved',
            unlock: 'unlocked',
            reserve: 'reserved',
            lock: 'locked',
            withdraw: 'withdrawn',
            claim: 'claimed',
            transfer: 'transferred',
          }[action],
        subject_type: 'account',
        subject_id: String(request.source_id),
        account_ids: target === null ? [request.source_id] : [request.source_id, target],
        actor_id: who().id,
      });
      expect(event.payload).toEqual({
        action,
        request,
        statement_id: result.statement_id,
        bundles: [...result.bundles, ...result.remainders],
      });
      // The event holds the bundles exactly as the API now shows them.
      expect(await current(event.payload.bundles)).toEqual(event.payload.bundles);
      check(event.payload.bundles, result);
    });

    it('transfers are listed by type with the bundles under their new account', async () => {
      const { items } = await allEvents(auditor.token, 'type=certificates.transferred');
      expect(items.map((e) => e.payload.bundles.map((b: any) => [b.id, b.account_id]))).toEqual([
        [[ids.A, w.traderAccount]],
        [
          [ids.B1, w.traderAccount],
          [ids.B, w.producerAccount],
        ],
      ]);
    });

    it('account and device changes append one event each, with the new state', async () => {
      const cases: Array<{ type: string; send: () => Promise<any>; payload: (r: any) => unknown }> = [
        {
          type: 'account.created',
          send: () => s.request('POST', '/api/accounts', { token: w.outsider.token, body: { account_name: 'Second' } }),
          payload: (r) => ({ account: r, members: [w.outsider.id] }),
        },
        {
          type: 'account.updated',
          send: () =>
            s.request('PATCH', `/api/accounts/${w.outsiderAccount}`, {
              token: w.outsider.token,
              body: { account_name: 'Renamed' },
            }),
          payload: (r) => ({ account: r }),
        },
        {
          type: 'account.whitelist_changed',
          send: () =>
            s.request('POST', `/api/accounts/${w.outsiderAccount}/whitelist`, {
              token: w.outsider.token,
              body: { add: [w.producerAccount] },
            }),
          payload: () => ({
            account_id: w.outsiderAccount,
            added: [w.producerAccount],
            removed: [],
            accepts_from: [w.producerAccount],
          }),
        },
        {
          type: 'device.updated',
          send: () =>
            s.request('PATCH', `/api/devices/${w.device}`, {
              token: w.producer.token,
              body: { device_name: 'Roof array (east)' },
            }),
          payload: (r) => r,
        },
      ];
      for (const c of cases) {
        const before = await s.eventCount();
        const reply = await c.send();
        expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
        expect(await s.eventCount()).toBe(before + 1);
        const event = await lastEvent();
        expect(event.type).toBe(c.type);
        expect(event.payload).toEqual(c.payload(reply.body));
      }
    });
  });

  describe('the events table is append-only', () => {
    it.each([
      ['UPDATE', sql`UPDATE events SET type = 'tampered'`],
      ['UPDATE of one row', sql`UPDATE events SET payload = '{}'::jsonb WHERE id = 1`],
      ['DELETE', sql`DELETE FROM events`],
      ['TRUNCATE', sql`TRUNCATE events CASCADE`],
    ])('refuses %s and keeps every event as it was', async (_name, statement) => {
      const before = await allEvents(auditor.token);
      await expect(statement.execute(s.db.database.kysely)).rejects.toThrow(/append-only/);
      expect(await s.eventCount()).toBe(before.items.length);
      expect((await allEvents(auditor.token)).items).toEqual(before.items);
    });
  });

  describe('GET /api/events', () => {
    it('shows a trader exactly the events touching its accounts', async () => {
      const all = (await allEvents(auditor.token)).items;
      const mine = (await allEvents(w.trader.token)).items;
      // The same events; a payload may show the trader less (see registry/actions.test.ts on split transfers).
      expect(mine.map((e) => e.id)).toEqual(
        all.filter((e) => e.account_ids.includes(w.traderAccount)).map((e) => e.id),
      );
      expect(mine.map((e) => e.type)).toEqual([
        'account.created',
        'account.whitelist_changed',
        'certificates.transferred',
        'certificates.transferred',
        'certificates.cancelled',
        'certificates.claimed',
      ]);
      // The producer's issuance and the outsider's account are not the trader's business.
      expect((await allEvents(w.trader.token, 'type=certificates.issued')).items).toEqual([]);
      expect((await allEvents(w.trader.token, `subject_type=account&subject_id=${w.outsiderAccount}`)).items).toEqual(
        [],
      );
    });

    it('shows an outsider only its own accounts, and an auditor every event', async () => {
      const all = (await allEvents(auditor.token)).items;
      expect(all).toHaveLength(await s.eventCount());
      const outsiderSees = (await allEvents(w.outsider.token)).items;
      expect(outsiderSees.length).toBeGreaterThan(0);
      const outsiderAccounts = new Set<number>(
        (await s.request('GET', '/api/accounts', { token: w.outsider.token })).body.items.map((a: any) => a.id),
      );
      expect(outsiderSees).toEqual(all.filter((e) => e.account_ids.some((a: number) => outsiderAccounts.has(a))));
    });

    it('returns every event exactly once across pages of 2, in id order', async () => {
      const everything = (await allEvents(auditor.token)).items;
      const paged = await allEvents(auditor.token, '', 2);
      expect(paged.pages.length).toBe(Math.ceil(everything.length / 2));
      expect(paged.pages.every((p) => p.length === 2 || p === paged.pages.at(-1))).toBe(true);
      expect(paged.items).toEqual(everything);
      const eventIds = paged.items.map((e) => e.id);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      expect([...eventIds].sort((a, b) => a - b)).toEqual(eventIds);

      const traderPaged = await allEvents(w.trader.token, '', 2);
      expect(traderPaged.items).toEqual((await allEvents(w.trader.token)).items);
      expect(traderPaged.pages).toHaveLength(3);
    });

    it('pages newest first on request: the same events, each once, in reverse', async () => {
      const everything = (await allEvents(auditor.token)).items;
      const newest = await allEvents(auditor.token, 'order=desc', 3);
      expect(newest.items).toEqual([...everything].reverse());
      expect(newest.pages.length).toBe(Math.ceil(everything.length / 3));
      const traderNewest = await allEvents(w.trader.token, 'order=desc', 2);
      expect(traderNewest.items).toEqual([...(await allEvents(w.trader.token)).items].reverse());
      const bad = await s.request('GET', '/api/events?order=newest', { token: auditor.token });
      expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'querystring/order']);
    });

    it('refuses a cursor it did not issue with 400 invalid_cursor', async () => {
      const r = await s.request('GET', '/api/events?cursor=bm90LWEtY3Vyc29y', { token: auditor.token });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('invalid_cursor');
    });
  });

  // Last: these tests change rows behind the API's back (and put them back).
  describe('checkRegistry', () => {
    const db = () => s.db.database.kysely;

    it('finds nothing wrong in a world built through the API', async () => {
      expect(await checkRegistry(db())).toEqual([]);
    });

    it('reports replay_rebuilds_state when a bundle is moved to another account directly', async () => {
      await sql`UPDATE bundles SET account_id = ${w.outsiderAccount} WHERE id = ${ids.A}`.execute(db());
      expect(await checkRegistry(db())).toEqual([
        { rule: 'replay_rebuilds_state', detail: `bundle ${ids.A} differs from the event log in account_id` },
      ]);
      await sql`UPDATE bundles SET account_id = ${w.traderAccount} WHERE id = ${ids.A}`.execute(db());
      expect(await checkRegistry(db())).toEqual([]);
    });

    it('reports ranges_disjoint and quantities_conserved when a range grows into its neighbour', async () => {
      // A holds ids 1–1000 and B1 starts at 1001: A ending at 1001 overlaps B1 and gives A's issuance 1 Wh too many.
      await sql`UPDATE bundles SET certificate_bundle_id_range_end = 1001 WHERE id = ${ids.A}`.execute(db());
      const violations = await checkRegistry(db());
      expect(violations).toContainEqual({
        rule: 'ranges_disjoint',
        detail: `device ${w.device}: bundles ${ids.A} and ${ids.B1} overlap`,
      });
      expect(violations).toContainEqual({
        rule: 'quantities_conserved',
        detail: expect.stringMatching(/issued 1000 Wh as ids 1–1000; its bundles hold 1001 Wh as ids 1–1001$/),
      });
      expect(violations).toContainEqual({
        rule: 'replay_rebuilds_state',
        detail: `bundle ${ids.A} differs from the event log in certificate_bundle_id_range_end, bundle_quantity`,
      });
      await sql`UPDATE bundles SET certificate_bundle_id_range_end = 1000 WHERE id = ${ids.A}`.execute(db());
      expect(await checkRegistry(db())).toEqual([]);
    });

    it('writes no event for a change that changes nothing', async () => {
      const admin = await s.user('admin');
      const before = await s.eventCount();
      await expectStatus(
        s.request('POST', `/api/accounts/${w.traderAccount}/whitelist`, {
          token: w.trader.token,
          body: { add: [w.producerAccount] },
        }),
        200,
      );
      await expectStatus(
        s.request('POST', `/api/accounts/${w.traderAccount}/members`, {
          token: admin.token,
          body: { user_id: w.trader.id },
        }),
        200,
      );
      expect(await s.eventCount()).toBe(before);
    });

    it('reports quantities_conserved when a range shrinks', async () => {
      await sql`UPDATE bundles SET certificate_bundle_id_range_end = 5999 WHERE id = ${ids.C}`.execute(db());
      const rules = (await checkRegistry(db())).map((v) => v.rule);
      expect(rules).toContain('quantities_conserved');
      expect(rules).not.toContain('ranges_disjoint');
    });
  });
});

// Event ids are taken at insert and become visible at commit. A reader paging through the log
// while a slow transaction holds an earlier id must still get that event once it commits.
describe.runIf(process.env.TEST_DATABASE_URL)('event paging while a transaction is open', () => {
  let s: TestServer;
  let w: World;
  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('never lists an event ahead of one whose transaction is still open', async () => {
    const { default: pg } = await import('pg');
    const slow = new pg.Client({ connectionString: s.db.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      const held = await slow.query(
        'INSERT INTO events (type, subject_type, subject_id, account_ids, payload) ' +
          "VALUES ('test.slow', 'account', $1::text, ARRAY[$1::bigint], '{}') RETURNING id",
        [w.traderAccount],
      );
      // A later change commits while the slow transaction still holds its lower id.
      await expectStatus(
        s.request('PATCH', `/api/accounts/${w.traderAccount}`, {
          token: w.trader.token,
          body: { account_name: 'Later' },
        }),
        200,
      );
      const list = async () =>
        (
          await expectStatus(
            s.request('GET', `/api/events?account_id=${w.traderAccount}&limit=1000`, { token: w.trader.token }),
            200,
          )
        ).items;
      const before = await list();
      // The later event waits behind the open transaction, so no reader can page past the slow one.
      expect(before.map((e: any) => e.type)).not.toContain('account.updated');
      await slow.query('COMMIT');
      const after = await list();
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length).map((e: any) => [e.id, e.type])).toEqual([
        [Number(held.rows[0].id), 'test.slow'],
        [expect.any(Number), 'account.updated'],
      ]);
    } finally {
      await slow.end();
    }
  });
});
