// Which bundles an action on a selection takes: those of the account a filter matches, in a
// status the action starts from, in the order they are acted on, and only the leading ones that
// cover the quantity. The choice is read without locks; the action locks what was chosen and
// checks every rule again, so a bundle that changed meanwhile is acted on as it is then or the
// action is refused.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { unprocessable } from '../platform/errors.ts';
import { filtered, list } from './queries.ts';
import { type BundleFilter, MAX_BUNDLES_PER_ACTION } from './schemas.ts';
import { type BundleStatus, registry } from './tables.ts';

/** A filter of the registry's query and, optionally, how many of the matching Wh to act on. */
export type Selection = BundleFilter & { certificate_quantity?: number | undefined };

export interface Chosen {
  /** The bundles to act on, in the order the action takes them. */
  ids: number[];
  /** The Wh to act on: the selection's quantity, or the range's Wh; undefined for every chosen bundle whole. */
  quantity: number | undefined;
  /** The Wh the chosen bundles hold: less than `quantity` when the account holds too little. */
  held: number;
}

/**
 * Chooses the bundles an action starting from `statuses` takes from selection `s`. Without a range
 * they are taken in production-time order (then id), the order holders read them in; with a range
 * of certificate ids, in id order from the range's start, and the quantity never reaches past its
 * end. Refuses a status the action does not start from and a selection that matches nothing.
 */
export async function chooseBundles(
  db: Db,
  statuses: readonly BundleStatus[],
  s: Selection,
  options: { claim?: boolean } = {},
): Promise<Chosen> {
  const asked = list(s.certificate_bundle_status);
  const other = asked?.find((status) => !statuses.includes(status));
  if (other !== undefined)
    throw unprocessable(
      'status_not_acted_on',
      `the action acts on ${statuses.join(' or ')} certificates, not ${other}`,
      'body/certificate_bundle_status',
    );
  const filter: BundleFilter = { ...s, certificate_bundle_status: asked?.length ? asked : [...statuses] };
  // A claim never takes a bundle cancelled to charge a storage device (actions.ts refuses it): its
  // energy is claimed through the device's SD-GCs.
  const matching = () =>
    options.claim ? filtered(db, filter).where('charged_storage_device_id', 'is', null) : filtered(db, filter);
  const { certificate_bundle_id_range_start: lo, certificate_bundle_id_range_end: hi } = s;
  const byRange = lo !== undefined || hi !== undefined;
  let quantity = s.certificate_quantity;
  if (byRange) {
    const first = await matching()
      .select(['certificate_bundle_id_range_start as start', 'certificate_bundle_id_range_end as end'])
      .orderBy('certificate_bundle_id_range_start')
      .limit(1)
      .executeTakeFirst();
    // Tally splits a bundle at its lowest ids: a range starts where a held bundle starts, or in a gap.
    if (first && lo !== undefined && first.start < lo)
      throw unprocessable(
        'range_inside_bundle',
        `the range starts inside a bundle (ids ${first.start}–${first.end}); start it at the bundle's first id`,
        'body/certificate_bundle_id_range_start',
      );
    const upTo = hi ?? Number.MAX_SAFE_INTEGER;
    const inRange = await matching()
      .select(
        sql<
          string | null
        >`sum(least(certificate_bundle_id_range_end, ${upTo}::bigint) - certificate_bundle_id_range_start + 1)`.as(
          'wh',
        ),
      )
      .executeTakeFirst();
    const rangeWh = Number(inRange?.wh ?? 0);
    // A quantity within a range takes its lowest ids; it never reaches past the range.
    if (quantity !== undefined && quantity > rangeWh)
      throw unprocessable(
        'insufficient_quantity',
        `the range holds ${rangeWh} Wh of the account's certificates, less than certificate_quantity ${quantity}`,
        'body/certificate_quantity',
      );
    quantity ??= rangeWh;
  }
  const order = byRange ? sql`certificate_bundle_id_range_start` : sql`production_starting_interval, id`;
  // Each bundle with the Wh of the bundles before it: the leading ones whose Wh before are short of
  // the quantity cover it, and the rest are never locked.
  const rows = await registry(db)
    .selectFrom(
      matching()
        .select([
          'id',
          'bundle_quantity',
          sql<number>`(sum(bundle_quantity) OVER (ORDER BY ${order} ROWS UNBOUNDED PRECEDING) - bundle_quantity)::bigint`.as(
            'before',
          ),
        ])
        .as('b'),
    )
    .select(['id', 'bundle_quantity', 'before'])
    .$if(quantity !== undefined, (q) => q.where('before', '<', quantity ?? 0))
    .orderBy('before')
    .limit(MAX_BUNDLES_PER_ACTION + 1)
    .execute();
  if (rows.length === 0)
    throw unprocessable('no_matching_certificates', 'no certificates of the account match the selection', 'body');
  if (rows.length > MAX_BUNDLES_PER_ACTION)
    throw unprocessable(
      'too_many_matching',
      `more than ${MAX_BUNDLES_PER_ACTION} bundles match; narrow the selection or give a quantity`,
      'body',
    );
  return {
    ids: rows.map((r) => r.id),
    quantity,
    held: rows.reduce((wh, r) => wh + r.bundle_quantity, 0),
  };
}
