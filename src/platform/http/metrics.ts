// `/metrics` for Prometheus, and the request-duration histogram it shows. Open on the main port
// unless TALLY_METRICS_TOKEN is set; then only `Authorization: Bearer <that token>` reads it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import type { App, AppContext } from '../context.ts';
import { unauthorized } from '../errors.ts';
import type { AppMetrics } from '../metrics.ts';

/** The route label of a request no route answered: one series, whatever URL was asked for. */
const UNMATCHED = 'unmatched';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (digests of equal length), so the answer's timing does not spell the token. */
const isToken = (header: string | undefined, token: string) =>
  header !== undefined && timingSafeEqual(digest(header), digest(`Bearer ${token}`));

const EXAMPLE =
  '# HELP tally_ledger_unsealed_events Committed events not yet sealed into a block\n' +
  '# TYPE tally_ledger_unsealed_events gauge\n' +
  'tally_ledger_unsealed_events 12\n';

export function registerMetrics(app: App, ctx: AppContext, metrics: AppMetrics): void {
  // By the route's pattern (`/api/devices/:id`), never the URL, so the series stay few.
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestSeconds.observe(
      { route: request.routeOptions.url ?? UNMATCHED, method: request.method, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  const token = ctx.config.metricsToken;
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'metrics',
        tags: ['health'],
        summary: 'Prometheus metrics',
        description:
          'The Prometheus text exposition format: request durations by route, database pool use, job runs, ' +
          'failures and durations, the ledger’s unsealed events, issued Wh and bundles, readings imported and ' +
          'each community’s clearing lag (README, Metrics). Open unless `TALLY_METRICS_TOKEN` is set; then it ' +
          'needs `Authorization: Bearer <that token>`, and answers 401 `unauthorized` without it.',
        security: [],
        produces: ['text/plain'],
        response: {
          200: Type.String({ description: 'Every metric, in the text exposition format 0.0.4', examples: [EXAMPLE] }),
        },
      },
    },
    async (request, reply) => {
      if (token !== undefined && !isToken(request.headers.authorization, token))
        throw unauthorized('/metrics needs Authorization: Bearer <TALLY_METRICS_TOKEN>');
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
