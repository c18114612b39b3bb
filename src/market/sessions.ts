// Sessions: staged → open → closed → running → finished, one open at a time. Bids are taken
// while a session is open; at gate closure it closes, then runs (the engine, run.ts) and finishes
// by itself, staging the next session with the updated price and weights.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { appendEvent } from '../ledger/index.ts';
import type { NewSession, SessionFilter, SessionView } from './schemas.ts';
import { pageNewestFirst } from './lists.ts';
import { market, type SessionRow, type SessionStatus } from './tables.ts';

/** DSBI's first session: a grid of 20 prices from 0.5 to 10 × 10⁶ base units, opening at 5.5 × 10⁶. */
export const DEFAULT_GRID = {
  b_min: 500_000n,
  b_max: 10_000_000n,
  n_price_steps: 20,
  delta: 0.05,
  market_price: 5_500_000n,
};

export const sessionView = (s: SessionRow): SessionView => ({
  id: s.id,
  session_number: s.session_number,
  session_date: s.session_date.toISOString().slice(0, 10),
  status: s.status,
  market_price: s.market_price,
  b_min: s.b_min,
  b_max: s.b_max,
  n_price_steps: s.n_price_steps,
  delta: s.delta,
  weights: s.weights,
  staged_at: s.staged_at.toISOString(),
  open_at: s.open_at?.toISOString() ?? null,
  close_at: s.close_at?.toISOString() ?? null,
  launch_at: s.launch_at?.toISOString() ?? null,
  finish_at: s.finish_at?.toISOString() ?? null,
});

/** The transitions an admin (or the schedule) may make; `running → finished` is the run's own. */
const NEXT: Partial<Record<SessionStatus, SessionStatus>> = { staged: 'open', open: 'closed', closed: 'running' };
const STAMP = { open: 'open_at', closed: 'close_at', running: 'launch_at', finished: 'finish_at' } as const;

/** Session creation and transitions are serialised by one lock, so two can never both open. */
const lockSessions = (trx: Db) => sql`SELECT pg_advisory_xact_lock(7346102)`.execute(trx);

async function sessionRow(db: Db, id: number, forUpdate = false): Promise<SessionRow> {
  let query = market(db).selectFrom('market_sessions').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('market_session', id);
  return row;
}

export interface SessionTerms {
  market_price: bigint;
  b_min: bigint;
  b_max: bigint;
  n_price_steps: number;
  delta: number;
  weights: number[];
}

/** Stages a session (inside the caller's transaction, under the sessions lock); every other must be finished. */
export async function stageSession(
  trx: Db,
  actorId: number | null,
  terms: SessionTerms,
  now: Date,
): Promise<SessionRow> {
  await lockSessions(trx);
  const unfinished = await market(trx)
    .selectFrom('market_sessions')
    .select('id')
    .where('status', '<>', 'finished')
    .executeTakeFirst();
  if (unfinished)
    throw conflict('unfinished_session', `session ${unfinished.id} is not finished; a new one is staged after it`);
  const date = now.toISOString().slice(0, 10);
  const last = await market(trx)
    .selectFrom('market_sessions')
    .select((e) => e.fn.max('session_number').as('n'))
    .where(sql<boolean>`session_date = ${date}::date`)
    .executeTakeFirst();
  const row = await market(trx)
    .insertInto('market_sessions')
    .values({
      session_number: (last?.n ?? 0) + 1,
      session_date: date,
      ...terms,
      staged_at: now,
      open_at: null,
      close_at: null,
      launch_at: null,
      finish_at: null,
      seed: null,
      inputs_hash: null,
      fee: null,
      report: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'market.session.staged',
    subject_type: 'market_session',
    subject_id: row.id,
    actor_id: actorId,
    payload: sessionView(row),
  });
  return row;
}

/** An admin stages a session; the grid defaults to DSBI's first session's, the price to its middle. */
export async function createSession(db: Db, principal: Principal, input: NewSession, now: Date): Promise<SessionView> {
  const b_min = input.b_min === undefined ? DEFAULT_GRID.b_min : BigInt(input.b_min);
  const b_max = input.b_max === undefined ? DEFAULT_GRID.b_max : BigInt(input.b_max);
  if (b_max < b_min) throw badRequest('invalid_price_grid', 'b_max is below b_min', 'body/b_max');
  const market_price =
    input.market_price !== undefined
      ? BigInt(input.market_price)
      : input.b_min === undefined && input.b_max === undefined
        ? DEFAULT_GRID.market_price
        : (b_min + b_max + 1n) / 2n;
  if (market_price < b_min || market_price > b_max)
    throw badRequest('invalid_price_grid', 'market_price lies outside [b_min, b_max]', 'body/market_price');
  const n = input.n_price_steps ?? DEFAULT_GRID.n_price_steps;
  const terms = {
    market_price,
    b_min,
    b_max,
    n_price_steps: n,
    delta: input.delta ?? DEFAULT_GRID.delta,
    weights: Array.from({ length: n }, () => 1),
  };
  return db.transaction().execute(async (trx) => sessionView(await stageSession(trx, principal.userId, terms, now)));
}

export async function getSession(db: Db, id: number): Promise<SessionView> {
  return sessionView(await sessionRow(db, id));
}

export async function listSessions(
  db: Db,
  filter: SessionFilter & { id?: number | undefined },
  page: PageRequest,
): Promise<Page<SessionView>> {
  // Newest first: the session a client wants is nearly always the latest.
  return pageNewestFirst(
    page,
    (before, limit) => {
      let query = market(db).selectFrom('market_sessions').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.id !== undefined) query = query.where('id', '=', filter.id);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },
    sessionView,
  );
}

/**
 * Moves a session one step: staged → open (no other open), open → closed (gate closure), closed →
 * running (the run then starts: run.ts). Inside the caller's transaction.
 */
export async function moveSession(
  trx: Db,
  actorId: number | null,
  id: number,
  to: SessionStatus,
  now: Date,
): Promise<SessionRow> {
  await lockSessions(trx);
  const before = await sessionRow(trx, id, true);
  if (NEXT[before.status] !== to)
    throw conflict(
      'invalid_session_transition',
      `session ${id} is ${before.status}; ${NEXT[before.status] ? `it moves to ${NEXT[before.status]} next` : 'it moves on by itself'}`,
    );
  if (to === 'open') {
    const open = await market(trx)
      .selectFrom('market_sessions')
      .select('id')
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open) throw conflict('session_already_open', `session ${open.id} is open; one session is open at a time`);
  }
  const row = await market(trx)
    .updateTable('market_sessions')
    .set({ status: to, [STAMP[to as keyof typeof STAMP]]: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: `market.session.${to}`,
    subject_type: 'market_session',
    subject_id: id,
    actor_id: actorId,
    payload: sessionView(row),
  });
  return row;
}

export async function changeSession(
  db: Db,
  principal: Principal,
  id: number,
  to: SessionStatus,
  now: Date,
): Promise<SessionView> {
  return db.transaction().execute(async (trx) => sessionView(await moveSession(trx, principal.userId, id, to, now)));
}

/**
 * Sets the price weights of a staged session (admin): one positive weight per grid price. The run
 * learns them from there on; once a session opens its weights are the market's own.
 */
export async function setSessionWeights(
  db: Db,
  principal: Principal,
  id: number,
  weights: number[],
): Promise<SessionView> {
  return db.transaction().execute(async (trx) => {
    await lockSessions(trx);
    const before = await sessionRow(trx, id, true);
    if (before.status !== 'staged')
      throw conflict(
        'session_not_staged',
        `session ${id} is ${before.status}; only a staged session takes new weights`,
      );
    if (weights.length !== before.n_price_steps)
      throw badRequest(
        'invalid_price_weights',
        `session ${id} has ${before.n_price_steps} grid prices, so it takes ${before.n_price_steps} weights, not ${weights.length}`,
        'body/weights',
      );
    if (weights.some((w) => !Number.isFinite(w) || w <= 0))
      throw badRequest('invalid_price_weights', 'every weight must be a finite number above 0', 'body/weights');
    const row = await market(trx)
      .updateTable('market_sessions')
      .set({ weights })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'market.session.weights_set',
      subject_type: 'market_session',
      subject_id: id,
      actor_id: principal.userId,
      payload: sessionView(row),
    });
    return sessionView(row);
  });
}

/** The fee each finished session's run recorded (0 when nothing ran), in session order. */
export async function sessionFees(
  db: Db,
  filter: { session_id?: number | undefined },
): Promise<Array<{ session_id: number; fee: string }>> {
  let query = market(db).selectFrom('market_sessions').select(['id', 'fee']).where('fee', 'is not', null);
  if (filter.session_id !== undefined) query = query.where('id', '=', filter.session_id);
  const rows = await query.orderBy('id').execute();
  return rows.map((r) => ({ session_id: r.id, fee: r.fee ?? '0' }));
}
