// Storage under generated sequences of requests (fast-check): charges backed by certificates,
// discharges in either order, allocations, SD-GC issuance, SD-GCs withdrawn or claimed, records
// withdrawn. Whatever the sequence: never a 5xx, a refusal changes nothing, no Wh of charge or
// discharge is counted twice (allocated ≤ backed ≤ charged, issued ≤ allocated ≤ discharged, losses
// applied), and `tally check` finds the database sound.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEverything } from '../../src/check.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { charging, discharging, storageDevice } from '../helpers/storage.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

const HOURS = 4;

const charge = fc.record({
  op: fc.constant('charge' as const),
  hour: fc.nat({ max: HOURS - 1 }),
  energy: fc.integer({ min: 1, max: 1500 }),
  /** Percent of the charge to back with certificates; above 100 is refused (over_charge). */
  back: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined, freq: 4 }),
});
const command = fc.oneof(
  { weight: 3, arbitrary: charge },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('back' as const),
      record: fc.nat(),
      quantity: fc.integer({ min: 1, max: 1200 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('discharge' as const),
      hour: fc.integer({ min: HOURS, max: HOURS + 3 }),
      energy: fc.integer({ min: 1, max: 1500 }),
      lifo: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('allocate' as const, 'issue' as const), record: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constantFrom('withdraw_sdgc' as const, 'claim_sdgc' as const), bundle: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constantFrom('withdraw_scr' as const, 'withdraw_sdr' as const), record: fc.nat() }),
  },
);

describe('storage under generated requests', () => {
  let s: TestServer;
  let w: World;
  let run = 0;
  const seen = new Set<string>();

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
  });
  afterAll(async () => s?.close());

  const post = (path: string, token: string, body?: unknown) =>
    s.request('POST', path, { token, ...(body === undefined ? {} : { body }) });

  it('never counts a Wh twice, and a refusal changes nothing', async () => {
    await fc.assert(
      // Some charge first, so that discharges usually have charge to draw on.
      fc.asyncProperty(
        fc.array(charge, { minLength: 1, maxLength: 3 }),
        fc.array(command, { maxLength: 12 }),
        async (first, rest) => {
          const commands = [...first, ...rest];
          // Each run: its own battery and its own day of certificates, sold to the battery's holder.
          const base = 24 * run++;
          const battery = await storageDevice(s, w);
          const issued = await issue(
            s,
            w,
            Array.from({ length: HOURS }, (_, h) => [base + h, 1000] as [number, number]),
          );
          await expectStatus(
            post('/api/certificates/transfer', w.producer.token, {
              source_id: w.producerAccount,
              target_id: w.traderAccount,
              granular_certificate_bundle_ids: issued.map((b) => b.id),
            }),
            200,
          );
          const scrs: number[] = [];
          const sdrs: number[] = [];
          const sdgcs: number[] = [];
          const pick = <T>(list: T[], k: number) => (list.length ? list[k % list.length] : undefined);
          /** The trader's active bundles of the hour, split or not. */
          const heldOfHour = async (h: number) => {
            const page = await expectStatus(
              post('/api/certificates/query', w.trader.token, {
                source_id: w.traderAccount,
                certificate_bundle_status: ['active'],
                device_id: w.device,
                certificate_period_start: charging(base + h).charging_start_datetime,
                certificate_period_end: charging(base + h).charging_end_datetime,
              }),
              200,
            );
            return page.items.map((b: any) => b.id as number);
          };
          for (const c of commands) {
            const before = await s.eventCount();
            let r: { status: number; body: any } | undefined;
            if (c.op === 'charge') {
              const held = c.back === undefined ? [] : await heldOfHour(c.hour);
              r = await post('/api/storage/charge-records', w.trader.token, {
                device_id: battery,
                ...charging(base + c.hour),
                charging_energy: c.energy,
                ...(held.length
                  ? {
                      certificates: {
                        granular_certificate_bundle_ids: held,
                        certificate_quantity: Math.ceil((c.energy * c.back!) / 100),
                      },
                    }
                  : {}),
              });
              if (r.status === 201) scrs.push(r.body.id);
            } else if (c.op === 'back') {
              const id = pick(scrs, c.record);
              if (id === undefined) continue;
              const record = await expectStatus(
                s.request('GET', `/api/storage/charge-records/${id}`, { token: w.trader.token }),
                200,
              );
              const held = await heldOfHour(
                Math.round(
                  (Date.parse(record.charging_start_datetime) - Date.parse(charging(base).charging_start_datetime)) /
                    3_600_000,
                ),
              );
              if (!held.length) continue;
              r = await post(`/api/storage/charge-records/${id}/certificates`, w.trader.token, {
                granular_certificate_bundle_ids: held,
                certificate_quantity: c.quantity,
              });
            } else if (c.op === 'discharge') {
              r = await post('/api/storage/discharge-records', w.trader.token, {
                device_id: battery,
                ...discharging(base + c.hour),
                discharge_energy: c.energy,
                scr_allocation_methodology: c.lifo ? 'LIFO' : 'FIFO',
              });
              if (r.status === 201) sdrs.push(r.body.id);
            } else if (c.op === 'allocate' || c.op === 'issue') {
              const id = pick(sdrs, c.record);
              if (id === undefined) continue;
              r = await post(`/api/storage/discharge-records/${id}/${c.op}`, w.trader.token);
              if (c.op === 'issue' && r.status === 201) sdgcs.push(...r.body.items.map((b: any) => b.id));
            } else if (c.op === 'withdraw_sdgc' || c.op === 'claim_sdgc') {
              const id = pick(sdgcs, c.bundle);
              if (id === undefined) continue;
              const ids = { source_id: w.traderAccount, granular_certificate_bundle_ids: [id] };
              if (c.op === 'withdraw_sdgc') r = await post('/api/certificates/withdraw', w.issuer.token, ids);
              else {
                r = await post('/api/certificates/cancel', w.trader.token, { ...ids, beneficiary: 'Trader' });
                if (r.status === 200)
                  r = await post('/api/certificates/claim', w.trader.token, { ...ids, consumer: 'Trader' });
              }
            } else if (c.op === 'withdraw_scr' || c.op === 'withdraw_sdr') {
              const charge = c.op === 'withdraw_scr';
              const id = pick(charge ? scrs : sdrs, c.record);
              if (id === undefined) continue;
              r = await post(`/api/storage/${charge ? 'charge' : 'discharge'}-records/${id}/withdraw`, w.issuer.token);
            }
            if (r === undefined) continue;
            seen.add(`${c.op} ${r.status}`);
            expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
            if (r.status >= 400) expect(await s.eventCount(), JSON.stringify(r.body)).toBe(before);
          }
          const list = async (kind: string) =>
            (
              await expectStatus(
                s.request('GET', `/api/storage/${kind}-records?device_id=${battery}&limit=1000`, {
                  token: w.trader.token,
                }),
                200,
              )
            ).items;
          for (const scr of await list('charge')) {
            expect(scr.allocated_wh).toBeLessThanOrEqual(scr.backed_wh);
            expect(scr.backed_wh).toBeLessThanOrEqual(scr.charging_energy);
          }
          for (const sdr of await list('discharge')) {
            expect(sdr.issued_wh).toBeLessThanOrEqual(sdr.allocated_wh);
            expect(sdr.allocated_wh).toBeLessThanOrEqual(sdr.discharge_energy);
            for (const a of sdr.allocations)
              expect(a.discharge_wh * 1_000_000).toBeLessThanOrEqual(
                a.charge_wh * Math.round(sdr.storage_efficiency_factor * 1_000_000),
              );
          }
          expect(await checkEverything(s.db.database.kysely)).toEqual([]);
        },
      ),
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
    // The sequences reached the successes, not only refusals.
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'charge 201',
        'back 200',
        'discharge 201',
        'issue 201',
        'withdraw_sdgc 200',
        'withdraw_sdr 200',
      ]),
    );
  });
});
