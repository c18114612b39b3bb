// Clearing one interval of a community: a pure function from members' metered energy to matches.
// No database here, so the property tests can run it on thousands of random communities.
//
// Every member's interval is netted (export − import): a surplus makes it a seller, a deficit a
// buyer. The peer energy is shared out by the mechanism, paired seller to buyer, and the rest of
// each member's energy is a match with the public grid, a party of its own (null buyer or seller).
// Because each match's amount is booked once to its buyer and once to its seller, what members pay
// each other cancels out and the community as a whole pays exactly the grid's matches.
import { apportion, apportionCapped } from '../platform/apportion.ts';

export const MECHANISMS = ['mmr', 'sdr', 'bill_sharing', 'static_keys', 'dynamic_keys'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** Prices in currency per kWh. `peer` is the internal price of the allocation-key mechanisms. */
export interface Prices {
  grid: number;
  feedIn: number;
  peer: number | null;
}

export interface MemberEnergy {
  memberId: number;
  importWh: number;
  exportWh: number;
  /**
   * The member's energy cannot be placed in this interval (its previous register reading is
   * missing): all of it goes to the grid.
   */
  gridOnly: boolean;
  /** Static allocation key, in millionths (0.25 → 250,000); null counts as 0. */
  shareMillionths: number | null;
}

export interface Match {
  /** null: the public grid. */
  buyer: number | null;
  seller: number | null;
  wh: number;
  /** Currency per kWh. */
  price: number;
  /** What the buyer pays the seller, in millionths of the currency. */
  amount: number;
}

export interface IntervalClearing {
  /** Sum of the deficits and surpluses of the members that took part (grid-only members excluded). */
  demandWh: number;
  supplyWh: number;
  peerWh: number;
  /** All energy from and to the grid, grid-only members included. */
  gridImportWh: number;
  gridExportWh: number;
  peerPrice: number;
  /** What a Wh of deficit and of surplus cost and earned on average; null when there was none. */
  buyPrice: number | null;
  sellPrice: number | null;
  matches: Match[];
  gridOnly: number[];
}

/** Millionths of the currency for `wh` at `price` per kWh, rounded once per match. */
export const amountFor = (wh: number, price: number): number => Math.round(wh * price * 1000);

const mid = (p: Prices) => (p.grid + p.feedIn) / 2;

/**
 * The price peers pay each other. MMR: halfway between grid and feed-in. Bill sharing: nothing
 * (buyers share the grid's bill, sellers its feed-in revenue). SDR (Liu et al. 2017): a price
 * between feed-in and grid that falls as supply approaches demand, and feed-in once supply covers
 * demand. Allocation keys: the community's own peer price, mid-market when unset.
 */
export function peerPrice(mechanism: Mechanism, p: Prices, demandWh: number, supplyWh: number): number {
  switch (mechanism) {
    case 'mmr':
      return derived(p, mid(p));
    case 'bill_sharing':
      return 0;
    case 'static_keys':
    case 'dynamic_keys':
      return p.peer ?? derived(p, mid(p));
    case 'sdr': {
      if (demandWh === 0 || supplyWh >= demandWh) return p.feedIn;
      const sdr = supplyWh / demandWh;
      const denominator = (p.grid - p.feedIn) * sdr + p.feedIn;
      return denominator === 0 ? 0 : derived(p, (p.grid * p.feedIn) / denominator);
    }
  }
}

/**
 * Prices are kept to a billionth of the currency per kWh, so 0.12 stays 0.12 and amounts computed
 * from it agree everywhere.
 */
const toNanos = (price: number) => Math.round(price * 1e9) / 1e9;

/**
 * A price computed from the grid and feed-in prices, to a billionth, but never outside them (they
 * may have more decimals).
 */
const derived = (p: Prices, price: number) => Math.min(p.grid, Math.max(p.feedIn, toNanos(price)));

/**
 * Pairs what buyers receive with what sellers give along both lists in member order: at most
 * buyers + sellers − 1 matches.
 */
function pair(
  buyers: number[],
  received: number[],
  sellers: number[],
  given: number[],
  price: number,
  out: Match[],
): void {
  let b = 0;
  let s = 0;
  let needB = received[0] ?? 0;
  let haveS = given[0] ?? 0;
  while (b < buyers.length && s < sellers.length) {
    if (needB === 0) {
      needB = received[++b] ?? 0;
      continue;
    }
    if (haveS === 0) {
      haveS = given[++s] ?? 0;
      continue;
    }
    const wh = Math.min(needB, haveS);
    out.push({ buyer: buyers[b]!, seller: sellers[s]!, wh, price, amount: amountFor(wh, price) });
    needB -= wh;
    haveS -= wh;
  }
}

export function clearInterval(
  mechanism: Mechanism,
  prices: Prices,
  members: readonly MemberEnergy[],
): IntervalClearing {
  const ordered = [...members].sort((a, b) => a.memberId - b.memberId);
  const buyers: number[] = [];
  const deficits: number[] = [];
  const shares: number[] = [];
  const sellers: number[] = [];
  const surpluses: number[] = [];
  const gridOnly: number[] = [];
  const matches: Match[] = [];
  const toGrid = (seller: number, wh: number) => {
    if (wh > 0) matches.push({ buyer: null, seller, wh, price: prices.feedIn, amount: amountFor(wh, prices.feedIn) });
  };
  const fromGrid = (buyer: number, wh: number) => {
    if (wh > 0) matches.push({ buyer, seller: null, wh, price: prices.grid, amount: amountFor(wh, prices.grid) });
  };

  for (const m of ordered) {
    const net = m.exportWh - m.importWh;
    if (m.gridOnly) {
      gridOnly.push(m.memberId);
      if (net > 0) toGrid(m.memberId, net);
      else fromGrid(m.memberId, -net);
    } else if (net > 0) {
      sellers.push(m.memberId);
      surpluses.push(net);
    } else if (net < 0) {
      buyers.push(m.memberId);
      deficits.push(-net);
      shares.push(m.shareMillionths ?? 0);
    }
  }
  const demandWh = deficits.reduce((a, d) => a + d, 0);
  const supplyWh = surpluses.reduce((a, s) => a + s, 0);

  // What each buyer receives from peers: static keys by share (capped at the deficit, the unused
  // share passed on); every other mechanism pro rata to the deficit.
  const received =
    mechanism === 'static_keys'
      ? apportionCapped(supplyWh, shares, deficits)
      : apportion(Math.min(demandWh, supplyWh), deficits);
  const peerWh = received.reduce((a, r) => a + r, 0);
  // Every seller sells the same share of its surplus.
  const given = apportion(peerWh, surpluses);
  const price = peerPrice(mechanism, prices, demandWh, supplyWh);

  pair(buyers, received, sellers, given, price, matches);
  for (const [k, b] of buyers.entries()) fromGrid(b, deficits[k]! - received[k]!);
  for (const [k, s] of sellers.entries()) toGrid(s, surpluses[k]! - given[k]!);

  return {
    demandWh,
    supplyWh,
    peerWh,
    gridImportWh: matches.reduce((a, m) => a + (m.seller === null ? m.wh : 0), 0),
    gridExportWh: matches.reduce((a, m) => a + (m.buyer === null ? m.wh : 0), 0),
    peerPrice: price,
    buyPrice: demandWh === 0 ? null : toNanos((peerWh * price + (demandWh - peerWh) * prices.grid) / demandWh),
    sellPrice: supplyWh === 0 ? null : toNanos((peerWh * price + (supplyWh - peerWh) * prices.feedIn) / supplyWh),
    matches,
    gridOnly,
  };
}
