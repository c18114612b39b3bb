// Cancellation statements: one per cancel request, like a bank statement, kept as issued.
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { readableInAccount } from '../accounts/index.ts';
import { registry, type BundleRow } from './tables.ts';

export interface Statement {
  account_id: number;
  beneficiary: string;
  purpose: string | null;
  cancelled_at: string;
  total_wh: number;
  bundles: Array<{
    id: number;
    device_id: number | null;
    energy_source: string;
    certificate_bundle_id_range_start: number;
    certificate_bundle_id_range_end: number;
    bundle_quantity: number;
    production_starting_interval: string;
    production_ending_interval: string;
  }>;
  by_energy_source: Array<{ energy_source: string; wh: number }>;
  /** Wh per production hour (UTC) and energy source: what hourly matching counts. */
  by_hour: Array<{ hour: string; energy_source: string; wh: number }>;
}

export function buildStatement(input: {
  account_id: number;
  beneficiary: string;
  purpose: string | null;
  cancelled_at: Date;
  bundles: BundleRow[];
}): Statement {
  const bySource = new Map<string, number>();
  const byHour = new Map<string, number>();
  for (const b of input.bundles) {
    bySource.set(b.energy_source, (bySource.get(b.energy_source) ?? 0) + b.bundle_quantity);
    const hour = new Date(Math.floor(b.production_starting_interval.getTime() / 3_600_000) * 3_600_000).toISOString();
    const key = `${hour}|${b.energy_source}`;
    byHour.set(key, (byHour.get(key) ?? 0) + b.bundle_quantity);
  }
  return {
    account_id: input.account_id,
    beneficiary: input.beneficiary,
    purpose: input.purpose,
    cancelled_at: input.cancelled_at.toISOString(),
    total_wh: input.bundles.reduce((s, b) => s + b.bundle_quantity, 0),
    bundles: input.bundles.map((b) => ({
      id: b.id,
      device_id: b.device_id,
      energy_source: b.energy_source,
      certificate_bundle_id_range_start: b.certificate_bundle_id_range_start,
      certificate_bundle_id_range_end: b.certificate_bundle_id_range_end,
      bundle_quantity: b.bundle_quantity,
      production_starting_interval: b.production_starting_interval.toISOString(),
      production_ending_interval: b.production_ending_interval.toISOString(),
    })),
    by_energy_source: [...bySource]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([energy_source, wh]) => ({ energy_source, wh })),
    by_hour: [...byHour]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, wh]) => {
        const [hour, energy_source] = key.split('|') as [string, string];
        return { hour, energy_source, wh };
      }),
  };
}

export async function getStatement(db: Db, principal: Principal, id: number): Promise<Statement & { id: number }> {
  const row = await readableInAccount(
    db,
    principal,
    await registry(db)
      .selectFrom('cancellation_statements')
      .select(['id', 'account_id', 'statement'])
      .where('id', '=', id)
      .executeTakeFirst(),
    'statement',
    id,
  );
  return { id: row.id, ...(row.statement as Statement) };
}
