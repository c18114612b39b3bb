// The registry module's face to the rest of Tally: its routes and its periodic jobs.
import type { App, AppContext } from '../platform/context.ts';
import type { Job } from '../platform/jobs.ts';
import { expireBundles } from './actions.ts';
import { autoIssuanceJob } from './auto-issuance.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { deviceRoutes } from './routes/devices.ts';
import { holdingRoutes } from './routes/holdings.ts';
import { issuanceRoutes } from './routes/issuance.ts';

export async function registryRoutes(app: App, ctx: AppContext): Promise<void> {
  await holdingRoutes(app, ctx);
  await deviceRoutes(app, ctx);
  await certificateRoutes(app, ctx);
  await issuanceRoutes(app, ctx);
}

export const registryJobs = (lifetimeDays: number): Job[] => [
  autoIssuanceJob(lifetimeDays),
  { name: 'expire-certificates', run: (db, now) => expireBundles(db, now) },
];

export { checkRegistry } from './check.ts';
