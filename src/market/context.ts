// What the market's functions work with: the database, the market's settings, the clock and the
// rail money moves on.
import type { TokenRail } from '../chain/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { MarketConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';

/**
 * `evm`: bids are paid, and balances paid out, in the market token on a chain; `internal`: an admin
 * credits balances and bids draw on them.
 */
export type Rail = { kind: 'internal' } | { kind: 'evm'; chain: TokenRail };

export interface Market {
  db: Db;
  config: MarketConfig;
  clock: Clock;
  rail: Rail;
}

/** The market doing one request's work on that request's database (`request.db`, traced with it). */
export const marketOn = (m: Market, db: Db): Market => (db === m.db ? m : { ...m, db });
