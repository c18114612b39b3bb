// The community module's tables as Kysely sees them; columns the database fills are marked
// `Generated`, so an insert may leave them out and a read always has them.
import type { Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Mechanism } from './clearing.ts';

/** How long a community's clearing interval may be, in minutes. */
export const INTERVAL_MINUTES = [15, 30, 60] as const;
export type IntervalMinutes = (typeof INTERVAL_MINUTES)[number];
/** ISO 4217, as a community's currency is stored. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
export const MATCH_STATES = ['created', 'sent', 'paid', 'not_paid', 'error'] as const;
export type MatchState = (typeof MATCH_STATES)[number];

export interface CommunitiesTable {
  id: GeneratedAlways<number>;
  name: string;
  interval_minutes: IntervalMinutes;
  time_zone: string;
  mechanism: Mechanism;
  grid_price: number;
  feed_in_price: number;
  peer_price: number | null;
  currency: string;
  move_certificates: boolean;
  public: Generated<boolean>;
  data_wait_minutes: Generated<number>;
  manager_id: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CommunityMembersTable {
  id: GeneratedAlways<number>;
  community_id: number;
  name: string;
  metering_point_id: string;
  export_metering_point_id: string | null;
  share_millionths: number | null;
  valid_from: Date;
  valid_to: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CommunityIntervalsTable {
  community_id: number;
  interval_start: Date;
  interval_end: Date;
  mechanism: Mechanism;
  grid_price: number;
  feed_in_price: number;
  peer_price: number;
  buy_price: number | null;
  sell_price: number | null;
  demand_wh: number;
  supply_wh: number;
  peer_wh: number;
  grid_import_wh: number;
  grid_export_wh: number;
  grid_only_member_ids: number[];
  missing_member_ids: number[];
  implausible_member_ids: Generated<number[]>;
  cleared_at: Generated<Date>;
}

/** A match a row, as the view `community_matches` shows the stored arrays (migration 0039). */
export interface CommunityMatchesTable {
  id: number;
  community_id: number;
  interval_start: Date;
  buyer_member_id: number | null;
  seller_member_id: number | null;
  wh: number;
  price: number;
  amount_micro: number;
  state: MatchState;
  state_changed_at: Date | null;
}

/**
 * An interval's matches side by side, the k-th match at index k of each array. Written once by
 * clearing; matches cleared before 0039 list their ids and prices, later ones have a block of ids.
 */
export interface CommunityIntervalMatchesTable {
  community_id: number;
  interval_start: Date;
  first_match_id: number | null;
  match_ids: number[] | null;
  buyer_member_ids: Array<number | null>;
  seller_member_ids: Array<number | null>;
  wh: number[];
  amount_micro: number[];
  prices: number[] | null;
}

/**
 * How many match ids an interval's block holds (migration 0039): the block holding match id `id`
 * starts at `id - id % MATCH_ID_BLOCK`, and the match is the block's (id − start + 1)-th.
 */
export const MATCH_ID_BLOCK = 1_048_576;

/** A match's payment state once it left `created`. */
export interface CommunityMatchStatesTable {
  match_id: number;
  state: MatchState;
  state_changed_at: Date | null;
}

export interface CommunityCertificateMovesTable {
  community_id: number;
  hour_start: Date;
  seller_member_id: number;
  buyer_member_id: number;
  matched_wh: number;
  moved_wh: number;
  bundle_ids: number[];
  moved_at: Generated<Date>;
}

export type CommunityTables = {
  communities: CommunitiesTable;
  community_members: CommunityMembersTable;
  community_intervals: CommunityIntervalsTable;
  community_matches: CommunityMatchesTable;
  community_interval_matches: CommunityIntervalMatchesTable;
  community_match_states: CommunityMatchStatesTable;
  community_certificate_moves: CommunityCertificateMovesTable;
};

export type CommunityRow = Selectable<CommunitiesTable>;
export type CommunityMemberRow = Selectable<CommunityMembersTable>;
export type CommunityIntervalRow = Selectable<CommunityIntervalsTable>;
export type CommunityMatchRow = Selectable<CommunityMatchesTable>;

/** The community module's tables over any handle (a transaction included). */
export const community = (db: Db): Kysely<CommunityTables> => db.withTables<CommunityTables>();

/**
 * Millionths of the currency as an amount of it, for answers. A BigInt sum is written out as its
 * exact decimal first, so the number is the one closest to it, rounded once.
 */
export const money = (micro: number | bigint): number => {
  if (typeof micro === 'number') return micro / 1_000_000;
  const digits = (micro < 0n ? -micro : micro).toString().padStart(7, '0');
  return Number(`${micro < 0n ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`);
};
