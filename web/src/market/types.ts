// The forecasting market's objects as the API sends them (generated from its OpenAPI document).
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type Session = Schemas['MarketSession'];
export type SessionStatus = Session['status'];
export type Bid = Schemas['MarketBid'];
export type Resource = Schemas['MarketResource'];
export type Balance = Schemas['MarketBalance'];
export type Transaction = Schemas['MarketTransaction'];
export type TransactionType = Transaction['transaction_type'];
export type Payout = Schemas['MarketPayout'];
export type Forecast = Schemas['MarketForecast'];
