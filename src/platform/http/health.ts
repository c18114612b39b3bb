// The health routes, for orchestrators and load balancers: `/health/live` (the process answers),
// `/health/ready` (it can serve: platform/health.ts), and the older `/health`, kept as it was.
import { Type } from 'typebox';
import type { App, AppContext } from '../context.ts';
import { TallyError } from '../errors.ts';
import { type JobsPulse, readiness } from '../health.ts';

const tags = ['health'];
const Check = (description: string) => Type.String({ description });
const Readiness = Type.Object(
  {
    status: Type.Literal('ready', { description: 'The verdict' }),
    checks: Type.Object(
      {
        database: Check('`ok`, or why the database does not answer'),
        migrations: Check('`ok`, or the migrations this code knows that the database has not applied'),
        jobs: Check('`ok`, `skipped` (this process runs no jobs), or how long the job runner has been silent'),
      },
      { description: 'Each check' },
    ),
  },
  {
    description: 'This process can serve: every check passed',
    examples: [{ status: 'ready', checks: { database: 'ok', migrations: 'ok', jobs: 'ok' } }],
  },
);

export function registerHealth(app: App, ctx: AppContext, pulse: JobsPulse | undefined): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', database: ctx.database.engine }));

  app.get(
    '/health/live',
    {
      schema: {
        operationId: 'live',
        tags,
        summary: 'Liveness: the process answers',
        description: 'Always 200 while the process runs; it asks nothing of the database.',
        security: [],
        response: {
          200: Type.Object(
            { status: Type.Literal('alive', { description: 'Always `alive`' }) },
            { description: 'The process answers', examples: [{ status: 'alive' }] },
          ),
        },
      },
    },
    async () => ({ status: 'alive' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'ready',
        tags,
        summary: 'Readiness: the database answers, migrations are current, the job runner ticks',
        description:
          '200 when every check passes; otherwise 503 `not_ready`, its detail naming each failing check (a database ' +
          'that is gone, a migration not applied, a job runner that missed three ticks). Send traffic only to a ' +
          'ready process.',
        security: [],
        response: { 200: Readiness },
        problems: ['not_ready'],
      },
    },
    async (request) => {
      const r = await readiness(request.database, pulse);
      if (!r.ready) {
        const failing = Object.entries(r.checks).filter(([, c]) => c !== 'ok' && c !== 'skipped');
        throw new TallyError('not_ready', failing.map(([name, c]) => `${name}: ${c}`).join('; '));
      }
      return { status: 'ready' as const, checks: r.checks };
    },
  );
}
