// Every DSBI route, in one scope under /dsbi with DSBI's error shapes.
import type { Market } from '../../market/index.ts';
import type { App, AppContext } from '../../platform/context.ts';
import { dataRoutes } from './data.ts';
import { dsbiScope, Face, PREFIX } from './face.ts';
import { dsbiMarketRoutes } from './market.ts';
import { notificationRoutes } from './notifications.ts';
import { resourceRoutes } from './resources.ts';
import { userRoutes } from './users.ts';

export const dsbiFace =
  (m: Market) =>
  async (app: App, ctx: AppContext): Promise<void> => {
    await app.register(
      async (scope) => {
        const dsbi = scope as unknown as App;
        dsbiScope(dsbi);
        const face = new Face(dsbi, ctx);
        userRoutes(face);
        resourceRoutes(face, m);
        dataRoutes(face, m);
        dsbiMarketRoutes(face, m);
        notificationRoutes(face);
        face.finish();
      },
      { prefix: PREFIX },
    );
  };
