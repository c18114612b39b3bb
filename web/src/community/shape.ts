// A community's statement and intervals as its pages show them: each member's share of its energy
// traded with peers, and the community's flows interval by interval.
import type { components } from '../api/schema';

export type Community = components['schemas']['Community'];
export type Statement = components['schemas']['CommunityStatement'];
export type Interval = components['schemas']['CommunityInterval'];

/** A share, or null when there is nothing to share. */
const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export interface MemberShare {
  member_id: number;
  name: string;
  /** Of what the member took, the share that came from peers rather than the grid. */
  consumed_from_peers: number | null;
  /** Of what the member gave, the share that went to peers rather than the grid. */
  supplied_to_peers: number | null;
}

export function memberShares(statement: Statement): MemberShare[] {
  return statement.members.map((m) => ({
    member_id: m.member_id,
    name: m.name,
    consumed_from_peers: share(m.from_peers_wh, m.from_peers_wh + m.from_grid_wh),
    supplied_to_peers: share(m.to_peers_wh, m.to_peers_wh + m.to_grid_wh),
  }));
}

export interface Flows {
  /** Start of each interval, Unix seconds. */
  times: number[];
  peers: number[];
  fromGrid: number[];
  toGrid: number[];
}

/** The community's energy per interval: traded between members, taken from and given to the grid. */
export function flows(intervals: Interval[]): Flows {
  const sorted = [...intervals].sort((a, b) => a.interval_start.localeCompare(b.interval_start));
  return {
    times: sorted.map((i) => Date.parse(i.interval_start) / 1000),
    peers: sorted.map((i) => i.peer_wh),
    fromGrid: sorted.map((i) => i.grid_import_wh),
    toGrid: sorted.map((i) => i.grid_export_wh),
  };
}

/** The UTC day `day` (yyyy-mm-dd) as the API's [from, to). */
export function dayPeriod(day: string): { from: string; to: string } {
  const from = new Date(`${day}T00:00:00.000Z`);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString() };
}

/** This month, yyyy-mm, in UTC: the statement shown first. */
export const thisMonth = (now: Date): string => now.toISOString().slice(0, 7);
