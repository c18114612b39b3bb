// The registry module's face: devices, issuance, certificate bundles and their actions, its routes
// and periodic jobs, the checks `tally check` runs, and its answers to metering's questions.
import type { App, AppContext } from '../platform/context.ts';
import type { Job } from '../platform/jobs.ts';
import { expireBundles } from './actions.ts';
import { autoIssuanceJob } from './auto-issuance.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { deviceRoutes } from './routes/devices.ts';
import { holdingRoutes } from './routes/holdings.ts';
import { issuanceRoutes } from './routes/issuance.ts';
import { importRoutes } from './routes/imports.ts';
import { standingOrderRoutes } from './routes/standing-orders.ts';
import { standingOrdersJob } from './standing-order-runs.ts';

export async function registryRoutes(app: App, ctx: AppContext): Promise<void> {
  await holdingRoutes(app, ctx);
  await deviceRoutes(app, ctx);
  await certificateRoutes(app, ctx);
  await issuanceRoutes(app, ctx);
  await importRoutes(app, ctx);
  await standingOrderRoutes(app, ctx);
}

export const registryJobs = (lifetimeDays: number): Job[] => [
  autoIssuanceJob(lifetimeDays),
  { name: 'expire-certificates', run: (db, now) => expireBundles(db, now) },
  standingOrdersJob,
];

export { checkRegistry } from './check.ts';
export {
  ACTION_RULES,
  type ActionFields,
  actOn,
  performAction,
  performOnSelection,
  expireBundles,
} from './actions.ts';
export { runAutoIssuanceNow } from './auto-issuance.ts';
export type { BundleView } from './bundles.ts';
export {
  createDevice,
  decommissionDevice,
  type DeviceView,
  getDevice,
  type IssuanceMetadataView,
  listDevices,
  type NewDevice,
  updateDevice,
} from './devices.ts';
export { accountSummary, closeAccount } from './holdings.ts';
export { issueCertificates } from './issuance.ts';
export { importCertificates, type ImportedIssuanceView } from './imports.ts';
export { importCsvRows } from './import-rows.ts';
export { capacityLimitWh } from './capacity.ts';
export { moveAndClaim } from './moves.ts';
export { certificatesOfPoints } from './points.ts';
export {
  type BundleDetail,
  bundlesById,
  claimedByHour,
  type ClaimedHour,
  getBundle,
  type Origin,
  originsOf,
  queryBundles,
} from './queries.ts';
export type { Selection } from './selection.ts';
export { updateMutablesOfSelection } from './mutables.ts';
export { createStandingOrder, endStandingOrder, getStandingOrder } from './standing-orders.ts';
export type { NewStandingOrder, StandingOrderView } from './standing-order-schemas.ts';
export { type PeriodUnit, PERIOD_UNITS } from './schedule.ts';
export type { Action, ActionRequests, IssuanceRequest } from './schemas.ts';
export { Bundle, DeviceChange as DeviceChangeRequest, NewDevice as NewDeviceRequest } from './schemas.ts';
export { type BundleStatus, ENERGY_SOURCES, type EnergySource, STATUSES } from './tables.ts';
export { countIssued } from './metrics.ts';
export {
  type DischargeIssue,
  type IssuedFromAllocation,
  issuedFromAllocations,
  issueFromStorage,
  lockStorageDevice,
} from './storage-issuance.ts';
