// DSBI's market routes (reference §5) onto the market's functions: the market wallet, sessions and
// their price weights, bids and their payment (a transaction hash Tally checks on the chain
// itself), balances and transactions, and payouts as transfer-out records. The writes DSBI's engine
// makes to book a run's money (session-balance, session-fee, transfer-out POST) are refused: Tally
// runs the engine itself, and no client may book money past it.
import {
  bidOfPayment,
  changeSession,
  checkBidPayment,
  createSession,
  GAIN_FUNCS,
  getBid,
  getMarketWallet,
  getResource,
  getSession,
  listBalances,
  listBids,
  listPayouts,
  listSessions,
  listTransactions,
  type Market,
  marketOn,
  marketWallet,
  paymentRefused,
  payBid,
  placeBid,
  resourceNames,
  SESSION_STATUSES,
  type SessionStatus,
  type SessionView,
  sessionBalances,
  sessionFees,
  setMarketWallet,
  setSessionWeights,
  settlePayout,
  uuidsOf,
} from '../../market/index.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { type Face, slashOptional } from './face.ts';
import {
  boolean,
  boolParam,
  choice,
  datetime,
  float,
  integer,
  intParam,
  list,
  nullable,
  numberParam,
  oneOfParam,
  optional,
  solidParam,
  text,
  trueParam,
  uuid,
  uuidParam,
} from './fields.ts';
import { bidOut, sessionOut, userFilter, uuidIn, uuidsOfRows, whole } from './views.ts';
import {
  type Answers,
  amount,
  answer,
  answering,
  detail,
  dsbiTime,
  ENGINE_RUNS_HERE,
  fieldError,
  onField,
  says,
} from './wire.ts';

const NO_MARKET_WALLET = 'Market wallet address not found. Register an address first.';
/** DSBI's session and bid ids in a path: `[0-9]+` and `[0-9a-f-]+`. */
const SESSION_PATH = '/api/market/session/:id(^[0-9]+$)';
const BID_PATH = '/api/market/bid/:id(^[0-9a-f-]+$)';
/** The timestamp a PATCH to each status may carry (the DSBI engine sends it; Tally's clock otherwise). */
const STAMP: Record<SessionStatus, 'open_ts' | 'close_ts' | 'launch_ts' | 'finish_ts' | undefined> = {
  staged: undefined,
  open: 'open_ts',
  closed: 'close_ts',
  running: 'launch_ts',
  finished: 'finish_ts',
};
/** Price weights have no row of their own in Tally: weight i of session s is numbered s·1000 + i − 999. */
const weightId = (session: number, i: number) => (session - 1) * 1000 + i + 1;
/** A session's weights, as DSBI's rows. */
const weightRows = (s: SessionView) =>
  s.weights.map((w, i) => ({ id: weightId(s.id, i), weights_p: w, market_session: s.id }));

const walletAnswers: Answers = {
  invalid_wallet_address: () => fieldError('wallet_address', 'Invalid wallet address.'),
  market_wallet_not_key: onField('wallet_address'),
  market_wallet_exists: () => detail(409, 'A market address was already registered. Use PUT method to update it.'),
  no_market_wallet: () => detail(409, NO_MARKET_WALLET),
};

export function dsbiMarketRoutes(face: Face, m: Market): void {
  const now = () => m.clock.now();
  const keyAddress = m.rail.kind === 'evm' ? m.rail.chain.marketAddress : undefined;
  const noWallet = (p: Principal) =>
    detail(409, `No wallet address found for user '${p.email}'. Please register your address first.`);

  // The market wallet.
  face.route({
    method: 'GET',
    path: slashOptional('/api/market/wallet-address'),
    access: 'user',
    handler: async ({ db }) => {
      const wallet = await answering({ market_wallet_not_found: () => detail(409, NO_MARKET_WALLET) }, () =>
        getMarketWallet(db),
      );
      return { wallet_address: wallet.wallet_address, registered_at: dsbiTime(wallet.registered_at) };
    },
  });
  for (const [method, mode] of [
    ['POST', 'create'],
    ['PUT', 'replace'],
  ] as const)
    face.route({
      method,
      path: slashOptional('/api/market/wallet-address'),
      access: ['admin'],
      body: { wallet_address: text() },
      handler: async ({ body, caller, db }) => {
        const wallet = await answering(walletAnswers, () =>
          setMarketWallet(db, caller(), body.wallet_address, now(), { mode, keyAddress }),
        );
        return { wallet_address: wallet.wallet_address, registered_at: dsbiTime(wallet.registered_at) };
      },
    });

  // Sessions.
  face.route({
    method: 'GET',
    path: slashOptional('/api/market/session'),
    access: 'user',
    query: {
      market_session: intParam('market_session'),
      status: oneOfParam('session_status', SESSION_STATUSES),
      latest_only: boolParam('latest_only'),
    },
    handler: async ({ query, db }) => {
      // DSBI checks the status in any case but filters by it exactly: `Open` finds nothing.
      if (query.status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(query.status)) return [];
      const filter = { status: query.status as SessionStatus | undefined, id: query.market_session };
      // Tally lists sessions newest first: the latest is the first of one page.
      if (query.latest_only)
        return (await listSessions(db, filter, { limit: 1, field: 'querystring/cursor' })).items.map(sessionOut);
      const sessions = await whole((page) => listSessions(db, filter, page));
      return sessions.sort((a, b) => a.id - b.id).map(sessionOut);
    },
  });

  face.route({
    method: 'POST',
    path: slashOptional('/api/market/session'),
    access: ['admin'],
    body: {
      session_number: integer(),
      market_price: float(),
      b_min: integer({ min: 1 }),
      b_max: integer({ min: 1 }),
      n_price_steps: integer({ min: 2, max: 1000 }),
      delta: float(),
      status: optional(choice(SESSION_STATUSES)),
      open_ts: optional(nullable(datetime())),
      close_ts: optional(nullable(datetime())),
      launch_ts: optional(nullable(datetime())),
      finish_ts: optional(nullable(datetime())),
    },
    handler: async ({ body, caller, db }) => {
      if (body.status !== undefined && body.status !== 'staged')
        throw fieldError('status', 'Tally stages a new session; move it on with PATCH.');
      if (!Number.isSafeInteger(body.market_price) || body.market_price < 1)
        throw fieldError('market_price', 'Tally prices are whole base units of the market token, at least 1.');
      if (!(body.delta > 0 && body.delta <= 1))
        throw fieldError('delta', 'Ensure this value is greater than 0 and less than or equal to 1.');
      if (!(await marketWallet(db))) throw detail(409, NO_MARKET_WALLET);
      const session = await answering(
        {
          unfinished_session: () => detail(409, 'Unable to create new session. There are still unfinished sessions.'),
          invalid_price_grid: onField(),
        },
        () =>
          createSession(
            db,
            caller(),
            {
              market_price: String(body.market_price),
              b_min: String(body.b_min),
              b_max: String(body.b_max),
              n_price_steps: body.n_price_steps,
              delta: body.delta,
            },
            now(),
          ),
      );
      return sessionOut(session);
    },
  });

  face.route({
    method: 'PATCH',
    path: SESSION_PATH,
    access: ['admin'],
    body: {
      status: optional(choice(SESSION_STATUSES)),
      open_ts: optional(nullable(datetime())),
      close_ts: optional(nullable(datetime())),
      launch_ts: optional(nullable(datetime())),
      finish_ts: optional(nullable(datetime())),
    },
    handler: async ({ body, params, request, caller, db }) => {
      const id = Number(params.id);
      const before = await answering(
        { market_session_not_found: () => answer(400, 'That market session ID does not exist.') },
        () => getSession(db, id),
      );
      if (body.status === undefined) throw fieldError('status', 'This field is required');
      const stamp = STAMP[body.status];
      // Tally keeps a session's terms and times itself: only the new status, and its own time, are taken.
      const sent = Object.keys((request.body ?? {}) as object);
      const fixed = ['session_number', 'session_date', 'market_price', 'b_min', 'b_max', 'n_price_steps', 'delta'];
      for (const name of sent)
        if (fixed.includes(name) || (name.endsWith('_ts') && name !== stamp))
          throw fieldError(
            name,
            `Tally sets this field itself; a PATCH to '${body.status}' takes only ${stamp ?? 'status'}.`,
          );
      if (before.status === body.status) return sessionOut(before);
      const at = (stamp && body[stamp]) || now();
      const session = await answering(
        {
          invalid_session_transition: says(409),
          session_already_open: async () => detail(409, await alreadyOpen(db)),
        },
        () => changeSession(db, caller(), id, body.status as SessionStatus, at),
      );
      return sessionOut(session);
    },
  });

  /** DSBI's refusal of a second open session names the one that is open. */
  async function alreadyOpen(db: Db): Promise<string> {
    const [open] = await whole((page) => listSessions(db, { status: 'open' }, page));
    return (
      'Unable to update session. Only one session must be open at each time, and ' +
      `session '${open?.id}' is still in 'open' state.`
    );
  }

  // Price weights.
  face.route({
    method: 'GET',
    path: slashOptional('/api/market/price-weight'),
    access: ['admin'],
    query: { market_session: intParam('market_session') },
    handler: async ({ query, db }) => {
      const sessions = await whole((page) => listSessions(db, { id: query.market_session }, page));
      return sessions.sort((a, b) => a.id - b.id).flatMap(weightRows);
    },
  });
  face.route({
    method: 'POST',
    path: slashOptional('/api/market/price-weight'),
    access: ['admin'],
    body: { weights_p: list(float()), market_session: integer() },
    handler: async ({ body, caller, db }) => {
      await answering(
        {
          market_session_not_found: () => fieldError('market_session', 'This market session does not exist yet.'),
          session_not_staged: says(409),
          invalid_price_weights: onField('weights_p'),
        },
        () => setSessionWeights(db, caller(), body.market_session, body.weights_p),
      );
      return true;
    },
  });

  // Session fees: recorded by Tally's run; read only here.
  face.route({
    method: 'GET',
    path: slashOptional('/api/market/session-fee'),
    access: ['admin'],
    query: { market_session: intParam('market_session') },
    handler: async ({ query, db }) =>
      (await sessionFees(db, { session_id: query.market_session })).map((f) => ({
        market_session: f.session_id,
        amount: amount(f.fee),
      })),
  });
  face.route({
    method: 'POST',
    path: slashOptional('/api/market/session-fee'),
    access: ['admin'],
    handler: async () => {
      throw detail(409, `${ENGINE_RUNS_HERE} A session's fee is recorded by its run; GET shows it.`);
    },
  });

  // Bids.
  face.route({
    method: 'POST',
    path: slashOptional('/api/market/bid'),
    access: 'user',
    body: {
      market_session: integer(),
      resource: uuid(),
      max_payment: integer({ min: 0 }),
      bid_price: integer({ min: 0 }),
      gain_func: choice(GAIN_FUNCS),
    },
    handler: async ({ body, caller, db }) => {
      const principal = caller();
      const bid = await answering(
        {
          payment_below_minimum: () =>
            fieldError('max_payment', `Ensure this value is greater than or equal to ${m.config.minPayment}.`),
          invalid_bid_price: () => fieldError('bid_price', 'Ensure this value is greater than 0.'),
          no_wallet: () => noWallet(principal),
          unproven_wallet: says(409),
          market_resource_not_found: () =>
            detail(409, `Resource ID ${body.resource} is not registered to user '${principal.email}'.`),
          resource_not_forecast: async () => detail(409, await notForecast(db, principal, body.resource)),
          market_session_not_found: () => detail(409, `Market session ${body.market_session} does not exist.`),
          session_not_open: () => detail(409, `Market session ${body.market_session} is not open for bids.`),
          no_market_wallet: () => detail(409, NO_MARKET_WALLET),
          bid_exists: () =>
            detail(
              409,
              `The user already has a placed bid for session ID ${body.market_session} and resource ID ${body.resource}.`,
            ),
        },
        () =>
          placeBid(marketOn(m, db), principal, {
            session_id: body.market_session,
            resource_id: body.resource,
            bid_price: String(body.bid_price),
            max_payment: String(body.max_payment),
            gain_func: body.gain_func,
          }),
      );
      const uuids = await uuidsOfRows(db, [bid]);
      return {
        id: bid.id,
        user: uuidIn(uuids, bid.user_id),
        market_session: bid.session_id,
        resource: bid.resource_id,
        bid_price: amount(bid.bid_price),
        gain_func: bid.gain_func,
        max_payment: amount(bid.max_payment),
        market_wallet_address: (await marketWallet(db))?.address ?? null,
      };
    },
  });

  /** Which of DSBI's two refusals a resource that may not be bid for gets. */
  async function notForecast(db: Db, principal: Principal, id: string): Promise<string> {
    const resource = await getResource(db, principal, id);
    return resource.type === 'measurements'
      ? "It is only possible to place bids for resources with 'to_forecast' field equal to True."
      : 'It is only possible to place bids for measurements resources.';
  }

  face.route({
    method: 'GET',
    path: slashOptional('/api/market/bid'),
    access: 'user',
    query: {
      market_session: intParam('market_session'),
      resource: uuidParam('resource'),
      confirmed: trueParam(),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const bids = await whole((page) =>
        listBids(
          db,
          principal,
          { session_id: query.market_session, resource_id: query.resource, confirmed: query.confirmed, user_id: user },
          page,
        ),
      );
      const uuids = await uuidsOfRows(db, bids);
      return bids.map((b) => bidOut(b, uuids));
    },
  });

  face.route({
    method: 'PATCH',
    path: BID_PATH,
    access: 'user',
    body: { tangle_msg_id: text({ max: 255 }) },
    handler: async ({ body, params, caller, db }) => {
      const principal = caller();
      const unknown = () => answer(400, 'That market bid ID does not exist.');
      const id = params.id ?? '';
      const bid = await answering({ market_bid_not_found: unknown }, async () => {
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw unknown();
        const found = await getBid(db, principal, id);
        // Another's bid is not disclosed (an admin reads it, but pays only its own).
        if (found.user_id !== principal.userId) throw unknown();
        return found;
      });
      // On a chain the reference is the payment's transaction hash; without one (the internal rail)
      // the bid is drawn on the free balance and no reference is kept.
      const onChain = m.rail.kind === 'evm';
      if (onChain && !/^0x[0-9a-fA-F]{64}$/.test(body.tangle_msg_id))
        throw fieldError('tangle_msg_id', 'Enter the transaction hash of the payment: 0x and 64 hex digits.');
      const paid = await answering(
        {
          market_bid_not_found: unknown,
          session_not_open: () => detail(409, `Market session ${bid.session_id} is not open for bids.`),
          no_wallet: () => noWallet(principal),
          unproven_wallet: says(409),
          payment_reference_recorded: () => detail(409, `A Tangle Message ID already exists for bid ID ${bid.id}.`),
          payment_reference_used: () => detail(409, `A Tangle Message ID already exists for bid ID ${bid.id}.`),
          bid_already_confirmed: says(409),
          payment_refused: says(409),
        },
        () => payBid(marketOn(m, db), principal, bid.id, onChain ? body.tangle_msg_id : undefined),
      );
      return { bid_id: paid.id, tangle_msg_id: paid.tx_hash };
    },
  });

  face.route({
    method: 'POST',
    path: ['/api/market/validate/bid-payment', '/api/market/validate/bid-paymen'],
    access: ['admin'],
    body: { tangle_msg_id: text({ max: 255 }) },
    handler: async ({ body, caller, db }) => {
      const tx = body.tangle_msg_id;
      const bid = await bidOfPayment(db, tx);
      if (!bid) throw detail(409, `No bid payments were found for tangle_msg_id ${tx}.`);
      const { refusal } = await answering(
        {
          bid_already_confirmed: () => detail(409, `Tangle message ID ${tx} already validated.`),
          rail_has_no_payments: says(409),
          no_payment_reference: says(409),
          no_market_wallet: () => detail(409, NO_MARKET_WALLET),
          no_wallet: says(409),
        },
        () => checkBidPayment(marketOn(m, db), bid.id, caller().userId),
      );
      if (refusal !== null) throw detail(409, paymentRefused(refusal).message);
      return {
        market_bid: bid.id,
        market_session: bid.session_id,
        tangle_msg_id: tx,
        user_wallet_address: (await marketWallet(db))?.address ?? null,
        confirmed: true,
      };
    },
  });

  // Balances and transactions.
  face.route({
    method: 'GET',
    path: slashOptional('/api/market/session-balance'),
    access: 'user',
    query: {
      market_session: intParam('market_session'),
      resource: uuidParam('resource'),
      balance_by_resource: boolParam('balance_by_resource'),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const byResource = query.balance_by_resource ?? true;
      const rows = await sessionBalances(db, principal, {
        session_id: query.market_session,
        user_id: user,
        resource_id: query.resource,
        byResource,
      });
      const uuids = await uuidsOfRows(db, rows);
      return rows.map((r) => ({
        market_session: r.session_id,
        user: uuidIn(uuids, r.user_id),
        ...(byResource ? { resource: r.resource_id } : {}),
        session_deposit: amount(r.deposit),
        session_balance: amount(r.balance),
        session_payment: amount(r.payment),
        session_revenue: amount(r.revenue),
        registered_at: dsbiTime(r.registered_at),
      }));
    },
  });
  face.route({
    method: 'POST',
    path: slashOptional('/api/market/session-balance'),
    access: ['admin'],
    handler: async () => {
      throw detail(409, `${ENGINE_RUNS_HERE} Its runs book every payment and revenue; a client cannot.`);
    },
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/market/balance'),
    access: 'user',
    query: {
      balance__lte: numberParam('balance__lte'),
      balance__gte: numberParam('balance__gte'),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      // As DSBI: balance__gte when given, else balance__lte.
      const bound =
        query.balance__gte !== undefined
          ? { min_balance: String(query.balance__gte) }
          : query.balance__lte !== undefined
            ? { max_balance: String(query.balance__lte) }
            : {};
      const balances = await whole((page) => listBalances(db, principal, { user_id: user, ...bound }, page));
      const uuids = await uuidsOfRows(db, balances);
      return balances.map((b) => ({
        user: uuidIn(uuids, b.user_id),
        balance: amount(b.balance),
        total_deposit: amount(b.total_deposit),
        total_withdraw: amount(b.total_withdraw),
        total_payment: -amount(b.total_payment),
        total_revenue: amount(b.total_revenue),
        updated_at: dsbiTime(b.updated_at),
      }));
    },
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/market/session-transactions'),
    access: 'user',
    query: { market_session: intParam('market_session'), user: uuidParam('user') },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const all = await whole((page) =>
        listTransactions(db, principal, { user_id: user, session_id: query.market_session }, page),
      );
      // An admin's credit on the internal rail belongs to no session: not a session transaction.
      const transactions = all.filter((t) => t.session_id !== null).sort((a, b) => a.id - b.id);
      const [uuids, names] = await Promise.all([
        uuidsOfRows(db, transactions),
        resourceNames(
          db,
          transactions.flatMap((t) => (t.resource_id === null ? [] : [t.resource_id])),
        ),
      ]);
      return transactions.map((t) => ({
        market_session: t.session_id,
        user: uuidIn(uuids, t.user_id),
        resource: t.resource_id,
        amount: amount(t.amount),
        transaction_type: t.transaction_type,
        registered_at: dsbiTime(t.registered_at),
        resource_name: t.resource_id === null ? null : (names.get(t.resource_id) ?? null),
      }));
    },
  });

  // Payouts, as DSBI's transfer-out records.
  const transferOut = (
    p: Awaited<ReturnType<typeof settlePayout>>,
    uuids: Map<number, string>,
  ): Record<string, unknown> => ({
    withdraw_transfer_id: p.id,
    amount: amount(p.amount),
    user_wallet_address: p.wallet_address,
    tangle_msg_id: p.tx_hash,
    is_solid: p.solid,
    registered_at: dsbiTime(p.registered_at),
    user: uuidIn(uuids, p.user_id),
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/market/transfer-out'),
    access: ['admin'],
    query: { is_solid: solidParam('is_solid'), user: uuidParam('user') },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const payouts = await whole((page) => listPayouts(db, principal, { user_id: user, solid: query.is_solid }, page));
      payouts.sort((a, b) => a.id - b.id);
      const uuids = await uuidsOfRows(db, payouts);
      return payouts.map((p) => transferOut(p, uuids));
    },
  });
  face.route({
    method: 'POST',
    path: slashOptional('/api/market/transfer-out'),
    access: ['admin'],
    handler: async () => {
      throw detail(
        409,
        `${ENGINE_RUNS_HERE} It pays balances out after each session and records each payout as a transfer-out; ` +
          'a client cannot book one. PUT asks whether one is solid.',
      );
    },
  });
  face.route({
    method: 'PUT',
    path: slashOptional('/api/market/transfer-out'),
    access: ['admin'],
    body: {
      withdraw_transfer_id: optional(integer()),
      is_solid: optional(boolean()),
      amount: optional(integer()),
      tangle_msg_id: optional(nullable(text())),
      user_wallet_address: optional(text()),
      user: optional(uuid()),
    },
    handler: async ({ body, caller, db }) => {
      const principal = caller();
      if (body.withdraw_transfer_id === undefined) throw fieldError('withdraw_transfer_id', 'This field is required');
      const id = body.withdraw_transfer_id;
      const missing = () => fieldError('withdraw_transfer_id', `Invalid pk "${id}" - object does not exist.`);
      const [current] = await whole((page) => listPayouts(db, principal, { id }, page));
      if (!current) throw missing();
      const uuids = await uuidsOf(db, [current.user_id]);
      // Tally records its payouts itself: a PUT may only ask whether one is solid (checked on the chain).
      const stored = transferOut(current, uuids);
      for (const name of ['amount', 'tangle_msg_id', 'user_wallet_address', 'user'] as const) {
        const sent = body[name];
        const same =
          name === 'tangle_msg_id' || name === 'user_wallet_address'
            ? String(sent).toLowerCase() === String(stored[name]).toLowerCase()
            : sent === stored[name];
        if (sent !== undefined && !same)
          throw detail(409, `Tally records its payouts itself; ${name} of transfer ${id} is ${String(stored[name])}.`);
      }
      if (body.is_solid === false && current.solid)
        throw detail(409, `Transfer ${id} is solid: the chain confirmed it.`);
      if (body.is_solid !== true) return stored;
      const settled = await answering({ market_payout_not_found: missing, payout_unconfirmed: says(409) }, () =>
        settlePayout(marketOn(m, db), id),
      );
      return transferOut(settled, uuids);
    },
  });
}
