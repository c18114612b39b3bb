// The registry module's face to the rest of Tally: its routes and its periodic jobs.
import type { App, AppContext } from '../platform/context.ts';
import type { Job } from '../platform/jobs.ts';
import { expireBundles } from './actions.ts';
import { accountRoutes } from './routes/accounts.ts';
import { certificateRoutes } from './routes/certificates.ts';
import { deviceRoutes } from './routes/devices.ts';

export async function registryRoutes(app: App, ctx: AppContext): Promise<void> {
  await accountRoutes(app, ctx);
  await deviceRoutes(app, ctx);
  await certificateRoutes(app, ctx);
}

export const registryJobs: Job[] = [{ name: 'expire-certificates', run: (db, now) => expireBundles(db, now) }];

export { checkRegistry } from './check.ts';
