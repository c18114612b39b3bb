// The database as a request's work sees it: `request.database` (and its query builder,
// `request.db`), which every route hands its module. It is the process's database, or, for a
// request that carries a trace, a handle of its own whose statements become the request's spans
// (request-spans.ts). Hooks, handlers and the modules they call take the database from the request,
// never from what they captured when they were registered, so that a traced request's work is
// traced wherever it runs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database, Db } from '../database-interface.ts';
import { tracing } from '../query-spans.ts';
import { registerRequestSpans } from './request-spans.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The database for this request's work. */
    readonly database: Database;
    /** `database.kysely`: the query builder for this request's work. */
    readonly db: Db;
  }
}

/** First, so a request's span covers all it goes through. */
export function registerRequestDatabase(app: FastifyInstance, database: Database): void {
  const traced = tracing() ? registerRequestSpans(app, database) : undefined;
  app.decorateRequest('database', {
    getter(this: FastifyRequest) {
      return traced?.(this) ?? database;
    },
  });
  app.decorateRequest('db', {
    getter(this: FastifyRequest) {
      return this.database.kysely;
    },
  });
}
