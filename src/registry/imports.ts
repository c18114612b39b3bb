// Certificate import (docs/decisions/0012): bundles issued by another registry enter an account as
// imported bundles. Each row of the file is one origin bundle: it gets an origin record
// (imported_issuances), an issuance without a device and one active bundle that keeps the
// original ids. All or nothing per file; an origin range (registry, issuance id, ids) is imported
// at most once, and no two imported ranges of one origin issuance overlap.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { badRequest, forbidden, TallyError } from '../platform/errors.ts';
import { appendEvent } from '../ledger/index.ts';
import { lockOpenAccount } from '../accounts/index.ts';
import { issuedView, type BundleView } from './bundles.ts';
import { checkImportRow, type ImportRow, type RawImportRow } from './import-rows.ts';
import { registry, type ImportedIssuanceRow } from './tables.ts';

export interface ImportRequest {
  /** The account the bundles enter. */
  account_id: number;
  /** The registry the certificates were issued in: with the issuance id, what names an origin bundle. */
  origin_registry: string;
  rows: RawImportRow[];
}

export type ImportedIssuanceView = Omit<
  ImportedIssuanceRow,
  | 'production_starting_interval'
  | 'production_ending_interval'
  | 'expiry_datestamp'
  | 'imported_at'
  | 'device_production_start_date'
> & {
  /** YYYY-MM-DD */
  device_production_start_date: string | null;
  production_starting_interval: string;
  production_ending_interval: string;
  expiry_datestamp: string;
  imported_at: string;
};

export const importedIssuanceView = (r: ImportedIssuanceRow): ImportedIssuanceView => ({
  ...r,
  production_starting_interval: r.production_starting_interval.toISOString(),
  production_ending_interval: r.production_ending_interval.toISOString(),
  expiry_datestamp: r.expiry_datestamp.toISOString(),
  imported_at: r.imported_at.toISOString(),
  device_production_start_date: r.device_production_start_date?.toISOString().slice(0, 10) ?? null,
});

export interface ImportResult {
  imported_issuances: ImportedIssuanceView[];
  bundles: BundleView[];
}

/** Refuses two rows of the file whose ranges of one origin issuance overlap. */
function checkRowsDisjoint(rows: ImportRow[]): void {
  const sorted = [...rows].sort(
    (a, b) =>
      a.origin_issuance_id.localeCompare(b.origin_issuance_id) ||
      a.certificate_bundle_id_range_start - b.certificate_bundle_id_range_start,
  );
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!,
      cur = sorted[k]!;
    if (
      cur.origin_issuance_id === prev.origin_issuance_id &&
      cur.certificate_bundle_id_range_start <= prev.certificate_bundle_id_range_end
    )
      throw badRequest(
        'overlapping_ranges',
        `${cur.at} and ${prev.at}: the ranges of issuance ${cur.origin_issuance_id} overlap`,
        `${cur.at}/certificate_bundle_id_range_start`,
      );
  }
}

/**
 * Takes one transaction-level advisory lock per origin issuance, in key order (so two imports wait
 * for each other rather than deadlock), then refuses any row overlapping a range imported before.
 * An import of the same origin issuance that commits meanwhile is seen here: it held the lock first.
 */
async function checkNeverImported(trx: Db, originRegistry: string, rows: ImportRow[]): Promise<void> {
  const issuances = [...new Set(rows.map((r) => r.origin_issuance_id))];
  await sql`
    SELECT pg_advisory_xact_lock(k) FROM (
      SELECT DISTINCT hashtextextended(${originRegistry} || E'\\n' || i, 0) AS k FROM unnest(${issuances}::text[]) AS i
      ORDER BY k) keys`.execute(trx);
  const { rows: hits } = await sql<{ row: number; id: number; rs: number; re: number }>`
    SELECT r.row, o.id, o.certificate_bundle_id_range_start AS rs, o.certificate_bundle_id_range_end AS re
    FROM unnest(${rows.map((r) => r.origin_issuance_id)}::text[],
                ${rows.map((r) => r.certificate_bundle_id_range_start)}::bigint[],
                ${rows.map((r) => r.certificate_bundle_id_range_end)}::bigint[]) WITH ORDINALITY AS r(issuance, s, e, row)
    JOIN imported_issuances o ON o.origin_registry = ${originRegistry} AND o.origin_issuance_id = r.issuance
      AND o.certificate_bundle_id_range_start <= r.e AND o.certificate_bundle_id_range_end >= r.s
    ORDER BY r.row LIMIT 1`.execute(trx);
  const hit = hits[0];
  if (hit) {
    const row = rows[Number(hit.row) - 1]!;
    const message =
      `${row.at}: ids ${row.certificate_bundle_id_range_start}–${row.certificate_bundle_id_range_end} of issuance ` +
      `${row.origin_issuance_id} of ${originRegistry} overlap ids ${hit.rs}–${hit.re}, imported before (imported issuance ${hit.id})`;
    throw new TallyError('already_imported', message, [
      { field: `${row.at}/certificate_bundle_id_range_start`, message },
    ]);
  }
}

/** Records the origin bundles, their issuances and bundles; returns the records and bundles in row order. */
async function insertImported(
  trx: Db,
  request: ImportRequest,
  rows: ImportRow[],
  actorId: number,
  now: Date,
): Promise<ImportResult> {
  const origins = await registry(trx)
    .insertInto('imported_issuances')
    .values(
      rows.map(({ at: _at, ...r }) => ({
        ...r,
        origin_registry: request.origin_registry,
        account_id: request.account_id,
        imported_by: actorId,
        imported_at: now,
      })),
    )
    .returningAll()
    .execute();
  // The origin key is unique: it finds each row's record whatever order the database returned them in.
  const key = (issuance: string, start: number) => `${issuance}\n${start}`;
  const byKey = new Map(origins.map((o) => [key(o.origin_issuance_id, o.certificate_bundle_id_range_start), o]));
  const ordered = rows.map((r) => byKey.get(key(r.origin_issuance_id, r.certificate_bundle_id_range_start))!);
  const issuances = await registry(trx)
    .insertInto('issuances')
    .values(
      ordered.map((o) => ({
        device_id: null,
        issuance_metadata_id: null,
        imported_issuance_id: o.id,
        production_starting_interval: o.production_starting_interval,
        production_ending_interval: o.production_ending_interval,
        bundle_quantity: o.bundle_quantity,
        certificate_bundle_id_range_start: o.certificate_bundle_id_range_start,
        certificate_bundle_id_range_end: o.certificate_bundle_id_range_end,
        reissue_of_bundle_id: null,
        issued_by: actorId,
        issued_at: now,
      })),
    )
    .returning(['id', 'imported_issuance_id'])
    .execute();
  const issuanceOf = new Map(issuances.map((i) => [i.imported_issuance_id!, i.id]));
  // Tally's ids of an imported bundle are its original ids: unique within its origin record.
  const bundles = ordered.map((o) => ({
    issuance_id: issuanceOf.get(o.id)!,
    device_id: null,
    imported_issuance_id: o.id,
    account_id: request.account_id,
    certificate_bundle_id_range_start: o.certificate_bundle_id_range_start,
    certificate_bundle_id_range_end: o.certificate_bundle_id_range_end,
    energy_source: o.energy_source,
    production_starting_interval: o.production_starting_interval,
    production_ending_interval: o.production_ending_interval,
    issuance_datestamp: now,
    expiry_datestamp: o.expiry_datestamp,
    updated_at: now,
  }));
  const ids = await registry(trx)
    .insertInto('bundles')
    .values(bundles)
    .returning(['id', 'imported_issuance_id'])
    .execute();
  const bundleOf = new Map(ids.map((b) => [b.imported_issuance_id!, b.id]));
  const importedAt = now.toISOString();
  const made = bundles.map((r) =>
    issuedView({
      ...r,
      id: bundleOf.get(r.imported_issuance_id)!,
      production_starting_interval: r.production_starting_interval.toISOString(),
      production_ending_interval: r.production_ending_interval.toISOString(),
      issuance_datestamp: importedAt,
      expiry_datestamp: r.expiry_datestamp.toISOString(),
    }),
  );
  return { imported_issuances: ordered.map(importedIssuanceView), bundles: made };
}

/**
 * Imports the rows into the account, all or nothing, as one `certificates.imported` event. Only an
 * issuing body (or an admin) imports: the registry vouches for a certificate it did not issue.
 */
export async function importCertificates(
  db: Db,
  principal: Principal,
  request: ImportRequest,
  now: Date,
): Promise<ImportResult> {
  if (principal.role !== 'issuer' && principal.role !== 'admin')
    throw forbidden('role_required', 'importing certificates needs the role issuer');
  const origin = request.origin_registry.trim();
  if (origin === '' || origin.length > 200 || origin.includes('\0'))
    throw badRequest('invalid_request', 'origin_registry is 1 to 200 characters', 'querystring/origin_registry');
  const rows = request.rows.map((r) => checkImportRow(r, now));
  checkRowsDisjoint(rows);
  const named = { ...request, origin_registry: origin };
  return db.transaction().execute(async (trx) => {
    await lockOpenAccount(trx, request.account_id);
    await checkNeverImported(trx, origin, rows);
    const result = await insertImported(trx, named, rows, principal.userId, now);
    await appendEvent(trx, {
      type: 'certificates.imported',
      subject_type: 'account',
      subject_id: request.account_id,
      account_ids: [request.account_id],
      actor_id: principal.userId,
      payload: { origin_registry: origin, ...result },
    });
    return result;
  });
}

/** The origin record of an imported bundle. */
export async function importedIssuance(db: Db, id: number): Promise<ImportedIssuanceView> {
  return importedIssuanceView(
    await registry(db).selectFrom('imported_issuances').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}
