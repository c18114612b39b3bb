// Idempotency-Key on every mutating request: the first answer to (caller, key) is stored and
// replayed to every retry; a retry while the first is still running gets 409, and reusing a key
// for a different request gets 422. Server errors are not stored, so a retry can succeed.
// Routes whose answer carries a secret declare `config.mintsSecrets`: their answers are never
// stored (a stored token would log in for a day), so on them the key is ignored, as on routes
// that only read (`config.readOnly`, a query whose filter is a body).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Selectable, sql } from 'kysely';
import type { Database, Db } from '../database.ts';
import { canonicalJson } from '../canonical-json.ts';
import { unprocessable, badRequest, conflict } from '../errors.ts';
import { claimsFor } from './claims.ts';
import { guardWork, withRequestContext, workDone } from '../idempotent-work.ts';
import { type IdempotencyKeysTable, platform } from '../tables.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const KEPT_HOURS = 24;
const NOT_REPLAYABLE =
  'Not replayable: the answer carries a secret that Tally never stores, so an `Idempotency-Key` is ignored here.';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { caller: string; key: string; requestHash: string; release: () => Promise<void> };
    /** Set when the answer says "retry": it must not be replayed to the retry. */
    transientAnswer?: boolean;
  }
  interface FastifyContextConfig {
    /** The answer carries a secret (a token, a key, a link that logs in): never stored, never replayed. */
    mintsSecrets?: boolean;
  }
}

function callerOf(request: FastifyRequest): string {
  return request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
}

/** A changing request that names a key. A route that only reads is its own retry: nothing to store, nothing to replay. */
const keyedChange = (request: FastifyRequest) =>
  MUTATING.has(request.method) &&
  request.headers['idempotency-key'] !== undefined &&
  !request.routeOptions.config.readOnly;

/** A retry may send the same body with its keys in another order: hash the canonical form. */
const hashOf = (request: FastifyRequest) =>
  createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');

export function registerIdempotency(app: FastifyInstance, database: Database): void {
  const claims = claimsFor(database);
  app.addHook('onClose', () => claims.close());
  // A changing request that names a key runs the rest of its life where the ledger can find the
  // key: entered once the body has arrived (its last chunk resumes in the socket's context, not the
  // request's), callback style, so the hooks and the handler that follow run inside it. Other
  // requests stay out: on Node 20 and 22 a store once entered slows every promise of the process
  // (docs/benchmarks.md, "Which Node").
  app.addHook('preHandler', (request, _reply, done) => (keyedChange(request) ? withRequestContext(done) : done()));

  // The OpenAPI document says which routes are not replayable, and a test enumerates them there.
  app.addHook('onRoute', (route) => {
    if (!route.config?.mintsSecrets) return;
    route.schema ??= {};
    Object.assign(route.schema, {
      'x-mints-secrets': true,
      description: [(route.schema as { description?: string }).description, NOT_REPLAYABLE].filter(Boolean).join(' '),
    });
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!keyedChange(request)) return;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length < 1 || key.length > 255)
      throw badRequest(
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 255 characters',
        'header/idempotency-key',
      );
    if (request.routeOptions.config.mintsSecrets) return;
    const caller = callerOf(request);
    const requestHash = hashOf(request);
    const release = await claims.take(`${caller}\n${key}`);
    if (!release)
      throw conflict('idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed');
    let first: Selectable<IdempotencyKeysTable> | undefined;
    let done: Awaited<ReturnType<typeof workDone>>;
    try {
      first = await platform(request.db)
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('caller', '=', caller)
        .where('key', '=', key)
        .executeTakeFirst();
      done = first ? undefined : await workDone(request.db, caller, key);
    } catch (err) {
      await release();
      throw err;
    }
    if (!first && !done) {
      request.idempotency = { caller, key, requestHash, release };
      guardWork({ caller, key, requestHash });
      return;
    }
    await release();
    if (!first) {
      if (done!.request_hash !== requestHash)
        throw unprocessable(
          'idempotency_key_reused',
          'this Idempotency-Key was used for a different request',
          'header/idempotency-key',
        );
      throw conflict(
        'idempotency_outcome_unknown',
        'the first request with this Idempotency-Key committed its work, but its answer was lost; ' +
          'it is not run again (see GET /api/events for what it did)',
      );
    }
    if (first.request_hash !== requestHash)
      throw unprocessable(
        'idempotency_key_reused',
        'this Idempotency-Key was used for a different request',
        'header/idempotency-key',
      );
    return reply
      .status(first.status_code)
      .header('idempotent-replayed', 'true')
      .type(first.content_type ?? 'application/json')
      .send(first.body);
  });

  // The first stored answer stands: another instance that ran the same key while this one's claim
  // session was lost (claims.ts says when) must not turn its own success into a 500.
  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    if (!pending) return payload;
    request.idempotency = undefined;
    try {
      if (reply.statusCode < 500 && !request.transientAnswer && (payload === null || typeof payload === 'string')) {
        const contentType = reply.getHeader('content-type');
        await platform(request.db)
          .insertInto('idempotency_keys')
          .values({
            caller: pending.caller,
            key: pending.key,
            method: request.method,
            path: request.url,
            request_hash: pending.requestHash,
            status_code: reply.statusCode,
            content_type: typeof contentType === 'string' ? contentType : null,
            body: payload ?? '',
          })
          .onConflict((oc) => oc.columns(['caller', 'key']).doNothing())
          .execute();
      }
    } finally {
      await pending.release();
    }
    return payload;
  });
}

/**
 * Forgets answers older than KEPT_HOURS; run by the platform's periodic jobs. The database stamped
 * them (created_at DEFAULT now()), so its clock, not the caller's, says how old they are.
 */
export async function forgetOldIdempotencyKeys(db: Db): Promise<number> {
  const before = sql<Date>`now() - ${KEPT_HOURS} * interval '1 hour'`;
  await sql`DELETE FROM idempotency_work WHERE created_at < ${before}`.execute(db);
  const result = await platform(db).deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
