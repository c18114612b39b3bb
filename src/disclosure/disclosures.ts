// Hourly-matching disclosures: for a consumer (an account, or a set of consumption metering points)
// and a period, per hour the consumption, the certificates claimed for it by energy source and
// technology, and the share matched by certificates of the same hour. Published at stable public
// URLs and recomputed whenever the ledger's state changed (cache.ts), so a new claim shows at once.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent, firstEventOf } from '../ledger/index.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import { actionableAccount } from '../accounts/index.ts';
import { claimedByHour } from '../registry/index.ts';
import { consumptionOnly, consumptionPointsOf, readablePoint, hourlyConsumption } from '../metering/index.ts';
import { toCsv } from '../platform/csv.ts';
import { checkPeriod } from '../platform/period.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { DisclosureDataset, DisclosureLinks, DisclosureSummary, NewDisclosure } from './schemas.ts';
import { disclosureHours, share } from './hours.ts';
import { publicationsOf } from './publications.ts';
import { disclosure } from './tables.ts';

const links = (publicUrl: string, id: string): DisclosureLinks => ({
  id,
  json_url: `${publicUrl}/api/disclosures/${id}/data.json`,
  csv_url: `${publicUrl}/api/disclosures/${id}/data.csv`,
});

/** Publishing makes a consumer's data public, so the caller must be able to act for that consumer. */
async function checkConsumer(db: Db, principal: Principal, input: NewDisclosure): Promise<void> {
  if (
    (input.account_id === undefined) ===
    (input.metering_point_ids === undefined || input.metering_point_ids.length === 0)
  ) {
    throw badRequest(
      'consumer_required',
      'name the consumer by account_id or by metering_point_ids, not both',
      'body/account_id',
    );
  }
  if (input.account_id !== undefined) {
    await actionableAccount(db, principal, input.account_id);
    return;
  }
  for (const [k, id] of (input.metering_point_ids ?? []).entries()) {
    const point = await readablePoint(db, principal, id);
    consumptionOnly(point, `body/metering_point_ids/${k}`);
    await actionableAccount(db, principal, point.account_id);
  }
}

export async function createDisclosure(
  db: Db,
  principal: Principal,
  input: NewDisclosure,
  publicUrl: string,
): Promise<DisclosureLinks> {
  const start = new Date(input.period_start),
    end = new Date(input.period_end);
  checkPeriod(start, end, 'body/period_end', { bounded: true });
  return db.transaction().execute(async (trx) => {
    await checkConsumer(trx, principal, input);
    const id = randomUUID();
    const row = await disclosure(trx)
      .insertInto('disclosures')
      .values({
        id,
        account_id: input.account_id ?? null,
        metering_point_ids: [...new Set(input.metering_point_ids ?? [])].sort(),
        period_start: start,
        period_end: end,
        created_by: principal.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'disclosure.published',
      subject_type: 'disclosure',
      subject_id: id,
      account_ids: row.account_id === null ? [] : [row.account_id],
      actor_id: principal.userId,
      payload: {
        id,
        account_id: row.account_id,
        metering_point_ids: row.metering_point_ids,
        period_start: start.toISOString(),
        period_end: end.toISOString(),
      },
    });
    return links(publicUrl, id);
  });
}

/**
 * Newest first: by creation time, then id. The time is held in whole microseconds, as stored (a
 * JavaScript Date would round it to milliseconds and skip or repeat disclosures of that millisecond).
 */
const byNewest = keyset({ us: 'int', id: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ });

export async function listDisclosures(db: Db, publicUrl: string, page: PageRequest): Promise<Page<DisclosureSummary>> {
  let query = disclosure(db)
    .selectFrom('disclosures')
    .selectAll()
    .select(sql<number>`(extract(epoch FROM created_at) * 1000000)::int8`.as('created_us'));
  const after = byNewest.after(page);
  if (after !== undefined) {
    // Exact: a safe integer of µs is exact as float8, and every one falls in PostgreSQL's range.
    const createdAt = sql`timestamptz 'epoch' + ${after.us}::float8 * interval '1 microsecond'`;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}, ${after.id}::uuid)`);
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return mapPage(
    byNewest.page(rows, page.limit, (r) => ({ us: r.created_us, id: r.id })),
    (r) => ({
      ...links(publicUrl, r.id),
      account_id: r.account_id,
      metering_point_ids: r.metering_point_ids,
      period_start: r.period_start.toISOString(),
      period_end: r.period_end.toISOString(),
      created_at: r.created_at.toISOString(),
    }),
  );
}

/** The user who published disclosure `id` (its owner). */
export async function disclosureOwner(db: Db, id: string): Promise<number> {
  const d = await disclosure(db).selectFrom('disclosures').select('created_by').where('id', '=', id).executeTakeFirst();
  if (!d) throw notFound('disclosure', id);
  return d.created_by;
}

/** The dataset as it stands, computed at `now`: consumption and claims per hour, matched within the hour. */
export async function disclosureDataset(db: Db, id: string, now: Date): Promise<DisclosureDataset> {
  const d = await disclosure(db).selectFrom('disclosures').selectAll().where('id', '=', id).executeTakeFirst();
  if (!d) throw notFound('disclosure', id);
  const points = d.account_id !== null ? await consumptionPointsOf(db, d.account_id) : d.metering_point_ids;
  const claimant =
    d.account_id !== null ? { account_id: d.account_id, metering_point_ids: points } : { metering_point_ids: points };
  // Independent reads, at once: on PostgreSQL each takes a connection of its own, so the dataset
  // costs the longest of them, not their sum (the embedded database runs them one after another).
  const [consumption, claimed, published, publications] = await Promise.all([
    hourlyConsumption(db, points, d.period_start, d.period_end),
    claimedByHour(db, claimant, d.period_start, d.period_end),
    firstEventOf(db, { subject_type: 'disclosure', subject_id: id, type: 'disclosure.published' }),
    publicationsOf(db, id),
  ]);

  const list = disclosureHours(consumption, claimed);
  const total = (k: 'consumption_wh' | 'claimed_wh' | 'matched_wh') => list.reduce((s, h) => s + h[k], 0);
  return {
    id,
    consumer: { account_id: d.account_id, metering_point_ids: d.metering_point_ids },
    period_start: d.period_start.toISOString(),
    period_end: d.period_end.toISOString(),
    generated_at: now.toISOString(),
    consumption_wh: total('consumption_wh'),
    claimed_wh: total('claimed_wh'),
    matched_wh: total('matched_wh'),
    hourly_matching_score: share(total('matched_wh'), total('consumption_wh')),
    published_event_id: published ?? null,
    hours: list,
    publications,
  };
}

/** The same dataset as CSV: one row per hour, one claimed-Wh column per energy source and technology. */
export function disclosureCsv(d: DisclosureDataset): string {
  const kinds = [...new Set(d.hours.flatMap((h) => h.claimed.map((c) => `${c.energy_source}/${c.technology}`)))].sort();
  const header = [
    'hour_start',
    'consumption_wh',
    'claimed_wh',
    'matched_wh',
    'matched_share',
    ...kinds.map((k) => `claimed_wh_${k}`),
  ];
  return toCsv(
    header,
    d.hours.map((h) => [
      h.hour_start,
      h.consumption_wh,
      h.claimed_wh,
      h.matched_wh,
      h.matched_share,
      ...kinds.map((k) => h.claimed.find((c) => `${c.energy_source}/${c.technology}` === k)?.wh ?? 0),
    ]),
  );
}
