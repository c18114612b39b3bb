// Physical bounds on what a meter may report. They are checked where readings enter Tally (API,
// CSV, CLI, DataHub sync), so that no sum or product computed downstream (an hour of a device, a
// community's interval, an amount of money) can leave the safe integer range.

/**
 * The most one interval reading may hold: 100 GWh. The largest power stations make about 22 GWh
 * an hour, so no real meter reaches it, and 10,000 such readings still sum far below 2^53.
 */
export const MAX_READING_WH = 100_000_000_000;

/** The most readings one upload carries, as CSV rows or as a JSON list. */
export const MAX_UPLOAD_READINGS = 100_000;

/** The most a cumulative register may read: 10^15 Wh (1 PWh), a register that never wraps in practice. */
export const MAX_REGISTER_WH = 1_000_000_000_000_000;
