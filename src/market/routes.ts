// The forecasting market's native API, under /api/market. Each route is its schema, its access
// rule and one call into the market's functions; the DSBI face translates onto the same calls.
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { IdParams, Page, PageQuery } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { checkBidPayment, getBid, listBids, paymentRefused, payBid, placeBid } from './bids.ts';
import { type Market, marketOn } from './context.ts';
import { uploadSeries, readSeries } from './data.ts';
import { listForecasts, sessionReport } from './forecasts.ts';
import { listPayouts } from './payouts.ts';
import { creditBalance, listBalances, listTransactions } from './money.ts';
import { createResource, deleteResource, getResource, listResources, updateResource } from './resources.ts';
import {
  Amount,
  Balance,
  BalanceFilter,
  Bid,
  BidFilter,
  BidPayment,
  Challenge,
  Forecast,
  ForecastFilter,
  MarketWallet,
  MarketWalletInput,
  NewBid,
  NewResource,
  NewSession,
  Payout,
  PayoutFilter,
  Report,
  Resource,
  ResourceChange,
  ResourceFilter,
  Series,
  SeriesAnswer,
  SeriesPeriod,
  Session,
  SessionChange,
  SessionFilter,
  StoredPoint,
  Transaction,
  TransactionFilter,
  UuidParams,
  Wallet,
  WalletProof,
} from './schemas.ts';
import { changeSession, createSession, getSession, listSessions } from './sessions.ts';
import { getMarketWallet, getWallet, registerWallet, setMarketWallet, walletChallenge } from './wallets.ts';

const tags = ['market'];
const strict = { additionalProperties: false } as const;
const RESOURCE_PROBLEMS = ['market_resource_not_found'] as const;

export const marketRoutes =
  (m: Market) =>
  async (app: App, _ctx: AppContext): Promise<void> => {
    const now = () => m.clock.now();

    app.get(
      '/api/market/resources',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketResources',
          tags,
          summary: 'Your market resources',
          description: 'Roles that read everything see every user’s, and may filter by `user_id`.',
          querystring: Type.Object({ ...ResourceFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Resource, 'Resources in id order') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listResources(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );

    app.post(
      '/api/market/resources',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'createMarketResource',
          tags,
          summary: 'Register a resource',
          description:
            'A `measurements` resource may be forecast (`to_forecast`); bound to a production metering point ' +
            'you act for, its series is that point’s readings.',
          body: NewResource,
          response: { 201: Resource },
          problems: [
            'features_not_forecast',
            'resource_name_taken',
            'resource_point_not_production',
            'metering_point_not_found',
            'account_not_found',
            'not_a_member',
            'account_closed',
          ],
        },
      },
      async (request, reply) => reply.status(201).send(await createResource(request.db, caller(request), request.body)),
    );

    app.get(
      '/api/market/resources/:id',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketResource',
          tags,
          summary: 'One resource',
          description: 'Its owner’s, or for roles that read everything.',
          params: UuidParams,
          response: { 200: Resource },
          problems: RESOURCE_PROBLEMS,
        },
      },
      async (request) => getResource(request.db, caller(request), request.params.id),
    );

    app.patch(
      '/api/market/resources/:id',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'updateMarketResource',
          tags,
          summary: 'Change a resource',
          description: 'Only the fields sent change; `metering_point_id: null` unbinds it.',
          params: UuidParams,
          body: ResourceChange,
          response: { 200: Resource },
          problems: [
            ...RESOURCE_PROBLEMS,
            'features_not_forecast',
            'resource_name_taken',
            'resource_point_not_production',
            'metering_point_not_found',
            'account_not_found',
            'not_a_member',
            'account_closed',
          ],
        },
      },
      async (request) => updateResource(request.db, caller(request), request.params.id, request.body),
    );

    app.delete(
      '/api/market/resources/:id',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'deleteMarketResource',
          tags,
          summary: 'Delete a resource',
          description: 'Its uploaded data goes; its bids, forecasts and revenues keep naming it.',
          params: UuidParams,
          response: { 200: Resource },
          problems: RESOURCE_PROBLEMS,
        },
      },
      async (request) => deleteResource(request.db, caller(request), request.params.id, now()),
    );

    app.post(
      '/api/market/resources/:id/data',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'uploadMarketData',
          tags,
          summary: 'Upload a series',
          description:
            'Values replace those stored at the same times. Each time starts an interval of `time_interval` ' +
            'minutes in UTC. A resource bound to a metering point takes no upload.',
          params: UuidParams,
          body: Series,
          response: { 200: SeriesAnswer },
          problems: [...RESOURCE_PROBLEMS, 'off_interval_grid', 'duplicate_datetime', 'resource_bound_to_point'],
        },
      },
      async (request) => uploadSeries(request.db, caller(request), request.params.id, request.body, now()),
    );

    app.get(
      '/api/market/resources/:id/data',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'readMarketData',
          tags,
          summary: 'Read a series back',
          description: 'Values starting in [from, to), as they were sent, in time order.',
          params: UuidParams,
          querystring: Type.Object({ ...SeriesPeriod, ...PageQuery }, strict),
          response: { 200: Page(StoredPoint, 'Values in time order') },
          problems: [...RESOURCE_PROBLEMS, 'reversed_period', 'period_too_long', 'invalid_cursor'],
        },
      },
      async (request) =>
        readSeries(
          request.db,
          caller(request),
          request.params.id,
          { from: new Date(request.query.from), to: new Date(request.query.to) },
          pageRequest(request.query, 'querystring'),
        ),
    );

    app.get(
      '/api/market/wallet/challenge',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'marketWalletChallenge',
          tags,
          summary: 'A challenge to prove your wallet',
          description: 'Sign its `message` with the wallet (EIP-191 personal_sign) and PUT /api/market/wallet.',
          response: { 200: Challenge },
        },
      },
      async (request) => walletChallenge(request.db, caller(request), now()),
    );

    app.put(
      '/api/market/wallet',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'proveMarketWallet',
          tags,
          summary: 'Register your wallet, proven by a signature',
          description: 'Bids are paid from it and payouts sent to it. The challenge is spent.',
          body: WalletProof,
          response: { 200: Wallet },
          problems: [
            'invalid_wallet_address',
            'wallet_address_taken',
            'no_live_challenge',
            'wallet_signature_mismatch',
          ],
        },
      },
      async (request) => registerWallet(request.db, caller(request), request.body, now(), 'any'),
    );

    app.get(
      '/api/market/wallet',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketUserWallet',
          tags,
          summary: 'Your wallet',
          description: '`wallet_address` is null before you register one.',
          response: { 200: Wallet },
        },
      },
      async (request) => getWallet(request.db, caller(request)),
    );

    app.get(
      '/api/market/market-wallet',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketWallet',
          tags,
          summary: 'The market’s wallet',
          description: 'Where bids are paid.',
          response: { 200: MarketWallet },
          problems: ['market_wallet_not_found'],
        },
      },
      async (request) => getMarketWallet(request.db),
    );

    app.put(
      '/api/market/market-wallet',
      {
        config: { access: ['admin'] },
        schema: {
          operationId: 'setMarketWallet',
          tags,
          summary: 'Register the market’s wallet (admin)',
          description: 'On a chain Tally pays out on, it must be the address of TALLY_MARKET_PRIVATE_KEY.',
          body: MarketWalletInput,
          response: { 200: MarketWallet },
          problems: ['invalid_wallet_address', 'market_wallet_not_key'],
        },
      },
      async (request) =>
        setMarketWallet(request.db, caller(request), request.body.wallet_address, now(), {
          mode: 'any',
          keyAddress: m.rail.kind === 'evm' ? m.rail.chain.marketAddress : undefined,
        }),
    );

    app.get(
      '/api/market/sessions',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketSessions',
          tags,
          summary: 'Market sessions',
          description: 'Newest first.',
          querystring: Type.Object({ ...SessionFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Session, 'Sessions, newest first') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) => listSessions(request.db, request.query, pageRequest(request.query, 'querystring')),
    );

    app.post(
      '/api/market/sessions',
      {
        config: { access: ['admin'] },
        schema: {
          operationId: 'createMarketSession',
          tags,
          summary: 'Stage a session (admin)',
          description: 'Every other session must be finished. The grid defaults to DSBI’s first session’s.',
          body: NewSession,
          response: { 201: Session },
          problems: ['unfinished_session', 'invalid_price_grid'],
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createSession(request.db, caller(request), request.body, now())),
    );

    app.get(
      '/api/market/sessions/:id',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketSession',
          tags,
          summary: 'One session',
          description: 'Its state, prices and times.',
          params: IdParams,
          response: { 200: Session },
          problems: ['market_session_not_found'],
        },
      },
      async (request) => getSession(request.db, request.params.id),
    );

    app.patch(
      '/api/market/sessions/:id',
      {
        config: { access: ['admin'] },
        schema: {
          operationId: 'moveMarketSession',
          tags,
          summary: 'Move a session on (admin)',
          description:
            'staged → open (no other open), open → closed (gate closure), closed → running (the run starts ' +
            'within one job tick and finishes the session by itself).',
          params: IdParams,
          body: SessionChange,
          response: { 200: Session },
          problems: ['market_session_not_found', 'invalid_session_transition', 'session_already_open'],
        },
      },
      async (request) => changeSession(request.db, caller(request), request.params.id, request.body.status, now()),
    );

    app.get(
      '/api/market/bids',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketBids',
          tags,
          summary: 'Your bids',
          description: 'Roles that read everything see every bid, and may filter by `user_id`.',
          querystring: Type.Object({ ...BidFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Bid, 'Bids in id order') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listBids(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );

    app.post(
      '/api/market/bids',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'placeMarketBid',
          tags,
          summary: 'Bid for a forecast of your resource',
          description:
            'In the open session, for your own measurements resource to forecast, once per session and ' +
            'resource. Then pay max_payment and name the payment (POST …/payment).',
          body: NewBid,
          response: { 201: Bid },
          problems: [
            'payment_below_minimum',
            'invalid_bid_price',
            'no_wallet',
            'unproven_wallet',
            'market_resource_not_found',
            'resource_not_forecast',
            'market_session_not_found',
            'session_not_open',
            'no_market_wallet',
            'bid_exists',
          ],
        },
      },
      async (request, reply) =>
        reply.status(201).send(await placeBid(marketOn(m, request.db), caller(request), request.body)),
    );

    app.get(
      '/api/market/bids/:id',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketBid',
          tags,
          summary: 'One bid',
          description: 'Its bidder’s, or for roles that read everything.',
          params: UuidParams,
          response: { 200: Bid },
          problems: ['market_bid_not_found'],
        },
      },
      async (request) => getBid(request.db, caller(request), request.params.id),
    );

    app.post(
      '/api/market/bids/:id/payment',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'payMarketBid',
          tags,
          summary: 'Name a bid’s payment',
          description:
            'On a chain: the hash of your transfer of max_payment to the market wallet, checked on the chain ' +
            'within one job tick. Without a chain: confirms the bid at once from your free balance.',
          params: UuidParams,
          body: BidPayment,
          response: { 200: Bid },
          problems: [
            'market_bid_not_found',
            'market_session_not_found',
            'session_not_open',
            'tx_hash_required',
            'no_wallet',
            'unproven_wallet',
            'payment_reference_recorded',
            'payment_reference_used',
            'bid_already_confirmed',
            'payment_refused',
          ],
        },
      },
      async (request) => payBid(marketOn(m, request.db), caller(request), request.params.id, request.body.tx_hash),
    );

    app.post(
      '/api/market/bids/:id/validation',
      {
        config: { access: ['admin'] },
        schema: {
          operationId: 'validateMarketBidPayment',
          tags,
          summary: 'Check a bid’s payment on the chain now (admin)',
          description: 'Confirms the bid, or answers 409 with the reason the chain gives.',
          params: UuidParams,
          response: { 200: Bid },
          problems: [
            'market_bid_not_found',
            'rail_has_no_payments',
            'bid_already_confirmed',
            'no_payment_reference',
            'no_market_wallet',
            'no_wallet',
            'payment_refused',
          ],
        },
      },
      async (request) => validatedBid(marketOn(m, request.db), request.params.id, caller(request).userId),
    );

    app.get(
      '/api/market/balances',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketBalances',
          tags,
          summary: 'Balances',
          description: 'Yours; roles that read everything see every participant’s.',
          querystring: Type.Object({ ...BalanceFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Balance, 'Balances in user order') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listBalances(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );

    app.post(
      '/api/market/balances/:id/credit',
      {
        config: { access: ['admin'] },
        schema: {
          operationId: 'creditMarketBalance',
          tags,
          summary: 'Credit a user’s balance (admin, internal rail)',
          description: 'Without a chain, an admin credits what a user paid the market by other means.',
          params: IdParams,
          body: Type.Object({ amount: Amount('Amount to credit') }, { ...strict, examples: [{ amount: '50000000' }] }),
          response: { 200: Transaction },
          problems: ['user_not_found', 'rail_has_no_credits', 'invalid_amount'],
        },
      },
      async (request) =>
        creditBalance(marketOn(m, request.db), caller(request), request.params.id, BigInt(request.body.amount)),
    );

    app.get(
      '/api/market/sessions/:id/report',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'getMarketSessionReport',
          tags,
          summary: 'What a session’s run decided',
          description:
            'Per bid its gain, noise, payment and fee, per seller its Shapley share and revenue, and each ' +
            'forecast scored against the measurements since. Bidders see their own bids.',
          params: IdParams,
          response: { 200: Report },
          problems: ['market_session_not_found'],
        },
      },
      async (request) => sessionReport(request.db, caller(request), request.params.id),
    );

    app.get(
      '/api/market/forecasts',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketForecasts',
          tags,
          summary: 'Forecasts of your resources',
          description: 'Hourly q10/q50/q90 in W, in time order; roles that read everything see all.',
          querystring: Type.Object({ ...ForecastFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Forecast, 'Forecast hours in time order') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listForecasts(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );

    app.get(
      '/api/market/payouts',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketPayouts',
          tags,
          summary: 'Payouts',
          description: 'Balances paid back to wallets, newest first; roles that read everything see all.',
          querystring: Type.Object({ ...PayoutFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Payout, 'Payouts, newest first') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listPayouts(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );

    app.get(
      '/api/market/transactions',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'listMarketTransactions',
          tags,
          summary: 'Transactions',
          description: 'Yours, newest first; roles that read everything see every user’s.',
          querystring: Type.Object({ ...TransactionFilter.properties, ...PageQuery }, strict),
          response: { 200: Page(Transaction, 'Transactions, newest first') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) =>
        listTransactions(request.db, caller(request), request.query, pageRequest(request.query, 'querystring')),
    );
  };

/** An admin's validation answers the bid when confirmed, and a 409 naming the chain's reason otherwise. */
async function validatedBid(m: Market, id: string, actorId: number) {
  const { bid, refusal } = await checkBidPayment(m, id, actorId);
  if (refusal !== null) throw paymentRefused(refusal);
  return bid;
}
