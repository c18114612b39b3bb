// The holder's reference: set and removed in place by the account's holders, each change one
// event with the rows (so the log still rebuilds the bundles), cleared by a transfer for the part
// that moves, and nothing else of a bundle changes this way.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRegistry } from '../../src/registry/check.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

const patch = (body: unknown, token = w.producer.token) =>
  s.request('PATCH', '/api/certificates/mutables', { token, body });

describe("the holder's reference", () => {
  it('is set and removed in place, one event per change, none for no change', async () => {
    const [a, b] = await issue(s, w, [
      [0, 1000],
      [1, 2000],
    ]);
    const events = await s.eventCount();
    const set = await expectStatus(
      patch({
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [b.id, a.id],
        holder_reference: 'PPA-2026-07',
      }),
      200,
    );
    expect(set).toMatchObject({ action_id: expect.any(Number), source_id: w.producerAccount });
    // In the order given, whole, otherwise as they were.
    expect(set.bundles).toEqual([
      { ...b, holder_reference: 'PPA-2026-07' },
      { ...a, holder_reference: 'PPA-2026-07' },
    ]);
    expect(await s.eventCount()).toBe(events + 1);
    const { rows } = await sql<{ type: string; payload: any }>`
      SELECT type, payload FROM events WHERE id = ${set.action_id}`.execute(s.db.database.kysely);
    expect(rows[0]?.type).toBe('certificates.mutables_updated');
    expect(rows[0]?.payload.bundles.map((x: any) => [x.id, x.holder_reference])).toEqual([
      [a.id, 'PPA-2026-07'],
      [b.id, 'PPA-2026-07'],
    ]);
    // The same reference again changes nothing and records nothing.
    const again = await expectStatus(
      patch({ source_id: w.producerAccount, granular_certificate_bundle_ids: [a.id], holder_reference: 'PPA-2026-07' }),
      200,
    );
    expect(again.action_id).toBeNull();
    expect(await s.eventCount()).toBe(events + 1);
    const removed = await expectStatus(
      patch({ source_id: w.producerAccount, granular_certificate_bundle_ids: [a.id], holder_reference: null }),
      200,
    );
    expect(removed.bundles.map((x: any) => x.holder_reference)).toEqual([null]);

    // A transfer of part of b: the part that moves starts without the reference, the rest keeps it.
    const moved = await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: {
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: [b.id],
          certificate_quantity: 500,
        },
      }),
      200,
    );
    expect(moved.bundles.map((x: any) => [x.account_id, x.holder_reference])).toEqual([[w.traderAccount, null]]);
    expect(moved.remainders.map((x: any) => [x.id, x.holder_reference])).toEqual([[b.id, 'PPA-2026-07']]);
  });

  it('is refused for another account’s bundles, to a non-holder, and for any other field, changing nothing', async () => {
    const [c] = await issue(s, w, [[2, 1000]]);
    const events = await s.eventCount();
    const refusals: Array<[Record<string, unknown>, string | undefined, number, string]> = [
      [
        { source_id: w.producerAccount, granular_certificate_bundle_ids: [c.id], holder_reference: 'x' },
        w.trader.token,
        404,
        'account_not_found',
      ],
      [
        { source_id: w.traderAccount, granular_certificate_bundle_ids: [c.id], holder_reference: 'x' },
        w.trader.token,
        409,
        'bundle_not_in_account',
      ],
      [
        {
          source_id: w.producerAccount,
          granular_certificate_bundle_ids: [c.id],
          holder_reference: 'x',
          certificate_bundle_status: 'cancelled',
        },
        undefined,
        400,
        'invalid_request',
      ],
      [
        { source_id: w.producerAccount, granular_certificate_bundle_ids: [c.id], holder_reference: 'x'.repeat(201) },
        undefined,
        400,
        'invalid_request',
      ],
    ];
    for (const [body, token, status, code] of refusals) {
      const r = await patch(body, token);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.code).toBe(code);
    }
    expect(await s.eventCount()).toBe(events);
  });
});
