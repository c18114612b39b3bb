// Lifecycle actions on lists of bundle ids: all-or-nothing, row locks taken in id order, partial
// quantities split the last bundle touched. One event per action records every row it changed.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../identity/principal.ts';
import { appendEvent } from '../ledger/events.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../platform/errors.ts';
import { actionableAccount, lockOpenAccount, readableAccount } from './access.ts';
import { bundleView, type BundleView } from './bundles.ts';
import { planPortions, splitRange } from './split.ts';
import { buildStatement } from './statements.ts';
import { registry, type BundleRow, type BundleStatus } from './tables.ts';
import { checkPeriod } from '../platform/period.ts';
import { consumptionOnly, readablePoint, sharedPoint } from '../metering/points.ts';

export const ACTIONS = ['transfer', 'cancel', 'claim', 'withdraw', 'reserve', 'unreserve', 'lock', 'unlock'] as const;
export type Action = (typeof ACTIONS)[number];

/** From which statuses each action may start, and the status it leaves (transfer keeps it). */
export const ACTION_RULES: Record<
  Action,
  { from: readonly BundleStatus[]; to: BundleStatus | undefined; event: string }
> = {
  transfer: { from: ['active'], to: undefined, event: 'certificates.transferred' },
  cancel: { from: ['active', 'reserved'], to: 'cancelled', event: 'certificates.cancelled' },
  claim: { from: ['cancelled'], to: 'claimed', event: 'certificates.claimed' },
  withdraw: { from: ['active', 'reserved', 'locked'], to: 'withdrawn', event: 'certificates.withdrawn' },
  reserve: { from: ['active'], to: 'reserved', event: 'certificates.reserved' },
  unreserve: { from: ['reserved'], to: 'active', event: 'certificates.unreserved' },
  lock: { from: ['active'], to: 'locked', event: 'certificates.locked' },
  unlock: { from: ['locked'], to: 'active', event: 'certificates.unlocked' },
};

export interface ActionRequest {
  source_id: number;
  granular_certificate_bundle_ids: number[];
  certificate_quantity?: number | undefined;
  target_id?: number | undefined;
  beneficiary?: string | undefined;
  purpose?: string | undefined;
  consumer?: string | undefined;
  metering_point_id?: string | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
}

export interface ActionResult {
  action: Action;
  /** The ledger event that records this action. */
  action_id: number;
  source_id: number;
  target_id: number | null;
  /** Wh acted on. */
  certificate_quantity: number;
  /** The bundles acted on, as they are now (a split's acted part has a new id). */
  bundles: BundleView[];
  /** What was left of a split bundle, still in the source account under its old id. */
  remainders: BundleView[];
  statement_id: number | null;
}

function checkRequest(action: Action, r: ActionRequest): void {
  const ids = r.granular_certificate_bundle_ids;
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined)
    throw badRequest('duplicate_bundle_id', `bundle ${dup} is listed twice`, 'body/granular_certificate_bundle_ids');
  if (action === 'transfer') {
    if (r.target_id === undefined) throw badRequest('target_required', 'a transfer needs target_id', 'body/target_id');
    if (r.target_id === r.source_id)
      throw badRequest('same_account', 'target_id is the source account', 'body/target_id');
  }
  if (action === 'cancel' && !r.beneficiary)
    throw badRequest('beneficiary_required', 'a cancellation names its beneficiary', 'body/beneficiary');
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

async function checkAccounts(db: Db, principal: Principal, action: Action, r: ActionRequest): Promise<void> {
  if (action === 'withdraw') {
    // Withdrawal is the issuing body's correction, not the holder's choice.
    if (principal.role !== 'issuer' && principal.role !== 'admin')
      throw forbidden('role_required', 'only an issuing body withdraws certificates');
    await readableAccount(db, principal, r.source_id);
    return;
  }
  await actionableAccount(db, principal, r.source_id);
  if (action === 'transfer') {
    // Asked before anything else about the target: an account that does not exist whitelists no
    // one, so a missing target and an unwilling one answer alike and account ids cannot be probed.
    const accepted = await registry(db)
      .selectFrom('account_whitelist')
      .select('account_id')
      .where('account_id', '=', r.target_id!)
      .where('accepts_from', '=', r.source_id)
      .executeTakeFirst();
    if (!accepted)
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
async function claimPoint(db: Db, r: ActionRequest): Promise<void> {
  if (r.metering_point_id === undefined) return;
  const point = await sharedPoint(db, r.metering_point_id);
  if (!point) throw notFound('metering_point', r.metering_point_id);
  consumptionOnly(point, 'body/metering_point_id');
  if (point.account_id !== r.source_id) {
    throw unprocessable(
      'point_of_another_account',
      `metering point ${point.id} belongs to account ${point.account_id}, not the claiming account ${r.source_id}; transfer the certificates there to claim them for it`,
      'body/metering_point_id',
    );
  }
}

/** Locks the listed bundles in id order and checks each is held by the source and in a status the action starts from. */
async function lockBundles(db: Db, action: Action, r: ActionRequest): Promise<BundleRow[]> {
  const ids = [...r.granular_certificate_bundle_ids].sort((a, b) => a - b);
  const rows = await registry(db)
    .selectFrom('bundles')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  const missing = ids.find((id) => !rows.some((b) => b.id === id));
  if (missing !== undefined) throw notFound('bundle', missing);
  for (const b of rows) {
    if (b.account_id !== r.source_id)
      throw conflict('bundle_not_in_account', `bundle ${b.id} is not held by account ${r.source_id}`);
    if (!ACTION_RULES[action].from.includes(b.certificate_bundle_status)) {
      throw conflict(
        'invalid_status',
        `bundle ${b.id} is ${b.certificate_bundle_status}; ${action} needs ${ACTION_RULES[action].from.join(' or ')}`,
      );
    }
  }
  // Act in the order the caller listed the bundles: that order decides which one a partial quantity splits.
  return r.granular_certificate_bundle_ids.map((id) => rows.find((b) => b.id === id)!);
}

/** Splits `b`: the remainder keeps b's id and the upper ids; a new bundle gets the lowest `take` ids. */
async function split(
  db: Db,
  b: BundleRow,
  take: number,
  now: Date,
): Promise<{ acted: BundleRow; remainder: BundleRow }> {
  const parts = splitRange(
    { start: b.certificate_bundle_id_range_start, end: b.certificate_bundle_id_range_end },
    take,
  );
  // Shrink first: the unique (device, range start) index would refuse the new bundle otherwise.
  const remainder = await registry(db)
    .updateTable('bundles')
    .set({ certificate_bundle_id_range_start: parts.remainder.start, updated_at: now })
    .where('id', '=', b.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const { id: _id, bundle_quantity: _q, updated_at: _u, ...copy } = b;
  const acted = await registry(db)
    .insertInto('bundles')
    .values({
      ...copy,
      certificate_bundle_id_range_start: parts.acted.start,
      certificate_bundle_id_range_end: parts.acted.end,
      split_from_bundle_id: b.id,
    } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { acted, remainder };
}

export async function performAction(
  db: Db,
  principal: Principal,
  action: Action,
  request: ActionRequest,
  now: Date,
): Promise<ActionResult> {
  checkRequest(action, request);
  return db.transaction().execute(async (trx) => {
    await checkAccounts(trx, principal, action, request);
    return act(trx, principal.userId, action, request, now);
  });
}

/**
 * The action itself, inside the caller's transaction, without the caller's account rights or the
 * target's whitelist: for Tally's own work on behalf of an arrangement the holders agreed to (an
 * energy community moving its members' matched certificates). Statuses, holdings and quantities
 * are checked as for everyone.
 */
export async function actOn(
  trx: Db,
  actorId: number | null,
  action: Action,
  request: ActionRequest,
  now: Date,
): Promise<ActionResult> {
  checkRequest(action, request);
  return act(trx, actorId, action, request, now);
}

/** An action whose request has been checked, by either way in: statuses, holdings, quantities, the rows and the event. */
async function act(
  trx: Db,
  actorId: number | null,
  action: Action,
  request: ActionRequest,
  now: Date,
): Promise<ActionResult> {
  if (action === 'transfer') await lockOpenAccount(trx, request.target_id!);
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
  const actedIds: number[] = [];
  const remainders: BundleRow[] = [];
  for (const p of portions) {
    if (p.whole) {
      actedIds.push(p.id);
    } else {
      const parts = await split(trx, locked.find((b) => b.id === p.id)!, p.take, now);
      actedIds.push(parts.acted.id);
      remainders.push(parts.remainder);
    }
  }

  const change: Partial<BundleRow> = { updated_at: now };
  const to = ACTION_RULES[action].to;
  if (to) change.certificate_bundle_status = to;
  if (action === 'transfer') change.account_id = request.target_id!;
  if (action === 'claim') {
    Object.assign(change, {
      claim_consumer: request.consumer ?? null,
      claim_metering_point_id: request.metering_point_id ?? null,
      claim_period_start: request.period_start ? new Date(request.period_start) : null,
      claim_period_end: request.period_end ? new Date(request.period_end) : null,
      claimed_at: now,
    });
  }
  let statementId: number | null = null;
  if (action === 'cancel') {
    Object.assign(change, {
      beneficiary: request.beneficiary!,
      cancellation_purpose: request.purpose ?? null,
      cancelled_at: now,
    });
    const acted = await registry(trx)
      .selectFrom('bundles')
      .selectAll()
      .where('id', 'in', actedIds)
      .orderBy('id')
      .execute();
    const statement = buildStatement({
      account_id: request.source_id,
      beneficiary: request.beneficiary!,
      purpose: request.purpose ?? null,
      cancelled_at: now,
      bundles: acted,
    });
    const row = await registry(trx)
      .insertInto('cancellation_statements')
      .values({
        account_id: request.source_id,
        beneficiary: request.beneficiary!,
        purpose: request.purpose ?? null,
        actor_id: actorId,
        created_at: now,
        statement: JSON.stringify(statement),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    statementId = row.id;
    change.cancellation_statement_id = statementId;
  }
  const acted = await registry(trx)
    .updateTable('bundles')
    .set(change)
    .where('id', 'in', actedIds)
    .returningAll()
    .execute();
  acted.sort((a, b) => actedIds.indexOf(a.id) - actedIds.indexOf(b.id));

  const bundles = acted.map(bundleView);
  const remainderViews = remainders.map(bundleView);
  const quantity = acted.reduce((s, b) => s + b.bundle_quantity, 0);
  const targetId = action === 'transfer' ? request.target_id! : null;
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
    WHERE id IN (SELECT id FROM bundles WHERE certificate_bundle_status = 'active' AND expiry_datestamp <= ${now.toISOString()}::timestamptz
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
