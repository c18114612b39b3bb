// The standing orders' tables as Kysely sees them (migration 0031): the orders, and one row per
// period each ran.
import type { ColumnType, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { PeriodUnit } from './schedule.ts';

/** The actions a standing order repeats. */
export const ORDER_ACTIONS = ['transfer', 'cancel'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const RUN_OUTCOMES = ['fulfilled', 'partial', 'unfulfilled'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface StandingOrdersTable {
  id: GeneratedAlways<number>;
  account_id: number;
  action: OrderAction;
  target_id: number | null;
  beneficiary: string | null;
  purpose: string | null;
  /** The bundle filter without the account, read back parsed, written as JSON text. */
  selection: ColumnType<unknown, string, string>;
  certificate_quantity: number;
  partial: boolean;
  first_period_start: Date;
  period_unit: PeriodUnit;
  period_quantity: number;
  number_of_runs: number | null;
  created_by: number | null;
  created_at: Date;
  ended_at: Date | null;
  ended_by: number | null;
}

export interface StandingOrderRunsTable {
  order_id: number;
  sequence: number;
  period_start: Date;
  ran_at: Date;
  outcome: RunOutcome;
  certificate_quantity: number;
  action_id: number | null;
  reason_code: string | null;
  reason: string | null;
}

export type StandingOrderTables = {
  standing_orders: StandingOrdersTable;
  standing_order_runs: StandingOrderRunsTable;
};

export type StandingOrderRow = Selectable<StandingOrdersTable>;
export type StandingOrderRunRow = Selectable<StandingOrderRunsTable>;

export const orders = (db: Db): Kysely<StandingOrderTables> => db.withTables<StandingOrderTables>();
