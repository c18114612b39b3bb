// The bounds that keep a community's money exact whatever its members' meters report. Metering
// bounds readings where they enter Tally; a community does not count on that alone (rows imported
// before those bounds, register differences up to a register's whole range, a point's several
// readings in one interval), so clearing checks its own inputs against these.
//
// Money is integer millionths of the currency: a match of `wh` at `price` per kWh is
// wh × price × 1000 millionths. A member's net energy is export − import, each at most
// MAX_MEMBER_WH, so every match's amount stays within 2 × MAX_MEMBER_WH × MAX_PRICE × 1000 =
// 8 × 10^15 < 2^53: computed exactly in a double and read back as an exact int8. Sums over many
// intervals or members can pass 2^53; they are added in PostgreSQL's numeric and in BigInt.

/** The highest grid, feed-in or peer price, in the community's currency per kWh. */
export const MAX_PRICE = 1000;

/**
 * The most a member may import or export in one interval, its points together: 4 GWh. A member of
 * an energy community (a household, a farm, a factory, a local plant) moves a few MWh at most; the
 * largest power stations make about 22 GWh in an hour. A member beyond it (or with a negative
 * register difference beyond it) takes no part in that interval and is named as implausible.
 */
export const MAX_MEMBER_WH = 4_000_000_000;

/**
 * The most members a community may have, ended memberships included. An interval's matches are
 * numbered in one block of 2^20 ids (migration 0039), and an interval has fewer than twice as many
 * matches as members (at most buyers + sellers − 1 between members, one with the grid each).
 */
export const MAX_MEMBERS = 500_000;
