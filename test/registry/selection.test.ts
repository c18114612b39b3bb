// Selection then action: the registry chooses the bundles a filter matches in a status the action
// starts from, in query order, and only the leading ones that cover the quantity; the action then
// touches those alone. An id range is read in SQL within an issuance, and never passed by a quantity.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performOnSelection } from '../../src/registry/actions.ts';
import { chooseBundles } from '../../src/registry/selection.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let bundles: any[];
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  // Five hours of 100 Wh, issued one at a time out of order: query order is production time, not id.
  bundles = [];
  for (const h of [4, 0, 3, 1, 2]) bundles.push(...(await issue(s, w, [[h, 100]])));
});
afterAll(async () => s?.close());

const db = () => s.db.database.kysely;
const byHour = (...hours: number[]) => hours.map((h) => bundles[[4, 0, 3, 1, 2].indexOf(h)].id);
const producer = () => ({ userId: w.producer.id, role: 'producer' as const, email: 'producer@example.com' });

describe('chooseBundles', () => {
  it('takes the leading bundles in production-time order that cover the quantity, and no more', async () => {
    expect(await chooseBundles(db(), ['active'], { source_id: w.producerAccount, certificate_quantity: 250 })).toEqual({
      ids: byHour(0, 1, 2),
      quantity: 250,
      held: 300,
    });
    expect(await chooseBundles(db(), ['active'], { source_id: w.producerAccount, certificate_quantity: 200 })).toEqual({
      ids: byHour(0, 1),
      quantity: 200,
      held: 200,
    });
    // Without a quantity, every match whole; with more than there is, every match, short.
    expect(await chooseBundles(db(), ['active'], { source_id: w.producerAccount })).toEqual({
      ids: byHour(0, 1, 2, 3, 4),
      quantity: undefined,
      held: 500,
    });
    expect(await chooseBundles(db(), ['active'], { source_id: w.producerAccount, certificate_quantity: 900 })).toEqual({
      ids: byHour(0, 1, 2, 3, 4),
      quantity: 900,
      held: 500,
    });
  });

  it('reads an id range within an issuance, and refuses what an action cannot take', async () => {
    const [hour0] = byHour(0);
    const issuance = bundles.find((b) => b.id === hour0).issuance_id;
    const range = { source_id: w.producerAccount, issuance_id: issuance };
    expect(
      await chooseBundles(db(), ['active'], {
        ...range,
        certificate_bundle_id_range_start: bundles.find((b) => b.id === hour0).certificate_bundle_id_range_start,
      }),
    ).toMatchObject({ ids: [hour0], quantity: 100 });
    const refusals: Array<[() => Promise<unknown>, string]> = [
      [
        () => chooseBundles(db(), ['active'], { ...range, certificate_bundle_status: 'withdrawn' }),
        'status_not_acted_on',
      ],
      [() => chooseBundles(db(), ['cancelled'], { source_id: w.producerAccount }), 'no_matching_certificates'],
      [
        () => chooseBundles(db(), ['active'], { source_id: w.producerAccount, certificate_bundle_id_range_start: 1 }),
        'range_needs_issuance',
      ],
      [
        () =>
          chooseBundles(db(), ['active'], {
            ...range,
            certificate_bundle_id_range_start:
              bundles.find((b) => b.id === hour0).certificate_bundle_id_range_start + 1,
          }),
        'range_inside_bundle',
      ],
      [
        () =>
          chooseBundles(db(), ['active'], {
            ...range,
            certificate_bundle_id_range_end: bundles.find((b) => b.id === hour0).certificate_bundle_id_range_start + 9,
            certificate_quantity: 11,
          }),
        'insufficient_quantity',
      ],
    ];
    // Each made only when awaited: a refusal must not be left unhandled meanwhile.
    for (const [choice, code] of refusals) await expect(choice()).rejects.toMatchObject({ code });
  });
});

describe('performOnSelection', () => {
  it('acts on the leading bundles only: the rest are not touched', async () => {
    const before = (
      await sql<{ id: number; updated_at: Date }>`SELECT id, updated_at FROM bundles ORDER BY id`.execute(db())
    ).rows;
    s.clock.advance(60_000);
    const result = await performOnSelection(
      db(),
      producer(),
      'transfer',
      { source_id: w.producerAccount, certificate_quantity: 150 },
      { target_id: w.traderAccount },
      s.clock.now(),
    );
    expect(result.bundles.map((b) => [b.id, b.bundle_quantity, b.account_id])).toEqual([
      [byHour(0)[0], 100, w.traderAccount],
      [expect.any(Number), 50, w.traderAccount],
    ]);
    expect(result.remainders.map((b) => [b.id, b.bundle_quantity])).toEqual([[byHour(1)[0], 50]]);
    const after = (
      await sql<{ id: number; updated_at: Date }>`SELECT id, updated_at FROM bundles ORDER BY id`.execute(db())
    ).rows;
    const untouched = byHour(2, 3, 4);
    expect(after.filter((b) => untouched.includes(b.id))).toEqual(before.filter((b) => untouched.includes(b.id)));
  });
});
