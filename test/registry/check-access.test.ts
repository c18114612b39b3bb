// `tally check` proves the access rules from the database alone: a claim against a point outside
// the claiming account, and a closed account holding live certificates, are each reported.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';
import { checkRegistry } from '../../src/registry/check.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

const violations = async (rule: string) => (await checkRegistry(s.db.database.kysely)).filter((v) => v.rule === rule);

it('reports a claim against a point of another account, a production point or a missing point', async () => {
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: 'TRADER-HOME', type: 'consumption', account_id: w.traderAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'PRODUCER-HOME', type: 'consumption', account_id: w.producerAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'PRODUCER-ROOF', type: 'production', account_id: w.producerAccount },
    }),
    201,
  );
  const [a, b] = await issue(s, w, [
    [0, 100],
    [1, 200],
  ]);
  const ids = [a.id, b.id];
  await expectStatus(
    s.request('POST', '/api/certificates/cancel', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, granular_certificate_bundle_ids: ids, beneficiary: 'Producer' },
    }),
    200,
  );
  await expectStatus(
    s.request('POST', '/api/certificates/claim', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, granular_certificate_bundle_ids: ids, metering_point_id: 'PRODUCER-HOME' },
    }),
    200,
  );
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);

  const db = s.db.database.kysely;
  await sql`UPDATE bundles SET claim_metering_point_id = 'TRADER-HOME' WHERE id = ${a.id}`.execute(db);
  await sql`UPDATE bundles SET claim_metering_point_id = 'PRODUCER-ROOF' WHERE id = ${b.id}`.execute(db);
  expect(await violations('claims_in_reach')).toEqual([
    {
      rule: 'claims_in_reach',
      detail:
        `bundle ${a.id} of account ${w.producerAccount} is claimed against ` +
        `consumption metering point TRADER-HOME of account ${w.traderAccount}`,
    },
    {
      rule: 'claims_in_reach',
      detail:
        `bundle ${b.id} of account ${w.producerAccount} is claimed against ` +
        `production metering point PRODUCER-ROOF of account ${w.producerAccount}`,
    },
  ]);
  await sql`UPDATE bundles SET claim_metering_point_id = 'GONE' WHERE id = ${b.id}`.execute(db);
  expect((await violations('claims_in_reach'))[1]).toEqual({
    rule: 'claims_in_reach',
    detail: `bundle ${b.id} is claimed against metering point GONE, which does not exist`,
  });
  await sql`UPDATE bundles SET claim_metering_point_id = 'PRODUCER-HOME' WHERE id IN (${a.id}, ${b.id})`.execute(db);
  expect(await checkRegistry(db)).toEqual([]);
});

it('reports a closed account that holds live certificates', async () => {
  const [c] = await issue(s, w, [[2, 300]]);
  await expectStatus(
    s.request('POST', '/api/certificates/transfer', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: [c.id] },
    }),
    200,
  );
  await expectStatus(
    s.request('POST', '/api/certificates/reserve', {
      token: w.trader.token,
      body: { source_id: w.traderAccount, granular_certificate_bundle_ids: [c.id] },
    }),
    200,
  );
  const db = s.db.database.kysely;
  await sql`UPDATE accounts SET closed_at = now() WHERE id = ${w.traderAccount}`.execute(db);
  expect(await violations('closed_accounts_hold_nothing_live')).toEqual([
    {
      rule: 'closed_accounts_hold_nothing_live',
      detail: `closed account ${w.traderAccount} holds 1 live bundles (300 Wh)`,
    },
  ]);
  await sql`UPDATE accounts SET closed_at = NULL WHERE id = ${w.traderAccount}`.execute(db);
  expect(await checkRegistry(db)).toEqual([]);
});
