// The market module's tables as Kysely sees them; columns the database fills are marked
// `Generated`. Money is a whole number of token base units: never a float.
import type { ColumnType, Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export const RESOURCE_TYPES = ['measurements', 'features'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const UNITS = ['w', 'kw', 'mw'] as const;
export type Units = (typeof UNITS)[number];
/** Watts in one of each unit: what a value in `units` is multiplied by to be in W. */
export const UNIT_WATTS: Record<Units, number> = { w: 1, kw: 1e3, mw: 1e6 };
export const TIME_INTERVALS = [5, 15, 30, 60] as const;
export type TimeInterval = (typeof TIME_INTERVALS)[number];
export const SESSION_STATUSES = ['staged', 'open', 'closed', 'running', 'finished'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const GAIN_FUNCS = ['mse', 'rmse', 'mae'] as const;
export type GainFunc = (typeof GAIN_FUNCS)[number];
export const TRANSACTION_TYPES = ['transfer_in', 'payment', 'revenue', 'transfer_out'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
/** A resource's name, as market_resources' CHECK allows it (and DSBI's validator). */
export const RESOURCE_NAME_PATTERN = '^[a-z0-9_-]{1,64}$';
export const ADDRESS_PATTERN = '^0x[0-9A-Fa-f]{40}$';

/**
 * Money: numeric(78,0) in the database (an ERC-20 amount may pass int8), which both drivers read as
 * a decimal string; `money()` turns it into a bigint and bigints are written as they are.
 */
type Money = ColumnType<string, bigint, bigint>;
type MoneyDefault = ColumnType<string, bigint | undefined, bigint>;
type MaybeMoney = ColumnType<string | null, bigint | null, bigint | null>;

/** A money column's value as a bigint. */
export const money = (text: string): bigint => BigInt(text);

export interface MarketParticipantsTable {
  user_id: number;
  uuid: Generated<string>;
  wallet_address: string | null;
  wallet_proven_at: Date | null;
  wallet_registered_at: Date | null;
  balance: MoneyDefault;
  total_deposit: MoneyDefault;
  total_withdraw: MoneyDefault;
  total_payment: MoneyDefault;
  total_revenue: MoneyDefault;
  updated_at: Generated<Date>;
}

export interface MarketWalletChallengesTable {
  nonce: string;
  user_id: number;
  message: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface MarketWalletTable {
  singleton: Generated<boolean>;
  address: string;
  registered_at: Generated<Date>;
}

export interface MarketResourcesTable {
  id: Generated<string>;
  user_id: number;
  name: string;
  type: ResourceType;
  to_forecast: boolean;
  metering_point_id: string | null;
  registered_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface MarketDataTable {
  resource_id: string;
  datetime: Date;
  value: number;
  units: Units;
  time_interval: TimeInterval;
  /** When the value was last written. */
  registered_at: Generated<Date>;
}

export interface MarketSessionsTable {
  id: GeneratedAlways<number>;
  session_number: number;
  /** A `date`: both drivers read it as a Date at UTC midnight; written as `YYYY-MM-DD`. */
  session_date: ColumnType<Date, string, string>;
  status: Generated<SessionStatus>;
  market_price: Money;
  b_min: Money;
  b_max: Money;
  n_price_steps: number;
  delta: number;
  weights: number[];
  staged_at: Generated<Date>;
  open_at: Date | null;
  close_at: Date | null;
  launch_at: Date | null;
  finish_at: Date | null;
  seed: number | null;
  inputs_hash: string | null;
  fee: MaybeMoney;
  report: ColumnType<unknown, string | null, string | null> | null;
}

export interface MarketBidsTable {
  id: Generated<string>;
  session_id: number;
  user_id: number;
  resource_id: string;
  bid_price: Money;
  max_payment: Money;
  gain_func: GainFunc;
  tx_hash: string | null;
  payment_refusal: string | null;
  confirmed_at: Date | null;
  has_forecasts: Generated<boolean>;
  registered_at: Generated<Date>;
}

export interface MarketTransactionsTable {
  id: GeneratedAlways<number>;
  session_id: number | null;
  bid_id: string | null;
  user_id: number;
  resource_id: string | null;
  transaction_type: TransactionType;
  amount: Money;
  registered_at: Generated<Date>;
}

export interface MarketPayoutsTable {
  id: GeneratedAlways<number>;
  user_id: number;
  session_id: number;
  amount: Money;
  wallet_address: string;
  tx_hash: string | null;
  signed_tx: string | null;
  solid_at: Date | null;
  registered_at: Generated<Date>;
}

export interface MarketForecastsTable {
  bid_id: string;
  datetime: Date;
  q10: number;
  q50: number;
  q90: number;
}

export interface MarketNotificationTypesTable {
  id: GeneratedAlways<number>;
  name: string;
}

export interface MarketNotificationsTable {
  id: GeneratedAlways<number>;
  user_id: number;
  type_id: number;
  title: string;
  description: string;
  state: Generated<boolean>;
}

export type MarketTables = {
  market_participants: MarketParticipantsTable;
  market_wallet_challenges: MarketWalletChallengesTable;
  market_wallet: MarketWalletTable;
  market_resources: MarketResourcesTable;
  market_data: MarketDataTable;
  market_sessions: MarketSessionsTable;
  market_bids: MarketBidsTable;
  market_transactions: MarketTransactionsTable;
  market_payouts: MarketPayoutsTable;
  market_forecasts: MarketForecastsTable;
  market_notification_types: MarketNotificationTypesTable;
  market_notifications: MarketNotificationsTable;
};

export type ParticipantRow = Selectable<MarketParticipantsTable>;
export type ResourceRow = Selectable<MarketResourcesTable>;
export type SessionRow = Selectable<MarketSessionsTable>;
export type BidRow = Selectable<MarketBidsTable>;

/** The market's tables over any handle (a transaction included). */
export const market = (db: Db): Kysely<MarketTables> => db.withTables<MarketTables>();
