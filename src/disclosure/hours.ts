// A disclosure's hours from its two aggregates: consumption and claims per UTC hour, matched
// within the hour. Pure, and independent of the order the database returns rows in (it promises none).
import type { ClaimedHour } from '../registry/index.ts';
import type { DisclosureHour } from './schemas.ts';

type Claimed = DisclosureHour['claimed'][number];

/** `part` of `whole` to six decimals, or null when there is no whole. */
export const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1e6) / 1e6);

// By energy source, then technology, in code point order: the same on every machine and locale.
const kindKey = (c: Claimed) => `${c.energy_source}\u0000${c.technology}`;
const byKind = (a: Claimed, b: Claimed) => (kindKey(a) < kindKey(b) ? -1 : kindKey(a) > kindKey(b) ? 1 : 0);

/** Every hour with consumption or a claim, in time order, its claims by energy source and technology. */
export function disclosureHours(
  consumption: ReadonlyArray<{ hour: Date; wh: number }>,
  claimed: readonly ClaimedHour[],
): DisclosureHour[] {
  const hours = new Map<number, DisclosureHour>();
  const hourOf = (t: Date) => {
    let h = hours.get(t.getTime());
    if (!h) {
      h = {
        hour_start: t.toISOString(),
        consumption_wh: 0,
        claimed_wh: 0,
        matched_wh: 0,
        matched_share: null,
        claimed: [],
      };
      hours.set(t.getTime(), h);
    }
    return h;
  };
  for (const c of consumption) hourOf(c.hour).consumption_wh = c.wh;
  for (const c of claimed) {
    const h = hourOf(c.hour);
    h.claimed.push({ energy_source: c.energy_source, technology: c.technology, wh: c.wh });
    h.claimed_wh += c.wh;
  }
  const list = [...hours.entries()].sort((a, b) => a[0] - b[0]).map(([, h]) => h);
  for (const h of list) {
    h.claimed.sort(byKind);
    h.matched_wh = Math.min(h.consumption_wh, h.claimed_wh);
    h.matched_share = share(h.matched_wh, h.consumption_wh);
  }
  return list;
}
