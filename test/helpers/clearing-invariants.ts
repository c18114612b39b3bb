// The invariants of clearing one interval, and random communities to check them on: shared by the
// pure property tests (test/community/clearing-properties.unit.test.ts) and the database ones
// (test/community/properties.slow.test.ts).
import fc from 'fast-check';
import {
  amountFor,
  MECHANISMS,
  type IntervalClearing,
  type Match,
  type Mechanism,
  type MemberEnergy,
  type Prices,
} from '../../src/community/clearing.ts';

// --- the invariants, shared by the pure and the database tests ------------------------------------

/** Fails with a message naming what broke; cheaper than expect() in the inner loops of thousands of runs. */
function check(ok: boolean, what: string, detail?: unknown): void {
  if (!ok) throw new Error(`${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}
export const deficitOf = (m: MemberEnergy) => Math.max(0, m.importWh - m.exportWh);
export const surplusOf = (m: MemberEnergy) => Math.max(0, m.exportWh - m.importWh);
/** |part − whole·num/den| ≤ 1, exactly (the products pass 2^53 for large communities). */
export const withinOne = (part: number, whole: number, num: number, den: number) => {
  if (den === 0) return part === 0;
  const d = BigInt(part) * BigInt(den) - BigInt(whole) * BigInt(num);
  return (d < 0n ? -d : d) <= BigInt(den);
};
/** Prices are kept to a billionth, so formulas computed exactly agree with the stored ones to 1e-9. */
const near = (a: number | null, b: number | null, tol = 1e-9) =>
  a !== null && b !== null && Math.abs(a - b) <= tol + 1e-12;

interface Flow {
  bought: number;
  sold: number;
  peerBought: number;
  peerSold: number;
  cost: number;
  revenue: number;
  matches: number;
  peerMatches: number;
}

/** Each member's side of the matches: what it bought and sold, from peers and the grid, and for how much. */
export function flows(matches: readonly Match[]): Map<number, Flow> {
  const out = new Map<number, Flow>();
  const of = (id: number) => {
    let f = out.get(id);
    if (!f) {
      f = { bought: 0, sold: 0, peerBought: 0, peerSold: 0, cost: 0, revenue: 0, matches: 0, peerMatches: 0 };
      out.set(id, f);
    }
    return f;
  };
  for (const x of matches) {
    const peer = x.buyer !== null && x.seller !== null;
    if (x.buyer !== null) {
      const f = of(x.buyer);
      f.bought += x.wh;
      f.cost += x.amount;
      f.matches++;
      if (peer) {
        f.peerBought += x.wh;
        f.peerMatches++;
      }
    }
    if (x.seller !== null) {
      const f = of(x.seller);
      f.sold += x.wh;
      f.revenue += x.amount;
      f.matches++;
      if (peer) {
        f.peerSold += x.wh;
        f.peerMatches++;
      }
    }
  }
  return out;
}

/**
 * Checks one cleared interval against the members' energy: invariants 1–7 of the issue. Members
 * are those that took part (present), grid-only ones included.
 */
export function checkInterval(
  mechanism: Mechanism,
  prices: Prices,
  members: readonly MemberEnergy[],
  r: IntervalClearing,
): void {
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const trading = members.filter((m) => !m.gridOnly);
  const buyers = trading.filter((m) => deficitOf(m) > 0);
  const sellers = trading.filter((m) => surplusOf(m) > 0);
  const D = buyers.reduce((a, m) => a + deficitOf(m), 0);
  const S = sellers.reduce((a, m) => a + surplusOf(m), 0);

  // 2. Every match is whole positive Wh between two different parties at the right price, booked at amountFor.
  for (const x of r.matches) {
    check(Number.isSafeInteger(x.wh) && x.wh > 0, 'a match carries whole, positive Wh', x);
    check(x.buyer !== null || x.seller !== null, 'a match has a member on one side at least', x);
    check(x.buyer !== x.seller, 'a member does not trade with itself', x);
    for (const id of [x.buyer, x.seller])
      check(id === null || byId.has(id), 'a match names only members that took part', x);
    const price = x.seller === null ? prices.grid : x.buyer === null ? prices.feedIn : r.peerPrice;
    check(x.price === price, 'grid imports at the grid price, exports at feed-in, peers at the peer price', {
      x,
      price,
    });
    check(x.amount === amountFor(x.wh, x.price), 'a match amount is its Wh at its price, rounded once', x);
  }
  const peer = r.matches.filter((x) => x.buyer !== null && x.seller !== null);
  const flow = flows(r.matches);

  // 1. Energy in = energy out, member by member and in total.
  check(r.demandWh === D && r.supplyWh === S, "demand and supply are the trading members' deficits and surpluses", {
    D,
    S,
    r: [r.demandWh, r.supplyWh],
  });
  check(
    JSON.stringify(r.gridOnly) ===
      JSON.stringify(
        members
          .filter((m) => m.gridOnly)
          .map((m) => m.memberId)
          .sort((a, b) => a - b),
      ),
    'grid-only members are listed',
    r.gridOnly,
  );
  for (const m of members) {
    const f = flow.get(m.memberId);
    check((f?.bought ?? 0) === deficitOf(m), 'a member buys exactly its deficit', { m, f });
    check((f?.sold ?? 0) === surplusOf(m), 'a member sells exactly its surplus', { m, f });
    // 2. Nobody on both sides; grid-only members trade with the grid alone.
    check(!f || f.bought === 0 || f.sold === 0, 'no member is both buyer and seller', { m, f });
    if (m.gridOnly) check(!f || f.peerMatches === 0, 'a grid-only member has grid matches only', { m, f });
  }
  const peerWh = peer.reduce((a, x) => a + x.wh, 0);
  check(peerWh === r.peerWh, 'peer Wh bought = peer Wh sold = peerWh', { peerWh, r: r.peerWh });
  check(
    r.gridImportWh === r.matches.reduce((a, x) => a + (x.seller === null ? x.wh : 0), 0),
    'gridImportWh is the grid imports',
  );
  check(
    r.gridExportWh === r.matches.reduce((a, x) => a + (x.buyer === null ? x.wh : 0), 0),
    'gridExportWh is the grid exports',
  );

  // 3. Members' net costs add up to the grid's bill, to the millionth.
  const gridBill = r.matches.reduce((a, x) => a + (x.seller === null ? x.amount : x.buyer === null ? -x.amount : 0), 0);
  const net = [...flow.values()].reduce((a, f) => a + f.cost - f.revenue, 0);
  check(net === gridBill, "members' net costs sum to the grid bill", { net, gridBill });

  // 4. No member pays more than with the grid alone, up to a millionth of rounding per match;
  // bill sharing's sellers get nothing for what peers take and feed-in for the rest.
  let communityGridOnly = 0;
  for (const m of members) {
    const f = flow.get(m.memberId);
    const gridOnly = amountFor(deficitOf(m), prices.grid) - amountFor(surplusOf(m), prices.feedIn);
    communityGridOnly += gridOnly;
    if (!f) continue;
    const memberNet = f.cost - f.revenue;
    if (deficitOf(m) > 0 || mechanism !== 'bill_sharing') {
      check(memberNet <= gridOnly + f.matches, 'a member pays no more than with the grid alone', {
        mechanism,
        m,
        memberNet,
        gridOnly,
        f,
      });
    } else {
      const loss = memberNet - gridOnly;
      check(
        Math.abs(loss - f.peerSold * prices.feedIn * 1000) <= f.matches,
        'a bill-sharing seller loses exactly the feed-in value of what peers took',
        { m, loss, f },
      );
    }
  }
  check(
    gridBill <= communityGridOnly + r.matches.length,
    'the community as a whole pays no more than with the grid alone',
    { gridBill, communityGridOnly },
  );
  if (mechanism === 'bill_sharing')
    check(
      peer.every((x) => x.amount === 0),
      'bill sharing: peers pay each other nothing',
    );

  // 5. Pro rata.
  const P =
    mechanism === 'static_keys'
      ? Math.min(
          S,
          buyers.filter((m) => (m.shareMillionths ?? 0) > 0).reduce((a, m) => a + deficitOf(m), 0),
        )
      : Math.min(D, S);
  check(r.peerWh === P, 'the peer energy is min(demand, supply) (static keys: of buyers with a share)', {
    P,
    peerWh: r.peerWh,
  });
  for (const m of sellers) {
    check(
      withinOne(flow.get(m.memberId)!.peerSold, surplusOf(m), P, S),
      'each seller sells its pro-rata part, to 1 Wh',
      { m, P, S },
    );
  }
  for (const m of buyers) {
    const got = flow.get(m.memberId)!.peerBought;
    if (mechanism === 'static_keys') {
      check(got <= deficitOf(m), 'static keys: no buyer gets more than its deficit', m);
      if ((m.shareMillionths ?? 0) === 0)
        check(got === 0, 'static keys: a buyer without a share gets nothing', { m, got });
    } else {
      check(withinOne(got, deficitOf(m), P, D), 'each buyer gets its pro-rata part, to 1 Wh', { m, got, P, D });
    }
  }

  // 6. The pairing is no longer than needed.
  const b = new Set(peer.map((x) => x.buyer)).size;
  const s = new Set(peer.map((x) => x.seller)).size;
  check(peer.length <= Math.max(0, b + s - 1), 'at most buyers + sellers − 1 peer matches', {
    peer: peer.length,
    b,
    s,
  });

  // 7. The mechanisms' prices.
  const { grid: lb, feedIn: ls } = prices;
  const buyIs = (v: number | null) => (D === 0 ? r.buyPrice === null : near(r.buyPrice, v));
  const sellIs = (v: number | null) => (S === 0 ? r.sellPrice === null : near(r.sellPrice, v));
  const mid = (lb + ls) / 2;
  switch (mechanism) {
    case 'sdr': {
      if (S < D) {
        const sdr = S / D;
        const denominator = (lb - ls) * sdr + ls;
        const sell = denominator === 0 ? 0 : (lb * ls) / denominator; // λs = 0 and S = 0: nothing to sell
        check(near(r.peerPrice, sell), 'SDR sell price = λb·λs / ((λb − λs)·SDR + λs)', {
          sell,
          r: r.peerPrice,
          S,
          D,
          prices,
        });
        check(buyIs(sell * sdr + lb * (1 - sdr)), 'SDR buy price = sell·SDR + λb·(1 − SDR)', {
          r: r.buyPrice,
          S,
          D,
          prices,
        });
      } else {
        check(r.peerPrice === ls && buyIs(ls) && sellIs(ls), 'SDR ≥ 1: both prices are λs', { r, prices });
      }
      break;
    }
    case 'mmr':
      check(near(r.peerPrice, mid), 'MMR peers trade at the mid-market rate');
      check(
        buyIs(D > S ? (S * mid + (D - S) * lb) / D : mid),
        'MMR buy = (S·Pmid + (D−S)·λb)/D when D > S, else Pmid',
        { r: r.buyPrice, S, D, prices },
      );
      check(
        sellIs(S > D ? (D * mid + (S - D) * ls) / S : mid),
        'MMR sell = (D·Pmid + (S−D)·λs)/S when S > D, else Pmid',
        { r: r.sellPrice, S, D, prices },
      );
      break;
    case 'bill_sharing':
      check(r.peerPrice === 0, 'bill sharing: the peer price is 0');
      check(buyIs((lb * Math.max(0, D - S)) / D), 'bill sharing: buy = λb·max(0, D − S)/D', {
        r: r.buyPrice,
        S,
        D,
        prices,
      });
      check(sellIs((ls * Math.max(0, S - D)) / S), 'bill sharing: sell = λs·max(0, S − D)/S', {
        r: r.sellPrice,
        S,
        D,
        prices,
      });
      break;
    case 'static_keys':
    case 'dynamic_keys': {
      const price = prices.peer ?? mid;
      check(near(r.peerPrice, price), "allocation keys: the community's peer price, mid-market when unset");
      check(
        buyIs((P * price + (D - P) * lb) / D) && sellIs((P * price + (S - P) * ls) / S),
        'allocation keys: average prices',
        { r, P, S, D },
      );
      break;
    }
  }
}

// --- random communities ---------------------------------------------------------------------------

/** Wh in an interval: often nothing, often a household's, sometimes a large plant's. */
export const wh = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 20 }) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 10_000_000 }) },
);

/**
 * 0 ≤ feed-in ≤ peer ≤ grid ≤ 1, in ten-billionths: finer than the billionth clearing rounds the
 * peer price to, so the clamp that keeps a rounded price inside [feed-in, grid] is exercised (SDR
 * with S ≥ D and feed-in 0.0300000004 must still trade at 0.0300000004, not 0.03).
 */
export const prices: fc.Arbitrary<Prices> = fc
  .integer({ min: 0, max: 1e10 })
  .chain((g) =>
    fc
      .integer({ min: 0, max: g })
      .chain((f) =>
        fc
          .option(fc.integer({ min: f, max: g }), { nil: null })
          .map((p) => ({ grid: g / 1e10, feedIn: f / 1e10, peer: p === null ? null : p / 1e10 })),
      ),
  );

const member = fc.record({
  importWh: wh,
  exportWh: wh,
  gridOnly: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  shareMillionths: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })), { nil: null }),
});

/** 0–40 members with distinct, unordered ids. */
const anyCommunity: fc.Arbitrary<MemberEnergy[]> = fc
  .array(member, { maxLength: 40 })
  .chain((ms) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: 1_000_000_000 }), { minLength: ms.length, maxLength: ms.length })
      .map((ids) => ms.map((m, k) => ({ memberId: ids[k]!, ...m }))),
  );

/** The same plus one member that makes supply meet demand exactly, a boundary of every mechanism. */
const balanced = anyCommunity.map((ms) => {
  const trading = ms.filter((m) => !m.gridOnly);
  const gap = trading.reduce((a, m) => a + deficitOf(m) - surplusOf(m), 0);
  const memberId = ms.reduce((a, m) => Math.max(a, m.memberId), 0) + 1;
  return [
    ...ms,
    { memberId, importWh: Math.max(0, -gap), exportWh: Math.max(0, gap), gridOnly: false, shareMillionths: null },
  ];
});

export const community = fc.oneof({ weight: 4, arbitrary: anyCommunity }, { weight: 1, arbitrary: balanced });

export const mechanism = fc.constantFrom(...MECHANISMS);
