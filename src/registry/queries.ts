// Reading certificates: filtered, cursor-paginated queries with no window limit, one bundle with
// its device and issuance metadata, and aggregates by period and energy source.
import { type NotNull, sql } from 'kysely';
import { parseTimestamptz, type Database, type Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../platform/pagination.ts';
import { readableAccount, readableInAccount } from '../accounts/index.ts';
import { bundleView, type BundleView } from './bundles.ts';
import { deviceOfBundle, metadataView, type DeviceView, type IssuanceMetadataView } from './devices.ts';
import { importedIssuance, importedIssuanceView, type ImportedIssuanceView } from './imports.ts';
import { registry, type EnergySource } from './tables.ts';
import { checkPeriod } from '../platform/period.ts';
import { badRequest } from '../platform/errors.ts';
import { utcHour } from '../platform/utc-hour.ts';
import { Bundle, type BundleFilter } from './schemas.ts';
import { CopiedPage, jsonPage, jsonRowWriter, type JsonText } from '../platform/json-text.ts';

/** One value or a list of them (a filter's), as a list. */
export const list = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** The rules between a filter's fields: a period that ends after it starts, an id range within an issuance. */
export function checkFilter(f: BundleFilter, at = 'body'): void {
  if (f.certificate_period_start && f.certificate_period_end)
    checkPeriod(
      new Date(f.certificate_period_start),
      new Date(f.certificate_period_end),
      `${at}/certificate_period_end`,
    );
  const { certificate_bundle_id_range_start: lo, certificate_bundle_id_range_end: hi } = f;
  // Certificate ids are numbered per device; an issuance names the device and the hour.
  if ((lo !== undefined || hi !== undefined) && f.issuance_id === undefined)
    throw badRequest(
      'range_needs_issuance',
      'a range of certificate ids is read within an issuance',
      `${at}/issuance_id`,
    );
  if (lo !== undefined && hi !== undefined && hi < lo)
    throw badRequest(
      'reversed_range',
      'the range of certificate ids ends before it starts',
      `${at}/certificate_bundle_id_range_end`,
    );
}

/**
 * Bundles of one account matching every given filter; the period selects by production start,
 * [start, end); an id range, within one issuance, the bundles holding any id of it.
 */
export function filtered(db: Db, f: BundleFilter) {
  checkFilter(f);
  const { certificate_bundle_id_range_start: lo, certificate_bundle_id_range_end: hi } = f;
  let q = registry(db).selectFrom('bundles').where('account_id', '=', f.source_id);
  if (f.device_id !== undefined) q = q.where('device_id', '=', f.device_id);
  const sources = list(f.energy_source);
  if (sources?.length) q = q.where('energy_source', 'in', sources);
  const statuses = list(f.certificate_bundle_status);
  if (statuses?.length) q = q.where('certificate_bundle_status', 'in', statuses);
  if (f.certificate_period_start)
    q = q.where('production_starting_interval', '>=', new Date(f.certificate_period_start));
  if (f.certificate_period_end) q = q.where('production_starting_interval', '<', new Date(f.certificate_period_end));
  if (f.issuance_id !== undefined) q = q.where('issuance_id', '=', f.issuance_id);
  if (lo !== undefined) q = q.where('certificate_bundle_id_range_end', '>=', lo);
  if (hi !== undefined) q = q.where('certificate_bundle_id_range_start', '<=', hi);
  return q;
}

/**
 * One page of an account's bundles in production-time order (then id), the order holders read
 * them in and the order of the account's time index, so a page costs the same however deep it is.
 * The columns are chosen by the caller. The order names the table's columns: a column read as text
 * keeps its name, and ordering by that text would sort every matching row instead of reading the index.
 */
function pageOfBundles(db: Db, filter: BundleFilter, page: PageRequest) {
  let q = filtered(db, filter);
  if (page.cursor !== undefined) {
    const after = decodeCursor(page.cursor, { t: 'time', id: 'int' }, page.field);
    q = q.where(
      sql<boolean>`(production_starting_interval, id) > (${after.t.toISOString()}::timestamptz, ${after.id}::bigint)`,
    );
  }
  return q
    .orderBy('bundles.production_starting_interval')
    .orderBy('bundles.id')
    .limit(page.limit + 1);
}

/** The cursor after a page's last bundle, when the query found one more. */
const cursorAfter = (found: number, limit: number, last: { t: number; id: number } | undefined) =>
  found > limit && last ? encodeCursor(last) : null;

/** One page of an account's bundles (pageOfBundles), as bundle views, for callers in this process. */
export async function queryBundles(
  db: Db,
  principal: Principal,
  filter: BundleFilter,
  page: PageRequest,
): Promise<Page<BundleView>> {
  await readableAccount(db, principal, filter.source_id);
  const rows = await pageOfBundles(db, filter, page).selectAll().execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(bundleView),
    next_cursor: cursorAfter(
      rows.length,
      page.limit,
      last && { t: last.production_starting_interval.getTime(), id: last.id },
    ),
  };
}

/** The Bundle schema's properties, which are the bundles table's columns, written from their text. */
const bundleJson = jsonRowWriter(Bundle);
const bundleColumns = bundleJson.columns.map((c) => sql<unknown>`${sql.ref(`bundles.${c}`)}`.as(c));
const bundleColumnsAsText = bundleJson.columns.map((c) => sql<string | null>`${sql.ref(`bundles.${c}`)}::text`.as(c));

/** Where the page after the one ending with `last` (its fields as text) starts. */
const positionOf = (last: Record<string, string | null> | undefined) =>
  last && { t: parseTimestamptz(last.production_starting_interval!).getTime(), id: Number(last.id) };

/**
 * The same page as `queryBundles`, written as the API's JSON straight from the database's text, for
 * the HTTP route: a page of a thousand bundles costs a fraction of building and serializing their
 * views (docs/benchmarks.md). On a server the page is read by COPY, whose bytes are mostly the JSON
 * already; on PGlite as text columns. The same JSON value, property for property, either way
 * (test/registry/query-json.test.ts).
 */
export async function queryBundlesAsJson(
  database: Database,
  principal: Principal,
  filter: BundleFilter,
  page: PageRequest,
): Promise<JsonText<Page<BundleView>>> {
  const db = database.kysely;
  await readableAccount(db, principal, filter.source_id);
  const query = pageOfBundles(db, filter, page);
  if (database.copyOut) {
    const copied = new CopiedPage<BundleView>(bundleJson, page.limit);
    await database.copyOut(query.select(bundleColumns).compile(), (chunk) => copied.received(chunk));
    return copied.written(cursorAfter(copied.found, page.limit, positionOf(copied.last())));
  }
  const rows = await query.select(bundleColumnsAsText).execute();
  const items = rows.slice(0, page.limit);
  return jsonPage(items, bundleJson, cursorAfter(rows.length, page.limit, positionOf(items[items.length - 1])));
}

export type BundleDetail = BundleView & {
  /** The device; null for an imported bundle, whose origin is `imported_from`. */
  device: DeviceView | null;
  /** The metadata version in force when the certificates were issued; null for an imported bundle. */
  issuance_metadata: IssuanceMetadataView | null;
  device_location: [number, number] | null;
  reissue_of_bundle_id: number | null;
  /** An SD-GC's production device, which its holder may read as it reads the storage device. */
  origin_device: DeviceView | null;
  /** Where an imported bundle was issued, with the attributes its origin registry gave it. */
  imported_from: ImportedIssuanceView | null;
};

export async function getBundle(db: Db, principal: Principal, id: number): Promise<BundleDetail> {
  const row = await readableInAccount(
    db,
    principal,
    await registry(db).selectFrom('bundles').selectAll().where('id', '=', id).executeTakeFirst(),
    'bundle',
    id,
  );
  const issuance = await registry(db)
    .selectFrom('issuances')
    .select(['issuance_metadata_id', 'reissue_of_bundle_id'])
    .where('id', '=', row.issuance_id)
    .executeTakeFirstOrThrow();
  if (row.device_id === null || issuance.issuance_metadata_id === null)
    return {
      ...bundleView(row),
      device: null,
      issuance_metadata: null,
      device_location: null,
      reissue_of_bundle_id: issuance.reissue_of_bundle_id,
      origin_device: null,
      imported_from: await importedIssuance(db, row.imported_issuance_id!),
    };
  const meta = await registry(db)
    .selectFrom('issuance_metadata')
    .selectAll()
    .where('id', '=', issuance.issuance_metadata_id)
    .executeTakeFirstOrThrow();
  // The holder may read its bundle's device even when the device belongs to another account.
  const device = await deviceOfBundle(db, row.device_id);
  return {
    ...bundleView(row),
    device,
    issuance_metadata: metadataView(meta),
    device_location: [device.location.latitude, device.location.longitude],
    reissue_of_bundle_id: issuance.reissue_of_bundle_id,
    origin_device: row.origin_device_id === null ? null : await deviceOfBundle(db, row.origin_device_id),
    imported_from: null,
  };
}

/**
 * Bundles by id as they are now, for a module that keeps references to bundles it acted on (the
 * storage module's charge backings); no access rule, since the caller reached them through one.
 */
export async function bundlesById(db: Db, ids: number[]): Promise<BundleView[]> {
  if (ids.length === 0) return [];
  const rows = await registry(db).selectFrom('bundles').selectAll().where('id', 'in', ids).orderBy('id').execute();
  return rows.map(bundleView);
}

/**
 * Where an issuance's certificates come from: its device and the metadata version they were issued
 * with, and for an SD-GC the production device of the charge it came from (`origin_device`; its
 * `device` is the storage device that issued it); or, for an imported issuance, its origin record
 * (`imported_from`, devices and metadata null).
 */
export type Origin = Pick<BundleDetail, 'device' | 'issuance_metadata' | 'origin_device' | 'imported_from'>;

/**
 * The origin of each issuance, in one read of the issuances and one view per device (not ~6
 * queries per bundle, as `getBundle`), and one read of the origin records of imported ones. For
 * issuances of bundles the caller has already been allowed to read: a holder may read its
 * bundle's device, and an SD-GC's production device, even when another account owns it.
 */
export async function originsOf(db: Db, issuanceIds: readonly number[]): Promise<Map<number, Origin>> {
  const origins = new Map<number, Origin>();
  const ids = [...new Set(issuanceIds)];
  if (ids.length === 0) return origins;
  const rows = await registry(db)
    .selectFrom('issuances as i')
    .innerJoin('issuance_metadata as m', 'm.id', 'i.issuance_metadata_id')
    .selectAll('m')
    .select(['i.id as issuance_id', 'i.device_id as issued_device_id'])
    // An SD-GC issuance issues one bundle from one charge: it and every bundle split from it keep
    // that charge's production device. Other issuances have none, and skip the look-up.
    .select(
      sql<number | null>`CASE WHEN i.storage_allocation_id IS NULL THEN NULL ELSE
        (SELECT b.origin_device_id FROM bundles b WHERE b.issuance_id = i.id LIMIT 1) END`.as('origin_device_id'),
    )
    .where('i.id', 'in', ids)
    // An issuance with a metadata version has a device (issuances_one_origin).
    .$narrowType<{ issued_device_id: NotNull }>()
    .execute();
  const devices = new Map<number, DeviceView>();
  const deviceOf = async (id: number) => {
    let device = devices.get(id);
    if (!device) {
      device = await deviceOfBundle(db, id);
      devices.set(id, device);
    }
    return device;
  };
  for (const { issuance_id, issued_device_id, origin_device_id, ...meta } of rows)
    origins.set(issuance_id, {
      device: await deviceOf(issued_device_id),
      issuance_metadata: metadataView(meta),
      origin_device: origin_device_id === null ? null : await deviceOf(origin_device_id),
      imported_from: null,
    });
  // Every other issuance is an imported one; most reads have none, and skip this.
  if (origins.size < ids.length) {
    const imported = await registry(db)
      .selectFrom('issuances as i')
      .innerJoin('imported_issuances as o', 'o.id', 'i.imported_issuance_id')
      .selectAll('o')
      .select('i.id as issuance_id')
      .where('i.id', 'in', ids)
      .execute();
    for (const { issuance_id, ...o } of imported)
      origins.set(issuance_id, {
        device: null,
        issuance_metadata: null,
        origin_device: null,
        imported_from: importedIssuanceView(o),
      });
  }
  return origins;
}

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface AggregateRow {
  period_start: string;
  energy_source: EnergySource;
  certificate_bundle_status: string;
  bundles: number;
  wh: number;
}

/** Wh and bundle counts per UTC period (by production start), energy source and status. */
export async function aggregateBundles(
  db: Db,
  principal: Principal,
  filter: BundleFilter,
  granularity: Granularity,
): Promise<AggregateRow[]> {
  await readableAccount(db, principal, filter.source_id);
  // A literal, not a parameter: the same expression must appear in SELECT and GROUP BY.
  const period = sql<Date>`date_trunc(${sql.lit(granularity)}, production_starting_interval, 'UTC')`;
  const rows = await filtered(db, filter)
    .select([
      period.as('period_start'),
      'energy_source',
      'certificate_bundle_status',
      sql<number>`count(*)::bigint`.as('bundles'),
      sql<number>`sum(bundle_quantity)::bigint`.as('wh'),
    ])
    .groupBy([period, 'energy_source', 'certificate_bundle_status'])
    .orderBy(period)
    .orderBy('energy_source')
    .orderBy('certificate_bundle_status')
    .execute();
  return rows.map((r) => ({ ...r, period_start: new Date(r.period_start).toISOString() }));
}

export interface ClaimedHour {
  hour: Date;
  energy_source: string;
  technology: string;
  wh: number;
}

/**
 * Claimed certificates per hour, energy source and technology, for one consumer: claimed
 * against its consumption metering points, or, for an account, also claimed by it for a named
 * consumer without a point (they stay in the account that claimed them). A claimed Wh counts for
 * exactly one subject, the point when it names one, so it never shows in two consumers' disclosures.
 * This is what a disclosure matches consumption with. An imported bundle has no device: it counts
 * at its production hour under its energy source (hence the outer join). In no particular order.
 */
export async function claimedByHour(
  db: Db,
  claimant: { account_id?: number; metering_point_ids: string[] },
  from: Date,
  to: Date,
): Promise<ClaimedHour[]> {
  const points = sql`b.claim_metering_point_id = ANY(${claimant.metering_point_ids}::text[])`;
  const who =
    claimant.account_id === undefined
      ? points
      : sql`(${points} OR (b.claim_metering_point_id IS NULL AND b.account_id = ${claimant.account_id}))`;
  // The hour a certificate's energy reached the grid: its production hour, or an SD-GC's discharge
  // hour; its technology is its production device's, the SD-GC's device of origin.
  // Unordered: with an ORDER BY the planner sorts a year's claimed bundles before grouping them
  // (on disk, past work_mem) where hashing them and sorting the caller's few rows is faster.
  const { rows } = await sql<ClaimedHour>`
    SELECT ${utcHour(sql`coalesce(b.discharging_starting_interval, b.production_starting_interval)`)} AS hour,
           b.energy_source, coalesce(d.technology_label, b.energy_source) AS technology,
           sum(b.bundle_quantity)::bigint AS wh
    FROM bundles b LEFT JOIN devices d ON d.id = coalesce(b.origin_device_id, b.device_id)
    WHERE b.certificate_bundle_status = 'claimed' AND ${who}
      AND coalesce(b.discharging_starting_interval, b.production_starting_interval) >= ${from.toISOString()}::timestamptz
      AND coalesce(b.discharging_starting_interval, b.production_starting_interval) < ${to.toISOString()}::timestamptz
    GROUP BY 1, 2, 3`.execute(db);
  return rows;
}

/** Whether any certificate is claimed against the metering point. */
export async function claimedAgainst(db: Db, pointId: string): Promise<boolean> {
  return (
    (await registry(db)
      .selectFrom('bundles')
      .select('id')
      .where('claim_metering_point_id', '=', pointId)
      .limit(1)
      .executeTakeFirst()) !== undefined
  );
}
