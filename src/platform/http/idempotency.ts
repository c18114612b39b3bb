// Idempotency-Key on every mutating request: the first answer to (caller, key) is stored and
// replayed to every retry; a retry while the first is still running gets 409, and reusing a key
// for a different request gets 422. Server errors are not stored, so a retry can succeed.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import { conflict, unprocessable, badRequest } from '../errors.ts';

interface IdempotencyTables {
  idempotency_keys: {
    caller: string; key: string; method: string; path: string; request_hash: string;
    status_code: number | null; content_type: string | null; body: string | null; created_at: Date;
  };
}
const q = (db: Db) => db as Kysely<IdempotencyTables>;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const KEPT_HOURS = 24;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { caller: string; key: string };
    /** Set when the answer says "retry": it must not be replayed to the retry. */
    transientAnswer?: boolean;
  }
}

function callerOf(request: FastifyRequest): string {
  return request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
}

export function registerIdempotency(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (!MUTATING.has(request.method) || key === undefined) return;
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters', 'header/idempotency-key');
    const caller = callerOf(request);
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const inserted = await q(db)
      .insertInto('idempotency_keys')
      .values({ caller, key, method: request.method, path: request.url, request_hash: requestHash } as never)
      .onConflict((oc) => oc.columns(['caller', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) {
      request.idempotency = { caller, key };
      return;
    }
    const first = await q(db).selectFrom('idempotency_keys').selectAll().where('caller', '=', caller).where('key', '=', key).executeTakeFirstOrThrow();
    if (first.request_hash !== requestHash) throw unprocessable('idempotency_key_reused', 'this Idempotency-Key was used for a different request', 'header/idempotency-key');
    if (first.status_code === null) throw conflict('idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed');
    return reply.status(first.status_code).header('idempotent-replayed', 'true').type(first.content_type ?? 'application/json').send(first.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    if (!pending) return payload;
    const where = q(db).updateTable('idempotency_keys').where('caller', '=', pending.caller).where('key', '=', pending.key);
    if (reply.statusCode >= 500 || request.transientAnswer || (payload !== null && typeof payload !== 'string')) {
      await q(db).deleteFrom('idempotency_keys').where('caller', '=', pending.caller).where('key', '=', pending.key).execute();
    } else {
      const contentType = reply.getHeader('content-type');
      await where.set({ status_code: reply.statusCode, content_type: typeof contentType === 'string' ? contentType : null, body: payload ?? '' }).execute();
    }
    return payload;
  });
}

/** Forgets answers older than KEPT_HOURS; run by the platform's periodic jobs. */
export async function forgetOldIdempotencyKeys(db: Db): Promise<number> {
  const result = await q(db).deleteFrom('idempotency_keys').where('created_at', '<', new Date(Date.now() - KEPT_HOURS * 3600_000)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
