// Standing orders: an account's holder arranges that, once per period, a fixed number of Wh
// matching a selection is transferred to an account or cancelled for a beneficiary. Made, read,
// listed and ended here; the job (standing-order-runs.ts) runs each period once.
import { sql } from 'kysely';
import { actionableAccount, lockAcceptingAccount, readableAccount, readableAccountIds } from '../accounts/index.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, notFound, TallyError, unprocessable } from '../platform/errors.ts';
import { keyset, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Principal } from '../platform/principal.ts';
import { ACTION_RULES } from './actions.ts';
import { checkFilter, list } from './queries.ts';
import { periodStart } from './schedule.ts';
import type {
  NewStandingOrder,
  OrderSelection,
  StandingOrderRunView,
  StandingOrderView,
} from './standing-order-schemas.ts';
import { orders, type StandingOrderRow, type StandingOrderRunRow } from './standing-order-tables.ts';

/** How far before now a first period may start: the time a request takes on its way, not a back-dating. */
const FIRST_PERIOD_GRACE_MS = 5 * 60_000;

/** The order as the API shows it, with how many periods ran and when the next one starts. */
export function orderView(o: StandingOrderRow, runs: number): StandingOrderView {
  const done = o.ended_at !== null || (o.number_of_runs !== null && runs >= o.number_of_runs);
  return {
    id: o.id,
    action: o.action,
    source_id: o.account_id,
    target_id: o.target_id,
    beneficiary: o.beneficiary,
    purpose: o.purpose,
    selection: o.selection as OrderSelection,
    certificate_quantity: o.certificate_quantity,
    partial: o.partial,
    first_period_start: o.first_period_start.toISOString(),
    period_unit: o.period_unit,
    period_quantity: o.period_quantity,
    number_of_runs: o.number_of_runs,
    runs,
    next_period_start: done ? null : periodStart(o, runs).toISOString(),
    created_at: o.created_at.toISOString(),
    ended_at: o.ended_at?.toISOString() ?? null,
  };
}

export function runView(r: StandingOrderRunRow): StandingOrderRunView {
  return {
    sequence: r.sequence,
    period_start: r.period_start.toISOString(),
    ran_at: r.ran_at.toISOString(),
    outcome: r.outcome,
    certificate_quantity: r.certificate_quantity,
    action_id: r.action_id,
    reason_code: r.reason_code,
    reason: r.reason,
  };
}

/** How many periods each order ran. */
async function runCounts(db: Db, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await orders(db)
    .selectFrom('standing_order_runs')
    .select(['order_id', sql<number>`count(*)::bigint`.as('runs')])
    .where('order_id', 'in', ids)
    .groupBy('order_id')
    .execute();
  return new Map(rows.map((r) => [r.order_id, r.runs]));
}

/** The rules between fields the schema cannot say, and that the selection is one the action can take. */
function checkOrder(o: NewStandingOrder, now: Date): void {
  if (o.action === 'transfer') {
    if (o.target_id === undefined)
      throw badRequest('target_required', 'a transfer order names its target_id', 'body/target_id');
    if (o.target_id === o.source_id)
      throw badRequest('same_account', 'target_id is the source account', 'body/target_id');
    for (const field of ['beneficiary', 'purpose'] as const)
      if (o[field] !== undefined)
        throw badRequest('invalid_request', `a transfer order has no ${field}`, `body/${field}`);
  } else {
    if (o.beneficiary === undefined)
      throw badRequest('beneficiary_required', 'a cancel order names its beneficiary', 'body/beneficiary');
    if (o.target_id !== undefined)
      throw badRequest('invalid_request', 'a cancel order has no target_id', 'body/target_id');
  }
  const selection = { ...o.selection, source_id: o.source_id };
  checkFilter(selection, 'body/selection');
  const from: readonly string[] = ACTION_RULES[o.action].from;
  const other = list(o.selection?.certificate_bundle_status)?.find((s) => !from.includes(s));
  if (other !== undefined)
    throw unprocessable(
      'status_not_acted_on',
      `${o.action} acts on ${from.join(' or ')} certificates, not ${other}`,
      'body/selection/certificate_bundle_status',
    );
  if (Date.parse(o.first_period_start) < now.getTime() - FIRST_PERIOD_GRACE_MS)
    throw badRequest(
      'first_period_past',
      'the first period starts before now; a standing order does not run periods that passed before it was made',
      'body/first_period_start',
    );
}

export async function createStandingOrder(
  db: Db,
  principal: Principal,
  o: NewStandingOrder,
  now: Date,
): Promise<StandingOrderView> {
  checkOrder(o, now);
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, o.source_id);
    // As the transfer itself asks, and answered alike for a missing target: account ids cannot be
    // probed. A closed target that whitelists the source is refused as closed (409).
    if (o.target_id !== undefined && !(await lockAcceptingAccount(trx, o.target_id, o.source_id)))
      throw unprocessable(
        'transfer_not_accepted',
        `account ${o.target_id} does not accept transfers from account ${o.source_id}; it must add it to its whitelist`,
        'body/target_id',
      );
    const row = await orders(trx)
      .insertInto('standing_orders')
      .values({
        account_id: o.source_id,
        action: o.action,
        target_id: o.target_id ?? null,
        beneficiary: o.beneficiary ?? null,
        purpose: o.purpose ?? null,
        selection: JSON.stringify(o.selection ?? {}),
        certificate_quantity: o.certificate_quantity,
        partial: o.partial ?? false,
        first_period_start: new Date(o.first_period_start),
        period_unit: o.period_unit,
        period_quantity: o.period_quantity ?? 1,
        number_of_runs: o.number_of_runs ?? null,
        created_by: principal.userId,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = orderView(row, 0);
    await appendEvent(trx, {
      type: 'standing_order.created',
      subject_type: 'standing_order',
      subject_id: row.id,
      account_ids: row.target_id === null ? [row.account_id] : [row.account_id, row.target_id],
      actor_id: principal.userId,
      payload: { order: view },
    });
    return view;
  });
}

/** The order, if the caller may read its account; otherwise it does not exist for the caller. */
async function readableOrder(db: Db, principal: Principal, id: number, forUpdate = false): Promise<StandingOrderRow> {
  let q = orders(db).selectFrom('standing_orders').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('standing_order', id);
  try {
    await readableAccount(db, principal, row.account_id);
  } catch (err) {
    // An order of an account the caller may not read does not exist for it.
    if (err instanceof TallyError && err.status === 404) throw notFound('standing_order', id);
    throw err;
  }
  return row;
}

export async function getStandingOrder(db: Db, principal: Principal, id: number): Promise<StandingOrderView> {
  const row = await readableOrder(db, principal, id);
  return orderView(row, (await runCounts(db, [id])).get(id) ?? 0);
}

const byId = keyset({ id: 'int' });

/** The orders of the accounts the caller may read (or of one of them), in id order. */
export async function listStandingOrders(
  db: Db,
  principal: Principal,
  filter: { account_id?: number | undefined },
  page: PageRequest,
): Promise<Page<StandingOrderView>> {
  if (filter.account_id !== undefined) await readableAccount(db, principal, filter.account_id);
  const visible = await readableAccountIds(db, principal);
  let q = orders(db).selectFrom('standing_orders').selectAll();
  if (filter.account_id !== undefined) q = q.where('account_id', '=', filter.account_id);
  else if (visible !== undefined) q = q.where('account_id', 'in', visible.length ? visible : [0]);
  const after = byId.after(page);
  if (after) q = q.where('id', '>', after.id);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const shown = byId.page(rows, page.limit, (r) => ({ id: r.id }));
  const counts = await runCounts(
    db,
    shown.items.map((o) => o.id),
  );
  return { items: shown.items.map((o) => orderView(o, counts.get(o.id) ?? 0)), next_cursor: shown.next_cursor };
}

const bySequence = keyset({ sequence: 'int' });

/** The periods an order ran, in order. */
export async function listStandingOrderRuns(
  db: Db,
  principal: Principal,
  id: number,
  page: PageRequest,
): Promise<Page<StandingOrderRunView>> {
  await readableOrder(db, principal, id);
  const after = bySequence.after(page);
  const rows = await orders(db)
    .selectFrom('standing_order_runs')
    .selectAll()
    .where('order_id', '=', id)
    .where('sequence', '>', after?.sequence ?? -1)
    .orderBy('sequence')
    .limit(page.limit + 1)
    .execute();
  const shown = bySequence.page(rows, page.limit, (r) => ({ sequence: r.sequence }));
  return { items: shown.items.map(runView), next_cursor: shown.next_cursor };
}

/**
 * Ends an order: no period runs after this. Under the order's row lock, which the job takes for
 * each order it runs, so a run and the end take turns and a period is either run or not.
 */
export async function endStandingOrder(
  db: Db,
  principal: Principal,
  id: number,
  now: Date,
): Promise<StandingOrderView> {
  return db.transaction().execute(async (trx) => {
    const row = await readableOrder(trx, principal, id, true);
    await actionableAccount(trx, principal, row.account_id);
    if (row.ended_at !== null) throw conflict('standing_order_ended', `standing order ${id} ended already`);
    const ended = await orders(trx)
      .updateTable('standing_orders')
      .set({ ended_at: now, ended_by: principal.userId })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = orderView(ended, (await runCounts(trx, [id])).get(id) ?? 0);
    await appendEvent(trx, {
      type: 'standing_order.ended',
      subject_type: 'standing_order',
      subject_id: id,
      account_ids: [row.account_id],
      actor_id: principal.userId,
      payload: { order: view },
    });
    return view;
  });
}
