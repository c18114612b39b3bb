// A deterministic simulation of Tally under attack: seeded random sequences of the API's
// operations by two producing tenants, a trader and an issuing body, some run as concurrent
// pairs, some with injected failures (connections killed under a running request, requests
// abandoned by their client), with the full checker after every step. `npm test` runs it short;
// `npm run soak` runs it long.
import fc from 'fast-check';
import { sql } from 'kysely';
import { checkEverything } from '../../src/check.ts';
import { MAX_READING_WH } from '../../src/metering/limits.ts';
import type { Reply, TestServer } from './server.ts';
import { expectStatus, registerDevice, SOLAR } from './world.ts';
import { until } from './until.ts';

const BASE = Date.parse('2025-06-01T00:00:00Z');
const HOURS = 24;
const at = (h: number) => new Date(BASE + h * 3_600_000).toISOString();

interface Tenant {
  token: string;
  account: number;
  devices: [number, number];
  production: string;
  consumption: string;
}
export interface SimWorld {
  issuer: string;
  trader: { token: string; account: number };
  tenants: [Tenant, Tenant];
}

/**
 * Two producers, each with two devices (one fed by its production point) and a consumption point; a
 * trader that accepts both.
 */
export async function buildSimWorld(s: TestServer): Promise<SimWorld> {
  const issuer = await s.user('issuer');
  const traderUser = await s.user('trader');
  const trader = {
    token: traderUser.token,
    account: (
      await expectStatus(
        s.request('POST', '/api/accounts', { token: traderUser.token, body: { account_name: 'Trader' } }),
        201,
      )
    ).id,
  };
  const tenants = [] as unknown as [Tenant, Tenant];
  for (const name of ['A', 'B']) {
    const user = await s.user('producer', name);
    const account = (
      await expectStatus(s.request('POST', '/api/accounts', { token: user.token, body: { account_name: name } }), 201)
    ).id;
    const devices = [] as unknown as [number, number];
    for (const k of [0, 1]) {
      devices[k] = await registerDevice(s, user.token, {
        device_name: `${name}${k}`,
        account_id: account,
        ...SOLAR,
        capacity: 1_000_000,
        location: { latitude: 55.7, longitude: 12.6 },
        time_zone: 'UTC',
      });
      await expectStatus(
        s.request('PATCH', `/api/devices/${devices[k]}`, { token: issuer.token, body: { auto_issue: true } }),
        200,
      );
    }
    const production = `${name}-PROD`,
      consumption = `${name}-CONS`;
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: user.token,
        body: { id: production, type: 'production', account_id: account, device_id: devices[0] },
      }),
      201,
    );
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: user.token,
        body: { id: consumption, type: 'consumption', account_id: account },
      }),
      201,
    );
    await expectStatus(
      s.request('POST', `/api/accounts/${trader.account}/whitelist`, { token: trader.token, body: { add: [account] } }),
      200,
    );
    tenants.push({ token: user.token, account, devices, production, consumption });
  }
  return { issuer: issuer.token, trader, tenants };
}

/** One operation, drawn by fast-check: who does what, with which numbers. `pick` chooses among the bundles found. */
export type Op =
  | { kind: 'reading'; tenant: 0 | 1; hour: number; wh: number }
  | { kind: 'issue' }
  | { kind: 'relink'; tenant: 0 | 1; device: 0 | 1 | null }
  | { kind: 'transfer' | 'cancel' | 'reserve'; tenant: 0 | 1; pick: number; quantity: number }
  | { kind: 'claim'; tenant: 0 | 1; pick: number; point: 'own' | 'other' | 'production' | 'missing' | 'consumer' }
  | { kind: 'withdraw' | 'reissue'; pick: number }
  | { kind: 'close'; parallelTransfers: number }
  | { kind: 'seal' };

const tenant = fc.constantFrom(0 as const, 1 as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('reading' as const),
      tenant,
      hour: fc.nat(HOURS - 1),
      wh: fc.oneof(
        { weight: 6, arbitrary: fc.nat(1_200_000) },
        fc.constantFrom(0, 1_100_001, MAX_READING_WH, Number.MAX_SAFE_INTEGER),
      ),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'issue' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('relink' as const),
      tenant,
      device: fc.constantFrom(0 as const, 1 as const, null),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('transfer' as const, 'cancel' as const, 'reserve' as const),
      tenant,
      pick: fc.nat(50),
      quantity: fc.integer({ min: 1, max: 1_200_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      tenant,
      pick: fc.nat(50),
      point: fc.constantFrom(
        'own' as const,
        'other' as const,
        'production' as const,
        'missing' as const,
        'consumer' as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('withdraw' as const, 'reissue' as const), pick: fc.nat(50) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('close' as const), parallelTransfers: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'seal' as const }) },
);

/**
 * A step: one operation, two at once, or one with a failure injected while it runs. Plans are long
 * enough for state to build up (fast-check would otherwise keep them short).
 */
export type Step =
  | { mode: 'one'; op: Op }
  | { mode: 'pair'; ops: [Op, Op] }
  | { mode: 'fault'; op: Op; fault: 'kill_connections' | 'abandon' };
export const steps = (max: number): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: op.map((o): Step => ({ mode: 'one', op: o })) },
      { weight: 3, arbitrary: fc.tuple(op, op).map((ops): Step => ({ mode: 'pair', ops })) },
      {
        weight: 1,
        arbitrary: fc
          .record({ op, fault: fc.constantFrom('kill_connections' as const, 'abandon' as const) })
          .map((f): Step => ({ mode: 'fault', ...f })),
      },
    ),
    { minLength: Math.ceil(max / 2), maxLength: max },
  );

/** The bundle ids of an account in some statuses, in the registry's order (query first, then act). */
async function bundlesOf(
  s: TestServer,
  token: string,
  account: number,
  status: string[],
): Promise<Array<{ id: number; bundle_quantity: number }>> {
  const r = await s.request('POST', '/api/certificates/query', {
    token,
    body: { source_id: account, certificate_bundle_status: status, limit: 1000 },
  });
  return r.status === 200 ? r.body.items : [];
}

const choose = <T>(items: T[], pick: number): T | undefined => (items.length ? items[pick % items.length] : undefined);

/** Runs one operation through the API; returns every reply it got. */
async function perform(s: TestServer, w: SimWorld, o: Op, signal?: AbortSignal): Promise<Reply[]> {
  const send = (method: string, path: string, token: string, body?: unknown) =>
    s.request(method, path, { token, body, ...(signal ? { signal } : {}) });
  const t = 'tenant' in o ? w.tenants[o.tenant] : undefined;
  switch (o.kind) {
    case 'reading':
      return [
        await send('POST', `/api/metering-points/${t!.production}/readings`, t!.token, {
          readings: [
            { interval_start_datetime: at(o.hour), interval_end_datetime: at(o.hour + 1), interval_usage: o.wh },
          ],
        }),
      ];
    case 'issue':
      return [await send('POST', '/api/issuance/run', w.issuer)];
    case 'relink':
      return [
        await send('PATCH', `/api/metering-points/${t!.production}`, t!.token, {
          device_id: o.device === null ? null : t!.devices[o.device],
        }),
      ];
    case 'transfer':
    case 'cancel':
    case 'reserve': {
      const b = choose(await bundlesOf(s, t!.token, t!.account, ['active']), o.pick);
      if (!b) return [];
      const extra =
        o.kind === 'transfer' ? { target_id: w.trader.account } : o.kind === 'cancel' ? { beneficiary: 'Sim' } : {};
      return [
        await send('POST', `/api/certificates/${o.kind}`, t!.token, {
          source_id: t!.account,
          granular_certificate_bundle_ids: [b.id],
          certificate_quantity: Math.min(o.quantity, b.bundle_quantity),
          ...extra,
        }),
      ];
    }
    case 'claim': {
      const b = choose(await bundlesOf(s, t!.token, t!.account, ['cancelled']), o.pick);
      if (!b) return [];
      const other = w.tenants[1 - o.tenant]!;
      const target = {
        own: { metering_point_id: t!.consumption },
        other: { metering_point_id: other.consumption },
        production: { metering_point_id: t!.production },
        missing: { metering_point_id: 'NO-SUCH-POINT' },
        consumer: { consumer: 'Sim consumer' },
      }[o.point];
      return [
        await send('POST', '/api/certificates/claim', t!.token, {
          source_id: t!.account,
          granular_certificate_bundle_ids: [b.id],
          ...target,
          period_start: at(0),
          period_end: at(HOURS),
        }),
      ];
    }
    case 'withdraw':
    case 'reissue': {
      const holder = w.tenants[o.pick % 2]!;
      const b = choose(
        await bundlesOf(s, w.issuer, holder.account, o.kind === 'withdraw' ? ['active', 'reserved'] : ['withdrawn']),
        o.pick,
      );
      if (!b) return [];
      return [
        o.kind === 'withdraw'
          ? await send('POST', '/api/certificates/withdraw', w.issuer, {
              source_id: holder.account,
              granular_certificate_bundle_ids: [b.id],
            })
          : await send('POST', '/api/certificates/reissue', w.issuer, { granular_certificate_bundle_id: b.id }),
      ];
    }
    case 'close': {
      // A fresh account of the trader, open to tenant A; transfers into it race its closing.
      const target = await send('POST', '/api/accounts', w.trader.token, { account_name: 'Closing' });
      if (target.status !== 201) return [target];
      const a = w.tenants[0];
      await send('POST', `/api/accounts/${target.body.id}/whitelist`, w.trader.token, { add: [a.account] });
      const active = (await bundlesOf(s, a.token, a.account, ['active'])).slice(0, o.parallelTransfers);
      return Promise.all([
        ...active.map((b) =>
          send('POST', '/api/certificates/transfer', a.token, {
            source_id: a.account,
            target_id: target.body.id,
            granular_certificate_bundle_ids: [b.id],
            certificate_quantity: 1,
          }),
        ),
        send('DELETE', `/api/accounts/${target.body.id}`, w.trader.token),
      ]);
    }
    case 'seal':
      return [await send('POST', '/api/ledger/seal', w.issuer)];
  }
}

/** Kills every other connection to the test database until `done` settles (PostgreSQL only). */
async function killConnectionsUntil(s: TestServer, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const db = s.db.database.kysely;
  for (let round = 0; round < 20 && !finished; round++) {
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`
      .execute(db)
      .catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const describeStep = (step: Step) => JSON.stringify(step);

/**
 * Runs the steps one after another; after each, every reply must be below 500 (unless a fault was
 * injected into it) and the whole checker must find nothing. Throws, naming the step, otherwise.
 */
export async function runSimulation(s: TestServer, w: SimWorld, plan: Step[]): Promise<void> {
  for (const [k, step] of plan.entries()) {
    let replies: Reply[];
    let faulty = false;
    if (step.mode === 'one') replies = await perform(s, w, step.op);
    else if (step.mode === 'pair') replies = (await Promise.all(step.ops.map((o) => perform(s, w, o)))).flat();
    else if (step.fault === 'abandon') {
      // The client gives up at once; the server must finish or roll back the work on its own.
      const controller = new AbortController();
      const running = perform(s, w, step.op, controller.signal).catch(() => []);
      controller.abort();
      replies = await running;
      faulty = true;
      await settle(s);
    } else {
      faulty = true;
      if (s.db.url) {
        const running = perform(s, w, step.op).catch(() => []);
        await killConnectionsUntil(s, running);
        replies = await running;
      } else replies = await perform(s, w, step.op);
    }
    const broken = replies.filter((r) => r.status >= 500);
    if (broken.length && !faulty)
      throw new Error(`step ${k} ${describeStep(step)}: ${broken[0]!.status} ${JSON.stringify(broken[0]!.body)}`);
    const violations = await checkEverything(s.db.database.kysely);
    if (violations.length)
      throw new Error(`step ${k} ${describeStep(step)}: ${violations.map((v) => `${v.rule}: ${v.detail}`).join('; ')}`);
  }
}

/**
 * Waits until no request of an abandoned client is still at work in the database. PostgreSQL only:
 * PGlite has no other sessions to ask about (it lends its one session to one transaction at a time).
 */
async function settle(s: TestServer): Promise<void> {
  if (!s.db.url) return;
  await until(async () => {
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`.execute(
      s.db.database.kysely,
    );
    return rows[0]!.n === 0;
  });
}
