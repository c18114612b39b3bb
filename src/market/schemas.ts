// What the forecasting market looks like to clients: the routes validate and document with these
// schemas, and the market's functions take and return their static types. Money is a whole number
// of the token's base units written as a decimal string, since an ERC-20 amount passes 2^53.
import { type Static, type TSchema, Type } from 'typebox';
import { component, Id, Nullable, OneOf, PointId, Timestamp } from '../platform/http/schemas.ts';
import {
  ADDRESS_PATTERN,
  GAIN_FUNCS,
  RESOURCE_NAME_PATTERN,
  RESOURCE_TYPES,
  SESSION_STATUSES,
  TIME_INTERVALS,
  type TimeInterval as Minutes,
  TRANSACTION_TYPES,
  UNITS,
} from './tables.ts';
import * as example from './examples.ts';

const strict = { additionalProperties: false } as const;
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = (description: string) => Type.String({ pattern: UUID_PATTERN, description });
export const Amount = (description: string) =>
  Type.String({ pattern: '^[0-9]{1,78}$', description: `${description}, in base units of the market token` });
const SignedAmount = (description: string) =>
  Type.String({ pattern: '^-?[0-9]{1,78}$', description: `${description}, in base units of the market token` });
export const Address = (description: string) => Type.String({ pattern: ADDRESS_PATTERN, description });
/** A parameter's schema with the example the document shows for it. */
const shown = <T extends TSchema>(schema: T, example: unknown): T => ({ ...schema, examples: [example] });
const RESOURCE_ID = '3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b';
/** A path naming a resource or a bid by its UUID. */
export const UuidParams = Type.Object({ id: shown(Uuid('Id'), RESOURCE_ID) }, strict);
/** A filter on the user a list shows (roles that read everything). */
export const UserFilter = Type.Optional(shown(Id('Only this user’s (roles that read everything)'), 2));

// Resources.
const ResourceName = Type.String({
  pattern: RESOURCE_NAME_PATTERN,
  description: 'Lower-case letters, digits, `_` and `-`, 1 to 64; unique per owner and type',
});
const ResourceType = OneOf(RESOURCE_TYPES, {
  description: '`measurements` of a plant (may be forecast) or `features` others may learn from',
});
const ToForecast = Type.Boolean({ description: 'Whether the owner buys forecasts of it (measurements only)' });
const BoundPoint = Nullable(
  Type.String({ ...PointId, description: "A production metering point whose readings are the resource's series" }),
);

export const Resource = component(
  'MarketResource',
  Type.Object(
    {
      id: Uuid('Resource'),
      user_id: Id('Owner'),
      name: ResourceName,
      type: ResourceType,
      to_forecast: ToForecast,
      metering_point_id: BoundPoint,
      registered_at: Timestamp('Registered'),
    },
    { description: "A user's series on the forecasting market", examples: [example.resource] },
  ),
);
export type ResourceView = Static<typeof Resource>;

export const NewResource = Type.Object(
  {
    name: ResourceName,
    type: ResourceType,
    to_forecast: ToForecast,
    metering_point_id: Type.Optional(BoundPoint),
  },
  { ...strict, examples: [example.newResource] },
);
export type NewResource = Static<typeof NewResource>;

export const ResourceChange = Type.Object(
  {
    name: Type.Optional(ResourceName),
    type: Type.Optional(ResourceType),
    to_forecast: Type.Optional(ToForecast),
    metering_point_id: Type.Optional(BoundPoint),
  },
  { ...strict, minProperties: 1, examples: [{ to_forecast: false }] },
);
export type ResourceChange = Static<typeof ResourceChange>;

export const ResourceFilter = Type.Object(
  {
    user_id: UserFilter,
    name: Type.Optional(shown(ResourceName, 'wind-farm-1')),
    type: Type.Optional(shown(ResourceType, 'measurements')),
    to_forecast: Type.Optional(shown(ToForecast, true)),
  },
  strict,
);
export type ResourceFilter = Static<typeof ResourceFilter>;

// Data.
const Units = OneOf(UNITS, { description: 'Units of the values: w, kw or mw (mean power over the interval)' });
// A union built by map infers nothing in TypeBox: the static type is said once, here.
const TimeInterval = Type.Unsafe<Minutes>(
  Type.Union(
    TIME_INTERVALS.map((m) => Type.Literal(m)),
    { description: 'Minutes each value covers: 5, 15, 30 or 60' },
  ),
);
const DataPoint = Type.Object(
  {
    datetime: Timestamp('Start of the interval the value covers, on the interval grid'),
    value: Type.Number({ description: 'Mean power over the interval, in `units`' }),
  },
  strict,
);
export const MAX_DATA_POINTS = 100_000;
export const Series = component(
  'MarketSeries',
  Type.Object(
    {
      units: Units,
      time_interval: TimeInterval,
      points: Type.Array(DataPoint, { maxItems: MAX_DATA_POINTS, description: 'At most 100,000 values, any order' }),
    },
    { ...strict, description: 'A series as sent: it reads back in the same units', examples: [example.series] },
  ),
);
export type SeriesInput = Static<typeof Series>;
export const SeriesAnswer = Type.Object(
  {
    written: Type.Integer({ description: 'Values stored' }),
    replaced: Type.Integer({ description: 'Of them, values that replaced one stored at the same time' }),
  },
  { description: 'What the upload stored', examples: [{ written: 2, replaced: 0 }] },
);
export const StoredPoint = Type.Object(
  {
    datetime: Timestamp('Start of the interval'),
    value: Type.Number({ description: 'As sent' }),
    units: Units,
    time_interval: TimeInterval,
  },
  { examples: [{ datetime: '2026-05-31T22:00:00.000Z', value: 1520.5, units: 'kw', time_interval: 60 }] },
);
export const SeriesPeriod = {
  from: shown(Timestamp('Period start'), '2026-05-31T00:00:00Z'),
  to: shown(Timestamp('Period end (exclusive)'), '2026-06-01T00:00:00Z'),
};
export type StoredPointView = Static<typeof StoredPoint>;

// Wallets.
export const Challenge = Type.Object(
  {
    message: Type.String({ description: 'Sign this text with EIP-191 personal_sign; single use, valid 15 minutes' }),
    expires_at: Timestamp('When the challenge lapses'),
  },
  { description: 'A challenge to prove a wallet', examples: [example.challenge] },
);
export type ChallengeView = Static<typeof Challenge>;
export const WalletProof = Type.Object(
  {
    wallet_address: Address('The wallet, 0x and 40 hex digits (any case)'),
    signature: Type.String({ pattern: '^0x[0-9a-fA-F]{130}$', description: 'EIP-191 signature of the challenge' }),
  },
  { ...strict, examples: [example.walletProof] },
);
export type WalletProof = Static<typeof WalletProof>;
export const Wallet = component(
  'MarketWallet',
  Type.Object(
    {
      wallet_address: Nullable(Address('EIP-55 address')),
      proven: Type.Boolean({ description: 'Whether a signature proved the address (only then it backs bids)' }),
      registered_at: Nullable(Timestamp('Registered')),
    },
    { description: "A user's wallet on the market", examples: [example.wallet] },
  ),
);
export type WalletView = Static<typeof Wallet>;
export const MarketWalletInput = Type.Object(
  { wallet_address: Address('The market’s wallet') },
  { ...strict, examples: [{ wallet_address: example.marketAddress }] },
);
export const MarketWallet = Type.Object(
  { wallet_address: Address('EIP-55 address of the market'), registered_at: Timestamp('Registered') },
  {
    description: 'The wallet bids are paid to',
    examples: [{ wallet_address: example.marketAddress, registered_at: example.at }],
  },
);
export type MarketWalletView = Static<typeof MarketWallet>;

// Sessions.
const SessionStatus = OneOf(SESSION_STATUSES, { description: 'staged → open → closed → running → finished' });
export const Session = component(
  'MarketSession',
  Type.Object(
    {
      id: Id('Session'),
      session_number: Type.Integer({ description: 'Number of the session in its day' }),
      session_date: Type.String({ format: 'date', description: 'UTC day the session was staged' }),
      status: SessionStatus,
      market_price: Amount('Price per unit of gain'),
      b_min: Amount('Lowest price of the grid'),
      b_max: Amount('Highest price of the grid'),
      n_price_steps: Type.Integer({ description: 'Prices in the grid' }),
      delta: Type.Number({ description: 'Learning rate of the price weights' }),
      weights: Type.Array(Type.Number(), { description: 'Weight of each grid price' }),
      staged_at: Timestamp('Staged'),
      open_at: Nullable(Timestamp('Opened')),
      close_at: Nullable(Timestamp('Closed (gate closure)')),
      launch_at: Nullable(Timestamp('Run started')),
      finish_at: Nullable(Timestamp('Finished')),
    },
    { description: 'A market session', examples: [example.session] },
  ),
);
export type SessionView = Static<typeof Session>;
export const NewSession = Type.Object(
  {
    market_price: Type.Optional(Amount('Opening price per unit of gain (default: the middle of the grid)')),
    b_min: Type.Optional(Amount('Lowest grid price (default 500000)')),
    b_max: Type.Optional(Amount('Highest grid price (default 10000000)')),
    n_price_steps: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000, description: 'Grid prices (default 20)' })),
    delta: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Learning rate (default 0.05)' })),
  },
  { ...strict, examples: [{}] },
);
export type NewSession = Static<typeof NewSession>;
export const SessionChange = Type.Object({ status: SessionStatus }, { ...strict, examples: [{ status: 'open' }] });
export const SessionFilter = Type.Object(
  {
    status: Type.Optional(shown(SessionStatus, 'open')),
  },
  strict,
);
export type SessionFilter = Static<typeof SessionFilter>;

// Bids.
const GainFunc = OneOf(GAIN_FUNCS, { description: 'Error the gain is measured in: mse, rmse or mae' });
export const Bid = component(
  'MarketBid',
  Type.Object(
    {
      id: Uuid('Bid'),
      session_id: Id('Session'),
      user_id: Id('Bidder'),
      resource_id: Uuid('The resource to forecast'),
      bid_price: Amount('Price offered per unit of gain'),
      max_payment: Amount('Most the bidder pays; paid up front, the rest returned'),
      gain_func: GainFunc,
      tx_hash: Nullable(Type.String({ description: 'The payment’s reference: its transaction hash' })),
      payment_refusal: Nullable(Type.String({ description: 'Why the last check refused the payment' })),
      confirmed: Type.Boolean({ description: 'Whether the payment is confirmed: only confirmed bids run' }),
      has_forecasts: Type.Boolean({ description: 'Whether the run made forecasts for it' }),
      registered_at: Timestamp('Placed'),
    },
    { description: 'A bid for a better forecast of one’s resource', examples: [example.bid] },
  ),
);
export type BidView = Static<typeof Bid>;
export const NewBid = Type.Object(
  {
    session_id: Id('The open session'),
    resource_id: Uuid('Your measurements resource to forecast'),
    bid_price: Amount('Price per unit of gain'),
    max_payment: Amount('Most you pay, at least the market’s minimum'),
    gain_func: GainFunc,
  },
  { ...strict, examples: [example.newBid] },
);
export type NewBid = Static<typeof NewBid>;
export const BidPayment = Type.Object(
  {
    tx_hash: Type.Optional(
      Type.String({
        pattern: '^0x[0-9a-fA-F]{64}$',
        description: 'On a chain: hash of your transfer of max_payment (required there); without one: left out',
      }),
    ),
  },
  { ...strict, examples: [{ tx_hash: example.txHash }] },
);
export const BidFilter = Type.Object(
  {
    session_id: Type.Optional(shown(Id('Only this session'), 1)),
    resource_id: Type.Optional(shown(Uuid('Only this resource'), RESOURCE_ID)),
    confirmed: Type.Optional(shown(Type.Boolean({ description: 'Only confirmed (or unconfirmed) bids' }), true)),
    user_id: UserFilter,
  },
  strict,
);
export type BidFilter = Static<typeof BidFilter>;

// Money.
export const Balance = component(
  'MarketBalance',
  Type.Object(
    {
      user_id: Id('User'),
      balance: Amount('Held by the market for the user'),
      total_deposit: Amount('Paid in'),
      total_withdraw: Amount('Paid out'),
      total_payment: Amount('Paid for forecasts'),
      total_revenue: Amount('Earned from data'),
      updated_at: Timestamp('Last change'),
    },
    { description: 'A user’s balance', examples: [example.balance] },
  ),
);
export type BalanceView = Static<typeof Balance>;
export const Transaction = component(
  'MarketTransaction',
  Type.Object(
    {
      id: Id('Transaction'),
      session_id: Nullable(Id('Session')),
      user_id: Id('User'),
      resource_id: Nullable(Uuid('Resource')),
      bid_id: Nullable(Uuid('Bid whose payment came in')),
      transaction_type: OneOf(TRANSACTION_TYPES, { description: 'transfer_in, payment, revenue or transfer_out' }),
      amount: SignedAmount('Signed: payments and transfers out are negative'),
      registered_at: Timestamp('Recorded'),
    },
    { description: 'One movement of a balance', examples: [example.transaction] },
  ),
);
export type TransactionView = Static<typeof Transaction>;

// Forecasts and reports.
export const ForecastFilter = Type.Object(
  {
    resource_id: Type.Optional(shown(Uuid('Only this resource’s'), RESOURCE_ID)),
    session_id: Type.Optional(shown(Id('Only this session’s'), 1)),
    from: Type.Optional(shown(Timestamp('Hours from'), '2026-06-01T00:00:00Z')),
    to: Type.Optional(shown(Timestamp('Hours before'), '2026-06-02T00:00:00Z')),
  },
  strict,
);
export type ForecastFilter = Static<typeof ForecastFilter>;
export const Forecast = component(
  'MarketForecast',
  Type.Object(
    {
      bid_id: Uuid('The bid it answers'),
      session_id: Id('Session'),
      resource_id: Uuid('Resource forecast'),
      datetime: Timestamp('Start of the hour (UTC)'),
      q10: Type.Number({ description: 'Mean power in W the hour exceeds with 90 % probability' }),
      q50: Type.Number({ description: 'Median forecast, W' }),
      q90: Type.Number({ description: 'Mean power in W the hour stays below with 90 % probability' }),
    },
    { description: 'One forecast hour', examples: [example.forecast] },
  ),
);
export type ForecastView = Static<typeof Forecast>;

const Score = Nullable(
  Type.Object(
    {
      hours_measured: Type.Integer({ description: 'Forecast hours measured since' }),
      rmse: Type.Number({ description: 'Root mean square error of q50, W' }),
      pinball10: Type.Number({ description: 'Mean pinball loss of q10, W' }),
      pinball90: Type.Number({ description: 'Mean pinball loss of q90, W' }),
    },
    { description: 'The forecast against the measurements; null before any arrived' },
  ),
);
const SellerShare = Type.Object({
  resource_id: Uuid('Seller resource'),
  user_id: Id('Seller'),
  shapley: Type.Number({ description: 'Shapley value of its data, in gain points' }),
  share: Type.Number({ description: 'Share of the revenue after the redundancy penalty, 0 to 1' }),
  revenue: Amount('Paid to the seller'),
});
export const Report = Type.Object(
  {
    session_id: Id('Session'),
    seed: Nullable(Type.Integer({ description: 'Seed of the run: with the same inputs it gives the same result' })),
    inputs_hash: Nullable(Type.String({ description: 'SHA-256 of everything the run read' })),
    fee: Amount('The market’s fee'),
    filled: Type.Array(
      Type.Object({
        resource_id: Uuid('Resource'),
        back_filled: Type.Integer({ description: 'Hours of gaps up to 2 h filled from the next value' }),
        mean_filled: Type.Integer({ description: 'Hours of longer gaps filled with the series’ mean' }),
      }),
      { description: 'How much of each series’ history was filled in' },
    ),
    bids: Type.Array(
      Type.Object({
        bid_id: Uuid('Bid'),
        ran: Type.Boolean({ description: 'False when the bid was refunded in full (reason says why)' }),
        reason: Nullable(Type.String({ description: 'Why the bid did not run' })),
        filled_hours: Type.Integer({ description: 'History hours filled in (gaps)' }),
        gain: Type.Number({ description: 'Forecast gain, % of the range of the series' }),
        noise: Type.Number({ description: 'Noise level the bid saw on sellers’ data, 0 (clean) to 1' }),
        effective_price: Amount('The bid after lowering to max_payment'),
        payment: Amount('Charged'),
        fee: Amount('Of the payment, the market’s'),
        refund: Amount('max_payment less payment, returned with the next payout'),
        shapley_method: OneOf(['exact', 'sampled'] as const, { description: 'How Shapley values were found' }),
        shapley_standard_error: Type.Number({ description: 'Largest standard error of a share (0 when exact)' }),
        sellers: Type.Array(SellerShare),
        score: Score,
      }),
      { description: 'The bids the caller may see' },
    ),
  },
  { description: 'What a session’s run decided', examples: [example.report] },
);
export type ReportView = Static<typeof Report>;

export const Payout = component(
  'MarketPayout',
  Type.Object(
    {
      id: Id('Payout'),
      user_id: Id('Paid user'),
      session_id: Id('Session whose balance it pays'),
      amount: Amount('Sent'),
      wallet_address: Address('Sent to'),
      tx_hash: Nullable(Type.String({ description: 'The transfer’s transaction hash' })),
      solid: Type.Boolean({ description: 'Whether the chain confirmed it' }),
      registered_at: Timestamp('Made'),
    },
    { description: 'A balance paid back to its owner’s wallet', examples: [example.payout] },
  ),
);
export type PayoutView = Static<typeof Payout>;

export const BalanceFilter = Type.Object(
  { user_id: UserFilter, min_balance: Type.Optional(shown(Amount('Only balances of at least this'), '1000000')) },
  strict,
);
export type BalanceFilter = Static<typeof BalanceFilter>;
export const TransactionFilter = Type.Object(
  { user_id: UserFilter, session_id: Type.Optional(shown(Id('Only this session’s'), 1)) },
  strict,
);
export type TransactionFilter = Static<typeof TransactionFilter>;
export const PayoutFilter = Type.Object({ user_id: UserFilter }, strict);
