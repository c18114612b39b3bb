// The rail money moves on, from the configuration: an ERC-20 token on an EVM chain, or balances
// an admin credits.
import { connectChain } from '../chain/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { MarketConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import type { Market, Rail } from './context.ts';

/** A client for the configured chain; it connects on first use, so making one never waits on the network. */
export function railFor(config: MarketConfig): Rail {
  const rail = config.rail;
  if (rail.kind === 'internal') return rail;
  return {
    kind: 'evm',
    chain: connectChain({
      rpcUrl: rail.rpcUrl,
      chainId: rail.chainId,
      token: rail.token,
      privateKey: rail.privateKey,
      confirmations: rail.confirmations,
    }),
  };
}

export const openMarket = (db: Db, config: MarketConfig, clock: Clock): Market => ({
  db,
  config,
  clock,
  rail: railFor(config),
});
