// Property: whoever claims, against whatever point, a claimed Wh counts for exactly one consumer.
// Claims against a point outside the claiming account, a production point or no point at all are
// refused and change nothing; the rest add up, subject by subject, to exactly what was claimed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { principal } from '../helpers/principal.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import type { Principal } from '../../src/identity/principal.ts';
import type { Role } from '../../src/identity/tables.ts';
import { createAccount, updateWhitelist } from '../../src/accounts/index.ts';
import { createDevice } from '../../src/registry/devices.ts';
import { createMeteringPoint } from '../../src/metering/points.ts';
import { issueCertificates } from '../../src/registry/issuance.ts';
import { performAction } from '../../src/registry/actions.ts';
import { claimedByHour } from '../../src/registry/queries.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { TallyError } from '../../src/platform/errors.ts';
import { TEST_START } from '../helpers/clock.ts';

let t: TestDatabase;
let issuer: Principal, producer: Principal, admin: Principal;
const holders: Principal[] = [];
const accounts: number[] = [];
let producerAccount: number;
let device: number;
let nextHour = 0;
/** Each holder's own consumption point, its production point, and a point nobody registered. */
const POINTS = ['HOME-0', 'HOME-1', 'ROOF-0', 'NOWHERE'] as const;

beforeAll(async () => {
  t = await freshDatabase();
  const db = t.database.kysely;
  const mk = (role: Role, n: string) => principal(db, role, n);
  issuer = await mk('issuer', 'issuer');
  producer = await mk('producer', 'producer');
  admin = await mk('admin', 'admin');
  producerAccount = (await createAccount(db, producer, { account_name: 'P' })).id;
  for (const k of [0, 1]) {
    holders.push(await mk('trader', `holder${k}`));
    accounts.push((await createAccount(db, holders[k]!, { account_name: `H${k}` })).id);
    await updateWhitelist(db, holders[k]!, accounts[k]!, { add: [producerAccount] });
    await createMeteringPoint(db, holders[k]!, { id: `HOME-${k}`, type: 'consumption', account_id: accounts[k]! });
  }
  await createMeteringPoint(db, holders[0]!, { id: 'ROOF-0', type: 'production', account_id: accounts[0]! });
  device = (
    await createDevice(
      db,
      producer,
      {
        device_name: 'PV',
        account_id: producerAccount,
        technology_code: 'T010101',
        fuel_code: 'F01040100',
        capacity: 10_000,
        operational_date: '2020-01-01',
        country: 'DK',
        grid: 'DK1',
        location: { latitude: 55, longitude: 12 },
        time_zone: 'UTC',
        issuance_metadata: { issuing_body: 'Energinet' },
      },
      1,
    )
  ).id;
});
afterAll(() => t.drop());

const claim = fc.record({
  by: fc.constantFrom(0, 1),
  point: fc.option(fc.constantFrom(...POINTS), { nil: undefined }),
  asAdmin: fc.boolean(),
  wh: fc.integer({ min: 1, max: 10_000 }),
});

it('counts every claimed Wh for exactly one consumer, whoever claims against whatever point', async () => {
  const db = t.database.kysely;
  const events = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]!.n);
  await fc.assert(
    fc.asyncProperty(fc.array(claim, { minLength: 1, maxLength: 8 }), async (claims) => {
      const from = new Date(Date.UTC(2025, 0, 1) + nextHour * 3_600_000);
      const claimed = { byAccount: [0, 0], byPoint: new Map<string, number>(), total: 0 };
      for (const c of claims) {
        const start = new Date(Date.UTC(2025, 0, 1) + nextHour++ * 3_600_000);
        const [b] = await issueCertificates(
          db,
          issuer,
          {
            device_id: device,
            intervals: [
              {
                production_starting_interval: start.toISOString(),
                production_ending_interval: new Date(start.getTime() + 3_600_000).toISOString(),
                wh: c.wh,
              },
            ],
          },
          365,
          TEST_START,
        );
        const ids = [b!.id];
        const account = accounts[c.by]!;
        await performAction(
          db,
          producer,
          'transfer',
          {
            source_id: producerAccount,
            target_id: account,
            granular_certificate_bundle_ids: ids,
          },
          TEST_START,
        );
        await performAction(
          db,
          holders[c.by]!,
          'cancel',
          {
            source_id: account,
            granular_certificate_bundle_ids: ids,
            beneficiary: 'B',
          },
          TEST_START,
        );
        const before = await events();
        const allowed = c.point === undefined || c.point === `HOME-${c.by}`;
        try {
          await performAction(
            db,
            c.asAdmin ? admin : holders[c.by]!,
            'claim',
            {
              source_id: account,
              granular_certificate_bundle_ids: ids,
              consumer: 'C',
              metering_point_id: c.point,
            },
            TEST_START,
          );
        } catch (err) {
          if (!(err instanceof TallyError) || err.status >= 500) throw err;
          expect(allowed).toBe(false);
          expect(await events()).toBe(before);
          continue;
        }
        expect(allowed).toBe(true);
        claimed.total += c.wh;
        claimed.byAccount[c.by]! += c.wh;
        if (c.point) claimed.byPoint.set(c.point, (claimed.byPoint.get(c.point) ?? 0) + c.wh);
      }
      const to = new Date(Date.UTC(2025, 0, 1) + nextHour * 3_600_000);
      const sum = (rows: Array<{ wh: number }>) => rows.reduce((s, r) => s + r.wh, 0);
      const perAccount = await Promise.all(
        [0, 1].map(async (k) =>
          sum(await claimedByHour(db, { account_id: accounts[k]!, metering_point_ids: [`HOME-${k}`] }, from, to)),
        ),
      );
      expect(perAccount).toEqual(claimed.byAccount);
      expect(perAccount[0]! + perAccount[1]!).toBe(claimed.total);
      for (const k of [0, 1])
        expect(sum(await claimedByHour(db, { metering_point_ids: [`HOME-${k}`] }, from, to))).toBe(
          claimed.byPoint.get(`HOME-${k}`) ?? 0,
        );
    }),
    { numRuns: 15 },
  );
  expect(await checkRegistry(db)).toEqual([]);
});
