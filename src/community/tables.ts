import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Mechanism } from './clearing.ts';

export interface CommunityRow {
  id: number;
  name: string;
  interval_minutes: number;
  time_zone: string;
  mechanism: Mechanism;
  grid_price: number;
  feed_in_price: number;
  peer_price: number | null;
  currency: string;
  move_certificates: boolean;
  public: boolean;
  data_wait_minutes: number;
  manager_id: number;
  created_at: Date;
  updated_at: Date;
}

export interface CommunityMemberRow {
  id: number;
  community_id: number;
  name: string;
  metering_point_id: string;
  export_metering_point_id: string | null;
  share_millionths: number | null;
  valid_from: Date;
  valid_to: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CommunityIntervalRow {
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
  implausible_member_ids: number[];
  cleared_at: Date;
}

export const MATCH_STATES = ['created', 'sent', 'paid', 'not_paid', 'error'] as const;
export type MatchState = (typeof MATCH_STATES)[number];

export interface CommunityMatchRow {
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

export interface CommunityTables {
  communities: CommunityRow;
  community_members: CommunityMemberRow;
  community_intervals: CommunityIntervalRow;
  community_matches: CommunityMatchRow;
}

export const community = (db: Db) => db as Kysely<CommunityTables>;

/**
 * Millionths of the currency as an amount of it, for answers. A BigInt sum is written out as its
 * exact decimal first, so the number is the one closest to it, rounded once.
 */
export const money = (micro: number | bigint): number => {
  if (typeof micro === 'number') return micro / 1_000_000;
  const digits = (micro < 0n ? -micro : micro).toString().padStart(7, '0');
  return Number(`${micro < 0n ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`);
};
