// A public disclosure of a consumer with 20 consumption points over a year (or the registry's whole
// history when it is shorter): GET /api/disclosures/{id}/data.json as a visitor, cold (a disclosure
// published just before, so nothing of it is kept) and again (kept while nothing changed), against
// its two aggregates called directly: the points' consumption by hour and the claims by hour.
import { sql } from 'kysely';
import type { Db } from '../src/platform/database.ts';
import { hourlyConsumption } from '../src/metering/index.ts';
import { claimedByHour } from '../src/registry/index.ts';
import { expectOk, type BenchServer } from './http.ts';
import { fmt, percentile, timed, type ReportRow } from './measure.ts';
import { profiled } from './profile.ts';
import type { BenchWorld } from './world.ts';

const HOUR_MS = 3_600_000;
const YEAR_HOURS = 8760;
const POINTS = 20;
const COLD_RUNS = 10;
const KEPT_RUNS = 50;
const COLD_TARGET_MS = 300;
const KEPT_TARGET_MS = 100;
/** Ids per cancel and claim call. */
const BATCH = 10_000;

export interface DisclosureResult {
  hours: number;
  readings: number;
  claimed: number;
  cold: number[];
  kept: number[];
  baseline: number[];
}

const pointId = (k: number) => `BENCH-DISCLOSURE-${String(k).padStart(2, '0')}`;

/** 20 consumption points with hourly readings, each claiming one device's certificates of the same hours. */
async function seed(db: Db, server: BenchServer, world: BenchWorld, token: string, from: number, hours: number) {
  let claimed = 0;
  for (let k = 0; k < POINTS; k++) {
    const id = pointId(k);
    expectOk(
      await server.post('/api/metering-points', { id, type: 'consumption', account_id: world.producerAccount }, token),
      'metering point',
      201,
    );
    const readings = Array.from({ length: hours }, (_, h) => ({
      interval_start_datetime: new Date(from + h * HOUR_MS).toISOString(),
      interval_end_datetime: new Date(from + (h + 1) * HOUR_MS).toISOString(),
      interval_usage: 20_000 + (((h + k) * 7_919) % 60_000),
    }));
    expectOk(await server.post(`/api/metering-points/${id}/readings`, { readings }, token), 'readings');
    const { rows } = await sql<{ id: number }>`
      SELECT id FROM bundles WHERE account_id = ${world.producerAccount} AND device_id = ${world.devices[k % world.devices.length]}
        AND certificate_bundle_status = 'active'
        AND production_starting_interval >= ${new Date(from)} AND production_starting_interval < ${new Date(from + hours * HOUR_MS)}
      ORDER BY id`.execute(db);
    for (let i = 0; i < rows.length; i += BATCH) {
      const body = {
        source_id: world.producerAccount,
        granular_certificate_bundle_ids: rows.slice(i, i + BATCH).map((r) => r.id),
      };
      expectOk(
        await server.post('/api/certificates/cancel', { ...body, beneficiary: `Consumer ${k}` }, token),
        'cancel',
      );
      expectOk(await server.post('/api/certificates/claim', { ...body, metering_point_id: id }, token), 'claim');
    }
    claimed += rows.length;
  }
  return claimed;
}

/** The dataset's two aggregates, Tally's own functions called directly, one after the other. */
async function aggregates(db: Db, points: string[], from: Date, to: Date): Promise<void> {
  await hourlyConsumption(db, points, from, to);
  await claimedByHour(db, { metering_point_ids: points }, from, to);
}

export async function benchDisclosure(
  db: Db,
  server: BenchServer,
  token: string,
  world: BenchWorld,
  history: { start: number; hours: number },
  log: (line: string) => void,
): Promise<DisclosureResult> {
  const hours = Math.min(YEAR_HOURS, history.hours);
  const from = history.start + (history.hours - hours) * HOUR_MS;
  log(`disclosure: seeding ${POINTS} consumption points × ${fmt(hours)} hours of readings and claims`);
  const claimed = await seed(db, server, world, token, from, hours);
  // Autovacuum analyzes tables this much changed within a minute or so; the figures should not
  // depend on whether it has yet (planned on the empty tables' statistics, the claims sort on disk).
  await sql`ANALYZE readings, bundles`.execute(db);
  const points = Array.from({ length: POINTS }, (_, k) => pointId(k));
  const period = {
    period_start: new Date(from).toISOString(),
    period_end: new Date(from + hours * HOUR_MS).toISOString(),
  };
  const cold: number[] = [];
  const baseline: number[] = [];
  const kept: number[] = [];
  let id = '';
  await profiled('disclosure', log, async () => {
    for (let r = 0; r < COLD_RUNS; r++) {
      id = expectOk(
        await server.post('/api/disclosures', { metering_point_ids: points, ...period }, token),
        'disclosure',
        201,
      ).id;
      const reply = await server.get(`/api/disclosures/${id}/data.json`);
      expectOk(reply, 'disclosure data');
      if (reply.body.hours.length !== hours)
        throw new Error(`the disclosure has ${reply.body.hours.length} hours, not ${hours}`);
      cold.push(reply.ms);
      baseline.push(
        (await timed(() => aggregates(db, points, new Date(period.period_start), new Date(period.period_end)))).ms,
      );
    }
    for (let r = 0; r < KEPT_RUNS; r++) {
      const reply = await server.get(`/api/disclosures/${id}/data.json`);
      kept.push(reply.ms);
      expectOk(reply, 'disclosure data');
    }
  });
  log(
    `disclosure: cold p50 ${fmt(percentile(cold, 50), 1)} ms, kept p50 ${fmt(percentile(kept, 50), 1)} ms, ` +
      `aggregates p50 ${fmt(percentile(baseline, 50), 1)} ms`,
  );
  return { hours, readings: hours * POINTS, claimed, cold, kept, baseline };
}

export function disclosureRows(r: DisclosureResult): ReportRow[] {
  const what = `public disclosure (${POINTS} points × ${fmt(r.hours)} h, ${fmt(r.claimed)} claimed bundles)`;
  const base = percentile(r.baseline, 50);
  return [
    {
      benchmark: `${what}, cold`,
      tally: `p50 ${fmt(percentile(r.cold, 50), 1)} ms, max ${fmt(Math.max(...r.cold), 1)} ms`,
      baseline: `p50 ${fmt(base, 1)} ms (its two aggregates)`,
      ratio: `${fmt(percentile(r.cold, 50) / base, 1)} × p50`,
      target: `< ${COLD_TARGET_MS} ms`,
      met: percentile(r.cold, 50) < COLD_TARGET_MS,
    },
    {
      benchmark: `${what}, unchanged since`,
      tally: `p50 ${fmt(percentile(r.kept, 50), 1)} ms, p99 ${fmt(percentile(r.kept, 99), 1)} ms`,
      baseline: `p50 ${fmt(base, 1)} ms (its two aggregates)`,
      ratio: `${fmt(percentile(r.kept, 50) / base, 2)} × p50`,
      target: `< ${KEPT_TARGET_MS} ms`,
      met: percentile(r.kept, 50) < KEPT_TARGET_MS,
    },
  ];
}
