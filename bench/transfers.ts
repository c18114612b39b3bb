// Partial transfers: transfers per second over HTTP (concurrent clients, each transfer splitting a
// bundle and recording its event) against the same lock–update–insert transaction issued directly
// in SQL on as many concurrent connections. Every transfer takes a bundle no other has touched, so
// neither side waits on the other's row locks; rounds alternate the two and which goes first.
import { sql } from 'kysely';
import type { Db } from '../src/platform/database.ts';
import type { BundleRow } from '../src/registry/tables.ts';
import { expectOk, type BenchServer } from './http.ts';
import { fmt, percentile, runFor, type ReportRow } from './measure.ts';

const p99 = (ms: readonly number[]) => percentile(ms, 99);
import type { BenchWorld } from './world.ts';

export const CLIENTS = 16;
const ROUNDS = 3;
const ROUND_SECONDS = 5;
const LONE_SECONDS = 3;
/** More untouched bundles than either side transfers in all its rounds on this machine. */
const POOL = 200_000;
/** Issue 15's goal: half the SQL transaction's rate, with a p99 latency under 50 ms. */
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;

interface Splittable {
  id: number;
  quantity: number;
}

export async function splittableBundles(db: Db, accountId: number): Promise<Splittable[]> {
  const { rows } = await sql<Splittable>`
    SELECT id, bundle_quantity AS quantity FROM bundles
    WHERE account_id = ${accountId} AND certificate_bundle_status = 'active' AND bundle_quantity >= 2
    ORDER BY id DESC LIMIT ${POOL}`.execute(db);
  return rows;
}

export const half = (quantity: number) => Math.floor(quantity / 2);

/** Lock the bundle, shrink it to its upper half, insert the lower half in the target account, record the event. */
async function transferInSql(db: Db, world: BenchWorld, bundleId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const b = (await sql<BundleRow>`SELECT * FROM bundles WHERE id = ${bundleId} FOR UPDATE`.execute(trx)).rows[0]!;
    const take = half(b.bundle_quantity);
    const start = b.certificate_bundle_id_range_start;
    const [remainder] = (
      await sql<BundleRow>`
      UPDATE bundles SET certificate_bundle_id_range_start = ${start + take}, updated_at = now()
      WHERE id = ${bundleId} RETURNING *`.execute(trx)
    ).rows;
    const [acted] = (
      await sql<BundleRow>`
      INSERT INTO bundles (issuance_id, device_id, account_id,
                           certificate_bundle_id_range_start, certificate_bundle_id_range_end, energy_source,
                           production_starting_interval, production_ending_interval,
                           issuance_datestamp, expiry_datestamp, split_from_bundle_id)
      VALUES (${b.issuance_id}, ${b.device_id}, ${world.traderAccount},
              ${start}, ${start + take - 1}, ${b.energy_source},
              ${b.production_starting_interval}, ${b.production_ending_interval},
              ${b.issuance_datestamp}, ${b.expiry_datestamp}, ${bundleId})
      RETURNING *`.execute(trx)
    ).rows;
    await sql`
      INSERT INTO events (type, subject_type, subject_id, account_ids, actor_id, payload)
      VALUES ('certificates.transferred', 'account', ${String(world.producerAccount)},
              ${[world.producerAccount, world.traderAccount]}::bigint[],
              ${world.producer.userId}, ${JSON.stringify({ bundles: [acted, remainder] })}::jsonb)`.execute(trx);
  });
}

interface Side {
  ops: number;
  seconds: number;
  ms: number[];
}

export interface TransferResult {
  http: Side;
  sql: Side;
  /** One client at a time, each side: the latency a lone caller sees, where round trips decide. */
  alone: { http: Side; sql: Side };
  serialized: boolean;
}

const noSide = (): Side => ({ ops: 0, seconds: 0, ms: [] });
function add(into: Side, done: Side): void {
  into.ops += done.ops;
  into.seconds += done.seconds;
  into.ms.push(...done.ms);
}

export async function benchTransfers(
  db: Db,
  server: BenchServer,
  token: string,
  world: BenchWorld,
  serialized: boolean,
  log: (line: string) => void,
): Promise<TransferResult> {
  const pool = await splittableBundles(db, world.producerAccount);
  const viaHttp = async () => {
    const b = pool.pop();
    if (!b) return false;
    const body = {
      source_id: world.producerAccount,
      target_id: world.traderAccount,
      granular_certificate_bundle_ids: [b.id],
      certificate_quantity: half(b.quantity),
    };
    expectOk(await server.post('/api/certificates/transfer', body, token), 'transfer');
    return true;
  };
  const direct = async () => {
    const b = pool.pop();
    if (!b) return false;
    await transferInSql(db, world, b.id);
    return true;
  };
  const result: TransferResult = {
    http: noSide(),
    sql: noSide(),
    alone: { http: noSide(), sql: noSide() },
    serialized,
  };
  // Round 0 warms both sides up (the JIT, the connections) and counts for nothing.
  for (let r = 0; r <= ROUNDS; r++) {
    const sides = [
      ['http', viaHttp],
      ['sql', direct],
    ] as const;
    for (const [side, step] of r % 2 === 0 ? sides : [...sides].reverse()) {
      const done = await runFor(CLIENTS, ROUND_SECONDS, step);
      const lone = await runFor(1, LONE_SECONDS, step);
      if (r > 0) {
        add(result[side], done);
        add(result.alone[side], lone);
      }
      const p50 = fmt(percentile(lone.ms, 50), 2);
      log(
        `  transfers ${r ? `round ${r}` : 'warm-up'} ${side}: ${fmt(done.ops / done.seconds)}/s, alone p50 ${p50} ms`,
      );
    }
  }
  return result;
}

/** A lone client's transfer: its median latency over HTTP against the SQL transaction's. */
export function loneTransferRow(r: TransferResult): ReportRow {
  const [http, direct] = [percentile(r.alone.http.ms, 50), percentile(r.alone.sql.ms, 50)];
  return {
    benchmark: 'partial transfers, one client at a time',
    tally: `p50 ${fmt(http, 2)} ms over HTTP`,
    baseline: `p50 ${fmt(direct, 2)} ms in SQL`,
    ratio: `${fmt(http / direct, 1)} × p50`,
    target: 'reported',
    met: null,
  };
}

export function transferRow(r: TransferResult): ReportRow {
  const httpRate = r.http.ops / r.http.seconds;
  const sqlRate = r.sql.ops / r.sql.seconds;
  const ratio = httpRate / sqlRate;
  return {
    benchmark: `partial transfers (${CLIENTS} concurrent${r.serialized ? ', serialized by PGlite' : ''})`,
    tally: `${fmt(httpRate)} /s over HTTP, p99 ${fmt(p99(r.http.ms), 1)} ms`,
    baseline: `${fmt(sqlRate)} /s in SQL, p99 ${fmt(p99(r.sql.ms), 1)} ms`,
    ratio: `${fmt(ratio, 2)} × SQL`,
    target: `≥ ${fmt(TARGET_RATIO, 2)} × SQL, p99 < ${TARGET_P99_MS} ms`,
    met: ratio >= TARGET_RATIO && p99(r.http.ms) < TARGET_P99_MS,
  };
}
