// The deterministic simulation (test/helpers/simulation.ts), short: a few seeded random plans,
// and the trial's own attack sequences as fixed plans. `npm run soak` runs many long plans.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';
import { buildSimWorld, runSimulation, steps, type Step } from '../helpers/simulation.ts';

const RUNS = Number(process.env.SIM_RUNS ?? 3);
const STEPS = Number(process.env.SIM_STEPS ?? 20);
const SEED = process.env.SIM_SEED === undefined ? 20261201 : Number(process.env.SIM_SEED);

async function simulate(plan: Step[]): Promise<void> {
  const s = await startServer();
  try {
    await runSimulation(s, await buildSimWorld(s), plan);
  } finally {
    await s.close();
  }
}

it("keeps every invariant through the trial's attacks: relinking, revising while issuing, foreign claims, closing under transfers", async () => {
  const reading = (tenant: 0 | 1, hour: number, wh: number): Step => ({
    mode: 'one',
    op: { kind: 'reading', tenant, hour, wh },
  });
  await expect(
    simulate([
      reading(0, 0, 1000),
      reading(0, 1, 1000),
      { mode: 'one', op: { kind: 'issue' } },
      { mode: 'one', op: { kind: 'relink', tenant: 0, device: 1 } },
      { mode: 'one', op: { kind: 'issue' } },
      { mode: 'pair', ops: [{ kind: 'reading', tenant: 0, hour: 2, wh: 500 }, { kind: 'issue' }] },
      { mode: 'pair', ops: [{ kind: 'issue' }, { kind: 'reading', tenant: 0, hour: 2, wh: 2000 }] },
      { mode: 'one', op: { kind: 'cancel', tenant: 0, pick: 0, quantity: 300 } },
      { mode: 'one', op: { kind: 'claim', tenant: 0, pick: 0, point: 'other' } },
      { mode: 'one', op: { kind: 'claim', tenant: 0, pick: 0, point: 'production' } },
      { mode: 'one', op: { kind: 'claim', tenant: 0, pick: 0, point: 'missing' } },
      { mode: 'one', op: { kind: 'claim', tenant: 0, pick: 0, point: 'own' } },
      reading(1, 3, Number.MAX_SAFE_INTEGER),
      reading(1, 4, 900),
      { mode: 'one', op: { kind: 'issue' } },
      { mode: 'one', op: { kind: 'close', parallelTransfers: 3 } },
      { mode: 'fault', op: { kind: 'transfer', tenant: 1, pick: 0, quantity: 10 }, fault: 'kill_connections' },
      { mode: 'fault', op: { kind: 'issue' }, fault: 'abandon' },
      { mode: 'one', op: { kind: 'seal' } },
    ]),
  ).resolves.toBeUndefined();
});

it(
  'keeps every invariant through seeded random plans of several tenants, with concurrent pairs and injected failures',
  async () => {
    await fc.assert(fc.asyncProperty(steps(STEPS), simulate), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  },
  Math.max(600_000, RUNS * STEPS * 5_000),
);
