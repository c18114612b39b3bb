// What the filters say, and the query body they make. Times are entered and shown in UTC, as the
// registry keeps them: a certificate's hour is the same hour wherever its holder sits.
import type { EnergySource, QueryBody, Status } from './types';

/** Every status and energy source with its label: a Record, so a value the API adds fails tsc until named here. */
export const STATUS_LABELS: Record<Status, string> = {
  active: 'Active',
  reserved: 'Reserved',
  locked: 'Locked',
  cancelled: 'Cancelled',
  claimed: 'Claimed',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
};
export const SOURCE_LABELS: Record<EnergySource, string> = {
  solar_pv: 'Solar PV',
  wind: 'Wind',
  hydro: 'Hydro',
  marine: 'Marine',
  geothermal: 'Geothermal',
  biomass: 'Biomass',
  biogas: 'Biogas',
  waste: 'Waste',
  nuclear: 'Nuclear',
  natural_gas: 'Natural gas',
  coal: 'Coal',
  oil: 'Oil',
  battery_storage: 'Battery storage',
  other: 'Other',
};

export interface Filter {
  /** Unset until the person picks one: the first of their accounts. */
  accountId?: number;
  statuses: Status[];
  sources: EnergySource[];
  deviceId?: number;
  /** `YYYY-MM-DDTHH:mm` as a datetime-local input gives it, read as UTC; empty for no bound. */
  producedFrom: string;
  producedBefore: string;
}

export const NO_FILTER: Filter = { statuses: [], sources: [], producedFrom: '', producedBefore: '' };

/** A datetime-local input's value read as UTC, as the API's ISO 8601; undefined when empty or not a time. */
export function utcInstant(local: string): string | undefined {
  if (local === '') return undefined;
  const ms = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The query body of a filter on `accountId`: only the filters that are set. */
export function queryBody(filter: Filter, accountId: number): QueryBody {
  const body: QueryBody = { source_id: accountId };
  if (filter.statuses.length > 0) body.certificate_bundle_status = filter.statuses;
  if (filter.sources.length > 0) body.energy_source = filter.sources;
  if (filter.deviceId !== undefined) body.device_id = filter.deviceId;
  const from = utcInstant(filter.producedFrom);
  const before = utcInstant(filter.producedBefore);
  if (from) body.certificate_period_start = from;
  if (before) body.certificate_period_end = before;
  return body;
}
