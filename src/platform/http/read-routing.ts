// Routes that only read declare `config.readOnly`; with a replica configured (DATABASE_READ_URL)
// their handler runs with its queries sent to the replica whenever it has replayed what the caller
// must see (replica-reads.ts decides). Writing requests then answer `Tally-Commit-LSN`, the
// primary's log position after them, which a client sends back as `Tally-Read-After` to read its
// own writes through any process. `Tally-Read-From` says which database answered.
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Logger } from 'pino';
import type { Database } from '../database.ts';
import { badRequest } from '../errors.ts';
import { formatLogPosition, onReplica, parseLogPosition, type LogPosition } from '../replica.ts';
import { ReplicaReads } from '../replica-reads.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes nothing: with a replica configured it may be answered from there. */
    readOnly?: boolean;
  }
}

const WRITING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const callerOf = (request: FastifyRequest) => (request.principal ? `user:${request.principal.userId}` : undefined);

function readAfter(request: FastifyRequest): LogPosition | undefined {
  const text = request.headers['tally-read-after'];
  if (text === undefined) return undefined;
  const position = typeof text === 'string' ? parseLogPosition(text) : undefined;
  if (position === undefined)
    throw badRequest(
      'invalid_read_after',
      'Tally-Read-After must be a log position as Tally-Commit-LSN gives it (like 16/B374D848)',
      'header/tally-read-after',
    );
  return position;
}

/** SQLSTATE classes and socket errors that say the replica failed the work, not the work itself. */
const REPLICA_TROUBLE = /^(08|57P|40001$|E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$)/;
const LOST_CONNECTION = /Connection terminated|timeout exceeded when trying to connect/;

function replicaTrouble(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if ((typeof code === 'string' && REPLICA_TROUBLE.test(code)) || LOST_CONNECTION.test(err.message)) return err.message;
  return undefined;
}

export function registerReadRouting(app: FastifyInstance, database: Database, waitMs: number, log: Logger): void {
  const replica = database.replica;
  const reads =
    replica &&
    new ReplicaReads(replica, waitMs, (reason) =>
      log.warn(
        { reason },
        'the read replica cannot be reached or failed a read; reads go to the primary until it answers again',
      ),
    );

  app.addHook('onRoute', (route) => {
    if (!route.config?.readOnly) return;
    // The OpenAPI document marks the route and offers it the Tally-Read-After header (openapi.ts).
    route.schema ??= {};
    Object.assign(route.schema, { 'x-read-only': true });
    const handler = route.handler as RouteHandlerMethod;
    route.handler = async function routed(request, reply) {
      const after = readAfter(request);
      if (!reads) return handler.call(this, request, reply);
      const target = await reads.target(callerOf(request), after);
      reply.header('tally-read-from', target);
      if (target === 'primary') return handler.call(this, request, reply);
      try {
        return await onReplica(() => handler.call(this, request, reply));
      } catch (err) {
        // The handler only reads, so when the replica fails it (gone, or a query cancelled by its
        // replay) and nothing was sent yet, the primary answers it instead.
        const trouble = replicaTrouble(err);
        if (trouble === undefined || reply.sent) throw err;
        reads.unreachable(trouble);
        reply.header('tally-read-from', 'primary');
        return handler.call(this, request, reply);
      }
    };
  });
  if (!reads) return;

  // A refused write changed nothing, so only a success has a position worth reading after.
  app.addHook('onSend', async (request, reply, payload) => {
    if (WRITING.has(request.method) && !request.routeOptions.config.readOnly && reply.statusCode < 400)
      reply.header('tally-commit-lsn', formatLogPosition(await reads.written(callerOf(request))));
    return payload;
  });
}
