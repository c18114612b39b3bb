// Lifecycle actions on lists of bundle ids, or on the bundles a selection chooses (selection.ts):
// all-or-nothing, row locks taken in id order, partial quantities split the last bundle touched.
// One event per action records every row it changed.
import { type RawBuilder, sql, type Updateable } from 'kysely';
import type { Db } from '../platform/database.ts';
import { fixedStatement } from '../platform/fixed-statement.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../platform/errors.ts';
import { actionableAccount, lockOpenAccount, readableAccount, transferAccepted } from '../accounts/index.ts';
import { bundleView } from './bundles.ts';
import { planPortions, splitRange } from './split.ts';
import { chooseBundles, type Selection } from './selection.ts';
import { buildStatement } from './statements.ts';
import { LIVE_STATUSES, registry, type BundleRow, type BundleStatus, type BundlesTable } from './tables.ts';
import { checkPeriod } from '../platform/period.ts';
import { consumptionOnly, readablePoint, sharedPoint } from '../metering/index.ts';
import { ACTIONS, type Action, type ActionRequests, type ActionResult } from './schemas.ts';

export { ACTIONS, type Action, type ActionResult };
/** Any action's request. */
export type ActionRequest = ActionRequests[Action];
/** An action with its own request, so that checking the action narrows the request. */
type ActionCall = { [A in Action]: { action: A; request: ActionRequests[A] } }[Action];

/** From which statuses each action may start, and the status it leaves (transfer keeps it). */
export const ACTION_RULES: Record<
  Action,
  { from: readonly BundleStatus[]; to: BundleStatus | undefined; event: string }
> = {
  transfer: { from: ['active'], to: undefined, event: 'certificates.transferred' },
  cancel: { from: ['active', 'reserved'], to: 'cancelled', event: 'certificates.cancelled' },
  claim: { from: ['cancelled'], to: 'claimed', event: 'certificates.claimed' },
  withdraw: { from: LIVE_STATUSES, to: 'withdrawn', event: 'certificates.withdrawn' },
  reserve: { from: ['active'], to: 'reserved', event: 'certificates.reserved' },
  unreserve: { from: ['reserved'], to: 'active', event: 'certificates.unreserved' },
  lock: { from: ['active'], to: 'locked', event: 'certificates.locked' },
  unlock: { from: ['locked'], to: 'active', event: 'certificates.unlocked' },
};

/** What the schemas cannot say: the rules between fields. (Required fields are the schemas'.) */
function checkRequest({ action, request: r }: ActionCall): void {
  const ids = r.granular_certificate_bundle_ids;
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined)
    throw badRequest('duplicate_bundle_id', `bundle ${dup} is listed twice`, 'body/granular_certificate_bundle_ids');
  if (action === 'transfer' && r.target_id === r.source_id)
    throw badRequest('same_account', 'target_id is the source account', 'body/target_id');
  if (action === 'claim') {
    if (!r.consumer && !r.metering_point_id)
      throw badRequest(
        'consumer_required',
        'a claim names a consumer or a consumption metering point',
        'body/consumer',
      );
    if ((r.period_start === undefined) !== (r.period_end === undefined))
      throw badRequest('period_incomplete', 'give both period_start and period_end, or neither', 'body/period_end');
    if (r.period_start !== undefined && r.period_end !== undefined)
      checkPeriod(new Date(r.period_start), new Date(r.period_end), 'body/period_end');
  }
}

async function checkAccounts(db: Db, principal: Principal, { action, request: r }: ActionCall): Promise<void> {
  if (action === 'withdraw') {
    // Withdrawal is the issuing body's correction, not the holder's choice.
    if (principal.role !== 'issuer' && principal.role !== 'admin')
      throw forbidden('role_required', 'only an issuing body withdraws certificates');
    await readableAccount(db, principal, r.source_id);
    return;
  }
  if (action !== 'transfer') await actionableAccount(db, principal, r.source_id);
  else {
    // Asked before anything else about the target: an account that does not exist whitelists no
    // one, so a missing target and an unwilling one answer alike and account ids cannot be probed.
    // A willing one is share-locked open here, for act.
    if (!(await transferAccepted(db, principal, r.source_id, r.target_id)))
      throw unprocessable(
        'transfer_not_accepted',
        `account ${r.target_id} does not accept transfers from account ${r.source_id}; it must add it to its whitelist`,
        'body/target_id',
      );
  }
  // A point the caller may not read answers as a missing one; the claim rules themselves are claimPoint's.
  if (action === 'claim' && r.metering_point_id !== undefined) await readablePoint(db, principal, r.metering_point_id);
}

/**
 * A claim against a metering point counts in that point's disclosures, so the point must be a
 * consumption point of the claiming account: certificates for another account's consumer are
 * transferred there and claimed by it. Share-locked so the point cannot be deleted meanwhile.
 */
async function claimPoint(db: Db, r: ActionRequests['claim']): Promise<void> {
  if (r.metering_point_id === undefined) return;
  const point = await sharedPoint(db, r.metering_point_id);
  if (!point) throw notFound('metering_point', r.metering_point_id);
  consumptionOnly(point, 'body/metering_point_id');
  if (point.account_id !== r.source_id) {
    throw unprocessable(
      'point_of_another_account',
      `metering point ${point.id} belongs to account ${point.account_id}, not the claiming account ${r.source_id}; ` +
        'transfer the certificates there to claim them for it',
      'body/metering_point_id',
    );
  }
}

/** `lockHeldBundles`'s statement, built once: the ids are one array, so any number of them is one shape. */
const lockedBundles = fixedStatement((db: Db, ids: readonly number[]) =>
  registry(db)
    .selectFrom('bundles')
    .selectAll()
    .where(sql<boolean>`id = ANY(${ids}::int8[])`)
    .orderBy('id')
    .forUpdate(),
);

/**
 * Locks the bundles `ids` in id order (so concurrent callers never deadlock) and checks each
 * exists and is held by account `holder`; returns them by id. For every change to bundles.
 */
export async function lockHeldBundles(db: Db, ids: readonly number[], holder: number): Promise<Map<number, BundleRow>> {
  const rows = await lockedBundles(db, ids);
  // By id, so that matching the rows to the listed ids stays linear in their number.
  const byId = new Map(rows.map((b) => [b.id, b]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing !== undefined) throw notFound('bundle', missing);
  const elsewhere = rows.find((b) => b.account_id !== holder);
  if (elsewhere) throw conflict('bundle_not_in_account', `bundle ${elsewhere.id} is not held by account ${holder}`);
  return byId;
}

/**
 * Locks the listed bundles in id order and checks each is held by the source and in a status the
 * action starts from.
 */
async function lockBundles(db: Db, action: Action, r: ActionRequest): Promise<BundleRow[]> {
  const byId = await lockHeldBundles(db, r.granular_certificate_bundle_ids, r.source_id);
  const rows = [...byId.values()];
  for (const b of rows) {
    if (!ACTION_RULES[action].from.includes(b.certificate_bundle_status)) {
      throw conflict(
        'invalid_status',
        `bundle ${b.id} is ${b.certificate_bundle_status}; ${action} needs ${ACTION_RULES[action].from.join(' or ')}`,
      );
    }
    // Its energy went into storage and travels on as SD-GCs: claiming it too would count it twice.
    if (action === 'claim' && b.charged_storage_device_id !== null)
      throw conflict(
        'charged_into_storage',
        `bundle ${b.id} was cancelled to charge storage device ${b.charged_storage_device_id}; its energy is claimed through the storage device's SD-GCs`,
      );
  }
  // Act in the order the caller listed the bundles: that order decides which one a partial quantity splits.
  return r.granular_certificate_bundle_ids.map((id) => byId.get(id)!);
}

/** The split's column lists, by the columns they name: a bundle row's, so in practice one entry. */
const columnLists = new Map<string, { into: RawBuilder<unknown>; from: RawBuilder<unknown> }>();

/**
 * `columns` as the split's INSERT names them and as its SELECT reads them from `part`, quoted once:
 * built from `sql.ref`s for every split, these two lists (about fifty references) made the split
 * the costliest statement of a transfer to build (docs/benchmarks.md, "Kysely's share").
 */
function copiedColumns(columns: readonly string[]) {
  const key = columns.join(',');
  const known = columnLists.get(key);
  if (known) return known;
  const quoted = columns.map((c) => `"${c.replaceAll('"', '""')}"`);
  const lists = { into: sql.raw(quoted.join(', ')), from: sql.raw(quoted.map((c) => `part.${c}`).join(', ')) };
  columnLists.set(key, lists);
  return lists;
}

/**
 * Splits `b`: the remainder keeps b's id and the upper ids; a new bundle gets the lowest `take` ids,
 * with `change` already made to it. One statement: the new bundle is b's row as the shrink returns
 * it, with its own ids and the change laid over (`jsonb_populate_record` keeps every column's type).
 * The new bundle is made from the shrunk row, so the shrink comes first, as the unique (device,
 * range start) index needs.
 */
async function split(
  db: Db,
  b: BundleRow,
  take: number,
  now: Date,
  change: Updateable<BundlesTable>,
): Promise<{ acted: BundleRow; remainder: BundleRow }> {
  const parts = splitRange(
    { start: b.certificate_bundle_id_range_start, end: b.certificate_bundle_id_range_end },
    take,
  );
  // Every column but the two the database makes (the id, the generated quantity).
  const { id: _id, bundle_quantity: _q, ...copy } = b;
  const columns = copiedColumns(Object.keys(copy));
  const own = {
    certificate_bundle_id_range_start: parts.acted.start,
    certificate_bundle_id_range_end: parts.acted.end,
    split_from_bundle_id: b.id,
    ...change,
  };
  const { rows } = await sql<BundleRow & { is_acted: boolean }>`
    WITH remainder AS (
      UPDATE bundles SET certificate_bundle_id_range_start = ${parts.remainder.start}, updated_at = ${now}
      WHERE id = ${b.id} RETURNING *
    ), acted AS (
      INSERT INTO bundles (${columns.into})
      SELECT ${columns.from}
      FROM remainder, jsonb_populate_record(NULL::bundles, to_jsonb(remainder) || ${JSON.stringify(own)}::jsonb) AS part
      RETURNING *
    )
    SELECT true AS is_acted, * FROM acted UNION ALL SELECT false, * FROM remainder`.execute(db);
  const [acted, remainder] = [true, false].map((want) => {
    const { is_acted: _a, ...row } = rows.find((r) => r.is_acted === want)!;
    return row;
  }) as [BundleRow, BundleRow];
  return { acted, remainder };
}

/** TypeScript does not follow that `request` belongs to `action`; the signatures of the callers hold it. */
const callOf = <A extends Action>(action: A, request: ActionRequests[A]) => ({ action, request }) as ActionCall;

export async function performAction<A extends Action>(
  db: Db,
  principal: Principal,
  action: A,
  request: ActionRequests[A],
  now: Date,
): Promise<ActionResult> {
  const call = callOf(action, request);
  checkRequest(call);
  return db.transaction().execute(async (trx) => {
    await checkAccounts(trx, principal, call);
    return act(trx, principal.userId, call, now);
  });
}

/** An action's own fields, beyond the account, the bundles and the quantity a selection gives. */
export type ActionFields<A extends Action> = Omit<
  ActionRequests[A],
  'source_id' | 'granular_certificate_bundle_ids' | 'certificate_quantity'
>;

/** How an action on a selection treats a selection that holds less than its quantity. */
export interface SelectionOptions {
  /** Act on what the selection holds instead of refusing (a standing order's `partial`). */
  partial?: boolean;
}

/** The request of an action on the bundles `chosen` from a selection. */
const requestOf = <A extends Action>(
  selection: Selection,
  fields: ActionFields<A>,
  chosen: { ids: number[]; quantity: number | undefined },
) =>
  ({
    ...fields,
    source_id: selection.source_id,
    granular_certificate_bundle_ids: chosen.ids,
    certificate_quantity: chosen.quantity,
  }) as ActionRequests[A];

/** Chooses the bundles of `selection` an action takes (selection.ts), and the quantity it acts on. */
async function choose(trx: Db, action: Action, selection: Selection, options: SelectionOptions) {
  const chosen = await chooseBundles(trx, ACTION_RULES[action].from, selection, { claim: action === 'claim' });
  const short = chosen.quantity !== undefined && chosen.held < chosen.quantity;
  return options.partial && short ? { ids: chosen.ids, quantity: chosen.held } : chosen;
}

/**
 * Selection then action, for a caller: the bundles of `selection.source_id` the filter matches in a
 * status the action starts from, acted on in query order, whole bundles first, up to
 * `selection.certificate_quantity`. Only the leading bundles that cover the quantity are locked and
 * acted on; every rule is checked again under the lock. All in one transaction, all or nothing.
 */
export async function performOnSelection<A extends Action>(
  db: Db,
  principal: Principal,
  action: A,
  selection: Selection,
  fields: ActionFields<A>,
  now: Date,
): Promise<ActionResult> {
  // The rules between fields first, on the request without its bundles, which only the database knows.
  const call = callOf(action, requestOf(selection, fields, { ids: [], quantity: selection.certificate_quantity }));
  checkRequest(call);
  return db.transaction().execute(async (trx) => {
    await checkAccounts(trx, principal, call);
    const chosen = await choose(trx, action, selection, {});
    return act(trx, principal.userId, callOf(action, requestOf(selection, fields, chosen)), now);
  });
}

/**
 * Selection then action inside the caller's transaction without the caller's rights, as `actOn`:
 * for an arrangement the holder made (a standing order), whose run checks what it must itself.
 */
export async function actOnSelection<A extends Action>(
  trx: Db,
  actorId: number | null,
  action: A,
  selection: Selection,
  fields: ActionFields<A>,
  now: Date,
  options: SelectionOptions = {},
): Promise<ActionResult> {
  const call = callOf(action, requestOf(selection, fields, { ids: [], quantity: selection.certificate_quantity }));
  checkRequest(call);
  await lockTarget(trx, call);
  const chosen = await choose(trx, action, selection, options);
  return act(trx, actorId, callOf(action, requestOf(selection, fields, chosen)), now);
}

/**
 * The action itself, inside the caller's transaction, without the caller's account rights or the
 * target's whitelist: for Tally's own work on behalf of an arrangement the holders agreed to (an
 * energy community moving its members' matched certificates). Statuses, holdings and quantities
 * are checked as for everyone.
 */
export async function actOn<A extends Action>(
  trx: Db,
  actorId: number | null,
  action: A,
  request: ActionRequests[A],
  now: Date,
  arrangement: Arrangement = {},
): Promise<ActionResult> {
  const call = callOf(action, request);
  checkRequest(call);
  await lockTarget(trx, call);
  return act(trx, actorId, call, now, arrangement);
}

/** A transfer's target, share-locked open for an action whose caller's rights were not checked. */
async function lockTarget(trx: Db, { action, request }: ActionCall): Promise<void> {
  if (action === 'transfer') await lockOpenAccount(trx, request.target_id);
}

/** What Tally's own work on behalf of an arrangement records beyond the action's request. */
export interface Arrangement {
  /** A cancel that charges this storage device: the storage module's SCR backing (never claimed after). */
  chargesStorageDevice?: number;
}

/**
 * An action whose request has been checked, by either way in: statuses, holdings, quantities, the
 * rows and the event. A transfer's target is already share-locked open (checkAccounts or lockTarget).
 */
async function act(
  trx: Db,
  actorId: number | null,
  call: ActionCall,
  now: Date,
  arrangement: Arrangement = {},
): Promise<ActionResult> {
  const { action, request } = call;
  if (action === 'claim') await claimPoint(trx, request);
  const locked = await lockBundles(trx, action, request);
  const portions = planPortions(
    locked.map((b) => ({ id: b.id, quantity: b.bundle_quantity })),
    request.certificate_quantity,
  );
  if (!portions) {
    const held = locked.reduce((s, b) => s + b.bundle_quantity, 0);
    throw unprocessable(
      'insufficient_quantity',
      `the bundles hold ${held} Wh, less than certificate_quantity ${request.certificate_quantity}`,
      'body/certificate_quantity',
    );
  }
  const change: Updateable<BundlesTable> = { updated_at: now };
  const to = ACTION_RULES[action].to;
  if (to) change.certificate_bundle_status = to;
  // The reference is the holder's own: the next holder starts without the last one's.
  if (action === 'transfer') Object.assign(change, { account_id: request.target_id, holder_reference: null });
  if (action === 'claim') {
    Object.assign(change, {
      claim_consumer: request.consumer ?? null,
      claim_metering_point_id: request.metering_point_id ?? null,
      claim_period_start: request.period_start ? new Date(request.period_start) : null,
      claim_period_end: request.period_end ? new Date(request.period_end) : null,
      claimed_at: now,
    });
  }
  // A cancellation's statement is built from the acted rows, so its split part is changed with the rest.
  const changedOnSplit = action !== 'cancel';
  const wholeIds: number[] = [];
  const splitParts: BundleRow[] = [];
  const remainders: BundleRow[] = [];
  for (const p of portions) {
    if (p.whole) {
      wholeIds.push(p.id);
    } else {
      // Only the last portion is ever split: one look-up, not one per bundle.
      const parts = await split(trx, locked.find((b) => b.id === p.id)!, p.take, now, changedOnSplit ? change : {});
      splitParts.push(parts.acted);
      remainders.push(parts.remainder);
    }
  }
  const actedIds = [...wholeIds, ...splitParts.map((b) => b.id)];

  let statementId: number | null = null;
  if (action === 'cancel') {
    Object.assign(change, {
      beneficiary: request.beneficiary,
      cancellation_purpose: request.purpose ?? null,
      cancelled_at: now,
      charged_storage_device_id: arrangement.chargesStorageDevice ?? null,
    });
    const acted = await registry(trx)
      .selectFrom('bundles')
      .selectAll()
      .where('id', 'in', actedIds)
      .orderBy('id')
      .execute();
    const statement = buildStatement({
      account_id: request.source_id,
      beneficiary: request.beneficiary,
      purpose: request.purpose ?? null,
      cancelled_at: now,
      bundles: acted,
    });
    const row = await registry(trx)
      .insertInto('cancellation_statements')
      .values({
        account_id: request.source_id,
        beneficiary: request.beneficiary,
        purpose: request.purpose ?? null,
        actor_id: actorId,
        created_at: now,
        statement: JSON.stringify(statement),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    statementId = row.id;
    change.cancellation_statement_id = statementId;
  }
  const toChange = changedOnSplit ? wholeIds : actedIds;
  const acted = [
    ...(toChange.length === 0
      ? []
      : await registry(trx).updateTable('bundles').set(change).where('id', 'in', toChange).returningAll().execute()),
    ...(changedOnSplit ? splitParts : []),
  ];
  const position = new Map(actedIds.map((id, k) => [id, k]));
  acted.sort((a, b) => position.get(a.id)! - position.get(b.id)!);

  const bundles = acted.map(bundleView);
  const remainderViews = remainders.map(bundleView);
  const quantity = acted.reduce((s, b) => s + b.bundle_quantity, 0);
  const targetId = action === 'transfer' ? request.target_id : null;
  const actionId = await appendEvent(trx, {
    type: ACTION_RULES[action].event,
    subject_type: 'account',
    subject_id: request.source_id,
    account_ids: targetId === null ? [request.source_id] : [request.source_id, targetId],
    actor_id: actorId,
    payload: { action, request, statement_id: statementId, bundles: [...bundles, ...remainderViews] },
  });
  return {
    action,
    action_id: actionId,
    source_id: request.source_id,
    target_id: targetId,
    certificate_quantity: quantity,
    bundles,
    remainders: remainderViews,
    statement_id: statementId,
  };
}

/**
 * Expires active bundles past their expiry date, a batch at a time; returns how many expired.
 * Runs inside the caller's transaction (the job runner's), so the change and its event commit together.
 */
export async function expireBundles(trx: Db, now: Date, batch = 10_000): Promise<number> {
  const rows = await sql<BundleRow>`
    UPDATE bundles SET certificate_bundle_status = 'expired', updated_at = ${now.toISOString()}::timestamptz
    WHERE id IN (SELECT id FROM bundles
                 WHERE certificate_bundle_status = 'active' AND expiry_datestamp <= ${now.toISOString()}::timestamptz
                 ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(trx);
  if (rows.rows.length === 0) return 0;
  const accounts = [...new Set(rows.rows.map((b) => b.account_id))];
  await appendEvent(trx, {
    type: 'certificates.expired',
    subject_type: 'registry',
    subject_id: 'expiry',
    account_ids: accounts,
    actor_id: null,
    payload: { bundles: rows.rows.map(bundleView) },
  });
  return rows.rows.length;
}
