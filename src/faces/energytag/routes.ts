// Every route of the EnergyTag face, in one scope under /energytag/v2 with the draft's error shape.
import type { App, AppContext } from '../../platform/context.ts';
import { accountRoutes } from './accounts.ts';
import { certificateRoutes } from './certificates.ts';
import { deviceRoutes } from './devices.ts';
import { energytagScope, Face, PREFIX } from './face.ts';
import { storageRoutes } from './storage.ts';
import { organisationRoutes } from './organisations.ts';
import { orderRoutes } from './orders.ts';
import { tokenRoute } from './token.ts';
import { userRoutes } from './users.ts';

export async function energytagFace(app: App, ctx: AppContext): Promise<void> {
  await app.register(
    async (scope) => {
      const energytag = scope as unknown as App;
      energytagScope(energytag, ctx);
      const face = new Face(energytag, ctx);
      tokenRoute(face);
      userRoutes(face);
      accountRoutes(face);
      deviceRoutes(face);
      certificateRoutes(face);
      storageRoutes(face);
      organisationRoutes(face);
      orderRoutes(face);
    },
    { prefix: PREFIX },
  );
}
